/**
 * Canonical JSON (object keys sorted at every depth, `undefined` dropped as JSON does) and the
 * hashes built on it: the release config hash and the price-table version.
 */
import { createHash } from 'node:crypto';
import type { Price, ReleaseConfig } from '../config/types.ts';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `cfg_` + the first 12 hex digits of sha256 of the config's canonical JSON. */
export function configHash(cfg: ReleaseConfig): string {
  return `cfg_${sha256Hex(canonicalJson(cfg)).slice(0, 12)}`;
}

/** The first 12 hex digits of sha256 of the canonical price table: stored on every receipt. */
export function priceVersion(pricing: Record<string, Price>): string {
  return sha256Hex(canonicalJson(pricing)).slice(0, 12);
}
