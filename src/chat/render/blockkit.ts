/**
 * Card -> Slack Block Kit, within one message's budget (45 blocks, 11,000 characters of text:
 * `budget.ts`) and Slack's per-element limits (3000-char section text, 10 fields per section,
 * 150-char header, 75-char button text, 2000-char button value), so a post never fails with
 * `invalid_blocks` or `msg_blocks_too_long`. A card too big for the budget is fitted (`fit.ts`):
 * its list pages, its long texts shorten, and a note says what was left out.
 */
import { plainText, type Card, type CardAction, type CardBlock, type CardChoiceOption, type CardLink, type CardTone } from '../../core/card.ts';
import type { ActionsBlock, Button, ContextBlock, HeaderBlock, KnownBlock, ModalView, SectionBlock } from '@slack/types';
import { encodeActionValue } from './action-payload.ts';
import { SLACK_MESSAGE, slackTextLength, withinSlack, type SlackBudget } from './budget.ts';
import { fitCard } from './fit.ts';
import { diffExcerpt, monospaceTable } from './text.ts';

/**
 * Blocks as Slack's own type definitions (`@slack/types`) describe them: every block this file
 * builds is checked by the compiler against Slack's published shapes.
 */
export type SlackBlock = KnownBlock;

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
  /** The budget to fit (default: one message). */
  budget?: SlackBudget;
  /** The console's base URL (PUBLIC_URL): cut notes link there; without it they name the page. */
  consoleUrl?: string;
  /** Offer "Next page" buttons (default true; off in the App Home tab). */
  nextPage?: boolean;
}

export const ACTION_ID_PREFIX = 'air:';
export const REASON_CALLBACK_ID = 'air_reason';
export const REASON_BLOCK_ID = 'reason';

const LIMITS = {
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
/** A long table or code block is split over sections of at most this many characters. */
const CODE_SECTION = LIMITS.sectionText - 100;

const TONE_EMOJI: Record<CardTone, string> = { success: '✅ ', danger: '⛔ ', warning: '⚠️ ', info: '' };

/** What a raw rendering had to cut to keep to Slack's per-element limits (fitting avoids any). */
interface Cuts {
  n: number;
}

/** One card as one message, fitted to the budget. */
export function renderBlockKit(card: Card, opts: BlockKitOptions = {}): BlockKitMessage {
  const budget = opts.budget ?? SLACK_MESSAGE;
  const fitted = fitCard(
    card,
    (c) => {
      const cuts: Cuts = { n: 0 };
      const m = rawMessage(c, opts, cuts);
      return cuts.n === 0 && withinSlack(m.blocks, budget);
    },
    { nextPage: opts.nextPage },
  );
  return rawMessage(fitted, opts, { n: 0 });
}

/**
 * Several cards as one message (an ephemeral answer), fitted together: each card gets what the
 * cards before it left of the budget, keeping room for the ones after; every card keeps its
 * buttons. A card with no room left is named in a note with its console link.
 */
export function renderBlockKitCards(cards: Card[], opts: BlockKitOptions = {}): BlockKitMessage {
  const budget = opts.budget ?? SLACK_MESSAGE;
  const blocks: SlackBlock[] = [];
  const texts: string[] = [];
  let usedText = 0;
  const reserve = { blocks: 4, text: 600 };
  cards.forEach((card, i) => {
    const later = cards.length - i - 1;
    const divider = blocks.length ? 1 : 0;
    const room: SlackBudget = {
      blocks: budget.blocks - blocks.length - divider - later * reserve.blocks,
      text: budget.text - usedText - later * reserve.text,
    };
    let m: BlockKitMessage | null = room.blocks >= 3 && room.text >= 300 ? renderBlockKit(card, { ...opts, budget: room }) : null;
    if (m && !withinSlack(m.blocks, room)) m = null;
    if (!m) {
      const left = `${plainText(card.title)}: left out here, no room in this message`;
      const link = card.console ? ` — ${linkText({ label: 'see it in the console', path: card.console }, opts.consoleUrl)}` : '';
      m = { text: plainText(card.title), blocks: [contextBlock(`${escapeMrkdwn(left)}${link}`, { n: 0 })] };
    }
    if (divider) blocks.push({ type: 'divider' });
    blocks.push(...m.blocks);
    usedText += slackTextLength(m.blocks);
    texts.push(m.text);
  });
  return { text: truncate(texts.join(' · '), LIMITS.sectionText, { n: 0 }), blocks };
}

function rawMessage(card: Card, opts: BlockKitOptions, cuts: Cuts): BlockKitMessage {
  const tone = card.tone ?? 'info';
  const title = plainText(card.title).replace(/\s*\n\s*/g, ' ');
  const header: HeaderBlock = {
    type: 'header',
    text: { type: 'plain_text', text: truncate(`${TONE_EMOJI[tone]}${title}`, LIMITS.header, cuts), emoji: true },
  };
  const content = card.blocks.flatMap((b) => blockKitBlocks(b, opts, cuts));
  const actions = (card.actions ?? []).filter((a) => a.submit === undefined);
  const tail: SlackBlock[] = [];
  if (opts.done !== undefined) tail.push(contextBlock(opts.done, cuts));
  else if (actions.length > 0) tail.push(...actionBlocks(actions, cuts));
  const fallback = escapeMrkdwn(title);
  const text = truncateMrkdwn(opts.done !== undefined ? `${fallback}: ${opts.done}` : fallback, LIMITS.sectionText, { n: 0 });
  return { text, blocks: [header, ...content, ...tail] };
}

/**
 * The `views.open` modal asking for a reason before an action with `input` runs (Reject).
 * Its submission carries `private_metadata` = the encoded action and the text in
 * `state.values.reason.reason.value`.
 */
export function buildReasonModal(action: CardAction, card: Card): ModalView {
  const input = action.input ?? { name: 'reason' as const, label: 'Reason', required: false };
  const cuts: Cuts = { n: 0 };
  const metadata = encodeActionValue(action);
  if (metadata.length > LIMITS.metadata) throw new Error(`action ${action.id}: command too long for a Slack modal`);
  return {
    type: 'modal',
    callback_id: REASON_CALLBACK_ID,
    private_metadata: metadata,
    title: { type: 'plain_text', text: truncate(plainText(action.label), LIMITS.modalTitle, cuts), emoji: true },
    submit: { type: 'plain_text', text: truncate(plainText(action.label), LIMITS.modalButton, cuts), emoji: true },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: truncate(`*${mrkdwn(plainText(card.title))}*\n\`${mrkdwn(action.command)}\``, LIMITS.sectionText, cuts) },
      },
      {
        type: 'input',
        block_id: REASON_BLOCK_ID,
        optional: !input.required,
        label: { type: 'plain_text', text: truncate(plainText(input.label), 2000, cuts), emoji: true },
        element: { type: 'plain_text_input', action_id: REASON_BLOCK_ID, multiline: true, max_length: 1000 },
      },
    ],
  };
}

