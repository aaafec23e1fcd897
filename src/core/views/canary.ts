/**
 * The cards the release watch raises: canary regression (rolled back, or with Rollback /
 * Acknowledge / Pause buttons), ready to ramp, canary spend burn, and the pending-approval
 * reminder. Pure: everything they show is passed in.
 */
import type { Card, CardAction, CardBlock } from '../card.ts';
import type { CanaryJudgement, CanaryMetric } from '../canary.ts';
import { ago, num, usd } from './format.ts';

/** A canary metric's value as people read it: rates in %, latency in ms, cost in $. */
export function canaryValue(name: string, v: number | null): string {
  if (v === null) return '—';
  if (name.endsWith('rate')) return `${(v * 100).toFixed(1)}%`;
  if (name === 'latency p95') return `${num(v)} ms`;
  if (name === 'cost per run') return usd(v);
  if (name === 'CSAT') return v.toFixed(2);
  return num(v, 0);
}

/** Rates move in percentage points, everything else relative to the baseline. */
export function canaryDelta(m: Pick<CanaryMetric, 'name' | 'baseline' | 'candidate'>): string {
  if (m.baseline === null || m.candidate === null) return '—';
  const d = m.candidate - m.baseline;
  const signed = (x: number, digits: number) => {
    const t = Math.abs(x).toFixed(digits);
    return `${Number(t) === 0 ? '±' : x > 0 ? '+' : '−'}${t}`;
  };
  if (m.name.endsWith('rate')) return `${signed(d * 100, 1)} pp`;
  if (m.name === 'CSAT') return signed(d, 2);
  if (m.baseline === 0) return m.candidate === 0 ? '±0.0%' : 'new';
  return `${signed((d / m.baseline) * 100, 1)}%`;
}

const isBad = (m: CanaryMetric) => (m.direction === 'increase_is_bad' ? m.classification === 'High' : m.classification === 'Low');

export function canaryMetricsTable(metrics: CanaryMetric[]): CardBlock {
  return {
    type: 'table',
    columns: ['metric', 'baseline', 'candidate', 'delta', 'test', 'class'],
    rows: metrics.map((m) => [
      `${m.name}${m.critical ? ' *' : ''}`,
      canaryValue(m.name, m.baseline),
      canaryValue(m.name, m.candidate),
      canaryDelta(m),
      m.test,
      m.classification,
    ]),
    emphasis: metrics.flatMap((m, i) => (isBad(m) ? [i] : [])),
  };
}

export interface AlertSubject {
  /** "REL-7" */
  key: string;
  workflow: string;
  team: string;
  /** "canary at 5%" */
  stage: string;
}

const ref = (s: AlertSubject): Card['ref'] => ({ releaseId: s.key, workflow: s.workflow, team: s.team });

function rollbackAction(s: AlertSubject): CardAction {
  return {
    id: 'rollback',
    label: 'Rollback',
    style: 'danger',
    command: `rollback ${s.key}`,
    confirm: { title: `Roll back ${s.key}?`, text: `The candidate gets 0% of ${s.workflow}'s traffic at once.`, confirm: 'Roll back', deny: 'Keep it' },
  };
}

export function regressionAlertCard(
  s: AlertSubject,
  a: { judgement: CanaryJudgement; baselineCalls: number; candidateCalls: number; rolledBack: boolean; rollbackRefused?: string },
): Card {
  const blocks: CardBlock[] = [
    {
      type: 'text',
      text: a.rolledBack
        ? `**Rolled back automatically** (the workflow says autoRollback): the candidate now gets 0% of ${s.workflow}'s traffic.`
        : `The candidate is worse than the baseline during the ${s.stage}. Roll back, pause, or acknowledge to keep it running.${a.rollbackRefused ? `\nAutomatic rollback was refused: ${a.rollbackRefused}` : ''}`,
    },
    { type: 'text', text: `**Why:** ${a.judgement.reason}` },
    canaryMetricsTable(a.judgement.metrics),
    { type: 'context', text: `${num(a.candidateCalls)} candidate and ${num(a.baselineCalls)} baseline calls since the stage began · * critical metric · raised once per stage` },
  ];
  return {
    kind: 'alert',
    title: `${s.key} · ${s.workflow} · canary regression${a.rolledBack ? ' · rolled back' : ''}`,
    tone: 'danger',
    blocks,
    actions: a.rolledBack
      ? []
      : [rollbackAction(s), { id: 'ack', label: 'Acknowledge', command: `ack ${s.key}` }, { id: 'pause', label: 'Pause', command: `pause ${s.key}` }],
    ref: ref(s),
    console: `/canary?release=${s.key}`,
  };
}

