/** Human-review votes on sampled baseline/candidate pairs. */
import type { VoteChoice } from '../core/command.ts';
import { checkPermission } from '../core/permissions.ts';
import type { ReleaseRecord } from '../store/repos/releases.ts';
import type { Actor, AppContext, Outcome } from './context.ts';
import { fail } from './context.ts';
import { resolveRelease } from './releases.ts';

export async function castVote(ctx: AppContext, actor: Actor, target: string, pair: number, choice: VoteChoice): Promise<Outcome<ReleaseRecord>> {
  const ro = await resolveRelease(ctx, target, 'vote');
  if (!ro.ok) return ro;
  const r = ro.value;
  const wf = ctx.config.workflows[r.workflow];
  const refusal = checkPermission(ctx.config, actor.person, 'vote', { workflow: wf, requester: r.requester });
  if (refusal) return fail('forbidden', refusal.message, refusal.rule);
  if (!['evaluating', 'gate_failed', 'awaiting_approval'].includes(r.state))
    return fail('state_conflict', `${r.key} is ${r.state.replace(/_/g, ' ')}: its human review is closed`, 'state');
  const pairs = await ctx.store.review.listPairs(r.id, r.gateRuns);
  if (!pairs.some((p) => p.pair === pair))
    return fail('invalid', pairs.length ? `${r.key} has review pairs 1–${pairs.length}, not ${pair}` : `${r.key} has no human-review pairs`, 'review_pair');
  const who = actor.person!.name;
  return ctx.store.tx(async (t) => {
    const now = ctx.now();
    await t.review.recordVote(r.id, r.gateRuns, pair, who, choice, now);
    const tally = await t.review.tally(r.id, r.gateRuns);
    await t.audit.append({ ts: now, actor: who, action: 'review_vote', workflow: r.workflow, releaseId: r.id, data: { pair, choice, voted: tally.voted, pairs: tally.pairs } });
    await t.events.emit({ kind: 'review_voted', releaseId: r.id, workflow: r.workflow, payload: { pair, choice, actor: who }, now });
    return { ok: true as const, value: (await t.releases.get(r.id))!, sentence: `${who} voted ${choice} on pair ${pair} of ${r.key} (${tally.voted} of ${tally.pairs} pairs voted)` };
  });
}
