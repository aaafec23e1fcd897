/**
 * `${VAR}` interpolation of every string value of the parsed YAML tree from the environment
 * (`$${` writes a literal `${`). An unset variable is reported with the path it was found at;
 * the caller decides which paths may stay unset (`providers.*.baseUrl`).
 */
import type { PathSegment } from './problem.ts';

export interface UnsetVariable {
  path: PathSegment[];
  variable: string;
}

export interface Interpolated {
  value: unknown;
  unset: UnsetVariable[];
}

const REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces `${VAR}` in one string; returns the names of unset variables it met. */
export function interpolateString(text: string, env: Record<string, string | undefined>): { text: string; unset: string[] } {
  const unset: string[] = [];
  const out = text.replace(REFERENCE, (whole, escaped: string, name: string) => {
    if (escaped) return whole.slice(1);
    const value = env[name];
    if (value === undefined) {
      unset.push(name);
      return '';
    }
    return value;
  });
  return { text: out, unset };
}

export function interpolateTree(tree: unknown, env: Record<string, string | undefined>): Interpolated {
  const unset: UnsetVariable[] = [];
  const walk = (node: unknown, path: PathSegment[]): unknown => {
    if (typeof node === 'string') {
      const r = interpolateString(node, env);
      for (const variable of r.unset) unset.push({ path, variable });
      return r.text;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) out[key] = walk(value, [...path, key]);
      return out;
    }
    return node;
  };
  return { value: walk(tree, []), unset };
}
