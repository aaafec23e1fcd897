/**
 * What the Teams surface keeps in the store: conversation references (for proactive posts), where
 * each release card was posted (to update it), and the deliveries already handled (exactly once).
 */
import type { Db } from '../../store/db.ts';
import type { ConversationKind, ConversationRef } from './translate.ts';

export function saveReference(
  db: Db,
  ref: ConversationRef,
  meta: { kind: ConversationKind; userAad?: string; teamId?: string },
  now: number,
): void {
  db.prepare(
    `INSERT INTO conversation_refs (conversation_id, reference, updated_at, kind, user_aad, team_id, tenant_id)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(conversation_id) DO UPDATE SET reference = excluded.reference, updated_at = excluded.updated_at,
       kind = excluded.kind, user_aad = COALESCE(excluded.user_aad, user_aad), team_id = COALESCE(excluded.team_id, team_id),
       tenant_id = COALESCE(excluded.tenant_id, tenant_id)`,
  ).run(
    ref.conversation.id,
    JSON.stringify(ref),
    now,
    meta.kind,
    meta.kind === 'personal' ? (meta.userAad?.toLowerCase() ?? null) : null,
    meta.teamId ?? null,
    ref.conversation.tenantId ?? null,
  );
}

export function referenceFor(db: Db, conversationId: string): ConversationRef | undefined {
  const r = db.prepare('SELECT reference FROM conversation_refs WHERE conversation_id = ?').get(conversationId) as { reference: string } | undefined;
  return r ? (JSON.parse(r.reference) as ConversationRef) : undefined;
}

/** The latest channel reference of any team: its service URL and tenant reach the team's other channels. */
export function anyChannelReference(db: Db): ConversationRef | undefined {
  const r = db
    .prepare("SELECT reference FROM conversation_refs WHERE kind = 'channel' ORDER BY updated_at DESC LIMIT 1")
    .get() as { reference: string } | undefined;
  return r ? (JSON.parse(r.reference) as ConversationRef) : undefined;
}

/** The latest reference of any conversation (its service URL, tenant and bot reach anyone in the tenant). */
export function anyReference(db: Db): ConversationRef | undefined {
  const r = db.prepare('SELECT reference FROM conversation_refs ORDER BY updated_at DESC LIMIT 1').get() as { reference: string } | undefined;
  return r ? (JSON.parse(r.reference) as ConversationRef) : undefined;
}

/** The 1:1 conversation with the person of this AAD object id, if the bot has one. */
export function personalReferenceOf(db: Db, aadObjectId: string): ConversationRef | undefined {
  const r = db
    .prepare("SELECT reference FROM conversation_refs WHERE kind = 'personal' AND user_aad = ? ORDER BY updated_at DESC LIMIT 1")
    .get(aadObjectId.toLowerCase()) as { reference: string } | undefined;
  return r ? (JSON.parse(r.reference) as ConversationRef) : undefined;
}

export interface TeamsPost {
  conversationId: string;
  activityId: string;
  ref: ConversationRef;
}

/** Every Teams message showing this release's card. */
export function postsOf(db: Db, releaseId: number): TeamsPost[] {
  return (
    db.prepare("SELECT channel, message_id, extra FROM chat_posts WHERE release_id = ? AND surface = 'teams' ORDER BY rowid").all(releaseId) as {
      channel: string;
      message_id: string;
      extra: string | null;
    }[]
  ).flatMap((r) => (r.extra ? [{ conversationId: r.channel, activityId: r.message_id, ref: JSON.parse(r.extra) as ConversationRef }] : []));
}

export function postOf(db: Db, releaseId: number, conversationId: string): TeamsPost | undefined {
  return postsOf(db, releaseId).find((p) => p.conversationId === conversationId);
}

/** Remembers (or moves) the message showing a release's card in one conversation. */
export function savePost(db: Db, releaseId: number, post: TeamsPost): void {
  db.prepare(
    `INSERT INTO chat_posts (release_id, surface, channel, message_id, extra) VALUES (?, 'teams', ?, ?, ?)
     ON CONFLICT(release_id, surface, channel) DO UPDATE SET message_id = excluded.message_id, extra = excluded.extra`,
  ).run(releaseId, post.conversationId, post.activityId, JSON.stringify(post.ref));
}

const DEDUPE_KEEP_MS = 7 * 86_400_000;

/** True the first time `key` is seen; false for a repeated delivery. Old keys are dropped. */
export function firstDelivery(db: Db, key: string, now: number): boolean {
  const r = db.prepare('INSERT OR IGNORE INTO dedupe (key, at) VALUES (?, ?)').run(key, now);
  if (r.changes === 1 && Math.random() < 0.01) db.prepare("DELETE FROM dedupe WHERE key LIKE 'teams:%' AND at < ?").run(now - DEDUPE_KEEP_MS);
  return r.changes === 1;
}
