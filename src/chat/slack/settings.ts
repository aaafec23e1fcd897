/** Whether Slack is on, and how: HTTP mode (bot token + signing secret) or Socket Mode (app token). */

export interface SlackSettings {
  botToken: string;
  /** HTTP mode: verifies every request on POST /slack/events. */
  signingSecret?: string;
  /** Socket Mode: no public URL needed. */
  appToken?: string;
  /** Base URL of the Slack Web API (tests and proxies); Slack's own when unset. */
  apiUrl?: string;
}

export type SlackSettingsResult = { on: false; why?: string } | { on: true; settings: SlackSettings; mode: 'http' | 'socket' };

export function slackSettingsFromEnv(env: NodeJS.ProcessEnv): SlackSettingsResult {
  const botToken = env.SLACK_BOT_TOKEN?.trim();
  const signingSecret = env.SLACK_SIGNING_SECRET?.trim() || undefined;
  const appToken = env.SLACK_APP_TOKEN?.trim() || undefined;
  const apiUrl = env.SLACK_API_URL?.trim() || undefined;
  if (!botToken) {
    if (signingSecret || appToken) return { on: false, why: 'SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: Slack stays off' };
    return { on: false };
  }
  if (appToken) return { on: true, mode: 'socket', settings: { botToken, appToken, signingSecret, apiUrl } };
  if (signingSecret) return { on: true, mode: 'http', settings: { botToken, signingSecret, apiUrl } };
  return { on: false, why: 'SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP mode) nor SLACK_APP_TOKEN (Socket Mode) is: Slack stays off' };
}
