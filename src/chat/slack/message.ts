/**
 * Cards as Slack messages: Block Kit from the one renderer, with config people shown as Slack
 * mentions ("✅ Approved by <@U0DANA> at 14:02 UTC").
 */
import type { Card } from '../../core/card.ts';
import type { LoadedConfig } from '../../config/types.ts';
import { renderBlockKit, type BlockKitMessage, type SlackBlock } from '../render/blockkit.ts';

const MAX_MESSAGE_BLOCKS = 50;

/** One card as a message. */
export function slackMessage(config: LoadedConfig, card: Card): BlockKitMessage {
  return withMentions(config, renderBlockKit(card));
}

/** Several cards as one message (an ephemeral answer), within Slack's block limit. */
export function slackMessageOf(config: LoadedConfig, cards: Card[]): BlockKitMessage {
  const parts = cards.map((c) => slackMessage(config, c));
  const blocks: SlackBlock[] = [];
  for (const [i, p] of parts.entries()) {
    if (i > 0) blocks.push({ type: 'divider' });
    blocks.push(...p.blocks);
  }
  const text = parts.map((p) => p.text).join(' · ');
  if (blocks.length <= MAX_MESSAGE_BLOCKS) return { text, blocks };
  return {
    text,
    blocks: [
      ...blocks.slice(0, MAX_MESSAGE_BLOCKS - 1),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `… ${blocks.length - MAX_MESSAGE_BLOCKS + 1} more blocks not shown` }] },
    ],
  };
}

/** "by dana at" / "by dana," in context lines becomes "by <@U0DANA> at" for people with a Slack id. */
export function withMentions(config: LoadedConfig, msg: BlockKitMessage): BlockKitMessage {
  const ids = new Map<string, string>();
  for (const p of Object.values(config.people)) if (p.slack) ids.set(p.name, p.slack);
  if (ids.size === 0) return msg;
  const mention = (text: string) => text.replace(/\bby ([A-Za-z0-9_.-]+)(?=[ ,.)]|$)/g, (all, name: string) => (ids.has(name) ? `by <@${ids.get(name)}>` : all));
  const blocks = msg.blocks.map((b) => {
    if (b.type !== 'context') return b;
    const elements = (b.elements as { type: string; text?: string }[]).map((e) => (e.type === 'mrkdwn' && e.text ? { ...e, text: mention(e.text) } : e));
    return { ...b, elements };
  });
  return { text: msg.text, blocks };
}
