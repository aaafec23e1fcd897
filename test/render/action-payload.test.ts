import { describe, expect, it } from 'vitest';
import { decodeActionValue, encodeActionValue, withReason } from '../../src/chat/render/action-payload.ts';
import { parseCommand } from '../../src/core/grammar.ts';
import { releaseCard } from './release-card.ts';

describe('action payloads', () => {
  it('round-trips every action of a release card', () => {
    for (const action of releaseCard().actions ?? []) {
      const decoded = decodeActionValue(encodeActionValue(action));
      expect(decoded?.command).toBe(action.command);
      expect(decoded?.actionId).toBe(action.id);
      expect(decoded?.input).toEqual(action.input ? { name: 'reason', required: action.input.required } : undefined);
    }
  });

  it('is compact JSON well under Slack’s 2000-char button value', () => {
    const reject = releaseCard().actions![1];
    const value = encodeActionValue(reject);
    expect(JSON.parse(value)).toEqual({ c: 'reject REL-3', i: 'reject', n: 'reason', r: true });
    expect(value.length).toBeLessThan(100);
  });

  it('returns null for anything that is not an action payload, without throwing', () => {
    const garbage = [
      '',
      'approve REL-3',
      '{',
      'null',
      '[]',
      '42',
      '"approve REL-3"',
      '{"c":1,"i":"approve"}',
      '{"c":"approve REL-3"}',
      '{"c":"  ","i":"approve"}',
      '{"c":"reject REL-3","i":"reject","n":"comment"}',
      '{"c":"reject REL-3","i":"reject","n":"reason","r":"yes"}',
    ];
    for (const value of garbage) expect(decodeActionValue(value)).toBeNull();
    expect(decodeActionValue(undefined as unknown as string)).toBeNull();
  });

  it('appends a reason the command grammar reads back exactly', () => {
    const reasons = [
      'cost too high',
      'he said "no way"',
      'typographic \u201Cquotes\u201D and don\u2019t',
      'path C:\\temp\\new and a trailing backslash \\',
      '\\"already escaped\\"',
      'line one\nline two',
      '--reason inside',
      "it's 'single' quoted",
    ];
    for (const reason of reasons) {
      expect(parseCommand(withReason('reject REL-3', reason))).toEqual({
        ok: true,
        command: { verb: 'reject', target: 'REL-3', reason },
      });
      expect(parseCommand(withReason('rollback support-triage', reason))).toEqual({
        ok: true,
        command: { verb: 'rollback', target: 'support-triage', reason },
      });
    }
  });

  it('adds nothing for a blank reason', () => {
    expect(withReason('reject REL-3', '   ')).toBe('reject REL-3');
  });
});
