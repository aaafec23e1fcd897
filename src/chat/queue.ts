/**
 * The outgoing message queue of a chat surface: messages to one channel go out one at a time, at
 * most `perSecond` per channel, in the order they were queued; a rate-limited answer (429 with
 * Retry-After) makes that channel wait and try the same message again, so nothing is dropped.
 * The clock and the sleep are injected: tests run it in milliseconds.
 */

export interface ChannelQueueOptions {
  /** Messages per second per channel (Slack: about 1). */
  perSecond?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds to wait when `err` is a rate-limit answer; null for any other error. */
  retryAfterMs?: (err: unknown) => number | null;
  /** How many rate-limited answers one message may get before its error is passed on. */
  maxRateLimitedAttempts?: number;
  /** Told about every wait for a rate limit (logs, metrics). */
  onRateLimited?: (channel: string, waitMs: number) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ChannelQueue {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly retryAfterMs: (err: unknown) => number | null;
  private readonly maxAttempts: number;
  private readonly onRateLimited?: (channel: string, waitMs: number) => void;
  /** The tail of each channel's chain and when its next message may go. */
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly nextAt = new Map<string, number>();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(opts: ChannelQueueOptions = {}) {
    const perSecond = opts.perSecond ?? 1;
    if (!(perSecond > 0)) throw new Error(`perSecond must be positive, got ${perSecond}`);
    this.intervalMs = 1000 / perSecond;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
    this.retryAfterMs = opts.retryAfterMs ?? (() => null);
    this.maxAttempts = opts.maxRateLimitedAttempts ?? 20;
    this.onRateLimited = opts.onRateLimited;
  }

  /** Queues `send` on `channel`; resolves with its result once it went out. */
  enqueue<T>(channel: string, send: () => Promise<T>): Promise<T> {
    this.pending++;
    const prev = this.tails.get(channel) ?? Promise.resolve();
    const run = prev.then(
      () => this.deliver(channel, send),
      () => this.deliver(channel, send),
    );
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(channel, tail);
    void tail.then(() => {
      if (this.tails.get(channel) === tail) this.tails.delete(channel);
      if (--this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
    return run;
  }

  /** Messages queued or in flight. */
  size(): number {
    return this.pending;
  }

  /** Resolves when every queued message went out (or failed). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async deliver<T>(channel: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const wait = (this.nextAt.get(channel) ?? 0) - this.now();
      if (wait > 0) await this.sleep(wait);
      try {
        const out = await send();
        this.nextAt.set(channel, this.now() + this.intervalMs);
        return out;
      } catch (err) {
        const retryMs = this.retryAfterMs(err);
        if (retryMs === null || attempt >= this.maxAttempts) {
          this.nextAt.set(channel, this.now() + this.intervalMs);
          throw err;
        }
        const waitMs = Math.max(retryMs, this.intervalMs);
        this.onRateLimited?.(channel, waitMs);
        this.nextAt.set(channel, this.now() + waitMs);
      }
    }
  }
}
