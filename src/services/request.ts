/**
 * Requesting a release: the candidate config a request describes (model, prompt file, params),
 * checked for a price, a pinned model and a real change, inserted and sent to its eval gate in one
 * transaction. The configuration file's requests (config-sync) come through here too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ReleaseConfig, Workflow } from '../config/types.ts';
import type { ParamValue } from '../core/command.ts';
import { checkPermission } from '../core/permissions.ts';
import { isPinnedModel } from '../core/pinning.ts';
import { canonicalJson, configHash } from '../core/canonical.ts';
import type { ReleaseChanges, ReleaseRecord } from '../store/repos/releases.ts';
import type { Repositories, Tx } from '../store/store.ts';
import type { Actor, AppContext, Outcome } from './context.ts';
import { actorName, fail } from './context.ts';
import { workflowOf } from './releases.ts';

export interface RequestInput {
  workflow: string;
  model?: string;
  prompt?: string;
  params?: Record<string, ParamValue>;
  reason?: string;
  source: string;
}


function readPromptFile(ctx: AppContext, name: string): Outcome<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name.includes('..'))
    return fail('invalid', `--prompt takes a file name in the prompts folder, not a path: "${name}"`, 'prompt_name');
  const dir = resolve(ctx.config.dir, 'prompts');
  const candidates = name.includes('.') ? [name] : [`${name}.md`, `${name}.txt`, name];
  for (const c of candidates) {
    const full = resolve(dir, c);
    if (!full.startsWith(dir + sep)) continue;
    if (existsSync(full)) return { ok: true, value: readFileSync(full, 'utf8'), sentence: c };
  }
  return fail('invalid', `no prompt "${name}" in ${join(ctx.config.dir, 'prompts')}`, 'prompt_name');
}

/** Builds the candidate config a request describes, or says what is wrong with the request. */
export async function candidateConfig(
  ctx: AppContext,
  db: Repositories,
  wf: Workflow,
  stable: ReleaseConfig,
  input: RequestInput,
): Promise<Outcome<{ config: ReleaseConfig; promptFile: string | null; changes: ReleaseChanges }>> {
  const changes: ReleaseChanges = {};
  const config: ReleaseConfig = structuredClone(stable);
  let promptFile: string | null = (await db.configs.get(configHash(stable)))?.promptFile ?? wf.promptFile;
  if (input.model !== undefined) {
    const model = input.model;
    if (!ctx.config.pricing[model])
      return fail('invalid', `model "${model}" has no price in the configuration's pricing table`, 'unpriced_model');
    if (!isPinnedModel(model) && !stable.allowFloating)
      return fail('invalid', `model "${model}" is not pinned: name a dated or versioned model id (e.g. gpt-4.1-2025-04-14)`, 'floating_model');
    if (model !== stable.model) changes.model = { from: stable.model, to: model };
    config.model = model;
  }
  if (input.prompt !== undefined) {
    const p = readPromptFile(ctx, input.prompt);
    if (!p.ok) return p;
    if (p.value !== stable.prompt) changes.prompt = { from: promptFile, to: p.sentence };
    config.prompt = p.value;
    promptFile = p.sentence;
  }
  for (const [k, v] of Object.entries(input.params ?? {})) {
    const before = stable.params[k];
    if (before !== v) (changes.params ??= {})[k] = { from: before ?? null, to: v };
    if (v === null) delete config.params[k];
    else config.params[k] = v;
  }
  return { ok: true, value: { config, promptFile, changes }, sentence: '' };
}

