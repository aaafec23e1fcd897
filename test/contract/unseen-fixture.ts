/** A configuration unlike the example (several providers, unusual model ids, 20/50-case suites). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/harness.ts';

export function suite(cases: number, opts: { escalation?: string; critic?: boolean; repeats?: number } = {}): string {
  const lines = [`repeats: ${opts.repeats ?? 1}`, 'humanReview: { sample: 60, required: true }', opts.escalation ?? 'escalation: { path: escalate }', 'cases:'];
  for (let i = 0; i < cases; i++) {
    lines.push(
      `  - id: c${i}`,
      '    vars: { shop: Acme, order: { id: "ORD-' + i + '" } }',
      '    input: "Order {{order.id}}"',
      '    threshold: 0.5',
      '    assert:',
      '      - { type: regex, pattern: "(?i)order", weight: 2 }',
      '      - { type: numeric, path: amount, value: 42, tolerance: 0.01 }',
      ...(opts.critic ? ['      - { type: not-critic, rubric: "rude" }'] : []),
    );
  }
  return lines.join('\n') + '\n';
}

export function writeConfig(opts: { critic: boolean; escalation?: string; cases?: number }): string {
  const dir = tempDir('air-unseen-');
  mkdirSync(join(dir, 'prompts'));
  mkdirSync(join(dir, 'evals'));
  writeFileSync(join(dir, 'prompts', 'p.md'), 'You are the order bot for {{shop}}.\n');
  writeFileSync(join(dir, 'evals', 's.yaml'), suite(opts.cases ?? 20, { escalation: opts.escalation, critic: true }));
  writeFileSync(join(dir, 'evals', 's50.yaml'), suite(50, { repeats: 5 }));
  const file = join(dir, 'ai-release.yaml');
  writeFileSync(
    file,
    `pricing:
  acme-large@v3: { input: 1.0, output: 2.0 }
  meta/llama-3.1-70b@v2: { input: 0.8, output: 0.8 }
  gpt-4o: { input: 2.5, output: 10 }
  judge-20250414: { input: 3, output: 15 }
providers:
  acme-llm: { baseUrl: "\${ACME_URL}", apiKeyEnv: ACME_KEY }
  openai: { baseUrl: "\${OAI_URL}", apiKeyEnv: OAI_KEY }
  judge: { apiKeyEnv: JUDGE_KEY }
evalDefaults: { concurrency: 2${opts.critic ? ', critic: { provider: judge, model: judge-20250414 }' : ''} }
people:
  ann: { slack: U1ANN, roles: [finance, admin] }
  cy: { roles: [finance] }
  eve: {}
teams:
  quiet: { members: [eve] }
workflows:
  acme-flow:
    team: quiet
    authority: execute-with-caps
    approvers: [ann, cy, eve]
    config: { provider: acme-llm, model: acme-large@v3, prompt: prompts/p.md }
    evals: evals/s.yaml
    rollout: { stages: [1, 2, 5, 10, 50, 100], minBakeMinutes: 0, minSamples: 1, autoPromote: true }
    caps: { perRunUsd: 1, dailyUsd: 10, callsPerDay: 1000 }
  floaty:
    team: quiet
    authority: read-only
    approvers: [ann, cy]
    config: { provider: openai, model: gpt-4o, allowFloating: true, prompt: prompts/p.md }
    evals: evals/s50.yaml
    rollout: { stages: [100] }
  llama:
    team: quiet
    authority: draft
    approvers: [ann, cy]
    config: { provider: openai, model: meta/llama-3.1-70b@v2, prompt: prompts/p.md }
    evals: evals/s50.yaml
`,
  );
  return file;
}

