/**
 * Buttons a person may not use are not shown to them: one person's view (an ephemeral, a 1:1, the
 * console, the CLI) keeps only their buttons; a channel's card keeps every button and says who may
 * click which.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { forChannel, forPerson } from '../../src/chat/audience.ts';
import { execute, releaseCardOf } from '../../src/chat/executor.ts';
import { renderBlockKit } from '../../src/chat/render/blockkit.ts';
import { renderText } from '../../src/chat/render/text.ts';
import { applyTransition } from '../../src/services/releases.ts';
import { openTestApp } from '../helpers/harness.ts';
import { rmSync } from 'node:fs';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function failedGate() {
  const app = await openTestApp();
  cleanup = async () => {
    await app.close();
    rmSync(app.dir, { recursive: true, force: true });
  };
  const { ctx } = app;
  const people = ctx.config.people;
  const out = await execute(ctx, { person: people.eli, surface: 'cli' }, { verb: 'request', workflow: 'support-triage', model: 'gpt-4.1-mini-2025-04-14', params: {} });
  expect(out.exitCode).toBe(0);
  const id = out.release!.id;
  await ctx.store.releases.setVerdict(id, { outcome: 'fail', summary: 'Gate failed on minPassRate', rows: [] }, 'fail', ctx.now());
  expect((await applyTransition(ctx, id, 'gate_failed', 'gate', { outcome: 'fail' }, 'evaluating')).ok).toBe(true);
  return { ctx, card: await releaseCardOf(ctx, (await ctx.store.releases.get(id))!) };
}

const ids = (c: { actions?: { id: string }[] }) => (c.actions ?? []).map((a) => a.id);

describe('who sees which buttons', () => {
  it('a gate-failed release: Override only for admins; Cancel for the requester and admins; Re-run evals for the team', async () => {
    const { ctx, card } = await failedGate();
    const p = ctx.config.people;
    expect(ids(card)).toEqual(['evals', 'override', 'cancel']);
    expect(ids(await forPerson(ctx, card, p.eli))).toEqual(['evals', 'cancel']);
    expect(ids(await forPerson(ctx, card, p.ops))).toEqual(['evals', 'override', 'cancel']);
    expect(ids(await forPerson(ctx, card, p.dana))).toEqual(['evals']);
    expect(ids(await forPerson(ctx, card, p.priya))).toEqual([]);
    expect(ids(await forPerson(ctx, card, undefined))).toEqual([]);
    // The CLI prints the commands a person may run, and only those.
    expect(renderText(await forPerson(ctx, card, p.eli))).not.toContain('override');
  });

  it('the channel card keeps every button and says who may click each', async () => {
    const { ctx, card } = await failedGate();
    const shared = await forChannel(ctx, card);
    expect(ids(shared)).toEqual(['evals', 'override', 'cancel']);
    const line = JSON.stringify(renderBlockKit(shared).blocks);
    expect(line).toMatch(/May click: [^"]*Override — ops/);
    expect(line).toMatch(/Cancel — eli, ops/);
  });
});
