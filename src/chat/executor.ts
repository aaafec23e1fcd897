/**
 * The one command executor: a Command and the caller's identity in, Cards and an exit code out.
 * Slack, Teams, the CLI, the console and the HTTP API all go through here.
 */
import type { Card } from '../core/card.ts';
import type { Command } from '../core/command.ts';
import { VERBS } from '../core/command.ts';
import { helpText } from '../core/help.ts';
import { checkPermission, mayRead } from '../core/permissions.ts';
import { isPinnedModel } from '../core/pinning.ts';
import { candidateWeight } from '../core/release.ts';
import { helpCard, refusalCard, resultCard, usageCard } from '../core/views/common.ts';
import { roundForDisplay } from '../core/views/format.ts';
import { auditCard, receiptsCard } from '../core/views/lists.ts';
import { releaseCard } from '../core/views/release.ts';
import { spendCard } from '../core/views/spend.ts';
import type { WorkflowStatus } from '../core/views/status.ts';
import { statusCard } from '../core/views/status.ts';
import { usage } from '../core/help.ts';
import type { ReleaseRecord } from '../store/repos/releases.ts';
import type { Actor, AppContext, ServiceError } from '../services/context.ts';
import { performVerb, resolveRelease, workflowOf } from '../services/releases.ts';
import { requestRelease } from '../services/request.ts';
import { releaseView } from '../services/release-view.ts';
import { spendReport } from '../services/spend.ts';
import { castVote } from '../services/review.ts';
import { reviewCardOf } from '../evals/review-pairs.ts';

/** Exit codes of the contract. */
export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, costApproval: 4 } as const;

export interface ExecResult {
  cards: Card[];
  exitCode: number;
  error?: ServiceError;
  release?: ReleaseRecord;
}

function refused(e: ServiceError, verb: Command['verb']): ExecResult {
  if (e.kind === 'not_found' || e.kind === 'invalid') {
    return { cards: [usageCard(e.message, usage(verb))], exitCode: EXIT.usage, error: e };
  }
  return { cards: [refusalCard(e.message, e.rule)], exitCode: EXIT.refused, error: e };
}

export async function releaseCardOf(ctx: AppContext, r: ReleaseRecord): Promise<Card> {
  return releaseCard(await releaseView(ctx, r));
}

export interface ExecOptions {
  /** From a clicked card: the release position it showed (refused when stale). */
  expect?: string;
}

export async function execute(ctx: AppContext, actor: Actor, cmd: Command, opts: ExecOptions = {}): Promise<ExecResult> {
  switch (cmd.verb) {
    case 'help': {
      // `help <not a command>` is a usage error (exit 2), still showing the command list.
      const topic = (cmd.topic ?? '').trim().toLowerCase();
      const known = topic === '' || (VERBS as readonly string[]).includes(topic);
      return { cards: [helpCard(helpText(cmd.topic))], exitCode: known ? EXIT.ok : EXIT.usage };
    }
    case 'status':
      return status(ctx, cmd.workflow, cmd.from);
    case 'request': {
      const out = await requestRelease(ctx, actor, { ...cmd, source: actor.surface });
      if (!out.ok) return refused(out.error, cmd.verb);
      return { cards: [resultCard(`${out.value.key} requested`, out.sentence, { releaseId: out.value.key, workflow: out.value.workflow }), await releaseCardOf(ctx, out.value)], exitCode: EXIT.ok, release: out.value };
    }
    case 'evals':
    case 'approve':
    case 'reject':
    case 'promote':
    case 'rollback':
    case 'pause':
    case 'resume':
    case 'cancel':
    case 'override':
    case 'ack': {
      const reason = 'reason' in cmd ? cmd.reason : undefined;
      const out = await performVerb(ctx, actor, cmd.verb, cmd.target, { reason, expect: opts.expect });
      if (!out.ok) return refused(out.error, cmd.verb);
      return {
        cards: [resultCard(out.sentence.split(':')[0]!, out.sentence, { releaseId: out.value.key, workflow: out.value.workflow }), await releaseCardOf(ctx, out.value)],
        exitCode: EXIT.ok,
        release: out.value,
      };
    }
    case 'vote': {
      const out = await castVote(ctx, actor, cmd.target, cmd.pair, cmd.choice);
      if (!out.ok) return refused(out.error, cmd.verb);
      return { cards: [resultCard('Vote recorded', out.sentence, { releaseId: out.value.key, workflow: out.value.workflow })], exitCode: EXIT.ok, release: out.value };
    }
    case 'review': {
      const r = await resolveRelease(ctx, cmd.target, 'review');
      if (!r.ok) return refused(r.error, cmd.verb);
      const refusal = checkPermission(ctx.config, actor.person, 'review', { workflow: ctx.config.workflows[r.value.workflow] });
      if (refusal) return refused({ kind: 'forbidden', ...refusal }, cmd.verb);
      const card = await reviewCardOf(ctx, r.value, cmd.from ?? 1);
      if (!card) return refused({ kind: 'invalid', message: `${r.value.key} has no human-review pairs in its latest gate run` }, cmd.verb);
      return { cards: [card], exitCode: EXIT.ok };
    }
    case 'spend':
      return spend(ctx, actor, cmd);
    case 'receipts': {
      const wf = workflowOf(ctx, cmd.workflow);
      if (!wf.ok) return refused(wf.error, cmd.verb);
      const refusal = checkPermission(ctx.config, actor.person, 'receipts', { workflow: wf.value });
      if (refusal) return refused({ kind: 'forbidden', ...refusal }, cmd.verb);
      const rows = await ctx.store.receipts.list({ workflow: cmd.workflow, limit: cmd.limit ?? 20, fromId: cmd.from });
      const lines = rows.map((r) => ({
        id: r.id,
        ts: r.ts,
        variant: r.variant,
        model: r.model_served ?? r.model_requested,
        status: r.status,
        tokens: r.input_tokens + r.output_tokens,
        costUsd: r.cost_usd,
        latencyMs: r.latency_ms,
        flags: [
          r.needs_approval && r.approved !== 1 ? 'needs approval' : '',
          r.escalated ? 'escalated' : '',
          r.reported ? 'reported' : '',
          r.overridden ? 'overridden' : '',
          r.csat !== null ? `csat ${r.csat}` : '',
        ]
          .filter(Boolean)
          .join(', '),
      }));
      return { cards: [receiptsCard(cmd.workflow, lines, ctx.now(), { limit: cmd.limit, later: cmd.from !== undefined })], exitCode: EXIT.ok };
    }
    case 'audit':
      return audit(ctx, actor, cmd.target, cmd.limit, cmd.from);
  }
}

