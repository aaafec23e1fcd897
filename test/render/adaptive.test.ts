import { describe, expect, it } from 'vitest';
import { decodeActionValue } from '../../src/chat/render/action-payload.ts';
import { adaptiveCardAttachment, renderAdaptiveCard } from '../../src/chat/render/adaptive.ts';
import { releaseCard } from './release-card.ts';

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('Adaptive Card', () => {
  const card = renderAdaptiveCard(releaseCard());
  const body = card.body as Any[];
  const actions = card.actions as Any[];

  it('is a 1.5 card with a coloured heading', () => {
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.5');
    expect(card.$schema).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
    expect(body[0]).toMatchObject({
      type: 'TextBlock',
      text: 'REL-3 support-triage: gate **failed**',
      weight: 'bolder',
      size: 'medium',
      color: 'attention',
    });
    expect(renderAdaptiveCard({ ...releaseCard(), tone: 'success' }).body[0].color).toBe('good');
    expect(renderAdaptiveCard({ ...releaseCard(), tone: 'warning' }).body[0].color).toBe('warning');
  });

  it('shows fields as a FactSet with backticks dropped', () => {
    const facts = body.find((e) => e.type === 'FactSet').facts;
    expect(facts).toContainEqual({ title: 'Model', value: 'gpt-4.1-mini-2025-04-14' });
    expect(facts).toHaveLength(4);
  });

  it('renders the verdict as a Table with a header row and failing rows in attention', () => {
    const table = body.find((e) => e.type === 'Table');
    expect(table.columns).toHaveLength(6);
    expect(table.firstRowAsHeader).toBe(true);
    expect(table.rows).toHaveLength(8);
    expect(table.rows[0].cells[0].items[0].text).toBe('Rule');
    expect(table.rows.map((r: Any) => r.style ?? null)).toEqual([null, 'attention', 'attention', null, null, null, null, null]);
    expect(table.rows[1].cells[5].items[0]).toMatchObject({ text: 'fail', color: 'attention' });
  });

  it('shows diffs as before/after columns, code in monospace, context subtle, divider as separator', () => {
    const diffs = body.filter((e) => e.type === 'Container');
    const [prompt] = diffs;
    expect(prompt.items[0].text).toBe('Prompt');
    const [before, after] = prompt.items[1].columns;
    expect(before.items[1].text).toContain('Classify the ticket.');
    expect(after.items[1].text).toContain('Escalate angry customers.');
    const code = body.find((e) => e.fontType === 'Monospace' && e.type === 'TextBlock');
    expect(code).toMatchObject({ text: '{\n  "temperature": 0\n}', separator: true });
    expect(body[body.length - 1]).toMatchObject({ isSubtle: true, size: 'small' });
  });

  it('uses Action.Execute with an Action.Submit fallback carrying the same data', () => {
    const approve = actions[0];
    expect(approve).toMatchObject({ type: 'Action.Execute', verb: 'air', title: 'Approve', style: 'positive' });
    expect(decodeActionValue(approve.data.air)).toEqual({ command: 'approve REL-3', actionId: 'approve' });
    expect(approve.fallback).toMatchObject({ type: 'Action.Submit', title: 'Approve', data: approve.data });
  });

  it('asks for the reject reason in a ShowCard with a required Input.Text', () => {
    const reject = actions[1];
    expect(reject.type).toBe('Action.ShowCard');
    const input = reject.card.body.find((e: Any) => e.type === 'Input.Text');
    expect(input).toMatchObject({ id: 'reason', label: 'Why reject?', isRequired: true });
    expect(input.errorMessage).toMatch(/required/);
    const submit = reject.card.actions[0];
    expect(submit.type).toBe('Action.Execute');
    expect(submit.fallback.type).toBe('Action.Submit');
    expect(decodeActionValue(submit.data.air)?.command).toBe('reject REL-3');
  });

  it('confirms Rollback in a ShowCard before the Execute button', () => {
    const rollback = actions[2];
    expect(rollback.type).toBe('Action.ShowCard');
    expect(rollback.card.body.map((e: Any) => e.text)).toEqual(['Roll back REL-3?', 'The candidate gets 0% of traffic.']);
    expect(rollback.card.actions[0]).toMatchObject({ type: 'Action.Execute', title: 'Roll back', style: 'destructive' });
  });

  it('replaces the actions with the outcome once done', () => {
    const done = renderAdaptiveCard(releaseCard(), { done: '✅ Approved by Dana at 14:02 UTC' });
    expect(done.actions).toEqual([]);
    expect(done.body[done.body.length - 1]).toMatchObject({ type: 'TextBlock', text: '✅ Approved by Dana at 14:02 UTC' });
  });

  it('wraps into a Bot Framework attachment', () => {
    const attachment = adaptiveCardAttachment(releaseCard());
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment.content).toEqual(card);
  });
});
