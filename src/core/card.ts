/**
 * The one Card model. Every surface (Slack Block Kit, Teams Adaptive Cards, terminal text,
 * the web console's HTML, `--json`) renders these and nothing else.
 *
 * Text inside a card uses a small markdown subset that every renderer translates:
 *   **bold**, `code`, and plain line breaks. Nothing else is interpreted.
 */

export type CardTone = 'info' | 'success' | 'warning' | 'danger';

export type CardKind =
  | 'release' // release request / gate verdict / approvals
  | 'rollout' // stage, weight, live canary metrics
  | 'alert' // canary regression, budget, drift, reminders
  | 'review' // human-review pairs with votes
  | 'status' // workflows, live configs, governance checklist
  | 'spend' // spend and digests
  | 'list' // receipts, audit, releases
  | 'help'
  | 'result' // the outcome of a verb ("Approved REL-3")
  | 'error'; // refusals and usage errors

export interface CardField {
  label: string;
  value: string;
}

export type CardBlock =
  | { type: 'text'; text: string }
  | { type: 'fields'; fields: CardField[] }
  /** A table; `emphasis` lists row indexes to highlight (e.g. failing gate rules). */
  | { type: 'table'; columns: string[]; rows: string[][]; emphasis?: number[] }
  /** A before -> after change of one aspect of a release config. */
  | { type: 'diff'; label: string; before: string; after: string }
  | { type: 'code'; text: string }
  /** Context line: small, muted (who did what, when). */
  | { type: 'context'; text: string }
  | { type: 'divider' };

export interface CardAction {
  /** Stable id, unique within the card (e.g. "approve"). */
  id: string;
  label: string;
  style?: 'primary' | 'danger';
  /**
   * The command (in the one grammar) that clicking runs as the clicking person,
   * e.g. "approve REL-3". A reason typed into `input` is appended as `--reason "..."`.
   */
  command: string;
  /** Ask before running (e.g. Rollback). */
  confirm?: { title: string; text: string; confirm: string; deny: string };
  /** Ask for a reason first (Reject opens a modal / input). */
  input?: { name: 'reason'; label: string; required: boolean };
  /**
   * The position the card showed ("<state>:<stage index>"): a click on a card that has gone
   * stale (someone else moved the release meanwhile) is refused, so two clicks make one transition.
   */
  expect?: string;
}

export interface Card {
  kind: CardKind;
  title: string;
  tone?: CardTone;
  blocks: CardBlock[];
  actions?: CardAction[];
  /** What the card is about: lets surfaces update the message they posted for it. */
  ref?: { releaseId?: string; workflow?: string; team?: string };
  /**
   * Machine-readable facts behind the card, for programs reading `--json` (e.g. a gate verdict
   * in CI). Surfaces never render it.
   */
  data?: Record<string, unknown>;
}

/** Plain text of a markdown-subset string (for fallbacks and the terminal). */
export function plainText(text: string): string {
  return text.replace(/\*\*(.+?)\*\*/g, '$1').replace(/`([^`]+)`/g, '$1');
}
