/**
 * Reading a model output as JSON, and reading a value out of it by path.
 *
 * An output is JSON when the whole (trimmed) text parses, or else when a fenced block does:
 * the first ```json block, or a bare ``` fence, whose content parses. Fences in other languages
 * are skipped. Paths look like `category`, `a.b[0].c`, optionally starting with `$.`.
 */

export type JsonRead = { ok: true; value: unknown } | { ok: false };

const FENCE = /```[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)```/g;

function tryParse(text: string): JsonRead {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(trimmed) as unknown };
  } catch {
    return { ok: false };
  }
}

let lastOutput: string | null = null;
let lastRead: JsonRead = { ok: false };

export function readOutputJson(output: string): JsonRead {
  if (output === lastOutput) return lastRead;
  let read = tryParse(output);
  if (!read.ok) {
    for (const m of output.matchAll(FENCE)) {
      const lang = m[1].toLowerCase();
      if (lang !== 'json' && lang !== '') continue;
      read = tryParse(m[2]);
      if (read.ok) break;
    }
  }
  lastOutput = output;
  lastRead = read;
  return read;
}

export type PathSegment = string | number;

/** `a.b[0].c` -> `['a', 'b', 0, 'c']`; `a["x y"]` quotes odd keys. An error names the problem. */
/** A problem with an assertion's optional `path` (for validate), or null. */
export function pathProblem(a: { type: string; path?: unknown }): string | null {
  if (a.path === undefined) return null;
  if (typeof a.path !== 'string') return `${a.type}: path must be a string`;
  const p = parsePath(a.path);
  return p.ok ? null : `${a.type}: ${p.error}`;
}

export function parsePath(path: string): { ok: true; segments: PathSegment[] } | { ok: false; error: string } {
  const src = path.startsWith('$.') ? path.slice(2) : path === '$' ? '' : path;
  const segments: PathSegment[] = [];
  const token = /([^.[\]"]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|(\.)/y;
  let state: 'start' | 'afterDot' | 'afterSegment' = 'start';
  let i = 0;
  while (i < src.length) {
    token.lastIndex = i;
    const m = token.exec(src);
    const at = `invalid path "${path}" at character ${i + 1}`;
    if (!m) return { ok: false, error: at };
    if (m[1] !== undefined) {
      if (state === 'afterSegment') return { ok: false, error: `${at}: missing "." before "${m[1]}"` };
      segments.push(m[1]);
    } else if (m[2] !== undefined || m[3] !== undefined) {
      if (state === 'afterDot') return { ok: false, error: `${at}: "[" cannot follow "."` };
      segments.push(m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]) as string));
    } else {
      if (state !== 'afterSegment') return { ok: false, error: `${at}: empty name` };
      state = 'afterDot';
      i = token.lastIndex;
      continue;
    }
    state = 'afterSegment';
    i = token.lastIndex;
  }
  if (state === 'afterDot') return { ok: false, error: `invalid path "${path}": ends with "."` };
  if (segments.length === 0) return { ok: false, error: 'path is empty' };
  return { ok: true, segments };
}

/** The value at `segments`, or `found: false` when a step is missing. */
export function valueAt(root: unknown, segments: readonly PathSegment[]): { found: true; value: unknown } | { found: false } {
  let current = root;
  for (const seg of segments) {
    if (typeof seg === 'number') {
      if (!Array.isArray(current) || seg >= current.length) return { found: false };
      current = current[seg];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, seg)) {
        return { found: false };
      }
      current = (current as Record<string, unknown>)[seg];
    }
  }
  return { found: true, value: current };
}

/** Reads the output as JSON and takes the value at `path` (already known to be valid). */
export function readPath(
  output: string,
  path: string,
): { ok: true; found: true; value: unknown } | { ok: true; found: false } | { ok: false; reason: string } {
  const parsed = parsePath(path);
  if (!parsed.ok) return { ok: false, reason: parsed.error };
  const json = readOutputJson(output);
  if (!json.ok) return { ok: false, reason: 'output is not JSON' };
  const hit = valueAt(json.value, parsed.segments);
  return hit.found ? { ok: true, found: true, value: hit.value } : { ok: true, found: false };
}

/** Short, readable form of a value for reasons (long values are cut). */
export function show(value: unknown, max = 80): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
