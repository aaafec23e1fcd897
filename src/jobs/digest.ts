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
import type { Db } from '../store/db.ts';
import { tx } from '../store/db.ts';

export interface TeamDigest {
  team: string;
  leaders: string[];
  view: DigestView;
  card: Card;
}

export function lastDigestAt(db: Db, team: string): number | null {
  const row = db.prepare('SELECT last_at FROM digest_runs WHERE team = ?').get(team) as { last_at: number } | undefined;
  return row?.last_at ?? null;
}

/** Every team's digest as it would go out at `now` (nothing is written). */
export function buildDigests(ctx: AppContext, now: number, tz: string): TeamDigest[] {
  const teams = Object.values(ctx.config.teams).filter((t) => Object.values(ctx.config.workflows).some((w) => w.team === t.name));
  return teams.map((t) => {
    const view = teamDigest(ctx, t.name, { days: digestWindow(lastDigestAt(ctx.db, t.name), now, tz), now, tz });
    return { team: t.name, leaders: t.leaders, view, card: digestCard(view) };
  });
}

/** Posts every team's digest and records when; returns the teams posted to. */
export function runDigestJob(ctx: AppContext, now: number, tz: string): string[] {
  const digests = buildDigests(ctx, now, tz);
  for (const d of digests) {
    tx(ctx.db, () => {
      emitDigest(ctx.db, { team: d.team, card: d.card, leaders: d.leaders, now });
      ctx.db
        .prepare('INSERT INTO digest_runs (team, last_at) VALUES (?, ?) ON CONFLICT(team) DO UPDATE SET last_at = excluded.last_at')
        .run(d.team, now);
    });
  }
  return digests.map((d) => d.team);
}
