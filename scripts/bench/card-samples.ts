/**
 * Cards of every kind built by the real views from large inputs: what `npm run bench:cards`
 * measures and what the payload property test renders. `text(n)` and the list sizes come from
 * the caller (worst cases for the benchmark, random ones for the property test).
 */
import type { Card } from '../../src/core/card.ts';
import type { CanaryJudgement, CanaryMetric } from '../../src/core/canary.ts';
import type { GateRow } from '../../src/core/gate.ts';
import { approvalReminderCard, readyToRampCard, regressionAlertCard, spendBurnCard } from '../../src/core/views/canary.ts';
import { helpCard, noticeCard, refusalCard, resultCard, usageCard } from '../../src/core/views/common.ts';
import { digestCard, type DigestView } from '../../src/core/views/digest.ts';
import { auditCard, receiptsCard, type AuditLine, type ReceiptLine } from '../../src/core/views/lists.ts';
import { releaseCard, type ConfigSummary, type ReleaseView } from '../../src/core/views/release.ts';
import { reviewCard, type ReviewPairView } from '../../src/core/views/review.ts';
import { spendCard, type SpendLine } from '../../src/core/views/spend.ts';
import { statusCard, type WorkflowStatus } from '../../src/core/views/status.ts';

export interface SampleInput {
  /** How many items a list has (rows, workflows, pairs, events). */
  items: (what: string) => number;
  /** A free text of about `max` characters (prose, outputs, reasons). */
  text: (what: string, max: number) => string;
  /** A short name (workflow, person). */
  name: (what: string) => string;
  now: number;
}

export interface Sample {
  name: string;
  card: Card;
}

const NOW = Date.parse('2026-11-25T09:00:00Z');

/** Deterministic inputs at fixed sizes: the benchmark's worst cases. */
export function fixedInput(n: number, textLength: number): SampleInput {
  const prose = 'The customer says the invoice was charged twice and asks for a refund of the second charge. ';
  return {
    items: () => n,
    text: (_what, max) => prose.repeat(Math.ceil(Math.min(max, textLength) / prose.length)).slice(0, Math.min(max, textLength)),
    name: (what) => `${what}-${'x'.repeat(6)}`,
    now: NOW,
  };
}

const WORDS = ['refund', 'escalate', 'Rückerstattung', '退款', 'возврат', 'répondre', '🙂', 'naïve', '"quoted"', '<tag>', '&amp;', '`code`', '**bold**', 'x'.repeat(40), '\u200b', 'مرحبا', '𝔘𝔫𝔦'];

/** Random inputs from a seeded PRNG: lists up to `maxItems`, texts up to `maxText` characters, unicode. */
export function randomInput(rand: () => number, maxItems = 1000, maxText = 5000): SampleInput {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  // Sizes lean towards the edges: tiny, around a page, or huge.
  const size = (max: number) => {
    const r = rand();
    if (r < 0.2) return Math.floor(rand() * 3);
    if (r < 0.6) return 1 + Math.floor(rand() * 60);
    return Math.floor(rand() * (max + 1));
  };
  return {
    items: () => size(maxItems),
    text: (_what, max) => {
      const target = Math.floor(rand() * Math.min(max, maxText) + 1);
      let out = '';
      while (out.length < target) out += (rand() < 0.08 ? '\n' : ' ') + pick(WORDS);
      return out.slice(0, target).trim() || 'x';
    },
    name: (what) => `${what}-${Math.floor(rand() * 1e6).toString(36)}${rand() < 0.1 ? '-' + 'long'.repeat(8) : ''}`,
    now: NOW,
  };
}

