/** `status`: live configs, weights, open releases and the governance checklist. */
import type { Card, CardBlock } from '../card.ts';
import { stageLabel } from '../release.ts';
import { stateLabel } from './format.ts';

export interface WorkflowStatus {
  name: string;
  team: string;
  authority: string;
  stableHash: string;
  model: string;
  promptFile: string | null;
  candidate: { key: string; state: string; stageIndex: number; weight: number; hash: string; model: string } | null;
  stages: number[];
  checklist: { item: string; ok: boolean; detail: string }[];
}

/** Where a list of workflows starts: after `offset` others (`status --from`), of `total` in all. */
export interface StatusPage {
  offset: number;
  total: number;
}

export function statusCard(list: WorkflowStatus[], detailed: boolean, page?: StatusPage): Card {
  const blocks: CardBlock[] = [];
  if (!detailed) {
    const gapped = list.flatMap((w, i) => (w.checklist.some((c) => !c.ok) ? [i] : []));
    blocks.push({
      type: 'table',
      columns: ['workflow', 'team', 'stable', 'model', 'candidate', 'open release'],
      rows: list.map((w) => [
        w.name,
        w.team,
        w.stableHash,
        w.model,
        w.candidate ? `${w.candidate.weight}%` : '0%',
        w.candidate ? `${w.candidate.key} (${stateLabel(w.candidate.state)})` : '—',
      ]),
      emphasis: gapped,
    });
    blocks.push({
      type: 'context',
      text: gapped.length
        ? `✖ marks the ${gapped.length === 1 ? 'workflow' : `${gapped.length} workflows`} with governance gaps; \`status <workflow>\` lists them.`
        : 'Governance checklist complete for every workflow shown.',
    });
    const total = page?.total ?? list.length;
    return {
      kind: 'status',
      title: `ai-release status · ${total} workflow${total === 1 ? '' : 's'}`,
      tone: gapped.length ? 'warning' : 'success',
      blocks,
      console: '/workflows',
      paging: { noun: 'workflows', tables: [0], cursors: list.map((w) => w.name), command: 'status', offset: page?.offset ?? 0, total },
    };
  }
  const w = list[0]!;
  blocks.push({
    type: 'fields',
    fields: [
      { label: 'Team', value: w.team },
      { label: 'Authority', value: w.authority },
      { label: 'Stable config', value: `\`${w.stableHash}\` (${w.model}, prompt ${w.promptFile ?? 'inline'})` },
      {
        label: 'Weights',
        value: w.candidate
          ? `stable ${100 - w.candidate.weight}% · candidate ${w.candidate.weight}% (\`${w.candidate.hash}\`, ${w.candidate.model})`
          : 'stable 100%',
      },
      {
        label: 'Open release',
        value: w.candidate
          ? `${w.candidate.key}: ${w.candidate.state === 'canary' || w.candidate.state === 'ramp' ? stageLabel(w.stages, w.candidate.stageIndex) : stateLabel(w.candidate.state)}`
          : 'none',
      },
      { label: 'Stages', value: w.stages.map((s) => `${s}%`).join(' → ') },
    ],
  });
  blocks.push({
    type: 'table',
    columns: ['governance', 'ok', 'detail'],
    rows: w.checklist.map((c) => [c.item, c.ok ? '✓' : '✗', c.detail]),
    emphasis: w.checklist.flatMap((c, i) => (c.ok ? [] : [i])),
  });
  const ok = w.checklist.every((c) => c.ok);
  return { kind: 'status', title: `${w.name} · status`, tone: ok ? 'success' : 'warning', blocks, ref: { workflow: w.name, team: w.team }, console: `/workflows#wf-${w.name}` };
}
