/**
 * What the gateway benchmarks share: child processes started and awaited until they say they
 * listen (and all stopped at exit), and the benchmark's configuration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const children: ChildProcess[] = [];

/** Stops every child started here (SIGTERM: ai-release flushes its receipts). */
export function stopChildren(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}

/** Starts `node ...cmd` and resolves with the first match of `ready` in its output. */
export function start(
  cmd: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  stream: 'stdout' | 'stderr',
  cwd?: string,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, cmd, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
  children.push(child);
  return new Promise((resolveStart, reject) => {
    let seen = '';
    const onData = (c: Buffer) => {
      seen += c.toString();
      const m = ready.exec(seen.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) resolveStart({ child, match: m });
    };
    child[stream]!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${cmd.join(' ')} exited with ${code}: ${seen}`)));
  });
}

/** A realistic workflow with caps (large enough not to trip during the run) and a budgeted team. */
export function writeBenchConfig(dir: string): string {
  const cfgDir = join(dir, 'config');
  mkdirSync(join(cfgDir, 'prompts'), { recursive: true });
  mkdirSync(join(cfgDir, 'evals'), { recursive: true });
  writeFileSync(
    join(cfgDir, 'prompts', 'support-triage.md'),
    '# support-triage\n\nYou are the support triage assistant for {{company}}. Answer with one JSON object: ' +
      '{"category": "billing|technical|account|shipping|other", "priority": "low|normal|high|urgent", "escalate": true|false, "summary": "..."}\n',
  );
  const cases = Array.from({ length: 20 }, (_, i) => `  - { id: c${i}, vars: { company: Acme }, input: "ticket ${i}", assert: [{ type: contains, value: billing }] }`);
  writeFileSync(join(cfgDir, 'evals', 'support-triage.yaml'), `cases:\n${cases.join('\n')}\n`);
  writeFileSync(
    join(cfgDir, 'ai-release.yaml'),
    `pricing:
  gpt-4.1-2025-04-14: { input: 2.00, cachedInput: 0.50, output: 8.00 }
providers:
  openai: { baseUrl: "\${OPENAI_BASE_URL}" }
people:
  dana: { slack: U0DANA, roles: [finance] }
  sam: { slack: U0SAM }
teams:
  support: { members: [sam], leaders: [dana], budget: { dailyUsd: 100000, monthlyUsd: 1000000 }, channels: { slack: C0SUPPORT } }
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
        - { name: lookup_order, effect: read, parameters: { type: object, properties: { id: { type: string } } } }
      guardrails: { allowedTools: [lookup_order], maxOutputTokens: 400 }
    evals: evals/support-triage.yaml
    caps: { perRunUsd: 0.05, dailyUsd: 50000, monthlyUsd: 500000, callsPerDay: 100000000 }
`,
  );
  return join(cfgDir, 'ai-release.yaml');
}

