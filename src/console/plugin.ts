/**
 * The web console at `GET /`: server-rendered pages, a command box and card buttons that run the
 * one grammar through the one executor as the signed-in person, and live updates over SSE.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { httpErrorOf } from '../api/releases.ts';
import { forPeople } from '../chat/audience.ts';
import { execute } from '../chat/executor.ts';
import { renderHtml } from '../chat/render/html.ts';
import { withReason } from '../chat/render/action-payload.ts';
import { parseCommand } from '../core/grammar.ts';
import { usageCard } from '../core/views/common.ts';
import type { Params, Router } from '../server/http.ts';
import { BodyTooLarge, readBody, readJson, sendError, sendJson } from '../server/http.ts';
import type { Runtime, ServerPlugin } from '../server/runtime.ts';
import { html, type Markup } from './html.ts';
import { commandPlaceholder } from './first-step.ts';
import { shell, signInPage, type Page } from './layout.ts';
import { LiveUpdates, liveUpdateOf } from './live.ts';
import { auditLogPage } from './pages/audit.ts';
import { canaryPage } from './pages/canary.ts';
import type { PageContext } from './pages/context.ts';
import { releasePage, releaseCardHtml, releaseOf } from './pages/release.ts';
import { releasesPage } from './pages/releases.ts';
import { receiptPageOf, receiptsPage } from './pages/receipts.ts';
import { spendPage } from './pages/spend.ts';
import { workflowsPage } from './pages/workflows.ts';
import { csrfMatches, sameOrigin, sessionCookie, sessionOf, signIn, signOut, type ConsoleSession } from './sessions.ts';

const asset = (name: string): Buffer => readFileSync(new URL(`./assets/${name}`, import.meta.url));

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

function sendHtml(res: ServerResponse, status: number, body: Markup | string, headers: Record<string, string | string[]> = {}): void {
  const text = typeof body === 'string' ? body : body.html;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
    ...headers,
  });
  res.end(text);
}

/** 303 after a POST (see other), 302 for a page that needs sign-in first. */
function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}, status = 303): void {
  res.writeHead(status, { location, 'cache-control': 'no-store', ...headers });
  res.end();
}

/** Only a local path may follow sign-in (no open redirect). */
const safeNext = (next: string | null | undefined): string => (next && /^\/(?![/\\])/.test(next) ? next : '/');

const runBody = z
  .object({ command: z.string().min(1).max(4000), reason: z.string().max(2000).optional(), expect: z.string().max(64).optional() })
  .strict();

