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

export function statusCard(list: WorkflowStatus[], detailed: boolean): Card {
  const blocks: CardBlock[] = [];
  if (!detailed) {
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
    });
    const gaps = list.flatMap((w) => w.checklist.filter((c) => !c.ok).map((c) => `${w.name}: ${c.item} — ${c.detail}`));
    blocks.push({ type: 'context', text: gaps.length ? `Governance gaps: ${gaps.join('; ')}` : 'Governance checklist complete for every workflow.' });
    return { kind: 'status', title: `ai-release status · ${list.length} workflows`, tone: gaps.length ? 'warning' : 'success', blocks };
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
  return { kind: 'status', title: `${w.name} · status`, tone: ok ? 'success' : 'warning', blocks, ref: { workflow: w.name, team: w.team } };
}
