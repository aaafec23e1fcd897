/** The SDK-independent protocol layer: activities in, commands and Adaptive Card payloads out. */
import { describe, expect, it } from 'vitest';
import { encodeActionValue } from '../../src/chat/render/action-payload.ts';
import {
  botWasAdded,
  channelOf,
  clickedAction,
  commandText,
  invokeResponse,
  referenceOf,
  threadOf,
  type IncomingActivity,
} from '../../src/chat/teams/translate.ts';
import { parseCommand } from '../../src/core/grammar.ts';
import { refusalCard } from '../../src/core/views/common.ts';
import { teamsModeFromEnv } from '../../src/chat/teams/mode.ts';

const bot = { id: '28:bot', name: 'ai-release' };
const msg = (text: string, extra: Partial<IncomingActivity> = {}): IncomingActivity => ({
  type: 'message',
  id: '1',
  text,
  recipient: bot,
  from: { id: '29:u', aadObjectId: 'aad-1' },
  conversation: { id: '19:c@thread.tacv2;messageid=42', conversationType: 'channel', tenantId: 't-1' },
  serviceUrl: 'https://smba.example/amer/',
  channelId: 'msteams',
  ...extra,
});

describe('commandText', () => {
  it('strips the bot mention named by the entities and leaves the grammar intact', () => {
    const a = msg('<at>ai-release</at> promote support-triage', { entities: [{ type: 'mention', text: '<at>ai-release</at>', mentioned: bot }] });
    expect(commandText(a)).toBe('promote support-triage');
    expect(parseCommand(commandText(a))).toEqual({ ok: true, command: { verb: 'promote', target: 'support-triage' } });
  });

  it('keeps a quoted reason with Teams non-breaking spaces and entities normalised', () => {
    const a = msg('<at>ai-release</at>&nbsp;reject REL-3 --reason "cost &amp; latency"', { entities: [{ type: 'mention', text: '<at>ai-release</at>', mentioned: bot }] });
    expect(commandText(a)).toBe('reject REL-3 --reason "cost & latency"');
  });

  it('strips a leading mention without entities (Emulator) and keeps other people\'s names', () => {
    expect(commandText(msg('<at>AI Release</at> status'))).toBe('status');
    const a = msg('<at>ai-release</at> help <at>Dana</at>', {
      entities: [
        { type: 'mention', text: '<at>ai-release</at>', mentioned: bot },
        { type: 'mention', text: '<at>Dana</at>', mentioned: { id: '29:dana' } },
      ],
    });
    expect(commandText(a)).toBe('help Dana');
  });

  it('a 1:1 message without a mention is the command as typed', () => {
    expect(commandText(msg('  spend --days 3 '))).toBe('spend --days 3');
  });
});

describe('clickedAction', () => {
  const approve = encodeActionValue({ id: 'approve', label: 'Approve', command: 'approve REL-3' });
  const reject = encodeActionValue({ id: 'reject', label: 'Reject', command: 'reject REL-3', input: { name: 'reason', label: 'Why?', required: false } });
  const override = encodeActionValue({ id: 'override', label: 'Override', command: 'override REL-3', input: { name: 'reason', label: 'Why?', required: true } });
  const invoke = (data: unknown, verb = 'air'): IncomingActivity => ({ ...msg(''), type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } });

  it('reads an Action.Execute invoke and appends the typed reason in the grammar', () => {
    expect(clickedAction(invoke({ air: approve }))).toEqual({ ok: true, command: 'approve REL-3', actionId: 'approve' });
    const r = clickedAction(invoke({ air: reject, reason: 'p95 "too" high' }));
    expect(r).toEqual({ ok: true, command: 'reject REL-3 --reason "p95 \\"too\\" high"', actionId: 'reject' });
    expect(parseCommand((r as { command: string }).command)).toEqual({ ok: true, command: { verb: 'reject', target: 'REL-3', reason: 'p95 "too" high' } });
  });

  it('reads an Action.Submit message (value.air)', () => {
    expect(clickedAction({ ...msg(''), value: { air: approve } })).toEqual({ ok: true, command: 'approve REL-3', actionId: 'approve' });
  });

  it('refuses a required reason left blank, a foreign verb and a payload that is not ours', () => {
    expect(clickedAction(invoke({ air: override, reason: '  ' }))).toEqual({ ok: false, message: 'override REL-3 needs a reason' });
    expect(clickedAction(invoke({ air: approve }, 'other'))?.ok).toBe(false);
    expect(clickedAction(invoke({ air: '{nope' }))?.ok).toBe(false);
    expect(clickedAction(msg('status'))).toBeNull();
  });
});

describe('conversations', () => {
  it('keeps a channel reference for the channel, not the thread', () => {
    const ref = referenceOf(msg('x'))!;
    expect(ref.conversation.id).toBe('19:c@thread.tacv2');
    expect(ref.conversation.tenantId).toBe('t-1');
    expect(ref.bot.id).toBe('28:bot');
    expect(referenceOf(msg('x'), { thread: true })!.conversation.id).toBe('19:c@thread.tacv2;messageid=42');
    expect(channelOf('19:c@thread.tacv2;messageid=42')).toBe('19:c@thread.tacv2');
    expect(threadOf('19:c@thread.tacv2', '99')).toBe('19:c@thread.tacv2;messageid=99');
  });

  it('recognises the bot being added, not someone else', () => {
    const up = (ids: string[]): IncomingActivity => ({ ...msg(''), type: 'conversationUpdate', membersAdded: ids.map((id) => ({ id })) });
    expect(botWasAdded(up(['29:x', '28:bot']))).toBe(true);
    expect(botWasAdded(up(['29:x']))).toBe(false);
  });

  it('answers an invoke with the Universal Actions card response shape', () => {
    const r = invokeResponse(refusalCard('approve is for approvers', 'approver'));
    expect(r.statusCode).toBe(200);
    expect(r.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(r.value.type).toBe('AdaptiveCard');
    expect(JSON.stringify(r.value)).toContain('rule: approver');
  });
});

describe('teamsModeFromEnv', () => {
  const guid = '0b5f3c1e-1111-4000-8000-000000000abc';
  it('is off, local or authenticated', () => {
    expect(teamsModeFromEnv({})).toEqual({ ok: true, mode: { kind: 'off' } });
    expect(teamsModeFromEnv({ TEAMS_LOCAL: 'true' })).toEqual({ ok: true, mode: { kind: 'local' } });
    expect(teamsModeFromEnv({ MICROSOFT_APP_ID: guid, MICROSOFT_APP_PASSWORD: 's', TEAMS_LOCAL: 'true' })).toEqual({
      ok: true,
      mode: { kind: 'authenticated', auth: { appId: guid, password: 's', tenantId: undefined, appType: 'MultiTenant' } },
    });
  });
  it('names every problem with the variables', () => {
    const r = teamsModeFromEnv({ MICROSOFT_APP_ID: 'my-bot', MICROSOFT_APP_TYPE: 'SingleTenant' });
    expect(r.ok).toBe(false);
    const text = !r.ok ? r.problems.join('\n') : '';
    expect(text).toMatch(/MICROSOFT_APP_ID must be .*GUID/);
    expect(text).toMatch(/MICROSOFT_APP_PASSWORD is required/);
    expect(text).toMatch(/MICROSOFT_APP_TENANT_ID is required when MICROSOFT_APP_TYPE is SingleTenant/);
    expect(teamsModeFromEnv({ MICROSOFT_APP_ID: guid, MICROSOFT_APP_TYPE: 'Global' }).ok).toBe(false);
  });
});
