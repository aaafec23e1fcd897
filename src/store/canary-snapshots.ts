/**
 * The latest canary judgement per release, kept in SQLite so the release card shows live canary
 * metrics against the baseline between job runs and across restarts.
 */
import type { CanaryJudgement, PriorCalls } from '../core/canary.ts';
import type { Db } from './db.ts';
import type { ReleaseRecord } from './releases.ts';

export interface CanarySnapshot {
  releaseId: number;
  stage: number;
  judgedAt: number;
  judgement: CanaryJudgement;
  baselineCalls: number;
  candidateCalls: number;
  /** The stable config's calls before the stage (read once a stage, kept here). */
  prior?: PriorCalls | null;
}

export function saveCanarySnapshot(db: Db, s: CanarySnapshot): void {
  db.prepare(
    `INSERT INTO canary_snapshots (release_id, stage, judged_at, status, samples_needed, judgement) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(release_id) DO UPDATE SET stage = excluded.stage, judged_at = excluded.judged_at, status = excluded.status,
       samples_needed = excluded.samples_needed, judgement = excluded.judgement`,
  ).run(
    s.releaseId,
    s.stage,
    s.judgedAt,
    s.judgement.status,
    s.judgement.samplesNeeded,
    JSON.stringify({ judgement: s.judgement, baselineCalls: s.baselineCalls, candidateCalls: s.candidateCalls, prior: s.prior ?? null }),
  );
}

export function loadCanarySnapshot(db: Db, releaseId: number): CanarySnapshot | undefined {
  const row = db.prepare('SELECT * FROM canary_snapshots WHERE release_id = ?').get(releaseId) as
    | { release_id: number; stage: number; judged_at: number; judgement: string }
    | undefined;
  if (!row) return undefined;
  const body = JSON.parse(row.judgement) as { judgement: CanaryJudgement; baselineCalls: number; candidateCalls: number; prior?: PriorCalls | null };
  return { releaseId: row.release_id, stage: row.stage, judgedAt: row.judged_at, ...body };
}

/** The snapshot of the release's current stage, as the release card shows it (null: none yet). */
export function canaryViewOf(db: Db, r: ReleaseRecord) {
  if (r.state !== 'canary' && r.state !== 'ramp' && r.state !== 'paused') return null;
  const s = loadCanarySnapshot(db, r.id);
  if (!s || s.stage !== r.stageIndex) return null;
  return {
    status: s.judgement.status,
    reason: s.judgement.reason,
    samplesNeeded: s.judgement.samplesNeeded,
    metrics: s.judgement.metrics.map((m) => ({ name: m.name, baseline: m.baseline, candidate: m.candidate, classification: m.classification, test: m.test })),
    detectable: s.judgement.detectable ?? null,
  };
}