function blockKitBlocks(block: CardBlock, opts: BlockKitOptions, cuts: Cuts): SlackBlock[] {
  const section = (text: string): SectionBlock => sectionOf(text, cuts);
  switch (block.type) {
    case 'text':
      return [section(mrkdwn(block.text))];
    case 'fields': {
      const out: SectionBlock[] = [];
      for (let i = 0; i < block.fields.length; i += LIMITS.fieldsPerSection) {
        out.push({
          type: 'section',
          fields: block.fields.slice(i, i + LIMITS.fieldsPerSection).map((f) => ({
            type: 'mrkdwn',
            text: truncate(`*${mrkdwn(plainText(f.label))}*\n${mrkdwn(f.value)}`, LIMITS.fieldText, cuts),
          })),
        });
      }
      return out;
    }
    case 'table':
      return codeSections(monospaceTable(block.columns, block.rows, block.emphasis).lines, cuts);
    case 'diff': {
      const label = `*${mrkdwn(plainText(block.label))}*`;
      const before = block.before === '' ? '(none)' : block.before;
      const after = block.after === '' ? '(none)' : block.after;
      const short = !before.includes('\n') && !after.includes('\n') && before.length + after.length <= 200;
      if (short) return [section(`${label}: ${mrkdwn(before)} → ${mrkdwn(after)}`)];
      const [first, ...rest] = codeSections(diffExcerpt(block.before, block.after, 60), cuts);
      const text = first!.text!.text;
      return [section(`${label}\n${text}`), ...rest];
    }
    case 'code':
      return codeSections(block.text.split('\n'), cuts);
    case 'context':
      return [contextBlock(mrkdwn(block.text) + (block.link ? ` · ${linkText(block.link, opts.consoleUrl)}` : ''), cuts)];
    case 'divider':
      return [{ type: 'divider' }];
    case 'choice':
      return [{ type: 'actions', elements: block.options.map((o, i) => choiceButton(block.id, i, o, cuts)) }];
  }
}

/** A console link as mrkdwn: `<url|label>` with a base URL, else the page's path to open. */
function linkText(link: CardLink, base?: string): string {
  if (base) return `<${base.replace(/\/+$/, '')}${encodeURI(link.path).replace(/[<>|]/g, encodeURIComponent)}|${escapeMrkdwn(link.label)}>`;
  return `${escapeMrkdwn(link.label)}: \`${escapeMrkdwn(link.path)}\``;
}

