/**
 * One incoming Teams activity, start to finish, with no SDK: a mention becomes a Command run by
 * the one executor and answered with cards; a card click runs as the person who clicked, once,
 * and is answered with the updated card; the bot being added keeps the conversation reference.
 */
import type { Card } from '../../core/card.ts';
import { RELEASE_ID_RE, RELEASE_VERBS, type Command } from '../../core/command.ts';
import { commandTarget, parseCommand } from '../../core/grammar.ts';
import { noticeCard, refusalCard, usageCard } from '../../core/views/common.ts';
import type { Actor, AppContext } from '../../services/context.ts';
import { personByTeams } from '../../services/context.ts';
import { resolveRelease } from '../../services/releases.ts';
import type { Logger } from '../../server/log.ts';
import type { ReleaseRecord } from '../../store/repos/releases.ts';
import { forChannel, forPerson } from '../audience.ts';
import { execute, releaseCardOf } from '../executor.ts';
import { NEXT_PAGE_ID } from '../render/fit.ts';
import { firstDelivery, postsOf, saveReference, savePost } from './records.ts';
import {
  ADAPTIVE_ACTION_INVOKE,
  botWasAdded,
  cardActivity,
  clickedAction,
  commandText,
  conversationKind,
  deliveryKey,
  invokeResponse,
  referenceOf,
  type AdaptiveInvokeResponse,
  type IncomingActivity,
  type OutgoingActivity,
} from './translate.ts';

/** How a turn answers in its own conversation (the SDK's TurnContext, or a fake). */
export interface TurnReplies {
  /** Sends a message in reply; the new activity's id. */
  send(activity: OutgoingActivity): Promise<string | undefined>;
  /** Replaces a message of this conversation. */
  update(activityId: string, activity: OutgoingActivity): Promise<void>;
}

export interface TurnDeps {
  ctx: AppContext;
  log: Logger;
  /** TEAMS_LOCAL: the Emulator has no AAD ids, so `from.id` may name a person's AAD id too. */
  local: boolean;
  /** PUBLIC_URL: where cut cards link to the console. */
  consoleUrl?: string;
}

export type TurnOutcome = { invoke?: AdaptiveInvokeResponse };

export async function handleActivity(deps: TurnDeps, a: IncomingActivity, replies: TurnReplies): Promise<TurnOutcome> {
  if (a.type === 'conversationUpdate') {
    if (botWasAdded(a)) {
      await keepReference(deps, a);
      await replies.send(
        cardActivity(noticeCard('ai-release is here', 'Mention me with a command, e.g. **@ai-release status** or **@ai-release help**. Release requests, alerts and digests of this team are posted to its configured channel.')),
      );
    }
    return {};
  }
  if (a.type === 'invoke') {
    if (a.name !== ADAPTIVE_ACTION_INVOKE) return {};
    await keepReference(deps, a, false);
    return { invoke: await click(deps, a) };
  }
  if (a.type !== 'message') return {};
  await keepReference(deps, a);
  const clicked = clickedAction(a);
  if (clicked) {
    // Action.Submit (clients without Universal Actions): update the clicked card in place; a next
    // page comes as a new message (the page before stays for everyone in the conversation).
    const out = await click(deps, a);
    const answer = { type: 'message' as const, attachments: [{ contentType: out.type, content: out.value }] };
    if (clicked.ok && clicked.actionId === NEXT_PAGE_ID) await replies.send(answer);
    else if (a.replyToId) await replies.update(a.replyToId, answer);
    return {};
  }
  if (a.id && !(await firstDelivery(deps.ctx.store, deliveryKey(a, ''), deps.ctx.now()))) return {};
  const text = commandText(a);
  const parsed = parseCommand(text === '' ? 'help' : text);
  if (!parsed.ok) {
    await replies.send(cardActivity(usageCard(parsed.message, parsed.usage), { consoleUrl: deps.consoleUrl }));
    return {};
  }
  const actor = actorOf(deps, a);
  const result = await execute(deps.ctx, actor, parsed.command);
  // A 1:1 is one person's view (only their buttons); a channel or group chat is everyone's (who may click).
  const personal = conversationKind(a) === 'personal';
  for (const card of result.cards) {
    const shown = personal ? await forPerson(deps.ctx, card, actor.person) : await forChannel(deps.ctx, card);
    const id = await replies.send(cardActivity(shown, { consoleUrl: deps.consoleUrl }));
    const releaseId = releaseIdOf(card);
    if (id && releaseId !== undefined) await trackPost(deps, a, releaseId, id);
  }
  return {};
}

function actorOf(deps: TurnDeps, a: IncomingActivity): Actor {
  const aad = a.from?.aadObjectId ?? (deps.local ? a.from?.id : undefined);
  return { person: aad ? personByTeams(deps.ctx.config, aad) : undefined, surface: 'teams' };
}

