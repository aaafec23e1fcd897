/**
 * Card -> Microsoft Teams Adaptive Card 1.5, within the card budget (28,000 UTF-16 code units of
 * JSON, at most 5 top-level actions: `budget.ts`); a bigger card is fitted (`fit.ts`). Buttons
 * are `Action.Execute` (Universal Actions, verb `air`) falling back to `Action.Submit` with the
 * same data; the bot reads `data.air` (the encoded action), for Reject `data.reason` from the
 * `Input.Text`, and for a card of choices (review votes) each `air_choice_<id>` Input.ChoiceSet.
 */
import type { Card, CardAction, CardBlock, CardLink, CardTone } from '../../core/card.ts';
import { encodeActionValue } from './action-payload.ts';
import { TEAMS_CARD_UTF16, TEAMS_MAX_ACTIONS, teamsCardLength } from './budget.ts';
import { fitCard } from './fit.ts';

export type AdaptiveElement = Record<string, unknown>;

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: AdaptiveElement[];
  actions: AdaptiveElement[];
  msteams?: { width: 'Full' };
}

export interface AdaptiveOptions {
  /** Plain text shown instead of the actions once the decision is made. */
  done?: string;
  /** The console's base URL (PUBLIC_URL): cut notes link there; without it they name the page. */
  consoleUrl?: string;
  /** The budget in UTF-16 code units of JSON (default TEAMS_CARD_UTF16). */
  budget?: number;
}

export const ADAPTIVE_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
export const ADAPTIVE_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const ACTION_VERB = 'air';
export const REASON_INPUT_ID = 'reason';
/** Each choice block is an Input.ChoiceSet with this id prefix; the submit action sends them all. */
export const CHOICE_INPUT_PREFIX = 'air_choice_';

const TONE_COLOR: Record<CardTone, string> = {
  success: 'good',
  danger: 'attention',
  warning: 'warning',
  info: 'default',
};
const DIFF_MAX_LINES = 60;

export function renderAdaptiveCard(card: Card, opts: AdaptiveOptions = {}): AdaptiveCard {
  const budget = opts.budget ?? TEAMS_CARD_UTF16;
  const fitted = fitCard(card, (c) => {
    const cuts = { n: 0 };
    return teamsCardLength(rawCard(c, opts, cuts)) <= budget && cuts.n === 0;
  });
  return rawCard(fitted, opts, { n: 0 });
}

function rawCard(card: Card, opts: AdaptiveOptions, cuts: { n: number }): AdaptiveCard {
  const body: AdaptiveElement[] = [
    {
      type: 'TextBlock',
      text: adaptiveMarkdown(card.title),
      weight: 'bolder',
      size: 'medium',
      color: TONE_COLOR[card.tone ?? 'info'],
      wrap: true,
      style: 'heading',
    },
  ];
  let separate = false;
  for (const block of card.blocks) {
    if (block.type === 'divider') {
      separate = true;
      continue;
    }
    const element = adaptiveElement(block, opts, cuts);
    if (separate) element.separator = true;
    separate = false;
    body.push(element);
  }
  let actions: AdaptiveElement[] = [];
  if (opts.done !== undefined) {
    body.push({ type: 'TextBlock', text: opts.done, wrap: true, weight: 'bolder', separator: true });
  } else {
    const hasChoices = card.blocks.some((b) => b.type === 'choice');
    const all = (card.actions ?? []).filter((a) => a.submit === undefined || hasChoices).map(adaptiveAction);
    actions = all.slice(0, TEAMS_MAX_ACTIONS);
    // More than a card shows: the rest in rows of the body, none hidden.
    for (let i = TEAMS_MAX_ACTIONS; i < all.length; i += TEAMS_MAX_ACTIONS) body.push({ type: 'ActionSet', actions: all.slice(i, i + TEAMS_MAX_ACTIONS) });
  }
  return { type: 'AdaptiveCard', $schema: ADAPTIVE_SCHEMA, version: '1.5', body, actions, msteams: { width: 'Full' } };
}

/** The Bot Framework attachment carrying the card. */
export function adaptiveCardAttachment(
  card: Card,
  opts: AdaptiveOptions = {},
): { contentType: typeof ADAPTIVE_CONTENT_TYPE; content: AdaptiveCard } {
  return { contentType: ADAPTIVE_CONTENT_TYPE, content: renderAdaptiveCard(card, opts) };
}

function adaptiveElement(block: Exclude<CardBlock, { type: 'divider' }>, opts: AdaptiveOptions, cuts: { n: number }): AdaptiveElement {
  switch (block.type) {
    case 'text':
      return { type: 'TextBlock', text: adaptiveMarkdown(block.text), wrap: true };
    case 'fields':
      return {
        type: 'FactSet',
        facts: block.fields.map((f) => ({ title: adaptiveMarkdown(f.label), value: adaptiveMarkdown(f.value) })),
      };
    case 'table':
      return table(block.columns, block.rows, new Set(block.emphasis ?? []));
    case 'diff':
      return diff(block.label, block.before, block.after, cuts);
    case 'code':
      return { type: 'TextBlock', text: block.text, fontType: 'Monospace', wrap: true };
    case 'context':
      return {
        type: 'TextBlock',
        text: adaptiveMarkdown(block.text) + (block.link ? ` · ${linkMarkdown(block.link, opts.consoleUrl)}` : ''),
        isSubtle: true,
        size: 'small',
        wrap: true,
      };
    case 'choice':
      return {
        type: 'Input.ChoiceSet',
        id: `${CHOICE_INPUT_PREFIX}${block.id}`,
        label: adaptiveMarkdown(block.label),
        style: 'expanded',
        isMultiSelect: false,
        choices: block.options.map((o, i) => ({ title: o.label, value: encodeActionValue({ id: `${block.id}-${i}`, label: o.label, command: o.command }) })),
      };
  }
}

