import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '../../scripts/mock-llm.ts';
import { openApp } from '../../src/app.ts';
import { main, type CliIo } from '../../src/cli/main.ts';
import type { GateVerdict } from '../../src/core/gate.ts';
import { castVote } from '../../src/services/review.ts';
import { requestRelease } from '../../src/services/request.ts';
import type { ReleaseRecord } from '../../src/store/repos/releases.ts';
import { personToken, startTestServer, tempDir, type TestServer } from '../helpers/harness.ts';
import { exampleConfigCopy } from './fixture.ts';

let mock: MockLlm;
let configPath: string;

beforeAll(async () => {
  mock = await startMockLlm({ port: 0, seed: 5, latencyMs: 2, errorRate: 0, rateLimitRate: 0 });
  configPath = exampleConfigCopy({ gate: { maxTokensPerRunIncrease: 5, maxEscalationRateIncrease: 0.1 }, humanReview: { sample: 4, required: true } });
});
afterAll(async () => {
  await mock.close();
});

async function server(dir?: string): Promise<TestServer> {
  return startTestServer({ env: { OPENAI_BASE_URL: mock.url }, settings: { configPath }, ...(dir ? { dir } : {}) });
}

/** The CLI, in this process but on its own database connection, as `person`. */
async function cliAs(s: TestServer, person: string, ...argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => out.push(t),
    env: { DATABASE_PATH: s.settings.databasePath, AI_RELEASE_CONFIG: configPath, AI_RELEASE_TOKEN: await s.token(person), OPENAI_BASE_URL: mock.url },
    color: false,
  };
  const code = await main(argv, io);
  return { code, out: out.join('\n') };
}

async function settled(s: TestServer, id: number, states: string[] = ['awaiting_approval', 'gate_failed']): Promise<ReleaseRecord> {
  for (let i = 0; i < 600; i++) {
    await s.server.pump();
    const r = (await s.store.releases.get(id))!;
    if (states.includes(r.state)) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`REL-${id} never reached ${states.join(' or ')}: ${(await s.store.releases.get(id))!.state}`);
}

const releaseIdOf = (out: string): number => Number(/REL-(\d+) requested/.exec(out)![1]);

