/**
 * `/ai-release <text>`: acknowledged at once (a usage error is the ack itself, an ephemeral with
 * the verb's usage); the command then runs as the Slack user and the result comes back as an
 * ephemeral through `response_url`. A release's card goes to its team channel via the events.
 */
import type { App } from '@slack/bolt';
import { firstDelivery } from '../dedupe.ts';
import { deliveryKey, type SlackDeps } from '../deps.ts';
import { slackMessageOf } from '../message.ts';
import { parseSlackText, privateCards, runAsSlackUser } from '../act.ts';
import { privateMessage } from '../reply.ts';

export const SLASH_COMMAND = '/ai-release';

export function registerAiReleaseCommand(app: App, deps: SlackDeps): void {
  const { ctx } = deps.rt;
  app.command(SLASH_COMMAND, async ({ command, ack, respond }) => {
    const key = deliveryKey(command.team_id, 'command', command.trigger_id || `${command.user_id}:${command.text}`);
    if (!(await firstDelivery(ctx.store, key, ctx.now()))) {
      await ack();
      return;
    }
    const parsed = parseSlackText(command.text ?? '');
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', ...slackMessageOf(ctx.config, parsed.cards, { consoleUrl: deps.consoleUrl }) });
      return;
    }
    await ack();
    try {
      const out = await runAsSlackUser(ctx, command.user_id, parsed.command);
      if (out.release) deps.rt.kick();
      await respond({ response_type: 'ephemeral', replace_original: false, ...(await privateMessage(deps, command.user_id, privateCards(ctx, out))) });
    } catch (e) {
      deps.rt.log.error('slack command failed', { text: command.text, error: (e as Error).message, stack: (e as Error).stack });
      await respond({ response_type: 'ephemeral', text: 'ai-release could not run that command; the error is in the server log.' }).catch(() => undefined);
    }
  });
}
