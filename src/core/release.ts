/**
 * The release state machine (contract: "Release states"), pure. A transition returns the new
 * state and the sentence that explains it, or a refusal naming its rule — like Argo Rollouts'
 * conditions with a reason and a message.
 */

export const RELEASE_STATES = [
  'requested',
  'evaluating',
  'gate_failed',
  'awaiting_approval',
  'canary',
  'ramp',
  'paused',
  'completed',
  'rolled_back',
  'rejected',
  'cancelled',
] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];

export const OPEN_STATES: readonly ReleaseState[] = [
  'requested',
  'evaluating',
  'gate_failed',
  'awaiting_approval',
  'canary',
  'ramp',
  'paused',
];
export const TRAFFIC_STATES: readonly ReleaseState[] = ['canary', 'ramp'];

export function isOpen(state: ReleaseState): boolean {
  return OPEN_STATES.includes(state);
}

/** Completed releases can be rolled back within this many days. */
export const ROLLBACK_WINDOW_DAYS = 30;

export interface ReleasePosition {
  id: string;
  state: ReleaseState;
  /** Index into `stages` while the release takes traffic (or held while paused); -1 before. */
  stageIndex: number;
  stages: readonly number[];
  /** The state a paused release resumes to. */
  pausedState?: 'canary' | 'ramp' | null;
  /** When the release completed (ms), for the rollback window. */
  completedAt?: number | null;
}

export type TransitionEvent =
  | 'start_evals'
  | 'gate_passed'
  | 'gate_failed'
  | 'override'
  | 'approved'
  | 'reject'
  | 'promote'
  | 'pause'
  | 'resume'
  | 'rollback'
  | 'cancel';

export interface Moved {
  ok: true;
  state: ReleaseState;
  stageIndex: number;
  pausedState: 'canary' | 'ramp' | null;
  sentence: string;
}
export interface Refused {
  ok: false;
  rule: string;
  message: string;
}
export type TransitionResult = Moved | Refused;

/** "canary at 5%", "ramp 1 of 2 at 25%", "full at 100%". */
export function stageLabel(stages: readonly number[], index: number): string {
  const pct = stages[index];
  if (index < 0 || pct === undefined) return 'no traffic';
  if (pct >= 100 || index === stages.length - 1) return `full at ${pct}%`;
  if (index === 0) return `canary at ${pct}%`;
  return `ramp ${index} of ${stages.length - 2} at ${pct}%`;
}

/** The state of a release taking traffic at stage `index`. */
export function stateForStage(stages: readonly number[], index: number): ReleaseState {
  if (index >= stages.length - 1) return 'completed';
  return index === 0 ? 'canary' : 'ramp';
}

/** The candidate's share of traffic (percent) in a given position. */
export function candidateWeight(p: Pick<ReleasePosition, 'state' | 'stageIndex' | 'stages'>): number {
  if (p.state === 'canary' || p.state === 'ramp') return p.stages[p.stageIndex] ?? 0;
  return 0;
}

const refuse = (rule: string, message: string): Refused => ({ ok: false, rule, message });

function moved(state: ReleaseState, stageIndex: number, sentence: string, pausedState: 'canary' | 'ramp' | null = null): Moved {
  return { ok: true, state, stageIndex, pausedState, sentence };
}

const describe = (s: ReleaseState): string => s.replace(/_/g, ' ');

export function transition(r: ReleasePosition, event: TransitionEvent, now: number): TransitionResult {
  const from = r.state;
  const notFrom = (verb: string) =>
    refuse('state', `${r.id} is ${describe(from)}: ${verb} is not allowed from that state`);

  switch (event) {
    case 'start_evals':
      if (from === 'evaluating') return refuse('state', `${r.id} is already being evaluated`);
      if (from === 'requested' || from === 'gate_failed')
        return moved('evaluating', -1, `${r.id} is being evaluated against the live baseline`);
      return notFrom('evals');

    case 'gate_passed':
      if (from !== 'evaluating') return notFrom('a gate result');
      return moved('awaiting_approval', -1, `${r.id} passed its gate and awaits approval`);

    case 'gate_failed':
      // From awaiting_approval: human review voted the candidate worse on most pairs.
      if (from === 'awaiting_approval') return moved('gate_failed', -1, `${r.id} failed its gate: human review voted the candidate worse`);
      if (from !== 'evaluating') return notFrom('a gate result');
      return moved('gate_failed', -1, `${r.id} failed its gate`);

    case 'override':
      if (from !== 'gate_failed') return notFrom('override');
      return moved('awaiting_approval', -1, `${r.id}'s failed gate was overridden; it awaits approval`);

    case 'approved': {
      if (from !== 'awaiting_approval') return notFrom('approve');
      const next = stateForStage(r.stages, 0);
      return moved(next, 0, `${r.id} was approved and is live: ${stageLabel(r.stages, 0)}`);
    }

    case 'reject':
      if (from !== 'awaiting_approval') return notFrom('reject');
      return moved('rejected', -1, `${r.id} was rejected`);

    case 'promote': {
      if (from === 'paused') return refuse('state', `${r.id} is paused: resume it before promoting`);
      if (from !== 'canary' && from !== 'ramp') return notFrom('promote');
      const index = r.stageIndex + 1;
      const next = stateForStage(r.stages, index);
      if (next === 'completed') return moved('completed', index, `${r.id} is complete: the candidate serves 100% and is the new stable config`);
      return moved(next, index, `${r.id} was promoted to ${stageLabel(r.stages, index)}`);
    }

    case 'pause':
      if (from !== 'canary' && from !== 'ramp') return notFrom('pause');
      return moved('paused', r.stageIndex, `${r.id} is paused: the candidate gets 0% until resumed`, from);

    case 'resume': {
      if (from !== 'paused') return notFrom('resume');
      const back = r.pausedState ?? stateForStage(r.stages, r.stageIndex);
      return moved(back, r.stageIndex, `${r.id} resumed at ${stageLabel(r.stages, r.stageIndex)}`);
    }

    case 'rollback':
      if (from === 'canary' || from === 'ramp' || from === 'paused')
        return moved('rolled_back', r.stageIndex, `${r.id} was rolled back: the candidate gets 0% and the stable config serves all traffic`);
      if (from === 'completed') {
        const at = r.completedAt ?? 0;
        if (now - at > ROLLBACK_WINDOW_DAYS * 86_400_000)
          return refuse('rollback_window', `${r.id} completed more than ${ROLLBACK_WINDOW_DAYS} days ago and can no longer be rolled back`);
        return moved('rolled_back', r.stageIndex, `${r.id} was rolled back: the previous stable config is restored`);
      }
      return notFrom('rollback');

    case 'cancel':
      if (from === 'requested' || from === 'evaluating' || from === 'gate_failed' || from === 'awaiting_approval')
        return moved('cancelled', -1, `${r.id} was cancelled`);
      return notFrom('cancel');
  }
}
