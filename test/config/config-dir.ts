/** Writes a throwaway config folder (config file, prompts/, evals/) for one test. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const created: string[] = [];

/** Removes every folder `writeConfigDir` made (call from afterAll). */
export function removeConfigDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function writeConfigDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ai-release-config-'));
  created.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** An eval suite of `n` tiny cases that only need the `ticket` variable. */
export function suiteYaml(n: number): string {
  const cases = Array.from({ length: n }, (_, i) => `  - { id: case-${i + 1}, vars: { ticket: "t${i + 1}" }, input: "{{ticket}}", assert: [{ type: contains, value: ok }] }\n`);
  return `cases:\n${cases.join('')}`;
}

/** A minimal valid config with one workflow; `extra` lines are appended under the workflow. */
export function minimalConfig(opts: { model?: string; extra?: string; channel?: string } = {}): string {
  return `pricing:
  ${opts.model ?? 'gpt-4.1-2025-04-14'}: { input: 2, output: 8 }
providers:
  openai: { baseUrl: "\${OPENAI_BASE_URL}", apiKeyEnv: OPENAI_API_KEY }
people:
  dana: { slack: U0DANA, roles: [finance] }
  sam: { slack: U0SAM }
teams:
  support: { members: [sam], channels: { slack: "${opts.channel ?? 'C0SUPPORT'}" } }
workflows:
  triage:
    team: support
    authority: draft
    approvers: [dana, sam]
    config: { provider: openai, model: ${opts.model ?? 'gpt-4.1-2025-04-14'}, prompt: prompts/triage.md }
    evals: evals/triage.yaml
${opts.extra ?? ''}`;
}

export const minimalFiles = (config: string, cases = 20): Record<string, string> => ({
  'ai-release.yaml': config,
  'prompts/triage.md': 'Triage this ticket.\n',
  'evals/triage.yaml': suiteYaml(cases),
});
