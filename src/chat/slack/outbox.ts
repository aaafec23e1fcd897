/**
 * Everything the app sends to Slack goes out here, through the per-channel queue (about one
 * message per second per channel; 429 Retry-After honoured; nothing dropped). The Web client
 * itself never retries: `retryConfig: { retries: 0 }` and `rejectRateLimitedCalls: true` hand
 * rate limits to the queue.
 */
import { webApi } from '@slack/bolt';
import { ChannelQueue, type ChannelQueueOptions } from '../queue.ts';
import type { ModalView } from '@slack/types';
import type { BlockKitMessage, SlackBlock } from '../render/blockkit.ts';
import type { Logger } from '../../server/log.ts';

type WebClient = webApi.WebClient;

export function slackClientOptions(apiUrl?: string): webApi.WebClientOptions {
  return {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  };
}

/** Milliseconds a rate-limited Web API call asks us to wait, or null for other errors. */
export function slackRetryAfterMs(err: unknown): number | null {
  const e = err as { code?: string; retryAfter?: number } | null;
  if (e?.code !== webApi.ErrorCode.RateLimitedError) return null;
  return Math.max(0, Number(e.retryAfter ?? 1)) * 1000;
}

export class SlackOutbox {
  readonly queue: ChannelQueue;

  constructor(
    readonly client: WebClient,
    private log: Logger,
    queueOptions: ChannelQueueOptions = {},
  ) {
    this.queue = new ChannelQueue({
      perSecond: 1,
      retryAfterMs: slackRetryAfterMs,
      onRateLimited: (channel, ms) => log.warn('slack rate limited: waiting', { channel, wait_ms: ms }),
      ...queueOptions,
    });
  }

  /** Runs `job` in `channel`'s turn; failures are logged, never thrown at the caller. */
  inTurn(channel: string, what: string, job: () => Promise<unknown>): Promise<void> {
    return this.queue.enqueue(channel, job).then(
      () => undefined,
      (e: Error & { data?: { error?: string } }) => this.log.error('slack send failed', { what, channel, error: e.data?.error ?? e.message }),
    );
  }

  /** chat.postMessage now (call inside a turn); the message's ts. */
  async postNow(channel: string, msg: BlockKitMessage, threadTs?: string): Promise<string | undefined> {
    const r = await this.client.chat.postMessage({ channel, text: msg.text, blocks: msg.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) });
    return r.ts;
  }

  async updateNow(channel: string, ts: string, msg: BlockKitMessage): Promise<void> {
    await this.client.chat.update({ channel, ts, text: msg.text, blocks: msg.blocks });
  }

  /** Posts in the channel's turn; `threadTs` (read when the turn comes) names the thread to post in. */
  post(channel: string, msg: BlockKitMessage, threadTs?: () => Promise<string | undefined>): Promise<void> {
    return this.inTurn(channel, 'chat.postMessage', async () => this.postNow(channel, msg, await threadTs?.()));
  }

  ephemeral(channel: string, user: string, msg: BlockKitMessage): Promise<void> {
    // Ephemeral messages have their own (generous) limit: their own lane per channel.
    return this.inTurn(`ephemeral:${channel}`, 'chat.postEphemeral', () =>
      this.client.chat.postEphemeral({ channel, user, text: msg.text, blocks: msg.blocks }),
    );
  }

  /** A direct message: opens (or finds) the IM with the user, then posts in it. */
  direct(user: string, msg: BlockKitMessage): Promise<void> {
    return this.inTurn(`im:${user}`, 'direct message', async () => {
      const im = await this.client.conversations.open({ users: user });
      await this.postNow(im.channel?.id ?? user, msg);
    });
  }

  /** views.open must use the trigger within 3 seconds: never queued. */
  async openModal(triggerId: string, view: ModalView): Promise<string | undefined> {
    const r = await this.client.views.open({ trigger_id: triggerId, view });
    return r.view?.id;
  }

  publishHome(user: string, blocks: SlackBlock[]): Promise<void> {
    return this.inTurn(`home:${user}`, 'views.publish', () => this.client.views.publish({ user_id: user, view: { type: 'home', blocks } }));
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }
}
