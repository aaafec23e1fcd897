import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblems, loadConfig } from '../../src/config/load.ts';
import { interpolateString } from '../../src/config/interpolate.ts';
import { removeConfigDirs, suiteYaml, writeConfigDir } from './config-dir.ts';

afterAll(removeConfigDirs);

/** Loads a config whose workflows all use prompts/triage.md and evals/triage.yaml; returns `path: message` lines. */
function check(yaml: string): string[] {
  const dir = writeConfigDir({ 'ai-release.yaml': yaml, 'prompts/triage.md': 'Hi\n', 'evals/triage.yaml': suiteYaml(20) });
  const result = loadConfig(join(dir, 'ai-release.yaml'), {});
  if (result.ok) return [];
  return formatProblems(result.problems).split('\n').map((line) => line.slice(join(dir, 'ai-release.yaml').length + 1));
}

const head = `pricing: { gpt-4.1-2025-04-14: { input: 2, output: 8 } }
providers: { openai: {} }
people:
  dana: { slack: U0DANA, teams: aad-1, roles: [finance] }
  sam: { slack: U0SAM, teams: aad-1 }
  ops: { roles: [admin] }
teams:
  support: { leaders: [dana, zoe] }
workflows:
`;
const workflow = (lines: string) => `  triage:
    team: support
    config: { provider: openai, model: gpt-4.1-2025-04-14, prompt: prompts/triage.md }
    evals: evals/triage.yaml
${lines}`;

describe('config check rules', () => {
  it('finds duplicate Teams ids, unknown leaders, duplicate approvers and too few approvers', () => {
    expect(check(head + workflow('    authority: execute-with-approval\n    approvers: [dana, sam, dana]\n    minApprovals: 2\n'))).toEqual([
      'people.sam.teams: Teams id aad-1 is also used by dana',
      'teams.support.leaders[1]: "zoe" is not defined in people',
      'workflows.triage.approvers[2]: "dana" is listed twice',
      'workflows.triage.approvers: needs at least 3 approvers (minApprovals 2 + 1, so a requesting approver leaves enough), has 2',
    ]);
  });

  it('accepts an execute workflow that lowers minApprovals to 1 with two approvers', () => {
    const lines = check(head + workflow('    authority: execute-with-approval\n    approvers: [dana, sam]\n    minApprovals: 1\n'));
    expect(lines.filter((l) => l.startsWith('workflows.'))).toEqual([]);
  });

  it('names every cap an execute-with-caps workflow lacks', () => {
    const lines = check(head + workflow('    authority: execute-with-caps\n    approvers: [dana, sam, ops]\n'));
    expect(lines).toContain('workflows.triage.caps: execute-with-caps needs caps.perRunUsd, caps.dailyUsd, caps.callsPerDay');
  });

  it('checks rollout stages are within 1..100', () => {
    const lines = check(head + workflow('    authority: draft\n    approvers: [dana, sam]\n    rollout: { stages: [0, 50, 150] }\n'));
    expect(lines.filter((l) => l.startsWith('workflows.'))).toEqual([
      'workflows.triage.rollout.stages[0]: stage 0 is outside 1..100',
      'workflows.triage.rollout.stages[2]: stage 150 is outside 1..100',
      'workflows.triage.rollout.stages: must end at 100 (ends at 150)',
    ]);
  });

  it('accepts escalation and override rates as extra critical canary metrics, and names anything else', () => {
    const ok = check(head + workflow('    authority: draft\n    approvers: [dana, sam]\n    rollout: { criticalExtras: [escalation rate, override rate] }\n'));
    expect(ok.filter((l) => l.startsWith('workflows.'))).toEqual([]);
    const bad = check(head + workflow('    authority: draft\n    approvers: [dana, sam]\n    rollout: { criticalExtras: [CSAT] }\n'));
    expect(bad.filter((l) => l.startsWith('workflows.'))).toEqual([
      'workflows.triage.rollout.criticalExtras[0]: must be one of: escalation rate, override rate (got the text "CSAT")',
    ]);
  });

  it('catches misspelt and mistyped keys with a message for the YAML author', () => {
    const lines = check(head + workflow('    authority: drafts\n    approvers: [dana, sam]\n    gate: { minPassrate: 0.9 }\n    retention: 3\n'));
    expect(lines.filter((l) => l.startsWith('workflows.'))).toEqual([
      'workflows.triage.authority: must be one of: read-only, draft, execute-with-approval, execute-with-caps (got the text "drafts")',
      'workflows.triage.retention: must be one of: full, hash, none (got number 3)',
      'workflows.triage.gate.minPassrate: unknown key "minPassrate" (check its spelling)',
    ]);
  });

  it('allows write tools only from execute-with-approval up', () => {
    const tools = '    config: { provider: openai, model: gpt-4.1-2025-04-14, prompt: prompts/triage.md, tools: [{ name: pay, effect: write, parameters: {} }] }\n';
    const yaml = (authority: string) =>
      `${head}  triage:\n    team: support\n${tools}    evals: evals/triage.yaml\n    authority: ${authority}\n    approvers: [dana, sam, ops]\n`;
    expect(check(yaml('read-only'))).toContain(
      'workflows.triage.config.tools[0].effect: tool "pay" writes, which a read-only workflow may not do; use execute-with-approval or execute-with-caps',
    );
    expect(check(yaml('execute-with-approval')).filter((l) => l.startsWith('workflows.'))).toEqual([]);
  });
});

describe('interpolateString', () => {
  it('replaces set variables, reports unset ones and keeps $${...} literal', () => {
    expect(interpolateString('http://${HOST}:${PORT}/v1', { HOST: 'h', PORT: '1' })).toEqual({ text: 'http://h:1/v1', unset: [] });
    expect(interpolateString('${A}-${B}', { A: 'a' })).toEqual({ text: 'a-', unset: ['B'] });
    expect(interpolateString('cost $${X} and $5', {})).toEqual({ text: 'cost ${X} and $5', unset: [] });
  });
});
