/** Numbers as shown are rounded (text and --json); what is stored keeps its precision. */
import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/chat/executor.ts';
import { displayNumber, roundForDisplay } from '../../src/core/views/format.ts';

describe('numbers as shown', () => {
  it('rounds money, rates and p-values without float noise; integers stay', () => {
    expect(displayNumber(0.0032460000000000006)).toBe(0.003246);
    expect(displayNumber(0.8916666666666667)).toBe(0.8917);
    expect(displayNumber(2.9e-6)).toBe(2.9e-6);
    expect(displayNumber(1234.5678)).toBe(1234.57);
    expect(displayNumber(123456)).toBe(123456);
    expect(displayNumber(-0.30000000000000004)).toBe(-0.3);
  });

  it('an audit event summary and JSON cards round every number inside, leaving the input as it was', () => {
    const data = { critic_cost_usd: 0.0032460000000000006, pass_rate: { baseline: 0.9509803921568627, candidate: 0.8916666666666667 }, gate_run: 2 };
    expect(summarize(data)).toBe('critic_cost_usd=0.003246 pass_rate={"baseline":0.951,"candidate":0.8917} gate_run=2');
    const cards = [{ kind: 'result', title: 't', blocks: [], data: { verdict: { rows: [{ baseline: 0.9509803921568627 }] } } }];
    expect(JSON.stringify(roundForDisplay(cards))).toContain('"baseline":0.951}');
    expect(cards[0]!.data.verdict.rows[0]!.baseline).toBe(0.9509803921568627);
  });
});
