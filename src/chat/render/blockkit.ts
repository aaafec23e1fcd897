/**
 * Card -> Slack Block Kit. Keeps to Slack's limits (50 blocks, 3000-char section text, 10 fields
 * per section, 150-char header, 75-char button text, 2000-char button value) so a post never
 * fails with `invalid_blocks`.
 */
import { plainText, type Card, type CardAction, type CardBlock, type CardTone } from '../../core/card.ts';
import { encodeActionValue } from './action-payload.ts';
import { diffExcerpt, monospaceTable } from './text.ts';

export type SlackBlock = Record<string, unknown>;

export interface BlockKitMessage {
  /** Notification / fallback text. */
  text: string;
  blocks: SlackBlock[];
}

export interface BlockKitOptions {
  /**
   * Slack mrkdwn shown instead of the buttons once the card's decision is made, e.g.
   * "✅ Approved by <@U0DANA> at 14:02 UTC". Passed through as is (mentions stay mentions).
   */
  done?: string;
}

export const ACTION_ID_PREFIX = 'air:';
export const REASON_CALLBACK_ID = 'air_reason';
export const REASON_BLOCK_ID = 'reason';

const LIMITS = {
  blocks: 50,
  header: 150,
  sectionText: 3000,
  fieldText: 2000,
  fieldsPerSection: 10,
  buttonText: 75,
  buttonValue: 2000,
  actionsPerBlock: 25,
  contextText: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  modalTitle: 24,
  modalButton: 24,
  metadata: 3000,
};

const TONE_EMOJI: Record<CardTone, string> = { success: '✅ ', danger: '⛔ ', warning: '⚠️ ', info: '' };

export function renderBlockKit(card: Card, opts: BlockKitOptions = {}): BlockKitMessage {
  const tone = card.tone ?? 'info';
  const title = plainText(card.title).replace(/\s*\n\s*/g, ' ');
  const header: SlackBlock = {
    type: 'header',
    text: { type: 'plain_text', text: truncate(`${TONE_EMOJI[tone]}${title}`, LIMITS.header), emoji: true },
  };
  const content = card.blocks.flatMap(blockKitBlocks);
  const actions = card.actions ?? [];
  const tail: SlackBlock[] = [];
  if (opts.done !== undefined) tail.push(contextBlock(opts.done));
  else if (actions.length > 0) tail.push(...actionBlocks(actions));

  const room = LIMITS.blocks - 1 - tail.length;
  let body = content;
  if (content.length > room) {
    const kept = content.slice(0, room - 1);
    body = [...kept, contextBlock(`… ${content.length - kept.length} more blocks not shown`)];
  }
  const fallback = escapeMrkdwn(title);
  const text = truncateMrkdwn(opts.done !== undefined ? `${fallback}: ${opts.done}` : fallback, LIMITS.sectionText);
  return { text, blocks: [header, ...body, ...tail] };
}

/**
 * The `views.open` modal asking for a reason before an action with `input` runs (Reject).
 * Its submission carries `private_metadata` = the encoded action and the text in
 * `state.values.reason.reason.value`.
 */
export function buildReasonModal(action: CardAction, card: Card): SlackBlock {
  const input = action.input ?? { name: 'reason' as const, label: 'Reason', required: false };
  const metadata = encodeActionValue(action);
  if (metadata.length > LIMITS.metadata) throw new Error(`action ${action.id}: command too long for a Slack modal`);
  return {
    type: 'modal',
    callback_id: REASON_CALLBACK_ID,
    private_metadata: metadata,
    title: { type: 'plain_text', text: truncate(plainText(action.label), LIMITS.modalTitle), emoji: true },
    submit: { type: 'plain_text', text: truncate(plainText(action.label), LIMITS.modalButton), emoji: true },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: truncate(`*${mrkdwn(plainText(card.title))}*\n\`${mrkdwn(action.command)}\``, LIMITS.sectionText) },
      },
      {
        type: 'input',
        block_id: REASON_BLOCK_ID,
        optional: !input.required,
        label: { type: 'plain_text', text: truncate(plainText(input.label), 2000), emoji: true },
        element: { type: 'plain_text_input', action_id: REASON_BLOCK_ID, multiline: true, max_length: 1000 },
      },
    ],
  };
}

