/**
 * Committed events -> Slack: each release has ONE message in its team's channel, posted on its
 * first event and updated in place (chat.update) on every later one, whoever caused it (chat,
 * CLI, API, a job). Alerts about a release go in that message's thread; digests also go to
 * leaders directly.
 */
import type { AppContext } from '../../services/context.ts';
import type { StoredEvent } from '../../store/repos/events.ts';
import { forChannel, forPerson } from '../audience.ts';
import { SLACK_MESSAGE } from '../render/budget.ts';
import { releaseCardOf } from '../executor.ts';
import { outboundFor, type Outbound } from '../outbound.ts';
import { slackMessage } from './message.ts';
import type { SlackOutbox } from './outbox.ts';
import { recordSlackPost, slackPostOf } from './posts.ts';

export class SlackDelivery {
  /** Release messages waiting for their turn: a later event re-renders them anyway. */
  private waiting = new Set<string>();

  constructor(
    private ctx: AppContext,
    private outbox: SlackOutbox,
    /** PUBLIC_URL: where cut cards link to the console. */
    private consoleUrl?: string,
  ) {}

  /** Queues what `e` means for Slack; resolves without waiting for Slack. */
  async handle(e: StoredEvent): Promise<void> {
    for (const o of await outboundFor(this.ctx, e)) await this.send(o);
  }

  private channelOf(team: string): string | undefined {
    return this.ctx.config.teams[team]?.channels.slack;
  }

  private async send(o: Outbound): Promise<void> {
    const cfg = this.ctx.config;
    switch (o.kind) {
      case 'release': {
        const channel = this.channelOf(o.team);
        if (!channel) return;
        const key = `${channel}:${o.releaseId}`;
        if (this.waiting.has(key)) return;
        this.waiting.add(key);
        void this.outbox.inTurn(channel, 'release message', async () => {
          this.waiting.delete(key);
          // Rendered when its turn comes: the message shows the release as it is now.
          const r = await this.ctx.store.releases.get(o.releaseId);
          const msg = slackMessage(cfg, await forChannel(this.ctx, r ? await releaseCardOf(this.ctx, r) : o.card), { consoleUrl: this.consoleUrl });
          const ts = await slackPostOf(this.ctx.store, o.releaseId, channel);
          if (ts) return this.outbox.updateNow(channel, ts, msg);
          const posted = await this.outbox.postNow(channel, msg);
          if (posted) await recordSlackPost(this.ctx.store, o.releaseId, channel, posted);
        });
        return;
      }
      case 'message': {
        const channel = this.channelOf(o.team);
        if (!channel) return;
        const mentions = (o.mention ?? []).flatMap((n) => (cfg.people[n]?.slack ? [`<@${cfg.people[n]!.slack}>`] : []));
        // The mention line is one more block: the card fits in one fewer.
        const budget = mentions.length ? { ...SLACK_MESSAGE, blocks: SLACK_MESSAGE.blocks - 1, text: SLACK_MESSAGE.text - 400 } : SLACK_MESSAGE;
        const msg = slackMessage(cfg, await forChannel(this.ctx, o.card), { consoleUrl: this.consoleUrl, budget });
        if (mentions.length) msg.blocks.splice(1, 0, { type: 'context', elements: [{ type: 'mrkdwn', text: `for ${mentions.slice(0, 20).join(' ')}${mentions.length > 20 ? ` and ${mentions.length - 20} more` : ''}` }] });
        const threadOf = o.threadOf;
        void this.outbox.post(channel, msg, threadOf === undefined ? undefined : () => slackPostOf(this.ctx.store, threadOf, channel));
        return;
      }
      case 'direct': {
        for (const name of o.people) {
          const user = cfg.people[name]?.slack;
          if (user) void this.outbox.direct(user, slackMessage(cfg, await forPerson(this.ctx, o.card, cfg.people[name]), { consoleUrl: this.consoleUrl }));
        }
        return;
      }
    }
  }
}