/** The release whose card this is (release and rollout cards), to keep it up to date. */
function releaseIdOf(c: Card): number | undefined {
  if (c.kind !== 'release' && c.kind !== 'rollout') return undefined;
  const m = RELEASE_ID_RE.exec(c.ref?.releaseId ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Keeps the conversation reference (the bot was added, or addressed): proactive posts need it. */
async function keepReference(deps: TurnDeps, a: IncomingActivity, log = true): Promise<void> {
  const ref = referenceOf(a);
  if (!ref) return;
  const kind = conversationKind(a);
  try {
    await saveReference(deps.ctx.store, ref, { kind, userAad: a.from?.aadObjectId ?? (deps.local ? a.from?.id : undefined), teamId: a.channelData?.team?.id }, deps.ctx.now());
  } catch (e) {
    if (log) deps.log.error('teams: could not keep the conversation reference', { conversation: ref.conversation.id, error: (e as Error).message });
  }
}

/** The message `activityId` in this activity's conversation shows the release's card: update it on every change. */
async function trackPost(deps: TurnDeps, a: IncomingActivity, releaseId: number, activityId: string): Promise<void> {
  const ref = referenceOf(a, { thread: true });
  if (!ref) return;
  await savePost(deps.ctx.store, releaseId, { conversationId: ref.conversation.id, activityId, ref });
}

/** A card button: decode, run once as the clicking person, answer with the card as it is now. */
async function click(deps: TurnDeps, a: IncomingActivity): Promise<AdaptiveInvokeResponse> {
  const { ctx } = deps;
  const actor = actorOf(deps, a);
  // The answer replaces the card for the person who clicked: their view of it.
  const answer = async (card: Card) => invokeResponse(await forPerson(ctx, card, actor.person), { consoleUrl: deps.consoleUrl });
  const action = clickedAction(a);
  if (!action || !action.ok) return answer(refusalCard(action?.message ?? 'not a card action of ai-release', 'card_action'));
  const parsed = parseCommand(action.command);
  if (!parsed.ok) return answer(usageCard(parsed.message, parsed.usage));
  const cmd = parsed.command;
  const key = deliveryKey(a, [action.command, ...(action.choices ?? [])].join('\n'));
  if (!(await firstDelivery(ctx.store, key, ctx.now()))) {
    // A repeated delivery of a click already handled: show the card as it is, change nothing.
    deps.log.info('teams: repeated card action ignored', { command: action.command, activity: a.id });
    const r = await releaseOf(ctx, cmd);
    return answer(r ? await releaseCardOf(ctx, r) : noticeCard('Already done', `${action.command} was already handled.`));
  }
  if (action.choices) return answer(await submitChoices(deps, actor, cmd, action.choices));
  const result = await execute(ctx, actor, cmd, { expect: action.expect });
  const release = result.release ?? (await releaseOf(ctx, cmd));
  if (result.error) {
    deps.log.info('teams: card action refused', { command: action.command, rule: result.error.rule, message: result.error.message });
    const refusal = result.cards[0] ?? refusalCard(result.error.message, result.error.rule);
    if (!release || !isReleaseVerb(cmd)) return answer(refusal);
    // The release card stays usable, with the refusal (naming the rule) on top.
    return answer(withNote(await releaseCardOf(ctx, release), `⛔ ${result.error.message}${result.error.rule ? ` (rule: ${result.error.rule})` : ''}`));
  }
  if (release && isReleaseVerb(cmd)) {
    const card = await releaseCardOf(ctx, release);
    // Track the clicked message too (unless it is a post we already update), so later changes reach it.
    if (a.replyToId && !(await postsOf(ctx.store, release.id)).some((p) => p.activityId === a.replyToId)) await trackPost(deps, a, release.id, a.replyToId);
    return answer(card);
  }
  return answer(result.cards[0] ?? noticeCard('Done', action.command));
}

/**
 * "Submit votes": each pick (a vote on one pair) runs as the person who clicked, then the same
 * page of pairs is shown again with what happened to each pick on top.
 */
async function submitChoices(deps: TurnDeps, actor: Actor, page: Command, choices: string[]): Promise<Card> {
  const lines: string[] = [];
  for (const text of choices) {
    const p = parseCommand(text);
    if (!p.ok || p.command.verb !== 'vote') {
      lines.push(`⛔ ${text}: not a vote`);
      continue;
    }
    const out = await execute(deps.ctx, actor, p.command);
    lines.push(out.error ? `⛔ pair ${p.command.pair}: ${out.error.message}` : `✅ pair ${p.command.pair}: ${p.command.choice}`);
  }
  const shown = await execute(deps.ctx, actor, page);
  const card = shown.cards[0] ?? noticeCard('Votes', lines.join('\n'));
  if (shown.error) return card;
  return withNote(card, lines.length ? `Votes: ${lines.join(' · ')}` : 'Pick an answer for at least one pair, then Submit votes.');
}

function isReleaseVerb(cmd: Command): boolean {
  return (RELEASE_VERBS as readonly string[]).includes(cmd.verb);
}

async function releaseOf(ctx: AppContext, cmd: Command): Promise<ReleaseRecord | undefined> {
  if (!isReleaseVerb(cmd)) return undefined;
  const target = commandTarget(cmd);
  if (!target) return undefined;
  const r = await resolveRelease(ctx, target, cmd.verb as (typeof RELEASE_VERBS)[number]);
  return r.ok ? r.value : undefined;
}

function withNote(card: Card, note: string): Card {
  return { ...card, blocks: [{ type: 'text', text: `**${note}**` }, ...card.blocks] };
}
