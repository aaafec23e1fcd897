/**
 * The outgoing queue: about one message per second per channel, 429 Retry-After honoured,
 * nothing dropped — with an injected clock, so no test waits for real time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { ChannelQueue } from '../../src/chat/queue.ts';
import { SlackOutbox, slackClientOptions } from '../../src/chat/slack/outbox.ts';
import { createLogger } from '../../src/server/log.ts';
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.ts';

function virtualTime() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

describe('ChannelQueue', () => {
  it('keeps to the rate per channel, in order', async () => {
    const vt = virtualTime();
    const q = new ChannelQueue({ perSecond: 1, now: vt.now, sleep: vt.sleep });
    const sent: { ch: string; n: number; at: number }[] = [];
    const jobs = [1, 2, 3].map((n) => q.enqueue('C1', async () => sent.push({ ch: 'C1', n, at: vt.now() })));
    await Promise.all(jobs);
    expect(sent.map((s) => s.n)).toEqual([1, 2, 3]);
    expect(sent[1]!.at - sent[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(sent[2]!.at - sent[1]!.at).toBeGreaterThanOrEqual(1000);
  });

  it('a failed message does not stop the ones after it', async () => {
    const vt = virtualTime();
    const q = new ChannelQueue({ perSecond: 10, now: vt.now, sleep: vt.sleep });
    const a = q.enqueue('C1', async () => {
      throw new Error('channel_not_found');
    });
    const b = q.enqueue('C1', async () => 'second');
    await expect(a).rejects.toThrow('channel_not_found');
    await expect(b).resolves.toBe('second');
    await q.idle();
    expect(q.size()).toBe(0);
  });
});

describe('SlackOutbox against the fake Slack Web API', () => {
  let fake: FakeSlack;
  beforeEach(async () => {
    fake = await startFakeSlack();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('a 429 with Retry-After delays the channel but loses no message', async () => {
    const vt = virtualTime();
    const client = new webApi.WebClient('xoxb-test', slackClientOptions(fake.apiUrl));
    const outbox = new SlackOutbox(client, createLogger('error', () => {}), { now: vt.now, sleep: vt.sleep });
    fake.rateLimit('chat.postMessage', 2, 3);
    const texts = ['one', 'two', 'three'];
    for (const t of texts) void outbox.post('C0SUPPORT', { text: t, blocks: [] });
    void outbox.post('C0SALES', { text: 'elsewhere', blocks: [] });
    await outbox.idle();
    expect(fake.messagesIn('C0SUPPORT').map((m) => m.text)).toEqual(texts);
    expect(fake.messagesIn('C0SALES').map((m) => m.text)).toEqual(['elsewhere']);
    expect(fake.callsOf('chat.postMessage#429')).toHaveLength(2);
    // Both rate-limited answers were waited out (3 s each), and the channel kept its pace.
    expect(vt.sleeps.filter((ms) => ms === 3000)).toHaveLength(2);
    expect(vt.sleeps.filter((ms) => ms >= 1000).length).toBeGreaterThanOrEqual(4);
  });

  it('errors other than rate limits are not retried', async () => {
    const vt = virtualTime();
    const client = new webApi.WebClient('xoxb-test', slackClientOptions(fake.apiUrl));
    const outbox = new SlackOutbox(client, createLogger('error', () => {}), { now: vt.now, sleep: vt.sleep });
    await outbox.post('', { text: 'nowhere', blocks: [] });
    await outbox.idle();
    expect(fake.callsOf('chat.postMessage')).toHaveLength(1);
    expect(vt.sleeps.filter((ms) => ms >= 3000)).toHaveLength(0);
  });
});
