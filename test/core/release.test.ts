import { describe, expect, it } from 'vitest';
import type { ReleasePosition, ReleaseState, TransitionEvent } from '../../src/core/release.ts';
import { candidateWeight, RELEASE_STATES, stageLabel, transition } from '../../src/core/release.ts';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const DAY = 86_400_000;
const stages = [5, 25, 100];

function pos(state: ReleaseState, stageIndex = -1, extra: Partial<ReleasePosition> = {}): ReleasePosition {
  return { id: 'REL-1', state, stageIndex, stages, pausedState: null, completedAt: null, ...extra };
}

// Every (state, event) pair the contract allows, with where it leads.
const ALLOWED: [ReleaseState, TransitionEvent, ReleaseState][] = [
  ['requested', 'start_evals', 'evaluating'],
  ['gate_failed', 'start_evals', 'evaluating'],
  ['evaluating', 'gate_passed', 'awaiting_approval'],
  ['evaluating', 'gate_failed', 'gate_failed'],
  ['awaiting_approval', 'gate_failed', 'gate_failed'],
  ['gate_failed', 'override', 'awaiting_approval'],
  ['awaiting_approval', 'approved', 'canary'],
  ['awaiting_approval', 'reject', 'rejected'],
  ['canary', 'promote', 'ramp'],
  ['ramp', 'promote', 'completed'],
  ['canary', 'pause', 'paused'],
  ['ramp', 'pause', 'paused'],
  ['paused', 'resume', 'canary'],
  ['canary', 'rollback', 'rolled_back'],
  ['ramp', 'rollback', 'rolled_back'],
  ['paused', 'rollback', 'rolled_back'],
  ['completed', 'rollback', 'rolled_back'],
  ['requested', 'cancel', 'cancelled'],
  ['evaluating', 'cancel', 'cancelled'],
  ['gate_failed', 'cancel', 'cancelled'],
  ['awaiting_approval', 'cancel', 'cancelled'],
];

const EVENTS: TransitionEvent[] = ['start_evals', 'gate_passed', 'gate_failed', 'override', 'approved', 'reject', 'promote', 'pause', 'resume', 'rollback', 'cancel'];

function positionFor(state: ReleaseState): ReleasePosition {
  if (state === 'canary') return pos('canary', 0);
  if (state === 'ramp') return pos('ramp', 1);
  if (state === 'paused') return pos('paused', 0, { pausedState: 'canary' });
  if (state === 'completed') return pos('completed', 2, { completedAt: NOW - DAY });
  return pos(state);
}

describe('release state machine', () => {
  it.each(ALLOWED)('%s --%s--> %s', (from, event, to) => {
    const t = transition(positionFor(from), event, NOW);
    expect(t.ok).toBe(true);
    if (t.ok) {
      expect(t.state).toBe(to);
      expect(t.sentence).toMatch(/REL-1/);
    }
  });

  it('refuses every other (state, event) pair, naming the rule and the state', () => {
    let refused = 0;
    for (const state of RELEASE_STATES) {
      for (const event of EVENTS) {
        if (ALLOWED.some(([f, e]) => f === state && e === event)) continue;
        const t = transition(positionFor(state), event, NOW);
        expect(t.ok, `${state} --${event}`).toBe(false);
        if (!t.ok) {
          expect(t.rule).toBeTruthy();
          expect(t.message).toMatch(/REL-1/);
        }
        refused++;
      }
    }
    expect(refused).toBe(RELEASE_STATES.length * EVENTS.length - ALLOWED.length);
  });

  it('walks stages: canary 5% -> ramp 1 of 1 at 25% -> completed', () => {
    const a = transition(pos('awaiting_approval'), 'approved', NOW);
    expect(a.ok && a.state === 'canary' && a.stageIndex === 0).toBe(true);
    const b = transition(pos('canary', 0), 'promote', NOW);
    expect(b.ok && b.state === 'ramp' && b.stageIndex === 1).toBe(true);
    expect(stageLabel(stages, 1)).toBe('ramp 1 of 1 at 25%');
    expect(stageLabel(stages, 0)).toBe('canary at 5%');
    const c = transition(pos('ramp', 1), 'promote', NOW);
    expect(c.ok && c.state === 'completed' && c.stageIndex === 2).toBe(true);
  });

  it('[10, 100] has no ramp: promote from canary completes', () => {
    const t = transition({ ...pos('canary', 0), stages: [10, 100] }, 'promote', NOW);
    expect(t.ok && t.state).toBe('completed');
  });

  it('paused gets 0% and resume restores the stage it had', () => {
    expect(candidateWeight({ state: 'paused', stageIndex: 1, stages })).toBe(0);
    expect(candidateWeight({ state: 'ramp', stageIndex: 1, stages })).toBe(25);
    const p = transition(pos('ramp', 1), 'pause', NOW);
    expect(p.ok && p.state === 'paused' && p.pausedState === 'ramp').toBe(true);
    const r = transition(pos('paused', 1, { pausedState: 'ramp' }), 'resume', NOW);
    expect(r.ok && r.state === 'ramp' && r.stageIndex === 1).toBe(true);
  });

  it('rollback after completion only within 30 days', () => {
    expect(transition(pos('completed', 2, { completedAt: NOW - 29 * DAY }), 'rollback', NOW).ok).toBe(true);
    const late = transition(pos('completed', 2, { completedAt: NOW - 31 * DAY }), 'rollback', NOW);
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.rule).toBe('rollback_window');
  });

  it('promote while paused says to resume first', () => {
    const t = transition(pos('paused', 0, { pausedState: 'canary' }), 'promote', NOW);
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.message).toMatch(/resume/);
  });
});
