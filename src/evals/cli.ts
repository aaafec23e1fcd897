/**
 * `ai-release eval run <workflow> [--candidate-model M] [--json] [--no-cache] [--report FILE.md|FILE.html]`
 * for CI: baseline = the live stable config (the file's config when the store has none yet),
 * candidate = the stable config with its model swapped, or the file's config. Prints the
 * verdict card (or its JSON), writes the report, and exits 0 pass, 1 fail, 4 needs cost
 * approval, 2 usage. Unchanged re-runs come from the cache and spend nothing (`--no-cache`
 * bypasses it). Every call leaves an eval receipt.
 */
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Settings } from '../app.ts';
import { openApp } from '../app.ts';
import { EXIT } from '../chat/executor.ts';
import type { CliIo } from '../cli/main.ts';
import { print, takeFlag } from '../cli/main.ts';
import type { ReleaseConfig } from '../config/types.ts';
import type { Card } from '../core/card.ts';
import { configHash } from '../core/canonical.ts';
import { computeGateVerdict, type GateVerdict } from '../core/gate.ts';
import { isPinnedModel } from '../core/pinning.ts';
import { verdictBlocks } from '../core/views/release.ts';
import { usageCard } from '../core/views/common.ts';
import { closeUpstreams, sharedUpstreams } from '../gateway/upstream.ts';
import { ProviderTargets } from '../services/providers.ts';
import { EvalCache } from './cache.ts';
import { writeEvalSpend } from './eval-store.ts';
import { htmlReport, markdownReport, type ReportInput } from './report.ts';
import { runSuite } from './runner.ts';
import { criticFor } from './setup.ts';

export const EVAL_RUN_USAGE = 'usage: ai-release eval run <workflow> [--candidate-model M] [--json] [--no-cache] [--report FILE.md|FILE.html]';

function usageError(io: CliIo, json: boolean, message: string): number {
  print(io, [usageCard(message, EVAL_RUN_USAGE)], json, true);
  return EXIT.usage;
}

export function exitCodeOf(outcome: GateVerdict['outcome']): number {
  return outcome === 'pass' ? EXIT.ok : outcome === 'needs_cost_approval' ? EXIT.costApproval : EXIT.failed;
}

