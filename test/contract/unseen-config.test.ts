/**
 * Configurations unlike the example: several providers, unusual pinned model ids, suites at the
 * 20/50 edges, inline regex flags, critic assertions without a critic.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { isEscalated, scoreAssertion } from '../../src/evals/scorers/index.ts';
import { writeConfig } from './unseen-fixture.ts';

const env = { ACME_URL: 'http://127.0.0.1:9/v1', OAI_URL: 'http://127.0.0.1:9/v1', ACME_KEY: 'k1', OAI_KEY: 'k2' };

describe('unseen configurations', () => {
  it('accepts several providers, @v/: versions, slashes in model ids, floating with the flag, 20 and 50 cases', () => {
    const r = loadConfig(writeConfig({ critic: true }), env);
    expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual([]);
    if (!r.ok) return;
    expect(Object.keys(r.config.workflows)).toEqual(['acme-flow', 'floaty', 'llama']);
    expect(r.config.pricing['acme-large@v3']).toEqual({ input: 1, cachedInput: 1, output: 2 });
    expect(r.config.workflows['floaty']!.evals.cases).toHaveLength(50);
    expect(r.config.workflows['floaty']!.evals.repeats).toBe(5);
  });

  it('a Python-style inline flag group such as (?i) is accepted and means the i flag', async () => {
    const r = loadConfig(writeConfig({ critic: true, escalation: 'escalation: { regex: "(?i)hand.?off" }' }), env);
    expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual([]);
    expect(isEscalated('Please HAND-OFF to a human', { regex: '(?i)hand.?off' })).toBe(true);
    expect(isEscalated('all good', { regex: '(?i)hand.?off' })).toBe(false);
    const res = await scoreAssertion({ type: 'regex', pattern: '(?i)refund' }, { output: 'REFUND issued', vars: {}, escalation: { path: 'escalate' } });
    expect(res.pass).toBe(true);
  });

  it('a regex JavaScript cannot compile is still a config problem that names the file and the path', () => {
    const r = loadConfig(writeConfig({ critic: true, escalation: 'escalation: { regex: "(?<=x" }' }), env);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const p = r.problems.find((x) => x.path === 'escalation.regex');
    expect(p?.message).toMatch(/invalid regex \/\(\?<=x\//);
  });

  it('critic assertions without evalDefaults.critic are refused by config check, naming the suite', () => {
    const r = loadConfig(writeConfig({ critic: false }), env);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const msgs = r.problems.filter((p) => p.path === 'workflows["acme-flow"].evals' || p.path === 'workflows.acme-flow.evals');
    expect(msgs.map((p) => p.message)).toEqual([
      'eval suite evals/s.yaml has critic assertions (case c0 and 19 more) but evalDefaults.critic is not set; add evalDefaults.critic: { provider, model }',
    ]);
    // Suites without critic assertions need no critic.
    expect(r.problems.some((p) => p.path.includes('floaty'))).toBe(false);
  });
});
