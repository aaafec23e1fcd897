/** The eval tests' configuration (test/evals/fixtures) copied into a temp dir, gates and suite adjustable per test. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { tempDir } from '../helpers/harness.ts';

export interface FixtureOptions {
  /** Merged into workflows.support-triage.gate. */
  gate?: Record<string, number>;
  /** Replaces the support-triage suite's humanReview. */
  humanReview?: { sample: number; required: boolean };
  /** Keep only the first N cases of the support-triage suite (config check wants ≥ 20). */
  cases?: number;
  /** Drop critic assertions (their calls are not upstream calls of the workflow's model). */
  noCritic?: boolean;
}

/** Returns the path of the copied ai-release.yaml. */
export function exampleConfigCopy(opts: FixtureOptions = {}, dir = tempDir('air-evals-')): string {
  const src = resolve('test/evals/fixtures');
  cpSync(src, dir, { recursive: true });
  const file = join(dir, 'ai-release.yaml');
  const doc = YAML.parse(readFileSync(file, 'utf8'));
  const wf = doc.workflows['support-triage'];
  wf.gate = { ...wf.gate, ...(opts.gate ?? {}) };
  writeFileSync(file, YAML.stringify(doc));
  const suiteFile = join(dir, wf.evals);
  const suite = YAML.parse(readFileSync(suiteFile, 'utf8'));
  if (opts.humanReview) suite.humanReview = opts.humanReview;
  if (opts.cases) suite.cases = suite.cases.slice(0, opts.cases);
  if (opts.noCritic) {
    for (const c of suite.cases) c.assert = c.assert.filter((a: { type: string }) => !/critic$/.test(a.type));
  }
  writeFileSync(suiteFile, YAML.stringify(suite, { aliasDuplicateObjects: false }));
  return file;
}
