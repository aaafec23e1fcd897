/** Everything the gateway's routes share: route table, token cache, budget ledger, receipt writer. */
import { availableParallelism } from 'node:os';
import { StartupError } from '../app.ts';
import type { AppContext } from '../services/context.ts';
import type { ProviderTargets } from '../services/providers.ts';
import { DEFAULT_BODY_LIMIT } from '../server/http.ts';
import type { Runtime } from '../server/runtime.ts';
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

export async function createGatewayState(rt: Runtime): Promise<GatewayState> {
  const ctx = rt.ctx;
  const tz = rt.settings.tz;
  // Every setting first: a bad one stops the start before anything is opened.
  const intervalMs = positive(rt.env, 'GATEWAY_RECEIPT_FLUSH_MS') ?? 50;
  const thread = receiptThread(rt.env.GATEWAY_RECEIPT_THREAD);
  const bodyLimit = positive(rt.env, 'GATEWAY_MAX_BODY_BYTES') ?? DEFAULT_BODY_LIMIT;
  const timeoutMs = positive(rt.env, 'GATEWAY_TIMEOUT_MS') ?? DEFAULT_TIMEOUT_MS;
  const writer = await ReceiptWriter.open(ctx.store, {
    tz,
    now: ctx.now,
    config: () => ctx.config,
    intervalMs,
    thread,
    onError: (e) => rt.log.error('writing receipts failed; they stay queued', { error: e.message }),
  });
  const ledger = new BudgetLedger(() => ctx.config, tz, (from, to) => ctx.store.spend.production(from, to));
  await ledger.seed(ctx.now());
  const routes = new RouteTable(ctx);
  await routes.refresh();
  return {
    ctx,
    routes,
    tokens: new GatewayTokens(ctx),
    ledger,
    writer,
    providers: rt.providers,
    upstreams: sharedUpstreams(),
    bodyLimit,
    timeoutMs,
    tz,
  };
}

/**
 * `GATEWAY_RECEIPT_THREAD`: `worker`, `inline`, or `auto` (the default): a worker thread when the
 * machine has 4 or more cores. It takes the inserts off the thread that serves HTTP, but costs
 * more CPU in all (copying each batch to the thread), which a 2-core machine cannot spare.
 */
export function receiptThread(v: string | undefined, cores = availableParallelism()): 'worker' | 'inline' {
  const given = v?.trim() || 'auto';
  if (given === 'worker' || given === 'inline') return given;
  if (given !== 'auto') throw new StartupError(`GATEWAY_RECEIPT_THREAD "${v}" must be auto, worker or inline`);
  return cores >= 4 ? 'worker' : 'inline';
}

/** A positive number from the environment; unset or empty is the default, anything else stops the start. */
function positive(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name]?.trim();
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new StartupError(`${name} "${env[name]}" must be a positive number`);
  return n;
}
