/** Releases and their approvals. */
import type { ReleaseState } from '../core/release.ts';
import { OPEN_STATES } from '../core/release.ts';
import type { Db } from './db.ts';

export interface ReleaseChanges {
  model?: { from: string; to: string };
  prompt?: { from: string | null; to: string | null };
  params?: Record<string, { from: unknown; to: unknown }>;
  /** The file changed other parts of the config (rag, tools, guardrails...). */
  other?: string[];
}

export interface ReleaseRecord {
  id: number;
  /** "REL-<n>" */
  key: string;
  workflow: string;
  state: ReleaseState;
  stageIndex: number;
  pausedState: 'canary' | 'ramp' | null;
  baselineHash: string;
  candidateHash: string;
  salt: string;
  requester: string;
  reason: string | null;
  source: string;
  changes: ReleaseChanges;
  verdict: unknown | null;
  gateOutcome: 'pass' | 'fail' | 'needs_cost_approval' | null;
  gateRuns: number;
  overrideReason: string | null;
  createdAt: number;
  updatedAt: number;
  stageStartedAt: number | null;
  trafficStartedAt: number | null;
  completedAt: number | null;
  endedAt: number | null;
  version: number;
}

interface Row {
  id: number;
  workflow: string;
  state: ReleaseState;
  stage_index: number;
  paused_state: 'canary' | 'ramp' | null;
  baseline_hash: string;
  candidate_hash: string;
  salt: string;
  requester: string;
  reason: string | null;
  source: string;
  changes: string;
  verdict: string | null;
  gate_outcome: ReleaseRecord['gateOutcome'];
  gate_runs: number;
  override_reason: string | null;
  created_at: number;
  updated_at: number;
  stage_started_at: number | null;
  traffic_started_at: number | null;
  completed_at: number | null;
  ended_at: number | null;
  version: number;
}

export const releaseKey = (id: number): string => `REL-${id}`;

const toRecord = (r: Row): ReleaseRecord => ({
  id: r.id,
  key: releaseKey(r.id),
  workflow: r.workflow,
  state: r.state,
  stageIndex: r.stage_index,
  pausedState: r.paused_state,
  baselineHash: r.baseline_hash,
  candidateHash: r.candidate_hash,
  salt: r.salt,
  requester: r.requester,
  reason: r.reason,
  source: r.source,
  changes: JSON.parse(r.changes) as ReleaseChanges,
  verdict: r.verdict ? (JSON.parse(r.verdict) as unknown) : null,
  gateOutcome: r.gate_outcome,
  gateRuns: r.gate_runs,
  overrideReason: r.override_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  stageStartedAt: r.stage_started_at,
  trafficStartedAt: r.traffic_started_at,
  completedAt: r.completed_at,
  endedAt: r.ended_at,
  version: r.version,
});

const OPEN_SQL = OPEN_STATES.map((s) => `'${s}'`).join(',');

export function getRelease(db: Db, id: number): ReleaseRecord | undefined {
  const r = db.prepare('SELECT * FROM releases WHERE id = ?').get(id) as Row | undefined;
  return r && toRecord(r);
}

export function openReleaseOf(db: Db, workflow: string): ReleaseRecord | undefined {
  const r = db.prepare(`SELECT * FROM releases WHERE workflow = ? AND state IN (${OPEN_SQL}) ORDER BY id DESC LIMIT 1`).get(workflow) as
    | Row
    | undefined;
  return r && toRecord(r);
}

export function latestCompletedOf(db: Db, workflow: string): ReleaseRecord | undefined {
  const r = db
    .prepare("SELECT * FROM releases WHERE workflow = ? AND state = 'completed' ORDER BY completed_at DESC, id DESC LIMIT 1")
    .get(workflow) as Row | undefined;
  return r && toRecord(r);
}

/** The latest release of the workflow that reached completion (completed or rolled back after it). */
export function latestEverCompleted(db: Db, workflow: string): ReleaseRecord | undefined {
  const r = db
    .prepare('SELECT * FROM releases WHERE workflow = ? AND completed_at IS NOT NULL ORDER BY completed_at DESC, id DESC LIMIT 1')
    .get(workflow) as Row | undefined;
  return r && toRecord(r);
}

/** Every release now in one of `states`, oldest first (the jobs' work lists; no limit). */
export function releasesIn(db: Db, states: readonly ReleaseState[]): ReleaseRecord[] {
  const marks = states.map(() => '?').join(',');
  return (db.prepare(`SELECT * FROM releases WHERE state IN (${marks}) ORDER BY id`).all(...states) as Row[]).map(toRecord);
}

