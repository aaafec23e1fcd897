/**
 * The digest job (DIGEST_CRON, default 09:00 in TZ): per team, one digest to its channel and to
 * each leader by direct message, covering the whole days since its previous digest. The time of
 * each team's last digest is stored with the digest event in one transaction, so a restart
 * neither repeats nor skips a day.
 */
import type { Card } from '../core/card.ts';
import { digestCard, type DigestView } from '../core/views/digest.ts';
import type { AppContext } from '../services/context.ts';
import { digestWindow, teamDigest } from '../services/digest.ts';
import { emitDigest } from '../services/notify.ts';
import type { Repositories } from '../store/store.ts';

export interface TeamDigest {
  team: string;
  leaders: string[];
  view: DigestView;
  card: Card;
}

export function lastDigestAt(db: Repositories, team: string): Promise<number | null> {
  return db.digestRuns.lastAt(team);
}

/** Every team's digest as it would go out at `now` (nothing is written). */
export async function buildDigests(ctx: AppContext, now: number, tz: string): Promise<TeamDigest[]> {
  const teams = Object.values(ctx.config.teams).filter((t) => Object.values(ctx.config.workflows).some((w) => w.team === t.name));
  const out: TeamDigest[] = [];
  for (const t of teams) {
    const view = await teamDigest(ctx, t.name, { days: digestWindow(await lastDigestAt(ctx.store, t.name), now, tz), now, tz });
    out.push({ team: t.name, leaders: t.leaders, view, card: digestCard(view) });
  }
  return out;
}

/** Posts every team's digest and records when; returns the teams posted to. */
export async function runDigestJob(ctx: AppContext, now: number, tz: string): Promise<string[]> {
  const digests = await buildDigests(ctx, now, tz);
  for (const d of digests) {
    await ctx.store.tx(async (t) => {
      await emitDigest(t, { team: d.team, card: d.card, leaders: d.leaders, now });
      await t.digestRuns.record(d.team, now);
    });
  }
  return digests.map((d) => d.team);
}
