/**
 * Where each workflow's traffic goes: its stable config, and the candidate of the release taking
 * traffic with its weight and salt. Held in memory and rebuilt when the store's change stamp
 * moves, so a promote, pause or rollback made by any process applies on the very next request;
 * a request waits on the store only for the rebuild after such a change, never otherwise.
 */
import type { ReleaseConfig, Workflow } from '../config/types.ts';
import { takesCandidate } from '../core/bucket.ts';
import { candidateWeight } from '../core/release.ts';
import { canonicalJson } from '../core/canonical.ts';
import type { AppContext } from '../services/context.ts';
import { releaseKey } from '../store/repos/releases.ts';

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
  private building: { stamp: string; done: Promise<void> } | null = null;
  private builds = 0;
  private applied = 0;

  constructor(private ctx: AppContext) {}

  /**
   * Undefined when the table is current (nothing to wait for: the usual case); else a promise
   * that resolves once it is rebuilt from the store as it is now.
   */
  refresh(): Promise<void> | undefined {
    const stamp = this.ctx.store.changeStamp();
    if (stamp === this.stamp) return undefined;
    if (this.building?.stamp === stamp) return this.building.done;
    const seq = ++this.builds;
    const done = this.rebuild().then((next) => {
      // A later rebuild may have finished first: only a newer one replaces the table.
      if (seq > this.applied) {
        this.applied = seq;
        this.routes = next;
        this.stamp = stamp;
      }
    });
    const entry = { stamp, done };
    this.building = entry;
    void done.then(
      () => {
        if (this.building === entry) this.building = null;
      },
      () => {
        if (this.building === entry) this.building = null;
      },
    );
    return done;
  }

  /** The workflow's route as of the last refresh. */
  get(name: string): WorkflowRoute | undefined {
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

  private async rebuild(): Promise<Map<string, WorkflowRoute>> {
    const { store, config } = this.ctx;
    const next = new Map<string, WorkflowRoute>();
    for (const wf of Object.values(config.workflows)) {
      const live = await store.workflows.get(wf.name);
      if (!live) continue;
      const stable = await this.servedConfig(live.stableHash);
      if (!stable) continue;
      const open = await store.releases.openOf(wf.name);
      const weight = open ? candidateWeight({ state: open.state, stageIndex: open.stageIndex, stages: wf.rollout.stages }) : 0;
      const inTraffic = open && (open.state === 'canary' || open.state === 'ramp' || open.state === 'paused');
      let releaseId: number | null = null;
      if (inTraffic) releaseId = open.id;
      else {
        const done = await store.releases.latestCompletedOf(wf.name);
        if (done && done.candidateHash === live.stableHash) releaseId = done.id;
      }
      next.set(wf.name, {
        workflow: wf,
        stable,
        candidate: inTraffic ? ((await this.servedConfig(open.candidateHash)) ?? null) : null,
        weight,
        salt: open?.salt ?? '',
        releaseId,
        releaseOpen: !!inTraffic,
      });
    }
    return next;
  }

  private async servedConfig(hash: string): Promise<ServedConfig | undefined> {
    const hit = this.served.get(hash);
    if (hit) return hit;
    const stored = await this.ctx.store.configs.get(hash);
    if (!stored) return undefined;
    const tools = new Map<string, { effect: 'read' | 'write'; parametersJson: string }>();
    for (const t of stored.config.tools) tools.set(t.name, { effect: t.effect, parametersJson: canonicalJson(t.parameters) });
    const s: ServedConfig = { hash, config: stored.config, tools };
    this.served.set(hash, s);
    return s;
  }
}