function choiceButton(id: string, i: number, o: CardChoiceOption, cuts: Cuts): Button {
  return button({ id: `${id}-${i}`, label: o.label, command: o.command, ...(o.style ? { style: o.style } : {}) }, cuts);
}

function actionBlocks(actions: CardAction[], cuts: Cuts): ActionsBlock[] {
  const out: ActionsBlock[] = [];
  for (let i = 0; i < actions.length; i += LIMITS.actionsPerBlock) {
    out.push({ type: 'actions', elements: actions.slice(i, i + LIMITS.actionsPerBlock).map((a) => button(a, cuts)) });
  }
  return out;
}

function button(action: CardAction, cuts: Cuts): Button {
  const value = encodeActionValue(action);
  if (value.length > LIMITS.buttonValue) throw new Error(`action ${action.id}: command too long for a Slack button`);
  const element: Button = {
    type: 'button',
    action_id: `${ACTION_ID_PREFIX}${action.id}`,
    text: { type: 'plain_text', text: truncate(plainText(action.label), LIMITS.buttonText, cuts), emoji: true },
    value,
  };
  if (action.style) element.style = action.style;
  if (action.confirm) {
    element.confirm = {
      title: { type: 'plain_text', text: truncate(plainText(action.confirm.title), LIMITS.confirmTitle, cuts) },
      text: { type: 'plain_text', text: truncate(plainText(action.confirm.text), LIMITS.confirmText, cuts) },
      confirm: { type: 'plain_text', text: truncate(plainText(action.confirm.confirm), LIMITS.confirmButton, cuts) },
      deny: { type: 'plain_text', text: truncate(plainText(action.confirm.deny), LIMITS.confirmButton, cuts) },
      ...(action.style === 'danger' ? { style: 'danger' } : {}),
    };
  }
  return element;
}

function sectionOf(text: string, cuts: Cuts): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(text, LIMITS.sectionText, cuts) } };
}

function contextBlock(text: string, cuts: Cuts): ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncateMrkdwn(text, LIMITS.contextText, cuts) }] };
}

/**
 * Lines as ``` blocks of escaped text, split over as many sections as they need (each within a
 * section's limit, cut only at line ends); a single line too long for a section is cut (and
 * counted, so the card gets fitted).
 */
function codeSections(lines: string[], cuts: Cuts): SectionBlock[] {
  // A ``` inside the text would close the fence early: break it with a zero-width space.
  const escaped = lines.map((l) => escapeMrkdwn(l).replace(/```/g, '`\u200b``'));
  const out: SectionBlock[] = [];
  let chunk: string[] = [];
  let used = 0;
  const flush = () => {
    if (chunk.length) out.push({ type: 'section', text: { type: 'mrkdwn', text: '```\n' + chunk.join('\n') + '\n```' } });
    chunk = [];
    used = 0;
  };
  for (let line of escaped) {
    if (line.length > CODE_SECTION) {
      cuts.n++;
      line = `${cutAt(line, CODE_SECTION - 1).replace(/&[a-z]*$/, '')}…`;
    }
    if (used + line.length + 1 > CODE_SECTION) flush();
    chunk.push(line);
    used += line.length + 1;
  }
  flush();
  if (out.length === 0) out.push({ type: 'section', text: { type: 'mrkdwn', text: '```\n \n```' } });
  return out;
}

/** The card markdown subset as Slack mrkdwn: `&<>` escaped, `**b**` -> `*b*`, `code` kept. */
export function mrkdwn(text: string): string {
  return escapeMrkdwn(text).replace(/\*\*([\s\S]+?)\*\*/g, '*$1*');
}

function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** At most `max` UTF-16 units, ending in "…" when cut (counted); never splits a surrogate pair. */
function truncate(text: string, max: number, cuts: Cuts): string {
  if (text.length <= max) return text;
  cuts.n++;
  return cutAt(text, max - 1) + '…';
}

function cutAt(text: string, length: number): string {
  const cut = text.slice(0, length);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** Truncate without cutting an `&amp;`-style entity in half, closing an open ``` fence (counted). */
function truncateMrkdwn(text: string, max: number, cuts: Cuts): string {
  if (text.length <= max) return text;
  cuts.n++;
  let cut = cutAt(text, max - 5).replace(/&[a-z]*$/, '');
  const fences = cut.split('```').length - 1;
  cut += '…';
  if (fences % 2 === 1) cut += '\n```';
  return cut;
}
