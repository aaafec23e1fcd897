/** Calendar arithmetic in the configured zone (TZ): budget days and months, digest windows. */

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string): Intl.DateTimeFormat {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    fmtCache.set(tz, f);
  }
  return f;
}

/** "2026-11-25" in `tz`. */
export function dayKey(ts: number, tz = 'UTC'): string {
  return fmt(tz).format(new Date(ts));
}

/** "2026-11" in `tz`. */
export function monthKey(ts: number, tz = 'UTC'): string {
  return dayKey(ts, tz).slice(0, 7);
}

/** The day keys of the `days` days ending with the day of `ts` (oldest first). */
export function lastDays(ts: number, days: number, tz = 'UTC'): string[] {
  const out: string[] = [];
  let t = ts;
  let last = '';
  while (out.length < days) {
    const k = dayKey(t, tz);
    if (k !== last) {
      out.unshift(k);
      last = k;
    }
    t -= 3_600_000; // step by hours so DST days are never skipped
  }
  return out;
}

/** Milliseconds until the next day starts in `tz` (when a daily budget resets). */
export function nextDayStart(ts: number, tz = 'UTC'): number {
  const today = dayKey(ts, tz);
  let t = ts;
  while (dayKey(t, tz) === today) t += 60_000 * 15;
  // back off to the exact quarter-hour boundary minute
  let lo = t - 60_000 * 15;
  while (dayKey(lo, tz) === today) lo += 60_000;
  return lo;
}

/** When the next month starts in `tz`. */
export function nextMonthStart(ts: number, tz = 'UTC'): number {
  const m = monthKey(ts, tz);
  let t = ts;
  while (monthKey(t, tz) === m) t += 86_400_000;
  let lo = t - 86_400_000;
  while (monthKey(lo, tz) === m) lo += 60_000 * 15;
  lo -= 60_000 * 15;
  while (monthKey(lo, tz) === m) lo += 60_000;
  return lo;
}

/** Days in the month of `ts` in `tz`, and which day of it `ts` is. */
export function monthProgress(ts: number, tz = 'UTC'): { day: number; days: number } {
  const [y, m, d] = dayKey(ts, tz).split('-').map(Number) as [number, number, number];
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { day: d, days };
}