function gateRows(): GateRow[] {
  const row = (rule: string, metric: string, b: number, c: number, outcome: GateRow['outcome']): GateRow => ({
    rule,
    metric,
    baseline: b,
    candidate: c,
    delta: c - b,
    limit: '≥ 0.9',
    test: 'Wilson 95% [0.8512, 0.9321]',
    outcome,
  });
  return [
    row('minPassRate', 'pass rate', 0.9509803921568627, 0.8916666666666667, 'fail'),
    row('maxPassRateDrop', 'pass-rate drop', 0.9509803921568627, 0.8916666666666667, 'fail'),
    row('maxCostPerRunIncrease', 'cost per run', 0.0032460000000000006, 0.0011, 'pass'),
    row('maxTokensPerRunIncrease', 'tokens per run', 812.3333, 790.25, 'pass'),
    row('maxLatencyP95Ms', 'latency p95', 2310.4, 1420.7, 'pass'),
    row('maxEscalationRateIncrease', 'escalation rate', 0.08, 0.09, 'pass'),
    row('humanReview', 'human review', 5, 3, 'info'),
  ];
}

function config(i: SampleInput, which: string): ConfigSummary {
  return {
    hash: `cfg_${which === 'b' ? '9f3a1c0b7e2d' : '1b2c3d4e5f60'}`,
    model: which === 'b' ? 'gpt-4.1-2025-04-14' : 'gpt-4.1-mini-2025-04-14',
    promptFile: 'support-triage.md',
    prompt: Array.from({ length: 20 }, (_, k) => `${which} line ${k}: ${i.text('prompt line', 200)}`).join('\n'),
    params: { temperature: which === 'b' ? 0 : 0.2, max_tokens: 400 },
    rag: { sources: ['kb/support'], chunkSize: 800 },
    tools: [{ name: 'lookup_order', effect: 'read' }],
    guardrails: { allowedTools: ['lookup_order'], maxOutputTokens: 400 },
  };
}

function metrics(): CanaryMetric[] {
  const m = (name: string, b: number, c: number, cls: CanaryMetric['classification']): CanaryMetric => ({
    name,
    direction: 'increase_is_bad',
    critical: name.endsWith('rate'),
    baseline: b,
    candidate: c,
    delta: c - b,
    test: 'z=4.53 p=2.9e-6 (threshold 0.00010)',
    p: 2.9e-6,
    classification: cls,
  });
  return [m('error rate', 0.021, 0.095, 'High'), m('escalation rate', 0.01, 0.01, 'Pass'), m('latency p95', 880, 880, 'Pass'), m('cost per run', 0.00204, 0.002346, 'Pass')];
}

export function releaseViewSample(i: SampleInput, state: ReleaseView['state'] = 'awaiting_approval'): ReleaseView {
  return {
    key: 'REL-3',
    workflow: i.name('workflow'),
    team: 'support',
    state,
    stageIndex: state === 'canary' ? 0 : -1,
    stages: [5, 25, 100],
    requester: 'eli',
    reason: i.text('reason', 5000),
    source: 'slack',
    createdAt: i.now - 3600_000,
    completedAt: null,
    baseline: config(i, 'b'),
    candidate: config(i, 'c'),
    verdict: { outcome: 'fail', summary: i.text('verdict summary', 2000), rows: gateRows() },
    overrideReason: i.text('override', 3000),
    approvals: [{ person: 'dana', finance: true, at: i.now }],
    approvalsNeeded: 1,
    financeNeeded: true,
    last: { action: 'release_approved', actor: 'dana', at: i.now },
    canary: { status: 'regressed', reason: i.text('canary reason', 1000), samplesNeeded: 0, metrics: metrics() },
    review: { pairs: 20, voted: 3, required: true },
    now: i.now,
  };
}

const judgement = (i: SampleInput): CanaryJudgement => ({ status: 'regressed', metrics: metrics(), samplesNeeded: 0, reason: i.text('judgement', 2000) });

