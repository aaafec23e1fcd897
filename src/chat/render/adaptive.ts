/**
 * Card -> Microsoft Teams Adaptive Card 1.5. Buttons are `Action.Execute` (Universal Actions,
 * verb `air`) falling back to `Action.Submit` with the same data; the bot reads `data.air`
 * (the encoded action) and, for Reject, `data.reason` from the `Input.Text`.
 */
import type { Card, CardAction, CardBlock, CardTone } from '../../core/card.ts';
import { encodeActionValue } from './action-payload.ts';

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
}

export const ADAPTIVE_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
export const ADAPTIVE_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const ACTION_VERB = 'air';
export const REASON_INPUT_ID = 'reason';

const TONE_COLOR: Record<CardTone, string> = {
  success: 'good',
  danger: 'attention',
  warning: 'warning',
  info: 'default',
};
const DIFF_MAX_LINES = 20;

export function renderAdaptiveCard(card: Card, opts: AdaptiveOptions = {}): AdaptiveCard {
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
    const element = adaptiveElement(block);
    if (separate) element.separator = true;
    separate = false;
    body.push(element);
  }
  let actions: AdaptiveElement[] = [];
  if (opts.done !== undefined) {
    body.push({ type: 'TextBlock', text: opts.done, wrap: true, weight: 'bolder', separator: true });
  } else {
    actions = (card.actions ?? []).map(adaptiveAction);
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

function adaptiveElement(block: Exclude<CardBlock, { type: 'divider' }>): AdaptiveElement {
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
      return diff(block.label, block.before, block.after);
    case 'code':
      return { type: 'TextBlock', text: block.text, fontType: 'Monospace', wrap: true };
    case 'context':
      return { type: 'TextBlock', text: adaptiveMarkdown(block.text), isSubtle: true, size: 'small', wrap: true };
  }
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

function diff(label: string, before: string, after: string): AdaptiveElement {
  const side = (title: string, text: string, color: string): AdaptiveElement => ({
    type: 'Column',
    width: 'stretch',
    items: [
      { type: 'TextBlock', text: title, isSubtle: true, size: 'small', wrap: true },
      {
        type: 'TextBlock',
        text: clipLines(text === '' ? '(none)' : text, DIFF_MAX_LINES),
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

function clipLines(text: string, max: number): string {
  const lines = text.split('\n');
  if (lines.length <= max) return text;
  return [...lines.slice(0, max), `… ${lines.length - max} more lines`].join('\n');
}
