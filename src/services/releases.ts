/**
 * The verbs that move a release, and approvals. Every change is one BEGIN IMMEDIATE transaction
 * that re-reads the release, checks the state it came from, writes one audit event and one event
 * for whoever reacts (cards, the gate runner). Requests are in request.ts.
 */
import type { Workflow } from '../config/types.ts';
import type { ReleaseVerb } from '../core/command.ts';
import { RELEASE_ID_RE } from '../core/command.ts';
import { checkPermission, mayGiveCostApproval } from '../core/permissions.ts';
import type { TransitionEvent } from '../core/release.ts';
import { isOpen, transition } from '../core/release.ts';
import type { ReleaseRecord } from '../store/repos/releases.ts';
import { releaseKey } from '../store/repos/releases.ts';
import type { Repositories, Tx } from '../store/store.ts';
import { earlyPromotionNote } from '../core/views/canary.ts';
import type { Actor, AppContext, Outcome } from './context.ts';
import { actorName, fail } from './context.ts';

/** The workflow named, or a not_found refusal. */
export function workflowOf(ctx: AppContext, name: string): Outcome<Workflow> {
  const wf = ctx.config.workflows[name];
  if (!wf) {
    const known = Object.keys(ctx.config.workflows).join(', ');
    return fail('not_found', `unknown workflow "${name}" (known: ${known})`, 'unknown_workflow');
  }
  return { ok: true, value: wf, sentence: '' };
}

/**
 * A release id, or a workflow name standing for its open release (for rollback, when none is
 * open, its latest completed release).
 */
export async function resolveRelease(ctx: AppContext, target: string, verb: ReleaseVerb | 'audit' | 'vote' | 'review'): Promise<Outcome<ReleaseRecord>> {
  const m = RELEASE_ID_RE.exec(target);
  if (m) {
    const r = await ctx.store.releases.get(Number(m[1]));
    if (!r) return fail('not_found', `no release ${target.toUpperCase()}`, 'unknown_release');
    return { ok: true, value: r, sentence: '' };
  }
  const wf = workflowOf(ctx, target);
  if (!wf.ok) return wf;
  const open = await ctx.store.releases.openOf(target);
  if (open) return { ok: true, value: open, sentence: '' };
  if (verb === 'rollback') {
    const done = await ctx.store.releases.latestCompletedOf(target);
    if (done) return { ok: true, value: done, sentence: '' };
    return fail('state_conflict', `${target} has no open release and no completed release to roll back`, 'no_release');
  }
  return fail('state_conflict', `${target} has no open release`, 'no_open_release');
}

interface VerbOptions {
  reason?: string;
  /** "<state>:<stage index>" the clicked card showed; a stale card is refused. */
  expect?: string;
}

/** The position a card shows of a release, for CardAction.expect. */
export const positionOf = (r: { state: string; stageIndex: number }): string => `${r.state}:${r.stageIndex}`;

const VERB_EVENT: Partial<Record<ReleaseVerb, TransitionEvent>> = {
  evals: 'start_evals',
  reject: 'reject',
  promote: 'promote',
  pause: 'pause',
  resume: 'resume',
  rollback: 'rollback',
  cancel: 'cancel',
  override: 'override',
};

const AUDIT_ACTION: Record<TransitionEvent, string> = {
  start_evals: 'evals_started',
  gate_passed: 'gate_passed',
  gate_failed: 'gate_failed',
  override: 'gate_overridden',
  approved: 'release_approved',
  reject: 'release_rejected',
  promote: 'release_promoted',
  pause: 'release_paused',
  resume: 'release_resumed',
  rollback: 'release_rolled_back',
  cancel: 'release_cancelled',
};

/**
 * Applies one transition in its own transaction, checked against the state the release is in now.
 * Used by the verbs and by the jobs (gate results, auto-rollback).
 */
export function applyTransition(
  ctx: AppContext,
  releaseId: number,
  event: TransitionEvent,
  actor: string,
  data: Record<string, unknown> = {},
  expectState?: string,
): Promise<Outcome<ReleaseRecord>> {
  return ctx.store.tx((t) => transitionIn(t, ctx, releaseId, event, actor, data, expectState));
}

