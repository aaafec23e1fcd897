/**
 * The spend digest card: per team, covering the days since the previous digest. Pure: the
 * figures come from services/digest.ts (the same figures `/ai-release spend` shows).
 */
import type { Card, CardBlock } from '../card.ts';
import { pct, signedPct, usd } from './format.ts';
import { spendPaging, spendTables, type SpendLine } from './spend.ts';

export interface Breach {
  /** "team support", "workflow support-triage" */
  scope: string;
  /** "daily budget on 2026-11-24", "monthly cap" */
  what: string;
  amountUsd: number;
  limitUsd: number;
  /** breached: already over; projected: on track to go over by month end. */
  level: 'breached' | 'projected';
}

export interface Mover {
  workflow: string;
  perDayUsd: number;
  averageDailyUsd: number;
}

export interface LadderLine {
  workflow: string;
  authority: string;
  /** draft: production answers older than 24 h no one approved or edited. */
  unreviewedDrafts?: { count: number; oldestTs: number | null };
  /** execute-with-approval: write actions still awaiting approval. */
  awaitingApproval?: number;
}

export interface OpenReleaseLine {
  key: string;
  workflow: string;
  /** "canary at 5%", "awaiting approval" */
  stage: string;
  candidateSharePct: number;
  stableCostPerRun: number | null;
  candidateCostPerRun: number | null;
  /** What the candidate's calls cost beyond the stable price since traffic began. */
  extraUsd: number | null;
  canary: string | null;
}

export interface DigestView {
  team: string;
  /** The window's day keys, oldest first. */
  days: string[];
  lines: SpendLine[];
  totalUsd: number;
  evalUsd: number;
  monthToDateUsd: number;
  monthlyBudgetUsd?: number;
  projectedMonthUsd: number;
  movers: Mover[];
  breaches: Breach[];
  ladder: LadderLine[];
  releases: OpenReleaseLine[];
  auditHead: string;
  now: number;
}

const span = (days: string[]) => (days.length === 1 ? days[0]! : `${days[0]} → ${days[days.length - 1]} (${days.length} days)`);

function moverText(m: Mover): string {
  const d = m.perDayUsd - m.averageDailyUsd;
  const rel = m.averageDailyUsd > 0 ? ` (${signedPct(d / m.averageDailyUsd)})` : ' (new)';
  return `${m.workflow} ${d >= 0 ? '+' : '−'}${usd(Math.abs(d))}/day${rel}: ${usd(m.perDayUsd)}/day against a 7-day average of ${usd(m.averageDailyUsd)}`;
}

function ladderText(l: LadderLine, now: number): string[] {
  const out: string[] = [];
  if (l.unreviewedDrafts && l.unreviewedDrafts.count > 0) {
    const oldest = l.unreviewedDrafts.oldestTs === null ? '' : `, oldest ${Math.max(1, Math.floor((now - l.unreviewedDrafts.oldestTs) / 86_400_000))} d`;
    out.push(`${l.workflow} (${l.authority}): ${l.unreviewedDrafts.count.toLocaleString('en-US')} unreviewed draft${l.unreviewedDrafts.count > 1 ? 's' : ''} older than 24 h${oldest}`);
  }
  if (l.awaitingApproval)
    out.push(`${l.workflow} (${l.authority}): ${l.awaitingApproval.toLocaleString('en-US')} write action${l.awaitingApproval > 1 ? 's' : ''} awaiting approval`);
  return out;
}

function releaseText(r: OpenReleaseLine): string {
  const parts = [`${r.key} ${r.workflow} · ${r.stage}`];
  if (r.stableCostPerRun !== null && r.candidateCostPerRun !== null && r.stableCostPerRun > 0) {
    const rel = r.candidateCostPerRun / r.stableCostPerRun - 1;
    parts.push(
      `candidate ${signedPct(rel)} per run (${usd(r.candidateCostPerRun)} vs ${usd(r.stableCostPerRun)}) × ${r.candidateSharePct}% of traffic = ${signedPct((rel * r.candidateSharePct) / 100)} on the workflow's spend`,
    );
    if (r.extraUsd !== null) parts.push(`${r.extraUsd >= 0 ? '+' : '−'}${usd(Math.abs(r.extraUsd))} so far`);
  } else parts.push(`candidate ${r.candidateSharePct}% of traffic, no cost yet`);
  if (r.canary) parts.push(`canary ${r.canary}`);
  return parts.join(' · ');
}

export function digestCard(v: DigestView): Card {
  const budget = v.monthlyBudgetUsd;
  const breached = v.breaches.filter((b) => b.level === 'breached');
  const blocks: CardBlock[] = [
    {
      type: 'fields',
      fields: [
        { label: 'Production spend', value: usd(v.totalUsd) },
        { label: 'Eval spend (apart)', value: usd(v.evalUsd) },
        { label: 'Month to date', value: budget ? `${usd(v.monthToDateUsd)} of ${usd(budget)} (${pct(v.monthToDateUsd / budget, 0)})` : usd(v.monthToDateUsd) },
        { label: 'Projected month-end', value: budget ? `${usd(v.projectedMonthUsd)} (${v.projectedMonthUsd > budget ? 'over' : 'within'} budget)` : usd(v.projectedMonthUsd) },
      ],
    },
    ...spendTables(v.lines),
    { type: 'text', text: `**Top movers:** ${v.movers.length ? v.movers.map(moverText).join('\n') : 'none (no workflow moved 10% or more against its 7-day average)'}` },
    {
      type: 'text',
      text: `**Budget breaches:** ${
        v.breaches.length
          ? v.breaches.map((b) => `${b.level === 'breached' ? '✖' : '!'} ${b.scope} ${b.level === 'breached' ? 'over' : 'on track to pass'} its ${b.what}: ${usd(b.amountUsd)} of ${usd(b.limitUsd)}`).join('\n')
          : 'none'
      }`,
    },
  ];
  const ladder = v.ladder.flatMap((l) => ladderText(l, v.now));
  blocks.push({ type: 'text', text: `**Waiting for people:** ${ladder.length ? ladder.join('\n') : 'no unreviewed drafts or write actions awaiting approval'}` });
  blocks.push({ type: 'text', text: `**Open releases:** ${v.releases.length ? v.releases.map(releaseText).join('\n') : 'none'}` });
  blocks.push({
    type: 'context',
    text: `Audit chain head \`${v.auditHead}\` · eval spend is reported apart and not counted against caps · the same figures on demand: /ai-release spend --team ${v.team} --days N`,
  });
  return {
    kind: 'spend',
    title: `Spend digest · team ${v.team} · ${span(v.days)}`,
    tone: breached.length ? 'danger' : v.breaches.length ? 'warning' : 'info',
    blocks,
    ref: { team: v.team },
    console: `/spend?days=${Math.max(7, v.days.length)}`,
    paging: spendPaging(v.lines, `spend --team ${v.team} --days ${v.days.length}`, 1),
  };
}
