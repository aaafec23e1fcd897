/**
 * The composition root: one process, one port. Reads the environment, opens the store and the
 * configuration, starts the built-in mock LLM when a provider has no baseUrl, mounts every
 * surface, and closes cleanly on SIGTERM (pending receipts flushed first).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { openApp, loadConfigOrThrow, StartupError, type Settings } from '../app.ts';
import { releasesApi } from '../api/releases.ts';
import { webConsole } from '../console/plugin.ts';
import { jobsPlugin } from '../jobs/plugin.ts';
import { gatewayPlugin } from '../gateway/plugin.ts';
import { gateRunnerPlugin } from '../evals/gate-runner.ts';
import { teamsPlugin } from '../chat/teams/plugin.ts';
import { slackPlugin } from '../chat/slack/plugin.ts';
import { syncConfigFile } from '../services/config-sync.ts';
import { ProviderTargets } from '../services/providers.ts';
import { closeUpstreams } from '../gateway/upstream.ts';
import { Router, sendError, sendJson } from './http.ts';
import { createLogger } from './log.ts';
import { registry } from './metrics.ts';
import { EventPump, type Runtime, type ServerPlugin } from './runtime.ts';

export interface RunningServer {
  url: string;
  port: number;
  runtime: Runtime;
  server: Server;
  /** Flushes and closes everything (what SIGTERM does). */
  close(): Promise<void>;
  /** Re-reads the configuration file (what SIGHUP does). */
  reload(): Promise<{ ok: boolean; message: string }>;
  /** Hands pending events to every plugin now (tests). */
  pump(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Don't install SIGTERM/SIGHUP handlers (tests start several servers in one process). */
  noSignals?: boolean;
  /** Log sink (tests). */
  logWrite?: (line: string) => void;
  pumpIntervalMs?: number;
}

type PluginFactory = (rt: Runtime) => ServerPlugin | null | Promise<ServerPlugin | null>;

/** Every surface, in order. Each factory returns null when its surface is off. */
async function pluginFactories(): Promise<PluginFactory[]> {
  return [releasesApi, gatewayPlugin, gateRunnerPlugin, teamsPlugin, slackPlugin, jobsPlugin, webConsole];
}

