/** The release card: request, config diff, gate verdict, approvals, rollout and its buttons. */
import type { Card, CardAction, CardBlock, CardTone } from '../card.ts';
import type { GateRow, GateVerdict } from '../gate.ts';
import type { ReleaseState } from '../release.ts';
import { ROLLBACK_WINDOW_DAYS, candidateWeight, stageLabel } from '../release.ts';
import { clock, num, pct, stateLabel, truncate, usd } from './format.ts';
import { canaryValue } from './canary.ts';

/** The gate verdict as stored on a release (rows are what the card shows). */
export type VerdictRowLike = GateRow;
export type VerdictLike = Pick<GateVerdict, 'outcome' | 'summary' | 'rows'>;

export interface ConfigSummary {
  hash: string;
  model: string;
  promptFile: string | null;
  prompt: string;
  params: Record<string, unknown>;
  rag: unknown;
  tools: { name: string; effect: string }[];
  guardrails: unknown;
}

export interface CanaryMetricLike {
  name: string;
  baseline: number | null;
  candidate: number | null;
  classification: string;
  test: string;
}

export interface ReleaseView {
  key: string;
  workflow: string;
  team: string;
  state: ReleaseState;
  stageIndex: number;
  stages: number[];
  requester: string;
  reason: string | null;
  source: string;
  createdAt: number;
  completedAt: number | null;
  baseline: ConfigSummary;
  candidate: ConfigSummary;
  verdict: VerdictLike | null;
  overrideReason: string | null;
  approvals: { person: string; finance: boolean; at: number }[];
  approvalsNeeded: number;
  financeNeeded: boolean;
  /** The latest change, e.g. { action: 'release_approved', actor: 'dana', at } */
  last: { action: string; actor: string; at: number } | null;
  canary?: { status: string; reason: string; samplesNeeded: number; metrics: CanaryMetricLike[] } | null;
  review?: { pairs: number; voted: number; required: boolean } | null;
  now: number;
}

const TONE: Record<ReleaseState, CardTone> = {
  requested: 'info',
  evaluating: 'info',
  gate_failed: 'danger',
  awaiting_approval: 'warning',
  canary: 'info',
  ramp: 'info',
  paused: 'warning',
  completed: 'success',
  rolled_back: 'danger',
  rejected: 'danger',
  cancelled: 'info',
};

const DONE_WORDS: Record<string, string> = {
  release_approved: '✅ Approved',
  approval_recorded: '☑️ Approval recorded',
  release_rejected: '❌ Rejected',
  release_promoted: '⏫ Promoted',
  release_paused: '⏸ Paused',
  release_resumed: '▶️ Resumed',
  release_rolled_back: '↩️ Rolled back',
  release_cancelled: '🚫 Cancelled',
  gate_overridden: '⚠️ Gate overridden',
  evals_started: '🔁 Evals started',
  gate_passed: '✅ Gate passed',
  gate_failed: '❌ Gate failed',
  alert_acknowledged: '👀 Alert acknowledged',
  requested: '📝 Requested',
  release_requested: '📝 Requested',
};

/** Actors that are the system, not a person: the card says what happened, not "by gate". */
const SYSTEM_ACTOR = /^(gate|human-review|config-file|job[:-].*|system)$/;

/** "✅ Approved by dana at 14:02 UTC"; "✅ Gate passed at 14:02 UTC" for the system's own steps. */
export function doneLine(last: { action: string; actor: string; at: number }, now?: number): string {
  const words = DONE_WORDS[last.action] ?? stateLabel(last.action);
  return SYSTEM_ACTOR.test(last.actor) ? `${words} at ${clock(last.at, now)}` : `${words} by ${last.actor} at ${clock(last.at, now)}`;
}

/** How a gate rule's values read: rates as %, cost in USD, latency in ms, counts as integers. */
type RuleUnit = 'rate' | 'usd' | 'ms' | 'tokens' | 'count' | 'number';

