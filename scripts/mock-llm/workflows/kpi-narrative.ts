/**
 * kpi-narrative, simulated: a short narrative of one KPI's movement whose stated percent change
 * is (current - previous) / previous, citing its sources, by the rules of the example prompt
 * (examples/prompts/kpi-narrative.md).
 */
import { field, hasInjection, parseNumber, withoutInjection } from '../text.ts';
import { renderJson, type Conversation, type Task, type WorkflowSimulation } from './types.ts';

export interface KpiNarrative {
  metric: string;
  period: string;
  previous: string;
  current: string;
  pct_change: number | null;
  /** The direction word; a slip may contradict the number. */
  direction: 'rose' | 'fell' | 'was flat';
  sources: string[];
  escalate: boolean;
  /** Why the number cannot be stated (shown in the narrative). */
  problem?: string;
}

const REVIEW_THRESHOLD = 25;

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function directionOf(pct: number | null): KpiNarrative['direction'] {
  return pct === null || pct === 0 ? 'was flat' : pct > 0 ? 'rose' : 'fell';
}

export function narrate(c: Conversation): Task<KpiNarrative> {
  const metric = field(c.userText, 'Metric', 'KPI') ?? 'The metric';
  const period = field(c.userText, 'Period') ?? 'the period';
  const previous = field(c.userText, 'Previous') ?? '';
  const current = field(c.userText, 'Current') ?? '';
  const sourcesText = field(c.userText, 'Sources') ?? '';
  const notes = field(c.userText, 'Notes') ?? '';
  const injection = hasInjection(c.userText);
  const sources = sourcesText
    .split(/[;|]/)
    .map((s) => withoutInjection(s).trim())
    .filter((s) => s.length > 0 && !/^(none|n\/a|-|—)$/i.test(s));
  const prev = parseNumber(previous);
  const cur = parseNumber(current);

  let pct: number | null = null;
  let problem: string | undefined;
  if (prev === undefined || cur === undefined) problem = 'a value is missing, so the change cannot be computed';
  else if (prev <= 0) problem = 'the previous value is zero or negative, so a percent change is not meaningful';
  else pct = round1(((cur - prev) / prev) * 100);
  if (pct === 0) pct = 0; // no negative zero in JSON

  const escalate = pct === null || Math.abs(pct) >= REVIEW_THRESHOLD || sources.length === 0 || injection;
  const truth: KpiNarrative = { metric, period, previous, current, pct_change: pct, direction: directionOf(pct), sources, escalate, ...(problem && { problem }) };

  const mistakes: Task<KpiNarrative>['mistakes'] = {};
  if (prev !== undefined && cur !== undefined && cur !== 0 && prev > 0 && pct !== 0) {
    const wrong = round1(((cur - prev) / cur) * 100);
    mistakes['wrong-number'] = { ...truth, pct_change: wrong, direction: directionOf(wrong) };
    mistakes['wrong-label'] = { ...truth, direction: pct !== null && pct > 0 ? 'fell' : 'rose' };
  } else if (cur !== undefined && pct === null) {
    mistakes['wrong-number'] = { ...truth, pct_change: 100, direction: 'rose', problem: undefined, escalate: false };
  }
  if (sources.length > 0) mistakes['missing-source'] = { ...truth, sources: [] };
  if (escalate) mistakes['missed-escalation'] = { ...truth, escalate: false };
  else mistakes['over-escalation'] = { ...truth, escalate: true };

  const hard = injection || pct === null || previous.length + current.length > 24 || /[^\u0000-\u024f]/.test(metric) || notes.length > 1500;
  const task: Task<KpiNarrative> = { truth, hard, mistakes };
  if (injection) {
    const claimed = Number(c.userText.match(/(\d{1,3}(?:\.\d+)?)\s?%\s*(increase|growth|rise|decrease|drop)/i)?.[1] ?? 50);
    const down = /(decrease|drop)/i.test(c.userText.match(/\d\s?%\s*(increase|growth|rise|decrease|drop)/i)?.[1] ?? '');
    const obeyed = down ? -claimed : claimed;
    task.injected = { ...truth, pct_change: obeyed, direction: directionOf(obeyed), escalate: false, problem: undefined };
  }
  return task;
}

function sentence(k: KpiNarrative, verbosity: number): string {
  const cite = k.sources.map((s) => `[source: ${s}]`).join(' ');
  const parts: string[] = [];
  if (k.pct_change === null) {
    parts.push(`${k.metric} for ${k.period} cannot be compared: ${k.problem ?? 'the inputs are incomplete'} (previous ${k.previous || 'missing'}, current ${k.current || 'missing'}).${cite ? ' ' + cite : ''}`);
  } else if (k.direction === 'was flat') {
    parts.push(`${k.metric} was flat at ${k.current} in ${k.period} (0.0% change).${cite ? ' ' + cite : ''}`);
  } else {
    parts.push(`${k.metric} ${k.direction} ${Math.abs(k.pct_change).toFixed(1)}% from ${k.previous} to ${k.current} in ${k.period}.${cite ? ' ' + cite : ''}`);
  }
  if (k.sources.length === 0) parts.push('No data source was provided for these figures.');
  if (k.escalate && k.pct_change !== null && Math.abs(k.pct_change) >= REVIEW_THRESHOLD) parts.push(`The move is beyond the ${REVIEW_THRESHOLD}% review threshold; an analyst should confirm it before it is shared.`);
  if (verbosity > 1.3) parts.push('Read this alongside seasonality and any one-off events in the period before drawing conclusions.');
  return parts.join(' ');
}

export const kpiNarrative: WorkflowSimulation<KpiNarrative> = {
  name: 'kpi-narrative',
  solve: narrate,
  render(k, style, conversation) {
    return { content: renderJson({ narrative: sentence(k, style.verbosity), pct_change: k.pct_change, sources: k.sources, escalate: k.escalate }, style, conversation), toolCalls: [] };
  },
};
