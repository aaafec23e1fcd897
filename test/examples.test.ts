/**
 * The example configuration (examples/ai-release.yaml) and its eval suites, checked on their own
 * (they parse, 20–50 unique cases, no missing template variable, people and approvers enough)
 * and against the mock LLM simulator: the baseline model passes each suite, the weak
 * gpt-4.1-nano fails it clearly and misses more escalations. Scored here with a small local
 * scorer (equals, regex, not-contains, numeric) independent of src/evals.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startMockLlm, type MockLlm } from '../scripts/mock-llm.ts';

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');
const WEAK_MODEL = 'gpt-4.1-nano-2025-04-14';

interface Assertion {
  type: string;
  path?: string;
  value?: unknown;
  values?: string[];
  pattern?: string;
  flags?: string;
  min?: number;
  max?: number;
  tolerance?: number;
  caseInsensitive?: boolean;
  weight?: number;
}
interface Case {
  id: string;
  vars: Record<string, unknown>;
  input?: string;
  messages?: { role: string; content: string }[];
  threshold?: number;
  assert: Assertion[];
}
interface Suite {
  repeats: number;
  escalation: { path?: string; regex?: string };
  cases: Case[];
}
interface WorkflowFile {
  team: string;
  approvers: string[];
  minApprovals?: number;
  authority: string;
  config: { model: string; prompt: string; tools?: { name: string; description?: string; parameters: object; effect: string }[] };
  evals: string;
}

const config = parse(readFileSync(join(EXAMPLES, 'ai-release.yaml'), 'utf8')) as {
  pricing: Record<string, unknown>;
  people: Record<string, { slack?: string; teams?: string; roles?: string[] }>;
  teams: Record<string, { members: string[]; leaders: string[]; channels: { slack?: string; teams?: string } }>;
  workflows: Record<string, WorkflowFile>;
  evalDefaults: { critic: { model: string } };
};
const workflows = Object.entries(config.workflows);
const promptOf = (w: WorkflowFile) => readFileSync(join(EXAMPLES, w.config.prompt), 'utf8');
const suiteOf = (w: WorkflowFile) => parse(readFileSync(join(EXAMPLES, w.evals), 'utf8')) as Suite;

const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;
const variablesOf = (template: string) => [...template.matchAll(VARIABLE)].map((m) => m[1]);
function render(template: string, vars: Record<string, unknown>): string {
  return template.replace(VARIABLE, (_, name: string) => {
    if (!(name in vars)) throw new Error(`missing variable ${name}`);
    return String(vars[name]);
  });
}

// ---- a tiny local scorer -------------------------------------------------------------------

function outputJson(output: string): unknown {
  const attempts = [output, ...[...output.matchAll(/```(?:json)?[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1])];
  for (const text of attempts) {
    try {
      return JSON.parse(text.trim());
    } catch {
      // not this one
    }
  }
  return undefined;
}

function at(value: unknown, path: string): unknown {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
}

/** true/false for the assertion types scored here; undefined for the others (not counted). */
function holds(a: Assertion, output: string): boolean | undefined {
  const negate = a.type.startsWith('not-');
  const type = a.type.replace(/^not-/, '');
  if (!['equals', 'regex', 'contains', 'numeric'].includes(type)) return undefined;
  let target: unknown = output;
  if (a.path !== undefined) {
    const json = outputJson(output);
    if (json === undefined) return false;
    target = at(json, a.path);
  }
  let result: boolean;
  if (type === 'equals') result = JSON.stringify(target) === JSON.stringify(a.value);
  else if (type === 'regex') result = typeof target === 'string' && new RegExp(a.pattern!, a.flags).test(target);
  else if (type === 'contains') {
    const fold = (t: string) => (a.caseInsensitive ? t.toLowerCase() : t);
    result = typeof target === 'string' && (a.values ?? [String(a.value)]).some((v) => fold(target).includes(fold(v)));
  } else if (typeof a.value === 'number') result = typeof target === 'number' && Math.abs(target - a.value) <= (a.tolerance ?? 0);
  else result = typeof target === 'number' && (a.min === undefined || target >= a.min) && (a.max === undefined || target <= a.max);
  // Only contains/regex/equals invert; a numeric or path read that fails stays failed.
  return negate ? !result : result;
}

function passes(c: Case, output: string): boolean {
  let total = 0;
  let held = 0;
  for (const a of c.assert) {
    const ok = holds(a, output);
    if (ok === undefined) continue;
    total += a.weight ?? 1;
    if (ok) held += a.weight ?? 1;
  }
  return total === 0 || held / total >= (c.threshold ?? 1) - 1e-9;
}

/** Whether the case expects an escalation, and whether the output escalated (the suite's rule). */
function expectsEscalation(suite: Suite, c: Case): boolean {
  if (suite.escalation.path) return c.assert.some((a) => a.type === 'equals' && a.path === suite.escalation.path && a.value === true);
  return c.assert.some((a) => a.type === 'regex' && a.pattern !== undefined && a.pattern.includes('NEEDS-REVIEW'));
}
function escalated(suite: Suite, output: string): boolean {
  if (suite.escalation.path) return at(outputJson(output), suite.escalation.path) === true;
  return new RegExp(suite.escalation.regex!).test(output);
}

// ---- the configuration and suites on their own --------------------------------------------

