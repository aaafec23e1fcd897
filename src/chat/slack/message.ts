/**
 * Cards as Slack messages: Block Kit from the one renderer (fitted to a message's budget), with
 * config people shown as Slack mentions ("✅ Approved by <@U0DANA> at 14:02 UTC").
 */
import type { Card } from '../../core/card.ts';
import type { LoadedConfig } from '../../config/types.ts';
import { renderBlockKit, renderBlockKitCards, type BlockKitMessage, type BlockKitOptions, type SlackBlock } from '../render/blockkit.ts';

/** One card as a message. */
export function slackMessage(config: LoadedConfig, card: Card, opts: BlockKitOptions = {}): BlockKitMessage {
  return withMentions(config, renderBlockKit(card, opts));
}

/** Several cards as one message (an ephemeral answer), fitted together within Slack's budget. */
export function slackMessageOf(config: LoadedConfig, cards: Card[], opts: BlockKitOptions = {}): BlockKitMessage {
  return withMentions(config, renderBlockKitCards(cards, opts));
}
/** "by dana at" / "by dana," in context lines becomes "by <@U0DANA> at" for people with a Slack id. */
export function withMentions(config: LoadedConfig, msg: BlockKitMessage): BlockKitMessage {
  const ids = new Map<string, string>();
  for (const p of Object.values(config.people)) if (p.slack) ids.set(p.name, p.slack);
  if (ids.size === 0) return msg;
  const mention = (text: string) => text.replace(/\bby ([A-Za-z0-9_.-]+)(?=[ ,.)]|$)/g, (all, name: string) => (ids.has(name) ? `by <@${ids.get(name)}>` : all));
  const blocks = msg.blocks.map((b): SlackBlock => {
    if (b.type !== 'context') return b;
    return { ...b, elements: b.elements.map((e) => (e.type === 'mrkdwn' ? { ...e, text: mention(e.text) } : e)) };
  });
  return { text: msg.text, blocks };
}
