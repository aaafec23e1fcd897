/**
 * Receipts leave the hot path through an in-memory queue, written in batches (every `intervalMs`
 * or `batchSize` rows) in one transaction with their `spend_daily` rollups, early feedback merged,
 * budget alerts claimed and drift checked. `stop()` writes everything still queued.
 */
import type { LoadedConfig } from '../config/types.ts';
import { dayKey } from '../core/time.ts';
import { tx, type Db } from '../store/db.ts';
import { ReceiptStore, servedModels, type ReceiptRecord, type Rollup } from '../store/receipts-write.ts';
import { checkDrift, raiseBudgetAlert } from './alerts.ts';
import type { BudgetCrossing } from './budget.ts';

export interface QueuedReceipt {
  receipt: ReceiptRecord;
  /** The call reached the provider (counts against `callsPerDay`). */
  forwarded: boolean;
  /** Called after the batch is committed when the receipt was new (not a repeated id). */
  onWritten?: () => void;
}

export interface WriterOptions {
  tz: string;
  now: () => number;
  config: () => LoadedConfig;
  batchSize?: number;
  intervalMs?: number;
  onError?: (e: Error) => void;
}

export class ReceiptWriter {
  private queue: QueuedReceipt[] = [];
  private alerts: BudgetCrossing[] = [];
  private timer: NodeJS.Timeout | null = null;
  private store: ReceiptStore;
  private served: Map<string, { model: string | null; fingerprint: string | null }>;
  /** Receipt ids with feedback waiting (so most inserts skip the lookup). */
  readonly pendingFeedback: Set<string>;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  written = 0;

  constructor(
    private db: Db,
    private opts: WriterOptions,
  ) {
    this.store = new ReceiptStore(db);
    this.served = servedModels(db);
    this.pendingFeedback = new Set(this.store.pendingIds());
    this.batchSize = opts.batchSize ?? 2000;
    this.intervalMs = opts.intervalMs ?? 50;
  }

  get receipts(): ReceiptStore {
    return this.store;
  }

  get queued(): number {
    return this.queue.length;
  }

  add(q: QueuedReceipt): void {
    this.queue.push(q);
    if (this.queue.length >= this.batchSize) setImmediate(() => this.flushNow());
    else this.schedule();
  }

  addAlerts(crossings: BudgetCrossing[]): void {
    if (crossings.length === 0) return;
    this.alerts.push(...crossings);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushNow();
    }, this.intervalMs);
  }

  /** Writes everything queued now, in one transaction. Returns how many new receipts were written. */
  flushNow(): number {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queue.length === 0 && this.alerts.length === 0) return 0;
    if (!this.db.open) return 0;
    const batch = this.queue;
    const alerts = this.alerts;
    this.queue = [];
    this.alerts = [];
    const now = this.opts.now();
    const config = this.opts.config();
    const written: QueuedReceipt[] = [];
    let notable = alerts.length > 0;
    const work = () => {
      const rollups = new Map<string, Rollup>();
      const days = new Map<number, string>();
      for (const q of batch) {
        const r = q.receipt;
        const merge = this.pendingFeedback.size > 0 && this.pendingFeedback.delete(r.id);
        if (!this.store.insertReceipt(r, merge)) continue;
        written.push(q);
        // The day in TZ, computed once per minute of timestamps (Intl formatting is not free).
        const minute = Math.floor(r.ts / 60_000);
        let day = days.get(minute);
        if (day === undefined) days.set(minute, (day = dayKey(r.ts, this.opts.tz)));
        const variant = r.variant ?? 'stable';
        const k = `${day}|${r.workflow}|${r.purpose}|${variant}`;
        let u = rollups.get(k);
        if (!u) {
          u = { day, workflow: r.workflow, team: r.team ?? '', purpose: r.purpose, variant, calls: 0, upstreamCalls: 0, errors: 0, costUsd: 0, inputTokens: 0, outputTokens: 0 };
          rollups.set(k, u);
        }
        u.calls++;
        if (q.forwarded) u.upstreamCalls++;
        if (r.status !== 'ok') u.errors++;
        u.costUsd += r.cost_usd;
        u.inputTokens += r.input_tokens;
        u.outputTokens += r.output_tokens;
        if (r.status === 'ok' && r.config_hash && (r.model_served !== null || r.system_fingerprint !== null) && r.purpose === 'production') {
          const before = this.served.get(r.config_hash);
          if (!before || (r.model_served !== null && before.model !== r.model_served) || (r.system_fingerprint !== null && before.fingerprint !== r.system_fingerprint)) {
            if (checkDrift(this.db, this.served, { workflow: r.workflow, configHash: r.config_hash, releaseId: r.release_id, model: r.model_served, fingerprint: r.system_fingerprint }, now))
              notable = true;
          }
        }
      }
      for (const u of rollups.values()) this.store.addRollup(u);
      for (const a of alerts) raiseBudgetAlert(this.db, config, a, now);
    };
    try {
      // Alerts and audit events go through `tx` so the event pump notices them at once; plain
      // receipt batches do not move the change stamp (the route table is not rebuilt for them).
      if (notable) tx(this.db, work);
      else {
        this.db.transaction(work).immediate();
        if (notable) tx(this.db, () => {});
      }
    } catch (e) {
      // Put the batch back so a transient failure (e.g. SQLITE_BUSY) loses nothing.
      this.queue = batch.concat(this.queue);
      this.alerts = alerts.concat(this.alerts);
      this.opts.onError?.(e as Error);
      this.schedule();
      return 0;
    }
    this.written += written.length;
    for (const q of written) q.onWritten?.();
    return written.length;
  }

  /** Writes every pending receipt (SIGTERM). */
  stop(): void {
    this.flushNow();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
