/** Everything the gateway's routes share: route table, token cache, budget ledger, receipt writer. */
import type { AppContext } from '../services/context.ts';
import type { ProviderTargets } from '../services/providers.ts';
import { DEFAULT_BODY_LIMIT } from '../server/http.ts';
import type { Runtime } from '../server/runtime.ts';
import { spendRows } from '../store/receipts-write.ts';
import { BudgetLedger } from './budget.ts';
import { ReceiptWriter } from './receipt-writer.ts';
import { RouteTable } from './route-table.ts';
import { GatewayTokens } from './token-cache.ts';
import { sharedUpstreams, type Upstreams } from './upstream.ts';

export interface GatewayState {
  ctx: AppContext;
  routes: RouteTable;
  tokens: GatewayTokens;
  ledger: BudgetLedger;
  writer: ReceiptWriter;
  providers: ProviderTargets;
  upstreams: Upstreams;
  bodyLimit: number;
  timeoutMs: number;
  tz: string;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

export function createGatewayState(rt: Runtime): GatewayState {
  const ctx = rt.ctx;
  const tz = rt.settings.tz;
  const writer = new ReceiptWriter(ctx.db, {
    tz,
    now: ctx.now,
    config: () => ctx.config,
    intervalMs: positive(rt.env.GATEWAY_RECEIPT_FLUSH_MS) ?? 50,
    onError: (e) => rt.log.error('writing receipts failed; they stay queued', { error: e.message }),
  });
  const ledger = new BudgetLedger(() => ctx.config, tz, (from, to) => spendRows(ctx.db, from, to), () => writer.flushNow());
  ledger.seed(ctx.now());
  return {
    ctx,
    routes: new RouteTable(ctx),
    tokens: new GatewayTokens(ctx),
    ledger,
    writer,
    providers: rt.providers,
    upstreams: sharedUpstreams(),
    bodyLimit: positive(rt.env.GATEWAY_MAX_BODY_BYTES) ?? DEFAULT_BODY_LIMIT,
    timeoutMs: positive(rt.env.GATEWAY_TIMEOUT_MS) ?? DEFAULT_TIMEOUT_MS,
    tz,
  };
}

function positive(v: string | undefined): number | undefined {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
}