export async function startServer(settings: Settings, opts: StartOptions = {}): Promise<RunningServer> {
  const env = opts.env ?? process.env;
  const log = createLogger(settings.logLevel, opts.logWrite);
  let app;
  try {
    app = await openApp(settings, { env, now: opts.now });
  } catch (e) {
    if (e instanceof StartupError) {
      process.stderr.write(`${e.message}\n`);
      if (!opts.noSignals) process.exit(1);
    }
    throw e;
  }
  const ctx = app.ctx;

  // The built-in mock LLM, for providers without a baseUrl.
  let mock: { url: string; close(): Promise<void> } | null = null;
  const probe = new ProviderTargets(() => ctx.config, null);
  if (probe.needsMock()) {
    const { startMockLlm } = await import('../../scripts/mock-llm.ts');
    mock = await startMockLlm({ port: 0, host: '127.0.0.1', seed: Number(env.MOCK_LLM_SEED ?? 42) });
  }
  const providers = new ProviderTargets(() => ctx.config, mock?.url ?? null);

  const router = new Router();
  let pump: EventPump | null = null;
  const rt: Runtime = { ctx, settings, env, log, providers, kick: () => void pump?.poll() };

  router.add('GET', '/healthz', async (_req, res) => {
    try {
      await ctx.store.ping();
      sendJson(res, 200, { status: 'ok', store: 'ok', workflows: Object.keys(ctx.config.workflows).length });
    } catch (e) {
      sendJson(res, 503, { status: 'error', store: (e as Error).message });
    }
  });
  router.add('GET', '/metrics', async (_req, res) => {
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(body);
  });

  const plugins: ServerPlugin[] = [];
  for (const make of await pluginFactories()) {
    const p = await make(rt);
    if (p) plugins.push(p);
  }
  for (const p of plugins) p.routes?.(router);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = router.match(req.method ?? 'GET', url.pathname);
    if (!m) return sendError(res, 404, 'not_found', `no route ${req.method} ${url.pathname}`);
    if ('allowed' in m) return sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname} (allowed: ${m.allowed.join(', ')})`, { headers: { allow: m.allowed.join(', ') } });
    // Changes made by other processes are noticed on the next request.
    void pump?.poll();
    try {
      const out = m.handler(req, res, m.params, url);
      if (out instanceof Promise)
        out.catch((e: Error) => {
          log.error('request failed', { path: url.pathname, error: e.message, stack: e.stack });
          if (!res.headersSent) sendError(res, 500, 'internal_error', 'internal error');
          else res.end();
        });
    } catch (e) {
      log.error('request failed', { path: url.pathname, error: (e as Error).message, stack: (e as Error).stack });
      if (!res.headersSent) sendError(res, 500, 'internal_error', 'internal error');
    }
  };

  const server = createServer({ keepAliveTimeout: 65_000 }, handle);
  server.headersTimeout = 66_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, resolve);
    });
  } catch (e) {
    // Nothing may keep the process alive after a failed start (the mock LLM, the store).
    await closeUpstreams();
    await mock?.close();
    await app.close();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES')
      throw new StartupError(`cannot listen on port ${settings.port}: ${err.code === 'EADDRINUSE' ? 'it is already in use' : 'permission denied'} (set PORT to another port)`);
    throw e;
  }
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;

  for (const p of plugins) await p.start?.();
  pump = new EventPump(rt, plugins, opts.pumpIntervalMs ?? 250);
  await pump.start();
  void pump.poll(true);

  // Say what is on.
  const on = plugins.map((p) => p.name);
  log.info('ai-release started', {
    port,
    database: settings.databasePath,
    config: settings.configPath,
    surfaces: on,
    seeded: app.sync.added,
    requested: app.sync.requested,
  });
  const banner: string[] = [`ai-release listening on ${url} (database ${settings.databasePath}, config ${settings.configPath})`];
  banner.push(`  surfaces: ${on.join(', ')}`);
  if (!on.includes('slack')) banner.push('  Slack: off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET for HTTP mode, or SLACK_APP_TOKEN for Socket Mode)');
  if (!on.includes('teams')) banner.push('  Teams: off (set MICROSOFT_APP_ID, or TEAMS_LOCAL=true for the Bot Framework Emulator)');
  banner.push(`  web console: ${url}/ · gateway: ${url}/v1/chat/completions · releases API: ${url}/v1/releases`);
  if (mock) banner.push(`  upstream: the built-in MOCK LLM (a simulator) at ${mock.url} serves provider(s) ${providers.mocked().join(', ')} — set OPENAI_BASE_URL for a real one`);
  banner.push('  first personal token: npx ai-release token create --name me --scopes releases --person <name from the config>');
  if (!opts.logWrite) process.stderr.write(`${banner.join('\n')}\n`);

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      pump?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      for (const p of [...plugins].reverse()) {
        try {
          await p.stop?.();
        } catch (e) {
          log.error('stop failed', { plugin: p.name, error: (e as Error).message });
        }
      }
      await closeUpstreams();
      await mock?.close();
      await app.close();
      log.info('ai-release stopped');
    })());

  const reload = async (): Promise<{ ok: boolean; message: string }> => {
    try {
      const config = loadConfigOrThrow(settings.configPath, env);
      ctx.config = config;
      providers.reset();
      const r = await syncConfigFile(ctx);
      for (const p of plugins) p.onConfig?.();
      void pump?.poll(true);
      const message = `configuration reloaded: ${r.requested.length} release(s) requested, ${r.policyChanged.length} policy change(s)`;
      log.info(message);
      return { ok: true, message };
    } catch (e) {
      const message = e instanceof StartupError ? e.message : (e as Error).message;
      log.error('configuration reload refused; the previous configuration stays in force', { problems: message });
      return { ok: false, message };
    }
  };

  if (!opts.noSignals) {
    const stop = (sig: string) => {
      log.info(`${sig} received: closing`);
      void close().then(() => process.exit(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => void reload());
  }

  return {
    url,
    port,
    runtime: rt,
    server,
    close,
    reload,
    pump: async () => {
      await pump?.poll(true);
    },
  };
}
