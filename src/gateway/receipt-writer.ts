/**
 * Receipts leave the hot path through an in-memory queue, handed in batches (every `intervalMs`
 * or `batchSize` rows) to the store's receipt sink, which writes each batch in one transaction
 * with its `spend_daily` rollups and early feedback merged (on a worker thread where the store
 * has one and `thread` asks for it, else inline). Budget alerts and drift, rare, are written here
 * in their own transaction. `flushNow()` and `stop()` resolve once everything queued is written.
 */
import type { LoadedConfig } from '../config/types.ts';
import type { ReceiptSink } from '../store/receipt-sink.ts';
import type { ServedModel } from '../store/repos/alerts.ts';
import type { BatchItem, ReceiptRecord } from '../store/repos/receipts.ts';
import type { Store } from '../store/store.ts';
import { checkDrift, raiseBudgetAlert, type ServedSeen } from './alerts.ts';
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
  /**
   * `inline` (the default): batches are written on this thread. `worker`: by a worker thread with
   * its own connection, where the store has one (SQLite on a file).
   */
  thread?: 'worker' | 'inline';
  onError?: (e: Error) => void;
}

type BatchOutcome = { ok: true; written: Uint8Array } | { ok: false; error: Error };

export class ReceiptWriter {
  private queue: QueuedReceipt[] = [];
  private alerts: BudgetCrossing[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly sink: ReceiptSink;
  /** Batches handed to the sink (and their drift alerts), and alert writes, not settled yet. */
  private readonly inFlight = new Set<Promise<void>>();
  private served = new Map<string, ServedModel>();
  /** Receipt ids with feedback waiting (so most inserts skip the lookup). */
  readonly pendingFeedback = new Set<string>();
  private readonly batchSize: number;
  private readonly intervalMs: number;
  written = 0;

  /** A writer with what it keeps in memory loaded: the drift baseline and the ids with early feedback. */
  static async open(store: Store, opts: WriterOptions): Promise<ReceiptWriter> {
    const w = new ReceiptWriter(store, opts);
    w.served = await store.servedModels.all();
    for (const id of await store.receipts.pendingFeedbackIds()) w.pendingFeedback.add(id);
    return w;
  }

  private constructor(
    private readonly store: Store,
    private readonly opts: WriterOptions,
  ) {
    this.batchSize = opts.batchSize ?? 2000;
    this.intervalMs = opts.intervalMs ?? 50;
    this.sink = store.receiptSink({
      tz: opts.tz,
      thread: opts.thread ?? 'inline',
      onError: (e) => opts.onError?.(new Error(`receipt writer thread: ${e.message}; writing receipts on the main thread from now on`)),
    });
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
   * Writes everything queued, and everything handed over before, and resolves once it is committed
   * (and each `onWritten` called). Resolves with how many new receipts were written meanwhile.
   */
  async flushNow(): Promise<number> {
    const before = this.written;
    this.flush();
    await Promise.all([...this.inFlight]);
    return this.written - before;
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Hands the queue to the sink and writes pending budget alerts. */
  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.store.closed) return;
    if (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const items = new Array<BatchItem>(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const q = batch[i]!;
        const merge = this.pendingFeedback.size > 0 && this.pendingFeedback.delete(q.receipt.id);
        items[i] = { receipt: q.receipt, forwarded: q.forwarded, merge };
      }
      this.track(
        this.sink.write(items).then(
          (written) => this.landed(batch, items, { ok: true, written }),
          (error: Error) => this.landed(batch, items, { ok: false, error }),
        ),
      );
    }
    if (this.alerts.length > 0) {
      const alerts = this.alerts;
      this.alerts = [];
      this.track(this.writeAlerts(alerts));
    }
  }

  private async writeAlerts(alerts: BudgetCrossing[]): Promise<void> {
    const config = this.opts.config();
    const now = this.opts.now();
    try {
      await this.store.tx(async (t) => {
        for (const a of alerts) await raiseBudgetAlert(t, config, a, now);
      });
    } catch (e) {
      this.alerts = alerts.concat(this.alerts);
      this.opts.onError?.(e as Error);
      this.schedule();
    }
  }

  /** A batch came back from the sink: count it, check drift, call `onWritten`; or queue it again. */
  private async landed(batch: QueuedReceipt[], items: BatchItem[], out: BatchOutcome): Promise<void> {
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
    if (drift.length > 0 && !this.store.closed) {
      const now = this.opts.now();
      try {
        // A transaction, so the event pump notices the alerts at once.
        await this.store.tx(async (t) => {
          for (const seen of drift) await checkDrift(t, this.served, seen, now);
        });
      } catch (e) {
        this.opts.onError?.(e as Error);
      }
    }
    for (let i = 0; i < batch.length; i++) if (out.written[i] === 1) batch[i]!.onWritten?.();
  }

  /** Writes every pending receipt (SIGTERM) and releases the writer thread. */
  async stop(): Promise<void> {
    this.flush();
    await Promise.all([...this.inFlight]);
    if (!this.store.closed) await this.sink.close();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
