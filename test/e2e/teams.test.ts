/**
 * Microsoft Teams end to end: the real botbuilder CloudAdapter behind POST /api/messages, over
 * real HTTP, answering a local fake Bot Connector at the activities' serviceUrl (TEAMS_LOCAL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startTestServer, type TestServer } from '../helpers/harness.ts';
import {
  botAddedActivity,
  buttonData,
  cardOf,
  cardText,
  cardTitle,
  invokeActivity,
  messageActivity,
  sendActivity,
  startFakeConnector,
  type FakeConnector,
} from '../helpers/fake-connector.ts';
import { applyTransition } from '../../src/services/releases.ts';
import { emitDigest } from '../../src/services/notify.ts';
import { noticeCard } from '../../src/core/views/common.ts';

const DANA = { aad: '6f1c2d3e-0000-4000-8000-00000000da7a', name: 'Dana' }; // approver of support-triage, finance
const TOMAS = { aad: '2b7e4c91-0000-4000-8000-0000000070a5', name: 'Tomas' }; // support team member, not an approver
const SUPPORT = '19:support@thread.tacv2';
const GENERAL = '19:team-general@thread.tacv2';

let t: TestServer;
let fc: FakeConnector;

beforeAll(async () => {
  fc = await startFakeConnector();
  t = await startTestServer({ env: { TEAMS_LOCAL: 'true' } });
});
afterAll(async () => {
  await t?.close();
  await fc?.close();
});

/** The post of a release's card in a conversation, and the card it shows now (after any PUT). */
async function shownCard(conversationId: string, key: string, title: RegExp): Promise<{ activityId: string; card: any }> {
  const post = () => fc.callsOf('post', conversationId).find((c) => cardTitle(cardOf(c)).startsWith(`${key} `));
  const now = () => {
    const p = post();
    if (!p) return undefined;
    const last = fc.callsOf('update', conversationId).filter((c) => c.activityId === p.activityId).at(-1) ?? p;
    return { activityId: p.activityId, card: cardOf(last) };
  };
  await fc.waitFor(() => title.test(cardTitle(now()?.card)));
  return now()!;
}

/** A release of support-triage waiting for approval (the gate's verdict set directly). */
async function releaseAwaitingApproval(): Promise<{ id: number; key: string }> {
  const res = await api(t.url, 'POST', '/v1/releases', await t.token('eli'), { workflow: 'support-triage', model: 'gpt-4.1-mini-2025-04-14', reason: 'cheaper' });
  expect(res.status).toBe(201);
  const id = Number(String(res.json.id ?? res.json.key).replace(/^REL-/, ''));
  const ctx = t.server.runtime.ctx;
  await ctx.store.releases.setVerdict(id, { outcome: 'pass', rows: [] }, 'pass', ctx.now());
  const out = await applyTransition(ctx, id, 'gate_passed', 'gate', {}, 'evaluating');
  expect(out.ok).toBe(true);
  await t.server.pump();
  return { id, key: `REL-${id}` };
}