function progressBar(io: CliIo, json: boolean): ((done: number, total: number) => void) | undefined {
  if (json || io.env.CI || !process.stderr.isTTY) return undefined;
  let last = -1;
  return (done, total) => {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    if (filled === last && done !== total) return;
    last = filled;
    process.stderr.write(`\r  evals [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

export async function evalRunCli(argv: string[], opts: { settings: Settings; io: CliIo; json: boolean }): Promise<number> {
  const { io, json } = opts;
  const cm = takeFlag(argv, 'candidate-model');
  const nc = takeFlag(cm.rest, 'no-cache', true);
  const rp = takeFlag(nc.rest, 'report');
  const rest = rp.rest;
  if (rest[0] !== 'run' || rest.length !== 2 || rest[1]!.startsWith('--')) {
    const unknown = rest.find((a) => a.startsWith('--'));
    return usageError(io, json, unknown ? `unknown flag ${unknown}` : 'eval run needs exactly one workflow');
  }
  if (cm.value === true || cm.value === '') return usageError(io, json, '--candidate-model needs a model id');
  if (rp.value === true || rp.value === '') return usageError(io, json, '--report needs a file name ending in .md or .html');
  const reportFile = typeof rp.value === 'string' ? rp.value : undefined;
  const KINDS: Record<string, 'md' | 'html'> = { '.md': 'md', '.markdown': 'md', '.html': 'html', '.htm': 'html' };
  const reportKind = reportFile ? KINDS[extname(reportFile).toLowerCase()] : undefined;
  if (reportFile && !reportKind) return usageError(io, json, `--report ${reportFile}: the file must end in .md or .html`);
  const name = rest[1]!;

  const app = await openApp(opts.settings, { env: io.env });
  let mock: { url: string; close(): Promise<void> } | null = null;
  try {
    const { ctx } = app;
    const wf = ctx.config.workflows[name];
    if (!wf) return usageError(io, json, `unknown workflow "${name}" (known: ${Object.keys(ctx.config.workflows).join(', ')})`);

    const live = await ctx.store.workflows.get(wf.name);
    const stored = live ? await ctx.store.configs.get(live.stableHash) : undefined;
    const baseline: ReleaseConfig = stored?.config ?? wf.config;
    let candidate: ReleaseConfig;
    const model = typeof cm.value === 'string' ? cm.value : undefined;
    if (model !== undefined) {
      if (!ctx.config.pricing[model]) return usageError(io, json, `model "${model}" has no price in the configuration's pricing table`);
      if (!isPinnedModel(model) && !baseline.allowFloating)
        return usageError(io, json, `model "${model}" is not pinned: name a dated or versioned model id (e.g. gpt-4.1-2025-04-14)`);
      candidate = { ...structuredClone(baseline), model };
    } else candidate = wf.config;

    const probe = new ProviderTargets(() => ctx.config, null);
    if (probe.needsMock()) {
      const { startMockLlm } = await import('../../scripts/mock-llm.ts');
      mock = await startMockLlm({ port: 0, host: '127.0.0.1', seed: Number(io.env.MOCK_LLM_SEED ?? 42) });
      io.err(`upstream: the built-in MOCK LLM (a simulator) serves provider(s) ${probe.mocked().join(', ')} — set OPENAI_BASE_URL for a real one`);
    }
    const targets = new ProviderTargets(() => ctx.config, mock?.url ?? null);
    const target = (p: string) => targets.get(p);
    const bHash = configHash(baseline);
    const cHash = configHash(candidate);
    const cache = nc.value === true ? null : await EvalCache.load(ctx.store, wf.evals, [bHash, cHash]);

    const run = await runSuite({
      suite: wf.evals,
      variants: [
        { variant: 'baseline', config: baseline, hash: bHash },
        { variant: 'candidate', config: candidate, hash: cHash },
      ],
      pricing: ctx.config.pricing,
      target,
      upstreams: sharedUpstreams(),
      concurrency: ctx.config.evalDefaults.concurrency,
      timeoutMs: ctx.config.evalDefaults.timeoutMs,
      critic: criticFor(ctx.config, target),
      cache,
      now: ctx.now,
      onProgress: progressBar(io, json),
    });
    await ctx.store.tx(async (t) => {
      await writeEvalSpend(
        t,
        { workflow: wf.name, team: wf.team, releaseId: null, priceVersion: ctx.config.priceVersion, tz: opts.settings.tz, critic: ctx.config.evalDefaults.critic },
        run.calls,
        run.critic,
      );
      await cache?.put(t, run.fresh, ctx.now());
    });
    const verdict = computeGateVerdict(wf.gate, run.baseline, run.candidate);

    if (reportFile && reportKind) {
      const input: ReportInput = {
        workflow: wf.name,
        baseline: { hash: bHash, model: baseline.model },
        candidate: { hash: cHash, model: candidate.model },
        verdict,
        baselineRuns: run.baseline,
        candidateRuns: run.candidate,
        stats: run.stats,
        generatedAt: ctx.now(),
      };
      try {
        writeFileSync(reportFile, reportKind === 'html' ? htmlReport(input) : markdownReport(input));
      } catch (e) {
        io.err(`could not write the report ${reportFile}: ${(e as Error).message}`);
        return EXIT.failed;
      }
    }

    const card = verdictCard(wf.name, { hash: bHash, model: baseline.model }, { hash: cHash, model: candidate.model }, verdict, run.stats, reportFile);
    print(io, [card], json);
    return exitCodeOf(verdict.outcome);
  } finally {
    await closeUpstreams();
    await mock?.close();
    await app.close();
  }
}

function verdictCard(
  workflow: string,
  b: { hash: string; model: string },
  c: { hash: string; model: string },
  verdict: GateVerdict,
  stats: { runs: number; cachedRuns: number; upstreamCalls: number; evalCostUsd: number; criticCostUsd: number },
  reportFile: string | undefined,
): Card {
  const tone = verdict.outcome === 'pass' ? 'success' : verdict.outcome === 'fail' ? 'danger' : 'warning';
  return {
    kind: 'release',
    title: `Eval gate · ${workflow}: ${verdict.outcome.replace(/_/g, ' ')}`,
    tone,
    blocks: [
      { type: 'fields', fields: [{ label: 'Baseline', value: `${b.model} (${b.hash})` }, { label: 'Candidate', value: `${c.model} (${c.hash})` }] },
      ...verdictBlocks(verdict),
      {
        type: 'context',
        text:
          `${stats.runs} runs, ${stats.cachedRuns} from the cache, ${stats.upstreamCalls} upstream calls · eval spend $${stats.evalCostUsd.toFixed(4)}` +
          ` + critic $${stats.criticCostUsd.toFixed(4)}${reportFile ? ` · report: ${reportFile}` : ''}`,
      },
    ],
    ref: { workflow },
    data: { workflow, ...verdict, configs: { baseline: b, candidate: c }, stats, ...(reportFile ? { report: reportFile } : {}) },
  };
}
