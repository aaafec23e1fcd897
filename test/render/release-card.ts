import type { Card, CardKind, CardTone } from '../../src/core/card.ts';

/** A release card as the gate would post it: fields, the verdict table, a prompt diff, actions. */
export function releaseCard(): Card {
  return {
    kind: 'release',
    title: 'REL-3 support-triage: gate **failed**',
    tone: 'danger',
    ref: { releaseId: 'REL-3', workflow: 'support-triage', team: 'support' },
    blocks: [
      {
        type: 'fields',
        fields: [
          { label: 'Workflow', value: 'support-triage' },
          { label: 'Requested by', value: 'eli' },
          { label: 'Model', value: '`gpt-4.1-mini-2025-04-14`' },
          { label: 'Config hash', value: '`9f3a1c0b7e2d`' },
        ],
      },
      {
        type: 'table',
        columns: ['Rule', 'Baseline', 'Candidate', 'Delta', 'Limit', 'Outcome'],
        rows: [
          ['minPassRate', '0.93', '0.81', '-0.12', '≥ 0.90', 'fail'],
          ['maxPassRateDrop', '0.93', '0.81', '-0.12', '0.00 (p=0.01)', 'fail'],
          ['maxCostPerRunIncrease', '$0.0031', '$0.0009', '-71%', '+10%', 'pass'],
          ['maxTokensPerRunIncrease', '812', '790', '-2.7%', '+25%', 'pass'],
          ['maxLatencyP95Ms', '2310 ms', '1420 ms', '-890 ms', '4000 ms', 'pass'],
          ['maxEscalationRateIncrease', '8.0%', '9.0%', '+1.0 pt', '+2.0 pt', 'pass'],
          ['humanReview', '—', '—', '—', '5 pairs', 'pass'],
        ],
        emphasis: [0, 1],
      },
      {
        type: 'diff',
        label: 'Prompt',
        before: 'You are a support triage assistant.\nClassify the ticket.\nReply in JSON.',
        after: 'You are a support triage assistant.\nClassify the ticket into billing, tech or other.\nReply in JSON.\nEscalate angry customers.',
      },
      { type: 'diff', label: 'Model', before: 'gpt-4.1-2025-04-14', after: 'gpt-4.1-mini-2025-04-14' },
      { type: 'divider' },
      { type: 'code', text: '{\n  "temperature": 0\n}' },
      { type: 'context', text: 'Requested by eli at 13:58 UTC · gate ran 60 runs' },
    ],
    actions: [
      { id: 'approve', label: 'Approve', style: 'primary', command: 'approve REL-3' },
      {
        id: 'reject',
        label: 'Reject',
        style: 'danger',
        command: 'reject REL-3',
        input: { name: 'reason', label: 'Why reject?', required: true },
      },
      {
        id: 'rollback',
        label: 'Rollback',
        style: 'danger',
        command: 'rollback REL-3',
        confirm: { title: 'Roll back REL-3?', text: 'The candidate gets 0% of traffic.', confirm: 'Roll back', deny: 'Keep' },
      },
    ],
  };
}

export const KINDS: CardKind[] = ['release', 'rollout', 'alert', 'review', 'status', 'spend', 'list', 'help', 'result', 'error'];
export const TONES: (CardTone | undefined)[] = ['info', 'success', 'warning', 'danger', undefined];