async function status(ctx: AppContext, workflow?: string, from?: string): Promise<ExecResult> {
  const all = Object.keys(ctx.config.workflows).sort();
  const names = workflow ? [workflow] : from ? all.filter((n) => n >= from) : all;
  if (workflow) {
    const wf = workflowOf(ctx, workflow);
    if (!wf.ok) return refused(wf.error, 'status');
  }
  const list: WorkflowStatus[] = [];
  for (const name of names) {
    const wf = ctx.config.workflows[name]!;
    const live = await ctx.store.workflows.get(name);
    const stable = live ? await ctx.store.configs.get(live.stableHash) : undefined;
    const open = await ctx.store.releases.openOf(name);
    const cand = open ? await ctx.store.configs.get(open.candidateHash) : undefined;
    const stages = wf.rollout.stages;
    const model = stable?.config.model ?? wf.config.model;
    const approversLeft = wf.approvers.length;
    const caps = wf.caps;
    const capsSet = [caps.perRunUsd !== undefined && 'per run', caps.dailyUsd !== undefined && 'daily', caps.monthlyUsd !== undefined && 'monthly', caps.callsPerDay !== undefined && 'calls/day'].filter(Boolean);
    list.push({
      name,
      team: wf.team,
      authority: wf.authority,
      stableHash: live?.stableHash ?? '(not seeded)',
      model,
      promptFile: stable?.promptFile ?? wf.promptFile,
      stages,
      candidate: open
        ? {
            key: open.key,
            state: open.state,
            stageIndex: open.stageIndex,
            weight: candidateWeight({ state: open.state, stageIndex: open.stageIndex, stages }),
            hash: open.candidateHash,
            model: cand?.config.model ?? '?',
          }
        : null,
      checklist: [
        { item: 'pinned model', ok: isPinnedModel(model) || !!stable?.config.allowFloating, detail: model },
        { item: 'eval suite of 20–50 cases', ok: wf.evals.cases.length >= 20 && wf.evals.cases.length <= 50, detail: `${wf.evals.cases.length} cases × ${wf.evals.repeats} repeats` },
        { item: 'gate rules', ok: true, detail: `pass ≥ ${wf.gate.minPassRate}, cost +${Math.round(wf.gate.maxCostPerRunIncrease * 100)}%, p95 ≤ ${wf.gate.maxLatencyP95Ms} ms` },
        { item: 'staged rollout', ok: stages.length > 1, detail: stages.map((s) => `${s}%`).join(' → ') },
        { item: 'rollback owners', ok: approversLeft >= wf.minApprovals + 1, detail: `${wf.approvers.join(', ')} + team ${wf.team}` },
        { item: 'receipts', ok: true, detail: `retention ${wf.retention}` },
        { item: 'caps', ok: capsSet.length > 0, detail: capsSet.length ? capsSet.join(', ') : 'none set' },
      ],
    });
  }
  const cards = [statusCard(list, !!workflow, { offset: all.length - names.length, total: all.length })];
  if (workflow) {
    const open = await ctx.store.releases.openOf(workflow);
    if (open) cards.push(await releaseCardOf(ctx, open));
  }
  return { cards, exitCode: EXIT.ok };
}

