import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/services/context.ts';
import { applyTransition, performVerb } from '../../src/services/releases.ts';
import { requestRelease } from '../../src/services/request.ts';
import { fakeClock, openTestApp } from '../helpers/harness.ts';
import { writeMiniConfig, type MiniConfigOptions } from '../helpers/mini-config.ts';

async function setup(opts: MiniConfigOptions = {}) {
  const { file } = writeMiniConfig(opts);
  const clock = fakeClock();
  const app = await openTestApp({ configPath: file, now: clock.now });
  const people = app.ctx.config.people;
  const as = (name: string): Actor => ({ person: people[name], surface: 'cli' });
  return { ...app, clock, as };
}

/** Simulates the gate's answer (the real gate runs in the server's background). */
async function gate(app: Awaited<ReturnType<typeof setup>>, id: number, outcome: 'pass' | 'fail' | 'needs_cost_approval') {
  await app.ctx.store.releases.setVerdict(id, { outcome, summary: 'test', rows: [] }, outcome, app.ctx.now());
  return await applyTransition(app.ctx, id, outcome === 'fail' ? 'gate_failed' : 'gate_passed', 'gate', { outcome }, 'evaluating');
}

async function auditActions(app: Awaited<ReturnType<typeof setup>>, releaseId: number): Promise<string[]> {
  return (await app.ctx.store.audit.list({ releaseId }, 'asc')).map((e) => e.action);
}

