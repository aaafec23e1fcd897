/**
 * The Slack app end to end: the real Bolt app on the real server over HTTP, signed like Slack
 * signs, against a local fake of the Slack Web API that records every call.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureSlackQueue, slackSettled } from '../../src/chat/slack/plugin.ts';
import { applyTransition, performVerb } from '../../src/services/releases.ts';
import { emitAlert, emitDigest } from '../../src/services/notify.ts';
import { noticeCard } from '../../src/core/views/common.ts';
import {
  blockActionBody,
  eventBody,
  postSigned,
  slashCommandBody,
  startFakeSlack,
  viewSubmissionBody,
  type FakeSlack,
  type StoredMessage,
} from '../helpers/fake-slack.ts';
import { api, startTestServer, type TestServer } from '../helpers/harness.ts';

const SECRET = 'test-signing-secret-0123456789';
const CHANNEL = 'C0SUPPORT';
let fake: FakeSlack;
let ts: TestServer;
let seq = 0;
const uid = (p: string) => `${p}-${++seq}`;

beforeAll(() => configureSlackQueue({ perSecond: 1000 }));
afterAll(() => configureSlackQueue(undefined));

beforeEach(async () => {
  fake = await startFakeSlack();
  ts = await startTestServer({ env: { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl } });
});
afterEach(async () => {
  await ts.close();
  await fake.close();
});

async function slash(user: string, text: string, opts: { forge?: boolean; tsSec?: number } = {}) {
  const id = uid('cmd');
  const res = await postSigned(ts.url, SECRET, slashCommandBody({ text, user, triggerId: `trig-${id}`, responseUrl: fake.responseUrl(id) }), opts);
  return { ...res, id };
}

/** The text of every block of a message (or response), for assertions. */
function textOf(m: { text?: string; blocks?: any[] }): string {
  return JSON.stringify(m.blocks ?? []) + (m.text ?? '');
}

function buttonsOf(m: StoredMessage): any[] {
  return m.blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements);
}

/** The release's one message in the support channel once it shows `what`. */
function releaseMessage(key: string, what?: string): Promise<StoredMessage> {
  return fake.waitFor(() => fake.messagesIn(CHANNEL).find((m) => m.text.includes(key) && (!what || textOf(m).includes(what))), `${key} message showing ${what ?? 'anything'}`);
}

/** eli requests a release from Slack; returns its id once its message is in the channel. */
async function requestFromSlack(): Promise<{ id: number; key: string }> {
  const r = await slash('U0ELI', 'request support-triage --model gpt-4.1-mini-2025-04-14 --reason "cheaper triage"');
  expect(r.status).toBe(200);
  const answer = await fake.waitFor(() => fake.responsesTo(r.id)[0], 'the command result');
  const key = /REL-\d+/.exec(textOf(answer.body))![0];
  await releaseMessage(key);
  return { id: Number(key.slice(4)), key };
}

/** Puts the release in awaiting_approval the way a passing gate would (or an admin override). */
async function awaitingApproval(id: number): Promise<StoredMessage> {
  const ctx = ts.server.runtime.ctx;
  const r = (await ctx.store.releases.get(id))!;
  if (r.state === 'evaluating') {
    await ctx.store.releases.setVerdict(id, { outcome: 'pass', summary: 'all rules hold', rows: [] }, 'pass', ctx.now());
    const out = await applyTransition(ctx, id, 'gate_passed', 'gate', { outcome: 'pass' }, 'evaluating');
    if (!out.ok) throw new Error(out.error.message);
  } else if (r.state === 'gate_failed') {
    const ops = ctx.config.people.ops!;
    const out = await performVerb(ctx, { person: ops, surface: 'cli' }, 'override', r.key, { reason: 'test setup' });
    if (!out.ok) throw new Error(out.error.message);
  }
  expect((await ctx.store.releases.get(id))!.state).toBe('awaiting_approval');
  await ts.server.pump();
  return fake.waitFor(() => {
    const m = fake.messagesIn(CHANNEL).find((x) => x.text.includes(`REL-${id}`));
    return m && buttonsOf(m).some((b) => b.action_id === 'air:approve') ? m : undefined;
  }, 'the Approve button');
}

