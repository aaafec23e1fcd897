/**
 * A Slack user's command through the one executor: Slack user id -> config person (unknown users
 * may read `help` and `status`; the executor's permission check refuses the rest), the Cards of
 * the answer, and what the invoking user sees (their release's card lives in the team channel).
 */
import type { Card } from '../../core/card.ts';
import type { Command } from '../../core/command.ts';
import { parseCommand } from '../../core/grammar.ts';
import { usageCard } from '../../core/views/common.ts';
import type { Actor, AppContext } from '../../services/context.ts';
import { personBySlack } from '../../services/context.ts';
import { execute, type ExecResult } from '../executor.ts';

export function slackActor(ctx: AppContext, userId: string): Actor {
  const person = personBySlack(ctx.config, userId);
  return person ? { person, surface: 'slack' } : { system: `slack:${userId}`, surface: 'slack' };
}

export type Parsed = { ok: true; command: Command } | { ok: false; cards: Card[] };

/** The grammar's answer to `text`; a usage error as the verb's usage card. */
export function parseSlackText(text: string): Parsed {
  const p = parseCommand(text.trim() === '' ? 'help' : text);
  if (p.ok) return { ok: true, command: p.command };
  return { ok: false, cards: [usageCard(p.message, p.usage)] };
}

export async function runAsSlackUser(ctx: AppContext, userId: string, cmd: Command, expect?: string): Promise<ExecResult> {
  return execute(ctx, slackActor(ctx, userId), cmd, { expect });
}

/**
 * What the invoking user sees privately: every card, except a release's own card when that
 * release has a message in its team's Slack channel (it is updated there).
 */
export function privateCards(ctx: AppContext, out: ExecResult): Card[] {
  if (!out.release) return out.cards;
  const wf = ctx.config.workflows[out.release.workflow];
  const channel = wf && ctx.config.teams[wf.team]?.channels.slack;
  if (!channel) return out.cards;
  const rest = out.cards.filter((c) => !(c.ref?.releaseId === out.release!.key && (c.kind === 'release' || c.kind === 'rollout')));
  return rest.length ? rest : out.cards;
}