function unitOf(rule: string): RuleUnit {
  if (/humanReview|voted|pairs/i.test(rule)) return 'count';
  if (/rate/i.test(rule)) return 'rate';
  if (/cost/i.test(rule)) return 'usd';
  if (/latency/i.test(rule)) return 'ms';
  if (/tokens/i.test(rule)) return 'tokens';
  return 'number';
}

export function formatRuleValue(rule: string, v: number | null): string {
  if (v === null) return '—';
  switch (unitOf(rule)) {
    case 'rate':
      return pct(v);
    case 'usd':
      return usd(v);
    case 'ms':
      return `${num(v)} ms`;
    case 'tokens':
      return num(v, 1);
    case 'count':
      return num(v);
    default:
      return num(v, 2);
  }
}

export function formatRuleDelta(rule: string, d: number | null): string {
  if (d === null) return '—';
  const sign = d >= 0 ? '+' : '';
  switch (unitOf(rule)) {
    case 'usd':
    case 'tokens':
      return `${sign}${(d * 100).toFixed(1)}%`;
    case 'rate':
      return `${sign}${(d * 100).toFixed(1)} pp`;
    case 'ms':
      return `${sign}${num(d)} ms`;
    case 'count':
      return `${sign}${num(d)}`;
    default:
      return `${sign}${num(d, 2)}`;
  }
}

const OUTCOME_MARK: Record<VerdictRowLike['outcome'], string> = {
  pass: '✓ pass',
  fail: '✗ FAIL',
  info: 'info',
  cost_approval: '$ cost approval',
};

/** The gate verdict as a table, failing rows first. */
export function verdictBlocks(v: VerdictLike): CardBlock[] {
  const rank = (o: VerdictRowLike['outcome']) => (o === 'fail' ? 0 : o === 'cost_approval' ? 1 : o === 'pass' ? 2 : 3);
  const rows = [...v.rows].sort((a, b) => rank(a.outcome) - rank(b.outcome));
  const emphasis = rows.flatMap((r, i) => (r.outcome === 'fail' || r.outcome === 'cost_approval' ? [i] : []));
  return [
    { type: 'text', text: verdictHeadline(v) },
    {
      type: 'table',
      columns: ['rule', 'baseline', 'candidate', 'delta', 'limit', 'test', 'outcome'],
      rows: rows.map((r) => [
        r.metric,
        formatRuleValue(r.rule, r.baseline),
        formatRuleValue(r.rule, r.candidate),
        formatRuleDelta(r.rule, r.delta),
        r.limit,
        r.test,
        OUTCOME_MARK[r.outcome],
      ]),
      emphasis,
    },
  ];
}

/** "**Gate passed**: every rule holds (…)" — the outcome said once, then the summary. */
export function verdictHeadline(v: VerdictLike): string {
  const m = /^Gate (passed|failed)\b:?\s*/.exec(v.summary);
  if (m) return `**Gate ${m[1]}**${v.summary.slice(m[0].length).startsWith('on ') ? ' ' : ': '}${v.summary.slice(m[0].length)}`;
  return `**Gate: ${v.outcome.replace(/_/g, ' ')}** — ${v.summary}`;
}

function lineDiff(before: string, after: string, max = 8): { before: string; after: string } {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length - 1;
  let endB = b.length - 1;
  while (endA >= start && endB >= start && a[endA] === b[endB]) {
    endA--;
    endB--;
  }
  const cut = (lines: string[]) => {
    const shown = lines.slice(0, max).map((l) => truncate(l, 160));
    if (lines.length > max) shown.push(`… ${lines.length - max} more lines`);
    return shown.join('\n') || '(nothing)';
  };
  return { before: cut(a.slice(start, endA + 1)), after: cut(b.slice(start, endB + 1)) };
}

const json = (v: unknown): string => (v === undefined || v === null ? '—' : JSON.stringify(v));

