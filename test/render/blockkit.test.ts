import { describe, expect, it } from 'vitest';
import { decodeActionValue } from '../../src/chat/render/action-payload.ts';
import { buildReasonModal, renderBlockKit, type SlackBlock } from '../../src/chat/render/blockkit.ts';
import { slackTextLength } from '../../src/chat/render/budget.ts';
import type { Card } from '../../src/core/card.ts';
import { releaseCard } from './release-card.ts';

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every text Slack measures, with the limit it allows. */
function assertSlackLimits(blocks: SlackBlock[]): void {
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const block of blocks as Any[]) {
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(150);
    if (block.type === 'section') {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      if (block.fields) {
        expect(block.fields.length).toBeLessThanOrEqual(10);
        for (const f of block.fields) expect(f.text.length).toBeLessThanOrEqual(2000);
      }
    }
    if (block.type === 'context') for (const e of block.elements) expect(e.text.length).toBeLessThanOrEqual(3000);
    if (block.type === 'actions') {
      expect(block.elements.length).toBeLessThanOrEqual(25);
      for (const b of block.elements) {
        expect(b.text.text.length).toBeLessThanOrEqual(75);
        expect(b.value.length).toBeLessThanOrEqual(2000);
        expect(b.action_id.length).toBeLessThanOrEqual(255);
      }
    }
  }
}

const sectionTexts = (blocks: SlackBlock[]) =>
  (blocks as Any[]).filter((b) => b.type === 'section' && b.text).map((b) => b.text.text as string);

