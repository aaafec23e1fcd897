/**
 * `json-schema`: the output, read as JSON, is valid against `schema` (ajv 8, all errors
 * reported). Each schema object is compiled once (a WeakMap keyed by the object); a schema that
 * does not compile is a failing result naming the problem. Unknown `format`s are ignored.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { Assertion } from '../../config/types.ts';
import { readOutputJson } from '../json-output.ts';
import type { Outcome, Scorer } from './types.ts';

const OPTIONS = { allErrors: true, strict: false, logger: false } as const;
const shared = new Ajv(OPTIONS);
const compiled = new WeakMap<object, { ok: true; validate: ValidateFunction } | { ok: false; error: string }>();

export function compileSchema(schema: object): { ok: true; validate: ValidateFunction } | { ok: false; error: string } {
  let entry = compiled.get(schema);
  if (!entry) {
    try {
      // A schema with its own $id gets its own instance: two suites may reuse an id.
      const ajv = '$id' in schema ? new Ajv(OPTIONS) : shared;
      entry = { ok: true, validate: ajv.compile(schema) };
    } catch (err) {
      entry = { ok: false, error: `invalid JSON schema: ${(err as Error).message}` };
    }
    compiled.set(schema, entry);
  }
  return entry;
}

export const jsonSchema: Scorer = {
  validate(a: Assertion) {
    if (a.schema === null || typeof a.schema !== 'object' || Array.isArray(a.schema)) return `${a.type}: schema must be an object`;
    const c = compileSchema(a.schema);
    return c.ok ? null : `${a.type}: ${c.error}`;
  },
  score(a, ctx): Outcome {
    const c = compileSchema(a.schema as object);
    if (!c.ok) return { error: c.error };
    const json = readOutputJson(ctx.output);
    if (!json.ok) return { error: 'output is not JSON' };
    if (c.validate(json.value)) return { pass: true, reason: 'output matches the schema' };
    const problems = (c.validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath === '' ? 'output' : `output${e.instancePath}`} ${e.message ?? 'is invalid'}`);
    return { pass: false, reason: `output does not match the schema: ${problems.join('; ')}` };
  },
};