/** `applyTransition` in the caller's transaction. */
export async function transitionIn(
  t: Tx,
  ctx: AppContext,
  releaseId: number,
  event: TransitionEvent,
  actor: string,
  data: Record<string, unknown> = {},
  expectState?: string,
): Promise<Outcome<ReleaseRecord>> {
  const r = await t.releases.get(releaseId);
  if (!r) return fail('not_found', `no release ${releaseKey(releaseId)}`, 'unknown_release');
  if (expectState && r.state !== expectState)
    return fail('state_conflict', `${r.key} changed meanwhile: it is ${r.state.replace(/_/g, ' ')} now`, 'state');
  const wf = ctx.config.workflows[r.workflow];
  const stages = wf?.rollout.stages ?? [100];
  const now = ctx.now();
  if (event === 'rollback' && r.state === 'completed') {
    const latest = await t.releases.latestCompletedOf(r.workflow);
    if (latest && latest.id !== r.id)
      return fail('state_conflict', `${r.key} is not the latest completed release of ${r.workflow} (${latest.key} is)`, 'latest_completed');
    const open = await t.releases.openOf(r.workflow);
    if (open) return fail('state_conflict', `${open.key} is open on ${r.workflow}: roll it back or cancel it first`, 'one_open_release');
  }
  const tr = transition(
    { id: r.key, state: r.state, stageIndex: r.stageIndex, stages, pausedState: r.pausedState, completedAt: r.completedAt },
    event,
    now,
  );
  if (!tr.ok) return fail('state_conflict', tr.message, tr.rule);
  const enteringStage = (tr.state === 'canary' || tr.state === 'ramp' || tr.state === 'completed') && tr.stageIndex !== r.stageIndex;
  const ok = await t.releases.updateState(r.id, r.state, r.version, {
    state: tr.state,
    stageIndex: tr.stageIndex,
    pausedState: tr.pausedState,
    now,
    stageStarted: enteringStage,
    trafficStarted: tr.state === 'canary' || tr.state === 'ramp' || tr.state === 'completed',
    completed: tr.state === 'completed',
    ended: !isOpen(tr.state),
  });
  if (!ok) return fail('state_conflict', `${r.key} changed meanwhile; nothing was done`, 'state');
  if (tr.state === 'completed') await t.workflows.setStableHash(r.workflow, r.candidateHash, now);
  if (event === 'rollback' && r.state === 'completed') await t.workflows.setStableHash(r.workflow, r.baselineHash, now);
  if (event === 'start_evals') data = { ...data, gate_run: await t.releases.bumpGateRun(r.id, now) };
  await t.audit.append({
    ts: now,
    actor,
    action: AUDIT_ACTION[event],
    workflow: r.workflow,
    releaseId: r.id,
    data: { from: r.state, to: tr.state, stage: tr.stageIndex >= 0 ? stages[tr.stageIndex] ?? null : null, ...data },
  });
  await t.events.emit({
    kind: 'release_changed',
    releaseId: r.id,
    workflow: r.workflow,
    payload: { action: AUDIT_ACTION[event], actor, sentence: tr.sentence, ...data },
    now,
  });
  if (event === 'start_evals')
    await t.events.emit({ kind: 'gate_requested', releaseId: r.id, workflow: r.workflow, payload: { gateRun: data.gate_run }, now });
  return { ok: true as const, value: (await t.releases.get(r.id))!, sentence: tr.sentence };
}

/** A verb from a person (chat, CLI, API, console): permission first, then the transition. */
export async function performVerb(ctx: AppContext, actor: Actor, verb: ReleaseVerb, target: string, opts: VerbOptions = {}): Promise<Outcome<ReleaseRecord>> {
  const ro = await resolveRelease(ctx, target, verb);
  if (!ro.ok) return ro;
  const r = ro.value;
  const wf = ctx.config.workflows[r.workflow];
  if (!wf) return fail('not_found', `workflow ${r.workflow} is no longer in the configuration`, 'unknown_workflow');
  const refusal = checkPermission(ctx.config, actor.person, verb, {
    workflow: wf,
    requester: r.requester,
    needsCostApproval: r.gateOutcome === 'needs_cost_approval',
  });
  if (refusal) return fail('forbidden', refusal.message, refusal.rule);
  const who = actorName(actor);
  if (opts.expect && opts.expect !== positionOf(r))
    return fail('state_conflict', `${r.key} changed since that card was shown: it is ${r.state.replace(/_/g, ' ')} now; nothing was done`, 'stale_card');
  switch (verb) {
    case 'approve':
      return approve(ctx, actor, r, wf);
    case 'ack':
      return acknowledge(ctx, who, r);
    case 'override':
      if (!opts.reason?.trim()) return fail('invalid', 'override needs --reason', 'reason_required');
      return ctx.store.tx(async (t) => {
        const out = await transitionIn(t, ctx, r.id, 'override', who, { reason: opts.reason }, r.state);
        if (out.ok) await t.releases.setOverrideReason(r.id, opts.reason!);
        return out;
      });
    case 'cancel':
      if (r.trafficStartedAt) return fail('state_conflict', `${r.key} has taken traffic: roll it back instead`, 'state');
      return applyTransition(ctx, r.id, 'cancel', who, {}, r.state);
    default: {
      const event = VERB_EVENT[verb]!;
      const data: Record<string, unknown> = {};
      if (opts.reason) data.reason = opts.reason;
      // Promoting before the canary has judged the stage is allowed; say what it skips.
      const skipped = verb === 'promote' ? await promotionSkips(ctx, r, wf) : null;
      if (skipped) data.skipped = skipped;
      const out = await applyTransition(ctx, r.id, event, who, data, r.state);
      return out.ok && skipped ? { ...out, sentence: `${out.sentence}: ${skipped}` } : out;
    }
  }
}