export function webConsole(rt: Runtime): ServerPlugin {
  const ctx = rt.ctx;
  const live = new LiveUpdates();
  const css = asset('app.css');
  const js = asset('app.js');
  const tz = rt.settings.tz;

  const isFragment = (req: IncomingMessage) => req.headers['x-console-fragment'] === '1';

  /** A page behind sign-in: redirects browsers to the sign-in form, answers 401 to scripts. */
  const page =
    (build: (p: PageContext, params: Params) => Page | null | Promise<Page | null>) =>
    async (req: IncomingMessage, res: ServerResponse, params: Params, url: URL) => {
      const session = await sessionOf(ctx, req);
      if (!session) {
        if (isFragment(req)) return sendError(res, 401, 'unauthorized', 'sign in to the console first');
        return redirect(res, `/?next=${encodeURIComponent(url.pathname + url.search)}`, {}, 302);
      }
      const built = await build({ ctx, session, url, tz }, params);
      if (!built) {
        const missing: Page = { title: 'Not found', body: html`<h1>Not found</h1><p class="empty">Nothing at ${url.pathname} that you may see.</p>` };
        return isFragment(req) ? sendHtml(res, 404, missing.body) : sendHtml(res, 404, shell(missing, session, commandPlaceholder(ctx.config)));
      }
      if (isFragment(req)) return sendHtml(res, 200, built.body, { 'x-console-live': built.live ?? '' });
      sendHtml(res, 200, shell(built, session, commandPlaceholder(ctx.config)));
    };

  /** A script call behind sign-in, same-origin and CSRF checks (POSTs). */
  const guard = async (req: IncomingMessage, res: ServerResponse, csrf?: string): Promise<ConsoleSession | null> => {
    const session = await sessionOf(ctx, req);
    if (!session) {
      sendError(res, 401, 'unauthorized', 'sign in to the console first');
      return null;
    }
    if (req.method === 'POST') {
      if (!sameOrigin(req)) {
        sendError(res, 403, 'forbidden', 'cross-origin request refused', { rule: 'csrf' });
        return null;
      }
      if (!csrfMatches(session, csrf)) {
        sendError(res, 403, 'forbidden', 'missing or wrong CSRF token: reload the page', { rule: 'csrf' });
        return null;
      }
    }
    return session;
  };

  async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
    try {
      return new URLSearchParams((await readBody(req, 16 * 1024)).toString('utf8'));
    } catch (e) {
      if (e instanceof BodyTooLarge) return null;
      throw e;
    }
  }

  return {
    name: 'console',
    routes(router: Router) {
      router.add('GET', '/', async (req, res, params, url) => {
        if (!(await sessionOf(ctx, req))) return sendHtml(res, 200, signInPage({ next: safeNext(url.searchParams.get('next')) }));
        return page((p) => workflowsPage(p))(req, res, params, url);
      });
      router.add('GET', '/workflows', page((p) => workflowsPage(p)));
      router.add('GET', '/releases', page((p) => releasesPage(p)));
      router.add('GET', '/releases/:id', page(async (p, params) => {
        const r = await releaseOf(p, params.id!);
        return r ? releasePage(p, r) : null;
      }));
      router.add('GET', '/canary', page((p) => canaryPage(p)));
      router.add('GET', '/spend', page((p) => spendPage(p)));
      router.add('GET', '/receipts', page((p) => receiptsPage(p)));
      router.add('GET', '/receipts/:id', page((p, params) => receiptPageOf(p, params.id!)));
      router.add('GET', '/audit', page((p) => auditLogPage(p)));

      router.add('POST', '/console/signin', async (req, res) => {
        if (!sameOrigin(req)) return sendError(res, 403, 'forbidden', 'cross-origin sign-in refused', { rule: 'csrf' });
        const form = await readForm(req);
        if (!form) return sendHtml(res, 413, signInPage({ message: 'The form was too large.' }));
        const out = await signIn(ctx, form.get('token') ?? '');
        const next = safeNext(form.get('next'));
        if (!out.ok) {
          rt.log.info('console sign-in refused', { reason: out.message });
          return sendHtml(res, 401, signInPage({ message: out.message, next }));
        }
        rt.log.info('console sign-in', { person: out.session.person.name });
        redirect(res, next, { 'set-cookie': sessionCookie(req, out.sessionId, out.session.expiresAt - ctx.now()) });
      });

      router.add('POST', '/console/signout', async (req, res) => {
        const session = await sessionOf(ctx, req);
        if (!session) return redirect(res, '/', { 'set-cookie': sessionCookie(req, '', 0) });
        const form = await readForm(req);
        if (!(await guard(req, res, form?.get('csrf') ?? undefined))) return;
        await signOut(ctx, req);
        redirect(res, '/', { 'set-cookie': sessionCookie(req, '', 0) });
      });

      router.add('POST', '/console/api/run', async (req, res) => {
        const header = req.headers['x-csrf-token'];
        const session = await guard(req, res, Array.isArray(header) ? header[0] : header);
        if (!session) return;
        const body = await readJson(req, 64 * 1024);
        if (!body.ok) return sendError(res, body.status, body.type, body.message);
        const parsed = runBody.safeParse(body.value);
        if (!parsed.success) return sendError(res, 400, 'invalid_request', 'expected {"command": "...", "reason"?: "..."}', { code: 'invalid_request', param: 'command' });
        const text = parsed.data.reason !== undefined ? withReason(parsed.data.command, parsed.data.reason) : parsed.data.command;
        const cmd = parseCommand(text);
        if (!cmd.ok) {
          return sendJson(res, 400, {
            ok: false,
            exit_code: 2,
            error: { type: 'invalid_request', message: cmd.message, code: 'invalid_request', param: 'command' },
            html: renderHtml(usageCard(cmd.message, cmd.usage)),
          });
        }
        const out = await execute(ctx, { person: session.person, surface: 'console' }, cmd.command, { expect: parsed.data.expect });
        rt.kick();
        const e = out.error;
        const http = e ? httpErrorOf(e) : { status: 200, type: undefined };
        sendJson(res, http.status, {
          ok: !e,
          exit_code: out.exitCode,
          ...(e ? { error: { type: http.type, message: e.message, code: http.type, ...(e.rule ? { rule: e.rule } : {}) } } : {}),
          ...(out.release ? { release: out.release.key, state: out.release.state } : {}),
          // The cards as this person sees them: only the buttons they may use.
          html: (await forPeople(ctx, out.cards, session.person)).map((c) => renderHtml(c)).join('\n'),
        });
      });

      router.add('GET', '/console/events', async (req, res) => {
        if (!(await guard(req, res))) return;
        live.attach(req, res);
      });

      router.add('GET', '/console/fragment/release/:id', async (req, res, params, url) => {
        const session = await guard(req, res);
        if (!session) return;
        const p: PageContext = { ctx, session, url, tz };
        const r = await releaseOf(p, params.id!);
        if (!r) return sendError(res, 404, 'not_found', `no release ${params.id}`);
        sendHtml(res, 200, await releaseCardHtml(p, r));
      });

      router.add('GET', '/console/app.css', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
        res.end(css);
      });
      router.add('GET', '/console/app.js', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
        res.end(js);
      });
    },
    onEvent(e) {
      live.publish(liveUpdateOf(e));
    },
    stop() {
      live.close();
    },
  };
}
