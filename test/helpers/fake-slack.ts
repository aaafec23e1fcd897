/**
 * A local fake of the Slack Web API that records every call: auth.test, chat.postMessage,
 * chat.update, chat.postEphemeral, conversations.open, views.open, views.publish,
 * apps.connections.open (Socket Mode: answers the URL given to `setSocketUrl`), plus the
 * `response_url` POSTs of slash commands and clicks. Messages are kept per channel so a test can
 * read what a channel shows now. `rateLimit(method, n, seconds)` makes the next n calls of a
 * method answer 429 with Retry-After.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { configureSlackQueue } from '../../src/chat/slack/plugin.ts';

export interface SlackCall {
  method: string;
  args: Record<string, any>;
  token: string | null;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, any>;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: any[];
  thread_ts?: string;
  updates: number;
}

export interface FakeSlack {
  /** Base for the WebClient's `slackApiUrl` (SLACK_API_URL). */
  apiUrl: string;
  url: string;
  calls: SlackCall[];
  responses: ResponseUrlPost[];
  callsOf(method: string): SlackCall[];
  /** A response_url that records what is POSTed to it. */
  responseUrl(id: string): string;
  responsesTo(id: string): ResponseUrlPost[];
  message(channel: string, ts: string): StoredMessage | undefined;
  messagesIn(channel: string): StoredMessage[];
  rateLimit(method: string, times: number, retryAfterSec: number): void;
  /** Where `apps.connections.open` sends Socket Mode clients (a local WebSocket server). */
  setSocketUrl(url: string): void;
  /** Polls until `check` returns a truthy value (async work after an ack). */
  waitFor<T>(check: () => T | undefined | null | false | PromiseLike<T | undefined | null | false>, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export const FAKE_TEAM = 'T0TEAM';
export const FAKE_BOT_USER = 'U0BOT';

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const responses: ResponseUrlPost[] = [];
  const messages = new Map<string, StoredMessage>();
  const limits = new Map<string, { times: number; retryAfter: number }>();
  let seq = 100;
  let viewSeq = 0;
  let socketUrl: string | null = null;
  const nextTs = () => `1764061200.${String(++seq).padStart(6, '0')}`;

  const server: Server = createServer(async (req, res) => {
    const raw = await readAll(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname.startsWith('/response/')) {
      const id = decodeURIComponent(url.pathname.slice('/response/'.length));
      responses.push({ id, body: JSON.parse(raw || '{}') });
      return send(200, { ok: true });
    }
    if (!url.pathname.startsWith('/api/')) return send(404, { ok: false, error: 'unknown_path' });
    const method = url.pathname.slice('/api/'.length);
    const args = parseArgs(raw, String(req.headers['content-type'] ?? ''));
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : ((args.token as string | undefined) ?? null);
    const limit = limits.get(method);
    if (limit && limit.times > 0) {
      limit.times--;
      calls.push({ method: `${method}#429`, args, token });
      return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limit.retryAfter) });
    }
    calls.push({ method, args, token });
    switch (method) {
      case 'auth.test':
        return send(200, { ok: true, url: 'https://fake.slack/', team: 'Fake', user: 'ai-release', team_id: FAKE_TEAM, user_id: FAKE_BOT_USER, bot_id: 'B0BOT' });
      case 'chat.postMessage': {
        if (!args.channel) return send(200, { ok: false, error: 'channel_not_found' });
        const ts = nextTs();
        const m: StoredMessage = { channel: args.channel, ts, text: args.text ?? '', blocks: args.blocks ?? [], updates: 0, ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}) };
        messages.set(`${m.channel}/${ts}`, m);
        return send(200, { ok: true, channel: m.channel, ts, message: { text: m.text, blocks: m.blocks } });
      }
      case 'chat.update': {
        const m = messages.get(`${args.channel}/${args.ts}`);
        if (!m) return send(200, { ok: false, error: 'message_not_found' });
        m.text = args.text ?? m.text;
        m.blocks = args.blocks ?? m.blocks;
        m.updates++;
        return send(200, { ok: true, channel: m.channel, ts: m.ts });
      }
      case 'chat.postEphemeral':
        return send(200, { ok: true, message_ts: nextTs() });
      case 'conversations.open':
        return send(200, { ok: true, channel: { id: `D${String(args.users ?? '').split(',')[0]}` } });
      case 'apps.connections.open':
        // Needs the app-level token (xapp-), as Slack does.
        if (!token?.startsWith('xapp-')) return send(200, { ok: false, error: 'not_allowed_token_type' });
        return send(200, socketUrl ? { ok: true, url: socketUrl } : { ok: false, error: 'socket_mode_not_set_up' });
      case 'views.open':
      case 'views.publish':
        return send(200, { ok: true, view: { id: `V${++viewSeq}`, ...(args.view ?? {}) } });
      default:
        return send(200, { ok: false, error: 'unknown_method' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    apiUrl: `${url}/api/`,
    url,
    calls,
    responses,
    callsOf: (method) => calls.filter((c) => c.method === method),
    responseUrl: (id) => `${url}/response/${encodeURIComponent(id)}`,
    responsesTo: (id) => responses.filter((r) => r.id === id),
    message: (channel, ts) => messages.get(`${channel}/${ts}`),
    messagesIn: (channel) => [...messages.values()].filter((m) => m.channel === channel),
    rateLimit: (method, times, retryAfter) => void limits.set(method, { times, retryAfter }),
    setSocketUrl: (u) => void (socketUrl = u),
    waitFor: async (check, what, timeoutMs = 5000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const v = await check();
        if (v) return v;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The WebClient sends form-encoded bodies with objects as JSON strings; JSON bodies too. */
function parseArgs(raw: string, contentType: string): Record<string, any> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw);
  const out: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (/^[[{]/.test(v)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // a plain string that happens to start with a bracket
      }
    }
    out[k] = v;
  }
  return out;
}

/** Headers of a request signed the way Slack signs it (v0 HMAC-SHA256 of `v0:ts:body`). */
export function slackSignature(secret: string, body: string, tsSec = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = createHmac('sha256', secret).update(`v0:${tsSec}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(tsSec), 'x-slack-signature': `v0=${sig}` };
}

/** POSTs a signed form body (slash commands, `payload=` interactivity) or JSON (events). */
export async function postSigned(
  url: string,
  secret: string,
  body: string,
  opts: { json?: boolean; tsSec?: number; forge?: boolean; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  const headers = slackSignature(opts.forge ? `${secret}-wrong` : secret, body, opts.tsSec);
  const res = await fetch(`${url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': opts.json ? 'application/json' : 'application/x-www-form-urlencoded', ...headers, ...opts.headers },
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** The form body of a slash command. */
export function slashCommandBody(f: { text: string; user: string; triggerId: string; responseUrl: string; channel?: string }): string {
  return new URLSearchParams({
    token: 'legacy',
    team_id: FAKE_TEAM,
    team_domain: 'fake',
    channel_id: f.channel ?? 'C0SUPPORT',
    channel_name: 'support',
    user_id: f.user,
    user_name: f.user.toLowerCase(),
    command: '/ai-release',
    text: f.text,
    api_app_id: 'A0APP',
    response_url: f.responseUrl,
    trigger_id: f.triggerId,
  }).toString();
}

/** The form body of a block_actions click on one of a message's buttons. */
export function blockActionBody(f: {
  user: string;
  button: { action_id: string; value: string; text?: any };
  channel: string;
  messageTs: string;
  triggerId: string;
  actionTs: string;
  responseUrl: string;
}): string {
  const payload = {
    type: 'block_actions',
    team: { id: FAKE_TEAM, domain: 'fake' },
    user: { id: f.user, username: f.user.toLowerCase(), team_id: FAKE_TEAM },
    api_app_id: 'A0APP',
    token: 'legacy',
    container: { type: 'message', message_ts: f.messageTs, channel_id: f.channel, is_ephemeral: false },
    trigger_id: f.triggerId,
    channel: { id: f.channel, name: 'support' },
    message: { ts: f.messageTs, type: 'message', text: '' },
    response_url: f.responseUrl,
    actions: [{ type: 'button', block_id: 'b1', action_id: f.button.action_id, value: f.button.value, text: f.button.text ?? { type: 'plain_text', text: 'x' }, action_ts: f.actionTs }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The form body of a modal's view_submission. */
export function viewSubmissionBody(f: { user: string; view: any; values: Record<string, Record<string, any>>; triggerId: string }): string {
  const payload = {
    type: 'view_submission',
    team: { id: FAKE_TEAM, domain: 'fake' },
    user: { id: f.user, username: f.user.toLowerCase(), team_id: FAKE_TEAM },
    api_app_id: 'A0APP',
    token: 'legacy',
    trigger_id: f.triggerId,
    view: { id: 'V1', team_id: FAKE_TEAM, type: 'modal', ...f.view, state: { values: f.values }, hash: 'h1', app_id: 'A0APP', bot_id: 'B0BOT' },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The JSON body of an Events API delivery. */
export function eventBody(eventId: string, event: Record<string, unknown>): string {
  return JSON.stringify({
    token: 'legacy',
    team_id: FAKE_TEAM,
    api_app_id: 'A0APP',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: FAKE_TEAM, user_id: FAKE_BOT_USER, is_bot: true, enterprise_id: null, is_enterprise_install: false }],
  });
}

/**
 * For a test file: Slack's outgoing queue paces at 1000 messages per second per channel (not
 * Slack's 1 per second), and the things a test starts are closed after each test.
 */
export function useFastSlack(closers: () => ({ close(): Promise<void> } | undefined)[]): void {
  beforeAll(() => configureSlackQueue({ perSecond: 1000 }));
  afterAll(() => configureSlackQueue(undefined));
  afterEach(async () => {
    for (const c of closers()) await c?.close();
  });
}
