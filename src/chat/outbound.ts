/**
 * What an event means for a chat surface: which card goes where. Slack and Teams both translate
 * these into their own calls, so the routing rules live once.
 */
import type { Card } from '../core/card.ts';
import { noticeCard } from '../core/views/common.ts';
import type { AppContext } from '../services/context.ts';
import type { StoredEvent } from '../store/repos/events.ts';
import { releaseCardOf } from './executor.ts';

export type Outbound =
  /** Post the release's card to its team channel, or update it wherever it was posted. */
  | { kind: 'release'; releaseId: number; team: string; card: Card; done?: string }
  /** A message to a team channel, threaded under a release's message when `threadOf` is set. */
  | { kind: 'message'; team: string; card: Card; threadOf?: number; mention?: string[] }
  /** A direct message to people (config names). */
  | { kind: 'direct'; people: string[]; card: Card };

export async function outboundFor(ctx: AppContext, e: StoredEvent): Promise<Outbound[]> {
  const cfg = ctx.config;
  switch (e.kind) {
    case 'release_changed':
    case 'review_voted': {
      if (e.releaseId === null) return [];
      const r = await ctx.store.releases.get(e.releaseId);
      const wf = r && cfg.workflows[r.workflow];
      if (!r || !wf) return [];
      return [{ kind: 'release', releaseId: r.id, team: wf.team, card: await releaseCardOf(ctx, r) }];
    }
    case 'alert': {
      const wf = e.workflow ? cfg.workflows[e.workflow] : undefined;
      if (!wf) return [];
      const card = e.payload.card as Card;
      const notify = (e.payload.notify as string[] | undefined) ?? [];
      const out: Outbound[] = [{ kind: 'message', team: wf.team, card, threadOf: e.releaseId ?? undefined, mention: notify }];
      // A release's card also changes when an alert is raised about it (e.g. auto-rollback).
      if (e.releaseId !== null) {
        const r = await ctx.store.releases.get(e.releaseId);
        if (r) out.push({ kind: 'release', releaseId: r.id, team: wf.team, card: await releaseCardOf(ctx, r) });
      }
      return out;
    }
    case 'digest': {
      const team = e.payload.team as string;
      const card = e.payload.card as Card;
      const leaders = (e.payload.leaders as string[] | undefined) ?? [];
      return [{ kind: 'message', team, card }, ...(leaders.length ? [{ kind: 'direct' as const, people: leaders, card }] : [])];
    }
    case 'policy_changed': {
      const keys = ((e.payload.keys as string[] | undefined) ?? []).join(', ');
      if (e.workflow) {
        const wf = cfg.workflows[e.workflow];
        if (!wf) return [];
        return [{ kind: 'message', team: wf.team, card: noticeCard(`Policy changed · ${e.workflow}`, `The configuration file changed ${keys} of ${e.workflow}; the change is in force and in the audit log (policy_changed).`, 'info', { workflow: e.workflow, team: wf.team }) }];
      }
      return Object.keys(cfg.teams).map((team) => ({
        kind: 'message' as const,
        team,
        card: noticeCard('Policy changed', `The configuration file changed ${keys}; the change is in force and in the audit log (policy_changed).`),
      }));
    }
    case 'notice': {
      const wf = e.workflow ? cfg.workflows[e.workflow] : undefined;
      if (!wf) return [];
      return [{ kind: 'message', team: wf.team, card: noticeCard('ai-release', String(e.payload.text ?? ''), 'warning', { workflow: wf.name, team: wf.team }) }];
    }
    default:
      return [];
  }
}
