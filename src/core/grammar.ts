/**
 * The one command grammar: Slack `/ai-release <text>`, Teams mentions, the CLI's argv, the
 * console's command box and button clicks all parse through here into a `Command`, and
 * `formatCommand` writes a Command back as the text that parses to it.
 */
import { RELEASE_ID_RE, VERBS, type Command, type ParamValue, type ParseResult, type Verb, type VoteChoice } from './command.ts';
import { usage, verbList } from './help.ts';

export { usage, helpText } from './help.ts';

// ---------------------------------------------------------------------------------------------
// Tokens

const DOUBLE_QUOTES = new Set(['"', '\u201C', '\u201D']); // " “ ”
const SINGLE_QUOTES = new Set(["'", '\u2018', '\u2019']); // ' ‘ ’
const SPACE = /\s/;
const WORD_CHAR = /[\p{L}\p{N}]/u;

export type TokenizeResult = { ok: true; tokens: string[] } | { ok: false; message: string };

/**
 * Shell-like splitting: whitespace separates words; "double" and 'single' quotes (also the
 * typographic “ ” ‘ ’ that Slack, Teams and macOS substitute) group. Inside double quotes a
 * backslash escapes a quote or a backslash. A single quote inside a word (`don’t`) is an
 * apostrophe, not a quote. An unclosed quote is an error.
 */
export function tokenize(text: string): TokenizeResult {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (SPACE.test(ch)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
      i++;
      continue;
    }
    const opensSingle = SINGLE_QUOTES.has(ch) && (!inToken || current.endsWith('='));
    if (DOUBLE_QUOTES.has(ch) || opensSingle) {
      const double = DOUBLE_QUOTES.has(ch);
      const start = i;
      i++;
      let closed = false;
      while (i < text.length) {
        const c = text[i]!;
        if (double && c === '\\' && i + 1 < text.length) {
          const next = text[i + 1]!;
          if (next === '\\' || DOUBLE_QUOTES.has(next)) {
            current += next;
            i += 2;
            continue;
          }
        }
        const closes = double
          ? DOUBLE_QUOTES.has(c)
          : SINGLE_QUOTES.has(c) && !(i + 1 < text.length && WORD_CHAR.test(text[i + 1]!));
        if (closes) {
          closed = true;
          i++;
          break;
        }
        current += c;
        i++;
      }
      if (!closed) return { ok: false, message: `unclosed quote: ${shorten(text.slice(start), 40)}` };
      inToken = true;
      continue;
    }
    current += ch;
    inToken = true;
    i++;
  }
  if (inToken) tokens.push(current);
  return { ok: true, tokens };
}

const BARE_TOKEN = /^[A-Za-z0-9_.,:@/+=%#-]+$/;

/** A token written so that `tokenize` gives it back unchanged. */
function quoteToken(token: string): string {
  if (BARE_TOKEN.test(token)) return token;
  let out = '"';
  for (const ch of token) out += ch === '\\' || DOUBLE_QUOTES.has(ch) ? `\\${ch}` : ch;
  return out + '"';
}

// ---------------------------------------------------------------------------------------------
// Values

const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const PARAM_KEY = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const PROMPT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]*$/;
const FLAG = /^--([A-Za-z][A-Za-z0-9-]*)(?:=([\s\S]*))?$/;
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const INTEGER_LITERAL = /^[-+]?\d+$/;
const WHOLE = /^\d{1,9}$/;
const INVOCATION = /^[/@]?ai-release$/i;
const HELP_FLAGS = new Set(['--help', '-h']);

const VOTE_CHOICES: Record<string, VoteChoice> = {
  candidate: 'candidate',
  baseline: 'baseline',
  tie: 'tie',
  up: 'candidate',
  down: 'baseline',
};

/** A value as a usage message shows it: quoted, control characters escaped, long ones cut. */
function show(value: string): string {
  return JSON.stringify(shorten(value, 60));
}

function shorten(value: string, max: number): string {
  const chars = [...value];
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : value;
}

function isFlag(token: string): boolean {
  return FLAG.test(token);
}

