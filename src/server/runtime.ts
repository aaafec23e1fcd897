/**
 * The running server's parts: plugins (gateway, Slack, Teams, console, jobs, gate runner) and the
 * event pump that hands every committed event — from this process or the CLI — to each of them,
 * each from its own persisted cursor.
 */
import type { Router } from './http.ts';
import type { Logger } from './log.ts';
import type { AppContext } from '../services/context.ts';
import type { Settings } from '../app.ts';
import type { StoredEvent } from '../store/events.ts';
import { advanceCursor, cursorOf, eventsAfter } from '../store/events.ts';
import { changeStamp, turnChangeStamp } from '../store/db.ts';
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

  start(): void {
    for (const p of this.plugins) if (p.onEvent) cursorOf(this.rt.ctx.db, `plugin:${p.name}`);
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private current: Promise<void> = Promise.resolve();

  /** Polls when state changed since the last look; safe to call often. Resolves when drained. */
  poll(force = false): Promise<void> {
    const db = this.rt.ctx.db;
    if (!db.open) return this.current;
    // Called on every request: outside a forced poll, data_version is read once per loop turn.
    const stamp = force ? changeStamp(db) : turnChangeStamp(db);
    if (!force && stamp === this.stamp) return this.current;
    this.stamp = stamp;
    if (this.running) {
      this.again = true;
      return this.current;
    }
    this.running = true;
    this.current = (async () => {
      do {
        this.again = false;
        await this.drain();
      } while (this.again);
      this.running = false;
    })();
    return this.current;
  }

  private async drain(): Promise<void> {
    const db = this.rt.ctx.db;
    for (const p of this.plugins) {
      if (!p.onEvent) continue;
      const consumer = `plugin:${p.name}`;
      for (;;) {
        if (!db.open) return;
        const batch = eventsAfter(db, cursorOf(db, consumer), 100);
        if (batch.length === 0) break;
        for (const e of batch) {
          try {
            await p.onEvent(e);
          } catch (err) {
            this.rt.log.error('event handler failed', { plugin: p.name, event: e.kind, id: e.id, error: (err as Error).message });
          }
          if (!db.open) return;
          advanceCursor(db, consumer, e.id);
        }
      }
    }
  }
}
