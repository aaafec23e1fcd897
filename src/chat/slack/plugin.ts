/**
 * The Slack surface: a Bolt v5 app over the one executor and Card model.
 *   - HTTP mode (SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET): Bolt's HTTPReceiver verifies each
 *     request (v0 HMAC, 5-minute window) and is called from our router on POST /slack/events of
 *     the one server port — no second server.
 *   - Socket Mode (SLACK_APP_TOKEN): Bolt's SocketModeReceiver, started and stopped with us.
 * Outgoing messages go through the per-channel queue; committed events (from this process or the
 * CLI) update each release's one message.
 */
import { App, HTTPReceiver, LogLevel, webApi, type Logger as BoltLogger } from '@slack/bolt';
import { consoleUrlFromEnv } from '../console-url.ts';
import type { ChannelQueueOptions } from '../queue.ts';
import type { Router } from '../../server/http.ts';
import type { Logger } from '../../server/log.ts';
import type { Runtime, ServerPlugin } from '../../server/runtime.ts';
import { registerCardActions } from './actions/card-action.ts';
import { registerAiReleaseCommand } from './commands/ai-release.ts';
import { pruneDeliveries } from './dedupe.ts';
import type { OpenModal, SlackDeps } from './deps.ts';
import { SlackDelivery } from './deliver.ts';
import { homeBlocks, registerAppHome } from './events/app-home.ts';
import { SlackOutbox, slackClientOptions } from './outbox.ts';
import { slackSettingsFromEnv, type SlackSettings } from './settings.ts';
import { registerReasonModal } from './views/reason-modal.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

let queueOverride: ChannelQueueOptions | undefined;
/** Tests and benchmarks: the queue's rate, clock and sleep for Slack surfaces started next. */
export function configureSlackQueue(opts: ChannelQueueOptions | undefined): void {
  queueOverride = opts;
}

const live = new Set<SlackSurface>();
/** Resolves when every running Slack surface has finished its listeners and sent its queue (tests). */
export async function slackSettled(): Promise<void> {
  for (const s of live) await s.settled();
}

/** The plugin factory: null when Slack is off. */
export function slackPlugin(rt: Runtime): ServerPlugin | null {
  const s = slackSettingsFromEnv(rt.env);
  if (!s.on) {
    if (s.why) rt.log.warn(s.why);
    return null;
  }
  return createSlackSurface(rt, s.settings, s.mode, queueOverride);
}

interface BotIdentity {
  botToken: string;
  botId?: string;
  botUserId?: string;
  teamId?: string;
}

export interface SlackSurface extends ServerPlugin {
  app: App;
  mode: 'http' | 'socket';
  outbox: SlackOutbox;
  /** Resolves when no listener is running and the outgoing queue is empty. */
  settled(): Promise<void>;
}

export function createSlackSurface(rt: Runtime, settings: SlackSettings, mode: 'http' | 'socket', queueOptions?: ChannelQueueOptions): SlackSurface {
  const clientOptions = slackClientOptions(settings.apiUrl);
  const client = new webApi.WebClient(settings.botToken, clientOptions);
  const outbox = new SlackOutbox(client, rt.log, queueOptions);
  const logger = boltLogger(rt.log);

  // Our own authorize: one auth.test, cached, retried on the next delivery if Slack was down.
  let identity: Promise<BotIdentity> | null = null;
  const authorize = (): Promise<BotIdentity> =>
    (identity ??= client.auth.test().then(
      (r) => ({ botToken: settings.botToken, botId: r.bot_id, botUserId: r.user_id, teamId: r.team_id }),
      (e: Error & { data?: { error?: string } }) => {
        identity = null;
        throw new Error(`Slack auth.test failed: ${e.data?.error ?? e.message}`);
      },
    ));

  const receiver = mode === 'http' ? new HTTPReceiver({ signingSecret: settings.signingSecret!, endpoints: SLACK_EVENTS_PATH, processBeforeResponse: false, logger }) : undefined;
  const app = new App({
    authorize,
    logger,
    clientOptions,
    processBeforeResponse: false,
    ...(receiver ? { receiver } : { socketMode: true, appToken: settings.appToken!, ...(settings.signingSecret ? { signingSecret: settings.signingSecret } : {}) }),
  });
  // Listeners still running after their ack (processBeforeResponse: false).
  const running = new Set<Promise<void>>();
  app.use(async ({ next }) => {
    const p = next();
    running.add(p);
    try {
      await p;
    } finally {
      running.delete(p);
    }
  });
  app.error(async (e) => {
    rt.log.error('slack listener failed', { error: e.message, code: (e as { code?: string }).code });
  });

  const modals = new Map<string, OpenModal>();
  const consoleUrl = consoleUrlFromEnv(rt.env);
  const deps: SlackDeps = {
    rt,
    outbox,
    modals,
    publishHome: async (user) => outbox.publishHome(user, await homeBlocks(deps, user)),
    consoleUrl,
  };
  registerAiReleaseCommand(app, deps);
  registerCardActions(app, deps);
  registerReasonModal(app, deps);
  registerAppHome(app, deps);
  const delivery = new SlackDelivery(rt.ctx, outbox, consoleUrl);

  let sweeper: NodeJS.Timeout | null = null;
  const surface: SlackSurface = {
    name: 'slack',
    app,
    mode,
    outbox,
    routes(router: Router) {
      if (!receiver) return;
      router.add('POST', SLACK_EVENTS_PATH, (req, res) => receiver.requestListener(req, res));
    },
    async start() {
      await pruneDeliveries(rt.ctx.store, rt.ctx.now());
      sweeper = setInterval(() => {
        const now = rt.ctx.now();
        if (!rt.ctx.store.closed)
          pruneDeliveries(rt.ctx.store, now).catch((e: Error) => rt.log.error('slack: forgetting old deliveries failed', { error: e.message }));
        for (const [id, m] of modals) if (now - m.at > 3600_000) modals.delete(id);
      }, 3600_000);
      sweeper.unref();
      try {
        const who = await authorize();
        rt.log.info(`slack on (${mode === 'http' ? `HTTP mode on POST ${SLACK_EVENTS_PATH}` : 'Socket Mode'})`, { bot_user: who.botUserId, team: who.teamId });
      } catch (e) {
        rt.log.error('slack is on but its bot token does not work yet; will retry on the next delivery', { error: (e as Error).message });
      }
      if (mode === 'socket') await app.start();
    },
    async stop() {
      live.delete(surface);
      if (sweeper) clearInterval(sweeper);
      if (mode === 'socket') await app.stop().catch(() => undefined);
      // Flush what is queued, but never hang shutdown on Slack.
      await Promise.race([outbox.idle(), new Promise((r) => setTimeout(r, 5_000).unref())]);
    },
    onEvent(e) {
      return delivery.handle(e);
    },
    async settled() {
      while (running.size > 0 || outbox.queue.size() > 0) {
        await Promise.allSettled([...running]);
        await outbox.idle();
      }
    },
  };
  live.add(surface);
  return surface;
}

/** Bolt's logger interface over ours (secrets stay redacted). */
function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  let name = 'bolt';
  const line = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  return {
    debug: (...a) => log.debug(line(a), { component: name }),
    info: (...a) => log.debug(line(a), { component: name }),
    warn: (...a) => log.warn(line(a), { component: name }),
    error: (...a) => log.error(line(a), { component: name }),
    setLevel: (l) => void (level = l),
    getLevel: () => level,
    setName: (n) => void (name = n),
  };
}