function releaseId(raw: string): string | undefined {
  const m = RELEASE_ID_RE.exec(raw);
  return m ? `REL-${m[1]!.replace(/^0+(?=\d)/, '')}` : undefined;
}

function wholeNumber(raw: string, min: number, max: number): number | undefined {
  if (!WHOLE.test(raw)) return undefined;
  const n = Number(raw);
  return n >= min && n <= max ? n : undefined;
}

/** `--param` values: numbers, booleans and null are typed; everything else stays a string. */
function paramValue(raw: string): ParamValue {
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (NUMBER.test(raw)) {
    const n = Number(raw);
    const exact = !INTEGER_LITERAL.test(raw) || Number.isSafeInteger(n);
    if (Number.isFinite(n) && exact) return n === 0 ? 0 : n;
  }
  return raw;
}

function formatParamValue(value: ParamValue): string {
  return value === null ? 'null' : String(value);
}

// ---------------------------------------------------------------------------------------------
// Verbs: their positional arguments and flags

type Slot = 'topic' | 'workflow' | 'target' | 'pair' | 'choice';
type FlagName = 'model' | 'prompt' | 'param' | 'reason' | 'team' | 'workflow' | 'days' | 'limit' | 'from';

interface Positional {
  slot: Slot;
  /** as the usage line names it */
  name: string;
  optional?: boolean;
}

interface VerbSpec {
  positionals: Positional[];
  flags: FlagName[];
}

const TARGET: Positional = { slot: 'target', name: '<release>' };
const SPECS: Record<Verb, VerbSpec> = {
  help: { positionals: [{ slot: 'topic', name: '[command]', optional: true }], flags: [] },
  status: { positionals: [{ slot: 'workflow', name: '[workflow]', optional: true }], flags: ['from'] },
  request: { positionals: [{ slot: 'workflow', name: '<workflow>' }], flags: ['model', 'prompt', 'param', 'reason'] },
  evals: { positionals: [{ slot: 'target', name: '<workflow|release>' }], flags: [] },
  approve: { positionals: [TARGET], flags: [] },
  reject: { positionals: [TARGET], flags: ['reason'] },
  promote: { positionals: [{ slot: 'target', name: '<release|workflow>' }], flags: [] },
  rollback: { positionals: [{ slot: 'target', name: '<release|workflow>' }], flags: ['reason'] },
  pause: { positionals: [TARGET], flags: [] },
  resume: { positionals: [TARGET], flags: [] },
  cancel: { positionals: [TARGET], flags: [] },
  override: { positionals: [TARGET], flags: ['reason'] },
  ack: { positionals: [TARGET], flags: [] },
  vote: {
    positionals: [TARGET, { slot: 'pair', name: '<pair-number>' }, { slot: 'choice', name: '<candidate|baseline|tie>' }],
    flags: [],
  },
  review: { positionals: [TARGET], flags: ['from'] },
  spend: { positionals: [], flags: ['team', 'workflow', 'days', 'from'] },
  receipts: { positionals: [{ slot: 'workflow', name: '<workflow>' }], flags: ['limit', 'from'] },
  audit: { positionals: [{ slot: 'target', name: '<workflow|release>' }], flags: ['limit', 'from'] },
};

function isVerb(word: string): word is Verb {
  return (VERBS as readonly string[]).includes(word);
}

class UsageError {
  constructor(readonly message: string) {}
}

