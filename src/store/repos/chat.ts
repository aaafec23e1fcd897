/**
 * What the chat surfaces keep: where each release's card was posted (per surface and channel, to
 * update it in place), the incoming deliveries already handled (exactly once), and Teams
 * conversation references (for proactive posts; stored as JSON, typed by the Teams adapter).
 */
import type { SqlExecutor } from '../sql.ts';

export type ChatSurface = 'slack' | 'teams';

export interface ChatPost {
  channel: string;
  /** Slack ts / Teams activity id. */
  messageId: string;
  /** Surface-specific (Teams: the conversation reference, JSON). */
  extra: string | null;
}

export interface ChatPostRepo {
  /** The messages showing a release's card on a surface (by channel). */
  of(releaseId: number, surface: ChatSurface): Promise<ChatPost[]>;
  /** The message showing a release's card in one channel. */
  find(releaseId: number, surface: ChatSurface, channel: string): Promise<ChatPost | undefined>;
  /** Remembers (or moves) the message showing a release's card in one channel. */
  save(releaseId: number, surface: ChatSurface, post: ChatPost): Promise<void>;
}

export interface DeliveryRepo {
  /** True the first time `key` is seen (and records it), false for every later delivery. */
  first(key: string, now: number): Promise<boolean>;
  /** Forgets keys starting with `prefix` recorded before `before`; how many. */
  prune(prefix: string, before: number): Promise<number>;
}

export type ConversationKind = 'personal' | 'channel' | 'groupChat';

export interface ConversationRepo {
  /** Keeps the reference of a conversation (JSON), replacing the one kept before. */
  save(conversationId: string, reference: string, meta: { kind: ConversationKind; userAad?: string | null; teamId?: string | null; tenantId?: string | null }, now: number): Promise<void>;
  /** The reference kept for this conversation (JSON). */
  byId(conversationId: string): Promise<string | undefined>;
  /** The latest reference of a conversation of this kind, or of any kind. */
  latest(kind?: ConversationKind): Promise<string | undefined>;
  /** The latest 1:1 with the person of this AAD object id (lower-cased). */
  personal(userAad: string): Promise<string | undefined>;
}

export function sqlChatPosts(db: SqlExecutor): ChatPostRepo {
  type Row = { channel: string; message_id: string; extra: string | null };
  const toPost = (r: Row): ChatPost => ({ channel: r.channel, messageId: r.message_id, extra: r.extra });
  return {
    async of(releaseId, surface) {
      return (await db.all<Row>('SELECT channel, message_id, extra FROM chat_posts WHERE release_id = ? AND surface = ? ORDER BY channel', [releaseId, surface])).map(toPost);
    },
    async find(releaseId, surface, channel) {
      const r = await db.get<Row>('SELECT channel, message_id, extra FROM chat_posts WHERE release_id = ? AND surface = ? AND channel = ?', [releaseId, surface, channel]);
      return r && toPost(r);
    },
    async save(releaseId, surface, post) {
      await db.run(
        `INSERT INTO chat_posts (release_id, surface, channel, message_id, extra) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (release_id, surface, channel) DO UPDATE SET message_id = excluded.message_id, extra = excluded.extra`,
        [releaseId, surface, post.channel, post.messageId, post.extra],
      );
    },
  };
}

export function sqlDeliveries(db: SqlExecutor): DeliveryRepo {
  return {
    async first(key, now) {
      return (await db.run('INSERT INTO dedupe (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, now])).changes === 1;
    },
    async prune(prefix, before) {
      const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
      return (await db.run("DELETE FROM dedupe WHERE key LIKE ? ESCAPE '\\' AND at < ?", [`${escaped}%`, before])).changes;
    },
  };
}

export function sqlConversations(db: SqlExecutor): ConversationRepo {
  type Row = { reference: string };
  return {
    async save(conversationId, reference, meta, now) {
      await db.run(
        `INSERT INTO conversation_refs (conversation_id, reference, updated_at, kind, user_aad, team_id, tenant_id)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET reference = excluded.reference, updated_at = excluded.updated_at,
           kind = excluded.kind, user_aad = COALESCE(excluded.user_aad, conversation_refs.user_aad),
           team_id = COALESCE(excluded.team_id, conversation_refs.team_id), tenant_id = COALESCE(excluded.tenant_id, conversation_refs.tenant_id)`,
        [conversationId, reference, now, meta.kind, meta.userAad?.toLowerCase() ?? null, meta.teamId ?? null, meta.tenantId ?? null],
      );
    },
    async byId(conversationId) {
      return (await db.get<Row>('SELECT reference FROM conversation_refs WHERE conversation_id = ?', [conversationId]))?.reference;
    },
    async latest(kind) {
      const r = kind
        ? await db.get<Row>('SELECT reference FROM conversation_refs WHERE kind = ? ORDER BY updated_at DESC LIMIT 1', [kind])
        : await db.get<Row>('SELECT reference FROM conversation_refs ORDER BY updated_at DESC LIMIT 1');
      return r?.reference;
    },
    async personal(userAad) {
      const r = await db.get<Row>("SELECT reference FROM conversation_refs WHERE kind = 'personal' AND user_aad = ? ORDER BY updated_at DESC LIMIT 1", [userAad.toLowerCase()]);
      return r?.reference;
    },
  };
}