function click(user: string, m: StoredMessage, actionId: string, opts: { actionTs?: string; headers?: Record<string, string> } = {}) {
  const button = buttonsOf(m).find((b) => b.action_id === actionId);
  if (!button) throw new Error(`no ${actionId} button on the message`);
  const id = uid('click');
  const body = blockActionBody({
    user,
    button,
    channel: CHANNEL,
    messageTs: m.ts,
    triggerId: `trig-${id}`,
    actionTs: opts.actionTs ?? `1764061200.${id.replace(/\D/g, '').padStart(6, '0')}`,
    responseUrl: fake.responseUrl(id),
  });
  return { id, body, send: () => postSigned(ts.url, SECRET, body, { headers: opts.headers }) };
}

const transitions = async (id: number, action: string) => (await ts.store.audit.list({ releaseId: id, limit: 100 })).filter((e) => e.action === action);

describe('the slash command', () => {
  it('a signed /ai-release request is acknowledged, answers the requester privately and posts ONE release card to the team channel', async () => {
    const { id, key } = await requestFromSlack();
    expect(fake.callsOf('auth.test').length).toBeGreaterThan(0);
    const posts = fake.callsOf('chat.postMessage').filter((c) => c.args.channel === CHANNEL);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.token).toBe('xoxb-test');
    const msg = fake.messagesIn(CHANNEL)[0]!;
    expect(textOf(msg)).toContain('support-triage');
    expect(textOf(msg)).toContain('gpt-4.1-mini-2025-04-14');
    const row = await fake.waitFor(() => ts.store.chatPosts.of(id, 'slack').then((p) => p[0]), 'the chat_posts row');
    expect(row).toEqual({ channel: CHANNEL, messageId: msg.ts, extra: null });
    const answer = fake.responses.find((r) => textOf(r.body).includes(`${key} requested`))!;
    expect(answer.body.response_type).toBe('ephemeral');
    expect((await ts.store.releases.get(id))!.requester).toBe('eli');
    // Later changes update that message; they never post a second one.
    await awaitingApproval(id);
    expect(fake.callsOf('chat.postMessage').filter((c) => c.args.channel === CHANNEL && !c.args.thread_ts)).toHaveLength(1);
    expect(fake.callsOf('chat.update').length).toBeGreaterThan(0);
  });

  it('a forged signature or a 6-minute-old timestamp gets 401 and changes nothing', async () => {
    const forged = await slash('U0ELI', 'request support-triage --model gpt-4.1-mini-2025-04-14', { forge: true });
    expect(forged.status).toBe(401);
    const stale = await slash('U0ELI', 'request support-triage --model gpt-4.1-mini-2025-04-14', { tsSec: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    await ts.server.pump();
    expect(await ts.store.releases.list()).toEqual([]);
    expect(fake.responses).toHaveLength(0);
    expect(fake.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('a bad command gets the verb usage as an ephemeral ack; help lists the verbs', async () => {
    const bad = await slash('U0ELI', 'approve');
    expect(bad.status).toBe(200);
    const ack = JSON.parse(bad.text);
    expect(ack.response_type).toBe('ephemeral');
    expect(textOf(ack)).toContain('approve &lt;release&gt;'); // mrkdwn-escaped
    const help = await slash('U0ELI', 'help');
    const answer = await fake.waitFor(() => fake.responsesTo(help.id)[0], 'help');
    for (const verb of ['request', 'approve', 'rollback', 'spend', 'audit']) expect(textOf(answer.body)).toContain(verb);
  });

  it('an unknown Slack user may read status but not request', async () => {
    const status = await slash('U0NOBODY', 'status');
    const s = await fake.waitFor(() => fake.responsesTo(status.id)[0], 'status');
    expect(textOf(s.body)).toContain('support-triage');
    const req = await slash('U0NOBODY', 'request support-triage --model gpt-4.1-mini-2025-04-14');
    const r = await fake.waitFor(() => fake.responsesTo(req.id)[0], 'refusal');
    expect(textOf(r.body)).toContain('Refused');
    expect(textOf(r.body)).toMatch(/rule: \w+/);
    expect(await ts.store.releases.list()).toEqual([]);
  });
});

describe('buttons', () => {
  it("an approver's click transitions the release and updates the message: done line, no Approve button", async () => {
    const { id } = await requestFromSlack();
    const m = await awaitingApproval(id);
    const c = click('U0DANA', m, 'air:approve');
    expect((await c.send()).status).toBe(200);
    const updated = await fake.waitFor(() => {
      const x = fake.message(CHANNEL, m.ts)!;
      return textOf(x).includes('Approved by <@U0DANA>') ? x : undefined;
    }, 'the approved message');
    expect((await ts.store.releases.get(id))!.state).toBe('canary');
    expect(buttonsOf(updated).map((b) => b.action_id)).not.toContain('air:approve');
    expect(textOf(updated)).toMatch(/Approved by <@U0DANA> at \d\d:\d\d UTC/);
    expect(await transitions(id, 'release_approved')).toHaveLength(1);
    expect((await transitions(id, 'release_approved'))[0]!.actor).toBe('dana');
  });

  it("a non-approver's or the requester's click gets an ephemeral refusal naming the rule, and nothing changes", async () => {
    const { id } = await requestFromSlack();
    const m = await awaitingApproval(id);
    const auditBefore = (await ts.store.audit.list({ releaseId: id, limit: 100 })).length;
    for (const user of ['U0TOMAS', 'U0ELI']) {
      const c = click(user, m, 'air:approve');
      expect((await c.send()).status).toBe(200);
      const refusal = await fake.waitFor(() => fake.responsesTo(c.id)[0], `${user}'s refusal`);
      expect(refusal.body.response_type).toBe('ephemeral');
      expect(refusal.body.replace_original).toBe(false);
      expect(textOf(refusal.body)).toContain('Refused');
      expect(textOf(refusal.body)).toMatch(/rule: \w+/);
    }
    expect((await ts.store.releases.get(id))!.state).toBe('awaiting_approval');
    expect(await ts.store.audit.list({ releaseId: id, limit: 100 })).toHaveLength(auditBefore);
  });

  it('two concurrent clicks and a retried delivery make one transition', async () => {
    const { id } = await requestFromSlack();
    const m = await awaitingApproval(id);
    const dana = click('U0DANA', m, 'air:approve');
    const sam = click('U0SAM', m, 'air:approve');
    const retry = () => postSigned(ts.url, SECRET, dana.body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    const statuses = await Promise.all([dana.send(), sam.send(), retry(), dana.send()]);
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 200, 200]);
    await slackSettled();
    await ts.server.pump();
    await slackSettled();
    expect(await transitions(id, 'release_approved')).toHaveLength(1);
    expect((await ts.store.releases.get(id))!.state).toBe('canary');
    // dana's delivery ran once: one answer on its response_url.
    expect(fake.responsesTo(dana.id)).toHaveLength(1);
    expect(fake.messagesIn(CHANNEL).filter((x) => !x.thread_ts)).toHaveLength(1);
  });

  it("Reject opens the reason modal; the submitted reason lands in the audit log", async () => {
    const { id } = await requestFromSlack();
    const m = await awaitingApproval(id);
    const c = click('U0SAM', m, 'air:reject');
    await c.send();
    const open = await fake.waitFor(() => fake.callsOf('views.open')[0], 'views.open');
    expect(open.args.trigger_id).toBe(`trig-${c.id}`);
    const view = open.args.view;
    expect(view.callback_id).toBe('air_reason');
    expect((await ts.store.releases.get(id))!.state).toBe('awaiting_approval');
    const reason = 'Escalations "too eager" on refunds';
    const res = await postSigned(ts.url, SECRET, viewSubmissionBody({ user: 'U0SAM', view: { ...view, id: 'V1' }, values: { reason: { reason: { type: 'plain_text_input', value: reason } } }, triggerId: 'trig-submit' }));
    expect(res.status).toBe(200);
    await fake.waitFor(async () => (await ts.store.releases.get(id))!.state === 'rejected', 'the rejection');
    const rejected = await transitions(id, 'release_rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.actor).toBe('sam');
    expect(rejected[0]!.data.reason).toBe(reason);
    await fake.waitFor(() => textOf(fake.message(CHANNEL, m.ts)!).includes('Rejected by <@U0SAM>'), 'the rejected message');
  });
});

describe('changes made elsewhere', () => {
  it('an approval through the API (or the CLI) updates the Slack message', async () => {
    const { id, key } = await requestFromSlack();
    const m = await awaitingApproval(id);
    const out = await api(ts.url, 'POST', `/v1/releases/${key}/approve`, await ts.token('dana'), {});
    expect(out.status).toBe(200);
    await ts.server.pump();
    const x = await fake.waitFor(() => {
      const cur = fake.message(CHANNEL, m.ts)!;
      return textOf(cur).includes('Approved by <@U0DANA>') ? cur : undefined;
    }, 'the update');
    expect(buttonsOf(x).map((b) => b.action_id)).not.toContain('air:approve');
  });
});

describe('alerts and digests', () => {
  it("an alert about a release goes in its message's thread, mentioning who it notifies; a digest also reaches leaders directly", async () => {
    const { id } = await requestFromSlack();
    const m = fake.messagesIn(CHANNEL).find((x) => x.text.includes(`REL-${id}`))!;
    const ctx = ts.server.runtime.ctx;
    await emitAlert(ctx.store, { releaseId: id, workflow: 'support-triage', condition: 'canary_regression', card: noticeCard('Canary regression', 'pass rate fell', 'danger'), notify: ['dana'], now: ctx.now() });
    await emitDigest(ctx.store, { team: 'support', card: noticeCard('Spend digest', 'support spent $1.00', 'info'), leaders: ['dana'], now: ctx.now() });
    await ts.server.pump();
    await slackSettled();
    const alert = fake.messagesIn(CHANNEL).find((x) => x.text.includes('Canary regression'))!;
    expect(alert.thread_ts).toBe(m.ts);
    expect(textOf(alert)).toContain('<@U0DANA>');
    expect(fake.messagesIn(CHANNEL).some((x) => x.text.includes('Spend digest') && !x.thread_ts)).toBe(true);
    expect(fake.callsOf('conversations.open').map((c) => c.args.users)).toContain('U0DANA');
    expect(fake.messagesIn('DU0DANA').map((x) => x.text)).toContain('Spend digest');
  });
});

describe('App Home', () => {
  it('app_home_opened publishes the workflows, their live configs and today spend, once per event', async () => {
    const body = eventBody('Ev0HOME1', { type: 'app_home_opened', user: 'U0DANA', channel: 'D0DANA', tab: 'home', event_ts: '1764061200.000001' });
    expect((await postSigned(ts.url, SECRET, body, { json: true })).status).toBe(200);
    expect((await postSigned(ts.url, SECRET, body, { json: true, headers: { 'x-slack-retry-num': '1' } })).status).toBe(200);
    await slackSettled();
    const pub = fake.callsOf('views.publish')[0]!;
    expect(pub.args.user_id).toBe('U0DANA');
    expect(pub.args.view.type).toBe('home');
    const text = JSON.stringify(pub.args.view.blocks);
    for (const wf of ['support-triage', 'gl-coding', 'sales-email', 'kpi-narrative']) expect(text).toContain(wf);
    expect(text.toLowerCase()).toContain('spend');
    expect(fake.callsOf('views.publish')).toHaveLength(1);
  });
});