function fail(verb: Verb, message: string): ParseResult {
  return { ok: false, verb, message, usage: usage(verb) };
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Parses one command line as typed in Slack, Teams or the console. Never throws. */
export function parseCommand(text: string): ParseResult {
  const tokenized = tokenize(text);
  if (!tokenized.ok) {
    const words = text.trim().split(/\s+/);
    const first = INVOCATION.test(words[0] ?? '') ? words[1] : words[0];
    const verb = (first ?? '').toLowerCase();
    if (isVerb(verb)) return fail(verb, tokenized.message);
    return { ok: false, message: tokenized.message, usage: verbList() };
  }
  return parseArgs(tokenized.tokens);
}

/** Parses already-split words (the CLI's argv). Never throws. */
export function parseArgs(argv: string[]): ParseResult {
  const tokens = INVOCATION.test(argv[0] ?? '') ? argv.slice(1) : argv;
  if (tokens.length === 0) return { ok: true, command: { verb: 'help' } };
  const word = tokens[0]!;
  if (HELP_FLAGS.has(word.toLowerCase())) return parseArgs(['help', ...tokens.slice(1)]);
  const verb = word.toLowerCase();
  if (!isVerb(verb)) {
    return { ok: false, message: `unknown command ${show(word)}`, usage: verbList() };
  }
  try {
    return { ok: true, command: parseVerb(verb, tokens.slice(1)) };
  } catch (e) {
    if (e instanceof UsageError) return fail(verb, e.message);
    throw e;
  }
}

interface Collected {
  positionals: string[];
  flags: Partial<Record<FlagName, string>>;
  params: Record<string, ParamValue>;
  help: boolean;
}

function collect(verb: Verb, args: string[]): Collected {
  const spec = SPECS[verb];
  const out: Collected = { positionals: [], flags: {}, params: {}, help: false };
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (HELP_FLAGS.has(token.toLowerCase())) {
      out.help = true;
      continue;
    }
    const m = FLAG.exec(token);
    if (!m) {
      out.positionals.push(token);
      continue;
    }
    const name = m[1]!.toLowerCase();
    if (!(spec.flags as string[]).includes(name)) {
      throw new UsageError(`unknown flag --${name} for ${verb}`);
    }
    const flag = name as FlagName;
    let value = m[2];
    if (value === undefined && i + 1 < args.length && !isFlag(args[i + 1]!)) value = args[++i];
    if (flag === 'reason' && value !== undefined && !args.slice(i + 1).some(isFlag)) {
      // Kindness: `reject REL-3 --reason too slow` means the reason "too slow".
      value = [value, ...args.slice(i + 1)].join(' ');
      i = args.length;
    }
    if (flag === 'reason') value = value?.trim();
    if (value === undefined || value === '') throw new UsageError(`missing value for --${flag}`);
    if (flag === 'param') {
      addParam(out.params, value);
      continue;
    }
    if (out.flags[flag] !== undefined) throw new UsageError(`repeated flag --${flag} for ${verb}`);
    out.flags[flag] = value;
  }
  return out;
}

function addParam(params: Record<string, ParamValue>, token: string): void {
  const eq = token.indexOf('=');
  if (eq < 0) throw new UsageError(`--param needs key=value, not ${show(token)}`);
  const key = token.slice(0, eq);
  if (!PARAM_KEY.test(key) || key === '__proto__') {
    throw new UsageError(
      `--param key ${show(key)} must start with a letter or _ and hold only letters, digits, _ and .`,
    );
  }
  if (Object.hasOwn(params, key)) throw new UsageError(`--param ${key} given more than once`);
  params[key] = paramValue(token.slice(eq + 1));
}

