/**
 * Eval suite files (contract: "Eval suite file"): schema, loader and the checks `config check`
 * runs on a suite. Suites are not `${VAR}`-interpolated: their text is test data. Assertions are
 * checked by the scorers' own `validateAssertion`, so config check accepts exactly what runs.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { renderTemplate } from '../core/template.ts';
import { splitType, validateAssertion } from '../evals/scorers/index.ts';
import { compileRegex } from '../evals/scorers/regex.ts';
import { parseYaml } from './yaml.ts';
import { ProblemList, yamlErrorMap, type PathSegment } from './problem.ts';
import type { Assertion, ConfigProblem, EvalCase, EvalSuite } from './types.ts';

export const MIN_CASES = 20;
export const MAX_CASES = 50;

/**
 * The keys each assertion type takes besides `type` and `weight` (the scorers in
 * src/evals/scorers read exactly these), so a misspelt key is caught here. `not-<type>` takes
 * the same keys. Whether the values are right is the scorers' own `validateAssertion`.
 */
const ASSERTION_KEYS: Record<string, readonly string[]> = {
  equals: ['path', 'value'],
  contains: ['value', 'values', 'mode', 'caseInsensitive'],
  regex: ['pattern', 'flags'],
  'json-schema': ['schema'],
  numeric: ['path', 'min', 'max', 'value', 'tolerance'],
  critic: ['rubric'],
  escalation: ['value'],
};

function regexError(pattern: string): string | undefined {
  const c = compileRegex(pattern);
  return c.ok ? undefined : c.error;
}

const messageSchema = z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });

const caseSchema = z
  .strictObject({
    id: z.string().min(1),
    vars: z.record(z.string(), z.unknown()).default({}),
    input: z.string().optional(),
    messages: z.array(messageSchema).min(1).optional(),
    threshold: z.number().min(0).max(1).default(1),
    assert: z.array(z.unknown()).min(1),
  })
  .refine((c) => (c.input === undefined) !== (c.messages === undefined), {
    message: 'needs either input (rendered with the prompt) or messages, not both',
  });

const suiteSchema = z.strictObject({
  repeats: z.number().int().min(1).default(1),
  humanReview: z
    .strictObject({ sample: z.number().int().nonnegative().default(0), required: z.boolean().default(false) })
    .default({ sample: 0, required: false }),
  escalation: z
    .strictObject({ path: z.string().min(1).optional(), regex: z.string().min(1).optional() })
    .refine((e) => (e.path === undefined) !== (e.regex === undefined), { message: 'needs either path or regex' })
    .superRefine((e, ctx) => {
      const error = e.regex === undefined ? undefined : regexError(e.regex);
      if (error) ctx.addIssue({ code: 'custom', path: ['regex'], message: error });
    })
    .default({ path: 'escalate' }),
  cases: z.array(z.unknown()),
});

function parseAssertion(raw: unknown, at: PathSegment[], problems: ProblemList): Assertion | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.add(at, 'must be a mapping like { type: contains, value: ... }');
    return undefined;
  }
  const a = raw as Assertion;
  const problem = validateAssertion(a);
  if (problem !== null) {
    problems.add(at, problem);
    return undefined;
  }
  const allowed = ['type', 'weight', ...(ASSERTION_KEYS[splitType(a.type).base] ?? [])];
  const unknown = Object.keys(a).filter((key) => !allowed.includes(key));
  for (const key of unknown) problems.add([...at, key], `unknown key "${key}" for ${a.type} (allowed: ${allowed.join(', ')})`);
  return unknown.length === 0 ? a : undefined;
}

function parseCase(raw: unknown, at: PathSegment[], problems: ProblemList): EvalCase | undefined {
  const r = caseSchema.safeParse(raw, { error: yamlErrorMap, reportInput: true });
  if (!r.success) {
    problems.addZodIssues(at, r.error);
    // Still look at the assertions, so their problems show up too.
    const assert = (raw as { assert?: unknown } | null)?.assert;
    if (Array.isArray(assert)) assert.forEach((a, i) => parseAssertion(a, [...at, 'assert', i], problems));
    return undefined;
  }
  const assert = r.data.assert.map((a, i) => parseAssertion(a, [...at, 'assert', i], problems));
  if (assert.some((a) => a === undefined)) return undefined;
  const { input, messages, ...rest } = r.data;
  return { ...rest, ...(input !== undefined && { input }), ...(messages !== undefined && { messages }), assert: assert as Assertion[] };
}

/**
 * Reads and validates a suite. `absFile` is read; `displayFile` names it in problems;
 * `relFile` (relative to the config's folder) becomes `EvalSuite.file`.
 */
export function loadSuite(absFile: string, displayFile: string, relFile: string): { suite?: EvalSuite; problems: ConfigProblem[] } {
  const problems = new ProblemList(displayFile);
  let text: string;
  try {
    text = readFileSync(absFile, 'utf8');
  } catch (e) {
    problems.add([], `cannot read the eval suite: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return { problems: problems.items };
  }
  const doc = parseYaml(text, problems);
  if (doc === undefined) return { problems: problems.items };

  const r = suiteSchema.safeParse(doc, { error: yamlErrorMap, reportInput: true });
  if (!r.success) {
    problems.addZodIssues([], r.error);
    const rawCases = (doc as { cases?: unknown } | null)?.cases;
    if (Array.isArray(rawCases)) rawCases.forEach((c, i) => parseCase(c, ['cases', i], problems));
    return { problems: problems.items };
  }
  const { cases: rawCases, ...settings } = r.data;
  if (rawCases.length < MIN_CASES || rawCases.length > MAX_CASES) {
    problems.add(['cases'], `has ${rawCases.length} cases; a suite needs ${MIN_CASES} to ${MAX_CASES}`);
  }
  const cases = rawCases.map((c, i) => parseCase(c, ['cases', i], problems));
  const seen = new Map<string, number>();
  cases.forEach((c, i) => {
    if (!c) return;
    const first = seen.get(c.id);
    if (first !== undefined) problems.add(['cases', i, 'id'], `duplicate case id "${c.id}" (also cases[${first}])`);
    else seen.set(c.id, i);
  });
  // A suite whose cases all parse is returned even with count or id problems, so the checks
  // that need it (template variables) still run; the problems make the config fail anyway.
  if (cases.some((c) => c === undefined)) return { problems: problems.items };
  return { suite: { file: relFile, ...settings, cases: cases as EvalCase[] }, problems: problems.items };
}

/** The variables a template needs that `vars` lacks, as the renderer of prompts sees them. */
export function missingVariables(template: string, vars: Record<string, unknown>): string[] {
  const missing: string[] = [];
  const known: Record<string, unknown> = { ...vars };
  for (let r = renderTemplate(template, known); !r.ok; r = renderTemplate(template, known)) {
    missing.push(r.missing);
    known[r.missing] = '';
  }
  return missing;
}

/** Each case rendered with the prompt must give every variable the prompt and its input use. */
export function checkSuiteVariables(suite: EvalSuite, prompt: string, promptFile: string, displayFile: string): ConfigProblem[] {
  const problems = new ProblemList(displayFile);
  suite.cases.forEach((c, i) => {
    if (c.input === undefined) return;
    const fromPrompt = missingVariables(prompt, c.vars);
    const fromInput = missingVariables(c.input, c.vars).filter((v) => !fromPrompt.includes(v));
    for (const v of fromPrompt) problems.add(['cases', i, 'vars'], `missing variable "${v}" used by ${promptFile}`);
    for (const v of fromInput) problems.add(['cases', i, 'vars'], `missing variable "${v}" used by its input`);
  });
  return problems.items;
}