describe('the background gate', () => {
  it('a request from the CLI is evaluated by the server: awaiting approval with a verdict, review pairs and their card', async () => {
    const s = await server();
    try {
      const req = await cliAs(s, 'eli', 'request', 'support-triage', '--param', 'temperature=0.2', '--reason', 'warmer');
      expect(req.code).toBe(0);
      const id = releaseIdOf(req.out);
      expect((await s.store.releases.get(id))!.state).toBe('evaluating');
      const r = await settled(s, id);
      expect(r.state).toBe('awaiting_approval');
      expect(r.gateOutcome).toBe('pass');
      const v = r.verdict as GateVerdict;
      expect(v.rows.map((x) => x.rule)).toEqual(expect.arrayContaining(['minPassRate', 'maxPassRateDrop', 'maxCostPerRunIncrease', 'humanReview']));
      expect(v.baseline.runs).toBe(v.candidate.runs);
      expect(await s.store.evalResults.load(id, r.gateRuns)).toHaveLength(v.baseline.runs * 2);
      const receipts = (await s.store.receipts.list({ workflow: 'support-triage', purpose: 'eval', limit: 100_000 })).filter(
        (x) => x.release_id === id && (x.variant === 'baseline' || x.variant === 'candidate'),
      );
      expect(receipts).toHaveLength(v.baseline.runs * 2);
      // Review card: 4 pairs, a choice of 👍/👎/tie each, with the vote commands.
      expect(await s.store.review.listPairs(id, r.gateRuns)).toHaveLength(4);
      const alert = (await s.store.events.after(0, 10_000)).find((e) => e.kind === 'alert' && e.releaseId === id && e.payload.condition === 'human_review')!;
      const card = alert.payload.card as { kind: string; blocks: { type: string; options?: { command: string }[] }[] };
      expect(card.kind).toBe('review');
      const votes = card.blocks.flatMap((b) => (b.type === 'choice' ? b.options!.map((o) => o.command) : []));
      expect(votes).toContain(`vote REL-${id} 1 candidate`);
      expect(votes).toContain(`vote REL-${id} 4 baseline`);
      expect(card.blocks.filter((b) => b.type === 'fields')).toHaveLength(4);
      expect(alert.payload.notify).not.toContain('eli');

      // Approval waits for every pair's vote (required: true).
      const early = await cliAs(s, 'dana', 'approve', `REL-${id}`);
      expect(early.code).toBe(3);
      expect(early.out).toMatch(/human review: 0 of 4 pairs voted/);

      // The candidate voted worse on 3 of 4 pairs: the verdict fails and the release leaves approval.
      const ctx = s.server.runtime.ctx;
      const tomas = { person: ctx.config.people.tomas!, surface: 'cli' as const };
      for (const pair of [1, 2, 3]) expect((await castVote(ctx, tomas, `REL-${id}`, pair, 'baseline')).ok).toBe(true);
      expect((await castVote(ctx, tomas, `REL-${id}`, 4, 'candidate')).ok).toBe(true);
      const failed = await settled(s, id, ['gate_failed']);
      expect(failed.gateOutcome).toBe('fail');
      expect((failed.verdict as GateVerdict).failed).toEqual(['humanReview']);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('a nano-model candidate reaches gate_failed; a pricier model of equal quality passes with needs_cost_approval', async () => {
    const s = await server();
    try {
      const nano = await cliAs(s, 'eli', 'request', 'support-triage', '--model', 'gpt-4.1-nano-2025-04-14');
      const r = await settled(s, releaseIdOf(nano.out));
      expect(r.state).toBe('gate_failed');
      expect((r.verdict as GateVerdict).failed).toContain('minPassRate');
      expect((await cliAs(s, 'eli', 'cancel', r.key)).code).toBe(0);

      const gpt5 = await cliAs(s, 'eli', 'request', 'support-triage', '--model', 'gpt-5-2025-08-07');
      const r5 = await settled(s, releaseIdOf(gpt5.out));
      expect(r5.state).toBe('awaiting_approval');
      expect(r5.gateOutcome).toBe('needs_cost_approval');
      const cost = (r5.verdict as GateVerdict).rows.find((x) => x.rule === 'maxCostPerRunIncrease')!;
      expect(cost.outcome).toBe('cost_approval');
    } finally {
      await s.close();
    }
  }, 60_000);

  it('a release found in evaluating at start is evaluated again; a result for a cancelled release is dropped', async () => {
    const dir = tempDir();
    // Requested while no server runs (the CLI alone).
    const app = await openApp({ port: 0, databasePath: join(dir, 'ai-release.db'), configPath, tz: 'UTC', logLevel: 'error' }, { env: { OPENAI_BASE_URL: mock.url } });
    const ctx = app.ctx;
    const out = await requestRelease(ctx, { person: ctx.config.people.eli!, surface: 'cli' }, { workflow: 'support-triage', params: { temperature: 0.3 }, source: 'cli' });
    expect(out.ok).toBe(true);
    const id = out.ok ? out.value.id : 0;
    await app.close();

    const s = await server(dir);
    try {
      const r = await settled(s, id);
      expect(r.state).toBe('awaiting_approval');
      expect(r.gateRuns).toBe(1);

      // A passed gate is not re-run (the contract: evals again from gate_failed only).
      expect((await cliAs(s, 'eli', 'evals', `REL-${id}`)).code).toBe(3);
      expect((await cliAs(s, 'eli', 'cancel', `REL-${id}`)).code).toBe(0);

      // A new request cancelled while its gate runs: the stale verdict must not land.
      const next = await cliAs(s, 'eli', 'request', 'support-triage', '--param', 'temperature=0.4');
      expect(next.code).toBe(0);
      const nextId = releaseIdOf(next.out);
      expect((await cliAs(s, 'eli', 'cancel', `REL-${nextId}`)).code).toBe(0);
      for (let i = 0; i < 20; i++) {
        await s.server.pump();
        await new Promise((res) => setTimeout(res, 50));
      }
      const after = (await s.store.releases.get(nextId))!;
      expect(after.state).toBe('cancelled');
      expect(after.verdict).toBeNull();
    } finally {
      await s.close();
    }
  }, 60_000);
});
