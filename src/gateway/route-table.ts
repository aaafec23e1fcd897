/**
 * Where each workflow's traffic goes: its stable config, and the candidate of the release taking
 * traffic with its weight and salt. Held in memory and rebuilt when the store's change stamp
 * moves, so a promote, pause or rollback made by any process applies on the very next request.
 */
import type { ReleaseConfig, Workflow } from '../config/types.ts';
import { takesCandidate } from '../core/bucket.ts';
import { candidateWeight } from '../core/release.ts';
import { canonicalJson } from '../core/canonical.ts';
import type { AppContext } from '../services/context.ts';
import { turnChangeStamp } from '../store/db.ts';
import { getConfig } from '../store/configs.ts';
import { latestCompletedOf, openReleaseOf, releaseKey } from '../store/releases.ts';
import { getLiveWorkflow } from '../store/workflows.ts';

export interface ServedConfig {
  hash: string;
  config: ReleaseConfig;
  /** Tool definitions by name, and their parameters as canonical JSON (for the tool check). */
  tools: Map<string, { effect: 'read' | 'write'; parametersJson: string }>;
}

export interface WorkflowRoute {
  workflow: Workflow;
  stable: ServedConfig;
  candidate: ServedConfig | null;
  /** Candidate share in percent (0 when paused or no release takes traffic). */
  weight: number;
  salt: string;
  /** The release in traffic (open), or the completed release that made the stable config. */
  releaseId: number | null;
  /** Whether `releaseId` is an open release (its candidate may take traffic). */
  releaseOpen: boolean;
}

export interface Resolution {
  route: WorkflowRoute;
  variant: 'stable' | 'candidate';
  served: ServedConfig;
  releaseKey: string | null;
}

export class RouteTable {
  private stamp = '';
  private routes = new Map<string, WorkflowRoute>();
  private served = new Map<string, ServedConfig>();

  constructor(private ctx: AppContext) {}

  /** The workflow's route as of now (rebuilt first if anything changed anywhere). */
  get(name: string): WorkflowRoute | undefined {
    const stamp = turnChangeStamp(this.ctx.db);
    if (stamp !== this.stamp) {
      this.rebuild();
      this.stamp = stamp;
    }
    return this.routes.get(name);
  }

  /** After a configuration reload. */
  invalidate(): void {
    this.stamp = '';
  }

  resolve(name: string, unit: string): Resolution | undefined {
    const route = this.get(name);
    if (!route) return undefined;
    const candidate = route.candidate !== null && takesCandidate(route.salt, unit, route.weight);
    return {
      route,
      variant: candidate ? 'candidate' : 'stable',
      served: candidate ? route.candidate! : route.stable,
      releaseKey: route.releaseId === null ? null : releaseKey(route.releaseId),
    };
  }

  private rebuild(): void {
    const db = this.ctx.db;
    const next = new Map<string, WorkflowRoute>();
    for (const wf of Object.values(this.ctx.config.workflows)) {
      const live = getLiveWorkflow(db, wf.name);
      if (!live) continue;
      const stable = this.servedConfig(live.stableHash);
      if (!stable) continue;
      const open = openReleaseOf(db, wf.name);
      const weight = open ? candidateWeight({ state: open.state, stageIndex: open.stageIndex, stages: wf.rollout.stages }) : 0;
      const inTraffic = open && (open.state === 'canary' || open.state === 'ramp' || open.state === 'paused');
      let releaseId: number | null = null;
      if (inTraffic) releaseId = open.id;
      else {
        const done = latestCompletedOf(db, wf.name);
        if (done && done.candidateHash === live.stableHash) releaseId = done.id;
      }
      next.set(wf.name, {
        workflow: wf,
        stable,
        candidate: inTraffic ? (this.servedConfig(open.candidateHash) ?? null) : null,
        weight,
        salt: open?.salt ?? '',
        releaseId,
        releaseOpen: !!inTraffic,
      });
    }
    this.routes = next;
  }

  private servedConfig(hash: string): ServedConfig | undefined {
    const hit = this.served.get(hash);
    if (hit) return hit;
    const stored = getConfig(this.ctx.db, hash);
    if (!stored) return undefined;
    const tools = new Map<string, { effect: 'read' | 'write'; parametersJson: string }>();
    for (const t of stored.config.tools) tools.set(t.name, { effect: t.effect, parametersJson: canonicalJson(t.parameters) });
    const s: ServedConfig = { hash, config: stored.config, tools };
    this.served.set(hash, s);
    return s;
  }
}
