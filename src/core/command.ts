/**
 * The Command model: what the one grammar (Slack `/ai-release`, Teams mentions, the CLI and the
 * console's command box) parses text into. The parser lives in `grammar.ts`.
 */

export const VERBS = [
  'help',
  'status',
  'request',
  'evals',
  'approve',
  'reject',
  'promote',
  'rollback',
  'pause',
  'resume',
  'cancel',
  'override',
  'ack',
  'vote',
  'review',
  'spend',
  'receipts',
  'audit',
] as const;
export type Verb = (typeof VERBS)[number];

/** Verbs that act on a release (or a workflow standing for its open release). */
export const RELEASE_VERBS = [
  'evals',
  'approve',
  'reject',
  'promote',
  'rollback',
  'pause',
  'resume',
  'cancel',
  'override',
  'ack',
] as const;
export type ReleaseVerb = (typeof RELEASE_VERBS)[number];

/** A parameter value given with `--param k=v`: numbers and booleans are typed, the rest strings. */
export type ParamValue = string | number | boolean | null;

export type VoteChoice = 'candidate' | 'baseline' | 'tie';

export type Command =
  | { verb: 'help'; topic?: string }
  /** `from`: a later page of the list, starting at that workflow. */
  | { verb: 'status'; workflow?: string; from?: string }
  | {
      verb: 'request';
      workflow: string;
      model?: string;
      prompt?: string;
      params: Record<string, ParamValue>;
      reason?: string;
    }
  /** target: `REL-<n>` or a workflow name. */
  | { verb: 'evals'; target: string }
  | { verb: 'approve'; target: string }
  | { verb: 'reject'; target: string; reason?: string }
  | { verb: 'promote'; target: string }
  | { verb: 'rollback'; target: string; reason?: string }
  | { verb: 'pause'; target: string }
  | { verb: 'resume'; target: string }
  | { verb: 'cancel'; target: string }
  | { verb: 'override'; target: string; reason: string }
  | { verb: 'ack'; target: string }
  /** Human-review vote on one sampled pair: which output was better. */
  | { verb: 'vote'; target: string; pair: number; choice: VoteChoice }
  /** The human-review pairs of a release with their vote buttons, from pair `from` on. */
  | { verb: 'review'; target: string; from?: number }
  /** `from` (all three): a later page, starting at that workflow, receipt id or audit event number. */
  | { verb: 'spend'; team?: string; workflow?: string; days?: number; from?: string }
  | { verb: 'receipts'; workflow: string; limit?: number; from?: string }
  | { verb: 'audit'; target: string; limit?: number; from?: number };

export type ParseResult =
  | { ok: true; command: Command }
  /** `message` says what was wrong; `usage` is the verb's usage (or the verb list). */
  | { ok: false; verb?: Verb; message: string; usage: string };

export const RELEASE_ID_RE = /^REL-(\d+)$/i;