export function statusSample(i: SampleInput): WorkflowStatus[] {
  return Array.from({ length: Math.max(1, i.items('workflows')) }, (_, k) => ({
    name: `${i.name('wf')}-${String(k).padStart(4, '0')}`,
    team: i.name('team'),
    authority: 'draft',
    stableHash: 'cfg_9f3a1c0b7e2d',
    model: 'gpt-4.1-2025-04-14',
    promptFile: 'support-triage.md',
    candidate: k % 3 === 0 ? { key: `REL-${k + 1}`, state: 'canary', stageIndex: 0, weight: 5, hash: 'cfg_1b2c3d4e5f60', model: 'gpt-4.1-mini-2025-04-14' } : null,
    stages: [5, 25, 100],
    checklist: [
      { item: 'pinned model', ok: k % 7 !== 0, detail: i.text('checklist detail', 120) },
      { item: 'caps', ok: k % 5 !== 0, detail: 'none set' },
    ],
  }));
}

export function spendLines(i: SampleInput): SpendLine[] {
  return Array.from({ length: i.items('spend lines') }, (_, k) => ({
    workflow: `${i.name('wf')}-${String(k).padStart(4, '0')}`,
    team: 'support',
    calls: 7777 + k,
    costUsd: 35.94 + k / 3,
    evalCostUsd: 1.13,
    costPerRun: 0.0046223 + k / 1e6,
    tokensPerRun: 1253.3,
    daily: Array.from({ length: 7 }, (_, d) => 5 + ((d * k) % 3)),
    averageDailyUsd: 5.1,
    perRunTrend: Array.from({ length: 14 }, (_, d) => (d % 5 === 0 ? null : 0.004 + ((d * 7 + k) % 9) / 1000)),
    monthToDateUsd: 888.4,
    projectedMonthUsd: 1070,
    monthlyCapUsd: k % 2 ? 400 : undefined,
  }));
}

export function digestSample(i: SampleInput): DigestView {
  const lines = spendLines(i);
  return {
    team: 'support',
    days: ['2026-11-24'],
    lines,
    totalUsd: 35.94,
    evalUsd: 1.13,
    monthToDateUsd: 888,
    monthlyBudgetUsd: 1000,
    projectedMonthUsd: 1070,
    movers: lines.slice(0, i.items('movers')).map((l) => ({ workflow: l.workflow, perDayUsd: 12.5, averageDailyUsd: 5.1 })),
    breaches: lines.slice(0, i.items('breaches')).map((l) => ({ scope: `workflow ${l.workflow}`, what: 'daily cap on 2026-11-24', amountUsd: 35.94, limitUsd: 20, level: 'breached' as const })),
    ladder: lines.slice(0, i.items('ladder')).map((l) => ({ workflow: l.workflow, authority: 'draft', unreviewedDrafts: { count: 18225, oldestTs: i.now - 59 * 86_400_000 }, awaitingApproval: 3 })),
    releases: lines.slice(0, i.items('open releases')).map((l, k) => ({
      key: `REL-${k + 1}`,
      workflow: l.workflow,
      stage: 'canary at 5%',
      candidateSharePct: 5,
      stableCostPerRun: 0.0046,
      candidateCostPerRun: 0.0051,
      extraUsd: 0.4,
      canary: 'healthy',
    })),
    auditHead: 'ee83dd1e757829e8c100d189dfc8b276af4e3d0b2da3c98b3f661a6291d54241',
    now: i.now,
  };
}

export function reviewPairs(i: SampleInput): ReviewPairView[] {
  return Array.from({ length: Math.max(1, i.items('review pairs')) }, (_, k) => ({
    pair: k + 1,
    caseId: `${i.name('case')}-${k}`,
    repeat: k % 3,
    input: i.text('review input', 5000),
    baseline: i.text('baseline output', 5000),
    candidate: k % 4 === 0 ? null : i.text('candidate output', 5000),
    baselinePassed: k % 2 === 0,
    candidatePassed: k % 3 === 0,
  }));
}

