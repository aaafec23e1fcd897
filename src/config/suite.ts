/**
 * Eval suite files (contract: "Eval suite file"): schema, loader and the checks `config check`
 * runs on a suite. Suites are not `${VAR}`-interpolated: their text is test data.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { z } from 'zod';
import { parseYaml } from './yaml.ts';
import { ProblemList, yamlErrorMap, type PathSegment } from './problem.ts';
import type { Assertion, ConfigProblem, EvalCase, EvalSuite } from './types.ts';

export const MIN_CASES = 20;
export const MAX_CASES = 50;

export const ASSERTION_TYPES = ['equals', 'contains', 'regex', 'json-schema', 'numeric', 'critic', 'escalation'] as const;
type AssertionType = (typeof ASSERTION_TYPES)[number];

const base = { type: z.string(), weight: z.number().positive().optional() };
const path = z.string().min(1).optional();

/** The fields of each assertion type; `not-<type>` takes the same fields. */
const assertionSchemas: Record<AssertionType, z.ZodType> = {
  equals: z
    .strictObject({ ...base, path, value: z.unknown() })
    .refine((a) => a.value !== undefined, { message: 'needs a value', path: ['value'] }),
  contains: z
    .strictObject({ ...base, path, value: z.string().optional(), values: z.array(z.string()).min(1).optional() })
    .refine((a) => (a.value === undefined) !== (a.values === undefined), {
      message: 'needs either value (one text) or values (a list of texts)',
    }),
  regex: z
    .strictObject({ ...base, path, pattern: z.string().min(1), flags: z.string().regex(/^[dgimsuvy]*$/).optional() })
    .superRefine((a, ctx) => {
      const error = regexError(a.pattern, a.flags);
      if (error) ctx.addIssue({ code: 'custom', path: ['pattern'], message: `is not a valid regular expression: ${error}` });
    }),
  'json-schema': z.strictObject({ ...base, path, schema: z.record(z.string(), z.unknown()) }).superRefine((a, ctx) => {
    const error = jsonSchemaError(a.schema);
    if (error) ctx.addIssue({ code: 'custom', path: ['schema'], message: `is not a valid JSON schema: ${error}` });
  }),
  numeric: z
    .strictObject({ ...base, path, min: z.number().optional(), max: z.number().optional() })
    .refine((a) => a.min !== undefined || a.max !== undefined, { message: 'needs min, max or both' })
    .refine((a) => a.min === undefined || a.max === undefined || a.min <= a.max, { message: 'min is above max' }),
  critic: z.strictObject({ ...base, rubric: z.string().min(1) }),
  escalation: z.strictObject({ ...base, value: z.boolean().optional() }),
};

function regexError(pattern: string, flags?: string): string | undefined {
  try {
    new RegExp(pattern, flags);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const ajv = new Ajv({ strict: false, allErrors: true });
function jsonSchemaError(schema: Record<string, unknown>): string | undefined {
  try {
    ajv.compile(schema);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
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
      if (error) ctx.addIssue({ code: 'custom', path: ['regex'], message: `is not a valid regular expression: ${error}` });
    })
    .default({ path: 'escalate' }),
  cases: z.array(z.unknown()),
});

function parseAssertion(raw: unknown, at: PathSegment[], problems: ProblemList): Assertion | undefined {
  const type = (raw as { type?: unknown } | null)?.type;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.add(at, 'must be a mapping like { type: contains, value: ... }');
    return undefined;
  }
  const baseType = typeof type === 'string' ? type.replace(/^not-/, '') : undefined;
  if (baseType === undefined || !(ASSERTION_TYPES as readonly string[]).includes(baseType)) {
    problems.add([...at, 'type'], `must be one of ${ASSERTION_TYPES.join(', ')}, optionally prefixed not- (got ${JSON.stringify(type)})`);
    return undefined;
  }
  const r = assertionSchemas[baseType as AssertionType].safeParse(raw, { error: yamlErrorMap, reportInput: true });
  if (!r.success) {
    problems.addZodIssues(at, r.error);
    return undefined;
  }
  return r.data as Assertion;
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

const TEMPLATE_VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** The `{{name}}` variables a template uses, in order of first use. */
export function templateVariables(template: string): string[] {
  return [...new Set([...template.matchAll(TEMPLATE_VARIABLE)].map((m) => m[1]))];
}

/** Each case rendered with the prompt must give every variable the prompt and its input use. */
export function checkSuiteVariables(suite: EvalSuite, prompt: string, promptFile: string, displayFile: string): ConfigProblem[] {
  const problems = new ProblemList(displayFile);
  const promptVars = templateVariables(prompt);
  suite.cases.forEach((c, i) => {
    if (c.input === undefined) return;
    const missing = [...promptVars.map((v) => ({ v, from: promptFile })), ...templateVariables(c.input).map((v) => ({ v, from: 'its input' }))]
      .filter(({ v }) => !(v in c.vars))
      .filter(({ v }, j, all) => all.findIndex((x) => x.v === v) === j);
    for (const { v, from } of missing) problems.add(['cases', i, 'vars'], `missing variable "${v}" used by ${from}`);
  });
  return problems.items;
}