function blockKitBlocks(block: CardBlock): SlackBlock[] {
  switch (block.type) {
    case 'text':
      return [section(mrkdwn(block.text))];
    case 'fields': {
      const out: SlackBlock[] = [];
      for (let i = 0; i < block.fields.length; i += LIMITS.fieldsPerSection) {
        out.push({
          type: 'section',
          fields: block.fields.slice(i, i + LIMITS.fieldsPerSection).map((f) => ({
            type: 'mrkdwn',
            text: truncate(`*${mrkdwn(plainText(f.label))}*\n${mrkdwn(f.value)}`, LIMITS.fieldText),
          })),
        });
      }
      return out;
    }
    case 'table':
      return [section(codeBlock(monospaceTable(block.columns, block.rows, block.emphasis).lines))];
    case 'diff': {
      const label = `*${mrkdwn(plainText(block.label))}*`;
      const before = block.before === '' ? '(none)' : block.before;
      const after = block.after === '' ? '(none)' : block.after;
      const short = !before.includes('\n') && !after.includes('\n') && before.length + after.length <= 200;
      if (short) return [section(`${label}: ${mrkdwn(before)} → ${mrkdwn(after)}`)];
      return [section(`${label}\n${codeBlock(diffExcerpt(block.before, block.after))}`)];
    }
    case 'code':
      return [section(codeBlock(block.text.split('\n')))];
    case 'context':
      return [contextBlock(mrkdwn(block.text))];
    case 'divider':
      return [{ type: 'divider' }];
  }
}

function actionBlocks(actions: CardAction[]): SlackBlock[] {
  const out: SlackBlock[] = [];
  for (let i = 0; i < actions.length; i += LIMITS.actionsPerBlock) {
    out.push({ type: 'actions', elements: actions.slice(i, i + LIMITS.actionsPerBlock).map(button) });
  }
  return out;
}

function button(action: CardAction): SlackBlock {
  const value = encodeActionValue(action);
  if (value.length > LIMITS.buttonValue) throw new Error(`action ${action.id}: command too long for a Slack button`);
  const element: SlackBlock = {
    type: 'button',
    action_id: `${ACTION_ID_PREFIX}${action.id}`,
    text: { type: 'plain_text', text: truncate(plainText(action.label), LIMITS.buttonText), emoji: true },
    value,
  };
  if (action.style) element.style = action.style;
  if (action.confirm) {
    element.confirm = {
      title: { type: 'plain_text', text: truncate(plainText(action.confirm.title), LIMITS.confirmTitle) },
      text: { type: 'plain_text', text: truncate(plainText(action.confirm.text), LIMITS.confirmText) },
      confirm: { type: 'plain_text', text: truncate(plainText(action.confirm.confirm), LIMITS.confirmButton) },
      deny: { type: 'plain_text', text: truncate(plainText(action.confirm.deny), LIMITS.confirmButton) },
      ...(action.style === 'danger' ? { style: 'danger' } : {}),
    };
  }
  return element;
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(text, LIMITS.sectionText) } };
}

function contextBlock(text: string): SlackBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncateMrkdwn(text, LIMITS.contextText) }] };
}

/** A ``` block of escaped lines, cut at whole lines with "… N more lines" to fit a section. */
function codeBlock(lines: string[]): string {
  // A ``` inside the text would close the fence early: break it with a zero-width space.
  const escaped = lines.map((l) => escapeMrkdwn(l).replace(/```/g, '`\u200b``'));
  const budget = LIMITS.sectionText - 200;
  let used = 0;
  let kept = 0;
  for (const line of escaped) {
    if (used + line.length + 1 > budget) break;
    used += line.length + 1;
    kept++;
  }
  const shown = escaped.slice(0, Math.max(kept, 1)).map((l) => (l.length > budget ? `${l.slice(0, budget)}…` : l));
  if (kept < escaped.length) shown.push(`… ${escaped.length - shown.length} more lines`);
  return '```\n' + shown.join('\n') + '\n```';
}

/** The card markdown subset as Slack mrkdwn: `&<>` escaped, `**b**` -> `*b*`, `code` kept. */
export function mrkdwn(text: string): string {
  return escapeMrkdwn(text).replace(/\*\*([\s\S]+?)\*\*/g, '*$1*');
}

function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** At most `max` UTF-16 units, ending in "…" when cut; never splits a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return cutAt(text, max - 1) + '…';
}

function cutAt(text: string, length: number): string {
  const cut = text.slice(0, length);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** Truncate without cutting an `&amp;`-style entity in half, closing an open ``` fence. */
function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = cutAt(text, max - 5).replace(/&[a-z]*$/, '');
  const fences = cut.split('```').length - 1;
  cut += '…';
  if (fences % 2 === 1) cut += '\n```';
  return cut;
}
