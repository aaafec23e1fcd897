/** What every console page gets: the app, the signed-in person, the request URL, the zone. */
import type { Workflow } from '../../config/types.ts';
import { forPerson } from '../../chat/audience.ts';
import { renderHtml } from '../../chat/render/html.ts';
import type { Card } from '../../core/card.ts';
import { mayRead } from '../../core/permissions.ts';
import { clock } from '../../core/views/format.ts';
import type { Actor, AppContext } from '../../services/context.ts';
import type { ConsoleSession } from '../sessions.ts';

export interface PageContext {
  ctx: AppContext;
  session: ConsoleSession;
  url: URL;
  tz: string;
}

export const actorOf = (p: PageContext): Actor => ({ person: p.session.person, surface: 'console' });

/** Workflows whose receipts, spend and audit the person may read. */
export function readableWorkflows(p: PageContext): Workflow[] {
  return Object.values(p.ctx.config.workflows)
    .filter((w) => mayRead(p.ctx.config, p.session.person, w))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const when = (p: PageContext, ts: number | null | undefined): string => (ts ? clock(ts, p.ctx.now(), p.tz) : '—');

/** "2026-11-25 14:02:07" in the zone. */
export function stamp(ts: number, tz: string): string {
  const d = new Date(ts);
  const day = d.toLocaleDateString('en-CA', { timeZone: tz });
  const time = d.toLocaleTimeString('en-GB', { timeZone: tz, hour12: false });
  return `${day} ${time}`;
}

/** A card as HTML, as the signed-in person sees it (only the buttons they may use). */
export const cardHtml = async (p: PageContext, card: Card): Promise<string> => renderHtml(await forPerson(p.ctx, card, p.session.person));
