/**
 * The reason modal's submission (callback_id `air_reason`): the button's command runs with
 * `--reason "<text>"` as the person who submitted; the reason lands in the audit log with the
 * transition. A required reason left blank is refused inside the modal.
 */
import type { App } from '@slack/bolt';
import { noticeCard } from '../../../core/views/common.ts';
import { decodeActionValue, withReason } from '../../render/action-payload.ts';
import { REASON_BLOCK_ID, REASON_CALLBACK_ID } from '../../render/blockkit.ts';
import { firstDelivery } from '../dedupe.ts';
import { deliveryKey, type SlackDeps } from '../deps.ts';
import { parseSlackText, privateCards, runAsSlackUser } from '../act.ts';
import { replyPrivately } from '../reply.ts';

export function registerReasonModal(app: App, deps: SlackDeps): void {
  const { ctx } = deps.rt;
  app.view(REASON_CALLBACK_ID, async ({ ack, body, view }) => {
    const decoded = decodeActionValue(view.private_metadata);
    const reason = view.state.values[REASON_BLOCK_ID]?.[REASON_BLOCK_ID]?.value ?? '';
    if (decoded?.input?.required && reason.trim() === '') {
      await ack({ response_action: 'errors', errors: { [REASON_BLOCK_ID]: 'A reason is required.' } });
      return;
    }
    await ack();
    const user = body.user.id;
    const key = deliveryKey(body.team?.id, 'view', view.id, view.hash);
    if (!(await firstDelivery(ctx.store, key, ctx.now()))) return;
    const opened = deps.modals.get(view.id);
    deps.modals.delete(view.id);
    const to = { user, channel: opened?.channel };
    if (!decoded) {
      await replyPrivately(deps, to, [noticeCard('Unknown form', 'That form is not one ai-release understands; nothing was done.', 'warning')]);
      return;
    }
    try {
      const parsed = parseSlackText(withReason(decoded.command, reason));
      if (!parsed.ok) return await replyPrivately(deps, to, parsed.cards);
      const out = await runAsSlackUser(ctx, user, parsed.command, decoded.expect);
      if (out.release) deps.rt.kick();
      await replyPrivately(deps, to, privateCards(ctx, out));
    } catch (e) {
      deps.rt.log.error('slack modal submission failed', { error: (e as Error).message, stack: (e as Error).stack });
    }
  });
}
