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
  /** Context line: small, muted (who did what, when); `link` is rendered as a link after the text. */
  | { type: 'context'; text: string; link?: CardLink }
  | { type: 'divider' }
  /**
   * One pick among options, each running a command as the person who picks it (a human-review vote
   * on one pair). Chat shows the options as buttons beside what they are about; Teams as one
   * choice set per item, sent together by the card's `submit` action.
   */
  | { type: 'choice'; id: string; label: string; options: CardChoiceOption[]; mayClick?: string[] };

export interface CardChoiceOption {
  label: string;
  command: string;
  style?: 'primary' | 'danger';
}

/** A link to a page of the web console: `path` is the console's (e.g. "/receipts?workflow=x"). */
export interface CardLink {
  label: string;
  path: string;
}

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
  /**
   * The people (config names) this action is for. A view for one person shows only the actions they
   * may use; a card everybody in a channel sees says who may click. Unset: anyone who sees it.
   */
  mayClick?: string[];
  /** Sends the picks of the card's `choice` blocks (Teams), then runs `command` to show the card again. */
  submit?: 'choices';
}

/**
 * A card that lists more than a message can hold: the items are a table's rows or runs of blocks.
 * Surfaces with a size budget show the first items that fit, say how many are left, and add a
 * "Next page" action: `command` with `--from <cursor of the first item not shown>`.
 */
export interface CardPaging {
  /** What the items are, plural ("receipts", "workflows", "events", "pairs"). */
  noun: string;
  /** The tables whose rows are the items (block indexes; parallel tables have a row per item each), or */
  tables?: number[];
  /** the runs of blocks that are the items: [first, end) block indexes. */
  groups?: [number, number][];
  /** Per item: the cursor a page starting at it is asked for with. */
  cursors: string[];
  /** The command that showed this list, without `--from` and `--limit`. */
  command: string;
  /** The items the command was asked for from this page on (`--limit`); a next page asks for the rest. */
  limit?: number;
  /** Items before this page (from earlier pages). */
  offset?: number;
  /** Items in the whole list, when known. */
  total?: number;
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
  /** The console page that shows everything this card is about (where a cut card links to). */
  console?: string;
  paging?: CardPaging;
}

/** Plain text of a markdown-subset string (for fallbacks and the terminal). */
export function plainText(text: string): string {
  return text.replace(/\*\*(.+?)\*\*/g, '$1').replace(/`([^`]+)`/g, '$1');
}