/** Before -> after of everything that differs between the two configs. */
export function configDiffBlocks(b: ConfigSummary, c: ConfigSummary): CardBlock[] {
  const out: CardBlock[] = [];
  if (b.model !== c.model) out.push({ type: 'diff', label: 'model', before: b.model, after: c.model });
  if (b.prompt !== c.prompt) {
    const d = lineDiff(b.prompt, c.prompt);
    const label = b.promptFile === c.promptFile ? `prompt (${c.promptFile ?? 'inline'})` : `prompt (${b.promptFile ?? '—'} → ${c.promptFile ?? '—'})`;
    out.push({ type: 'diff', label, before: d.before, after: d.after });
  }
  const keys = [...new Set([...Object.keys(b.params), ...Object.keys(c.params)])].sort();
  for (const k of keys) {
    if (json(b.params[k]) !== json(c.params[k])) out.push({ type: 'diff', label: `param ${k}`, before: json(b.params[k]), after: json(c.params[k]) });
  }
  if (json(b.rag) !== json(c.rag)) out.push({ type: 'diff', label: 'rag', before: json(b.rag), after: json(c.rag) });
  const tools = (s: ConfigSummary) => s.tools.map((t) => `${t.name} (${t.effect})`).join(', ') || '—';
  if (json(b.tools) !== json(c.tools)) out.push({ type: 'diff', label: 'tools', before: tools(b), after: tools(c) });
  if (json(b.guardrails) !== json(c.guardrails)) out.push({ type: 'diff', label: 'guardrails', before: json(b.guardrails), after: json(c.guardrails) });
  if (out.length === 0) out.push({ type: 'text', text: 'No visible difference in model, prompt, params, rag, tools or guardrails.' });
  return out;
}

function actionsFor(v: ReleaseView): CardAction[] {
  return actionList(v).map((a) => ({ ...a, expect: `${v.state}:${v.stageIndex}` }));
}

function actionList(v: ReleaseView): CardAction[] {
  const k = v.key;
  const next = v.stages[v.stageIndex + 1];
  const rollback: CardAction = {
    id: 'rollback',
    label: 'Rollback',
    style: 'danger',
    command: `rollback ${k}`,
    confirm: {
      title: `Roll back ${k}?`,
      text: v.state === 'completed' ? `The previous stable config of ${v.workflow} is restored for all traffic.` : `The candidate gets 0% of ${v.workflow}'s traffic at once.`,
      confirm: 'Roll back',
      deny: 'Keep it',
    },
  };
  switch (v.state) {
    case 'awaiting_approval':
      return [
        { id: 'approve', label: 'Approve', style: 'primary', command: `approve ${k}` },
        { id: 'reject', label: 'Reject', style: 'danger', command: `reject ${k}`, input: { name: 'reason', label: 'Why reject?', required: false } },
      ];
    case 'gate_failed':
      return [
        { id: 'evals', label: 'Re-run evals', command: `evals ${k}` },
        { id: 'override', label: 'Override', command: `override ${k}`, input: { name: 'reason', label: 'Why override the failed gate?', required: true } },
        { id: 'cancel', label: 'Cancel', command: `cancel ${k}` },
      ];
    case 'canary':
    case 'ramp':
      return [
        { id: 'promote', label: next !== undefined ? (next >= 100 ? 'Complete (100%)' : `Ramp to ${next}%`) : 'Promote', style: 'primary', command: `promote ${k}` },
        { id: 'pause', label: 'Pause', command: `pause ${k}` },
        rollback,
      ];
    case 'paused':
      return [{ id: 'resume', label: 'Resume', style: 'primary', command: `resume ${k}` }, rollback];
    case 'completed':
      return v.completedAt !== null && v.now - v.completedAt <= ROLLBACK_WINDOW_DAYS * 86_400_000 ? [rollback] : [];
    case 'requested':
    case 'evaluating':
      return [{ id: 'cancel', label: 'Cancel', command: `cancel ${k}` }];
    default:
      return [];
  }
}

