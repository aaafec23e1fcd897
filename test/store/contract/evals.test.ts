import { expect, it } from 'vitest';
import type { CanaryJudgement } from '../../../src/core/canary.ts';
import type { EvalResultRecord } from '../../../src/store/repos/evals.ts';
import { eachEngine, T0 } from '../engines.ts';

const result = (variant: string, caseId: string, repeat: number, passed = true): EvalResultRecord => ({
  variant, caseId, repeat, passed, score: passed ? 1 : 0, escalated: !passed, costUsd: 0.001, tokens: 150, latencyMs: 900.5,
  error: passed ? null : 'timeout', output: passed ? `out ${caseId}` : null, details: '{"assertions":[]}',
});

eachEngine('eval results, eval cache, human review and canary snapshots', (e) => {
  it("replaces a gate run's results and reads them back by case and repeat", async () => {
    const { store } = e();
    await store.evalResults.save(1, 1, [result('candidate', 'b', 0), result('baseline', 'a', 1, false), result('baseline', 'a', 0)]);
    await store.evalResults.save(1, 2, [result('baseline', 'z', 0)]);
    expect((await store.evalResults.load(1, 1)).map((r) => `${r.caseId}/${r.repeat}/${r.variant}`)).toEqual(['a/0/baseline', 'a/1/baseline', 'b/0/candidate']);
    expect((await store.evalResults.load(1, 1))[1]).toEqual(result('baseline', 'a', 1, false));
    await store.evalResults.save(1, 1, [result('baseline', 'c', 0)]);
    expect((await store.evalResults.load(1, 1)).map((r) => r.caseId)).toEqual(['c']);
    expect((await store.evalResults.load(1, 2)).map((r) => r.caseId)).toEqual(['z']);
  });

  it('caches eval results by key, the latest write winning', async () => {
    const { store } = e();
    expect(await store.evalCache.get('k1')).toBeUndefined();
    await store.evalCache.put([{ key: 'k1', result: '{"a":1}' }, { key: 'k2', result: '{"b":1}' }], T0);
    await store.evalCache.put([{ key: 'k1', result: '{"a":2}' }], T0 + 1);
    expect(await store.evalCache.get('k1')).toBe('{"a":2}');
    expect(await store.evalCache.get('k2')).toBe('{"b":1}');
    const keys = Array.from({ length: 1200 }, (_, i) => `x${i}`);
    await store.evalCache.put(keys.filter((_, i) => i % 2 === 0).map((key) => ({ key, result: `"${key}"` })), T0);
    const many = await store.evalCache.getMany([...keys, 'k1']);
    expect(many.size).toBe(601);
    expect(many.get('x1198')).toBe('"x1198"');
    expect(many.get('x1199')).toBeUndefined();
    expect(many.get('k1')).toBe('{"a":2}');
  });

  it('numbers review pairs and tallies each pair by the majority of its votes', async () => {
    const { store } = e();
    await store.review.savePairs(3, 1, [{ caseId: 'a', repeat: 0 }, { caseId: 'b', repeat: 0 }, { caseId: 'c', repeat: 1 }, { caseId: 'd', repeat: 0 }]);
    expect(await store.review.listPairs(3, 1)).toEqual([
      { pair: 1, caseId: 'a', repeat: 0 },
      { pair: 2, caseId: 'b', repeat: 0 },
      { pair: 3, caseId: 'c', repeat: 1 },
      { pair: 4, caseId: 'd', repeat: 0 },
    ]);
    await store.review.recordVote(3, 1, 1, 'eli', 'baseline', T0);
    await store.review.recordVote(3, 1, 1, 'sam', 'baseline', T0);
    await store.review.recordVote(3, 1, 2, 'eli', 'candidate', T0);
    await store.review.recordVote(3, 1, 3, 'eli', 'candidate', T0);
    await store.review.recordVote(3, 1, 3, 'sam', 'baseline', T0);
    // A second vote by the same person replaces the first.
    await store.review.recordVote(3, 1, 2, 'eli', 'tie', T0 + 1);
    expect(await store.review.tally(3, 1)).toEqual({ pairs: 4, voted: 3, candidateWorse: 1, candidateBetter: 0, ties: 2 });
    expect(await store.review.tally(3, 2)).toEqual({ pairs: 0, voted: 0, candidateWorse: 0, candidateBetter: 0, ties: 0 });
  });

  it("keeps a release's latest canary judgement", async () => {
    const { store } = e();
    const judgement: CanaryJudgement = {
      status: 'inconclusive', metrics: [], samplesNeeded: 40, callsNeeded: { baseline: 0, candidate: 40 }, reason: 'too few calls',
      alpha: { total: 0.01, criticalMetrics: 3, perMetric: 0.01 / 3, earlyStop: 0.008 / 3, main: 0.002 / 3 }, detectable: null, detectableSoFar: null,
    };
    const prior = { n: 6000, errors: 120, reported: 60, escalations: 300, overrides: 30, latencyP95Ms: 1400 };
    expect(await store.canarySnapshots.load(5)).toBeUndefined();
    await store.canarySnapshots.save({ releaseId: 5, stage: 0, judgedAt: T0, judgement, baselineCalls: 10, candidateCalls: 2 });
    await store.canarySnapshots.save({ releaseId: 5, stage: 1, judgedAt: T0 + 60_000, judgement: { ...judgement, status: 'healthy', samplesNeeded: 0 }, baselineCalls: 300, candidateCalls: 90, prior });
    expect(await store.canarySnapshots.load(5)).toEqual({
      releaseId: 5, stage: 1, judgedAt: T0 + 60_000, judgement: { ...judgement, status: 'healthy', samplesNeeded: 0 }, baselineCalls: 300, candidateCalls: 90, prior,
    });
  });
});
