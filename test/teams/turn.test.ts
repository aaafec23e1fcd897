/** The turn logic without the SDK: an Action.Submit click updates the clicked card in place, once. */
import { afterEach, describe, expect, it } from 'vitest';
import { handleActivity, type TurnReplies } from '../../src/chat/teams/turn.ts';
import type { IncomingActivity, OutgoingActivity } from '../../src/chat/teams/translate.ts';
import { encodeActionValue } from '../../src/chat/render/action-payload.ts';
import { applyTransition } from '../../src/services/releases.ts';
import { requestRelease } from '../../src/services/request.ts';
import { createLogger } from '../../src/server/log.ts';
import { openTestApp } from '../helpers/harness.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

function replies() {
  const sent: OutgoingActivity[] = [];
  const updated: { id: string; activity: OutgoingActivity }[] = [];
  const r: TurnReplies = {
    send: async (a) => {
      sent.push(a);
      return `reply-${sent.length}`;
    },
    update: async (id, activity) => void updated.push({ id, activity }),
  };
  return { r, sent, updated };
}

const DANA = '6f1c2d3e-0000-4000-8000-00000000da7a';

describe('Teams turn (SDK-independent)', () => {
  it('an Action.Submit approve from an approver updates the clicked card; the same submit again changes nothing', async () => {
    const app = await openTestApp();
    close = app.close;
    const ctx = app.ctx;
    const req = await requestRelease(ctx, { person: ctx.config.people.eli, surface: 'cli' }, { workflow: 'support-triage', model: 'gpt-4.1-mini-2025-04-14', params: {}, source: 'cli' });
    if (!req.ok) throw new Error(req.error.message);
    await ctx.store.releases.setVerdict(req.value.id, { outcome: 'pass', rows: [] }, 'pass', ctx.now());
    expect((await applyTransition(ctx, req.value.id, 'gate_passed', 'gate', {}, 'evaluating')).ok).toBe(true);

    const submit: IncomingActivity = {
      type: 'message',
      id: 'submit-1',
      replyToId: 'card-1',
      value: { air: encodeActionValue({ id: 'approve', label: 'Approve', command: `approve ${req.value.key}` }) },
      from: { id: '29:dana', aadObjectId: DANA },
      recipient: { id: '28:bot' },
      conversation: { id: 'a:dana', conversationType: 'personal' },
      serviceUrl: 'https://smba.example/',
      channelId: 'msteams',
    };
    const deps = { ctx, log: createLogger('error', () => {}), local: false };
    const first = replies();
    await handleActivity(deps, submit, first.r);
    expect((await ctx.store.releases.get(req.value.id))!.state).toBe('canary');
    expect(first.sent).toEqual([]);
    expect(first.updated).toHaveLength(1);
    expect(first.updated[0]!.id).toBe('card-1');
    expect(JSON.stringify(first.updated[0]!.activity)).toMatch(/canary/);

    const again = replies();
    await handleActivity(deps, submit, again.r);
    const approvals = { n: (await ctx.store.audit.list({ releaseId: req.value.id })).filter((e) => e.action === 'release_approved').length };
    expect(approvals.n).toBe(1);
  });

  it('a message from someone unknown still gets help, and their click is refused naming the rule', async () => {
    const app = await openTestApp();
    close = app.close;
    const deps = { ctx: app.ctx, log: createLogger('error', () => {}), local: false };
    const base = { from: { id: '29:x', aadObjectId: '00000000-0000-4000-8000-000000000000' }, recipient: { id: '28:bot' }, conversation: { id: 'a:x', conversationType: 'personal' }, serviceUrl: 'https://smba.example/', channelId: 'msteams' };
    const help = replies();
    await handleActivity(deps, { ...base, type: 'message', id: 'm-1', text: '' }, help.r);
    expect(JSON.stringify(help.sent[0])).toMatch(/ai-release help/);
    const out = await handleActivity(
      deps,
      { ...base, type: 'invoke', name: 'adaptiveCard/action', id: 'i-1', replyToId: 'c-1', value: { action: { verb: 'air', data: { air: encodeActionValue({ id: 'promote', label: 'Promote', command: 'promote support-triage' }) } } } },
      replies().r,
    );
    expect(out.invoke?.statusCode).toBe(200);
    expect(JSON.stringify(out.invoke?.value)).toMatch(/Refused|rule/);
  });
});
