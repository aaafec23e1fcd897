/**
 * The Microsoft Teams surface: `POST /api/messages` (Bot Framework protocol) on the one port, and
 * the event pump's changes posted to Teams. On with `MICROSOFT_APP_ID` (authenticated) or
 * `TEAMS_LOCAL=true` (no authentication: the Bot Framework Emulator and tests).
 */
import { StartupError } from '../../app.ts';
import { readJson, sendError } from '../../server/http.ts';
import type { Runtime, ServerPlugin } from '../../server/runtime.ts';
import { consoleUrlFromEnv } from '../console-url.ts';
import { outboundFor } from '../outbound.ts';
import { ChannelQueue } from '../queue.ts';
import { teamsModeFromEnv } from './mode.ts';
import { deliver } from './proactive.ts';
import { BotFrameworkConnection, connectorRetryAfterMs } from './sdk.ts';
import { handleActivity } from './turn.ts';

/** Messages per second per conversation (Teams allows about 7 per second per bot per thread). */
const PER_SECOND = 4;

export function teamsPlugin(rt: Runtime): ServerPlugin | null {
  const m = teamsModeFromEnv(rt.env);
  if (!m.ok) throw new StartupError(`Microsoft Teams is misconfigured; nothing was started:\n${m.problems.map((p) => `  ${p}`).join('\n')}`);
  const mode = m.mode;
  if (mode.kind === 'off') return null;
  const { ctx, log } = rt;
  const local = mode.kind === 'local';
  const connection = new BotFrameworkConnection(mode.kind === 'authenticated' ? mode.auth : null, log);
  const queue = new ChannelQueue({
    perSecond: PER_SECOND,
    retryAfterMs: connectorRetryAfterMs,
    onRateLimited: (conversation, waitMs) => log.warn('teams: rate limited by the Bot Connector', { conversation, waitMs }),
  });
  const consoleUrl = consoleUrlFromEnv(rt.env);
  const deps = { ctx, log, local, consoleUrl };

  return {
    name: 'teams',
    routes(router) {
      router.add('POST', '/api/messages', async (req, res) => {
        // No token at all: refuse before the SDK looks (it validates the ones that are there).
        if (!local && !req.headers.authorization) {
          req.resume();
          return sendError(res, 401, 'unauthorized', 'the Bot Framework token is missing (Authorization: Bearer <JWT from the Bot Connector>)');
        }
        const body = await readJson(req);
        if (!body.ok) return sendError(res, body.status, body.type, body.message);
        await connection.process(req, res, body.value, async (activity, replies) => {
          const out = await handleActivity(deps, activity, replies);
          rt.kick();
          return out;
        });
      });
    },
    start() {
      if (local)
        log.warn(
          '!!! TEAMS_LOCAL=true: Microsoft Teams is ON WITHOUT AUTHENTICATION at POST /api/messages — anyone who can reach this port can act as any Teams user. For the Bot Framework Emulator and tests only; set MICROSOFT_APP_ID/MICROSOFT_APP_PASSWORD in production. !!!',
        );
      else log.info('Microsoft Teams on (authenticated)', { appId: mode.kind === 'authenticated' ? mode.auth.appId : undefined, appType: mode.kind === 'authenticated' ? mode.auth.appType : undefined });
    },
    async stop() {
      // Let queued posts go out, but never hold shutdown for long.
      await Promise.race([queue.idle(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    },
    async onEvent(e) {
      for (const out of await outboundFor(ctx, e)) await deliver({ ctx, log, connector: connection, queue, consoleUrl }, out);
    },
  };
}
