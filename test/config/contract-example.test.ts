import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblems, loadConfig } from '../../src/config/load.ts';

describe('the configuration example printed in the contract', () => {
  it('loads verbatim, with the suite example of the contract', () => {
    const result = loadConfig(join('test', 'config', 'fixtures', 'contract', 'ai-release.yaml'), {});
    expect(result.ok ? '' : formatProblems(result.problems)).toBe('');
    if (!result.ok) return;
    const wf = result.config.workflows['support-triage'];
    expect(wf.minApprovals).toBe(1);
    expect(wf.caps).toEqual({ perRunUsd: 0.05, dailyUsd: 20, monthlyUsd: 400, callsPerDay: 50000 });
    expect(wf.rollout.autoRollback).toBe(true);
    expect(wf.evals.cases[0].assert.map((a) => a.type)).toEqual([
      'json-schema', 'equals', 'equals', 'regex', 'not-contains', 'numeric', 'critic',
    ]);
    expect(result.config.providers.openai.baseUrl).toBeUndefined();
  });
});
