/**
 * What a clicked card action carries back to us: a compact JSON string that fits in a Slack
 * button `value` (≤ 2000 chars), a modal's `private_metadata` and an Adaptive Card's `data`.
 * The command is the one grammar's text, run as the person who clicked.
 */
import type { CardAction } from '../../core/card.ts';

export interface DecodedAction {
  command: string;
  actionId: string;
  input?: { name: 'reason'; required: boolean };
  /** The release position the card showed when it was clicked (see CardAction.expect). */
  expect?: string;
  /** The card's choices are sent with it (CardAction.submit). */
  submit?: 'choices';
}

interface ActionWire {
  c: string;
  i: string;
  n?: 'reason';
  r?: boolean;
  e?: string;
  s?: 1;
}

export function encodeActionValue(action: Pick<CardAction, 'id' | 'command' | 'input' | 'expect' | 'submit'> & Partial<CardAction>): string {
  const wire: ActionWire = { c: action.command, i: action.id };
  if (action.input) {
    wire.n = action.input.name;
    wire.r = action.input.required;
  }
  if (action.expect) wire.e = action.expect;
  if (action.submit === 'choices') wire.s = 1;
  return JSON.stringify(wire);
}

/** The action a payload names, or null for anything that is not one of ours (never throws). */
export function decodeActionValue(value: string): DecodedAction | null {
  if (typeof value !== 'string' || value.length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const wire = parsed as Record<string, unknown>;
  if (typeof wire.c !== 'string' || wire.c.trim() === '') return null;
  if (typeof wire.i !== 'string' || wire.i === '') return null;
  const decoded: DecodedAction = { command: wire.c, actionId: wire.i };
  if (typeof wire.e === 'string' && wire.e !== '') decoded.expect = wire.e;
  if (wire.s === 1) decoded.submit = 'choices';
  if (wire.n !== undefined) {
    if (wire.n !== 'reason') return null;
    if (wire.r !== undefined && typeof wire.r !== 'boolean') return null;
    decoded.input = { name: 'reason', required: wire.r === true };
  }
  return decoded;
}

/**
 * `command --reason "<reason>"`, quoted for the grammar's tokenizer (double quotes, backslash
 * escapes for `\\` and the straight and typographic double quotes) so the reason reads back
 * exactly. A reason that itself looks like a flag is attached as `--reason="..."`. A blank reason
 * adds nothing.
 */
export function withReason(command: string, reason: string): string {
  if (reason.trim() === '') return command;
  const quoted = reason.replace(/[\\"\u201C\u201D]/g, (ch) => `\\${ch}`);
  return /^--[A-Za-z]/.test(reason) ? `${command} --reason="${quoted}"` : `${command} --reason "${quoted}"`;
}
