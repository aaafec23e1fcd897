/** Where each release's one Slack message lives (`chat_posts`: release, channel, ts). */
import type { Db } from '../../store/db.ts';

export function slackPostOf(db: Db, releaseId: number, channel: string): string | undefined {
  const row = db
    .prepare("SELECT message_id FROM chat_posts WHERE release_id = ? AND surface = 'slack' AND channel = ?")
    .get(releaseId, channel) as { message_id: string } | undefined;
  return row?.message_id;
}

export function recordSlackPost(db: Db, releaseId: number, channel: string, ts: string): void {
  db.prepare("INSERT OR REPLACE INTO chat_posts (release_id, surface, channel, message_id) VALUES (?, 'slack', ?, ?)").run(releaseId, channel, ts);
}