/** What promoting `r` now skips of its canary stage, or null when the canary judged it healthy past the bake. */
async function promotionSkips(ctx: AppContext, r: ReleaseRecord, wf: Workflow): Promise<string | null> {
  if (r.state !== 'canary' && r.state !== 'ramp') return null;
  const since = r.stageStartedAt ?? r.trafficStartedAt ?? r.updatedAt;
  const snap = await ctx.store.canarySnapshots.load(r.id);
  const judged = snap && snap.stage === r.stageIndex ? snap : null;
  return earlyPromotionNote(judged?.judgement ?? null, {
    stageAgeMs: ctx.now() - since, bakeMinutes: wf.rollout.minBakeMinutes, minSamples: wf.rollout.minSamples, candidateCalls: judged?.candidateCalls ?? null,
  });
}

export interface ApprovalState {
  approvals: { person: string; finance: boolean; at: number }[];
  needed: number;
  have: number;
  financeNeeded: boolean;
  financeHave: boolean;
}

export async function approvalState(db: Repositories, r: ReleaseRecord, wf: Workflow): Promise<ApprovalState> {
  const approvals = await db.approvals.list(r.id, r.gateRuns);
  const have = approvals.filter((a) => wf.approvers.includes(a.person) && a.person !== r.requester).length;
  const financeNeeded = r.gateOutcome === 'needs_cost_approval';
  const financeHave = approvals.some((a) => a.finance);
  return { approvals, needed: wf.minApprovals, have, financeNeeded, financeHave };
}

function approve(ctx: AppContext, actor: Actor, r0: ReleaseRecord, wf: Workflow): Promise<Outcome<ReleaseRecord>> {
  const person = actor.person!;
  return ctx.store.tx(async (t) => {
    const r = (await t.releases.get(r0.id))!;
    if (r.state !== 'awaiting_approval')
      return fail('state_conflict', `${r.key} is ${r.state.replace(/_/g, ' ')}: approve is not allowed from that state`, 'state');
    if (wf.evals.humanReview.required) {
      const tally = await t.review.tally(r.id, r.gateRuns);
      if (tally.voted < tally.pairs)
        return fail('state_conflict', `human review: ${tally.voted} of ${tally.pairs} pairs voted`, 'human_review');
    }
    const before = await approvalState(t, r, wf);
    if (before.approvals.some((a) => a.person === person.name))
      return fail('state_conflict', `${person.name} has already approved ${r.key}`, 'already_approved');
    const finance = mayGiveCostApproval(person, r.requester);
    const now = ctx.now();
    await t.approvals.add(r.id, r.gateRuns, { person: person.name, finance, at: now });
    const after = await approvalState(t, r, wf);
    const complete = after.have >= after.needed && (!after.financeNeeded || after.financeHave);
    if (complete) {
      return transitionIn(t, ctx, r.id, 'approved', person.name, {
        approvals: after.approvals.map((a) => a.person),
        ...(after.financeNeeded ? { cost_approved_by: after.approvals.filter((a) => a.finance).map((a) => a.person) } : {}),
      });
    }
    const waiting: string[] = [];
    if (after.have < after.needed) waiting.push(`${after.needed - after.have} more approver${after.needed - after.have > 1 ? 's' : ''}`);
    if (after.financeNeeded && !after.financeHave) waiting.push('a finance approval (the gate needs cost approval)');
    const sentence = `${person.name} approved ${r.key}; waiting for ${waiting.join(' and ')}`;
    await t.audit.append({
      ts: now,
      actor: person.name,
      action: 'approval_recorded',
      workflow: r.workflow,
      releaseId: r.id,
      data: { finance, have: after.have, needed: after.needed },
    });
    await t.events.emit({ kind: 'release_changed', releaseId: r.id, workflow: r.workflow, payload: { action: 'approval_recorded', actor: person.name, sentence }, now });
    return { ok: true as const, value: (await t.releases.get(r.id))!, sentence };
  });
}

function acknowledge(ctx: AppContext, who: string, r: ReleaseRecord): Promise<Outcome<ReleaseRecord>> {
  return ctx.store.tx(async (t) => {
    const open = await t.alerts.open(r.id);
    if (open.length === 0) return fail('state_conflict', `${r.key} has no open alert to acknowledge`, 'no_open_alert');
    const now = ctx.now();
    await t.alerts.acknowledge(r.id, who, now);
    await t.audit.append({
      ts: now,
      actor: who,
      action: 'alert_acknowledged',
      workflow: r.workflow,
      releaseId: r.id,
      data: { alerts: open.map((a) => a.condition) },
    });
    const sentence = `${who} acknowledged ${open.length} alert${open.length > 1 ? 's' : ''} on ${r.key}`;
    await t.events.emit({ kind: 'release_changed', releaseId: r.id, workflow: r.workflow, payload: { action: 'alert_acknowledged', actor: who, sentence }, now });
    return { ok: true as const, value: r, sentence };
  });
}
