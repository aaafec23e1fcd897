import { describe, expect, it } from 'vitest';
import type { Assertion } from '../../src/config/types.ts';
import { readOutputJson, parsePath } from '../../src/evals/json-output.ts';
import {
  isEscalated,
  scoreAssertion,
  scoreCase,
  validateAssertion,
  type CriticClient,
  type ScoreContext,
} from '../../src/evals/scorers/index.ts';

const triage = JSON.stringify({ category: 'billing', escalate: true, amount: 120, tags: ['refund', 'angry'], order: { items: [{ sku: 'X1' }] } });

function ctx(output: string, extra: Partial<ScoreContext> = {}): ScoreContext {
  return { output, vars: {}, escalation: { path: 'escalate' }, ...extra };
}
const score = (a: Assertion, c: ScoreContext) => scoreAssertion(a, c);

describe('equals', () => {
  it('compares the value at a path, nested and indexed', async () => {
    const ok = await score({ type: 'equals', path: 'category', value: 'billing' }, ctx(triage));
    expect(ok).toEqual({ type: 'equals', pass: true, weight: 1, reason: 'category = "billing" (expected "billing")' });
    expect((await score({ type: 'equals', path: 'order.items[0].sku', value: 'X1' }, ctx(triage))).pass).toBe(true);
    const bad = await score({ type: 'equals', path: 'category', value: 'shipping' }, ctx(triage));
    expect(bad.pass).toBe(false);
    expect(bad.reason).toBe('category = "billing" (expected "shipping")');
  });

  it('is deep and strict about types', async () => {
    expect((await score({ type: 'equals', path: 'tags', value: ['refund', 'angry'] }, ctx(triage))).pass).toBe(true);
    expect((await score({ type: 'equals', path: 'order', value: { items: [{ sku: 'X1' }] } }, ctx(triage))).pass).toBe(true);
    expect((await score({ type: 'equals', path: 'amount', value: '120' }, ctx(triage))).pass).toBe(false);
    expect((await score({ type: 'equals', path: 'tags', value: ['angry', 'refund'] }, ctx(triage))).pass).toBe(false);
  });

  it('without path compares the whole output trimmed', async () => {
    expect((await score({ type: 'equals', value: 'yes' }, ctx('  yes\n'))).pass).toBe(true);
    expect((await score({ type: 'equals', value: 'yes' }, ctx('yes, sure'))).pass).toBe(false);
  });

  it('a missing path fails equals and passes not-equals', async () => {
    const r = await score({ type: 'equals', path: 'priority', value: 'high' }, ctx(triage));
    expect(r).toMatchObject({ pass: false, reason: 'priority is missing (expected "high")' });
    expect((await score({ type: 'not-equals', path: 'priority', value: 'high' }, ctx(triage))).pass).toBe(true);
  });
});

describe('path assertions read JSON', () => {
  it('accepts a fenced ```json block and a bare fence', async () => {
    const fenced = 'Here you go:\n```json\n{"category": "billing"}\n```\nThanks';
    const bare = 'Result:\n```\n{"category": "billing"}\n```';
    for (const out of [fenced, bare]) {
      expect((await score({ type: 'equals', path: 'category', value: 'billing' }, ctx(out))).pass).toBe(true);
    }
    expect(readOutputJson('```python\nprint(1)\n```\n```json\n{"a":1}\n```')).toEqual({ ok: true, value: { a: 1 } });
  });

  it('fails on output that is not JSON, with or without not-', async () => {
    for (const a of [
      { type: 'equals', path: 'category', value: 'billing' },
      { type: 'not-equals', path: 'category', value: 'billing' },
      { type: 'numeric', path: 'amount', min: 0 },
      { type: 'not-numeric', path: 'amount', min: 0 },
      { type: 'json-schema', schema: { type: 'object' } },
      { type: 'not-json-schema', schema: { type: 'object' } },
    ]) {
      const r = await score(a, ctx('Category: billing, please escalate'));
      expect(r, a.type).toMatchObject({ pass: false, reason: 'output is not JSON' });
    }
  });

  it('rejects malformed paths', () => {
    expect(parsePath('a.b[0].c')).toEqual({ ok: true, segments: ['a', 'b', 0, 'c'] });
    expect(parsePath('$.a')).toEqual({ ok: true, segments: ['a'] });
    expect(parsePath('a..b').ok).toBe(false);
    expect(parsePath('a.').ok).toBe(false);
    expect(validateAssertion({ type: 'equals', path: 'a..b', value: 1 })).toMatch(/^equals: invalid path "a\.\.b"/);
  });
});

