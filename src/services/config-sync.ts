/**
 * The file and the live state (contract: "The file and the live state"): seeds workflows, turns a
 * config hash the file has never stated into one release request (requester `config-file`), and
 * applies + audits + announces every policy change.
 */
import { createHash } from 'node:crypto';
import type { LoadedConfig, Workflow } from '../config/types.ts';
import { canonicalJson, configHash } from '../core/canonical.ts';
import { appendAudit } from '../store/audit.ts';
import { getConfig, putConfig } from '../store/configs.ts';
import { tx } from '../store/db.ts';
import { emitEvent } from '../store/events.ts';
import { openReleaseOf } from '../store/releases.ts';
import { getLiveWorkflow, insertLiveWorkflow, rememberFileHash, setFileState } from '../store/workflows.ts';
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

export function syncConfigFile(ctx: AppContext): SyncReport {
  const report: SyncReport = { added: [], requested: [], waiting: [], policyChanged: [] };
  const now = ctx.now();
  const actor = CONFIG_FILE_ACTOR;
  tx(ctx.db, () => {
    const g = globalPolicy(ctx.config);
    const gRow = ctx.db.prepare("SELECT value FROM meta WHERE key = 'global_policy'").get() as { value: string } | undefined;
    const gJson = canonicalJson(g);
    if (!gRow) ctx.db.prepare("INSERT INTO meta (key, value) VALUES ('global_policy', ?)").run(gJson);
    else if (gRow.value !== gJson) {
      const changes = policyDiff(JSON.parse(gRow.value) as Record<string, unknown>, g);
      ctx.db.prepare("UPDATE meta SET value = ? WHERE key = 'global_policy'").run(gJson);
      appendAudit(ctx.db, { ts: now, actor, action: 'policy_changed', data: { scope: 'global', changes } });
      emitEvent(ctx.db, { kind: 'policy_changed', payload: { scope: 'global', keys: Object.keys(changes) }, now });
      report.policyChanged.push('(global)');
    }
  });

  for (const wf of Object.values(ctx.config.workflows)) {
    tx(ctx.db, () => {
      const hash = putConfig(ctx.db, wf.config, wf.promptFile, now);
      const policy = canonicalJson(workflowPolicy(wf));
      const live = getLiveWorkflow(ctx.db, wf.name);
      if (!live) {
        insertLiveWorkflow(ctx.db, { name: wf.name, team: wf.team, stableHash: hash, fileHash: hash, policy, createdAt: now });
        rememberFileHash(ctx.db, wf.name, hash, now);
        appendAudit(ctx.db, { ts: now, actor, action: 'workflow_added', workflow: wf.name, data: { config: hash, team: wf.team } });
        emitEvent(ctx.db, { kind: 'workflow_added', workflow: wf.name, payload: { config: hash }, now });
        report.added.push(wf.name);
        return;
      }
      if (live.policy !== policy) {
        const changes = policyDiff(JSON.parse(live.policy) as Record<string, unknown>, JSON.parse(policy) as Record<string, unknown>);
        setFileState(ctx.db, wf.name, { policy, team: wf.team }, now);
        appendAudit(ctx.db, { ts: now, actor, action: 'policy_changed', workflow: wf.name, data: { scope: 'workflow', changes } });
        emitEvent(ctx.db, { kind: 'policy_changed', workflow: wf.name, payload: { scope: 'workflow', keys: Object.keys(changes), team: wf.team }, now });
        report.policyChanged.push(wf.name);
      }
      if (hash === live.fileHash) return;
      const seenBefore = !!ctx.db.prepare('SELECT 1 FROM file_hashes WHERE workflow = ? AND hash = ?').get(wf.name, hash);
      if (seenBefore || hash === live.stableHash) {
        // Never a request for a hash seen before (or one already live).
        rememberFileHash(ctx.db, wf.name, hash, now);
        setFileState(ctx.db, wf.name, { fileHash: hash }, now);
        return;
      }
      const open = openReleaseOf(ctx.db, wf.name);
      if (open) {
        // Wait: the file is compared again on the next start or SIGHUP.
        appendAudit(ctx.db, { ts: now, actor, action: 'config_change_waiting', workflow: wf.name, releaseId: open.id, data: { config: hash, open: open.key } });
        emitEvent(ctx.db, { kind: 'notice', workflow: wf.name, payload: { text: `The configuration file changes ${wf.name} (${hash}), but ${open.key} is open: the request waits until it closes and the file is read again.` }, now });
        report.waiting.push({ workflow: wf.name, open: open.key });
        return;
      }
      rememberFileHash(ctx.db, wf.name, hash, now);
      setFileState(ctx.db, wf.name, { fileHash: hash }, now);
      const stable = getConfig(ctx.db, live.stableHash);
      const changes = stable ? diffConfigs(stable.config, wf.config, [stable.promptFile, wf.promptFile]) : {};
      const r = createReleaseTx(ctx, actor, wf, live.stableHash, hash, changes, 'the configuration file changed', CONFIG_FILE_ACTOR);
      report.requested.push({ workflow: wf.name, release: r.key });
    });
  }
  return report;
}

/** The config hash the file states for a workflow (for status and tests). */
export const fileConfigHash = (wf: Workflow): string => configHash(wf.config);
