/**
 * Receipts leave the hot path through an in-memory queue, handed in batches (every `intervalMs`
 * or `batchSize` rows) to a sink that writes each batch in one transaction with its
 * `spend_daily` rollups and early feedback merged: on a worker thread when the store is a file
 * (receipt-sink.ts), else inline. Budget alerts and drift, rare, are written here in their own
 * transaction. `flushNow()` and `stop()` return once everything queued is written.
 */
import type { LoadedConfig } from '../config/types.ts';
import { tx, type Db } from '../store/db.ts';
import { ReceiptStore, servedModels, type BatchItem, type ReceiptRecord } from '../store/receipts-write.ts';
import { checkDrift, raiseBudgetAlert, type ServedSeen } from './alerts.ts';
import type { BudgetCrossing } from './budget.ts';
import { InlineSink, WorkerSink, type BatchOutcome, type ReceiptSink } from './receipt-sink.ts';

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
  /**
   * `inline` (the default): batches are written on this thread. `worker`: by a worker thread with
   * its own connection, for a store on a file (`:memory:` is shared with no thread: inline).
   */
  thread?: 'worker' | 'inline';
  onError?: (e: Error) => void;
}

export class ReceiptWriter {
  private queue: QueuedReceipt[] = [];
  private alerts: BudgetCrossing[] = [];
  private timer: NodeJS.Timeout | null = null;
  private store: ReceiptStore;
  private sink: ReceiptSink;
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
    const inline = new InlineSink(db, this.store, opts.tz);
    this.sink =
      opts.thread === 'worker' && !db.memory
        ? new WorkerSink({
            dbPath: db.name,
            tz: opts.tz,
            inline,
            onError: (e) => opts.onError?.(new Error(`receipt writer thread: ${e.message}; writing receipts on the main thread from now on`)),
          })
        : inline;
  }

  get receipts(): ReceiptStore {
    return this.store;
  }

  /** Receipts waiting to be handed to the sink. */
  get queued(): number {
    return this.queue.length;
  }

  add(q: QueuedReceipt): void {
    this.queue.push(q);
    if (this.queue.length >= this.batchSize) setImmediate(() => this.flush());
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
      this.flush();
    }, this.intervalMs);
  }

  /**
   * Writes everything queued, and everything handed over before, and returns once it is committed
   * (and each `onWritten` called). Returns how many new receipts were written meanwhile.
   */
  flushNow(): number {
    const before = this.written;
    this.flush();
    if (this.db.open) this.sink.drain();
    return this.written - before;
  }

  /** Hands the queue to the sink (which may write it later) and writes pending budget alerts. */
  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.db.open) return;
    if (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const items = new Array<BatchItem>(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const q = batch[i]!;
        const merge = this.pendingFeedback.size > 0 && this.pendingFeedback.delete(q.receipt.id);
        items[i] = { receipt: q.receipt, forwarded: q.forwarded, merge };
      }
      this.sink.write(items, (out) => this.landed(batch, items, out));
    }
    if (this.alerts.length > 0) {
      const alerts = this.alerts;
      this.alerts = [];
      const config = this.opts.config();
      const now = this.opts.now();
      try {
        tx(this.db, () => {
          for (const a of alerts) raiseBudgetAlert(this.db, config, a, now);
        });
      } catch (e) {
        this.alerts = alerts.concat(this.alerts);
        this.opts.onError?.(e as Error);
        this.schedule();
      }
    }
  }

  /** A batch came back from the sink: count it, check drift, call `onWritten`; or queue it again. */
  private landed(batch: QueuedReceipt[], items: BatchItem[], out: BatchOutcome): void {
    if (!out.ok) {
      // Put the batch back so a transient failure (e.g. SQLITE_BUSY) loses nothing; the early
      // feedback it was to merge is still waiting (the transaction rolled back).
      for (const it of items) if (it.merge) this.pendingFeedback.add(it.receipt.id);
      this.queue = batch.concat(this.queue);
      this.opts.onError?.(out.error);
      this.schedule();
      return;
    }
    const drift: ServedSeen[] = [];
    let n = 0;
    for (let i = 0; i < batch.length; i++) {
      if (out.written[i] !== 1) continue;
      n++;
      const r = batch[i]!.receipt;
      if (r.status === 'ok' && r.config_hash && (r.model_served !== null || r.system_fingerprint !== null) && r.purpose === 'production') {
        const before = this.served.get(r.config_hash);
        if (!before || (r.model_served !== null && before.model !== r.model_served) || (r.system_fingerprint !== null && before.fingerprint !== r.system_fingerprint))
          drift.push({ workflow: r.workflow, configHash: r.config_hash, releaseId: r.release_id, model: r.model_served, fingerprint: r.system_fingerprint });
      }
    }
    this.written += n;
    if (drift.length > 0 && this.db.open) {
      const now = this.opts.now();
      try {
        // Through `tx`, so the event pump notices the alerts at once.
        tx(this.db, () => {
          for (const seen of drift) checkDrift(this.db, this.served, seen, now);
        });
      } catch (e) {
        this.opts.onError?.(e as Error);
      }
    }
    for (let i = 0; i < batch.length; i++) if (out.written[i] === 1) batch[i]!.onWritten?.();
  }

  /** Writes every pending receipt (SIGTERM) and releases the writer thread. */
  stop(): void {
    this.flush();
    if (this.db.open) this.sink.close();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
