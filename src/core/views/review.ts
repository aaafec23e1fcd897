/**
 * The human-review card: each sampled pair shows the case input and the baseline and candidate
 * outputs side by side (truncated), with 👍 (candidate better) / 👎 (baseline better) per pair.
 * Outputs are not labelled by model beyond baseline/candidate: the voter judges the answers.
 */
import type { Card, CardBlock } from '../card.ts';
import { truncate } from './format.ts';

export interface ReviewPairView {
  pair: number;
  caseId: string;
  repeat: number;
  input: string;
  baseline: string | null;
  candidate: string | null;
  /** Whether each variant's run passed its assertions. */
  baselinePassed: boolean;
  candidatePassed: boolean;
}

export interface ReviewCardInput {
  releaseKey: string;
  workflow: string;
  team: string;
  requester: string;
  required: boolean;
  pairs: ReviewPairView[];
}

export const REVIEW_TEXT_MAX = 600;
export const REVIEW_INPUT_MAX = 300;

const shown = (text: string | null, max: number): string => (text === null || text.trim() === '' ? '(no output)' : truncate(text.trim(), max));
const mark = (passed: boolean): string => (passed ? 'passed' : 'failed');

/** Where a page of pairs starts (`review --from`): the pairs before it, and how many there are. */
export interface ReviewPage {
  offset: number;
  total: number;
}

export function reviewCard(v: ReviewCardInput, page?: ReviewPage): Card {
  const total = page?.total ?? v.pairs.length;
  const blocks: CardBlock[] = [
    {
      type: 'text',
      text:
        `**${total} pair${total === 1 ? '' : 's'} to review** for ${v.releaseKey} (${v.workflow}). ` +
        `For each pair, 👍 if the candidate's answer is better, 👎 if the baseline's is.` +
        (v.required ? ' Approval waits until every pair has a vote.' : ''),
    },
    { type: 'context', text: `Team members and approvers may vote, except the requester (${v.requester}).` },
  ];
  const groups: [number, number][] = [];
  for (const p of v.pairs) {
    const first = blocks.length;
    blocks.push({ type: 'divider' });
    blocks.push({ type: 'text', text: `**Pair ${p.pair}** · case \`${p.caseId}\` · repeat ${p.repeat}` });
    blocks.push({ type: 'code', text: shown(p.input, REVIEW_INPUT_MAX) });
    blocks.push({
      type: 'fields',
      fields: [
        { label: `Baseline (${mark(p.baselinePassed)} its assertions)`, value: shown(p.baseline, REVIEW_TEXT_MAX) },
        { label: `Candidate (${mark(p.candidatePassed)} its assertions)`, value: shown(p.candidate, REVIEW_TEXT_MAX) },
      ],
    });
    blocks.push({
      type: 'choice',
      id: `pair-${p.pair}`,
      label: `Pair ${p.pair}: which answer is better?`,
      options: [
        { label: `👍 ${p.pair}: candidate better`, style: 'primary', command: `vote ${v.releaseKey} ${p.pair} candidate` },
        { label: `👎 ${p.pair}: baseline better`, command: `vote ${v.releaseKey} ${p.pair} baseline` },
        { label: `${p.pair}: tie`, command: `vote ${v.releaseKey} ${p.pair} tie` },
      ],
    });
    groups.push([first, blocks.length]);
  }
  const long = (t: string | null, max: number) => t !== null && t.trim().length > max;
  const shortened = v.pairs.filter((p) => long(p.input, REVIEW_INPUT_MAX) || long(p.baseline, REVIEW_TEXT_MAX) || long(p.candidate, REVIEW_TEXT_MAX)).length;
  if (shortened)
    blocks.push({
      type: 'context',
      text: `${shortened} pair${shortened === 1 ? ' has' : 's have'} inputs or answers longer than shown here (cut at ${REVIEW_TEXT_MAX} characters, marked …)`,
      link: { label: 'every answer in full in the console', path: `/releases/${v.releaseKey}#outputs` },
    });
  const offset = page?.offset ?? 0;
  const first = v.pairs[0]?.pair ?? 1;
  return {
    kind: 'review',
    title: `Human review · ${v.releaseKey} · ${v.workflow}`,
    tone: 'info',
    blocks,
    actions: [{ id: 'submit-votes', label: 'Submit votes', style: 'primary', command: `review ${v.releaseKey} --from ${first}`, submit: 'choices' }],
    ref: { releaseId: v.releaseKey, workflow: v.workflow, team: v.team },
    console: `/releases/${v.releaseKey}#outputs`,
    paging: { noun: 'pairs', groups, cursors: v.pairs.map((p) => String(p.pair)), command: `review ${v.releaseKey}`, offset, total },
  };
}