describe('Teams over the Bot Framework protocol (TEAMS_LOCAL)', () => {
  it('answers a mention in a channel with Adaptive Cards, in the thread, without fetching tokens', async () => {
    const a = messageActivity(fc.serviceUrl, TOMAS, { kind: 'channel', channel: SUPPORT, root: 'root-1' }, 'status support-triage');
    const res = await sendActivity(t.url, a);
    expect(res.status).toBe(200);
    const replies = fc.callsOf('reply', `${SUPPORT};messageid=root-1`).filter((c) => c.replyToId === a.id);
    expect(replies.length).toBeGreaterThan(0);
    const card = cardOf(replies[0]!);
    expect(replies[0]!.body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.version).toBe('1.5');
    expect(cardText(card)).toContain('support-triage');
    // No app id: the connector client sends no token (nothing fetched from the internet).
    expect(replies[0]!.authorization).toBeUndefined();
  });

  it('answers a command it cannot parse with the verb usage, and an unknown user may still ask for help', async () => {
    const bad = messageActivity(fc.serviceUrl, TOMAS, { kind: 'personal', id: 'a:tomas-1on1' }, 'promote');
    expect((await sendActivity(t.url, bad)).status).toBe(200);
    const usage = fc.callsOf('reply', 'a:tomas-1on1').find((c) => c.replyToId === bad.id)!;
    expect(cardText(cardOf(usage))).toMatch(/promote <release\|workflow>/);

    const stranger = messageActivity(fc.serviceUrl, { aad: '00000000-0000-4000-8000-00000000beef' }, { kind: 'groupChat', id: '19:chat-1@unq.gbl.spaces' }, 'help');
    expect((await sendActivity(t.url, stranger)).status).toBe(200);
    const help = fc.callsOf('reply', '19:chat-1@unq.gbl.spaces').find((c) => c.replyToId === stranger.id)!;
    expect(cardTitle(cardOf(help))).toContain('help');
  });

  it('posts a release card to the team channel; an approver\'s click transitions it and updates the post; a non-approver\'s and a repeated click change nothing', async () => {
    // The bot is installed in the team: its reference lets it post to the team's channels.
    expect((await sendActivity(t.url, botAddedActivity(fc.serviceUrl, DANA, { kind: 'channel', channel: GENERAL }))).status).toBe(200);

    const rel = await releaseAwaitingApproval();
    const posted = await shownCard(SUPPORT, rel.key, /awaiting approval/i);
    expect(fc.callsOf('post', SUPPORT).filter((c) => cardTitle(cardOf(c)).startsWith(`${rel.key} `))).toHaveLength(1);
    const approve = buttonData(posted.card, 'approve');
    const where = { kind: 'channel' as const, channel: SUPPORT, root: posted.activityId };

    // Tomas is in the team but not an approver: refused, naming the rule; nothing changes.
    const refused = await sendActivity(t.url, invokeActivity(fc.serviceUrl, TOMAS, where, posted.activityId, approve));
    expect(refused.status).toBe(200);
    expect(refused.body.statusCode).toBe(200);
    expect(refused.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(refused.body.value)).toMatch(/rule: /);
    expect((await t.store.releases.get(rel.id))!.state).toBe('awaiting_approval');

    // Dana approves: the invoke is answered with the updated card, and the channel post is PUT.
    const updatesBefore = fc.callsOf('update', SUPPORT).filter((c) => c.activityId === posted.activityId).length;
    const click = invokeActivity(fc.serviceUrl, DANA, where, posted.activityId, approve);
    const ok = await sendActivity(t.url, click);
    expect(ok.status).toBe(200);
    expect((await t.store.releases.get(rel.id))!.state).toBe('canary');
    expect(cardTitle(ok.body.value)).toMatch(/canary/i);
    expect(cardText(ok.body.value)).toMatch(/Approved by dana/);
    await t.server.pump();
    await fc.waitFor(() => fc.callsOf('update', SUPPORT).filter((c) => c.activityId === posted.activityId).length > updatesBefore);
    const put = fc.callsOf('update', SUPPORT).filter((c) => c.activityId === posted.activityId).at(-1)!;
    expect(cardTitle(cardOf(put))).toMatch(/canary/i);

    // The same invoke delivered again: one transition, one audit event.
    const again = await sendActivity(t.url, click);
    expect(again.status).toBe(200);
    expect(cardTitle(again.body.value)).toMatch(/canary/i);
    const approvals = (await t.store.audit.list({ releaseId: rel.id })).filter((e) => e.action === 'release_approved');
    expect(approvals).toHaveLength(1);
    expect((await t.store.releases.get(rel.id))!.state).toBe('canary');

    // A promote click delivered twice (a retry, same activity id): promoted once, not twice.
    const promote = buttonData(cardOf(put), 'promote');
    const promoteClick = invokeActivity(fc.serviceUrl, DANA, where, posted.activityId, promote);
    expect(cardTitle((await sendActivity(t.url, promoteClick)).body.value)).toMatch(/ramp/i);
    expect(cardTitle((await sendActivity(t.url, promoteClick)).body.value)).toMatch(/ramp/i);
    expect((await t.store.releases.get(rel.id))!.state).toBe('ramp');
    const promotions = { n: (await t.store.audit.list({ releaseId: rel.id })).filter((e) => e.action === 'release_promoted').length };
    expect(promotions.n).toBe(1);

    // A transition made elsewhere (the API, as the CLI does) updates the Teams card too.
    const paused = await api(t.url, 'POST', `/v1/releases/${rel.key}/pause`, await t.token('eli'), {});
    expect(paused.status).toBe(200);
    await t.server.pump();
    await fc.waitFor(() => fc.callsOf('update', SUPPORT).some((c) => c.activityId === posted.activityId && /paused/i.test(cardTitle(cardOf(c)))));

    // Roll it back so the next test can open a release of the same workflow.
    expect((await api(t.url, 'POST', `/v1/releases/${rel.key}/rollback`, await t.token('eli'), { reason: 'test done' })).status).toBe(200);
    await t.server.pump();
  });

  it('a Reject click carries the typed reason', async () => {
    const rel = await releaseAwaitingApproval();
    const posted = await shownCard(SUPPORT, rel.key, /awaiting approval/i);
    // Dana looks at it in her 1:1 first: that reply shows the release card and is kept up to date too.
    const look = messageActivity(fc.serviceUrl, DANA, { kind: 'personal', id: 'a:dana-look' }, 'status support-triage');
    await sendActivity(t.url, look);
    const shown = fc.callsOf('reply', 'a:dana-look').find((c) => c.replyToId === look.id && cardTitle(cardOf(c)).startsWith(`${rel.key} `))!;
    expect(cardTitle(cardOf(shown))).toMatch(/awaiting approval/i);

    const reject = { ...buttonData(posted.card, 'reject'), reason: 'too "risky" this week' };
    const res = await sendActivity(t.url, invokeActivity(fc.serviceUrl, DANA, { kind: 'channel', channel: SUPPORT, root: posted.activityId }, posted.activityId, reject));
    expect(res.status).toBe(200);
    expect((await t.store.releases.get(rel.id))!.state).toBe('rejected');
    const audit = (await t.store.audit.list({ releaseId: rel.id })).find((e) => e.action === 'release_rejected')!;
    expect(audit.data.reason).toBe('too "risky" this week');
    await t.server.pump();
    await fc.waitFor(() => fc.callsOf('update', 'a:dana-look').some((c) => c.activityId === shown.activityId && /rejected/i.test(cardTitle(cardOf(c)))));
  });

  it('sends a digest to the channel and to a leader who has a 1:1 with the bot', async () => {
    const dm = messageActivity(fc.serviceUrl, DANA, { kind: 'personal', id: 'a:dana-1on1' }, 'help');
    await sendActivity(t.url, dm);
    const ctx = t.server.runtime.ctx;
    await emitDigest(ctx.store, { team: 'support', card: noticeCard('Spend digest · support', 'yesterday: $1.23'), leaders: ['dana', 'eli'], now: ctx.now() });
    await t.server.pump();
    await fc.waitFor((c) => c.some((x) => x.kind === 'post' && x.conversationId === 'a:dana-1on1' && cardTitle(cardOf(x)).includes('Spend digest')));
    expect(fc.callsOf('post', SUPPORT).some((c) => cardTitle(cardOf(c)).includes('Spend digest'))).toBe(true);
  });
});

