/**
 * The App Home tab (`app_home_opened` -> `views.publish`): the workflows with their live configs,
 * weights and open releases (the status card), then today's spend for what the person may read.
 */
import type { App } from '@slack/bolt';
import { noticeCard } from '../../../core/views/common.ts';
import { SLACK_VIEW } from '../../render/budget.ts';
import type { SlackBlock } from '../../render/blockkit.ts';
import { firstDelivery } from '../dedupe.ts';
import { deliveryKey, type SlackDeps } from '../deps.ts';
import { slackMessageOf } from '../message.ts';
import { runAsSlackUser } from '../act.ts';
import { personBySlack } from '../../../services/context.ts';
import type { Card } from '../../../core/card.ts';

export async function homeBlocks(deps: SlackDeps, user: string): Promise<SlackBlock[]> {
  const { ctx } = deps.rt;
  const cards: Card[] = [];
  const status = await runAsSlackUser(ctx, user, { verb: 'status' });
  cards.push(...status.cards);
  if (personBySlack(ctx.config, user)) {
    const spend = await runAsSlackUser(ctx, user, { verb: 'spend', days: 1 });
    if (spend.exitCode === 0) cards.push(...spend.cards);
  } else {
    cards.push(noticeCard('Not in the configuration', 'Your Slack account is not one of the people in the ai-release configuration: you may read `status` and `help` only.', 'info'));
  }
  // Home shows state; decisions are made on the release messages in the team channels. A list too
  // long for the tab names the command that shows its next page and links to the console.
  const shown = cards.map((c) => ({ ...c, actions: undefined }));
  return slackMessageOf(ctx.config, shown, { budget: SLACK_VIEW, nextPage: false, consoleUrl: deps.consoleUrl }).blocks;
}

export function registerAppHome(app: App, deps: SlackDeps): void {
  const { ctx } = deps.rt;
  app.event('app_home_opened', async ({ event, body }) => {
    if (event.tab && event.tab !== 'home') return;
    const b = body as { team_id?: string; event_id?: string };
    if (!(await firstDelivery(ctx.store, deliveryKey(b.team_id, 'event', b.event_id ?? `${event.user}:${event.event_ts}`), ctx.now()))) return;
    await deps.publishHome(event.user);
  });
}
