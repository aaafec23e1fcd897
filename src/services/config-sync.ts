/**
 * The file and the live state (contract: "The file and the live state"): seeds workflows, turns a
 * config hash the file has never stated into one release request (requester `config-file`), and
 * applies + audits + announces every policy change.
 */
import { createHash } from 'node:crypto';
import type { LoadedConfig, Workflow } from '../config/types.ts';
import { canonicalJson, configHash } from '../core/canonical.ts';
import type { AppContext } from './context.ts';
import { createReleaseTx, diffConfigs } from './request.ts';

export const CONFIG_FILE_ACTOR = 'config-file';

/** Everything of a workflow outside its release config: applied directly when it changes. */
export function workflowPolicy(wf: Workflow): Record<string, unknown> {
  const { config: _config, promptFile: _p, evals, ...rest } = wf;
  return {
    ...rest,
    evals: { file: evals.file, repeats: evals.repeats, humanReview: evals.humanReview, escalation: evals.escalation, cases: evals.cases.length, content: createHash('sha256').update(canonicalJson(evals.cases)).digest('hex').slice(0, 12) },
  };
}

/** People, teams, pricing, providers, eval defaults: the policy shared by every workflow. */
export function globalPolicy(config: LoadedConfig): Record<string, unknown> {
  const providers = Object.fromEntries(
    Object.entries(config.providers).map(([k, p]) => [k, { baseUrl: p.baseUrl ?? '(built-in mock LLM)', apiKeyEnv: p.apiKeyEnv ?? null }]),
  );
  return { people: config.people, teams: config.teams, pricing: config.pricing, providers, evalDefaults: config.evalDefaults };
}

/** Top-level keys whose value differs, with before/after. */
function policyDiff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, { before: unknown; after: unknown }> {
  const out: Record<string, { before: unknown; after: unknown }> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (canonicalJson(before[k] ?? null) !== canonicalJson(after[k] ?? null)) out[k] = { before: before[k] ?? null, after: after[k] ?? null };
  }
  return out;
}

export interface SyncReport {
  added: string[];
  requested: { workflow: string; release: string }[];
  waiting: { workflow: string; open: string }[];
  policyChanged: string[];
}

const GLOBAL_POLICY = 'global_policy';

export async function syncConfigFile(ctx: AppContext): Promise<SyncReport> {
  const report: SyncReport = { added: [], requested: [], waiting: [], policyChanged: [] };
  const now = ctx.now();
  const actor = CONFIG_FILE_ACTOR;
  await ctx.store.tx(async (t) => {
    const g = globalPolicy(ctx.config);
    const before = await t.meta.get(GLOBAL_POLICY);
    const gJson = canonicalJson(g);
    if (before === undefined) await t.meta.put(GLOBAL_POLICY, gJson);
    else if (before !== gJson) {
      const changes = policyDiff(JSON.parse(before) as Record<string, unknown>, g);
      await t.meta.put(GLOBAL_POLICY, gJson);
      await t.audit.append({ ts: now, actor, action: 'policy_changed', data: { scope: 'global', changes } });
      await t.events.emit({ kind: 'policy_changed', payload: { scope: 'global', keys: Object.keys(changes) }, now });
      report.policyChanged.push('(global)');
    }
  });

  for (const wf of Object.values(ctx.config.workflows)) {
    await ctx.store.tx(async (t) => {
      const hash = await t.configs.put(wf.config, wf.promptFile, now);
      const policy = canonicalJson(workflowPolicy(wf));
      const live = await t.workflows.get(wf.name);
      if (!live) {
        await t.workflows.insert({ name: wf.name, team: wf.team, stableHash: hash, fileHash: hash, policy, createdAt: now });
        await t.workflows.rememberFileHash(wf.name, hash, now);
        await t.audit.append({ ts: now, actor, action: 'workflow_added', workflow: wf.name, data: { config: hash, team: wf.team } });
        await t.events.emit({ kind: 'workflow_added', workflow: wf.name, payload: { config: hash }, now });
        report.added.push(wf.name);
        return;
      }
      if (live.policy !== policy) {
        const changes = policyDiff(JSON.parse(live.policy) as Record<string, unknown>, JSON.parse(policy) as Record<string, unknown>);
        await t.workflows.setFileState(wf.name, { policy, team: wf.team }, now);
        await t.audit.append({ ts: now, actor, action: 'policy_changed', workflow: wf.name, data: { scope: 'workflow', changes } });
        await t.events.emit({ kind: 'policy_changed', workflow: wf.name, payload: { scope: 'workflow', keys: Object.keys(changes), team: wf.team }, now });
        report.policyChanged.push(wf.name);
      }
      if (hash === live.fileHash) return;
      const seenBefore = await t.workflows.fileHashSeen(wf.name, hash);
      if (seenBefore || hash === live.stableHash) {
        // Never a request for a hash seen before (or one already live).
        await t.workflows.rememberFileHash(wf.name, hash, now);
        await t.workflows.setFileState(wf.name, { fileHash: hash }, now);
        return;
      }
      const open = await t.releases.openOf(wf.name);
      if (open) {
        // Wait: the file is compared again on the next start or SIGHUP.
        await t.audit.append({ ts: now, actor, action: 'config_change_waiting', workflow: wf.name, releaseId: open.id, data: { config: hash, open: open.key } });
        await t.events.emit({ kind: 'notice', workflow: wf.name, payload: { text: `The configuration file changes ${wf.name} (${hash}), but ${open.key} is open: the request waits until it closes and the file is read again.` }, now });
        report.waiting.push({ workflow: wf.name, open: open.key });
        return;
      }
      await t.workflows.rememberFileHash(wf.name, hash, now);
      await t.workflows.setFileState(wf.name, { fileHash: hash }, now);
      const stable = await t.configs.get(live.stableHash);
      const changes = stable ? diffConfigs(stable.config, wf.config, [stable.promptFile, wf.promptFile]) : {};
      const r = await createReleaseTx(t, ctx, actor, wf, live.stableHash, hash, changes, 'the configuration file changed', CONFIG_FILE_ACTOR);
      report.requested.push({ workflow: wf.name, release: r.key });
    });
  }
  return report;
}

/** The config hash the file states for a workflow (for status and tests). */
export const fileConfigHash = (wf: Workflow): string => configHash(wf.config);
