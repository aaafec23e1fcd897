/**
 * Card -> terminal text (the CLI and the tour). Also the monospace layouts (aligned tables,
 * line diffs) that Block Kit reuses, since Slack has no table block either.
 */
import { plainText, type Card, type CardAction, type CardBlock, type CardTone } from '../../core/card.ts';

export interface TextOptions {
  /** ANSI colour and bold; off unless asked for. */
  color?: boolean;
  /** Wrap width for prose (default 80). */
  width?: number;
  /** When set, tables wider than this wrap their longest cells inside their columns to fit. */
  tableWidth?: number;
}

const TONE_MARKER: Record<CardTone, string> = { success: '✔', danger: '✖', warning: '!', info: '•' };
export const EMPHASIS_MARK = '✖';
const DIFF_MAX_LINES = 12;

const ansi = {
  bold: (s: string) => `\x1b[1m${s}\x1b[22m`,
  dim: (s: string) => `\x1b[2m${s}\x1b[22m`,
  red: (s: string) => `\x1b[31m${s}\x1b[39m`,
  green: (s: string) => `\x1b[32m${s}\x1b[39m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[39m`,
  cyan: (s: string) => `\x1b[36m${s}\x1b[39m`,
};

const TONE_COLOR: Record<CardTone, (s: string) => string> = {
  success: ansi.green,
  danger: ansi.red,
  warning: ansi.yellow,
  info: ansi.cyan,
};

export function renderText(card: Card, opts: TextOptions = {}): string {
  const color = opts.color === true;
  const width = Math.max(20, opts.width ?? 80);
  const tone = card.tone ?? 'info';
  const marker = color ? TONE_COLOR[tone](TONE_MARKER[tone]) : TONE_MARKER[tone];
  const title = oneLine(plainText(card.title));
  const sections: string[] = [`${marker} ${color ? ansi.bold(title) : title}`];
  for (const block of card.blocks) sections.push(renderBlock(block, color, width, opts.tableWidth));
  const actions = (card.actions ?? []).filter((a) => a.submit === undefined);
  if (actions.length > 0) sections.push(renderActions(actions, color));
  return sections.join('\n\n') + '\n';
}

function renderBlock(block: CardBlock, color: boolean, width: number, tableWidth?: number): string {
  switch (block.type) {
    case 'text':
      return inline(wrap(block.text, width), color);
    case 'fields':
      return renderFields(block.fields, color, width);
    case 'table': {
      const table = monospaceTable(block.columns, block.rows, block.emphasis, tableWidth);
      if (!color) return table.lines.join('\n');
      return table.lines
        .map((line, i) => (i === 0 ? ansi.bold(line) : table.emphasized[i] ? ansi.red(ansi.bold(line)) : line))
        .join('\n');
    }
    case 'diff':
      return renderDiff(block.label, block.before, block.after, color, width);
    case 'code':
      return block.text
        .split('\n')
        .map((line) => (line === '' ? '' : `    ${line}`))
        .join('\n');
    case 'context': {
      const text = inline(wrap(block.text + (block.link ? ` · ${block.link.label}: ${block.link.path}` : ''), width), false);
      return color ? text.split('\n').map(ansi.dim).join('\n') : text;
    }
    case 'divider':
      return '─'.repeat(Math.min(width, 60));
    case 'choice':
      return renderActions(
        block.options.map((o, i) => ({ id: `${block.id}-${i}`, label: o.label, command: o.command })),
        color,
      );
  }
}

function renderFields(fields: { label: string; value: string }[], color: boolean, width: number): string {
  const labels = fields.map((f) => `${oneLine(plainText(f.label))}:`);
  const labelWidth = Math.max(0, ...labels.map(displayWidth));
  return fields
    .map((field, i) => {
      const label = padEnd(labels[i], labelWidth);
      const indent = ' '.repeat(labelWidth + 1);
      const value = wrap(field.value, Math.max(20, width - labelWidth - 1))
        .split('\n')
        .map((line, j) => (j === 0 ? line : indent + line))
        .join('\n');
      return `${color ? ansi.dim(label) : label} ${inline(value, color)}`.trimEnd();
    })
    .join('\n');
}