describe('a direct message to someone who never wrote to the bot', () => {
  it('opens the 1:1 through the Bot Connector (POST /v3/conversations) and posts there, once', async () => {
    const fresh = await startTestServer({ env: { TEAMS_LOCAL: 'true' } });
    const conn = await startFakeConnector();
    try {
      // The bot is only in the support team (installed there); dana never wrote to it.
      expect((await sendActivity(fresh.url, botAddedActivity(conn.serviceUrl, TOMAS, { kind: 'channel', channel: GENERAL }))).status).toBe(200);
      const ctx = fresh.server.runtime.ctx;
      for (const title of ['Spend digest · support', 'Spend digest · support (2)']) {
        await emitDigest(ctx.store, { team: 'support', card: noticeCard(title, 'yesterday: $1.23'), leaders: ['dana'], now: ctx.now() });
        await fresh.server.pump();
      }
      await conn.waitFor((c) => c.filter((x) => x.kind === 'post' && cardTitle(cardOf(x)).startsWith('Spend digest · support (2)')).length === 2);
      const creates = conn.callsOf('create');
      expect(creates).toHaveLength(1);
      expect(creates[0]!.body).toMatchObject({ isGroup: false, members: [{ id: DANA.aad }], tenantId: expect.any(String) });
      const dm = creates[0]!.conversationId;
      expect(conn.callsOf('post', dm).map((c) => cardTitle(cardOf(c)))).toEqual(['Spend digest · support', 'Spend digest · support (2)']);
    } finally {
      await fresh.close();
      await conn.close();
    }
  });
});

describe('Teams with an app id', () => {
  it('refuses a request without a valid Bot Framework token (401)', async () => {
    const s = await startTestServer({
      env: { MICROSOFT_APP_ID: '0b5f3c1e-1111-4000-8000-000000000abc', MICROSOFT_APP_PASSWORD: 'not-a-real-secret' },
    });
    try {
      const a = messageActivity('http://127.0.0.1:9/', DANA, { kind: 'personal' }, 'help');
      expect((await sendActivity(s.url, a)).status).toBe(401);
      expect((await sendActivity(s.url, a, { authorization: 'Bearer not-a-jwt' })).status).toBe(401);
      expect(await s.store.conversations.latest()).toBeUndefined();
    } finally {
      await s.close();
    }
  });
});