describe('Block Kit', () => {
  const message = renderBlockKit(releaseCard());
  const blocks = message.blocks as Any[];

  it('opens with a header and keeps within Slack limits', () => {
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '⛔ REL-3 support-triage: gate failed', emoji: true },
    });
    expect(message.text).toBe('REL-3 support-triage: gate failed');
    assertSlackLimits(message.blocks);
  });

  it('shows fields as mrkdwn section fields', () => {
    const fields = blocks.find((b) => b.type === 'section' && b.fields);
    expect(fields.fields.map((f: Any) => f.text)).toContain('*Model*\n`gpt-4.1-mini-2025-04-14`');
  });

  it('renders the verdict table as an aligned monospace block with failing rows flagged', () => {
    const table = sectionTexts(message.blocks).find((t) => t.includes('minPassRate'))!;
    expect(table.startsWith('```\n')).toBe(true);
    expect(table.endsWith('\n```')).toBe(true);
    const lines = table.split('\n').slice(1, -1);
    expect(lines.filter((l) => l.startsWith('✖ '))).toHaveLength(2);
    const outcome = lines[0].indexOf('Outcome');
    for (const line of lines.slice(2)) expect(line.slice(outcome)).toMatch(/^(pass|fail)$/);
  });

  it('shows diffs as label with before → after, long ones in a code block', () => {
    const texts = sectionTexts(message.blocks);
    expect(texts).toContain('*Model*: gpt-4.1-2025-04-14 → gpt-4.1-mini-2025-04-14');
    const prompt = texts.find((t) => t.startsWith('*Prompt*'))!;
    expect(prompt).toContain('```\n');
    expect(prompt).toContain('- Classify the ticket.\n+ Classify the ticket into billing, tech or other.');
  });

  it('has buttons whose value round-trips to the command, with Slack confirm for Rollback', () => {
    const actions = blocks.find((b) => b.type === 'actions');
    expect(blocks[blocks.length - 1]).toBe(actions);
    const [approve, reject, rollback] = actions.elements;
    expect(approve).toMatchObject({ type: 'button', action_id: 'air:approve', style: 'primary' });
    expect(decodeActionValue(approve.value)).toEqual({ command: 'approve REL-3', actionId: 'approve' });
    expect(reject.action_id).toBe('air:reject');
    expect(decodeActionValue(reject.value)?.input).toEqual({ name: 'reason', required: true });
    expect(rollback.confirm).toEqual({
      title: { type: 'plain_text', text: 'Roll back REL-3?' },
      text: { type: 'plain_text', text: 'The candidate gets 0% of traffic.' },
      confirm: { type: 'plain_text', text: 'Roll back' },
      deny: { type: 'plain_text', text: 'Keep' },
      style: 'danger',
    });
    for (const el of actions.elements) expect(el.action_id.startsWith('air:')).toBe(true);
  });

  it('replaces the buttons with the outcome once done, so nobody clicks twice', () => {
    const done = renderBlockKit(releaseCard(), { done: '✅ Approved by <@U0DANA> at 14:02 UTC' });
    const last = done.blocks[done.blocks.length - 1] as Any;
    expect(done.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(last).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '✅ Approved by <@U0DANA> at 14:02 UTC' }] });
    expect(done.text).toContain('Approved by <@U0DANA>');
  });

  it('translates the markdown subset and escapes Slack control characters', () => {
    const card: Card = {
      kind: 'result',
      title: 'Done',
      blocks: [{ type: 'text', text: '**Approved** <!channel> & `REL-3` <https://evil|click>' }],
    };
    expect(sectionTexts(renderBlockKit(card).blocks)).toEqual([
      '*Approved* &lt;!channel&gt; &amp; `REL-3` &lt;https://evil|click&gt;',
    ]);
  });

  it('keeps code inside one fence even when it contains a fence', () => {
    const card: Card = { kind: 'list', title: 'Output', blocks: [{ type: 'code', text: 'before\n```\n*not bold* <@U0ALL>\n```' }] };
    const [text] = sectionTexts(renderBlockKit(card).blocks);
    expect(text.split('```')).toHaveLength(3);
    expect(text).toContain('&lt;@U0ALL&gt;');
  });

  it('fits an oversized card in one message: its list pages, its texts shorten, a note says what and a button goes on', () => {
    const big: Card = {
      kind: 'list',
      title: 'T'.repeat(400),
      console: '/receipts?workflow=support-triage',
      blocks: [
        { type: 'text', text: 'x'.repeat(10_000) },
        { type: 'fields', fields: Array.from({ length: 35 }, (_, i) => ({ label: `f${i}`, value: 'v'.repeat(3000) })) },
        { type: 'table', columns: ['id', 'what'], rows: Array.from({ length: 500 }, (_, i) => [`rcpt_${i}`, 'y'.repeat(40)]) },
        ...Array.from({ length: 80 }, () => ({ type: 'context' as const, text: 'c' })),
      ],
      actions: [{ id: 'x', label: 'L'.repeat(200), command: 'approve REL-3' }],
      paging: { noun: 'receipts', tables: [2], cursors: Array.from({ length: 500 }, (_, i) => `rcpt_${i}`), command: 'receipts support-triage', limit: 500 },
    };
    const out = renderBlockKit(big, { consoleUrl: 'https://air.example.com/' });
    assertSlackLimits(out.blocks);
    expect(out.blocks.length).toBeLessThanOrEqual(45);
    expect(slackTextLength(out.blocks)).toBeLessThanOrEqual(11_000);
    const last = out.blocks[out.blocks.length - 1] as Any;
    expect(last.type).toBe('actions');
    const commands = last.elements.map((e: Any) => decodeActionValue(e.value)!.command);
    expect(commands[0]).toBe('approve REL-3');
    const shown = (sectionTexts(out.blocks).join('\n').match(/rcpt_\d+/g) ?? []).length;
    expect(shown).toBeGreaterThan(0);
    expect(commands[1]).toBe(`receipts support-triage --limit ${500 - shown} --from rcpt_${shown}`);
    const note = (out.blocks[out.blocks.length - 2] as Any).elements[0].text as string;
    expect(note).toContain(`Showing receipts 1–${shown} of 500`);
    expect(note).toMatch(/long texts? shortened \([\d,]+ characters left out\)/);
    expect(note).toContain('<https://air.example.com/receipts?workflow=support-triage|everything in the console>');
    expect(sectionTexts(out.blocks)[0]).toMatch(/… \([\d,]+ more characters\)$/);
  });

  it('builds the reason modal for Reject', () => {
    const card = releaseCard();
    const reject = card.actions![1];
    const view = buildReasonModal(reject, card) as Any;
    expect(view.type).toBe('modal');
    expect(view.callback_id).toBe('air_reason');
    expect(decodeActionValue(view.private_metadata)).toEqual({
      command: 'reject REL-3',
      actionId: 'reject',
      input: { name: 'reason', required: true },
    });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    const input = view.blocks.find((b: Any) => b.type === 'input');
    expect(input).toMatchObject({
      block_id: 'reason',
      optional: false,
      label: { type: 'plain_text', text: 'Why reject?' },
      element: { type: 'plain_text_input', action_id: 'reason' },
    });
  });
});
