/** Number and time formatting shared by every Card view. */

export const pct = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined || Number.isNaN(x) ? '—' : `${(x * 100).toFixed(digits)}%`;

export const usd = (x: number | null | undefined): string => {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  const a = Math.abs(x);
  if (a === 0) return '$0';
  if (a < 0.01) return `$${x.toFixed(6)}`;
  if (a < 100) return `$${x.toFixed(2)}`;
  return `$${Math.round(x).toLocaleString('en-US')}`;
};

export const num = (x: number | null | undefined, digits = 0): string =>
  x === null || x === undefined || Number.isNaN(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const signedPct = (x: number | null | undefined): string =>
  x === null || x === undefined || Number.isNaN(x) ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

/** "14:02 UTC" (or the date too when not today). */
export function clock(ts: number, now?: number, tz = 'UTC'): string {
  const d = new Date(ts);
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: tz, hour12: false });
  const day = d.toLocaleDateString('en-CA', { timeZone: tz });
  const today = now !== undefined ? new Date(now).toLocaleDateString('en-CA', { timeZone: tz }) : day;
  return day === today ? `${time} ${tz}` : `${day} ${time} ${tz}`;
}

export const stateLabel = (s: string): string => s.replace(/_/g, ' ');

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function ago(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 1) return 'just now';
  if (m < 60) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} days`;
}

/**
 * A number as shown to people (cards, `--json`, audit details): integers as they are; from 1 up,
 * 2 decimals; below 1, 4 significant digits (0.0032460000000000006 → 0.003246, 0.8916666 →
 * 0.8917, 2.9e-6 stays). Stored values keep their precision; only what is shown is rounded.
 */
export function displayNumber(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  if (Math.abs(x) >= 1) return Math.round(x * 100) / 100;
  return Number(x.toPrecision(4));
}

/** `value` with every number in it rounded for display (objects and arrays copied, not changed). */
export function roundForDisplay<T>(value: T): T {
  if (typeof value === 'number') return displayNumber(value) as T;
  if (Array.isArray(value)) return value.map(roundForDisplay) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = roundForDisplay(v);
    return out as T;
  }
  return value;
}
