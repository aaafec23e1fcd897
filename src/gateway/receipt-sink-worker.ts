/**
 * The receipt writer's worker thread: its own connection to the SQLite file, one transaction per
 * batch (receipts + rollups, writeReceiptBatch), a reply per batch, then the shared counter moved
 * so a writer blocked in `drain()` wakes up.
 */
import { workerData } from 'node:worker_threads';
import { openDb } from '../store/db.ts';
import { ReceiptStore, writeReceiptBatch, type BatchItem } from '../store/receipts-write.ts';
import type { SinkReply, SinkRequest, SinkWorkerData } from './receipt-sink.ts';

const { dbPath, tz, port, answered } = workerData as SinkWorkerData;
const db = openDb(dbPath);
const store = new ReceiptStore(db);

port.on('message', (req: SinkRequest) => {
  const items = new Array<BatchItem>(req.receipts.length);
  for (let i = 0; i < items.length; i++) {
    const f = req.flags[i]!;
    items[i] = { receipt: req.receipts[i]!, forwarded: (f & 1) !== 0, merge: (f & 2) !== 0 };
  }
  let reply: SinkReply;
  try {
    reply = { seq: req.seq, written: writeReceiptBatch(db, store, items, tz) };
  } catch (e) {
    reply = { seq: req.seq, error: (e as Error).message };
  }
  port.postMessage(reply);
  Atomics.store(answered, 0, req.seq);
  Atomics.notify(answered, 0);
});
