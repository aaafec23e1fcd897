/** Releases and their approvals. */
import type { ReleaseState } from '../../core/release.ts';
import { OPEN_STATES } from '../../core/release.ts';
import { marks, type SqlExecutor } from '../sql.ts';

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

export const releaseKey = (id: number): string => `REL-${id}`;

export interface NewRelease {
  workflow: string;
  baselineHash: string;
  candidateHash: string;
  salt: string;
  requester: string;
  reason: string | null;
  source: string;
  changes: ReleaseChanges;
  now: number;
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

export interface Approval {
  person: string;
  finance: boolean;
  at: number;
}

export interface ReleaseRepo {
  get(id: number): Promise<ReleaseRecord | undefined>;
  /** The workflow's open release (at most one). */
  openOf(workflow: string): Promise<ReleaseRecord | undefined>;
  /** The workflow's latest release in `completed`. */
  latestCompletedOf(workflow: string): Promise<ReleaseRecord | undefined>;
  /** Every release now in one of `states`, oldest first (the jobs' work lists; no limit). */
  inStates(states: readonly ReleaseState[]): Promise<ReleaseRecord[]>;
  /** Newest first; `state: 'open'` means any open state. */
  list(q?: { workflow?: string; state?: string; limit?: number }): Promise<ReleaseRecord[]>;
  /** Releases of these workflows that have taken traffic, newest first. */
  withTraffic(workflows: readonly string[], limit: number): Promise<{ id: number; workflow: string; state: ReleaseState }[]>;
  /** A new release in `requested`. */
  insert(r: NewRelease): Promise<ReleaseRecord>;
  /**
   * Moves a release from the state and version it was read in; false (nothing written) when it
   * changed meanwhile.
   */
  updateState(id: number, fromState: ReleaseState, fromVersion: number, u: StateUpdate): Promise<boolean>;
  setVerdict(id: number, verdict: unknown, outcome: ReleaseRecord['gateOutcome'], now: number): Promise<void>;
  /** Starts a new gate run (clearing the verdict); its number. */
  bumpGateRun(id: number, now: number): Promise<number>;
  setOverrideReason(id: number, reason: string): Promise<void>;
}

export interface ApprovalRepo {
  /** The approvals of one gate run, oldest first. */
  list(releaseId: number, gateRun: number): Promise<Approval[]>;
  /** False when this person had already approved this gate run. */
  add(releaseId: number, gateRun: number, a: Approval): Promise<boolean>;
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

const OPEN_SQL = OPEN_STATES.map((s) => `'${s}'`).join(', ');
const one = (r: Row | undefined): ReleaseRecord | undefined => r && toRecord(r);

export function sqlReleases(db: SqlExecutor): ReleaseRepo {
  return {
    get: async (id) => one(await db.get<Row>('SELECT * FROM releases WHERE id = ?', [id])),
    openOf: async (workflow) =>
      one(await db.get<Row>(`SELECT * FROM releases WHERE workflow = ? AND state IN (${OPEN_SQL}) ORDER BY id DESC LIMIT 1`, [workflow])),
    latestCompletedOf: async (workflow) =>
      one(await db.get<Row>("SELECT * FROM releases WHERE workflow = ? AND state = 'completed' ORDER BY completed_at DESC, id DESC LIMIT 1", [workflow])),
    async inStates(states) {
      if (states.length === 0) return [];
      return (await db.all<Row>(`SELECT * FROM releases WHERE state IN (${marks(states.length)}) ORDER BY id`, states)).map(toRecord);
    },
    async list(q = {}) {
      const where: string[] = [];
      const args: (string | number)[] = [];
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
      const sql = `SELECT * FROM releases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      return (await db.all<Row>(sql, args)).map(toRecord);
    },
    async withTraffic(workflows, limit) {
      if (workflows.length === 0) return [];
      return db.all(
        `SELECT id, workflow, state FROM releases WHERE traffic_started_at IS NOT NULL AND workflow IN (${marks(workflows.length)})
         ORDER BY id DESC LIMIT ?`,
        [...workflows, limit],
      );
    },
    async insert(r) {
      const row = await db.get<Row>(
        `INSERT INTO releases (workflow, state, baseline_hash, candidate_hash, salt, requester, reason, source, changes, created_at, updated_at)
         VALUES (?, 'requested', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        [r.workflow, r.baselineHash, r.candidateHash, r.salt, r.requester, r.reason, r.source, JSON.stringify(r.changes), r.now, r.now],
      );
      return toRecord(row!);
    },
    async updateState(id, fromState, fromVersion, u) {
      const res = await db.run(
        `UPDATE releases SET state = ?, stage_index = ?, paused_state = ?, updated_at = ?,
           stage_started_at = CASE WHEN ? = 1 THEN ? ELSE stage_started_at END,
           traffic_started_at = CASE WHEN ? = 1 AND traffic_started_at IS NULL THEN ? ELSE traffic_started_at END,
           completed_at = CASE WHEN ? = 1 THEN ? ELSE completed_at END,
           ended_at = CASE WHEN ? = 1 THEN ? ELSE ended_at END,
           version = version + 1
         WHERE id = ? AND state = ? AND version = ?`,
        [
          u.state, u.stageIndex, u.pausedState, u.now,
          u.stageStarted ? 1 : 0, u.now,
          u.trafficStarted ? 1 : 0, u.now,
          u.completed ? 1 : 0, u.now,
          u.ended ? 1 : 0, u.now,
          id, fromState, fromVersion,
        ],
      );
      return res.changes === 1;
    },
    async setVerdict(id, verdict, outcome, now) {
      await db.run('UPDATE releases SET verdict = ?, gate_outcome = ?, updated_at = ?, version = version + 1 WHERE id = ?', [
        JSON.stringify(verdict),
        outcome,
        now,
        id,
      ]);
    },
    async bumpGateRun(id, now) {
      const row = await db.get<{ gate_runs: number }>(
        'UPDATE releases SET gate_runs = gate_runs + 1, verdict = NULL, gate_outcome = NULL, updated_at = ?, version = version + 1 WHERE id = ? RETURNING gate_runs',
        [now, id],
      );
      if (!row) throw new Error(`no release ${releaseKey(id)}`);
      return row.gate_runs;
    },
    async setOverrideReason(id, reason) {
      await db.run('UPDATE releases SET override_reason = ? WHERE id = ?', [reason, id]);
    },
  };
}

export function sqlApprovals(db: SqlExecutor): ApprovalRepo {
  return {
    async list(releaseId, gateRun) {
      const rows = await db.all<{ person: string; finance: number; at: number }>(
        'SELECT person, finance, at FROM approvals WHERE release_id = ? AND gate_run = ? ORDER BY at, person',
        [releaseId, gateRun],
      );
      return rows.map((a) => ({ person: a.person, finance: a.finance === 1, at: a.at }));
    },
    async add(releaseId, gateRun, a) {
      const r = await db.run(
        'INSERT INTO approvals (release_id, gate_run, person, finance, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (release_id, gate_run, person) DO NOTHING',
        [releaseId, gateRun, a.person, a.finance ? 1 : 0, a.at],
      );
      return r.changes > 0;
    },
  };
}
