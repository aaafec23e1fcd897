/**
 * Security: a gateway token of one team cannot touch another team's receipts, also not through
 * feedback sent before the receipt exists (`POST /v1/receipts/{id}/feedback` accepts early
 * feedback, and receipt ids reported by apps, or the gateway's time-ordered ids, can be guessed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestServer, type TestServer } from '../helpers/harness.ts';

let s: TestServer;
let support: string;
let finance: string;

beforeAll(async () => {
  s = await startTestServer();
  support = await s.gatewayToken('support');
  finance = await s.gatewayToken('finance-ops');
});
afterAll(() => s.close());

const row = (id: string) => s.store.receipts.get(id);

describe("early feedback cannot land on another team's receipt", () => {
  it("another team's early feedback is not merged into the receipt that later takes the id", async () => {
    // support guesses an id finance-ops will report, and pre-approves it with a bad csat.
    const early = await api(s.url, 'POST', '/v1/receipts/fin-order-42/feedback', support, { approved: true, csat: 1 });
    expect(early.status).toBe(202);
    // The finance app reports a write-tool answer that needs approval.
    const reported = await api(s.url, 'POST', '/v1/receipts', finance, {
      id: 'fin-order-42',
      workflow: 'gl-coding',
      cost_usd: 0.01,
      tool_calls: [{ name: 'post_journal_entry', arguments: { amount: 10 } }],
    });
    expect(reported.status).toBe(200);
    expect(await row('fin-order-42')).toMatchObject({ team: 'finance-ops', approved: null, csat: null, needs_approval: 1 });
    // And the stale guess is gone: no early feedback remains for that id.
    expect(await s.store.receipts.pendingFeedbackIds()).not.toContain('fin-order-42');
  });

  it("the owning team's early feedback still lands, even when another team guessed the same id", async () => {
    const own = await api(s.url, 'POST', '/v1/receipts/fin-order-43/feedback', finance, { escalated: true, csat: 4 });
    expect(own.status).toBe(202);
    // A later guess by another team does not overwrite it.
    const guess = await api(s.url, 'POST', '/v1/receipts/fin-order-43/feedback', support, { escalated: false, csat: 1 });
    expect(guess.status).toBe(202);
    const reported = await api(s.url, 'POST', '/v1/receipts', finance, { id: 'fin-order-43', workflow: 'gl-coding', cost_usd: 0.01 });
    expect(reported.status).toBe(200);
    expect(await row('fin-order-43')).toMatchObject({ team: 'finance-ops', escalated: 1, csat: 4 });
  });

  it('feedback on a written receipt of another team stays refused', async () => {
    const reported = await api(s.url, 'POST', '/v1/receipts', finance, { id: 'fin-order-44', workflow: 'gl-coding', cost_usd: 0.01 });
    expect(reported.status).toBe(200);
    const f = await api(s.url, 'POST', '/v1/receipts/fin-order-44/feedback', support, { approved: true });
    expect(f.status).toBe(403);
    expect(f.json.error.rule).toBe('team');
    expect((await row('fin-order-44'))!.approved).toBeNull();
  });
});
