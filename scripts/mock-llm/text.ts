/** Reading user text the way the simulator's oracles need: keywords, numbers, languages. */

/** Case-insensitive test of any pattern; strings match as whole words (or anywhere for CJK). */
export function matchesAny(text: string, patterns: readonly (string | RegExp)[]): boolean {
  return patterns.some((p) => matches(text, p));
}

export function countMatches(text: string, patterns: readonly (string | RegExp)[]): number {
  return patterns.filter((p) => matches(text, p)).length;
}

function matches(text: string, p: string | RegExp): boolean {
  if (typeof p !== 'string') return p.test(text);
  if (/[^\u0000-\u024f]/.test(p)) return text.includes(p);
  let re = WORD_PATTERNS.get(p);
  if (!re) {
    // Latin words also match their plural (error -> errors, fee -> fees).
    re = new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(p)}(s|es)?($|[^\\p{L}\\p{N}])`, 'iu');
    WORD_PATTERNS.set(p, re);
  }
  return re.test(text);
}

const WORD_PATTERNS = new Map<string, RegExp>();

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Phrases that try to give the model instructions from inside the data it is reading. */
const INJECTION = [
  /ignor(e|ing) (all |any |the |your )?(previous|prior|above|earlier|system)? ?(instructions|rules|prompts?|policy|chart of accounts)/i,
  /disregard (all |any |the |your )?(previous |prior |above )?(instructions|rules|policy|guidelines)/i,
  /\b(new|updated) instructions\s*:/i,
  /(^|\n)\s*(system|assistant)\s*:/i,
  /\byou are now\b/i,
  /\bAI (assistants?|models?) reading this\b/i,
  /ignora (todas )?las instrucciones/i,
  /ignoriere (alle )?(vorherigen |bisherigen )?(anweisungen|regeln)/i,
  /(以前|前)の指示を無視/,
];

export function hasInjection(text: string): boolean {
  return INJECTION.some((p) => p.test(text));
}

/** The text without the sentences that carry injected instructions. */
export function withoutInjection(text: string): string {
  return splitSentences(text)
    .filter((s) => !hasInjection(s))
    .join(' ');
}

export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?。！？]['"”’)]*)\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export type Language = 'en' | 'es' | 'de' | 'ja';

/** A rough guess of the language a text is written in. */
export function detectLanguage(text: string): Language {
  if (/[\u3040-\u30ff\u4e00-\u9faf]/.test(text)) return 'ja';
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  const es = words.filter((w) => ES_WORDS.has(w)).length + (/[ñ¿¡]/.test(text) ? 2 : 0);
  const de = words.filter((w) => DE_WORDS.has(w)).length + (/[ßäöü]/.test(text) ? 1 : 0);
  const en = words.filter((w) => EN_WORDS.has(w)).length;
  if (es > en && es >= de && es >= 2) return 'es';
  if (de > en && de > es && de >= 2) return 'de';
  return 'en';
}

const ES_WORDS = new Set(['el', 'la', 'los', 'las', 'de', 'que', 'y', 'en', 'un', 'una', 'por', 'para', 'con', 'mi', 'me', 'no', 'es', 'su', 'del', 'al', 'lo', 'pero', 'está', 'dos', 'veces']);
const DE_WORDS = new Set(['der', 'die', 'das', 'und', 'ist', 'nicht', 'ich', 'mein', 'meine', 'sie', 'ein', 'eine', 'mit', 'von', 'zu', 'den', 'seit', 'wurde', 'bitte', 'für', 'auf', 'kann']);
const EN_WORDS = new Set(['the', 'and', 'is', 'not', 'i', 'my', 'you', 'a', 'to', 'of', 'it', 'in', 'for', 'with', 'was', 'this', 'have', 'please', 'can', 'on']);

/**
 * A number as people write it: `$1,234.56`, `1.234,56 €`, `1e12`, `$1.2M`, `950K`, `12.5%`,
 * `¥120,000`, `(500)` for a negative. Undefined when there is no number.
 */
export function parseNumber(raw: string): number | undefined {
  let text = raw.trim();
  if (text === '') return undefined;
  let sign = 1;
  if (/^\(.*\)$/.test(text)) {
    sign = -1;
    text = text.slice(1, -1);
  }
  const m = text.match(/(-|−)?\s*[$€£¥]?\s*(\d[\d.,' ]*\d|\d)(\s*[eE][+-]?\d+)?\s*(k|m|mm|bn|b|million|billion|thousand|%)?(?![a-z])/i);
  if (!m) return undefined;
  if (m[1]) sign = -sign;
  let digits = m[2].replace(/[' ]/g, '');
  const lastComma = digits.lastIndexOf(',');
  const lastDot = digits.lastIndexOf('.');
  if (lastComma >= 0 && lastDot >= 0) {
    digits = lastComma > lastDot ? digits.replace(/\./g, '').replace(',', '.') : digits.replace(/,/g, '');
  } else if (lastComma >= 0) {
    digits = /^\d{1,3}(,\d{3})+$/.test(digits) ? digits.replace(/,/g, '') : digits.replace(',', '.');
  } else if (/^\d{1,3}(\.\d{3}){2,}$/.test(digits)) {
    digits = digits.replace(/\./g, '');
  }
  let value = Number(digits + (m[3] ? m[3].replace(/\s/g, '') : ''));
  if (!Number.isFinite(value)) return undefined;
  const unit = (m[4] ?? '').toLowerCase();
  if (unit === 'k' || unit === 'thousand') value *= 1e3;
  else if (unit === 'm' || unit === 'mm' || unit === 'million') value *= 1e6;
  else if (unit === 'b' || unit === 'bn' || unit === 'billion') value *= 1e9;
  return sign * value;
}

/** The value of a `Label: value` line (the last one wins), or undefined when absent. */
export function field(text: string, ...labels: string[]): string | undefined {
  let found: string | undefined;
  for (const label of labels) {
    const re = new RegExp(`^[ \\t]*${escapeRegExp(label)}[ \\t]*(?:\\([^)\\n]*\\))?[ \\t]*:[ \\t]*(.*)$`, 'gim');
    for (const m of text.matchAll(re)) found = m[1].trim();
  }
  return found;
}

/** Money amounts in a text, as USD at the rough rates the example prompts state. */
export function moneyAmountsUsd(text: string): number[] {
  const out: number[] = [];
  const re = /(USD|EUR|GBP|JPY|US\$|[$€£¥])\s?(\d[\d.,]*(?:\s?[kKmM]\b)?)|(\d[\d.,]*)\s?(USD|EUR|GBP|JPY|dollars|euros?|€|円|yen)/g;
  for (const m of text.matchAll(re)) {
    const currency = (m[1] ?? m[4] ?? '$').toUpperCase();
    const value = parseNumber(m[2] ?? m[3] ?? '');
    if (value !== undefined) out.push(value * usdRate(currency));
  }
  return out;
}

export function usdRate(currency: string): number {
  const c = currency.trim().toUpperCase();
  if (c === 'EUR' || c === '€' || c.startsWith('EURO')) return 1.08;
  if (c === 'GBP' || c === '£') return 1.27;
  if (c === 'JPY' || c === '¥' || c === '円' || c === 'YEN') return 0.0066;
  if (c === 'CAD') return 0.73;
  return 1;
}
