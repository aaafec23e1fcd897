/**
 * A local fake of the Bot Connector service (the `serviceUrl` of Teams activities) that records
 * every call the bot makes: posts (`POST /v3/conversations/{id}/activities`), replies
 * (`POST .../activities/{replyToId}`), updates (`PUT .../activities/{id}`) and new conversations
 * (`POST /v3/conversations`), each answered with an id. `rateLimit(n, seconds)` makes the next n
 * calls answer 429 with Retry-After. Also builds the activities Teams would send to the bot.
 */
import { createServer, type Server } from 'node:http';

export interface ConnectorCall {
  kind: 'post' | 'reply' | 'update' | 'create';
  conversationId: string;
  /** The new activity's id (post, reply, create) or the updated one's (update). */
  activityId: string;
  replyToId?: string;
  body: any;
  authorization?: string;
}

export interface FakeConnector {
  url: string;
  /** What activities carry as `serviceUrl`. */
  serviceUrl: string;
  calls: ConnectorCall[];
  callsOf(kind: ConnectorCall['kind'], conversationId?: string): ConnectorCall[];
  /** Resolves once `pred` holds for the calls recorded (polls; fails after `timeoutMs`). */
  waitFor(pred: (calls: ConnectorCall[]) => boolean, timeoutMs?: number): Promise<void>;
  rateLimit(n: number, seconds: number): void;
  close(): Promise<void>;
}

export async function startFakeConnector(): Promise<FakeConnector> {
  const calls: ConnectorCall[] = [];
  let seq = 0;
  let limited = 0;
  let retryAfter = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = raw ? JSON.parse(raw) : null;
      const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
      };
      if (limited > 0) {
        limited--;
        return answer(429, { error: { code: 'TooManyRequests', message: 'slow down' } }, { 'retry-after': String(retryAfter) });
      }
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
      const authorization = req.headers.authorization;
      if (segs[0] !== 'v3' || segs[1] !== 'conversations') return answer(404, { error: { message: `no route ${req.method} ${path}` } });
      if (req.method === 'POST' && segs.length === 2) {
        const conversationId = `a:conv-${++seq}`;
        const activityId = `act-${++seq}`;
        calls.push({ kind: 'create', conversationId, activityId, body, authorization });
        return answer(200, { id: conversationId, activityId });
      }
      const conversationId = segs[2]!;
      if (segs[3] !== 'activities') return answer(404, { error: { message: `no route ${req.method} ${path}` } });
      if (req.method === 'POST' && segs.length === 4) {
        const activityId = `act-${++seq}`;
        calls.push({ kind: 'post', conversationId, activityId, body, authorization });
        return answer(200, { id: activityId });
      }
      if (req.method === 'POST' && segs.length === 5) {
        const activityId = `act-${++seq}`;
        calls.push({ kind: 'reply', conversationId, activityId, replyToId: segs[4], body, authorization });
        return answer(200, { id: activityId });
      }
      if (req.method === 'PUT' && segs.length === 5) {
        calls.push({ kind: 'update', conversationId, activityId: segs[4]!, body, authorization });
        return answer(200, { id: segs[4] });
      }
      return answer(404, { error: { message: `no route ${req.method} ${path}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    serviceUrl: `${url}/`,
    calls,
    callsOf: (kind, conversationId) => calls.filter((c) => c.kind === kind && (conversationId === undefined || c.conversationId === conversationId)),
    async waitFor(pred, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!pred(calls)) {
        if (Date.now() > until) throw new Error(`the fake Bot Connector did not see the expected calls; it saw:\n${calls.map((c) => `${c.kind} ${c.conversationId} ${c.activityId}`).join('\n')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    rateLimit(n, seconds) {
      limited = n;
      retryAfter = seconds;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Activities as Teams sends them

export const BOT = { id: '28:ai-release-bot', name: 'ai-release' };
export const TENANT = '72f988bf-0000-4000-8000-000000000001';

export interface Who {
  aad: string;
  name?: string;
}

export type Where = { kind: 'personal'; id?: string } | { kind: 'channel'; channel: string; root?: string } | { kind: 'groupChat'; id: string };

let activitySeq = 0;
const nextId = () => `1700000000${String(++activitySeq).padStart(3, '0')}`;

function conversation(where: Where) {
  switch (where.kind) {
    case 'personal':
      return { id: where.id ?? 'a:personal-1', conversationType: 'personal', tenantId: TENANT };
    case 'channel':
      return { id: where.root ? `${where.channel};messageid=${where.root}` : where.channel, conversationType: 'channel', isGroup: true, tenantId: TENANT };
    case 'groupChat':
      return { id: where.id, conversationType: 'groupChat', isGroup: true, tenantId: TENANT };
  }
}

function base(serviceUrl: string, who: Who, where: Where) {
  return {
    id: nextId(),
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: `29:${who.aad}`, name: who.name ?? 'someone', aadObjectId: who.aad },
    recipient: BOT,
    conversation: conversation(where),
    channelData: { tenant: { id: TENANT }, ...(where.kind === 'channel' ? { team: { id: '19:team-general@thread.tacv2' }, channel: { id: where.channel } } : {}) },
    locale: 'en-US',
  };
}

/** `@ai-release <text>` (in a channel or group chat the mention comes first, as Teams sends it). */
export function messageActivity(serviceUrl: string, who: Who, where: Where, text: string, opts: { mention?: boolean } = {}) {
  const mention = opts.mention ?? where.kind !== 'personal';
  return {
    ...base(serviceUrl, who, where),
    type: 'message',
    text: mention ? `<at>${BOT.name}</at> ${text}` : text,
    textFormat: 'plain',
    entities: mention ? [{ type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT }] : [],
  };
}

/** A click on an `Action.Execute` button of a card the bot posted as `replyToId`. */
export function invokeActivity(serviceUrl: string, who: Who, where: Where, replyToId: string, data: Record<string, unknown>, id?: string) {
  return {
    ...base(serviceUrl, who, where),
    ...(id ? { id } : {}),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId,
    value: { action: { type: 'Action.Execute', verb: 'air', data }, trigger: 'manual' },
  };
}

/** The bot installed in a team (the General channel) / a chat. */
export function botAddedActivity(serviceUrl: string, who: Who, where: Where) {
  return { ...base(serviceUrl, who, where), type: 'conversationUpdate', membersAdded: [BOT] };
}

/** POSTs an activity to the bot; the status and the parsed body (the invoke response). */
export async function sendActivity(botUrl: string, activity: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${botUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* plain text */
  }
  return { status: res.status, body };
}

/** The Action.Execute data of the button `actionId` in an Adaptive Card (looks inside ShowCards). */
export function buttonData(card: any, actionId: string): Record<string, unknown> {
  const find = (actions: any[]): any => {
    for (const a of actions ?? []) {
      if (a.id === actionId && a.type === 'Action.Execute') return a;
      if (a.type === 'Action.ShowCard') {
        const inner = find(a.card?.actions ?? []);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  const action = find(card.actions);
  if (!action) throw new Error(`no button ${actionId} in card "${card.body?.[0]?.text}" (buttons: ${JSON.stringify((card.actions ?? []).map((a: any) => a.title))})`);
  return { ...action.data };
}

/** The Adaptive Card a recorded call carries. */
export function cardOf(call: ConnectorCall): any {
  return call.body?.attachments?.[0]?.content;
}

export function cardTitle(card: any): string {
  return String(card?.body?.[0]?.text ?? '');
}

export function cardText(card: any): string {
  return JSON.stringify(card?.body ?? []);
}