function parseVerb(verb: Verb, args: string[]): Command {
  const c = collect(verb, args);
  if (c.help) return { verb: 'help', topic: verb };
  const spec = SPECS[verb];
  if (c.positionals.length > spec.positionals.length) {
    const extra = c.positionals[spec.positionals.length]!;
    const hint = c.flags.reason !== undefined ? ' (put a reason of several words in quotes)' : '';
    throw new UsageError(`unexpected argument ${show(extra)} for ${verb}${hint}`);
  }
  const values: (string | number | undefined)[] = spec.positionals.map((p, k) => {
    const raw = c.positionals[k];
    if (raw === undefined) {
      if (p.optional) return undefined;
      throw new UsageError(`missing ${p.name} for ${verb}`);
    }
    return slotValue(verb, p.slot, raw);
  });
  const f = c.flags;
  switch (verb) {
    case 'help': {
      const topic = values[0] as string | undefined;
      return topic ? { verb, topic } : { verb };
    }
    case 'status': {
      const workflow = values[0] as string | undefined;
      if (workflow && f.from !== undefined) throw new UsageError('--from pages the list of workflows: it goes without a workflow name');
      return { verb, ...(workflow && { workflow }), ...(f.from !== undefined && { from: checkName('workflow', f.from) }) };
    }
    case 'request':
      return {
        verb,
        workflow: values[0] as string,
        ...(f.model !== undefined && { model: checkModel(f.model) }),
        ...(f.prompt !== undefined && { prompt: checkPrompt(f.prompt) }),
        params: c.params,
        ...(f.reason !== undefined && { reason: f.reason }),
      };
    case 'reject':
    case 'rollback':
      return { verb, target: values[0] as string, ...(f.reason !== undefined && { reason: f.reason }) };
    case 'override':
      if (f.reason === undefined) throw new UsageError('override needs --reason TEXT: a reason is required');
      return { verb, target: values[0] as string, reason: f.reason };
    case 'evals':
    case 'approve':
    case 'promote':
    case 'pause':
    case 'resume':
    case 'cancel':
    case 'ack':
      return { verb, target: values[0] as string };
    case 'vote':
      return { verb, target: values[0] as string, pair: values[1] as number, choice: values[2] as VoteChoice };
    case 'review':
      return { verb, target: values[0] as string, ...(f.from !== undefined && { from: checkWhole('--from', f.from.replace(/^#/, ''), 1000) }) };
    case 'spend': {
      if (f.team !== undefined && f.workflow !== undefined) {
        throw new UsageError('--team and --workflow cannot be used together: choose one');
      }
      return {
        verb,
        ...(f.team !== undefined && { team: checkName('team', f.team) }),
        ...(f.workflow !== undefined && { workflow: checkName('workflow', f.workflow) }),
        ...(f.days !== undefined && { days: checkWhole('--days', f.days, 366) }),
        ...(f.from !== undefined && { from: checkName('workflow', f.from) }),
      };
    }
    case 'receipts':
      return {
        verb,
        workflow: values[0] as string,
        ...(f.limit !== undefined && { limit: checkWhole('--limit', f.limit, 1000) }),
        ...(f.from !== undefined && { from: checkReceiptId(f.from) }),
      };
    case 'audit':
      return {
        verb,
        target: values[0] as string,
        ...(f.limit !== undefined && { limit: checkWhole('--limit', f.limit, 1000) }),
        ...(f.from !== undefined && { from: checkWhole('--from', f.from.replace(/^#/, ''), 999_999_999) }),
      };
  }
}

function slotValue(verb: Verb, slot: Slot, raw: string): string | number | undefined {
  switch (slot) {
    case 'topic':
      return raw.trim().toLowerCase() || undefined;
    case 'workflow': {
      if (releaseId(raw)) throw new UsageError(`${show(raw)} is a release id; ${verb} needs a workflow name`);
      return checkName('workflow', raw);
    }
    case 'target': {
      const id = releaseId(raw);
      if (id) return id;
      if (SLUG.test(raw)) return raw;
      throw new UsageError(`${show(raw)} is not a release id (REL-<n>) or a workflow name`);
    }
    case 'pair': {
      const n = wholeNumber(raw.replace(/^#/, ''), 1, 1000);
      if (n === undefined) throw new UsageError(`pair number must be a whole number from 1 to 1000, not ${show(raw)}`);
      return n;
    }
    case 'choice': {
      const choice = Object.hasOwn(VOTE_CHOICES, raw.toLowerCase()) ? VOTE_CHOICES[raw.toLowerCase()] : undefined;
      if (!choice) throw new UsageError(`vote must be candidate, baseline or tie (or up/down), not ${show(raw)}`);
      return choice;
    }
  }
}

function checkName(kind: 'workflow' | 'team', raw: string): string {
  if (!SLUG.test(raw)) {
    throw new UsageError(`${show(raw)} is not a ${kind} name (lower-case letters, digits and dashes)`);
  }
  return raw;
}

function checkModel(raw: string): string {
  if (!MODEL_ID.test(raw)) throw new UsageError(`--model must be a model id without spaces or quotes, not ${show(raw)}`);
  return raw;
}

function checkPrompt(raw: string): string {
  if (!PROMPT_NAME.test(raw) || raw.includes('..')) {
    throw new UsageError(
      `--prompt must be a file name in the prompts folder (no "/", "\\" or ".."), not ${show(raw)}`,
    );
  }
  return raw;
}

const RECEIPT_ID = /^rcpt_[A-Za-z0-9_-]{1,80}$/;

function checkReceiptId(raw: string): string {
  if (!RECEIPT_ID.test(raw)) throw new UsageError(`--from must be a receipt id (rcpt_…), not ${show(raw)}`);
  return raw;
}

function checkWhole(flag: string, raw: string, max: number): number {
  const n = wholeNumber(raw, 1, max);
  if (n === undefined) throw new UsageError(`${flag} must be a whole number from 1 to ${max}, not ${show(raw)}`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** A flag and its value as tokens; a value that looks like a flag is attached with `=`. */
function flagTokens(name: FlagName, value: string): string[] {
  return isFlag(value) ? [`--${name}=${quoteToken(value)}`] : [`--${name}`, quoteToken(value)];
}

/** The canonical text of a command: `parseCommand(formatCommand(c))` gives `c` back. */
export function formatCommand(cmd: Command): string {
  const words: string[] = [cmd.verb];
  const flags: string[] = [];
  switch (cmd.verb) {
    case 'help':
      if (cmd.topic !== undefined) words.push(quoteToken(cmd.topic));
      break;
    case 'status':
      if (cmd.workflow !== undefined) words.push(quoteToken(cmd.workflow));
      if (cmd.from !== undefined) flags.push('--from', quoteToken(cmd.from));
      break;
    case 'request':
      words.push(quoteToken(cmd.workflow));
      if (cmd.model !== undefined) flags.push(...flagTokens('model', cmd.model));
      if (cmd.prompt !== undefined) flags.push(...flagTokens('prompt', cmd.prompt));
      for (const [k, v] of Object.entries(cmd.params)) flags.push('--param', quoteToken(`${k}=${formatParamValue(v)}`));
      if (cmd.reason !== undefined) flags.push(...flagTokens('reason', cmd.reason));
      break;
    case 'reject':
    case 'rollback':
    case 'override':
      words.push(quoteToken(cmd.target));
      if (cmd.reason !== undefined) flags.push(...flagTokens('reason', cmd.reason));
      break;
    case 'evals':
    case 'approve':
    case 'promote':
    case 'pause':
    case 'resume':
    case 'cancel':
    case 'ack':
      words.push(quoteToken(cmd.target));
      break;
    case 'vote':
      words.push(quoteToken(cmd.target), String(cmd.pair), cmd.choice);
      break;
    case 'review':
      words.push(quoteToken(cmd.target));
      if (cmd.from !== undefined) flags.push('--from', String(cmd.from));
      break;
    case 'spend':
      if (cmd.team !== undefined) flags.push(...flagTokens('team', cmd.team));
      if (cmd.workflow !== undefined) flags.push(...flagTokens('workflow', cmd.workflow));
      if (cmd.days !== undefined) flags.push('--days', String(cmd.days));
      if (cmd.from !== undefined) flags.push('--from', quoteToken(cmd.from));
      break;
    case 'receipts':
      words.push(quoteToken(cmd.workflow));
      if (cmd.limit !== undefined) flags.push('--limit', String(cmd.limit));
      if (cmd.from !== undefined) flags.push('--from', quoteToken(cmd.from));
      break;
    case 'audit':
      words.push(quoteToken(cmd.target));
      if (cmd.limit !== undefined) flags.push('--limit', String(cmd.limit));
      if (cmd.from !== undefined) flags.push('--from', String(cmd.from));
      break;
  }
  return [...words, ...flags].join(' ');
}

/** The release id or workflow a command acts on, if any. */
export function commandTarget(cmd: Command): string | undefined {
  switch (cmd.verb) {
    case 'help':
      return undefined;
    case 'status':
    case 'spend':
      return cmd.workflow;
    case 'request':
    case 'receipts':
      return cmd.workflow;
    default:
      return cmd.target;
  }
}
