/** Where each release's one Slack message lives (release, channel, ts). */
import type { Store } from '../../store/store.ts';

export async function slackPostOf(store: Store, releaseId: number, channel: string): Promise<string | undefined> {
  return (await store.chatPosts.find(releaseId, 'slack', channel))?.messageId;
}

export function recordSlackPost(store: Store, releaseId: number, channel: string, ts: string): Promise<void> {
  return store.chatPosts.save(releaseId, 'slack', { channel, messageId: ts, extra: null });
}
