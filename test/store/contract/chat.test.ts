import { expect, it } from 'vitest';
import { eachEngine, T0 } from '../engines.ts';

eachEngine('chat posts, deliveries and conversations', (e) => {
  it("keeps where each release's card was posted, per surface and channel, and moves it", async () => {
    const { store } = e();
    await store.chatPosts.save(1, 'slack', { channel: 'C0SUPPORT', messageId: '111.1', extra: null });
    await store.chatPosts.save(1, 'teams', { channel: '19:b', messageId: 'act-2', extra: '{"r":2}' });
    await store.chatPosts.save(1, 'teams', { channel: '19:a', messageId: 'act-1', extra: '{"r":1}' });
    await store.chatPosts.save(1, 'teams', { channel: '19:b', messageId: 'act-3', extra: '{"r":3}' });
    expect(await store.chatPosts.find(1, 'slack', 'C0SUPPORT')).toEqual({ channel: 'C0SUPPORT', messageId: '111.1', extra: null });
    expect(await store.chatPosts.find(1, 'slack', '19:a')).toBeUndefined();
    expect(await store.chatPosts.find(2, 'slack', 'C0SUPPORT')).toBeUndefined();
    expect(await store.chatPosts.of(1, 'teams')).toEqual([
      { channel: '19:a', messageId: 'act-1', extra: '{"r":1}' },
      { channel: '19:b', messageId: 'act-3', extra: '{"r":3}' },
    ]);
  });

  it('handles a delivery key once, and forgets old keys of one surface only', async () => {
    const { store, reopen } = e();
    expect(await store.deliveries.first('slack:T1:cmd:abc', T0)).toBe(true);
    expect(await (await reopen()).deliveries.first('slack:T1:cmd:abc', T0 + 1)).toBe(false);
    await store.deliveries.first('slack:T1:cmd:new', T0 + 100);
    await store.deliveries.first('teams:x', T0);
    await store.deliveries.first('slack_x', T0);
    expect(await store.deliveries.prune('slack:', T0 + 50)).toBe(1);
    expect(await store.deliveries.first('slack:T1:cmd:abc', T0 + 200)).toBe(true);
    expect(await store.deliveries.first('slack:T1:cmd:new', T0 + 200)).toBe(false);
    expect(await store.deliveries.first('teams:x', T0 + 200)).toBe(false);
    expect(await store.deliveries.first('slack_x', T0 + 200)).toBe(false);
  });

  it('keeps Teams conversation references: by id, the latest of a kind, and 1:1s by person', async () => {
    const { store } = e();
    await store.conversations.save('19:chan', '{"c":1}', { kind: 'channel', teamId: 'team-1', tenantId: 'ten' }, T0);
    await store.conversations.save('a:dm', '{"c":2}', { kind: 'personal', userAad: 'ABC-Person' }, T0 + 1);
    expect(await store.conversations.byId('19:chan')).toBe('{"c":1}');
    expect(await store.conversations.byId('nothing')).toBeUndefined();
    expect(await store.conversations.latest('channel')).toBe('{"c":1}');
    expect(await store.conversations.latest()).toBe('{"c":2}');
    expect(await store.conversations.personal('abc-person')).toBe('{"c":2}');
    expect(await store.conversations.personal('ABC-PERSON')).toBe('{"c":2}');
    // A later save without the person keeps the person it had.
    await store.conversations.save('a:dm', '{"c":3}', { kind: 'personal' }, T0 + 2);
    expect(await store.conversations.personal('abc-person')).toBe('{"c":3}');
    expect(await store.conversations.latest('groupChat')).toBeUndefined();
  });
});
