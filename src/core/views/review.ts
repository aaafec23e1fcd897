/**
 * The human-review card: each sampled pair shows the case input and the baseline and candidate
 * outputs side by side (truncated), with 👍 (candidate better) / 👎 (baseline better) per pair.
 * Outputs are not labelled by model beyond baseline/candidate: the voter judges the answers.
 */
import type { Card, CardAction, CardBlock } from '../card.ts';
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

export function reviewCard(v: ReviewCardInput): Card {
  const blocks: CardBlock[] = [
    {
      type: 'text',
      text:
        `**${v.pairs.length} pair${v.pairs.length === 1 ? '' : 's'} to review** for ${v.releaseKey} (${v.workflow}). ` +
        `For each pair, 👍 if the candidate's answer is better, 👎 if the baseline's is.` +
        (v.required ? ' Approval waits until every pair has a vote.' : ''),
    },
    { type: 'context', text: `Team members and approvers may vote, except the requester (${v.requester}).` },
  ];
  const actions: CardAction[] = [];
  for (const p of v.pairs) {
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
    actions.push({ id: `vote-${p.pair}-candidate`, label: `👍 ${p.pair}: candidate better`, style: 'primary', command: `vote ${v.releaseKey} ${p.pair} candidate` });
    actions.push({ id: `vote-${p.pair}-baseline`, label: `👎 ${p.pair}: baseline better`, command: `vote ${v.releaseKey} ${p.pair} baseline` });
  }
  return {
    kind: 'review',
    title: `Human review · ${v.releaseKey} · ${v.workflow}`,
    tone: 'info',
    blocks,
    actions,
    ref: { releaseId: v.releaseKey, workflow: v.workflow, team: v.team },
  };
}
