/**
 * Where the gateway's receipt batches go (`store.receiptSink`): each batch written in one
 * transaction, by the engine's batch writer on this thread, or (SQLite on a file) by a worker
 * thread with its own connection.
 */
import type { BatchItem } from './repos/receipts.ts';

export interface ReceiptSink {
  /** Writes one batch; per item 1 when the receipt was new, 0 for an id written before. */
  write(items: BatchItem[]): Promise<Uint8Array>;
  /** Resolves once every batch handed to `write` so far has settled. */
  drain(): Promise<void>;
  /** Drains, then lets go of any thread. */
  close(): Promise<void>;
}

export interface ReceiptSinkOptions {
  tz: string;
  /**
   * `inline`: batches are written on this thread. `worker`: by a worker thread with its own
   * connection where the engine has one (SQLite on a file); elsewhere inline.
   */
  thread: 'inline' | 'worker';
  /** Told when the worker fails (the sink then writes inline). */
  onError: (e: Error) => void;
}
