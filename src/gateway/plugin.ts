/** The gateway as a server plugin: its routes, and on stop every pending receipt written. */
import { randomUUID } from 'node:crypto';
import type { Runtime, ServerPlugin } from '../server/runtime.ts';
import { sendError, sendJson } from '../server/http.ts';
import { handleChat, sha256 } from './chat.ts';
import { addBudgetSource } from './metrics.ts';
import { handleFeedback, handleReportReceipts } from './receipts-api.ts';
import { createGatewayState, type GatewayState } from './state.ts';

export async function gatewayPlugin(rt: Runtime): Promise<ServerPlugin> {
  const g = await createGatewayState(rt);
  let unregister: (() => void) | null = null;
  return {
    name: 'gateway',
    routes(router) {
      router.add('POST', '/v1/chat/completions', (req, res) => handleChat(g, req, res));
      router.add('GET', '/v1/models', (req, res) => listModels(g, req, res));
      router.add('GET', '/v1/routes/:workflow', (req, res, params, url) => resolveRoute(g, req, res, params.workflow!, url));
      router.add('POST', '/v1/receipts', (req, res) => handleReportReceipts(g, req, res));
      router.add('POST', '/v1/receipts/:id/feedback', (req, res, params) => handleFeedback(g, req, res, params));
    },
    start() {
      unregister = addBudgetSource(() => (rt.ctx.store.closed ? [] : g.ledger.usage(rt.ctx.now())));
    },
    async stop() {
      unregister?.();
      await g.writer.stop();
    },
    onConfig() {
      g.routes.invalidate();
    },
  };
}

/** The gateway's state of a running server (tests, benchmarks). */
export type { GatewayState };

async function listModels(g: GatewayState, req: Parameters<typeof handleChat>[1], res: Parameters<typeof handleChat>[2]): Promise<void> {
  const token = await g.tokens.authenticate(req, res);
  if (!token) return;
  await g.routes.refresh();
  const data = Object.values(g.ctx.config.workflows)
    .filter((w) => w.team === token.team)
    .map((w) => {
      const route = g.routes.get(w.name);
      return { id: w.name, object: 'model', created: Math.floor((route ? g.ctx.now() : 0) / 1000), owned_by: w.team, config_hash: route?.stable.hash ?? null, model: route?.stable.config.model ?? w.config.model };
    });
  sendJson(res, 200, { object: 'list', data });
}

async function resolveRoute(g: GatewayState, req: Parameters<typeof handleChat>[1], res: Parameters<typeof handleChat>[2], name: string, url: URL): Promise<void> {
  const token = await g.tokens.authenticate(req, res);
  if (!token) return;
  await g.routes.refresh();
  const wf = g.ctx.config.workflows[name];
  const route = wf ? g.routes.get(name) : undefined;
  if (!wf || !route) return sendError(res, 404, 'unknown_workflow', `unknown workflow "${name}"`);
  if (wf.team !== token.team)
    return sendError(res, 403, 'forbidden', `workflow ${name} belongs to team ${wf.team}; this token is for team ${token.team ?? 'none'}`, { rule: 'team' });
  const unit = url.searchParams.get('unit');
  const r = g.routes.resolve(name, unit ?? randomUUID())!;
  const cfg = r.served.config;
  sendJson(
    res,
    200,
    {
      workflow: name,
      unit_hash: unit === null ? null : sha256(unit),
      variant: r.variant,
      config_hash: r.served.hash,
      config: { provider: cfg.provider, model: cfg.model, params: cfg.params, tools: cfg.tools, guardrails: cfg.guardrails },
      model: cfg.model,
      release_id: r.releaseKey,
      weight: route.weight,
      stable_config_hash: route.stable.hash,
      candidate_config_hash: route.candidate?.hash ?? null,
    },
    {
      'x-ai-release-workflow': name,
      'x-ai-release-variant': r.variant,
      'x-ai-release-config': r.served.hash,
      ...(r.releaseKey ? { 'x-ai-release-release': r.releaseKey } : {}),
    },
  );
}
