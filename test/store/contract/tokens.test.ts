import { expect, it } from 'vitest';
import { hashToken } from '../../../src/store/repos/tokens.ts';
import { eachEngine, T0 } from '../engines.ts';

eachEngine('tokens and console sessions', (e) => {
  it('mints a token shown once, finds it by value, revokes it by name', async () => {
    const { store } = e();
    const gw = await store.tokens.create({ name: 'app', scope: 'gateway', team: 'support', now: T0 });
    const rel = await store.tokens.create({ name: 'dana-cli', scope: 'releases', person: 'dana', now: T0 + 1 });
    expect(gw).toMatch(/^air_gw_/);
    expect(rel).toMatch(/^air_rel_/);
    expect(await store.tokens.find(gw)).toEqual({ name: 'app', scope: 'gateway', team: 'support', person: null, createdAt: T0, revokedAt: null });
    expect(await store.tokens.find('air_gw_guess')).toBeUndefined();
    expect(await store.tokens.nameTaken('app')).toBe(true);
    expect(await store.tokens.nameTaken('other')).toBe(false);
    await expect(store.tokens.create({ name: 'app', scope: 'gateway', team: 'support', now: T0 })).rejects.toThrow();
    expect(await store.tokens.revoke('app', T0 + 5)).toBe(true);
    expect(await store.tokens.revoke('app', T0 + 6)).toBe(false);
    expect(await store.tokens.find(gw)).toBeUndefined();
    expect(await store.tokens.list()).toEqual([
      { name: 'app', scope: 'gateway', team: 'support', person: null, createdAt: T0, revokedAt: T0 + 5 },
      { name: 'dana-cli', scope: 'releases', team: null, person: 'dana', createdAt: T0 + 1, revokedAt: null },
    ]);
  });

  it('keeps a console session until it expires, is closed, or its token is revoked', async () => {
    const { store } = e();
    const token = await store.tokens.create({ name: 'dana', scope: 'releases', person: 'dana', now: T0 });
    const open = (idHash: string, at: number) =>
      store.consoleSessions.open({ idHash, tokenHash: hashToken(token), person: 'dana', csrf: `csrf-${idHash}`, createdAt: at, expiresAt: at + 1000 });
    await open('s1', T0);
    await open('s2', T0);
    expect(await store.consoleSessions.live('s1', T0 + 10)).toEqual({ person: 'dana', csrf: 'csrf-s1', expiresAt: T0 + 1000 });
    expect(await store.consoleSessions.live('s1', T0 + 1000)).toBeUndefined();
    await store.consoleSessions.close('s2');
    expect(await store.consoleSessions.live('s2', T0 + 10)).toBeUndefined();
    await open('s3', T0 + 10);
    await store.tokens.revoke('dana', T0 + 20);
    expect(await store.consoleSessions.live('s3', T0 + 30)).toBeUndefined();
  });
});