describe('release services', () => {
  it('a request creates a release in evaluating, audited, with a candidate config of its own hash', async () => {
    const app = await setup();
    const out = await requestRelease(app.ctx, app.as('eli'), { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', reason: 'cheaper', source: 'cli' });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.value.key).toBe('REL-1');
    expect(out.value.state).toBe('evaluating');
    expect(out.value.candidateHash).toMatch(/^cfg_[0-9a-f]{12}$/);
    expect(out.value.candidateHash).not.toBe(out.value.baselineHash);
    expect(out.value.changes.model).toEqual({ from: 'gpt-4.1-2025-04-14', to: 'gpt-4.1-mini-2025-04-14' });
    expect(await auditActions(app, 1)).toEqual(['release_requested', 'evals_started']);
  });

  it('refuses a second open release, an unpriced model, a floating model, a prompt path and a non-member', async () => {
    const app = await setup();
    expect((await requestRelease(app.ctx, app.as('eli'), { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', source: 'cli' })).ok).toBe(true);
    const again = await requestRelease(app.ctx, app.as('eli'), { workflow: 'alpha', model: 'gpt-5-2025-08-07', source: 'cli' });
    expect(!again.ok && again.error).toMatchObject({ kind: 'state_conflict', rule: 'one_open_release' });
    const unpriced = await requestRelease(app.ctx, app.as('zed'), { workflow: 'beta', model: 'gpt-9-2030-01-01', source: 'cli' });
    expect(!unpriced.ok && unpriced.error).toMatchObject({ kind: 'invalid', rule: 'unpriced_model' });
    const path = await requestRelease(app.ctx, app.as('zed'), { workflow: 'beta', prompt: '../secrets', source: 'cli' });
    expect(!path.ok && path.error).toMatchObject({ kind: 'invalid', rule: 'prompt_name' });
    const outsider = await requestRelease(app.ctx, app.as('zed'), { workflow: 'alpha', model: 'gpt-5-2025-08-07', source: 'cli' });
    expect(!outsider.ok && outsider.error.kind).toBe('forbidden');
    const unknown = await requestRelease(app.ctx, { surface: 'slack' }, { workflow: 'beta', model: 'gpt-5-2025-08-07', source: 'slack' });
    expect(!unknown.ok && unknown.error.rule).toBe('unknown_user');
  });

  it('--prompt NAME takes a file from the prompts folder', async () => {
    const app = await setup();
    const out = await requestRelease(app.ctx, app.as('eli'), { workflow: 'alpha', prompt: 'alpha-v2', source: 'cli' });
    expect(out.ok && out.value.changes.prompt).toEqual({ from: 'alpha.md', to: 'alpha-v2.md' });
  });

  it('four-eyes: the requester may not approve; another approver may; the release goes to canary', async () => {
    const app = await setup();
    const r = await requestRelease(app.ctx, app.as('sam'), { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', source: 'cli' });
    if (!r.ok) throw new Error(r.error.message);
    expect((await gate(app, r.value.id, 'pass')).ok).toBe(true);
    const self = await performVerb(app.ctx, app.as('sam'), 'approve', 'REL-1');
    expect(!self.ok && self.error).toMatchObject({ kind: 'forbidden', rule: 'four_eyes' });
    const member = await performVerb(app.ctx, app.as('eli'), 'approve', 'REL-1');
    expect(!member.ok && member.error.rule).toBe('approver');
    const ok = await performVerb(app.ctx, app.as('kim'), 'approve', 'alpha');
    expect(ok.ok && ok.value.state).toBe('canary');
    expect(ok.ok && ok.sentence).toMatch(/canary at 5%/);
  });

  it('minApprovals 2 needs two distinct approvers; a second click by the same approver changes nothing', async () => {
    const app = await setup({ minApprovals: 2 });
    const r = await requestRelease(app.ctx, app.as('eli'), { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', source: 'cli' });
    if (!r.ok) throw new Error(r.error.message);
    await gate(app, r.value.id, 'pass');
    const first = await performVerb(app.ctx, app.as('sam'), 'approve', 'REL-1');
    expect(first.ok && first.value.state).toBe('awaiting_approval');
    expect(first.ok && first.sentence).toMatch(/1 more approver/);
    const twice = await performVerb(app.ctx, app.as('sam'), 'approve', 'REL-1');
    expect(!twice.ok && twice.error.rule).toBe('already_approved');
    const second = await performVerb(app.ctx, app.as('kim'), 'approve', 'REL-1');
    expect(second.ok && second.value.state).toBe('canary');
  });

  it('needs_cost_approval also needs a finance person other than the requester', async () => {
    const app = await setup();
    const r = await requestRelease(app.ctx, app.as('eli'), { workflow: 'alpha', model: 'gpt-5-2025-08-07', source: 'cli' });
    if (!r.ok) throw new Error(r.error.message);
    await gate(app, r.value.id, 'needs_cost_approval');
    const sam = await performVerb(app.ctx, app.as('sam'), 'approve', 'REL-1');
    expect(sam.ok && sam.value.state).toBe('awaiting_approval');
    expect(sam.ok && sam.sentence).toMatch(/finance/);
    const dana = await performVerb(app.ctx, app.as('dana'), 'approve', 'REL-1');
    expect(dana.ok && dana.value.state).toBe('canary');
  });

  it('promote walks the stages; completion makes the candidate stable; rollback after completion restores it', async () => {
    const app = await setup();
    const r = await requestRelease(app.ctx, app.as('eli'), { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', source: 'cli' });
    if (!r.ok) throw new Error(r.error.message);
    await gate(app, r.value.id, 'pass');
    await performVerb(app.ctx, app.as('dana'), 'approve', 'REL-1');
    const ramp = await performVerb(app.ctx, app.as('eli'), 'promote', 'alpha');
    expect(ramp.ok && ramp.value.state).toBe('ramp');
    const done = await performVerb(app.ctx, app.as('eli'), 'promote', 'REL-1');
    expect(done.ok && done.value.state).toBe('completed');
    expect((await app.ctx.store.workflows.get('alpha'))!.stableHash).toBe(r.value.candidateHash);
    app.clock.advance(5 * 86_400_000);
    const back = await performVerb(app.ctx, app.as('eli'), 'rollback', 'alpha', { reason: 'quality' });
    expect(back.ok && back.value.state).toBe('rolled_back');
    expect((await app.ctx.store.workflows.get('alpha'))!.stableHash).toBe(r.value.baselineHash);
    expect((await app.ctx.store.audit.verify()).ok).toBe(true);
  });

  it('cancel is for the requester or an admin, before traffic', async () => {
    const app = await setup();
    const r = await requestRelease(app.ctx, app.as('eli'), { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', source: 'cli' });
    if (!r.ok) throw new Error(r.error.message);
    const other = await performVerb(app.ctx, app.as('sam'), 'cancel', 'REL-1');
    expect(!other.ok && other.error.rule).toBe('requester_or_admin');
    const admin = await performVerb(app.ctx, app.as('ops'), 'cancel', 'REL-1');
    expect(admin.ok && admin.value.state).toBe('cancelled');
  });

  it('override is for admins with a reason and moves a failed gate on to approval', async () => {
    const app = await setup();
    const r = await requestRelease(app.ctx, app.as('eli'), { workflow: 'alpha', model: 'gpt-4.1-nano-2025-04-14', source: 'cli' });
    if (!r.ok) throw new Error(r.error.message);
    await gate(app, r.value.id, 'fail');
    expect((await app.ctx.store.releases.get(1))!.state).toBe('gate_failed');
    const member = await performVerb(app.ctx, app.as('eli'), 'override', 'REL-1', { reason: 'x' });
    expect(!member.ok && member.error.rule).toBe('admin');
    const noReason = await performVerb(app.ctx, app.as('ops'), 'override', 'REL-1');
    expect(!noReason.ok && noReason.error.rule).toBe('reason_required');
    const ok = await performVerb(app.ctx, app.as('ops'), 'override', 'REL-1', { reason: 'known flaky case' });
    expect(ok.ok && ok.value.state).toBe('awaiting_approval');
    expect((await app.ctx.store.releases.get(1))!.overrideReason).toBe('known flaky case');
  });

  it('a refused verb changes nothing: no state change, no audit event', async () => {
    const app = await setup();
    const r = await requestRelease(app.ctx, app.as('eli'), { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', source: 'cli' });
    if (!r.ok) throw new Error(r.error.message);
    const before = (await app.ctx.store.audit.list({})).length;
    const bad = await performVerb(app.ctx, app.as('eli'), 'promote', 'REL-1');
    expect(!bad.ok && bad.error.kind).toBe('state_conflict');
    expect((await app.ctx.store.audit.list({})).length).toBe(before);
    expect((await app.ctx.store.releases.get(1))!.state).toBe('evaluating');
  });

  it('transitions checked against a stale state are refused', async () => {
    const app = await setup();
    const r = await requestRelease(app.ctx, app.as('eli'), { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', source: 'cli' });
    if (!r.ok) throw new Error(r.error.message);
    const stale = await applyTransition(app.ctx, r.value.id, 'gate_passed', 'gate', {}, 'requested');
    expect(!stale.ok && stale.error.kind).toBe('state_conflict');
  });

  it('two people clicking the same card make one transition: a stale card is refused', async () => {
    const app = await setup();
    const r = await requestRelease(app.ctx, app.as('eli'), { workflow: 'alpha', model: 'gpt-4.1-mini-2025-04-14', source: 'cli' });
    if (!r.ok) throw new Error(r.error.message);
    await gate(app, r.value.id, 'pass');
    await performVerb(app.ctx, app.as('dana'), 'approve', 'REL-1');
    const shown = 'canary:0';
    const first = await performVerb(app.ctx, app.as('eli'), 'promote', 'REL-1', { expect: shown });
    expect(first.ok && first.value.state).toBe('ramp');
    const second = await performVerb(app.ctx, app.as('sam'), 'promote', 'REL-1', { expect: shown });
    expect(!second.ok && second.error).toMatchObject({ kind: 'state_conflict', rule: 'stale_card' });
    expect((await app.ctx.store.releases.get(1))!.state).toBe('ramp');
  });
});
