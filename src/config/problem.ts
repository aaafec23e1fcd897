/**
 * Config problems: where (`file`, a dotted path into the YAML) and what, printed as
 * `file:path: message`. Also turns zod issues into problems with messages for a YAML author.
 */
import type { z } from 'zod';
import type { ConfigProblem } from './types.ts';

export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `['workflows', 'support-triage', 'approvers', 1]` -> `workflows.support-triage.approvers[1]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => (p.path === '' ? `${p.file}: ${p.message}` : `${p.file}:${p.path}: ${p.message}`)).join('\n');
}

/** Collects problems for one file. */
export class ProblemList {
  readonly items: ConfigProblem[] = [];
  constructor(readonly file: string) {}

  add(path: readonly PathSegment[], message: string): void {
    this.items.push({ file: this.file, path: formatPath(path), message });
  }

  addZodIssues(base: readonly PathSegment[], error: z.ZodError): void {
    for (const issue of error.issues) {
      const path = [...base, ...(issue.path as PathSegment[])];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) this.add([...path, key], `unknown key "${key}" (check its spelling)`);
      } else {
        this.add(path, issue.message);
      }
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, string> = {
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
  string: 'a text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

/** Zod error map: messages written for the person editing the YAML. */
export const yamlErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${describe(issue.input)}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map((v) => String(v)).join(', ')} (got ${describe(issue.input)})`;
    case 'too_small':
      if (issue.origin === 'array') return `must have at least ${issue.minimum} item(s)`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum} (got ${String(issue.input)})`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${issue.maximum} item(s)`;
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum} (got ${String(issue.input)})`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    default:
      return undefined;
  }
};