describe('contains', () => {
  it('value, values any/all, case-insensitive', async () => {
    const out = 'We will issue a Refund within 5 days.';
    expect((await score({ type: 'contains', value: 'refund' }, ctx(out))).pass).toBe(false);
    expect((await score({ type: 'contains', value: 'refund', caseInsensitive: true }, ctx(out))).pass).toBe(true);
    expect((await score({ type: 'contains', values: ['lawsuit', 'days'] }, ctx(out))).pass).toBe(true);
    const all = await score({ type: 'contains', values: ['lawsuit', 'days'], mode: 'all' }, ctx(out));
    expect(all).toMatchObject({ pass: false, reason: 'output lacks ["lawsuit"] of ["lawsuit", "days"]' });
  });

  it('not-contains with values means none of them may appear', async () => {
    const a = { type: 'not-contains', values: ['guarantee', 'lawsuit'] };
    expect((await score(a, ctx('We will look into it.'))).pass).toBe(true);
    const one = await score(a, ctx('We guarantee a refund.'));
    expect(one).toMatchObject({ pass: false, reason: 'output contains ["guarantee"]' });
    expect((await score(a, ctx('No guarantee, no lawsuit.'))).pass).toBe(false);
  });
});

describe('regex', () => {
  it('matches with flags, and not-regex inverts', async () => {
    expect((await score({ type: 'regex', pattern: 'refund' }, ctx('Refund issued'))).pass).toBe(false);
    expect((await score({ type: 'regex', pattern: 'refund', flags: 'i' }, ctx('Refund issued'))).pass).toBe(true);
    expect((await score({ type: 'not-regex', pattern: '\\d{4}-\\d{4}' }, ctx('card 1234-5678'))).pass).toBe(false);
  });

  it('a bad pattern is a failing result with a clear reason, also under not-', async () => {
    for (const type of ['regex', 'not-regex']) {
      const r = await score({ type, pattern: '(unclosed' }, ctx('anything'));
      expect(r.pass).toBe(false);
      expect(r.reason).toMatch(new RegExp(`^${type}: invalid regex /\\(unclosed/`));
    }
    expect(validateAssertion({ type: 'regex' })).toBe('regex: pattern is required');
  });
});

describe('json-schema', () => {
  const schema = {
    type: 'object',
    required: ['category', 'escalate'],
    properties: { category: { enum: ['billing', 'shipping'] }, escalate: { type: 'boolean' } },
  };

  it('validates the parsed output and names what is wrong', async () => {
    expect(await score({ type: 'json-schema', schema }, ctx(triage))).toMatchObject({ pass: true, reason: 'output matches the schema' });
    const r = await score({ type: 'json-schema', schema }, ctx('{"category": "legal"}'));
    expect(r.pass).toBe(false);
    expect(r.reason).toContain("must have required property 'escalate'");
    expect(r.reason).toContain('output/category must be equal to one of the allowed values');
    expect((await score({ type: 'not-json-schema', schema }, ctx('{"category": "legal"}'))).pass).toBe(true);
  });

  it('a schema that does not compile fails with a reason instead of throwing', async () => {
    const r = await score({ type: 'json-schema', schema: { type: 'nope' } }, ctx(triage));
    expect(r.pass).toBe(false);
    expect(r.reason).toMatch(/^json-schema: invalid JSON schema: schema is invalid/);
    expect(validateAssertion({ type: 'json-schema', schema: 'x' })).toBe('json-schema: schema must be an object');
  });

  it('two schemas may share an $id', async () => {
    const a = { $id: 'verdict', type: 'object', required: ['category'] };
    const b = { $id: 'verdict', type: 'object', required: ['missing'] };
    expect((await score({ type: 'json-schema', schema: a }, ctx(triage))).pass).toBe(true);
    expect((await score({ type: 'json-schema', schema: b }, ctx(triage))).pass).toBe(false);
  });
});

