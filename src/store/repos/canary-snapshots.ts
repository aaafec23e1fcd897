/**
 * The latest canary judgement per release, kept so the release card and the console show live
 * canary metrics against the baseline between job runs and across restarts.
 */
import type { CanaryJudgement } from '../../core/canary.ts';
import type { SqlExecutor } from '../sql.ts';

export interface CanarySnapshot {
  releaseId: number;
  /** The stage index it was judged in. */
  stage: number;
  judgedAt: number;
  judgement: CanaryJudgement;
  baselineCalls: number;
  candidateCalls: number;
}

export interface CanarySnapshotRepo {
  /** Replaces the release's snapshot. */
  save(s: CanarySnapshot): Promise<void>;
  load(releaseId: number): Promise<CanarySnapshot | undefined>;
}

export function sqlCanarySnapshots(db: SqlExecutor): CanarySnapshotRepo {
  return {
    async save(s) {
      await db.run(
        `INSERT INTO canary_snapshots (release_id, stage, judged_at, status, samples_needed, judgement) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (release_id) DO UPDATE SET stage = excluded.stage, judged_at = excluded.judged_at, status = excluded.status,
           samples_needed = excluded.samples_needed, judgement = excluded.judgement`,
        [
          s.releaseId,
          s.stage,
          s.judgedAt,
          s.judgement.status,
          s.judgement.samplesNeeded,
          JSON.stringify({ judgement: s.judgement, baselineCalls: s.baselineCalls, candidateCalls: s.candidateCalls }),
        ],
      );
    },
    async load(releaseId) {
      const row = await db.get<{ release_id: number; stage: number; judged_at: number; judgement: string }>(
        'SELECT release_id, stage, judged_at, judgement FROM canary_snapshots WHERE release_id = ?',
        [releaseId],
      );
      if (!row) return undefined;
      const body = JSON.parse(row.judgement) as { judgement: CanaryJudgement; baselineCalls: number; candidateCalls: number };
      return { releaseId: row.release_id, stage: row.stage, judgedAt: row.judged_at, ...body };
    },
  };
}
