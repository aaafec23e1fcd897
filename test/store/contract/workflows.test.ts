import { expect, it } from 'vitest';
import { configHash } from '../../../src/core/canonical.ts';
import { configOf, eachEngine, T0 } from '../engines.ts';

eachEngine('configs, workflows and settings', (e) => {
  it('stores a config once by content hash and reads it back', async () => {
    const { store, reopen } = e();
    const cfg = configOf('gpt-4.1-2025-04-14');
    const hash = await store.configs.put(cfg, 'prompts/support.md', T0);
    expect(hash).toBe(configHash(cfg));
    expect(await store.configs.put(cfg, 'prompts/other.md', T0 + 1)).toBe(hash);
    const other = await reopen();
    expect(await other.configs.get(hash)).toEqual({ hash, config: cfg, promptFile: 'prompts/support.md' });
    expect(await other.configs.get('cfg_nothing')).toBeUndefined();
  });

  it('keeps each workflow\'s live state and updates only the fields given', async () => {
    const { store } = e();
    const h1 = await store.configs.put(configOf('gpt-4.1-2025-04-14'), null, T0);
    const h2 = await store.configs.put(configOf('gpt-4.1-mini-2025-04-14'), null, T0);
    await store.workflows.insert({ name: 'support-triage', team: 'support', stableHash: h1, fileHash: h1, policy: '{"a":1}', createdAt: T0 });
    await store.workflows.insert({ name: 'refunds', team: 'billing', stableHash: h2, fileHash: h2, policy: '{}', createdAt: T0 });
    expect((await store.workflows.list()).map((w) => w.name)).toEqual(['refunds', 'support-triage']);
    await store.workflows.setStableHash('support-triage', h2, T0 + 1);
    await store.workflows.setFileState('support-triage', { policy: '{"a":2}' }, T0 + 2);
    expect(await store.workflows.get('support-triage')).toEqual({
      name: 'support-triage', team: 'support', stableHash: h2, fileHash: h1, policy: '{"a":2}', createdAt: T0, updatedAt: T0 + 2,
    });
    await store.workflows.setFileState('support-triage', { fileHash: h2, team: 'support-2' }, T0 + 3);
    expect(await store.workflows.get('support-triage')).toMatchObject({ fileHash: h2, team: 'support-2', policy: '{"a":2}' });
    expect(await store.workflows.get('nothing')).toBeUndefined();
  });

  it('remembers every hash the file stated', async () => {
    const { store } = e();
    expect(await store.workflows.fileHashSeen('support-triage', 'cfg_a')).toBe(false);
    expect(await store.workflows.rememberFileHash('support-triage', 'cfg_a', T0)).toBe(true);
    expect(await store.workflows.rememberFileHash('support-triage', 'cfg_a', T0 + 1)).toBe(false);
    expect(await store.workflows.fileHashSeen('support-triage', 'cfg_a')).toBe(true);
    expect(await store.workflows.fileHashSeen('refunds', 'cfg_a')).toBe(false);
  });

  it('keeps small settings by key', async () => {
    const { store } = e();
    expect(await store.meta.get('global_policy')).toBeUndefined();
    await store.meta.put('global_policy', '{"a":1}');
    await store.meta.put('global_policy', '{"a":2}');
    expect(await store.meta.get('global_policy')).toBe('{"a":2}');
  });
});