function renderDiff(label: string, before: string, after: string, color: boolean, width: number): string {
  const name = oneLine(plainText(label));
  const b = before === '' ? '(none)' : before;
  const a = after === '' ? '(none)' : after;
  const single = `${name}: ${b} → ${a}`;
  if (!b.includes('\n') && !a.includes('\n') && displayWidth(single) <= width) {
    return color ? `${ansi.dim(`${name}:`)} ${ansi.red(b)} → ${ansi.green(a)}` : single;
  }
  const lines = diffExcerpt(before, after, DIFF_MAX_LINES).map((line) => {
    if (!color) return `  ${line}`;
    if (line.startsWith('-')) return `  ${ansi.red(line)}`;
    if (line.startsWith('+')) return `  ${ansi.green(line)}`;
    return `  ${ansi.dim(line)}`;
  });
  return [`${color ? ansi.dim(`${name}:`) : `${name}:`}`, ...lines].join('\n');
}

function renderActions(actions: CardAction[], color: boolean): string {
  const labels = actions.map((a) => `[${oneLine(plainText(a.label))}]`);
  const labelWidth = Math.max(...labels.map(displayWidth));
  return actions
    .map((action, i) => {
      let command = `ai-release ${action.command}`;
      if (action.input) command += action.input.required ? ' --reason "…"' : ' [--reason "…"]';
      const label = padEnd(labels[i], labelWidth);
      return color ? `${ansi.bold(label)}  ${ansi.cyan(command)}` : `${label}  ${command}`;
    })
    .join('\n');
}

// ---- monospace layouts shared with Block Kit ----

export interface MonospaceTable {
  /** Header, rule, then one line per row. */
  lines: string[];
  /** Per line index: whether that line is an emphasised row. */
  emphasized: boolean[];
}

/**
 * Columns padded to a common width; emphasised rows get a `✖ ` prefix (every other line two
 * spaces) when any row is emphasised. Cells are plain text on one line — unless `maxWidth` is
 * given and the table is wider: then the widest columns narrow until it fits and their cells
 * wrap at word boundaries onto continuation lines.
 */
export function monospaceTable(columns: string[], rows: string[][], emphasis: number[] = [], maxWidth?: number, opts: { breakWords?: boolean } = {}): MonospaceTable {
  const emph = new Set(emphasis);
  const count = Math.max(columns.length, ...rows.map((r) => r.length));
  const cell = (row: string[], i: number) => oneLine(plainText(row[i] ?? ''));
  const header = Array.from({ length: count }, (_, i) => cell(columns, i));
  const body = rows.map((row) => Array.from({ length: count }, (_, i) => cell(row, i)));
  const widths = header.map((_, i) => Math.max(displayWidth(header[i]), ...body.map((r) => displayWidth(r[i]))));
  const marks = emph.size > 0;
  if (maxWidth !== undefined) {
    const room = maxWidth - (marks ? 2 : 0) - 2 * (count - 1);
    // First down to each column's longest word (no word is broken), then, where allowed, further.
    const words = header.map((_, i) => Math.max(...[header[i], ...body.map((r) => r[i])].flatMap((c) => c.split(/ +/)).map(displayWidth)));
    narrow(widths, room, words);
    if (opts.breakWords !== false) narrow(widths, room, widths.map(() => 8));
  }
  const line = (cells: string[], mark: string) =>
    ((marks ? `${mark} ` : '') + cells.map((c, i) => padEnd(c, widths[i])).join('  ')).trimEnd();
  const rowLines = (cells: string[], mark: string): string[] => {
    const wrapped = cells.map((c, i) => (displayWidth(c) > widths[i] ? wrapCell(c, widths[i]) : [c]));
    const height = Math.max(...wrapped.map((w) => w.length));
    return Array.from({ length: height }, (_, k) => line(wrapped.map((w) => w[k] ?? ''), k === 0 ? mark : ' '));
  };
  const lines = [...rowLines(header, ' '), line(widths.map((w) => '─'.repeat(w)), ' ')];
  const emphasized = lines.map(() => false);
  body.forEach((cells, i) => {
    for (const l of rowLines(cells, emph.has(i) ? EMPHASIS_MARK : ' ')) {
      lines.push(l);
      emphasized.push(emph.has(i));
    }
  });
  return { lines, emphasized };
}