describe('numeric', () => {
  it('range inclusive, value with tolerance, whole output', async () => {
    expect((await score({ type: 'numeric', path: 'amount', min: 0, max: 120 }, ctx(triage))).pass).toBe(true);
    const over = await score({ type: 'numeric', path: 'amount', max: 100 }, ctx(triage));
    expect(over).toMatchObject({ pass: false, reason: 'amount = 120 (expected ≤ 100)' });
    expect((await score({ type: 'numeric', path: 'amount', value: 121, tolerance: 1 }, ctx(triage))).pass).toBe(true);
    expect((await score({ type: 'numeric', path: 'amount', value: 122, tolerance: 1 }, ctx(triage))).pass).toBe(false);
    expect((await score({ type: 'numeric', min: 3, max: 4 }, ctx(' 3.5 '))).pass).toBe(true);
    expect((await score({ type: 'not-numeric', path: 'amount', min: 0, max: 500 }, ctx(triage))).pass).toBe(false);
  });

  it('a value that is not a number cannot be evaluated', async () => {
    const r = await score({ type: 'not-numeric', path: 'category', min: 0 }, ctx(triage));
    expect(r).toMatchObject({ pass: false, reason: 'category is not a number (got "billing")' });
    expect(validateAssertion({ type: 'numeric', path: 'amount' })).toBe('numeric: give min and/or max, or value (with tolerance)');
    expect(validateAssertion({ type: 'numeric', min: 5, max: 1 })).toBe('numeric: min is above max');
  });
});

describe('escalation', () => {
  it('by path', async () => {
    expect(isEscalated(triage, { path: 'escalate' })).toBe(true);
    expect(isEscalated('{"escalate": false}', { path: 'escalate' })).toBe(false);
    expect(isEscalated('{"escalate": "false"}', { path: 'escalate' })).toBe(false);
    expect(isEscalated('not json', { path: 'escalate' })).toBe(false);
    expect((await score({ type: 'escalation' }, ctx(triage))).pass).toBe(true);
    expect((await score({ type: 'escalation', value: false }, ctx(triage))).pass).toBe(false);
    expect((await score({ type: 'not-escalation' }, ctx('{"escalate": false}'))).pass).toBe(true);
  });

  it('by regex', async () => {
    const rule = { regex: 'HANDOFF' };
    expect(isEscalated('HANDOFF: needs a human', rule)).toBe(true);
    expect(isEscalated('all done', rule)).toBe(false);
    const r = await score({ type: 'escalation' }, ctx('all done', { escalation: rule }));
    expect(r).toMatchObject({ pass: false, reason: 'output does not escalate: output does not match /HANDOFF/ (expected escalation)' });
  });

  it('without a rule fails with a reason', async () => {
    const r = await score({ type: 'escalation' }, ctx(triage, { escalation: {} }));
    expect(r.pass).toBe(false);
    expect(r.reason).toMatch(/no escalation rule/);
  });
});

describe('critic assertions', () => {
  const critic = (pass: boolean, error = false): CriticClient => ({
    grade: async (rubric) => ({ pass, score: pass ? 0.9 : 0.2, reason: `judged "${rubric}"`, costUsd: 0.0012, calls: 1, ...(error ? { error: true } : {}) }),
  });

  it('uses the critic verdict and reports its cost', async () => {
    const r = await score({ type: 'critic', rubric: 'Polite to {{name}}' }, ctx('Hello', { critic: critic(true), vars: { name: 'Eli' } }));
    expect(r).toEqual({ type: 'critic', pass: true, weight: 1, reason: 'critic: judged "Polite to Eli" (score 0.9)', costUsd: 0.0012 });
  });

  it('no critic configured, or no verdict, fails either way', async () => {
    expect((await score({ type: 'critic', rubric: 'x' }, ctx('Hello'))).reason).toMatch(/no critic is configured/);
    const r = await score({ type: 'not-critic', rubric: 'x' }, ctx('Hello', { critic: critic(false, true) }));
    expect(r).toMatchObject({ pass: false, costUsd: 0.0012 });
  });
});

