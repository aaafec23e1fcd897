/** Answering one user privately, wherever they clicked or typed. */
import type { Card } from '../../core/card.ts';
import { personBySlack } from '../../services/context.ts';
import { forPeople } from '../audience.ts';
import type { SlackDeps } from './deps.ts';
import { slackMessageOf } from './message.ts';

export interface ReplyTarget {
  user: string;
  channel?: string;
  /** Bolt's `respond` when the payload carried a response_url. */
  respond?: (msg: Record<string, unknown>) => Promise<unknown>;
}

/** What `user` sees of `cards` alone: only the buttons they may use, fitted to one message. */
export async function privateMessage(deps: SlackDeps, user: string, cards: Card[]) {
  const { ctx } = deps.rt;
  return slackMessageOf(ctx.config, await forPeople(ctx, cards, personBySlack(ctx.config, user)), { consoleUrl: deps.consoleUrl });
}

/** An ephemeral: through response_url when there is one, else chat.postEphemeral, else a DM. */
export async function replyPrivately(deps: SlackDeps, to: ReplyTarget, cards: Card[]): Promise<void> {
  const msg = await privateMessage(deps, to.user, cards);
  try {
    if (to.respond) {
      await to.respond({ response_type: 'ephemeral', replace_original: false, text: msg.text, blocks: msg.blocks });
      return;
    }
  } catch (e) {
    deps.rt.log.warn('slack response_url failed; posting instead', { error: (e as Error).message });
  }
  if (to.channel && !to.channel.startsWith('D')) await deps.outbox.ephemeral(to.channel, to.user, msg);
  else await deps.outbox.direct(to.user, msg);
}
