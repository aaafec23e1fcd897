/**
 * What the Teams surface keeps in the store, typed: conversation references (for proactive
 * posts), where each release card was posted (to update it), and the deliveries already handled
 * (exactly once).
 */
import type { Store } from '../../store/store.ts';
import type { ConversationKind, ConversationRef } from './translate.ts';

const parse = (json: string | undefined): ConversationRef | undefined => (json ? (JSON.parse(json) as ConversationRef) : undefined);

export function saveReference(store: Store, ref: ConversationRef, meta: { kind: ConversationKind; userAad?: string; teamId?: string }, now: number): Promise<void> {
  return store.conversations.save(
    ref.conversation.id,
    JSON.stringify(ref),
    { kind: meta.kind, userAad: meta.kind === 'personal' ? (meta.userAad ?? null) : null, teamId: meta.teamId ?? null, tenantId: ref.conversation.tenantId ?? null },
    now,
  );
}

export async function referenceFor(store: Store, conversationId: string): Promise<ConversationRef | undefined> {
  return parse(await store.conversations.byId(conversationId));
}

/** The latest channel reference of any team: its service URL and tenant reach the team's other channels. */
export async function anyChannelReference(store: Store): Promise<ConversationRef | undefined> {
  return parse(await store.conversations.latest('channel'));
}

/** The latest reference of any conversation (its service URL, tenant and bot reach anyone in the tenant). */
export async function anyReference(store: Store): Promise<ConversationRef | undefined> {
  return parse(await store.conversations.latest());
}

/** The 1:1 conversation with the person of this AAD object id, if the bot has one. */
export async function personalReferenceOf(store: Store, aadObjectId: string): Promise<ConversationRef | undefined> {
  return parse(await store.conversations.personal(aadObjectId));
}

export interface TeamsPost {
  conversationId: string;
  activityId: string;
  ref: ConversationRef;
}

/** Every Teams message showing this release's card. */
export async function postsOf(store: Store, releaseId: number): Promise<TeamsPost[]> {
  return (await store.chatPosts.of(releaseId, 'teams')).flatMap((p) =>
    p.extra ? [{ conversationId: p.channel, activityId: p.messageId, ref: JSON.parse(p.extra) as ConversationRef }] : [],
  );
}

export async function postOf(store: Store, releaseId: number, conversationId: string): Promise<TeamsPost | undefined> {
  const p = await store.chatPosts.find(releaseId, 'teams', conversationId);
  return p?.extra ? { conversationId: p.channel, activityId: p.messageId, ref: JSON.parse(p.extra) as ConversationRef } : undefined;
}

/** Remembers (or moves) the message showing a release's card in one conversation. */
export function savePost(store: Store, releaseId: number, post: TeamsPost): Promise<void> {
  return store.chatPosts.save(releaseId, 'teams', { channel: post.conversationId, messageId: post.activityId, extra: JSON.stringify(post.ref) });
}

const DEDUPE_KEEP_MS = 7 * 86_400_000;

/** True the first time `key` is seen; false for a repeated delivery. Old keys are dropped now and then. */
export async function firstDelivery(store: Store, key: string, now: number): Promise<boolean> {
  const first = await store.deliveries.first(key, now);
  if (first && Math.random() < 0.01) await store.deliveries.prune('teams:', now - DEDUPE_KEEP_MS);
  return first;
}
