/** The `/v1/releases` routes: the same executor as chat and the CLI, acting as the token's person. */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { execute, type ExecResult } from '../chat/executor.ts';
import type { Command, ReleaseVerb } from '../core/command.ts';
import { RELEASE_ID_RE, RELEASE_VERBS } from '../core/command.ts';
import { RELEASE_STATES } from '../core/release.ts';
import type { ErrorType, Router } from '../server/http.ts';
import type { ServiceError } from '../services/context.ts';
import { readJson, sendError, sendJson } from '../server/http.ts';
import type { Runtime, ServerPlugin } from '../server/runtime.ts';
import { authenticate } from './auth.ts';
import { releaseJson } from './release-json.ts';

const paramValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const requestBody = z
  .object({
    workflow: z.string().min(1),
    model: z.string().min(1).optional(),
    prompt: z.string().min(1).optional(),
    params: z.record(z.string(), paramValue).optional(),
    reason: z.string().max(2000).optional(),
  })
  .strict();
const verbBody = z.object({ reason: z.string().max(2000).optional() }).strict();

function zodMessage(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
}

/** The HTTP status and contract error type of a refusal (the releases API and the console answer alike). */
export function httpErrorOf(e: ServiceError): { status: number; type: ErrorType } {
  const status = e.kind === 'forbidden' ? 403 : e.kind === 'state_conflict' ? 409 : e.kind === 'not_found' ? 404 : e.kind === 'unauthorized' ? 401 : 400;
  const type: ErrorType =
    e.kind === 'forbidden'
      ? 'forbidden'
      : e.kind === 'state_conflict'
        ? 'state_conflict'
        : e.kind === 'not_found'
          ? e.rule === 'unknown_workflow'
            ? 'unknown_workflow'
            : 'not_found'
          : e.kind === 'unauthorized'
            ? 'unauthorized'
            : 'invalid_request';
  return { status, type };
}

function answerError(res: ServerResponse, out: ExecResult): void {
  const e = out.error!;
  const { status, type } = httpErrorOf(e);
  sendError(res, status, type, e.message, e.rule ? { rule: e.rule } : undefined);
}

export function releasesApi(rt: Runtime): ServerPlugin {
  const ctx = rt.ctx;
  return {
    name: 'releases-api',
    routes(router: Router) {
      router.add('POST', '/v1/releases', async (req, res) => {
        const auth = await authenticate(ctx, req, res, 'releases');
        if (!auth) return;
        const body = await readJson(req);
        if (!body.ok) return sendError(res, body.status, body.type, body.message);
        const parsed = requestBody.safeParse(body.value);
        if (!parsed.success) return sendError(res, 400, 'invalid_request', zodMessage(parsed.error));
        const b = parsed.data;
        const cmd: Command = { verb: 'request', workflow: b.workflow, model: b.model, prompt: b.prompt, params: b.params ?? {}, reason: b.reason };
        const out = await execute(ctx, { person: auth.person, surface: 'api' }, cmd);
        rt.kick();
        if (out.error || !out.release) return answerError(res, out);
        sendJson(res, 201, await releaseJson(ctx, out.release));
      });

      router.add('GET', '/v1/releases', async (req, res, _p, url) => {
        const auth = await authenticate(ctx, req, res, 'releases');
        if (!auth) return;
        const workflow = url.searchParams.get('workflow') ?? undefined;
        const state = url.searchParams.get('state') ?? undefined;
        if (workflow && !ctx.config.workflows[workflow]) return sendError(res, 404, 'unknown_workflow', `unknown workflow "${workflow}"`);
        if (state && state !== 'open' && !(RELEASE_STATES as readonly string[]).includes(state))
          return sendError(res, 400, 'invalid_request', `state must be one of ${RELEASE_STATES.join(', ')} or open`);
        const limit = Math.min(Number(url.searchParams.get('limit') ?? 100) || 100, 1000);
        const releases = await ctx.store.releases.list({ workflow, state, limit });
        const out: Record<string, unknown>[] = [];
        for (const r of releases) out.push(await releaseJson(ctx, r));
        sendJson(res, 200, { releases: out });
      });

      router.add('GET', '/v1/releases/:id', async (req, res, p) => {
        const auth = await authenticate(ctx, req, res, 'releases');
        if (!auth) return;
        const m = RELEASE_ID_RE.exec(p.id!);
        const r = m ? await ctx.store.releases.get(Number(m[1])) : undefined;
        if (!r) return sendError(res, 404, 'not_found', `no release ${p.id}`);
        sendJson(res, 200, await releaseJson(ctx, r));
      });

      router.add('POST', '/v1/releases/:id/:verb', async (req, res, p) => {
        const auth = await authenticate(ctx, req, res, 'releases');
        if (!auth) return;
        const verb = p.verb as ReleaseVerb;
        if (!(RELEASE_VERBS as readonly string[]).includes(verb))
          return sendError(res, 404, 'not_found', `unknown verb "${p.verb}" (one of ${RELEASE_VERBS.join(', ')})`);
        // One grammar everywhere: a workflow name stands for its open release (or, for rollback,
        // its latest completed one); the executor resolves it and says when there is none.
        const m = RELEASE_ID_RE.exec(p.id!);
        if (!m && !ctx.config.workflows[p.id!])
          return sendError(res, 404, 'not_found', `"${p.id}" is neither a release id (REL-<n>) nor a workflow`, { rule: 'unknown_release' });
        const body = await readJson(req);
        if (!body.ok) return sendError(res, body.status, body.type, body.message);
        const parsed = verbBody.safeParse(body.value ?? {});
        if (!parsed.success) return sendError(res, 400, 'invalid_request', zodMessage(parsed.error));
        const reason = parsed.data.reason;
        if (verb === 'override' && !reason?.trim()) return sendError(res, 400, 'invalid_request', 'override needs a reason: {"reason": "..."}', { rule: 'reason_required' });
        const target = m ? `REL-${m[1]}` : p.id!;
        const cmd = (['reject', 'rollback', 'override'].includes(verb) ? { verb, target, reason } : { verb, target }) as Command;
        const out = await execute(ctx, { person: auth.person, surface: 'api' }, cmd);
        rt.kick();
        if (out.error || !out.release) return answerError(res, out);
        sendJson(res, 200, await releaseJson(ctx, out.release));
      });
    },
  };
}
