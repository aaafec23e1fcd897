/**
 * Events -> Teams posts: a release's card posted to its team's channel the first time and updated
 * wherever it is shown afterwards; messages to the channel (in the release's thread when known);
 * direct messages in each person's 1:1 with the bot, opened proactively when they never wrote to it.
 * Every send goes through the rate queue.
 */
import type { Card } from '../../core/card.ts';
import type { AppContext } from '../../services/context.ts';
import type { Logger } from '../../server/log.ts';
import { forChannel, forPerson } from '../audience.ts';
import type { Outbound } from '../outbound.ts';
import type { ChannelQueue } from '../queue.ts';
import { anyChannelReference, anyReference, personalReferenceOf, postOf, postsOf, referenceFor, savePost, saveReference } from './records.ts';
import type { TeamsConnector } from './sdk.ts';
import { cardActivity, channelOf, retarget, threadOf, type ConversationRef, type OutgoingActivity } from './translate.ts';

export interface ProactiveDeps {
  ctx: AppContext;
  log: Logger;
  connector: TeamsConnector;
  queue: ChannelQueue;
  /** PUBLIC_URL: where cut cards link to the console. */
  consoleUrl?: string;
}

export async function deliver(deps: ProactiveDeps, out: Outbound): Promise<void> {
  switch (out.kind) {
    case 'release':
      return releaseCard(deps, out.releaseId, out.team, out.card, out.done);
    case 'message':
      return message(deps, out.team, out.card, out.threadOf, out.mention);
    case 'direct':
      return direct(deps, out.people, out.card);
  }
}

/** The configured channel of a team, with a reference to reach it, or why not. */
async function teamChannel(deps: ProactiveDeps, team: string): Promise<{ channel: string; ref: ConversationRef } | null> {
  const channel = deps.ctx.config.teams[team]?.channels.teams;
  if (!channel) return null;
  // The channel's own reference (the bot was added there or mentioned there), else any channel
  // reference: same service URL and tenant, another channel of a team the bot is in.
  const own = await referenceFor(deps.ctx.store, channel);
  const any = own ? undefined : await anyChannelReference(deps.ctx.store);
  const ref = own ?? (any ? retarget(any, channel) : undefined);
  if (!ref) {
    deps.log.warn('teams: no conversation reference yet, post skipped: add the bot to the team (or mention it once in the channel)', { team, channel });
    return null;
  }
  return { channel, ref };
}

async function releaseCard(deps: ProactiveDeps, releaseId: number, team: string, card: Card, done?: string): Promise<void> {
  const { ctx, log, connector, queue } = deps;
  const activity = cardActivity(await forChannel(ctx, card), { consoleUrl: deps.consoleUrl, ...(done !== undefined ? { done } : {}) });
  const posts = await postsOf(ctx.store, releaseId);
  const target = ctx.config.teams[team]?.channels.teams;
  if (target && !posts.some((p) => p.conversationId === target)) {
    const to = await teamChannel(deps, team);
    if (to) {
      try {
        const id = await queue.enqueue(to.channel, () => connector.post(to.ref, activity));
        await savePost(ctx.store, releaseId, { conversationId: to.channel, activityId: id, ref: to.ref });
      } catch (e) {
        log.error('teams: release card post failed', { releaseId, channel: to.channel, error: (e as Error).message });
      }
    }
  }
  for (const p of posts) {
    try {
      await queue.enqueue(channelOf(p.conversationId), () => connector.update(p.ref, p.activityId, activity));
    } catch (e) {
      log.error('teams: release card update failed', { releaseId, conversation: p.conversationId, activity: p.activityId, error: (e as Error).message });
    }
  }
}

async function message(deps: ProactiveDeps, team: string, card: Card, threadOfRelease?: number, mention?: string[]): Promise<void> {
  const to = await teamChannel(deps, team);
  if (!to) return;
  let ref = to.ref;
  if (threadOfRelease !== undefined) {
    const root = await postOf(deps.ctx.store, threadOfRelease, to.channel);
    if (root) ref = retarget(to.ref, threadOf(to.channel, root.activityId));
  }
  const activity = withMentions(deps, cardActivity(await forChannel(deps.ctx, card), { consoleUrl: deps.consoleUrl }), mention ?? []);
  try {
    await deps.queue.enqueue(to.channel, () => deps.connector.post(ref, activity));
  } catch (e) {
    deps.log.error('teams: channel post failed', { team, conversation: ref.conversation.id, error: (e as Error).message });
  }
}

/** `<at>name</at>` for the people to notify who have a Teams identity. */
function withMentions(deps: ProactiveDeps, activity: OutgoingActivity, people: string[]): OutgoingActivity {
  const known = people.flatMap((name) => {
    const id = deps.ctx.config.people[name]?.teams;
    return id ? [{ name, id }] : [];
  });
  if (!known.length) return activity;
  return {
    ...activity,
    text: known.map((p) => `<at>${p.name}</at>`).join(' '),
    entities: known.map((p) => ({ type: 'mention', text: `<at>${p.name}</at>`, mentioned: { id: p.id, name: p.name } })),
  };
}

async function direct(deps: ProactiveDeps, people: string[], card: Card): Promise<void> {
  for (const name of people) {
    const aad = deps.ctx.config.people[name]?.teams;
    if (!aad) continue; // no Teams identity in the config: nothing to reach
    const ref = (await personalReferenceOf(deps.ctx.store, aad)) ?? (await openPersonal(deps, name, aad));
    if (!ref) continue;
    try {
      const activity = cardActivity(await forPerson(deps.ctx, card, deps.ctx.config.people[name]), { consoleUrl: deps.consoleUrl });
      await deps.queue.enqueue(ref.conversation.id, () => deps.connector.post(ref, activity));
    } catch (e) {
      deps.log.error('teams: direct message failed', { person: name, error: (e as Error).message });
    }
  }
}

/** A 1:1 opened proactively (the person never wrote to the bot), kept like one they started. */
async function openPersonal(deps: ProactiveDeps, name: string, aad: string): Promise<ConversationRef | undefined> {
  const via = await anyReference(deps.ctx.store);
  if (!via) {
    deps.log.warn('teams: direct message skipped: the bot is in no conversation yet to reach the tenant from (add it to a team)', { person: name });
    return undefined;
  }
  try {
    const ref = await deps.queue.enqueue(`open:${aad}`, () => deps.connector.openPersonal(via, aad));
    await saveReference(deps.ctx.store, ref, { kind: 'personal', userAad: aad }, deps.ctx.now());
    return ref;
  } catch (e) {
    deps.log.warn('teams: direct message skipped: could not open a 1:1 (is the app installed for this person?)', { person: name, error: (e as Error).message });
    return undefined;
  }
}
