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
import { appendAudit } from '../store/audit.ts';
import { tx } from '../store/db.ts';
import { emitEvent } from '../store/events.ts';
import type { ReleaseRecord } from '../store/releases.ts';
import {
  addApproval,
  bumpGateRun,
  getRelease,
  latestCompletedOf,
  listApprovals,
  openReleaseOf,
  releaseKey,
  setOverrideReason,
  updateReleaseState,
} from '../store/releases.ts';
import { reviewTally } from '../store/review.ts';
import { loadCanarySnapshot } from '../store/canary-snapshots.ts';
import { earlyPromotionNote } from '../core/views/canary.ts';
import { setStableHash } from '../store/workflows.ts';
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
export function resolveRelease(ctx: AppContext, target: string, verb: ReleaseVerb | 'audit' | 'vote' | 'review'): Outcome<ReleaseRecord> {
  const m = RELEASE_ID_RE.exec(target);
  if (m) {
    const r = getRelease(ctx.db, Number(m[1]));
    if (!r) return fail('not_found', `no release ${target.toUpperCase()}`, 'unknown_release');
    return { ok: true, value: r, sentence: '' };
  }
  const wf = workflowOf(ctx, target);
  if (!wf.ok) return wf;
  const open = openReleaseOf(ctx.db, target);
  if (open) return { ok: true, value: open, sentence: '' };
  if (verb === 'rollback') {
    const done = latestCompletedOf(ctx.db, target);
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
): Outcome<ReleaseRecord> {
  return tx(ctx.db, () => {
    const r = getRelease(ctx.db, releaseId);
    if (!r) return fail('not_found', `no release ${releaseKey(releaseId)}`, 'unknown_release');
    if (expectState && r.state !== expectState)
      return fail('state_conflict', `${r.key} changed meanwhile: it is ${r.state.replace(/_/g, ' ')} now`, 'state');
    const wf = ctx.config.workflows[r.workflow];
    const stages = wf?.rollout.stages ?? [100];
    const now = ctx.now();
    if (event === 'rollback' && r.state === 'completed') {
      const latest = latestCompletedOf(ctx.db, r.workflow);
      if (latest && latest.id !== r.id)
        return fail('state_conflict', `${r.key} is not the latest completed release of ${r.workflow} (${latest.key} is)`, 'latest_completed');
      const open = openReleaseOf(ctx.db, r.workflow);
      if (open) return fail('state_conflict', `${open.key} is open on ${r.workflow}: roll it back or cancel it first`, 'one_open_release');
    }
    const t = transition(
      { id: r.key, state: r.state, stageIndex: r.stageIndex, stages, pausedState: r.pausedState, completedAt: r.completedAt },
      event,
      now,
    );
    if (!t.ok) return fail('state_conflict', t.message, t.rule);
    const enteringStage = (t.state === 'canary' || t.state === 'ramp' || t.state === 'completed') && t.stageIndex !== r.stageIndex;
    const ok = updateReleaseState(ctx.db, r.id, r.state, r.version, {
      state: t.state,
      stageIndex: t.stageIndex,
      pausedState: t.pausedState,
      now,
      stageStarted: enteringStage,
      trafficStarted: t.state === 'canary' || t.state === 'ramp' || t.state === 'completed',
      completed: t.state === 'completed',
      ended: !isOpen(t.state),
    });
    if (!ok) return fail('state_conflict', `${r.key} changed meanwhile; nothing was done`, 'state');
    if (t.state === 'completed') setStableHash(ctx.db, r.workflow, r.candidateHash, now);
    if (event === 'rollback' && r.state === 'completed') setStableHash(ctx.db, r.workflow, r.baselineHash, now);
    if (event === 'start_evals') data = { ...data, gate_run: bumpGateRun(ctx.db, r.id, now) };
    appendAudit(ctx.db, {
      ts: now,
      actor,
      action: AUDIT_ACTION[event],
      workflow: r.workflow,
      releaseId: r.id,
      data: { from: r.state, to: t.state, stage: t.stageIndex >= 0 ? stages[t.stageIndex] ?? null : null, ...data },
    });
    emitEvent(ctx.db, {
      kind: 'release_changed',
      releaseId: r.id,
      workflow: r.workflow,
      payload: { action: AUDIT_ACTION[event], actor, sentence: t.sentence, ...data },
      now,
    });
    if (event === 'start_evals')
      emitEvent(ctx.db, { kind: 'gate_requested', releaseId: r.id, workflow: r.workflow, payload: { gateRun: data.gate_run }, now });
    return { ok: true as const, value: getRelease(ctx.db, r.id)!, sentence: t.sentence };
  });
}

/** A verb from a person (chat, CLI, API, console): permission first, then the transition. */
export function performVerb(ctx: AppContext, actor: Actor, verb: ReleaseVerb, target: string, opts: VerbOptions = {}): Outcome<ReleaseRecord> {
  const ro = resolveRelease(ctx, target, verb);
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
      return tx(ctx.db, () => {
        const out = applyTransition(ctx, r.id, 'override', who, { reason: opts.reason }, r.state);
        if (out.ok) setOverrideReason(ctx.db, r.id, opts.reason!);
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
      const skipped = verb === 'promote' ? promotionSkips(ctx, r, wf) : null;
      if (skipped) data.skipped = skipped;
      const out = applyTransition(ctx, r.id, event, who, data, r.state);
      return out.ok && skipped ? { ...out, sentence: `${out.sentence}: ${skipped}` } : out;
    }
  }
}

/** What promoting `r` now skips of its canary stage, or null when the canary judged it healthy past the bake. */
function promotionSkips(ctx: AppContext, r: ReleaseRecord, wf: Workflow): string | null {
  if (r.state !== 'canary' && r.state !== 'ramp') return null;
  const since = r.stageStartedAt ?? r.trafficStartedAt ?? r.updatedAt;
  const snap = loadCanarySnapshot(ctx.db, r.id);
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

export function approvalState(ctx: AppContext, r: ReleaseRecord, wf: Workflow): ApprovalState {
  const approvals = listApprovals(ctx.db, r.id, r.gateRuns);
  const have = approvals.filter((a) => wf.approvers.includes(a.person) && a.person !== r.requester).length;
  const financeNeeded = r.gateOutcome === 'needs_cost_approval';
  const financeHave = approvals.some((a) => a.finance);
  return { approvals, needed: wf.minApprovals, have, financeNeeded, financeHave };
}

function approve(ctx: AppContext, actor: Actor, r0: ReleaseRecord, wf: Workflow): Outcome<ReleaseRecord> {
  const person = actor.person!;
  return tx(ctx.db, () => {
    const r = getRelease(ctx.db, r0.id)!;
    if (r.state !== 'awaiting_approval')
      return fail('state_conflict', `${r.key} is ${r.state.replace(/_/g, ' ')}: approve is not allowed from that state`, 'state');
    if (wf.evals.humanReview.required) {
      const t = reviewTally(ctx.db, r.id, r.gateRuns);
      if (t.voted < t.pairs)
        return fail('state_conflict', `human review: ${t.voted} of ${t.pairs} pairs voted`, 'human_review');
    }
    const before = approvalState(ctx, r, wf);
    if (before.approvals.some((a) => a.person === person.name))
      return fail('state_conflict', `${person.name} has already approved ${r.key}`, 'already_approved');
    const finance = mayGiveCostApproval(person, r.requester);
    const now = ctx.now();
    addApproval(ctx.db, r.id, r.gateRuns, { person: person.name, finance, at: now });
    const after = approvalState(ctx, r, wf);
    const complete = after.have >= after.needed && (!after.financeNeeded || after.financeHave);
    if (complete) {
      const out = applyTransition(ctx, r.id, 'approved', person.name, {
        approvals: after.approvals.map((a) => a.person),
        ...(after.financeNeeded ? { cost_approved_by: after.approvals.filter((a) => a.finance).map((a) => a.person) } : {}),
      });
      return out;
    }
    const waiting: string[] = [];
    if (after.have < after.needed) waiting.push(`${after.needed - after.have} more approver${after.needed - after.have > 1 ? 's' : ''}`);
    if (after.financeNeeded && !after.financeHave) waiting.push('a finance approval (the gate needs cost approval)');
    const sentence = `${person.name} approved ${r.key}; waiting for ${waiting.join(' and ')}`;
    appendAudit(ctx.db, {
      ts: now,
      actor: person.name,
      action: 'approval_recorded',
      workflow: r.workflow,
      releaseId: r.id,
      data: { finance, have: after.have, needed: after.needed },
    });
    emitEvent(ctx.db, { kind: 'release_changed', releaseId: r.id, workflow: r.workflow, payload: { action: 'approval_recorded', actor: person.name, sentence }, now });
    return { ok: true as const, value: getRelease(ctx.db, r.id)!, sentence };
  });
}

function acknowledge(ctx: AppContext, who: string, r: ReleaseRecord): Outcome<ReleaseRecord> {
  return tx(ctx.db, () => {
    const open = ctx.db
      .prepare('SELECT stage, condition FROM alerts WHERE release_id = ? AND acked_at IS NULL ORDER BY at DESC')
      .all(r.id) as { stage: number; condition: string }[];
    if (open.length === 0) return fail('state_conflict', `${r.key} has no open alert to acknowledge`, 'no_open_alert');
    const now = ctx.now();
    ctx.db.prepare('UPDATE alerts SET acked_by = ?, acked_at = ? WHERE release_id = ? AND acked_at IS NULL').run(who, now, r.id);
    appendAudit(ctx.db, {
      ts: now,
      actor: who,
      action: 'alert_acknowledged',
      workflow: r.workflow,
      releaseId: r.id,
      data: { alerts: open.map((a) => a.condition) },
    });
    const sentence = `${who} acknowledged ${open.length} alert${open.length > 1 ? 's' : ''} on ${r.key}`;
    emitEvent(ctx.db, { kind: 'release_changed', releaseId: r.id, workflow: r.workflow, payload: { action: 'alert_acknowledged', actor: who, sentence }, now });
    return { ok: true as const, value: r, sentence };
  });
}
