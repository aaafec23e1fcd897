/**
 * A click on a card button (`action_id` "air:<id>"): acknowledged at once, then the command the
 * button carries runs as the person who clicked, through the same executor as everything else.
 * A refusal is an ephemeral naming the rule, and nothing changes; a button asking for a reason
 * (Reject) opens the reason modal first. The release message itself is updated by the events.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Card, CardAction } from '../../../core/card.ts';
import { noticeCard } from '../../../core/views/common.ts';
import { commandTarget, parseCommand } from '../../../core/grammar.ts';
import { RELEASE_VERBS, type ReleaseVerb } from '../../../core/command.ts';
import { resolveRelease } from '../../../services/releases.ts';
import { releaseCardOf } from '../../executor.ts';
import { decodeActionValue, type DecodedAction } from '../../render/action-payload.ts';
import { ACTION_ID_PREFIX, buildReasonModal } from '../../render/blockkit.ts';
import { firstDelivery } from '../dedupe.ts';
import { deliveryKey, type SlackDeps } from '../deps.ts';
import { parseSlackText, privateCards, runAsSlackUser } from '../act.ts';
import { replyPrivately, type ReplyTarget } from '../reply.ts';

export const CARD_ACTION_RE = new RegExp(`^${ACTION_ID_PREFIX}`);

export function registerCardActions(app: App, deps: SlackDeps): void {
  const { ctx } = deps.rt;
  app.action<BlockAction<ButtonAction>>(CARD_ACTION_RE, async ({ ack, body, action, respond }) => {
    await ack();
    const user = body.user.id;
    const key = deliveryKey(body.team?.id ?? undefined, 'action', action.action_ts, user, action.action_id);
    if (!(await firstDelivery(ctx.store, key, ctx.now()))) return;
    const channel = body.channel?.id ?? body.container?.channel_id;
    const to: ReplyTarget = { user, channel, respond: body.response_url ? (m) => respond(m as never) : undefined };
    const decoded = decodeActionValue(action.value ?? '');
    if (!decoded) {
      await replyPrivately(deps, to, [noticeCard('Unknown button', 'That button is not one ai-release understands (an old message?); nothing was done.', 'warning')]);
      return;
    }
    try {
      if (decoded.input) {
        const { cardAction, card } = await clickedAction(deps, decoded, action.text?.text);
        const viewId = await deps.outbox.openModal(body.trigger_id, buildReasonModal(cardAction, card));
        if (viewId) deps.modals.set(viewId, { user, channel, responseUrl: body.response_url, at: ctx.now() });
        return;
      }
      const parsed = parseSlackText(decoded.command);
      if (!parsed.ok) return await replyPrivately(deps, to, parsed.cards);
      const out = await runAsSlackUser(ctx, user, parsed.command, decoded.expect);
      if (out.release) deps.rt.kick();
      await replyPrivately(deps, to, privateCards(ctx, out));
      if (body.view?.type === 'home') await deps.publishHome(user);
    } catch (e) {
      deps.rt.log.error('slack click failed', { action: action.action_id, error: (e as Error).message, stack: (e as Error).stack });
    }
  });
}

/** The card action behind a click, from the release's current card when it still has it. */
async function clickedAction(deps: SlackDeps, decoded: DecodedAction, buttonText?: string): Promise<{ cardAction: CardAction; card: Card }> {
  const { ctx } = deps.rt;
  const fallback: CardAction = {
    id: decoded.actionId,
    label: buttonText ?? decoded.actionId,
    command: decoded.command,
    input: { name: 'reason', label: 'Reason', required: decoded.input?.required ?? false },
  };
  const p = parseCommand(decoded.command);
  const target = p.ok ? commandTarget(p.command) : undefined;
  if (p.ok && target && (RELEASE_VERBS as readonly string[]).includes(p.command.verb)) {
    const r = await resolveRelease(ctx, target, p.command.verb as ReleaseVerb);
    if (r.ok) {
      const card = await releaseCardOf(ctx, r.value);
      const same = card.actions?.find((a) => a.id === decoded.actionId && a.command === decoded.command);
      return { cardAction: same ?? fallback, card };
    }
  }
  return { cardAction: fallback, card: { kind: 'release', title: decoded.command, blocks: [] } };
}
