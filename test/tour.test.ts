import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function tour(): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/tour.ts', '--exit'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => done({ code: code ?? -1, out }));
  });
}

describe('npm run tour', () => {
  it('walks one upgrade end to end: request from a config change, gate, approval, canary, regression, rollback, digest, console', async () => {
    const { code, out } = await tour();
    expect(code, out).toBe(0);
    expect(out).toMatch(/opens REL-1 — requester "config-file"/);
    expect(out).toMatch(/Gate: pass/);
    expect(out).toMatch(/rule: approver/);
    expect(out).toMatch(/Approved by dana/);
    expect(out).toMatch(/canary at 5%/);
    expect(out).toMatch(/This time: regressed → rolled_back/);
    expect(out).toMatch(/reported rate .*High/);
    expect(out).toMatch(/release_rolled_back/);
    expect(out).toMatch(/chain verified/);
    expect(out).toMatch(/Spend digest · team support/);
    expect(out).toMatch(/Open http:\/\/127\.0\.0\.1:\d+\/ and sign in/);
    expect(out).toMatch(/dana +air_rel_/);
  }, 120_000);
});