/** Narrows the widest columns still above their floor, one character at a time, until their sum fits `room`. */
function narrow(widths: number[], room: number, floors: number[]): void {
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > room) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) if (widths[i]! > Math.max(8, floors[i]!) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    if (widest < 0) return;
    widths[widest]!--;
    total--;
  }
}

/** A cell's text in lines of at most `width` columns, broken at spaces (a longer word is split). */
function wrapCell(text: string, width: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of text.split(/ +/)) {
    let w = word;
    while (displayWidth(w) > width) {
      if (current) {
        out.push(current);
        current = '';
      }
      const chars = [...w];
      let k = 0;
      let used = 0;
      while (k < chars.length && used + displayWidth(chars[k]!) <= width) used += displayWidth(chars[k++]!);
      out.push(chars.slice(0, Math.max(1, k)).join(''));
      w = chars.slice(Math.max(1, k)).join('');
    }
    const next = current ? `${current} ${w}` : w;
    if (current && displayWidth(next) > width) {
      out.push(current);
      current = w;
    } else current = next;
  }
  if (current || out.length === 0) out.push(current);
  return out;
}

export type DiffLine = { op: ' ' | '-' | '+'; text: string };

/** Line diff by longest common subsequence (falls back to all-removed/all-added when huge). */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  if (a.length * b.length > 250_000) {
    return [...a.map((text) => ({ op: '-' as const, text })), ...b.map((text) => ({ op: '+' as const, text }))];
  }
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: ' ', text: a[i] });
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push({ op: '-', text: a[i++] });
    } else {
      out.push({ op: '+', text: b[j++] });
    }
  }
  return out;
}

/**
 * A unified-style excerpt: changed lines with one line of context, `…` between hunks, at most
 * `maxLines` lines then "… N more lines".
 */
export function diffExcerpt(before: string, after: string, maxLines = DIFF_MAX_LINES): string[] {
  const all = diffLines(before, after);
  const near = (k: number) => all[k] !== undefined && all[k].op !== ' ';
  const lines: string[] = [];
  let skipped = false;
  all.forEach((line, k) => {
    if (line.op !== ' ' || near(k - 1) || near(k + 1)) {
      if (skipped && lines.length > 0) lines.push('…');
      skipped = false;
      lines.push(`${line.op} ${line.text}`.trimEnd());
    } else {
      skipped = true;
    }
  });
  if (lines.length === 0) return ['  (no change)'];
  if (lines.length <= maxLines) return lines;
  return [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more lines`];
}

// ---- small text helpers ----

/** Columns a string takes in a terminal (wide CJK and emoji count 2, combining marks 0). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if ((cp >= 0x300 && cp <= 0x36f) || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f)) continue;
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x1f300 && cp <= 0x1faff) ||
      (cp >= 0x20000 && cp <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** Greedy word wrap on visible width (markdown markers do not count). */
function wrap(text: string, width: number): string {
  return text
    .split('\n')
    .map((paragraph) => {
      const words = paragraph.split(/ +/);
      const lines: string[] = [];
      let current = '';
      for (const word of words) {
        const candidate = current === '' ? word : `${current} ${word}`;
        if (current !== '' && visibleWidth(candidate) > width) {
          lines.push(current);
          current = word;
        } else {
          current = candidate;
        }
      }
      lines.push(current);
      return lines.join('\n');
    })
    .join('\n');
}

function visibleWidth(text: string): number {
  return displayWidth(text.replace(/\*\*|`/g, ''));
}

/** The markdown subset: bold ANSI when colour is on, otherwise plain. */
function inline(text: string, color: boolean): string {
  if (!color) return text.replace(/\*\*([\s\S]+?)\*\*/g, '$1').replace(/`([^`]+)`/g, '$1');
  return text.replace(/\*\*([\s\S]+?)\*\*/g, (_, b: string) => ansi.bold(b)).replace(/`([^`]+)`/g, (_, c: string) => ansi.cyan(c));
}
