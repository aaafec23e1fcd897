/** Human-review votes on sampled baseline/candidate pairs. */
import type { VoteChoice } from '../core/command.ts';
import { checkPermission } from '../core/permissions.ts';
import { appendAudit } from '../store/audit.ts';
import { tx } from '../store/db.ts';
import { emitEvent } from '../store/events.ts';
import type { ReleaseRecord } from '../store/releases.ts';
import { getRelease } from '../store/releases.ts';
import { listReviewPairs, recordVote, reviewTally } from '../store/review.ts';
import type { Actor, AppContext, Outcome } from './context.ts';
import { fail } from './context.ts';
import { resolveRelease } from './releases.ts';

export function castVote(ctx: AppContext, actor: Actor, target: string, pair: number, choice: VoteChoice): Outcome<ReleaseRecord> {
  const ro = resolveRelease(ctx, target, 'vote');
  if (!ro.ok) return ro;
  const r = ro.value;
  const wf = ctx.config.workflows[r.workflow];
  const refusal = checkPermission(ctx.config, actor.person, 'vote', { workflow: wf, requester: r.requester });
  if (refusal) return fail('forbidden', refusal.message, refusal.rule);
  if (!['evaluating', 'gate_failed', 'awaiting_approval'].includes(r.state))
    return fail('state_conflict', `${r.key} is ${r.state.replace(/_/g, ' ')}: its human review is closed`, 'state');
  const pairs = listReviewPairs(ctx.db, r.id, r.gateRuns);
  if (!pairs.some((p) => p.pair === pair))
    return fail('invalid', pairs.length ? `${r.key} has review pairs 1–${pairs.length}, not ${pair}` : `${r.key} has no human-review pairs`, 'review_pair');
  const who = actor.person!.name;
  return tx(ctx.db, () => {
    const now = ctx.now();
    recordVote(ctx.db, r.id, r.gateRuns, pair, who, choice, now);
    const t = reviewTally(ctx.db, r.id, r.gateRuns);
    appendAudit(ctx.db, { ts: now, actor: who, action: 'review_vote', workflow: r.workflow, releaseId: r.id, data: { pair, choice, voted: t.voted, pairs: t.pairs } });
    emitEvent(ctx.db, { kind: 'review_voted', releaseId: r.id, workflow: r.workflow, payload: { pair, choice, actor: who }, now });
    return { ok: true as const, value: getRelease(ctx.db, r.id)!, sentence: `${who} voted ${choice} on pair ${pair} of ${r.key} (${t.voted} of ${t.pairs} pairs voted)` };
  });
}