export function receiptLines(i: SampleInput): ReceiptLine[] {
  return Array.from({ length: i.items('receipts') }, (_, k) => ({
    id: `rcpt_0mh3k2a1b${String(k).padStart(4, '0')}9f3a1c0b`,
    ts: i.now - k * 61_000,
    variant: k % 20 === 0 ? 'candidate' : 'stable',
    model: 'gpt-4.1-2025-04-14',
    status: k % 17 === 0 ? 'upstream_error' : 'ok',
    tokens: 1200 + k,
    costUsd: 0.0046223,
    latencyMs: 880 + (k % 50),
    flags: k % 5 === 0 ? 'needs approval, escalated, csat 4' : '',
  }));
}

export function auditLines(i: SampleInput): AuditLine[] {
  return Array.from({ length: i.items('audit events') }, (_, k) => ({
    seq: 5000 - k,
    ts: i.now - k * 60_000,
    actor: k % 3 ? 'dana' : 'gate',
    action: k % 2 ? 'release_approved' : 'gate_failed',
    releaseId: 3,
    summary: `outcome=fail critic_cost_usd=0.0032460000000000006 pass_rate=0.8916666666666667 ${i.text('audit summary', 400)}`,
    hash: 'ee83dd1e757829e8c100d189dfc8b276af4e3d0b2da3c98b3f661a6291d54241',
  }));
}

/** One card of every view, built from `i`. */
export function everyCard(i: SampleInput): Sample[] {
  const subject = { key: 'REL-3', workflow: i.name('workflow'), team: 'support', stage: 'canary at 5%' };
  const status = statusSample(i);
  return [
    { name: 'release (awaiting approval)', card: releaseCard(releaseViewSample(i)) },
    { name: 'release (gate failed)', card: releaseCard(releaseViewSample(i, 'gate_failed')) },
    { name: 'rollout (canary)', card: releaseCard(releaseViewSample(i, 'canary')) },
    { name: 'status (list)', card: statusCard(status, false) },
    { name: 'status (one workflow)', card: statusCard(status.slice(0, 1), true) },
    { name: 'receipts', card: receiptsCard(i.name('workflow'), receiptLines(i), i.now) },
    { name: 'audit', card: auditCard(i.name('workflow'), auditLines(i), { ok: true, text: i.text('verification', 300) }, i.now) },
    { name: 'spend', card: spendCard({ label: 'all teams', command: 'spend --days 7' }, 7, spendLines(i), { totalUsd: 1234.5678, evalUsd: 12.3456 }) },
    { name: 'digest', card: digestCard(digestSample(i)) },
    { name: 'review', card: reviewCard({ releaseKey: 'REL-3', workflow: i.name('workflow'), team: 'support', requester: 'eli', required: true, pairs: reviewPairs(i) }) },
    { name: 'alert (regression)', card: regressionAlertCard(subject, { judgement: judgement(i), baselineCalls: 420, candidateCalls: 400, rolledBack: false, rollbackRefused: i.text('refused', 500) }) },
    { name: 'alert (ready to ramp)', card: readyToRampCard(subject, { next: 25, bakedMs: 3_600_000, judgement: judgement(i), promoted: false }) },
    {
      name: 'alert (spend burn)',
      card: spendBurnCard(subject, { capUsd: 20, spentTodayUsd: 18.2, projectedUsd: 31.7, projectedIfStableUsd: 19.9, candidateCostPerRun: 0.0061, stableCostPerRun: 0.0046 }, true),
    },
    { name: 'alert (approval reminder)', card: approvalReminderCard(subject, { waitingMs: 4 * 3_600_000, approvers: Array.from({ length: Math.min(50, i.items('approvers')) }, () => i.name('person')), have: 0, needed: 2 }) },
    { name: 'help', card: helpCard(i.text('help', 5000)) },
    { name: 'usage error', card: usageCard(i.text('usage message', 300), i.text('usage', 2000)) },
    { name: 'result', card: resultCard(i.text('result title', 200), i.text('result', 5000), { releaseId: 'REL-3' }) },
    { name: 'refusal', card: refusalCard(i.text('refusal', 2000), 'approver') },
    { name: 'notice', card: noticeCard(i.text('notice title', 300), i.text('notice', 5000), 'warning') },
  ];
}
