/**
 * The gateway tests' own configuration (so they don't move when the example file does): a draft
 * workflow with a read tool, an execute-with-approval one with a write tool (retention hash), and
 * a small-budget one (retention none) for the budget tests.
 */
import { writeConfigDir } from '../config/config-dir.ts';
import { join } from 'node:path';

function suite(vars: string): string {
  const cases = Array.from({ length: 20 }, (_, i) => `  - { id: c${i + 1}, vars: { ${vars} }, input: "case ${i + 1}", assert: [{ type: contains, value: ok }] }\n`);
  return `cases:\n${cases.join('')}`;
}

export interface BudgetKnobs {
  /** Team daily budget (USD). */
  teamDaily?: number;
  perRunUsd?: number;
  dailyUsd?: number;
  callsPerDay?: number;
}

export function gatewayConfigDir(b: BudgetKnobs = {}): string {
  const caps = [
    b.perRunUsd !== undefined ? `perRunUsd: ${b.perRunUsd}` : '',
    b.dailyUsd !== undefined ? `dailyUsd: ${b.dailyUsd}` : '',
    b.callsPerDay !== undefined ? `callsPerDay: ${b.callsPerDay}` : '',
  ].filter(Boolean);
  const config = `pricing:
  gpt-4.1-2025-04-14: { input: 2.00, cachedInput: 0.50, output: 8.00 }
  gpt-4.1-mini-2025-04-14: { input: 0.40, cachedInput: 0.10, output: 1.60 }
providers:
  openai: { baseUrl: "\${OPENAI_BASE_URL}" }
people:
  dana: { slack: U0DANA, roles: [finance] }
  sam: { slack: U0SAM }
  eli: { slack: U0ELI }
  lena: { slack: U0LENA, roles: [finance] }
  priya: { slack: U0PRIYA }
teams:
  support:
    members: [eli]
    leaders: [dana]
    budget: { dailyUsd: 50, monthlyUsd: 1000 }
    channels: { slack: C0SUPPORT }
  finance-ops:
    members: [priya]
    leaders: [lena]
    channels: { slack: C0FINOPS }
  labs:
    members: [sam]
    leaders: [dana]
    budget: { ${b.teamDaily !== undefined ? `dailyUsd: ${b.teamDaily}, ` : ''}monthlyUsd: 1000 }
    channels: { slack: C0LABS }
workflows:
  support-triage:
    team: support
    authority: draft
    approvers: [dana, sam]
    retention: full
    config:
      provider: openai
      model: gpt-4.1-2025-04-14
      prompt: prompts/support-triage.md
      params: { temperature: 0, max_tokens: 400 }
      tools:
        - { name: lookup_order, effect: read, parameters: { type: object, properties: { id: { type: string } }, required: [id], additionalProperties: false } }
      guardrails: { allowedTools: [lookup_order], maxOutputTokens: 400 }
    evals: evals/support-triage.yaml
    rollout: { stages: [5, 25, 100], minBakeMinutes: 60, minSamples: 200 }
    caps: { perRunUsd: 0.05, dailyUsd: 20, monthlyUsd: 400, callsPerDay: 50000 }
  gl-coding:
    team: finance-ops
    authority: execute-with-approval
    approvers: [dana, lena, priya]
    retention: hash
    config:
      provider: openai
      model: gpt-4.1-2025-04-14
      prompt: prompts/gl-coding.md
      params: { temperature: 0, max_tokens: 300 }
      tools:
        - { name: lookup_vendor, effect: read, parameters: { type: object, properties: { name: { type: string } } } }
        - { name: post_journal_entry, effect: write, parameters: { type: object, properties: { gl_account: { type: string }, amount: { type: number } } } }
      guardrails: { allowedTools: [lookup_vendor, post_journal_entry], maxOutputTokens: 300 }
    evals: evals/gl-coding.yaml
    caps: { perRunUsd: 0.03, dailyUsd: 15, monthlyUsd: 300, callsPerDay: 20000 }
  lab-notes:
    team: labs
    authority: draft
    approvers: [dana, sam]
    retention: none
    config:
      provider: openai
      model: gpt-4.1-mini-2025-04-14
      prompt: prompts/lab-notes.md
      params: { max_tokens: 1000 }
    evals: evals/lab-notes.yaml
    caps: { ${caps.join(', ')} }
`;
  return writeConfigDir({
    'ai-release.yaml': config,
    'prompts/support-triage.md': '# support-triage\n\nYou are the support triage assistant for {{company}}.\n',
    'prompts/gl-coding.md': '# gl-coding\n\nYou code invoices for {{entity}}.\n',
    'prompts/lab-notes.md': '# lab-notes\n\nSummarise the notes.\n',
    'evals/support-triage.yaml': suite('company: Acme'),
    'evals/gl-coding.yaml': suite('entity: Acme'),
    'evals/lab-notes.yaml': suite(''),
  });
}

export const configFile = (dir: string): string => join(dir, 'ai-release.yaml');
