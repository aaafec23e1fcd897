/** `audit` and `receipts` as cards. */
import type { Card } from '../card.ts';
import { clock, num, truncate, usd } from './format.ts';

export interface AuditLine {
  seq: number;
  ts: number;
  actor: string;
  action: string;
  releaseId: number | null;
  summary: string;
  hash: string;
}

export function auditCard(target: string, lines: AuditLine[], verified: { ok: boolean; text: string }, now: number): Card {
  return {
    kind: 'list',
    title: `Audit · ${target} · ${lines.length} events`,
    tone: verified.ok ? 'info' : 'danger',
    blocks: [
      {
        type: 'table',
        columns: ['#', 'when', 'who', 'what', 'release', 'detail'],
        rows: lines.map((l) => [String(l.seq), clock(l.ts, now), l.actor, l.action, l.releaseId ? `REL-${l.releaseId}` : '—', truncate(l.summary, 80)]),
      },
      { type: 'context', text: verified.text },
    ],
    ref: { workflow: target.startsWith('REL-') ? undefined : target },
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

export function receiptsCard(workflow: string, lines: ReceiptLine[], now: number): Card {
  return {
    kind: 'list',
    title: `Receipts · ${workflow} · latest ${lines.length}`,
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
      : [{ type: 'text', text: 'No production receipts yet.' }],
    ref: { workflow },
  };
}
