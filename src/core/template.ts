/**
 * Prompt and assertion templates: `{{name}}` (spaces inside the braces allowed, dotted names
 * such as `{{order.id}}` reach into objects) is replaced by the variable's value. A missing
 * variable is an error value naming it, never an empty string.
 */

export type RenderResult = { ok: true; text: string } | { ok: false; missing: string };

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}$/;

/** The value of a (possibly dotted) variable name; `found: false` when any step is missing. */
export function lookupVar(vars: Record<string, unknown>, name: string): { found: true; value: unknown } | { found: false } {
  if (Object.hasOwn(vars, name) && vars[name] !== undefined) return { found: true, value: vars[name] };
  let current: unknown = vars;
  for (const key of name.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return { found: false };
    current = (current as Record<string, unknown>)[key];
  }
  return current === undefined ? { found: false } : { found: true, value: current };
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

export function renderTemplate(text: string, vars: Record<string, unknown>): RenderResult {
  let missing: string | null = null;
  const out = text.replace(PLACEHOLDER, (whole, name: string) => {
    const hit = lookupVar(vars, name);
    if (!hit.found) {
      missing ??= name;
      return whole;
    }
    return asText(hit.value);
  });
  return missing === null ? { ok: true, text: out } : { ok: false, missing };
}

/**
 * Like `renderTemplate`, but a string that is exactly one placeholder yields the variable's own
 * value (a number stays a number, an object an object): what an assertion `value` wants.
 */
export function renderValue(value: unknown, vars: Record<string, unknown>): { ok: true; value: unknown } | { ok: false; missing: string } {
  if (typeof value === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(value);
    if (whole) {
      const hit = lookupVar(vars, whole[1]);
      return hit.found ? { ok: true, value: hit.value } : { ok: false, missing: whole[1] };
    }
    const r = renderTemplate(value, vars);
    return r.ok ? { ok: true, value: r.text } : r;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const r = renderValue(item, vars);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return { ok: true, value: out };
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = renderValue(v, vars);
      if (!r.ok) return r;
      out[k] = r.value;
    }
    return { ok: true, value: out };
  }
  return { ok: true, value };
}