async function spend(ctx: AppContext, actor: Actor, cmd: Extract<Command, { verb: 'spend' }>): Promise<ExecResult> {
  const person = actor.person;
  if (!person) return refused({ kind: 'forbidden', message: 'spend is for people of the configuration', rule: 'unknown_user' }, 'spend');
  if (cmd.team && !ctx.config.teams[cmd.team])
    return refused({ kind: 'not_found', message: `unknown team "${cmd.team}" (known: ${Object.keys(ctx.config.teams).join(', ')})` }, 'spend');
  const wf = cmd.workflow ? workflowOf(ctx, cmd.workflow) : undefined;
  if (wf && !wf.ok) return refused(wf.error, 'spend');
  let team = cmd.team;
  if (!team && !cmd.workflow) {
    // No scope: every team the person may read.
    const readable = Object.keys(ctx.config.teams).filter((t) => mayRead(ctx.config, person, undefined, t));
    if (readable.length === 0) return refused({ kind: 'forbidden', message: 'spend is for team members, leaders, approvers, finance and admins', rule: 'reader' }, 'spend');
    if (readable.length < Object.keys(ctx.config.teams).length && readable.length === 1) team = readable[0];
  }
  if ((team || wf) && !mayRead(ctx.config, person, wf?.ok ? wf.value : undefined, team))
    return refused({ kind: 'forbidden', message: `spend of ${team ?? cmd.workflow} is for its team members, leaders, approvers, finance and admins`, rule: 'reader' }, 'spend');
  const days = cmd.days ?? 7;
  const report = await spendReport(ctx, { team, workflow: cmd.workflow, days });
  const visible = report.workflows.filter((w) => mayRead(ctx.config, person, ctx.config.workflows[w.workflow]));
  // The same figures the digest shows (services/spend.ts); a later page starts at `from`.
  const lines = cmd.from ? visible.filter((w) => w.workflow >= cmd.from!) : visible;
  const label = cmd.workflow ?? (team ? `team ${team}` : 'all teams');
  const command = ['spend', cmd.workflow ? `--workflow ${cmd.workflow}` : team ? `--team ${team}` : '', `--days ${days}`].filter(Boolean).join(' ');
  return {
    cards: [
      spendCard({ label, command, offset: visible.length - lines.length }, days, lines, {
        totalUsd: visible.reduce((s, w) => s + w.costUsd, 0),
        evalUsd: visible.reduce((s, w) => s + w.evalCostUsd, 0),
      }),
    ],
    exitCode: EXIT.ok,
  };
}

async function audit(ctx: AppContext, actor: Actor, target: string, asked: number | undefined, from?: number): Promise<ExecResult> {
  const limit = asked ?? 20;
  let workflow: string;
  let releaseId: number | undefined;
  if (/^REL-\d+$/i.test(target)) {
    const r = await resolveRelease(ctx, target, 'audit');
    if (!r.ok) return refused(r.error, 'audit');
    workflow = r.value.workflow;
    releaseId = r.value.id;
  } else {
    const wf = workflowOf(ctx, target);
    if (!wf.ok) return refused(wf.error, 'audit');
    workflow = target;
  }
  const refusal = checkPermission(ctx.config, actor.person, 'audit', { workflow: ctx.config.workflows[workflow] });
  if (refusal) return refused({ kind: 'forbidden', ...refusal }, 'audit');
  const events = await ctx.store.audit.list(releaseId !== undefined ? { releaseId, limit, maxSeq: from } : { workflow, limit, maxSeq: from });
  const v = await ctx.store.audit.verify();
  const lines = events.map((e) => ({
    seq: e.seq,
    ts: e.ts,
    actor: e.actor,
    action: e.action,
    releaseId: e.release_id,
    summary: summarize(e.data),
    hash: e.hash,
  }));
  return {
    cards: [
      auditCard(target, lines, { ok: v.ok, text: v.ok ? `chain verified: ${v.count} events, head ${v.head.slice(0, 16)}…` : `CHAIN BROKEN: ${v.message}` }, ctx.now(), {
        limit: asked,
        later: from !== undefined,
      }),
    ],
    exitCode: EXIT.ok,
  };
}

/** An audit event's details in one line, numbers rounded for reading (the event keeps them exact). */
export function summarize(data: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, raw] of Object.entries(data)) {
    if (raw === null || raw === undefined) continue;
    const v = roundForDisplay(raw);
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    parts.push(`${k}=${s.length > 40 ? `${s.slice(0, 39)}…` : s}`);
    if (parts.length >= 4) break;
  }
  return parts.join(' ');
}
