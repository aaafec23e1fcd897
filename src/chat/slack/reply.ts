/** Answering one user privately, wherever they clicked or typed. */
import type { Card } from '../../core/card.ts';
import type { SlackDeps } from './deps.ts';
import { slackMessageOf } from './message.ts';

export interface ReplyTarget {
  user: string;
  channel?: string;
  /** Bolt's `respond` when the payload carried a response_url. */
  respond?: (msg: Record<string, unknown>) => Promise<unknown>;
}

/** An ephemeral: through response_url when there is one, else chat.postEphemeral, else a DM. */
export async function replyPrivately(deps: SlackDeps, to: ReplyTarget, cards: Card[]): Promise<void> {
  const msg = slackMessageOf(deps.rt.ctx.config, cards);
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
