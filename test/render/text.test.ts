import { describe, expect, it } from 'vitest';
import { diffExcerpt, displayWidth, monospaceTable, renderText } from '../../src/chat/render/text.ts';
import type { Card } from '../../src/core/card.ts';
import { releaseCard } from './release-card.ts';

const ANSI = /\x1b\[[0-9;]*m/g;

describe('terminal text', () => {
  const text = renderText(releaseCard());
  const lines = text.split('\n');

  it('starts with a tone marker and the title, markdown stripped', () => {
    expect(lines[0]).toBe('✖ REL-3 support-triage: gate failed');
    expect(renderText({ ...releaseCard(), tone: 'success' }).startsWith('✔ ')).toBe(true);
    expect(renderText({ ...releaseCard(), tone: 'warning' }).startsWith('! ')).toBe(true);
    expect(renderText({ ...releaseCard(), tone: undefined }).startsWith('• ')).toBe(true);
  });

  it('aligns field values in one column', () => {
    const fieldLines = lines.filter((l) => /^(Workflow|Requested by|Model|Config hash):/.test(l) && !l.includes('→'));
    expect(fieldLines).toHaveLength(4);
    const starts = fieldLines.map((l) => l.indexOf(':') + 1 + l.slice(l.indexOf(':') + 1).search(/\S/));
    expect(new Set(starts).size).toBe(1);
    expect(fieldLines).toContain('Model:        gpt-4.1-mini-2025-04-14');
  });

  it('lines the table columns up under their headers and marks emphasised rows', () => {
    const headerIndex = lines.findIndex((l) => l.includes('Rule') && l.includes('Outcome'));
    const header = lines[headerIndex];
    const rule = lines[headerIndex + 1];
    const rows = lines.slice(headerIndex + 2, headerIndex + 9);
    expect(rule).toMatch(/^ {2}─+ {2}─+/);
    const columns = ['Rule', 'Baseline', 'Candidate', 'Delta', 'Limit', 'Outcome'];
    const starts = columns.map((c) => header.indexOf(c));
    const card = releaseCard();
    const table = card.blocks[1];
    if (table.type !== 'table') throw new Error('fixture changed');
    rows.forEach((row, r) => {
      table.rows[r].forEach((cell, c) => expect(row.slice(starts[c]).startsWith(cell)).toBe(true));
    });
    expect(rows[0].startsWith('✖ minPassRate')).toBe(true);
    expect(rows[1].startsWith('✖ maxPassRateDrop')).toBe(true);
    expect(rows.filter((r) => r.startsWith('✖'))).toHaveLength(2);
  });

  it('shows a one-line diff as before → after and a prompt diff as -/+ lines', () => {
    expect(lines).toContain('Model: gpt-4.1-2025-04-14 → gpt-4.1-mini-2025-04-14');
    expect(text).toContain('Prompt:\n');
    expect(lines).toContain('  - Classify the ticket.');
    expect(lines).toContain('  + Classify the ticket into billing, tech or other.');
    expect(lines).toContain('  + Escalate angry customers.');
    expect(lines.some((l) => l.includes('- You are'))).toBe(false);
  });

  it('keeps a long diff to about 12 lines and says how many more', () => {
    const before = Array.from({ length: 40 }, (_, i) => `old line ${i}`).join('\n');
    const after = Array.from({ length: 40 }, (_, i) => `new line ${i}`).join('\n');
    const excerpt = diffExcerpt(before, after);
    expect(excerpt).toHaveLength(13);
    expect(excerpt[12]).toBe('… 68 more lines');
  });

  it('indents code and lists actions with the command to type', () => {
    expect(text).toContain('    {\n      "temperature": 0\n    }');
    const actionLines = lines.filter((l) => l.startsWith('['));
    expect(actionLines).toEqual([
      '[Approve]   ai-release approve REL-3',
      '[Reject]    ai-release reject REL-3 --reason "…"',
      '[Rollback]  ai-release rollback REL-3',
    ]);
    expect(text.trimEnd().endsWith('ai-release rollback REL-3')).toBe(true);
  });

  it('uses ANSI colour only when asked, with the same words', () => {
    expect(text).not.toMatch(ANSI);
    const colored = renderText(releaseCard(), { color: true });
    expect(colored).toMatch(ANSI);
    expect(colored).toContain('\x1b[1m');
    expect(colored.replace(ANSI, '')).toContain('✖ minPassRate');
    expect(colored.replace(ANSI, '')).toContain('[Approve]   ai-release approve REL-3');
  });

  it('wraps prose to the width and bolds the markdown subset in colour', () => {
    const card: Card = {
      kind: 'help',
      title: 'Help',
      blocks: [{ type: 'text', text: 'word '.repeat(40).trim() + ' **important** `code`' }],
    };
    const plain = renderText(card, { width: 30 }).split('\n').slice(2);
    expect(plain.every((l) => l.length <= 30)).toBe(true);
    expect(plain.join(' ')).toContain('important code');
    const colored = renderText(card, { width: 30, color: true });
    expect(colored).toContain('\x1b[1mimportant\x1b[22m');
  });

  it('a table wider than asked wraps its widest cells inside their columns; ids stay whole where words may not break', () => {
    const rows = [
      ['rcpt_0mh3k2a1b00669f3a1c0b', 'ok', 'Wilson 95% [0.89, 0.98] (97/102) and a long explanation of the test'],
      ['rcpt_0mh3k2a1b00679f3a1c0c', 'upstream_error', 'short'],
    ];
    const t = monospaceTable(['receipt', 'status', 'test'], rows, [1], 60);
    for (const line of t.lines) expect(displayWidth(line)).toBeLessThanOrEqual(60);
    expect(t.lines.join('\n')).toContain('rcpt_0mh3k2a1b00669f3a1c0b');
    expect(t.lines.filter((l) => l.startsWith('✖ '))).toHaveLength(1);
    expect(t.emphasized.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    const kept = monospaceTable(['receipt', 'status'], rows.map((r) => [r[0]!, r[1]!]), [], 20, { breakWords: false });
    expect(kept.lines.join('\n')).toContain('rcpt_0mh3k2a1b00679f3a1c0c');
  });
});
