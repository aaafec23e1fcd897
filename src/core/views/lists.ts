/** `audit` and `receipts` as cards. */
import type { Card } from '../card.ts';
import { clock, num, truncate, usd } from './format.ts';

/** A page of a list: what the command was asked for (`--limit`), and whether it is a later page (`--from`). */
export interface ListPage {
  limit?: number;
  later?: boolean;
}

export interface AuditLine {
  seq: number;
  ts: number;
  actor: string;
  action: string;
  releaseId: number | null;
  summary: string;
  hash: string;
}

export function auditCard(target: string, lines: AuditLine[], verified: { ok: boolean; text: string }, now: number, page: ListPage = {}): Card {
  const release = target.startsWith('REL-');
  return {
    kind: 'list',
    title: `Audit · ${target} · ${page.later ? 'older' : 'latest'} ${lines.length} event${lines.length === 1 ? '' : 's'}`,
    tone: verified.ok ? 'info' : 'danger',
    blocks: [
      {
        type: 'table',
        columns: ['#', 'when', 'who', 'what', 'release', 'detail'],
        rows: lines.map((l) => [String(l.seq), clock(l.ts, now), l.actor, l.action, l.releaseId ? `REL-${l.releaseId}` : '—', truncate(l.summary, 80)]),
      },
      { type: 'context', text: verified.text },
    ],
    ref: { workflow: release ? undefined : target },
    console: release ? `/audit?release=${target}` : `/audit?workflow=${target}`,
    paging: { noun: 'events', tables: [0], cursors: lines.map((l) => String(l.seq)), command: `audit ${target}`, limit: page.limit },
  };
}

export interface ReceiptLine {
  id: string;
  ts: number;
  variant: string | null;
  model: string | null;
  status: string;
  tokens: number;
  costUsd: number;
  latencyMs: number | null;
  flags: string;
}

export function receiptsCard(workflow: string, lines: ReceiptLine[], now: number, page: ListPage = {}): Card {
  const first = !page.later;
  return {
    kind: 'list',
    title: `Receipts · ${workflow} · ${first ? 'latest' : 'older'} ${lines.length}`,
    tone: 'info',
    blocks: lines.length
      ? [
          {
            type: 'table',
            columns: ['receipt', 'when', 'variant', 'model', 'status', 'tokens', 'cost', 'latency', 'flags'],
            rows: lines.map((l) => [
              l.id,
              clock(l.ts, now),
              l.variant ?? '—',
              l.model ?? '—',
              l.status,
              num(l.tokens),
              usd(l.costUsd),
              l.latencyMs === null ? '—' : `${num(l.latencyMs)} ms`,
              l.flags || '—',
            ]),
            emphasis: lines.flatMap((l, i) => (l.status !== 'ok' ? [i] : [])),
          },
        ]
      : [{ type: 'text', text: first ? 'No production receipts yet.' : 'No older production receipts.' }],
    ref: { workflow },
    console: `/receipts?workflow=${workflow}`,
    paging: { noun: 'receipts', tables: [0], cursors: lines.map((l) => l.id), command: `receipts ${workflow}`, limit: page.limit },
  };
}
