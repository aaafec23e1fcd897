/** Events -> Teams posts, through the connector port (no SDK): first post, updates, threads, 1:1s, 429s. */
import { afterEach, describe, expect, it } from 'vitest';
import { deliver } from '../../src/chat/teams/proactive.ts';
import { personalReferenceOf, postsOf, saveReference } from '../../src/chat/teams/records.ts';
import type { TeamsConnector } from '../../src/chat/teams/sdk.ts';
import { connectorRetryAfterMs } from '../../src/chat/teams/sdk.ts';
import type { ConversationRef, OutgoingActivity } from '../../src/chat/teams/translate.ts';
import { ChannelQueue } from '../../src/chat/queue.ts';
import { noticeCard } from '../../src/core/views/common.ts';
import { createLogger } from '../../src/server/log.ts';
import { openTestApp } from '../helpers/harness.ts';

interface Sent {
  op: 'post' | 'update' | 'open';
  conversation: string;
  activityId: string;
  activity: OutgoingActivity;
}

function fakePort(opts: { fail429?: number; notInstalledFor?: string[] } = {}): TeamsConnector & { sent: Sent[] } {
  let n = 0;
  let fail = opts.fail429 ?? 0;
  const sent: Sent[] = [];
  return {
    sent,
    async post(ref: ConversationRef, activity: OutgoingActivity) {
      if (fail > 0) {
        fail--;
        throw Object.assign(new Error('Too Many Requests'), { statusCode: 429, response: { headers: { get: (h: string) => (h === 'retry-after' ? '2' : undefined) } } });
      }
      const activityId = `m-${++n}`;
      sent.push({ op: 'post', conversation: ref.conversation.id, activityId, activity });
      return activityId;
    },
    async update(ref: ConversationRef, activityId: string, activity: OutgoingActivity) {
      sent.push({ op: 'update', conversation: ref.conversation.id, activityId, activity });
    },
    async openPersonal(via: ConversationRef, aad: string) {
      if (opts.notInstalledFor?.includes(aad)) throw Object.assign(new Error('Bot is not installed in user\'s personal scope'), { statusCode: 403 });
      const id = `a:1on1-${aad}`;
      sent.push({ op: 'open', conversation: id, activityId: '', activity: { type: 'message', attachments: [] } });
      return { ...via, conversation: { id, conversationType: 'personal', isGroup: false, tenantId: via.conversation.tenantId }, user: { id: aad } };
    },
  };
}

const channelRef = (id: string): ConversationRef => ({
  channelId: 'msteams',
  serviceUrl: 'https://smba.example/amer/',
  conversation: { id, conversationType: 'channel', tenantId: 't-1', isGroup: true },
  bot: { id: '28:bot', name: 'ai-release' },
});

const DANA_AAD = '6f1c2d3e-0000-4000-8000-00000000da7a';
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(port: TeamsConnector) {
  const app = await openTestApp();
  close = app.close;
  const waits: number[] = [];
  let clock = 0; // the queue's own clock: sleeping advances it, so waits are exact
  const queue = new ChannelQueue({
    perSecond: 1000,
    retryAfterMs: connectorRetryAfterMs,
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
  });
  const logs: string[] = [];
  const deps = { ctx: app.ctx, log: createLogger('info', (l) => logs.push(l)), connector: port, queue };
  return { app, deps, waits, logs };
}

