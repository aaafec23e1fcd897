/**
 * Cards for whoever will see them: one person (an ephemeral answer, a Teams 1:1, the console, the
 * CLI) sees only the buttons they may use; a channel sees every button and who may click each.
 * The permission subject (workflow, requester, cost approval) comes from the release a card is
 * about.
 */
import type { Person } from '../config/types.ts';
import type { Card } from '../core/card.ts';
import { RELEASE_ID_RE } from '../core/command.ts';
import type { PermissionSubject } from '../core/permissions.ts';
import { cardForChannel, cardForPerson, withClickers } from '../core/views/audience.ts';
import type { AppContext } from '../services/context.ts';

async function subjectOf(ctx: AppContext, card: Card): Promise<PermissionSubject> {
  const m = RELEASE_ID_RE.exec(card.ref?.releaseId ?? '');
  const r = m ? await ctx.store.releases.get(Number(m[1])) : undefined;
  const workflow = ctx.config.workflows[r?.workflow ?? card.ref?.workflow ?? ''];
  return { workflow, ...(r ? { requester: r.requester, needsCostApproval: r.gateOutcome === 'needs_cost_approval' } : {}) };
}

const guarded = (card: Card): boolean => (card.actions?.length ?? 0) > 0 || card.blocks.some((b) => b.type === 'choice');

/** `card` as `person` sees it alone (undefined: someone not in the configuration). */
export async function forPerson(ctx: AppContext, card: Card, person: Person | undefined): Promise<Card> {
  if (!guarded(card)) return card;
  return cardForPerson(withClickers(ctx.config, card, await subjectOf(ctx, card)), person?.name);
}

export function forPeople(ctx: AppContext, cards: Card[], person: Person | undefined): Promise<Card[]> {
  return Promise.all(cards.map((c) => forPerson(ctx, c, person)));
}

/** `card` as everyone in a channel sees it: all its buttons, and who may click each. */
export async function forChannel(ctx: AppContext, card: Card): Promise<Card> {
  if (!guarded(card)) return card;
  return cardForChannel(withClickers(ctx.config, card, await subjectOf(ctx, card)));
}
