/**
 * Where the receipt writer's batches go. `InlineSink` writes on the calling thread.
 * `WorkerSink` hands each batch to a worker thread with its own SQLite connection, so the
 * inserts (the largest piece of the gateway's own work per request, measured) leave the thread
 * that serves HTTP. `drain()` blocks until every handed-over batch is committed (Atomics.wait on
 * a shared counter), so `flushNow()` and SIGTERM keep their "everything is written" meaning.
 *
 * Batches are idempotent (receipts by id, rollups only for new receipts): when the worker dies
 * or stops answering, its unacknowledged batches are written again inline and the sink stays
 * inline from then on.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Db } from '../store/db.ts';
import { writeReceiptBatch, type BatchItem, type ReceiptStore } from '../store/receipts-write.ts';

/** Per item: 1 when the receipt was new; or why the batch could not be written. */
export type BatchOutcome = { ok: true; written: Uint8Array } | { ok: false; error: Error };

export interface ReceiptSink {
  /** Writes the batch (now, or on another thread) and then calls `done` on this thread. */
  write(items: BatchItem[], done: (out: BatchOutcome) => void): void;
  /** Returns once every batch given to `write` has been written and its `done` called. */
  drain(): void;
  /** Drains, then releases the thread if any. */
  close(): void;
}

export class InlineSink implements ReceiptSink {
  constructor(
    private readonly db: Db,
    private readonly store: ReceiptStore,
    private readonly tz: string,
  ) {}

  write(items: BatchItem[], done: (out: BatchOutcome) => void): void {
    let out: BatchOutcome;
    try {
      out = { ok: true, written: writeReceiptBatch(this.db, this.store, items, this.tz) };
    } catch (e) {
      out = { ok: false, error: e as Error };
    }
    done(out);
  }

  drain(): void {}
  close(): void {}
}

/** What the worker is started with (see receipt-sink-worker.ts). */
export interface SinkWorkerData {
  dbPath: string;
  tz: string;
  port: MessagePort;
  /** Int32Array over a SharedArrayBuffer: [0] = the last batch sequence number answered. */
  answered: Int32Array;
}

/** Worker → writer, one per batch, posted before `answered` moves. */
export type SinkReply = { seq: number; written: Uint8Array } | { seq: number; error: string };

/** Worker ← writer. Receipts and flags travel separately: flags as one byte per item. */
export interface SinkRequest {
  seq: number;
  receipts: BatchItem['receipt'][];
  /** bit 0: forwarded, bit 1: merge early feedback. */
  flags: Uint8Array;
}

export interface WorkerSinkOptions {
  dbPath: string;
  tz: string;
  /** Written to when the worker fails (the sink then writes inline). */
  onError: (e: Error) => void;
  /** The fallback for batches the worker did not answer. */
  inline: ReceiptSink;
  /** How long `drain()` waits for the worker before writing its batches inline; default 30 s. */
  drainTimeoutMs?: number;
}

const WORKER_URL = new URL('./receipt-sink-worker.mjs', import.meta.url);

export class WorkerSink implements ReceiptSink {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private failed = false;
  private seq = 0;
  private readonly answered = new Int32Array(new SharedArrayBuffer(4));
  private readonly inFlight = new Map<number, { items: BatchItem[]; done: (out: BatchOutcome) => void }>();

  constructor(private readonly opts: WorkerSinkOptions) {}

  write(items: BatchItem[], done: (out: BatchOutcome) => void): void {
    const port = this.failed ? null : this.ensureStarted();
    if (!port) return this.opts.inline.write(items, done);
    const seq = ++this.seq;
    this.inFlight.set(seq, { items, done });
    const flags = new Uint8Array(items.length);
    const receipts = new Array<BatchItem['receipt']>(items.length);
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      receipts[i] = it.receipt;
      flags[i] = (it.forwarded ? 1 : 0) | (it.merge ? 2 : 0);
    }
    const req: SinkRequest = { seq, receipts, flags };
    port.postMessage(req);
  }

  drain(): void {
    const deadline = Date.now() + (this.opts.drainTimeoutMs ?? 30_000);
    while (this.inFlight.size > 0 && this.port) {
      this.takeReplies();
      if (this.inFlight.size === 0) return;
      const seen = Atomics.load(this.answered, 0);
      const left = deadline - Date.now();
      if (left <= 0) {
        this.fail(new Error(`the receipt writer thread did not answer within ${this.opts.drainTimeoutMs ?? 30_000} ms`));
        return;
      }
      if (seen < this.seq) Atomics.wait(this.answered, 0, seen, left);
    }
    // No worker (never started, or failed): nothing can be in flight.
  }

  close(): void {
    this.drain();
    this.release();
  }

  /** Lets go of the thread and its port (its 'exit' then is not a failure). */
  private release(): void {
    const w = this.worker;
    this.worker = null;
    this.port?.close();
    this.port = null;
    void w?.terminate();
  }

  private ensureStarted(): MessagePort | null {
    if (this.port) return this.port;
    try {
      const { port1, port2 } = new MessageChannel();
      const data: SinkWorkerData = { dbPath: this.opts.dbPath, tz: this.opts.tz, port: port2, answered: this.answered };
      const worker = new Worker(WORKER_URL, { workerData: data, transferList: [port2] });
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => {
        if (this.worker === worker) this.fail(new Error(`the receipt writer thread exited with code ${code}`));
      });
      worker.unref();
      port1.on('message', (m: SinkReply) => this.onReply(m));
      port1.unref();
      this.worker = worker;
      this.port = port1;
      return port1;
    } catch (e) {
      this.failed = true;
      this.opts.onError(e as Error);
      return null;
    }
  }

  /** Replies already posted, taken synchronously (the message event may not have run yet). */
  private takeReplies(): void {
    for (;;) {
      const port = this.port;
      const m = port ? receiveMessageOnPort(port) : undefined;
      if (!m) return;
      this.onReply(m.message as SinkReply);
    }
  }

  private onReply(m: SinkReply): void {
    const entry = this.inFlight.get(m.seq);
    if (!entry) return;
    this.inFlight.delete(m.seq);
    entry.done('written' in m ? { ok: true, written: m.written } : { ok: false, error: new Error(m.error) });
  }

  /** The worker is gone or stuck: write what it held inline, and stay inline. */
  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.takeReplies();
    this.release();
    this.opts.onError(e);
    const held = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const { items, done } of held) this.opts.inline.write(items, done);
  }
}
