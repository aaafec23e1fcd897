/**
 * The receipt writer's worker thread: its own connection to the SQLite file, one BEGIN IMMEDIATE
 * transaction per batch (receipts + rollups), one reply per batch.
 */
import { workerData } from 'node:worker_threads';
import type { BatchItem } from '../repos/receipts.ts';
import { openConnection } from './connection.ts';
import { SqliteReceiptBatch } from './receipt-batch.ts';
import type { SinkReply, SinkRequest, SinkWorkerData } from './receipt-sink.ts';

const { dbPath, tz, port } = workerData as SinkWorkerData;
const db = openConnection(dbPath);
const batch = new SqliteReceiptBatch(db);

port.on('message', (req: SinkRequest) => {
  const items = new Array<BatchItem>(req.receipts.length);
  for (let i = 0; i < items.length; i++) {
    const f = req.flags[i]!;
    items[i] = { receipt: req.receipts[i]!, forwarded: (f & 1) !== 0, merge: (f & 2) !== 0 };
  }
  let reply: SinkReply;
  try {
    reply = { seq: req.seq, written: db.transaction(() => batch.write(items, tz)).immediate() };
  } catch (e) {
    reply = { seq: req.seq, error: (e as Error).message };
  }
  port.postMessage(reply);
});
