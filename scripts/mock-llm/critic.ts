/**
 * The simulated evaluation critic. The critic scorer sends a system message starting with
 * "You are an evaluation critic." and a user message with `RUBRIC:` and `OUTPUT:` sections; the
 * simulator judges with plain heuristics and answers `{"pass", "score", "reason"}` as strict JSON,
 * except about 1 answer in 50 that is not JSON at all, so the scorer's retry gets exercised.
 */
import { detectLanguage } from './text.ts';
import type { Random } from './random.ts';

export const CRITIC_MARKER = 'You are an evaluation critic.';

export function isCriticRequest(system: string): boolean {
  return system.trimStart().startsWith(CRITIC_MARKER);
}

export interface CriticVerdict {
  pass: boolean;
  score: number;
  reason: string;
}

const PROMISES = /\b(guarantee[sd]?|guaranteeing|risk[- ]free|100\s?%)/i;
const INSULTS = /\b(idiots?|stupid|morons?|dumb|garbage|crap|clunky|pathetic|shut up)\b/i;
const NEGATION = /\b(not|never|no|without|avoid|avoids|avoiding|free of)\b[^"“”]*$/i;
const LANGUAGE_NAMES = { es: 'spanish', de: 'german', ja: 'japanese' } as const;

/** The RUBRIC and OUTPUT sections of the critic's user message. */
export function criticSections(user: string): { rubric: string; output: string } {
  const rubricAt = user.search(/RUBRIC:/);
  const outputAt = user.search(/OUTPUT:/);
  if (rubricAt < 0 || outputAt < 0) return { rubric: user, output: '' };
  const [first, second] = rubricAt < outputAt ? [rubricAt, outputAt] : [outputAt, rubricAt];
  const a = user.slice(first, second);
  const b = user.slice(second);
  const strip = (s: string) => s.replace(/^(RUBRIC|OUTPUT):\s*/, '').trim();
  return rubricAt < outputAt ? { rubric: strip(a), output: strip(b) } : { rubric: strip(b), output: strip(a) };
}

export function judge(rubric: string, output: string): CriticVerdict {
  const problems: string[] = [];
  const text = output.replace(/^```(?:json)?\s*|\s*```$/g, '').trim();
  if (text === '' || text === '""' || text === '{}') problems.push('the output is empty');
  if (/promis|guarantee|claim|compliant|honest/i.test(rubric) && PROMISES.test(text)) {
    problems.push(`the output makes a forbidden promise ("${text.match(PROMISES)?.[0]}")`);
  }
  if (/polite|professional|respectful|courteous|tone|competitor/i.test(rubric) && INSULTS.test(text)) {
    problems.push(`the tone is not professional ("${text.match(INSULTS)?.[0]}")`);
  }
  // A quoted term is required unless its clause negates it ("never mentions "X"", "no "Y" or "Z"").
  let previousEnd = 0;
  let negated = false;
  for (const m of rubric.matchAll(/["“]([^"”]{1,80})["”]/g)) {
    const term = m[1];
    const between = rubric.slice(previousEnd, m.index);
    if (!/^\s*(,|or|and|nor)?\s*$/i.test(between) || previousEnd === 0) negated = NEGATION.test(between.split(/[,;.:!?]/).pop() ?? '');
    previousEnd = (m.index ?? 0) + m[0].length;
    const present = text.toLowerCase().includes(term.toLowerCase());
    if (negated && present) problems.push(`the output contains "${term}", which the rubric rules out`);
    if (!negated && !present) problems.push(`the output does not mention "${term}"`);
  }
  const language = rubric.match(/\bin (Spanish|German|Japanese)\b/i)?.[1]?.toLowerCase();
  if (language) {
    const actual = detectLanguage(text);
    if (actual === 'en' || LANGUAGE_NAMES[actual] !== language) problems.push(`the output is not written in ${language}`);
  }
  if (/\bshort|concise|brief\b/i.test(rubric) && text.length > 1200) problems.push('the output is not short');
  if (problems.length === 0) {
    return { pass: true, score: text.length > 2000 ? 0.85 : 0.95, reason: 'The output meets every point of the rubric.' };
  }
  return { pass: false, score: Math.max(0, 0.4 - 0.15 * (problems.length - 1)), reason: problems.join('; ') + '.' };
}

/** The critic's message content: strict JSON, or (1 in 50) a chatty non-JSON reply. */
export function criticReply(user: string, random: Random): string {
  const { rubric, output } = criticSections(user);
  const verdict = judge(rubric, output);
  if (random.chance(0.02)) return `Verdict: ${verdict.pass ? 'PASS' : 'FAIL'}. ${verdict.reason}`;
  return JSON.stringify(verdict);
}