/** A console link as TextBlock markdown: `[label](url)` with a base URL, else the page's path. */
function linkMarkdown(link: CardLink, base?: string): string {
  if (base) return `[${link.label.replace(/[[\]]/g, '')}](${base.replace(/\/+$/, '')}${encodeURI(link.path).replace(/[()]/g, encodeURIComponent)})`;
  return `${link.label}: ${link.path}`;
}

function table(columns: string[], rows: string[][], emphasis: Set<number>): AdaptiveElement {
  const count = Math.max(columns.length, ...rows.map((r) => r.length));
  const cell = (text: string, extra: AdaptiveElement = {}) => ({
    type: 'TableCell',
    items: [{ type: 'TextBlock', text: adaptiveMarkdown(text), wrap: true, ...extra }],
  });
  const header = {
    type: 'TableRow',
    cells: Array.from({ length: count }, (_, i) => cell(columns[i] ?? '', { weight: 'bolder' })),
  };
  const bodyRows = rows.map((row, r) => {
    const emph = emphasis.has(r);
    return {
      type: 'TableRow',
      ...(emph ? { style: 'attention' } : {}),
      cells: Array.from({ length: count }, (_, i) =>
        cell(row[i] ?? '', emph ? { color: 'attention', weight: 'bolder' } : {}),
      ),
    };
  });
  return {
    type: 'Table',
    columns: Array.from({ length: count }, () => ({ width: 1 })),
    firstRowAsHeader: true,
    showGridLines: true,
    rows: [header, ...bodyRows],
  };
}

function diff(label: string, before: string, after: string, cuts: { n: number }): AdaptiveElement {
  const side = (title: string, text: string, color: string): AdaptiveElement => ({
    type: 'Column',
    width: 'stretch',
    items: [
      { type: 'TextBlock', text: title, isSubtle: true, size: 'small', wrap: true },
      {
        type: 'TextBlock',
        text: clipLines(text === '' ? '(none)' : text, DIFF_MAX_LINES, cuts),
        color,
        wrap: true,
        ...(text.includes('\n') ? { fontType: 'Monospace' } : {}),
      },
    ],
  });
  return {
    type: 'Container',
    items: [
      { type: 'TextBlock', text: adaptiveMarkdown(label), weight: 'bolder', wrap: true },
      { type: 'ColumnSet', columns: [side('Before', before, 'attention'), side('After', after, 'good')] },
    ],
  };
}

function adaptiveAction(action: CardAction): AdaptiveElement {
  if (action.input) {
    const body: AdaptiveElement[] = [];
    if (action.confirm) body.push({ type: 'TextBlock', text: action.confirm.text, wrap: true });
    body.push({
      type: 'Input.Text',
      id: REASON_INPUT_ID,
      label: action.input.label,
      isMultiline: true,
      maxLength: 1000,
      isRequired: action.input.required,
      ...(action.input.required ? { errorMessage: `${action.input.label} is required` } : {}),
    });
    return showCard(action.label, body, execute(action, action.label));
  }
  if (action.confirm) {
    const body = [
      { type: 'TextBlock', text: action.confirm.title, weight: 'bolder', wrap: true },
      { type: 'TextBlock', text: action.confirm.text, wrap: true },
    ];
    return showCard(action.label, body, execute(action, action.confirm.confirm));
  }
  return execute(action, action.label);
}

function execute(action: CardAction, title: string): AdaptiveElement {
  const data = { [ACTION_VERB]: encodeActionValue(action) };
  const style = action.style === 'primary' ? 'positive' : action.style === 'danger' ? 'destructive' : undefined;
  return {
    type: 'Action.Execute',
    id: action.id,
    title,
    verb: ACTION_VERB,
    data,
    ...(style ? { style } : {}),
    fallback: { type: 'Action.Submit', title, data, ...(style ? { style } : {}) },
  };
}

function showCard(title: string, body: AdaptiveElement[], confirmAction: AdaptiveElement): AdaptiveElement {
  return {
    type: 'Action.ShowCard',
    title,
    card: { type: 'AdaptiveCard', version: '1.5', body, actions: [confirmAction] },
  };
}

/** The card markdown subset for Adaptive Cards: `**bold**` is native; backticks are dropped. */
function adaptiveMarkdown(text: string): string {
  return text.replace(/`([^`]+)`/g, '$1');
}

function clipLines(text: string, max: number, cuts: { n: number }): string {
  const lines = text.split('\n');
  if (lines.length <= max) return text;
  cuts.n++;
  return [...lines.slice(0, max), `… ${lines.length - max} more lines`].join('\n');
}
