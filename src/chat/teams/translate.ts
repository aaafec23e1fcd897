/**
 * Bot Framework activities <-> our Commands and Cards, with no SDK import: the protocol shapes we
 * read and write are declared here, so moving to another Teams SDK only replaces `sdk.ts`.
 */
import type { Card } from '../../core/card.ts';
import { plainText } from '../../core/card.ts';
import { decodeActionValue, withReason } from '../render/action-payload.ts';
import { ACTION_VERB, ADAPTIVE_CONTENT_TYPE, CHOICE_INPUT_PREFIX, REASON_INPUT_ID, renderAdaptiveCard, type AdaptiveCard, type AdaptiveOptions } from '../render/adaptive.ts';

export interface ChannelAccount {
  id: string;
  name?: string;
  aadObjectId?: string;
  role?: string;
}

export interface ConversationAccount {
  id: string;
  conversationType?: string;
  tenantId?: string;
  isGroup?: boolean;
  name?: string;
}

export interface MentionEntity {
  type: string;
  mentioned?: { id: string; name?: string };
  text?: string;
}

/** The parts of an incoming activity we read. */
export interface IncomingActivity {
  type: string;
  id?: string;
  name?: string;
  text?: string;
  value?: unknown;
  from?: ChannelAccount;
  recipient?: ChannelAccount;
  conversation?: ConversationAccount;
  serviceUrl?: string;
  channelId?: string;
  replyToId?: string;
  locale?: string;
  entities?: MentionEntity[];
  membersAdded?: ChannelAccount[];
  channelData?: { team?: { id: string; name?: string }; channel?: { id: string; name?: string }; tenant?: { id: string } };
}

/** What we need to reach a conversation later (a Bot Framework ConversationReference). */
export interface ConversationRef {
  channelId: string;
  serviceUrl: string;
  conversation: ConversationAccount;
  bot: ChannelAccount;
  user?: ChannelAccount;
  locale?: string;
}

export interface OutgoingActivity {
  type: 'message';
  summary?: string;
  text?: string;
  entities?: MentionEntity[];
  attachments: { contentType: typeof ADAPTIVE_CONTENT_TYPE; content: AdaptiveCard }[];
}

/** The body of an `adaptiveCard/action` invoke response carrying the updated card. */
export interface AdaptiveInvokeResponse {
  statusCode: 200;
  type: typeof ADAPTIVE_CONTENT_TYPE;
  value: AdaptiveCard;
}

export type ConversationKind = 'personal' | 'channel' | 'groupChat';

export const ADAPTIVE_ACTION_INVOKE = 'adaptiveCard/action';

/** A card as a message: one Adaptive Card attachment, the title as the notification summary. */
export function cardActivity(card: Card, opts: AdaptiveOptions = {}): OutgoingActivity {
  return {
    type: 'message',
    summary: plainText(card.title),
    attachments: [{ contentType: ADAPTIVE_CONTENT_TYPE, content: renderAdaptiveCard(card, opts) }],
  };
}

export function invokeResponse(card: Card, opts: AdaptiveOptions = {}): AdaptiveInvokeResponse {
  return { statusCode: 200, type: ADAPTIVE_CONTENT_TYPE, value: renderAdaptiveCard(card, opts) };
}

const AT_TAG = /<at>[^<]*<\/at>/gi;

/**
 * The command a message carries: the bot's own mention removed (by the activity's mention
 * entities, as `TurnContext.removeRecipientMention` does; a leading `<at>…</at>` otherwise),
 * HTML entities and non-breaking spaces Teams inserts normalised.
 */
export function commandText(a: IncomingActivity): string {
  let text = a.text ?? '';
  const botId = a.recipient?.id;
  for (const e of a.entities ?? []) {
    if (e.type !== 'mention' || !e.text) continue;
    if (botId && e.mentioned?.id !== botId) continue;
    text = text.split(e.text).join(' ');
  }
  text = text.replace(/^\s*(<at>[^<]*<\/at>\s*)+/i, ' ');
  // Another `<at>` left in the middle is a person mentioned in passing: keep the name only.
  text = text.replace(AT_TAG, (m) => m.slice(4, -5));
  return decodeEntities(text).replace(/[\u00a0\u200b]/g, ' ').trim();
}