describe('templates in values', () => {
  it('renders {{var}} from the case vars, keeping a lone variable\'s type', async () => {
    const c = ctx(triage, { vars: { expected: { category: 'billing' }, cat: 'billing', limit: 200, word: 'refund' } });
    expect((await score({ type: 'equals', path: 'category', value: '{{ expected.category }}' }, c)).pass).toBe(true);
    expect((await score({ type: 'contains', values: ['{{word}}'] }, c)).pass).toBe(true);
    expect((await score({ type: 'numeric', path: 'amount', max: '{{limit}}' }, c)).pass).toBe(true);
    expect((await score({ type: 'equals', path: 'tags[0]', value: 'x-{{cat}}' }, c)).pass).toBe(false);
  });

  it('a missing variable fails the assertion naming it', async () => {
    const r = await score({ type: 'not-contains', value: '{{secret}}' }, ctx('anything'));
    expect(r).toMatchObject({ pass: false, reason: 'not-contains: missing variable "secret" in value' });
  });
});

describe('validateAssertion', () => {
  it('accepts well-formed assertions and names problems', () => {
    expect(validateAssertion({ type: 'not-contains', values: ['a', 'b'] })).toBeNull();
    expect(validateAssertion({ type: 'equals', path: 'category', value: 'billing', weight: 2 })).toBeNull();
    expect(validateAssertion({ type: 'similar', value: 'x' })).toMatch(/^unknown assertion type "similar" \(known: equals, contains/);
    expect(validateAssertion({ type: 'contains', value: 'x', weight: -1 })).toBe('contains: weight must be a number ≥ 0');
    expect(validateAssertion({ type: 'contains', values: [] })).toBe('contains: values must be a non-empty list of non-empty strings');
    expect(validateAssertion({ type: 'equals', path: 'a' })).toBe('equals: value is required');
    expect(validateAssertion({ type: 'critic' })).toBe('critic: rubric is required');
  });

  it('scoring a malformed assertion fails instead of throwing', async () => {
    const r = await score({ type: 'bogus' }, ctx('x'));
    expect(r).toMatchObject({ pass: false, weight: 1 });
    expect(r.reason).toMatch(/unknown assertion type "bogus"/);
  });
});

describe('scoreCase', () => {
  const asserts: Assertion[] = [
    { type: 'equals', path: 'category', value: 'billing' },
    { type: 'equals', path: 'escalate', value: false, weight: 2 },
    { type: 'regex', pattern: 'refund' },
  ];

  it('weights 1,2,1 with the weight-2 one failing score 0.5', async () => {
    const r = await scoreCase(asserts, 1, ctx(triage));
    expect(r.score).toBe(0.5);
    expect(r.pass).toBe(false);
    expect(r.results.map((x) => x.pass)).toEqual([true, false, true]);
    expect(r.escalated).toBe(true);
    expect((await scoreCase(asserts, 0.5, ctx(triage))).pass).toBe(true);
    expect((await scoreCase(asserts, 0.51, ctx(triage))).pass).toBe(false);
  });

  it('all holding passes at the default threshold and sums critic spend', async () => {
    const critic: CriticClient = { grade: async () => ({ pass: true, score: 1, reason: 'ok', costUsd: 0.25, calls: 1 }) };
    const r = await scoreCase(
      [
        { type: 'critic', rubric: 'a' },
        { type: 'critic', rubric: 'b' },
        { type: 'json-schema', schema: { type: 'object' } },
      ],
      1,
      ctx('{"escalate": 0}', { critic }),
    );
    expect(r).toMatchObject({ pass: true, score: 1, escalated: false, criticCostUsd: 0.5 });
  });
});