describe('examples/ai-release.yaml', () => {
  it('prices every model it names, the critic included', () => {
    const models = [...workflows.map(([, w]) => w.config.model), config.evalDefaults.critic.model];
    for (const m of models) expect(config.pricing, m).toHaveProperty([m]);
    expect(Object.keys(config.pricing)).toEqual(
      expect.arrayContaining(['gpt-4.1-2025-04-14', 'gpt-4.1-mini-2025-04-14', 'gpt-4.1-nano-2025-04-14', 'gpt-5-2025-08-07', 'o4-mini-2025-04-16']),
    );
  });

  it('gives each workflow minApprovals + 1 known approvers and each team a member', () => {
    for (const [name, w] of workflows) {
      const min = w.minApprovals ?? (w.authority.startsWith('execute') ? 2 : 1);
      expect(w.approvers.length, `${name} approvers`).toBeGreaterThanOrEqual(min + 1);
      for (const p of w.approvers) expect(config.people, `${name} approver ${p}`).toHaveProperty([p]);
      expect(config.teams[w.team]?.members.length, `${name} team ${w.team}`).toBeGreaterThanOrEqual(1);
    }
    for (const [, person] of Object.entries(config.people)) {
      expect(person.slack).toMatch(/^U0[A-Z0-9]+$/);
      if (person.teams) expect(person.teams).toMatch(/^[0-9a-f]{8}-0000-4000-8000-[0-9a-f]{12}$/);
    }
    expect(Object.values(config.people).some((p) => p.roles?.includes('finance'))).toBe(true);
  });

  it('only lets execute-level workflows carry write tools', () => {
    for (const [name, w] of workflows) {
      const writes = (w.config.tools ?? []).filter((t) => t.effect === 'write');
      if (!w.authority.startsWith('execute')) expect(writes, name).toEqual([]);
    }
    expect(config.workflows['gl-coding'].config.tools?.some((t) => t.effect === 'write')).toBe(true);
  });

  describe.each(workflows)('%s', (name, w) => {
    const suite = suiteOf(w);
    const prompt = promptOf(w);

    it('names its workflow on the first line of its prompt (how the simulator recognises it)', () => {
      expect(prompt.split('\n')[0]).toBe(`# ${name}`);
    });

    it('has 20 to 50 cases with unique ids', () => {
      expect(suite.cases.length).toBeGreaterThanOrEqual(20);
      expect(suite.cases.length).toBeLessThanOrEqual(50);
      const ids = suite.cases.map((c) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(suite.repeats).toBe(3);
    });

    it('gives every variable the prompt and each input use', () => {
      const missing: string[] = [];
      for (const c of suite.cases) {
        const used = [...variablesOf(prompt), ...variablesOf(c.input ?? '')];
        for (const v of used) if (!(v in (c.vars ?? {}))) missing.push(`${c.id}: ${v}`);
        if (c.messages) expect(c.messages[0].content, `${c.id} names its workflow`).toMatch(new RegExp(`^# ${name}\\b`));
        else expect(c.input, c.id).toBeTypeOf('string');
      }
      expect(missing).toEqual([]);
    });
  });
});

// ---- the suites against the simulator -------------------------------------------------------

interface Tally {
  runs: number;
  passed: number;
  shouldEscalate: number;
  missedEscalations: number;
}

async function runSuite(llm: MockLlm, w: WorkflowFile, model: string): Promise<Tally> {
  const suite = suiteOf(w);
  const prompt = promptOf(w);
  const tools = (w.config.tools ?? []).map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
  const jobs = suite.cases.flatMap((c) => Array.from({ length: suite.repeats }, () => c));
  const tally: Tally = { runs: 0, passed: 0, shouldEscalate: 0, missedEscalations: 0 };
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const c = jobs[next++];
      const messages = c.messages ?? [
        { role: 'system', content: render(prompt, c.vars) },
        { role: 'user', content: render(c.input!, c.vars) },
      ];
      const res = await fetch(`${llm.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages, temperature: 0, ...(tools.length > 0 && { tools }) }),
      });
      const body = (await res.json()) as { choices?: { message: { content: string | null } }[] };
      const output = res.ok ? (body.choices?.[0]?.message.content ?? '') : '';
      tally.runs++;
      if (res.ok && passes(c, output)) tally.passed++;
      if (expectsEscalation(suite, c)) {
        tally.shouldEscalate++;
        if (!escalated(suite, output)) tally.missedEscalations++;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return tally;
}

describe('the example suites against the mock LLM simulator', () => {
  let llm: MockLlm;
  const results: Record<string, { baseline: Tally; weak: Tally }> = {};

  beforeAll(async () => {
    llm = await startMockLlm({ seed: 7, latencyMs: 0, errorRate: 0, rateLimitRate: 0 });
    for (const [name, w] of workflows) {
      results[name] = { baseline: await runSuite(llm, w, w.config.model), weak: await runSuite(llm, w, WEAK_MODEL) };
    }
  });
  afterAll(() => llm?.close());

  it.each(workflows.map(([name]) => name))('%s: the baseline model passes and gpt-4.1-nano clearly does not', (name) => {
    const { baseline, weak } = results[name];
    const rate = (t: Tally) => t.passed / t.runs;
    expect(baseline.runs).toBe(suiteOf(config.workflows[name]).cases.length * 3);
    expect(rate(baseline), `${name} baseline pass rate`).toBeGreaterThanOrEqual(0.85);
    expect(rate(weak), `${name} nano pass rate`).toBeLessThanOrEqual(rate(baseline) - 0.1);
  });

  it('gpt-4.1-nano misses more escalations than the baseline models', () => {
    const sum = (pick: (r: { baseline: Tally; weak: Tally }) => Tally) =>
      Object.values(results).reduce((n, r) => n + pick(r).missedEscalations, 0);
    const expected = Object.values(results).reduce((n, r) => n + r.baseline.shouldEscalate, 0);
    expect(expected).toBeGreaterThan(30);
    expect(sum((r) => r.weak)).toBeGreaterThan(2 * sum((r) => r.baseline));
  });
});
