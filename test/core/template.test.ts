import { describe, expect, it } from 'vitest';
import { renderTemplate, renderValue } from '../../src/core/template.ts';

describe('renderTemplate', () => {
  it('replaces names with and without spaces, and dotted names', () => {
    const r = renderTemplate('Ticket: {{ticket}} / {{ order.id }} / {{n}}', { ticket: 'charged twice', order: { id: 'A-7' }, n: 3 });
    expect(r).toEqual({ ok: true, text: 'Ticket: charged twice / A-7 / 3' });
  });

  it('names the first missing variable', () => {
    expect(renderTemplate('Hi {{name}}, order {{order.id}}', { name: 'Eli' })).toEqual({ ok: false, missing: 'order.id' });
    expect(renderTemplate('{{ticket}}', {})).toEqual({ ok: false, missing: 'ticket' });
  });

  it('leaves text without placeholders alone and renders objects as JSON', () => {
    expect(renderTemplate('no vars { here }', {})).toEqual({ ok: true, text: 'no vars { here }' });
    expect(renderTemplate('{{o}}', { o: { a: 1 } })).toEqual({ ok: true, text: '{"a":1}' });
  });

  it('a value that is one placeholder keeps its type', () => {
    expect(renderValue('{{ amount }}', { amount: 42 })).toEqual({ ok: true, value: 42 });
    expect(renderValue(['x {{a}}', '{{b}}'], { a: 'y', b: true })).toEqual({ ok: true, value: ['x y', true] });
    expect(renderValue({ k: '{{missing}}' }, {})).toEqual({ ok: false, missing: 'missing' });
  });
});