describe('Teams proactive posts', () => {
  it('posts a release card to the team channel once, then updates it in place; alerts go in its thread', async () => {
    const port = fakePort();
    const { app, deps } = await setup(port);
    // Only the team's General channel is known: the configured channel is reached through it.
    await saveReference(app.ctx.store, channelRef('19:general@thread.tacv2'), { kind: 'channel' }, 1);
    const card = noticeCard('REL-7 · support-triage · awaiting approval', 'x');
    await deliver(deps, { kind: 'release', releaseId: 7, team: 'support', card });
    await deliver(deps, { kind: 'release', releaseId: 7, team: 'support', card: { ...card, title: 'REL-7 · support-triage · canary' } });
    expect(port.sent.map((s) => [s.op, s.conversation, s.activityId])).toEqual([
      ['post', '19:support@thread.tacv2', 'm-1'],
      ['update', '19:support@thread.tacv2', 'm-1'],
    ]);
    expect(JSON.stringify(port.sent[1]!.activity)).toContain('canary');
    expect((await postsOf(app.ctx.store, 7)).map((p) => p.activityId)).toEqual(['m-1']);

    await deliver(deps, { kind: 'message', team: 'support', card: noticeCard('Canary regression', 'p95 up'), threadOf: 7, mention: ['dana', 'sam'] });
    const alert = port.sent[2]!;
    expect(alert.conversation).toBe('19:support@thread.tacv2;messageid=m-1');
    // dana has a Teams id and is mentioned; sam has none.
    expect(alert.activity.text).toBe('<at>dana</at>');
    expect(alert.activity.entities?.[0]?.mentioned?.id).toBe('6f1c2d3e-0000-4000-8000-00000000da7a');
  });

  it('opens a 1:1 with a person who never wrote to the bot, through a conversation it is in, then reuses it', async () => {
    const port = fakePort();
    const { app, deps } = await setup(port);
    await saveReference(app.ctx.store, channelRef('19:general@thread.tacv2'), { kind: 'channel' }, 1);
    const dana = app.ctx.config.people.dana!.teams!;
    await deliver(deps, { kind: 'direct', people: ['dana', 'sam'], card: noticeCard('Digest', 'x') });
    await deliver(deps, { kind: 'direct', people: ['dana'], card: noticeCard('Digest 2', 'y') });
    // sam has no Teams identity in the config: nobody to reach.
    expect(port.sent.map((x) => [x.op, x.conversation])).toEqual([
      ['open', `a:1on1-${dana}`],
      ['post', `a:1on1-${dana}`],
      ['post', `a:1on1-${dana}`],
    ]);
    expect((await personalReferenceOf(app.ctx.store, dana))?.conversation).toMatchObject({ id: `a:1on1-${dana}`, tenantId: 't-1' });
  });

  it('a 1:1 Teams refuses to open (app not installed for the person) is skipped with the reason', async () => {
    const port = fakePort({ notInstalledFor: [DANA_AAD] });
    const { app, deps, logs } = await setup(port);
    expect(app.ctx.config.people.dana!.teams).toBe(DANA_AAD);
    await saveReference(app.ctx.store, channelRef('19:general@thread.tacv2'), { kind: 'channel' }, 1);
    await deliver(deps, { kind: 'direct', people: ['dana'], card: noticeCard('Digest', 'x') });
    expect(port.sent).toEqual([]);
    expect(logs.join('\n')).toMatch(/could not open a 1:1 .*"person":"dana".*not installed/);
  });

  it('skips, with a log line, a channel post before the bot is in any team and a DM to someone without a 1:1', async () => {
    const port = fakePort();
    const { deps, logs } = await setup(port);
    await deliver(deps, { kind: 'message', team: 'support', card: noticeCard('Policy changed', 'x') });
    await deliver(deps, { kind: 'direct', people: ['dana'], card: noticeCard('Digest', 'x') });
    expect(port.sent).toEqual([]);
    expect(logs.join('\n')).toMatch(/no conversation reference yet/);
    expect(logs.join('\n')).toMatch(/direct message skipped.*"person":"dana"/);
  });

  it('waits out a 429 with the Retry-After the connector gave, and the post still goes out', async () => {
    const port = fakePort({ fail429: 2 });
    const { app, deps, waits } = await setup(port);
    await saveReference(app.ctx.store, channelRef('19:support@thread.tacv2'), { kind: 'channel' }, 1);
    await deliver(deps, { kind: 'message', team: 'support', card: noticeCard('Budget at 80%', 'x') });
    expect(port.sent).toHaveLength(1);
    expect(waits.filter((w) => w === 2000)).toHaveLength(2);
  });
});
