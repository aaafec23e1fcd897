/**
 * A small configuration written to a temporary folder: two teams, two workflows, a 20-case suite.
 * Tests use it to stay independent of the example configuration.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './harness.ts';

export interface MiniConfigOptions {
  /** Extra YAML appended under `workflows.alpha` (e.g. rollout overrides), as an object. */
  alpha?: Record<string, unknown>;
  minApprovals?: number;
  prompt?: string;
  model?: string;
  stages?: number[];
  humanReviewRequired?: boolean;
}

export function suiteYaml(cases = 20, opts: { humanReviewRequired?: boolean } = {}): string {
  const lines = ['repeats: 1', `humanReview: { sample: 2, required: ${opts.humanReviewRequired ? 'true' : 'false'} }`, 'escalation: { path: escalate }', 'cases:'];
  for (let i = 0; i < cases; i++) {
    lines.push(`  - id: case-${i}`, `    vars: { ticket: "ticket number ${i}" }`, '    input: "Ticket: {{ticket}}"', '    assert:', '      - { type: regex, pattern: "." }');
  }
  return `${lines.join('\n')}\n`;
}

export function writeMiniConfig(opts: MiniConfigOptions = {}, dir = tempDir('air-cfg-')): { dir: string; file: string } {
  mkdirSync(join(dir, 'prompts'), { recursive: true });
  mkdirSync(join(dir, 'evals'), { recursive: true });
  writeFileSync(join(dir, 'prompts', 'alpha.md'), opts.prompt ?? '# alpha\nClassify the ticket. Answer JSON {"category": ..., "escalate": bool}.\n');
  writeFileSync(join(dir, 'prompts', 'alpha-v2.md'), '# alpha\nClassify the ticket carefully. Answer JSON {"category": ..., "escalate": bool}.\n');
  writeFileSync(join(dir, 'prompts', 'beta.md'), '# beta\nSummarise {{ticket}}.\n');
  writeFileSync(join(dir, 'evals', 'alpha.yaml'), suiteYaml(20, { humanReviewRequired: opts.humanReviewRequired }));
  writeFileSync(join(dir, 'evals', 'beta.yaml'), suiteYaml(20));
  const stages = JSON.stringify(opts.stages ?? [5, 25, 100]);
  const extra = opts.alpha ? Object.entries(opts.alpha).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join('\n') : '';
  const yaml = `pricing:
  gpt-4.1-2025-04-14: { input: 2.00, cachedInput: 0.50, output: 8.00 }
  gpt-4.1-mini-2025-04-14: { input: 0.40, cachedInput: 0.10, output: 1.60 }
  gpt-4.1-nano-2025-04-14: { input: 0.10, cachedInput: 0.025, output: 0.40 }
  gpt-5-2025-08-07: { input: 1.25, cachedInput: 0.125, output: 10.00 }
providers:
  openai: { baseUrl: "\${OPENAI_BASE_URL}", apiKeyEnv: OPENAI_API_KEY }
evalDefaults: { concurrency: 4, timeoutMs: 5000 }
people:
  dana: { slack: U0DANA, teams: 6f1c2d3e-0000-4000-8000-00000000da7a, roles: [finance] }
  sam: { slack: U0SAM }
  eli: { slack: U0ELI }
  ops: { slack: U0OPS, roles: [admin] }
  kim: { slack: U0KIM }
  lee: { slack: U0LEE }
  zed: { slack: U0ZED }
teams:
  support:
    members: [eli]
    leaders: [dana]
    budget: { dailyUsd: 50, monthlyUsd: 1000 }
    channels: { slack: C0SUPPORT, teams: "19:support@thread.tacv2" }
  research:
    members: [zed]
    leaders: [lee]
    channels: { slack: C0RESEARCH }
workflows:
  alpha:
    team: support
    authority: draft
    approvers: [dana, sam, kim]
    minApprovals: ${opts.minApprovals ?? 1}
    config:
      provider: openai
      model: ${opts.model ?? 'gpt-4.1-2025-04-14'}
      prompt: prompts/alpha.md
      params: { temperature: 0, max_tokens: 200 }
    evals: evals/alpha.yaml
    gate: { minPassRate: 0.9 }
    rollout: { stages: ${stages}, minBakeMinutes: 60, minSamples: 200 }
    caps: { perRunUsd: 0.05, dailyUsd: 20, monthlyUsd: 400, callsPerDay: 50000 }
${extra}
  beta:
    team: research
    authority: read-only
    approvers: [lee, zed]
    config:
      provider: openai
      model: gpt-4.1-mini-2025-04-14
      prompt: prompts/beta.md
    evals: evals/beta.yaml
`;
  const file = join(dir, 'ai-release.yaml');
  writeFileSync(file, yaml);
  return { dir, file };
}
