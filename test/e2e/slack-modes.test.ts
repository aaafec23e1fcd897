/** Which Slack mode the environment turns on (Socket Mode end to end: slack-socket.test.ts). */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SocketModeReceiver } from '@slack/bolt';
import { createSlackSurface } from '../../src/chat/slack/plugin.ts';
import { slackSettingsFromEnv } from '../../src/chat/slack/settings.ts';
import { Router } from '../../src/server/http.ts';
import { createLogger } from '../../src/server/log.ts';
import type { Runtime } from '../../src/server/runtime.ts';
import { openTestApp } from '../helpers/harness.ts';

describe('slack settings', () => {
  it('is off without a bot token, and says why when half configured', async () => {
    expect(slackSettingsFromEnv({})).toEqual({ on: false });
    const half = slackSettingsFromEnv({ SLACK_SIGNING_SECRET: 's' });
    expect(half.on).toBe(false);
    expect(half.on === false && half.why).toContain('SLACK_BOT_TOKEN');
    const noSecret = slackSettingsFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(noSecret.on === false && noSecret.why).toContain('SLACK_SIGNING_SECRET');
  });

  it('HTTP mode with a signing secret, Socket Mode when SLACK_APP_TOKEN is set', async () => {
    const http = slackSettingsFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'http://127.0.0.1:9/api/' });
    expect(http).toMatchObject({ on: true, mode: 'http', settings: { apiUrl: 'http://127.0.0.1:9/api/' } });
    expect(slackSettingsFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).toMatchObject({ on: true, mode: 'socket' });
  });

  it('Socket Mode builds a Bolt app on a SocketModeReceiver and mounts no HTTP route', async () => {
    const app = await openTestApp();
    try {
      const rt: Runtime = { ctx: app.ctx, settings: app.settings, env: {}, log: createLogger('error', () => {}), providers: null as never, kick: () => {} };
      const surface = createSlackSurface(rt, { botToken: 'xoxb-1', appToken: 'xapp-1' }, 'socket');
      expect((surface.app as unknown as { receiver: unknown }).receiver).toBeInstanceOf(SocketModeReceiver);
      const router = new Router();
      surface.routes!(router);
      expect(router.match('POST', '/slack/events')).toBeNull();
    } finally {
      await app.close();
    }
  });
});

describe('manifests/slack-app.yaml', () => {
  it('declares what the app uses: /ai-release with a usage hint, interactivity and events on /slack/events, App Home, bot scopes', async () => {
    const m = parse(readFileSync('manifests/slack-app.yaml', 'utf8'));
    const cmd = m.features.slash_commands.find((c: { command: string }) => c.command === '/ai-release');
    expect(cmd.usage_hint).toBeTruthy();
    expect(cmd.url).toMatch(/\/slack\/events$/);
    expect(m.settings.interactivity.is_enabled).toBe(true);
    expect(m.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(m.settings.event_subscriptions.bot_events).toContain('app_home_opened');
    expect(m.features.app_home.home_tab_enabled).toBe(true);
    expect([...m.oauth_config.scopes.bot].sort()).toEqual(['chat:write', 'chat:write.public', 'commands', 'im:write']);
  });
});
