import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../src/chat/render/text.ts';
import { FIRST_STEP, firstStepCommand } from '../src/console/first-step.ts';
import { tempDir } from './helpers/harness.ts';

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => done({ code: code ?? -1, out }));
  });
}

const count = (text: string, what: string) => text.split(what).length - 1;
const number = (s: string) => Number(s.replace(/,/g, ''));

describe('npm run tour', () => {
  it('walks one upgrade end to end in 100 columns, saying each thing once, and suggests a first release whose gate holds', async () => {
    const dir = tempDir('air-tour-gate-');
    // The suggested step's gate, as `eval run` runs it on the built-in mock LLM, alongside the tour.
    const gate = run(['bin/ai-release.mjs', 'eval', 'run', FIRST_STEP.workflow, '--candidate-model', FIRST_STEP.model, '--no-cache'], { DATABASE_PATH: join(dir, 'gate.db') });
    const { code, out } = await run(['--import', 'tsx', 'scripts/tour.ts', '--exit'], { PORT: '0' });
    expect(code, out).toBe(0);

    // The story.
    expect(out).toMatch(/opens REL-1 — requester "config-file"/);
    expect(out).toMatch(/Gate passed/);
    expect(out).toMatch(/rule: approver/);
    expect(out).toMatch(/✅ Approved by dana at/);
    expect(out).toMatch(/canary starts at 5%/);
    expect(out).toMatch(/This time: regressed → rolled back/);
    expect(out).toMatch(/reported rate .*High/);
    expect(out).toMatch(/release_rolled_back/);
    expect(out).toMatch(/chain verified/);
    expect(out).toMatch(/Spend digest · team support/);

    // Fits a 100-column terminal; the release card, the gate table and the wordings once.
    const wide = out.split('\n').filter((l) => displayWidth(l) > 100);
    expect(wide).toEqual([]);
    expect(count(out, 'pass-rate drop')).toBe(1);
    expect(count(out, 'Workflow:          support-triage')).toBe(2); // evaluating, then the verdict; approval shows what changed
    expect(out).not.toMatch(/config-file via config-file|Gate: pass —|Gate passed by gate|\(s\)|\(1 needed\)/);

    // --exit: nothing about a server that no longer runs.
    expect(out).not.toMatch(/air_rel_/);
    expect(out).not.toMatch(/Open http/);
    expect(out).toMatch(/Tour complete \(--exit\)/);

    // The suggested first release: the exact command, what will happen, and its gate passes or needs cost approval.
    expect(out).toContain(`  ${firstStepCommand()}\n`);
    expect(out).toMatch(/needs cost\s+approval/);
    const verdict = await gate;
    rmSync(dir, { recursive: true, force: true });
    expect([0, 4], verdict.out).toContain(verdict.code);

    // The README's tour numbers are what the tour prints, within the run-to-run spread of simulated
    // traffic (the candidate's reported rate comes from ~220 calls: a standard error of ~2.4 pp).
    const readme = readFileSync('README.md', 'utf8');
    const calls = number(/sticky: ([\d,]+) calls/.exec(out)![1]!);
    const readmeCalls = number(/about ([\d,]+) calls/.exec(readme)![1]!);
    expect(Math.abs(calls - readmeCalls) / readmeCalls).toBeLessThan(0.25);
    const [, candidate, baseline] = /Why: reported rate ([\d.]+)% vs ([\d.]+)%/.exec(out)!;
    const [, readmeCandidate, readmeBaseline] = /reported rate about (\d+)% vs (\d+)%/.exec(readme)!;
    expect(Math.abs(Number(candidate) - Number(readmeCandidate))).toBeLessThanOrEqual(8);
    expect(Math.abs(Number(baseline) - Number(readmeBaseline))).toBeLessThanOrEqual(1.5);
    expect(readme).toContain(firstStepCommand());
  }, 180_000);
});
