import { writeFileSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/app.ts';
import { syncConfigFile } from '../../src/services/config-sync.ts';
import { applyTransition, performVerb } from '../../src/services/releases.ts';
import { requestRelease } from '../../src/services/request.ts';
import { listReleases, setReleaseVerdict } from '../../src/store/releases.ts';
import { getLiveWorkflow } from '../../src/store/workflows.ts';
import { openTestApp } from '../helpers/harness.ts';
import { writeMiniConfig } from '../helpers/mini-config.ts';

function reopen(file: string, dir: string) {
  return openTestApp({ configPath: file, dir });
}

describe('the file and the live state', () => {
  it('first start seeds every workflow, audited workflow_added, no release', () => {
    const { file } = writeMiniConfig();
    const app = openTestApp({ configPath: file });
    expect(app.sync.added.sort()).toEqual(['alpha', 'beta']);
    expect(listReleases(app.ctx.db)).toHaveLength(0);
    const added = app.ctx.db.prepare("SELECT workflow FROM audit WHERE action = 'workflow_added' ORDER BY workflow").all();
    expect(added).toEqual([{ workflow: 'alpha' }, { workflow: 'beta' }]);
    // a second start changes nothing
    app.close();
    const again = reopen(file, app.dir);
    expect(again.sync).toEqual({ added: [], requested: [], waiting: [], policyChanged: [] });
  });

  it('a new config hash in the file makes exactly one release request by config-file; a hash seen before makes none', () => {
    const { file, dir } = writeMiniConfig();
    const app = openTestApp({ configPath: file });
    app.close();
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('max_tokens: 200', 'max_tokens: 300'));
    const a2 = reopen(file, app.dir);
    expect(a2.sync.requested).toEqual([{ workflow: 'alpha', release: 'REL-1' }]);
    const [rel] = listReleases(a2.ctx.db);
    expect(rel!.requester).toBe('config-file');
    expect(rel!.changes.params).toEqual({ max_tokens: { from: 200, to: 300 } });
    // reading the same file again: nothing new
    a2.close();
    const a3 = reopen(file, app.dir);
    expect(a3.sync.requested).toEqual([]);
    // cancel it, go back to the original file (a hash seen before): no request
    performVerb(a3.ctx, { person: a3.ctx.config.people.ops, surface: 'cli' }, 'cancel', 'REL-1');
    a3.close();
    writeFileSync(file, original);
    const a4 = reopen(file, app.dir);
    expect(a4.sync.requested).toEqual([]);
    expect(listReleases(a4.ctx.db)).toHaveLength(1);
    void dir;
  });

  it('releases made from chat or CI do not make the file differ', () => {
    const { file } = writeMiniConfig();
    const app = openTestApp({ configPath: file });
    const eli = { person: app.ctx.config.people.eli, surface: 'slack' as const };
    const r = requestRelease(app.ctx, eli, { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', source: 'slack' });
    if (!r.ok) throw new Error(r.error.message);
    setReleaseVerdict(app.ctx.db, r.value.id, { outcome: 'pass', summary: '', rows: [] }, 'pass', app.ctx.now());
    applyTransition(app.ctx, r.value.id, 'gate_passed', 'gate');
    performVerb(app.ctx, { person: app.ctx.config.people.dana, surface: 'slack' }, 'approve', 'REL-1');
    performVerb(app.ctx, eli, 'promote', 'REL-1');
    performVerb(app.ctx, eli, 'promote', 'REL-1');
    expect(getLiveWorkflow(app.ctx.db, 'alpha')!.stableHash).toBe(r.value.candidateHash);
    app.close();
    const again = reopen(file, app.dir);
    expect(again.sync.requested).toEqual([]);
    expect(getLiveWorkflow(again.ctx.db, 'alpha')!.stableHash).toBe(r.value.candidateHash);
  });

  it('policy changes outside config are applied, audited as policy_changed with before/after, and announced', () => {
    const { file } = writeMiniConfig();
    const app = openTestApp({ configPath: file });
    writeFileSync(file, readFileSync(file, 'utf8').replace('approvers: [dana, sam, kim]', 'approvers: [dana, sam, kim, lee]'));
    app.ctx.config = loadConfigOrThrow(file, {});
    const report = syncConfigFile(app.ctx);
    expect(report.policyChanged).toEqual(['alpha']);
    expect(report.requested).toEqual([]);
    const ev = app.ctx.db.prepare("SELECT data FROM audit WHERE action = 'policy_changed'").get() as { data: string };
    expect(JSON.parse(ev.data).changes.approvers).toEqual({ before: ['dana', 'sam', 'kim'], after: ['dana', 'sam', 'kim', 'lee'] });
    const event = app.ctx.db.prepare("SELECT payload FROM events WHERE kind = 'policy_changed'").get() as { payload: string };
    expect(JSON.parse(event.payload).keys).toEqual(['approvers']);
  });

  it('a file change while a release is open waits and is requested once it closes', () => {
    const { file } = writeMiniConfig();
    const app = openTestApp({ configPath: file });
    const r = requestRelease(app.ctx, { person: app.ctx.config.people.eli, surface: 'cli' }, { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', source: 'cli' });
    expect(r.ok).toBe(true);
    writeFileSync(file, readFileSync(file, 'utf8').replace('max_tokens: 200', 'max_tokens: 250'));
    app.ctx.config = loadConfigOrThrow(file, {});
    expect(syncConfigFile(app.ctx).waiting).toEqual([{ workflow: 'alpha', open: 'REL-1' }]);
    performVerb(app.ctx, { person: app.ctx.config.people.eli, surface: 'cli' }, 'cancel', 'REL-1');
    expect(syncConfigFile(app.ctx).requested).toEqual([{ workflow: 'alpha', release: 'REL-2' }]);
  });
});
