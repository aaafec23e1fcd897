/**
 * The running server's parts: plugins (gateway, Slack, Teams, console, jobs, gate runner) and the
 * event pump that hands every committed event — from this process or the CLI — to each of them,
 * each from its own persisted cursor.
 */
import type { Router } from './http.ts';
import type { Logger } from './log.ts';
import type { AppContext } from '../services/context.ts';
import type { Settings } from '../app.ts';
import type { StoredEvent } from '../store/repos/events.ts';
import type { ProviderTargets } from '../services/providers.ts';

export interface Runtime {
  ctx: AppContext;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Where each provider's calls go (the built-in mock LLM when its baseUrl is unset). */
  providers: ProviderTargets;
  /** Ask the pump to look for new events now (after a local change). */
  kick(): void;
}

export interface ServerPlugin {
  name: string;
  routes?(router: Router): void;
  start?(): void | Promise<void>;
  /** Flush and close; called on SIGTERM before the store closes. */
  stop?(): void | Promise<void>;
  /** Every committed event, in order, once (cursor persisted per plugin). */
  onEvent?(e: StoredEvent): void | Promise<void>;
  /** The configuration was replaced (SIGHUP). */
  onConfig?(): void;
}

export class EventPump {
  private timer: NodeJS.Timeout | null = null;
  private stamp = '';
  private running = false;
  private again = false;

  constructor(
    private rt: Runtime,
    private plugins: ServerPlugin[],
    private intervalMs = 250,
  ) {}

  /** Creates each consumer's cursor (at the present), then polls every `intervalMs`. */
  async start(): Promise<void> {
    for (const p of this.plugins) if (p.onEvent) await this.rt.ctx.store.events.cursorOf(`plugin:${p.name}`);
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private current: Promise<void> = Promise.resolve();

  /** Polls when state changed since the last look; safe to call often. Resolves when drained. */
  poll(force = false): Promise<void> {
    const store = this.rt.ctx.store;
    if (store.closed) return this.current;
    // Called on every request: cheap and synchronous (outside a forced poll, read once per loop turn).
    const stamp = store.changeStamp({ fresh: force });
    if (!force && stamp === this.stamp) return this.current;
    this.stamp = stamp;
    if (this.running) {
      this.again = true;
      return this.current;
    }
    this.running = true;
    this.current = (async () => {
      try {
        do {
          this.again = false;
          await this.drain();
        } while (this.again);
      } catch (err) {
        if (!store.closed) this.rt.log.error('event pump failed', { error: (err as Error).message });
      } finally {
        this.running = false;
      }
    })();
    return this.current;
  }

  private async drain(): Promise<void> {
    const store = this.rt.ctx.store;
    for (const p of this.plugins) {
      if (!p.onEvent) continue;
      const consumer = `plugin:${p.name}`;
      for (;;) {
        if (store.closed) return;
        const batch = await store.events.after(await store.events.cursorOf(consumer), 100);
        if (batch.length === 0) break;
        for (const e of batch) {
          try {
            await p.onEvent(e);
          } catch (err) {
            this.rt.log.error('event handler failed', { plugin: p.name, event: e.kind, id: e.id, error: (err as Error).message });
          }
          if (store.closed) return;
          await store.events.advance(consumer, e.id);
        }
      }
    }
  }
}
