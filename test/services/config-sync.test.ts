import { writeFileSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/app.ts';
import { syncConfigFile } from '../../src/services/config-sync.ts';
import { applyTransition, performVerb } from '../../src/services/releases.ts';
import { requestRelease } from '../../src/services/request.ts';
import { openTestApp } from '../helpers/harness.ts';
import { writeMiniConfig } from '../helpers/mini-config.ts';

async function reopen(file: string, dir: string) {
  return openTestApp({ configPath: file, dir });
}

describe('the file and the live state', () => {
  it('first start seeds every workflow, audited workflow_added, no release', async () => {
    const { file } = writeMiniConfig();
    const app = await openTestApp({ configPath: file });
    expect(app.sync.added.sort()).toEqual(['alpha', 'beta']);
    expect(await app.ctx.store.releases.list()).toHaveLength(0);
    const added = (await app.ctx.store.audit.list({}, 'asc')).filter((e) => e.action === 'workflow_added').map((e) => e.workflow);
    expect(added.sort()).toEqual(['alpha', 'beta']);
    // a second start changes nothing
    await app.close();
    const again = await reopen(file, app.dir);
    expect(again.sync).toEqual({ added: [], requested: [], waiting: [], policyChanged: [] });
  });

  it('a new config hash in the file makes exactly one release request by config-file; a hash seen before makes none', async () => {
    const { file, dir } = writeMiniConfig();
    const app = await openTestApp({ configPath: file });
    await app.close();
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('max_tokens: 200', 'max_tokens: 300'));
    const a2 = await reopen(file, app.dir);
    expect(a2.sync.requested).toEqual([{ workflow: 'alpha', release: 'REL-1' }]);
    const [rel] = await a2.ctx.store.releases.list();
    expect(rel!.requester).toBe('config-file');
    expect(rel!.changes.params).toEqual({ max_tokens: { from: 200, to: 300 } });
    // reading the same file again: nothing new
    await a2.close();
    const a3 = await reopen(file, app.dir);
    expect(a3.sync.requested).toEqual([]);
    // cancel it, go back to the original file (a hash seen before): no request
    await performVerb(a3.ctx, { person: a3.ctx.config.people.ops, surface: 'cli' }, 'cancel', 'REL-1');
    await a3.close();
    writeFileSync(file, original);
    const a4 = await reopen(file, app.dir);
    expect(a4.sync.requested).toEqual([]);
    expect(await a4.ctx.store.releases.list()).toHaveLength(1);
    void dir;
  });

  it('releases made from chat or CI do not make the file differ', async () => {
    const { file } = writeMiniConfig();
    const app = await openTestApp({ configPath: file });
    const eli = { person: app.ctx.config.people.eli, surface: 'slack' as const };
    const r = await requestRelease(app.ctx, eli, { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', source: 'slack' });
    if (!r.ok) throw new Error(r.error.message);
    await app.ctx.store.releases.setVerdict(r.value.id, { outcome: 'pass', summary: '', rows: [] }, 'pass', app.ctx.now());
    await applyTransition(app.ctx, r.value.id, 'gate_passed', 'gate');
    await performVerb(app.ctx, { person: app.ctx.config.people.dana, surface: 'slack' }, 'approve', 'REL-1');
    await performVerb(app.ctx, eli, 'promote', 'REL-1');
    await performVerb(app.ctx, eli, 'promote', 'REL-1');
    expect((await app.ctx.store.workflows.get('alpha'))!.stableHash).toBe(r.value.candidateHash);
    await app.close();
    const again = await reopen(file, app.dir);
    expect(again.sync.requested).toEqual([]);
    expect((await again.ctx.store.workflows.get('alpha'))!.stableHash).toBe(r.value.candidateHash);
  });

  it('policy changes outside config are applied, audited as policy_changed with before/after, and announced', async () => {
    const { file } = writeMiniConfig();
    const app = await openTestApp({ configPath: file });
    writeFileSync(file, readFileSync(file, 'utf8').replace('approvers: [dana, sam, kim]', 'approvers: [dana, sam, kim, lee]'));
    app.ctx.config = loadConfigOrThrow(file, {});
    const report = await syncConfigFile(app.ctx);
    expect(report.policyChanged).toEqual(['alpha']);
    expect(report.requested).toEqual([]);
    const ev = (await app.ctx.store.audit.list({})).find((e) => e.action === 'policy_changed')!;
    expect((ev.data.changes as Record<string, unknown>).approvers).toEqual({ before: ['dana', 'sam', 'kim'], after: ['dana', 'sam', 'kim', 'lee'] });
    const event = (await app.ctx.store.events.after(0)).find((e) => e.kind === 'policy_changed')!;
    expect(event.payload.keys).toEqual(['approvers']);
  });

  it('a file change while a release is open waits and is requested once it closes', async () => {
    const { file } = writeMiniConfig();
    const app = await openTestApp({ configPath: file });
    const r = await requestRelease(app.ctx, { person: app.ctx.config.people.eli, surface: 'cli' }, { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', source: 'cli' });
    expect(r.ok).toBe(true);
    writeFileSync(file, readFileSync(file, 'utf8').replace('max_tokens: 200', 'max_tokens: 250'));
    app.ctx.config = loadConfigOrThrow(file, {});
    expect((await syncConfigFile(app.ctx)).waiting).toEqual([{ workflow: 'alpha', open: 'REL-1' }]);
    await performVerb(app.ctx, { person: app.ctx.config.people.eli, surface: 'cli' }, 'cancel', 'REL-1');
    expect((await syncConfigFile(app.ctx)).requested).toEqual([{ workflow: 'alpha', release: 'REL-2' }]);
  });
});
