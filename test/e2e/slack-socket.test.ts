/**
 * Slack in Socket Mode end to end: the real server with SLACK_APP_TOKEN opens its socket through
 * `apps.connections.open` on the fake Slack Web API (SLACK_API_URL is honoured for the socket
 * too), then receives slash commands and clicks as Socket Mode envelopes over a real WebSocket
 * and acknowledges each one, as Slack requires within 3 seconds.
 */
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { configureSlackQueue } from '../../src/chat/slack/plugin.ts';
import { applyTransition } from '../../src/services/releases.ts';
import { blockActionBody, slashCommandBody, startFakeSlack, type FakeSlack, type StoredMessage } from '../helpers/fake-slack.ts';
import { startTestServer, type TestServer } from '../helpers/harness.ts';

const CHANNEL = 'C0SUPPORT';
let fake: FakeSlack;
let wss: WebSocketServer;
let socket: WebSocket;
let ts: TestServer;
let connections = 0;
const acks = new Map<string, unknown>();
let seq = 0;

beforeAll(() => configureSlackQueue({ perSecond: 1000 }));
afterAll(() => configureSlackQueue(undefined));

beforeEach(async () => {
  fake = await startFakeSlack();
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  fake.setSocketUrl(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/link/?ticket=t1`);
  const opened = new Promise<WebSocket>((resolve) =>
    wss.on('connection', (ws) => {
      connections++;
      ws.on('message', (raw) => {
        const m = JSON.parse(String(raw)) as { envelope_id?: string; payload?: unknown };
        if (m.envelope_id) acks.set(m.envelope_id, m.payload ?? null);
      });
      // Slack opens every socket with a hello; the client is connected only after it.
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0APP' } }));
      resolve(ws);
    }),
  );
  ts = await startTestServer({ env: { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: fake.apiUrl } });
  socket = await opened;
});
afterEach(async () => {
  await ts.close();
  for (const c of wss.clients) c.terminate();
  await new Promise((r) => wss.close(r));
  await fake.close();
});

/** Sends an envelope the way Slack does and waits for its acknowledgement. */
async function deliver(type: 'slash_commands' | 'interactive', payload: Record<string, unknown>): Promise<string> {
  const envelope = `env-${++seq}`;
  socket.send(JSON.stringify({ envelope_id: envelope, type, payload, accepts_response_payload: type === 'slash_commands', retry_attempt: 0, retry_reason: '' }));
  await fake.waitFor(() => acks.has(envelope), `the ack of ${envelope}`, 3000);
  return envelope;
}

const textOf = (m: { text?: string; blocks?: unknown[] }) => JSON.stringify(m.blocks ?? []) + (m.text ?? '');

async function slash(user: string, text: string): Promise<string> {
  const id = `cmd-${++seq}`;
  const form = new URLSearchParams(slashCommandBody({ text, user, triggerId: `trig-${id}`, responseUrl: fake.responseUrl(id) }));
  await deliver('slash_commands', Object.fromEntries(form));
  return id;
}

async function click(user: string, m: StoredMessage, actionId: string): Promise<string> {
  const button = m.blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements).find((b: { action_id: string }) => b.action_id === actionId);
  if (!button) throw new Error(`no ${actionId} button`);
  const id = `click-${++seq}`;
  const form = new URLSearchParams(
    blockActionBody({ user, button, channel: CHANNEL, messageTs: m.ts, triggerId: `trig-${id}`, actionTs: `1764061200.${String(seq).padStart(6, '0')}`, responseUrl: fake.responseUrl(id) }),
  );
  await deliver('interactive', JSON.parse(form.get('payload')!));
  return id;
}

describe('Socket Mode', () => {
  it('connects through apps.connections.open on SLACK_API_URL with the app token', () => {
    const opens = fake.callsOf('apps.connections.open');
    expect(opens.length).toBeGreaterThan(0);
    expect(opens[0]!.token).toBe('xapp-test');
    expect(connections).toBe(1);
  });

  it('a slash command and an Approve click arrive over the socket, are acknowledged and act like over HTTP', async () => {
    const cmd = await slash('U0SAM', 'request support-triage --model gpt-4.1-mini-2025-04-14 --reason "cheaper triage"');
    const answer = await fake.waitFor(() => fake.responsesTo(cmd)[0], 'the command result');
    const key = /REL-\d+/.exec(textOf(answer.body))![0];
    expect(answer.body.response_type).toBe('ephemeral');
    const id = Number(key.slice(4));

    // The gate's pass, as the gate runner records it; then the card offers Approve.
    const ctx = ts.server.runtime.ctx;
    if ((await ctx.store.releases.get(id))!.state === 'evaluating') {
      await ctx.store.releases.setVerdict(id, { outcome: 'pass', summary: 'all rules hold', rows: [] }, 'pass', ctx.now());
      expect((await applyTransition(ctx, id, 'gate_passed', 'gate', { outcome: 'pass' }, 'evaluating')).ok).toBe(true);
    }
    await ts.server.pump();
    const card = await fake.waitFor(
      () => fake.messagesIn(CHANNEL).find((m) => m.text.includes(key) && textOf(m).includes('air:approve')),
      'the release card with Approve',
    );

    // The requester may not approve, approver or not: refused privately, nothing changes.
    const own = await click('U0SAM', card, 'air:approve');
    const refusal = await fake.waitFor(() => fake.responsesTo(own)[0], 'the refusal');
    expect(textOf(refusal.body)).toMatch(/requester/i);
    expect((await ctx.store.releases.get(id))!.state).toBe('awaiting_approval');

    // An approver's click moves it on and the one card is updated in place.
    await click('U0DANA', card, 'air:approve');
    await fake.waitFor(async () => (await ctx.store.releases.get(id))!.state !== 'awaiting_approval', 'the approval');
    expect(['approved', 'canary']).toContain((await ctx.store.releases.get(id))!.state);
    await fake.waitFor(() => fake.callsOf('chat.update').some((c) => c.args.ts === card.ts), 'the card update');
    expect(fake.callsOf('chat.postMessage').filter((c) => c.args.channel === CHANNEL && !c.args.thread_ts)).toHaveLength(1);
  });
});
