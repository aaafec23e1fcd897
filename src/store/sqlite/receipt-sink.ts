/**
 * SQLite's receipt sinks. `InlineSink` writes each batch through the store on this thread.
 * `WorkerSink` hands each batch to a worker thread with its own connection to the file, so the
 * inserts (the largest piece of the gateway's own work per request, measured) leave the thread
 * that serves HTTP; it costs more CPU in all (copying each batch to the thread).
 *
 * Batches are idempotent (receipts by id, rollups only for new receipts): when the worker dies or
 * stops answering, its unanswered batches are written again inline and the sink stays inline.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ReceiptSink } from '../receipt-sink.ts';
import type { BatchItem } from '../repos/receipts.ts';

/** Tracks the batches in flight so `drain()` can wait for them. */
class InFlight {
  private pending = new Set<Promise<unknown>>();

  track<T>(p: Promise<T>): Promise<T> {
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return p;
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

export class InlineSink implements ReceiptSink {
  private readonly inFlight = new InFlight();

  constructor(private readonly writeBatch: (items: BatchItem[]) => Promise<Uint8Array>) {}

  write(items: BatchItem[]): Promise<Uint8Array> {
    return this.inFlight.track(this.writeBatch(items));
  }

  drain(): Promise<void> {
    return this.inFlight.drain();
  }

  close(): Promise<void> {
    return this.drain();
  }
}

/** What the worker is started with (see receipt-worker.ts). */
export interface SinkWorkerData {
  dbPath: string;
  tz: string;
  port: MessagePort;
}

/** Worker → writer, one per batch. */
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
  /** Told when the worker fails (the sink then writes inline). */
  onError: (e: Error) => void;
  /** The fallback for batches the worker did not answer. */
  inline: ReceiptSink;
  /** How long `drain()` waits for the worker before writing its batches inline; default 30 s. */
  drainTimeoutMs?: number;
}

const WORKER_URL = new URL('./receipt-worker.mjs', import.meta.url);

interface Sent {
  items: BatchItem[];
  resolve: (written: Uint8Array) => void;
  reject: (e: Error) => void;
}

export class WorkerSink implements ReceiptSink {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private failed = false;
  private seq = 0;
  private readonly inFlight = new Map<number, Sent>();
  private readonly tracked = new InFlight();

  constructor(private readonly opts: WorkerSinkOptions) {}

  write(items: BatchItem[]): Promise<Uint8Array> {
    const port = this.failed ? null : this.ensureStarted();
    if (!port) return this.tracked.track(this.opts.inline.write(items));
    const seq = ++this.seq;
    // A batch in flight keeps the process alive (as any pending write would) until it is answered.
    if (this.inFlight.size === 0) port.ref();
    const out = new Promise<Uint8Array>((resolve, reject) => this.inFlight.set(seq, { items, resolve, reject }));
    const flags = new Uint8Array(items.length);
    const receipts = new Array<BatchItem['receipt']>(items.length);
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      receipts[i] = it.receipt;
      flags[i] = (it.forwarded ? 1 : 0) | (it.merge ? 2 : 0);
    }
    const req: SinkRequest = { seq, receipts, flags };
    port.postMessage(req);
    return this.tracked.track(out);
  }

  async drain(): Promise<void> {
    if (this.inFlight.size > 0 && this.port) {
      const limit = this.opts.drainTimeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.fail(new Error(`the receipt writer thread did not answer within ${limit} ms`));
          resolve();
        }, limit);
      });
      await Promise.race([this.tracked.drain(), timedOut]);
      clearTimeout(timer);
    }
    await this.tracked.drain();
  }

  async close(): Promise<void> {
    await this.drain();
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
      const data: SinkWorkerData = { dbPath: this.opts.dbPath, tz: this.opts.tz, port: port2 };
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

  private onReply(m: SinkReply): void {
    const entry = this.inFlight.get(m.seq);
    if (!entry) return;
    this.inFlight.delete(m.seq);
    if (this.inFlight.size === 0) this.port?.unref();
    if ('written' in m) entry.resolve(m.written);
    else entry.reject(new Error(m.error));
  }

  /** The worker is gone or stuck: write what it held inline, and stay inline. */
  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = true;
    // Replies already posted count (their batches are committed): take them before letting go.
    for (let m = this.port && receiveMessageOnPort(this.port); m; m = this.port && receiveMessageOnPort(this.port)) this.onReply(m.message as SinkReply);
    this.release();
    this.opts.onError(e);
    const held = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const { items, resolve, reject } of held) this.opts.inline.write(items).then(resolve, reject);
  }
}