export function listReleases(db: Db, q: { workflow?: string; state?: string; limit?: number } = {}): ReleaseRecord[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.workflow) {
    where.push('workflow = ?');
    args.push(q.workflow);
  }
  if (q.state === 'open') where.push(`state IN (${OPEN_SQL})`);
  else if (q.state) {
    where.push('state = ?');
    args.push(q.state);
  }
  args.push(q.limit ?? 100);
  return (
    db.prepare(`SELECT * FROM releases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`).all(...args) as Row[]
  ).map(toRecord);
}

export function insertRelease(
  db: Db,
  r: {
    workflow: string;
    baselineHash: string;
    candidateHash: string;
    salt: string;
    requester: string;
    reason: string | null;
    source: string;
    changes: ReleaseChanges;
    now: number;
  },
): ReleaseRecord {
  const res = db
    .prepare(
      `INSERT INTO releases (workflow, state, baseline_hash, candidate_hash, salt, requester, reason, source, changes, created_at, updated_at)
       VALUES (?, 'requested', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(r.workflow, r.baselineHash, r.candidateHash, r.salt, r.requester, r.reason, r.source, JSON.stringify(r.changes), r.now, r.now);
  return getRelease(db, Number(res.lastInsertRowid))!;
}

export interface StateUpdate {
  state: ReleaseState;
  stageIndex: number;
  pausedState: 'canary' | 'ramp' | null;
  now: number;
  stageStarted?: boolean;
  trafficStarted?: boolean;
  completed?: boolean;
  ended?: boolean;
}

/**
 * Moves a release from the state it was read in (checked: a concurrent change makes this return
 * false and nothing is written).
 */
export function updateReleaseState(db: Db, id: number, fromState: ReleaseState, fromVersion: number, u: StateUpdate): boolean {
  const res = db
    .prepare(
      `UPDATE releases SET state = ?, stage_index = ?, paused_state = ?, updated_at = ?,
         stage_started_at = CASE WHEN ? THEN ? ELSE stage_started_at END,
         traffic_started_at = CASE WHEN ? AND traffic_started_at IS NULL THEN ? ELSE traffic_started_at END,
         completed_at = CASE WHEN ? THEN ? ELSE completed_at END,
         ended_at = CASE WHEN ? THEN ? ELSE ended_at END,
         version = version + 1
       WHERE id = ? AND state = ? AND version = ?`,
    )
    .run(
      u.state,
      u.stageIndex,
      u.pausedState,
      u.now,
      u.stageStarted ? 1 : 0,
      u.now,
      u.trafficStarted ? 1 : 0,
      u.now,
      u.completed ? 1 : 0,
      u.now,
      u.ended ? 1 : 0,
      u.now,
      id,
      fromState,
      fromVersion,
    );
  return res.changes === 1;
}

export function setReleaseVerdict(
  db: Db,
  id: number,
  verdict: unknown,
  outcome: ReleaseRecord['gateOutcome'],
  now: number,
): void {
  db.prepare('UPDATE releases SET verdict = ?, gate_outcome = ?, updated_at = ?, version = version + 1 WHERE id = ?').run(
    JSON.stringify(verdict),
    outcome,
    now,
    id,
  );
}

export function bumpGateRun(db: Db, id: number, now: number): number {
  db.prepare('UPDATE releases SET gate_runs = gate_runs + 1, verdict = NULL, gate_outcome = NULL, updated_at = ?, version = version + 1 WHERE id = ?').run(now, id);
  return (db.prepare('SELECT gate_runs FROM releases WHERE id = ?').get(id) as { gate_runs: number }).gate_runs;
}

export function setOverrideReason(db: Db, id: number, reason: string): void {
  db.prepare('UPDATE releases SET override_reason = ? WHERE id = ?').run(reason, id);
}

export interface Approval {
  person: string;
  finance: boolean;
  at: number;
}

export function listApprovals(db: Db, releaseId: number, gateRun: number): Approval[] {
  return (
    db.prepare('SELECT person, finance, at FROM approvals WHERE release_id = ? AND gate_run = ? ORDER BY at').all(releaseId, gateRun) as {
      person: string;
      finance: number;
      at: number;
    }[]
  ).map((a) => ({ person: a.person, finance: a.finance === 1, at: a.at }));
}

export function addApproval(db: Db, releaseId: number, gateRun: number, a: Approval): boolean {
  return (
    db
      .prepare('INSERT OR IGNORE INTO approvals (release_id, gate_run, person, finance, at) VALUES (?, ?, ?, ?, ?)')
      .run(releaseId, gateRun, a.person, a.finance ? 1 : 0, a.at).changes > 0
  );
}