/** "Approved by dana (finance)" once enough approvals are in; else how many of how many, and whether finance is still needed. */
export function approvalsLine(v: Pick<ReleaseView, 'state' | 'approvals' | 'approvalsNeeded' | 'financeNeeded'>): string {
  const have = v.approvals.map((a) => `${a.person}${a.finance ? ' (finance)' : ''}`).join(', ');
  const financeGiven = v.approvals.some((a) => a.finance);
  if (v.state !== 'awaiting_approval' && v.approvals.length) return `Approved by ${have}`;
  const finance = v.financeNeeded ? ` · cost approval by finance: ${financeGiven ? 'given' : 'still needed'}` : '';
  return `Approvals: ${have || 'none yet'} · ${v.approvals.length} of ${v.approvalsNeeded} needed${finance}`;
}

export function releaseCard(v: ReleaseView): Card {
  const weight = candidateWeight({ state: v.state, stageIndex: v.stageIndex, stages: v.stages });
  const stage =
    v.state === 'canary' || v.state === 'ramp'
      ? stageLabel(v.stages, v.stageIndex)
      : v.state === 'paused'
        ? `paused at ${stageLabel(v.stages, v.stageIndex)} (candidate 0%)`
        : stateLabel(v.state);
  const blocks: CardBlock[] = [
    {
      type: 'fields',
      fields: [
        { label: 'Workflow', value: `${v.workflow} (team ${v.team})` },
        { label: 'State', value: stage },
        { label: 'Candidate traffic', value: `${weight}%` },
        { label: 'Requested by', value: v.requester === v.source ? v.requester : `${v.requester} via ${v.source}` },
        { label: 'Config', value: `\`${v.baseline.hash}\` → \`${v.candidate.hash}\`` },
        ...(v.reason ? [{ label: 'Reason', value: v.reason }] : []),
      ],
    },
    ...configDiffBlocks(v.baseline, v.candidate),
  ];
  if (v.verdict) blocks.push({ type: 'divider' }, ...verdictBlocks(v.verdict));
  else if (v.state === 'evaluating') blocks.push({ type: 'context', text: '⏳ The eval gate is running against the live baseline…' });
  if (v.overrideReason) blocks.push({ type: 'text', text: `**Overridden:** ${v.overrideReason}` });
  if (v.review && v.review.pairs > 0)
    blocks.push({ type: 'context', text: `Human review: ${v.review.voted} of ${v.review.pairs} pairs voted${v.review.required ? ' (required before approval)' : ''}` });
  // The approvals, unless the last line says it already ("✅ Approved by dana at 14:02 UTC").
  const saidByLast = v.state !== 'awaiting_approval' && v.approvals.length === 1 && v.last?.action === 'release_approved' && v.last.actor === v.approvals[0]!.person;
  if ((v.state === 'awaiting_approval' || v.approvals.length) && !saidByLast) blocks.push({ type: 'context', text: approvalsLine(v) });
  if (v.canary && (v.state === 'canary' || v.state === 'ramp' || v.state === 'paused')) {
    blocks.push({ type: 'divider' }, { type: 'text', text: `**Canary: ${v.canary.status}** — ${v.canary.reason}` });
    if (v.canary.metrics.length)
      blocks.push({
        type: 'table',
        columns: ['metric', 'baseline', 'candidate', 'test', 'class'],
        rows: v.canary.metrics.map((m) => [m.name, canaryValue(m.name, m.baseline), canaryValue(m.name, m.candidate), m.test, m.classification]),
        emphasis: v.canary.metrics.flatMap((m, i) => (m.classification === 'High' || m.classification === 'Low' ? [i] : [])),
      });
  }
  if (v.last) blocks.push({ type: 'context', text: doneLine(v.last, v.now) });
  return {
    kind: v.state === 'canary' || v.state === 'ramp' || v.state === 'paused' ? 'rollout' : 'release',
    title: `${v.key} · ${v.workflow} · ${stateLabel(v.state)}`,
    tone: TONE[v.state],
    blocks,
    actions: actionsFor(v),
    ref: { releaseId: v.key, workflow: v.workflow, team: v.team },
    console: `/releases/${v.key}`,
  };
}