export function readyToRampCard(
  s: AlertSubject,
  a: { next: number; bakedMs: number; judgement: CanaryJudgement; promoted: boolean; promotedTo?: string },
): Card {
  const target = a.next >= 100 ? 'complete (100%)' : `ramp to ${a.next}%`;
  return {
    kind: 'alert',
    title: `${s.key} · ${s.workflow} · ${a.promoted ? 'promoted automatically' : 'ready to ramp'}`,
    tone: 'success',
    blocks: [
      {
        type: 'text',
        text: a.promoted
          ? `Healthy after ${ago(a.bakedMs)} in the ${s.stage}: promoted by itself (the workflow says autoPromote) to ${a.promotedTo ?? target}.`
          : `Healthy after ${ago(a.bakedMs)} in the ${s.stage}, past its minimum bake time: ready to ${target}.`,
      },
      { type: 'context', text: a.judgement.reason },
    ],
    actions: a.promoted ? [] : [{ id: 'promote', label: a.next >= 100 ? 'Complete (100%)' : `Ramp to ${a.next}%`, style: 'primary', command: `promote ${s.key}` }],
    ref: ref(s),
    console: `/canary?release=${s.key}`,
  };
}

export interface SpendBurn {
  capUsd: number;
  spentTodayUsd: number;
  /** Today's spend at the end of the day at the current rates. */
  projectedUsd: number;
  /** The same, had the candidate's calls cost what the stable config's cost. */
  projectedIfStableUsd: number;
  candidateCostPerRun: number;
  stableCostPerRun: number | null;
}

export function spendBurnCard(s: AlertSubject, b: SpendBurn, paused: boolean): Card {
  return {
    kind: 'alert',
    title: `${s.key} · ${s.workflow} · canary spend burn${paused ? ' · paused' : ''}`,
    tone: 'danger',
    blocks: [
      {
        type: 'text',
        text: `At ${usd(b.candidateCostPerRun)} per run (stable ${usd(b.stableCostPerRun)}), the candidate projects ${s.workflow} to ${usd(b.projectedUsd)} today, over its daily cap of ${usd(b.capUsd)} (${usd(b.projectedIfStableUsd)} without the candidate's extra cost).`,
      },
      {
        type: 'text',
        text: paused
          ? `**Paused** (it was in the ${s.stage}): the candidate gets 0% of traffic until someone resumes it or rolls it back.`
          : `The release could not be paused (it changed meanwhile).`,
      },
      { type: 'context', text: `spent today so far ${usd(b.spentTodayUsd)} · projection = today's spend + each arm's cost per run × its calls per minute × minutes left today` },
    ],
    actions: paused ? [{ id: 'resume', label: 'Resume', command: `resume ${s.key}` }, rollbackAction(s)] : [rollbackAction(s)],
    ref: ref(s),
    console: '/spend',
  };
}

export function approvalReminderCard(s: Omit<AlertSubject, 'stage'>, a: { waitingMs: number; approvers: string[]; have: number; needed: number }): Card {
  return {
    kind: 'alert',
    title: `${s.key} · ${s.workflow} · waiting for approval`,
    tone: 'warning',
    blocks: [
      {
        type: 'text',
        text: `${s.key} has been awaiting approval for ${ago(a.waitingMs)}: ${a.have} of ${a.needed} approval${a.needed > 1 ? 's' : ''} so far. Approvers: ${a.approvers.join(', ')}.`,
      },
      { type: 'context', text: 'One reminder per release; the release card has the details.' },
    ],
    actions: [
      { id: 'approve', label: 'Approve', style: 'primary', command: `approve ${s.key}` },
      { id: 'reject', label: 'Reject', style: 'danger', command: `reject ${s.key}`, input: { name: 'reason', label: 'Why reject?', required: false } },
    ],
    ref: { releaseId: s.key, workflow: s.workflow, team: s.team },
    console: `/releases/${s.key}`,
  };
}