/** What differs between two configs (for requests that come from the file). */
export function diffConfigs(before: ReleaseConfig, after: ReleaseConfig, promptFiles: [string | null, string | null]): ReleaseChanges {
  const c: ReleaseChanges = {};
  if (before.model !== after.model) c.model = { from: before.model, to: after.model };
  if (before.prompt !== after.prompt) c.prompt = { from: promptFiles[0], to: promptFiles[1] };
  const keys = new Set([...Object.keys(before.params), ...Object.keys(after.params)]);
  for (const k of keys) {
    if (canonicalJson(before.params[k] ?? null) !== canonicalJson(after.params[k] ?? null))
      (c.params ??= {})[k] = { from: before.params[k] ?? null, to: after.params[k] ?? null };
  }
  const other = (['provider', 'rag', 'tools', 'guardrails', 'allowFloating'] as const).filter(
    (k) => canonicalJson(before[k] ?? null) !== canonicalJson(after[k] ?? null),
  );
  if (other.length) c.other = other;
  return c;
}

/** Inserts a release and starts its evaluation, in the caller's transaction. */
export async function createReleaseTx(
  t: Tx,
  ctx: AppContext,
  actor: string,
  wf: Workflow,
  baselineHash: string,
  candidateHash: string,
  changes: ReleaseChanges,
  reason: string | null,
  source: string,
): Promise<ReleaseRecord> {
  const now = ctx.now();
  const r = await t.releases.insert({
    workflow: wf.name,
    baselineHash,
    candidateHash,
    salt: randomBytes(8).toString('hex'),
    requester: actor,
    reason,
    source,
    changes,
    now,
  });
  await t.audit.append({
    ts: now,
    actor,
    action: 'release_requested',
    workflow: wf.name,
    releaseId: r.id,
    data: { baseline: baselineHash, candidate: candidateHash, changes, reason, source },
  });
  const gateRun = await t.releases.bumpGateRun(r.id, now);
  await t.releases.updateState(r.id, 'requested', r.version + 1, {
    state: 'evaluating',
    stageIndex: -1,
    pausedState: null,
    now,
  });
  await t.audit.append({
    ts: now,
    actor,
    action: 'evals_started',
    workflow: wf.name,
    releaseId: r.id,
    data: { gate_run: gateRun },
  });
  await t.events.emit({ kind: 'release_changed', releaseId: r.id, workflow: wf.name, payload: { action: 'requested', actor }, now });
  await t.events.emit({ kind: 'gate_requested', releaseId: r.id, workflow: wf.name, payload: { gateRun }, now });
  return (await t.releases.get(r.id))!;
}

export async function requestRelease(ctx: AppContext, actor: Actor, input: RequestInput): Promise<Outcome<ReleaseRecord>> {
  const wfo = workflowOf(ctx, input.workflow);
  if (!wfo.ok) return wfo;
  const wf = wfo.value;
  const refusal = checkPermission(ctx.config, actor.person, 'request', { workflow: wf });
  if (refusal) return fail('forbidden', refusal.message, refusal.rule);
  if (input.model === undefined && input.prompt === undefined && Object.keys(input.params ?? {}).length === 0)
    return fail('invalid', 'a request needs a change: --model, --prompt or --param', 'no_change');
  return ctx.store.tx(async (t) => {
    const live = await t.workflows.get(wf.name);
    const stable = live && (await t.configs.get(live.stableHash));
    if (!live || !stable) return fail('state_conflict', `${wf.name} has no live state yet: start the server once`, 'not_seeded');
    const open = await t.releases.openOf(wf.name);
    if (open) return fail('state_conflict', `${wf.name} already has an open release: ${open.key} (${open.state})`, 'one_open_release');
    const cand = await candidateConfig(ctx, t, wf, stable.config, input);
    if (!cand.ok) return cand;
    const hash = configHash(cand.value.config);
    if (hash === live.stableHash) return fail('invalid', `that is the live config already (${hash}): nothing to release`, 'no_change');
    await t.configs.put(cand.value.config, cand.value.promptFile, ctx.now());
    const r = await createReleaseTx(t, ctx, actorName(actor), wf, live.stableHash, hash, cand.value.changes, input.reason ?? null, input.source);
    return { ok: true as const, value: r, sentence: `${r.key} requested for ${wf.name}: the gate is running against the live baseline` };
  });
}