function decodeEntities(text: string): string {
  return text
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export type ClickedAction =
  | {
      ok: true;
      command: string;
      actionId: string;
      expect?: string;
      /** A submit of the card's choices: the command of each option picked (e.g. votes), then `command`. */
      choices?: string[];
    }
  | { ok: false; message: string };

/**
 * The button clicked: an `adaptiveCard/action` invoke (`value.action.data`) or an
 * `Action.Submit` message (`value`). `data.air` is the encoded action; `data.reason` the text
 * typed into the Reject / Override input. Null when the activity is not a click on our cards.
 */
export function clickedAction(a: IncomingActivity): ClickedAction | null {
  let data: unknown;
  if (a.type === 'invoke' && a.name === ADAPTIVE_ACTION_INVOKE) {
    const action = (a.value as { action?: { verb?: string; data?: unknown } } | undefined)?.action;
    if (!action || action.verb !== ACTION_VERB) return { ok: false, message: `unknown card action ${JSON.stringify(action?.verb ?? null)}` };
    data = action.data;
  } else if (a.type === 'message' && isRecord(a.value) && ACTION_VERB in a.value) {
    data = a.value;
  } else return null;
  if (!isRecord(data) || typeof data[ACTION_VERB] !== 'string') return { ok: false, message: 'the card action carries no command' };
  const decoded = decodeActionValue(data[ACTION_VERB]);
  if (!decoded) return { ok: false, message: 'the card action could not be read' };
  const reasonRaw = data[REASON_INPUT_ID];
  const reason = typeof reasonRaw === 'string' ? reasonRaw : '';
  if (decoded.input?.required && reason.trim() === '') return { ok: false, message: `${decoded.command} needs a reason` };
  const command = decoded.input ? withReason(decoded.command, reason) : decoded.command;
  if (decoded.submit === 'choices') {
    // Each picked option carries its own encoded action; anything else in the data is ignored.
    const choices = Object.entries(data)
      .filter(([k, v]) => k.startsWith(CHOICE_INPUT_PREFIX) && typeof v === 'string' && v !== '')
      .map(([, v]) => decodeActionValue(v as string))
      .filter((d): d is NonNullable<typeof d> => d !== null && d.input === undefined && d.submit === undefined)
      .map((d) => d.command);
    return { ok: true, command, actionId: decoded.actionId, choices };
  }
  return { ok: true, command, actionId: decoded.actionId, expect: decoded.expect };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function conversationKind(a: { conversation?: ConversationAccount }): ConversationKind {
  const t = a.conversation?.conversationType;
  if (t === 'channel' || t === 'groupChat' || t === 'personal') return t;
  return a.conversation?.isGroup ? 'groupChat' : 'personal';
}

/** A channel thread's conversation id is `<channel>;messageid=<root>`; this is `<channel>`. */
export function channelOf(conversationId: string): string {
  const i = conversationId.indexOf(';messageid=');
  return i < 0 ? conversationId : conversationId.slice(0, i);
}

/** The conversation id that replies in the thread under `messageId`. */
export function threadOf(channel: string, messageId: string): string {
  return `${channelOf(channel)};messageid=${messageId}`;
}

/** The reference to keep for this activity's conversation (a channel's, not its thread's). */
export function referenceOf(a: IncomingActivity, opts: { thread?: boolean } = {}): ConversationRef | null {
  if (!a.conversation?.id || !a.serviceUrl || !a.recipient) return null;
  const kind = conversationKind(a);
  const id = kind === 'channel' && !opts.thread ? channelOf(a.conversation.id) : a.conversation.id;
  const tenantId = a.conversation.tenantId ?? a.channelData?.tenant?.id;
  return {
    channelId: a.channelId ?? 'msteams',
    serviceUrl: a.serviceUrl,
    conversation: { id, conversationType: kind, ...(tenantId ? { tenantId } : {}), ...(kind !== 'personal' ? { isGroup: true } : {}) },
    bot: { id: a.recipient.id, ...(a.recipient.name ? { name: a.recipient.name } : {}) },
    ...(a.from ? { user: { id: a.from.id, ...(a.from.name ? { name: a.from.name } : {}), ...(a.from.aadObjectId ? { aadObjectId: a.from.aadObjectId } : {}) } } : {}),
    ...(a.locale ? { locale: a.locale } : {}),
  };
}

/** The same reference pointed at another conversation (another channel of the team, a thread). */
export function retarget(ref: ConversationRef, conversationId: string): ConversationRef {
  return { ...ref, conversation: { ...ref.conversation, id: conversationId, conversationType: 'channel', isGroup: true } };
}

/** A `conversationUpdate` that adds this bot (installed in a team, chat or 1:1). */
export function botWasAdded(a: IncomingActivity): boolean {
  return a.type === 'conversationUpdate' && !!a.recipient && (a.membersAdded ?? []).some((m) => m.id === a.recipient!.id);
}

/** Exactly-once key of a delivery: the activity id, else the clicked message + person + command. */
export function deliveryKey(a: IncomingActivity, command: string): string {
  if (a.id) return `teams:${a.conversation?.id ?? ''}:${a.id}`;
  return `teams:${a.conversation?.id ?? ''}:${a.replyToId ?? ''}:${a.from?.aadObjectId ?? a.from?.id ?? ''}:${command}`;
}
