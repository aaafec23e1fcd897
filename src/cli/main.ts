/**
 * The `ai-release` command: operator verbs (serve, migrate, config check, eval run, token, audit
 * verify/export, digest) and the one command grammar, printed as text or `--json`.
 */
import { parseArgs as parseGrammar } from '../core/grammar.ts';
import { usage } from '../core/help.ts';
import { formatProblems, loadConfig } from '../config/load.ts';
import { execute, EXIT } from '../chat/executor.ts';
import { forPeople } from '../chat/audience.ts';
import { renderText } from '../chat/render/text.ts';
import { roundForDisplay } from '../core/views/format.ts';
import type { Card } from '../core/card.ts';
import { refusalCard, usageCard } from '../core/views/common.ts';
import { openApp, openSettingsStore, settingsFromEnv, StartupError } from '../app.ts';
import type { Actor, AppContext } from '../services/context.ts';
import { tokenCli } from './token.ts';
import { auditCli } from './audit.ts';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  color: boolean;
  /** The terminal's width, when output goes to one: wide tables wrap their cells to fit it. */
  columns?: number;
}

const defaultIo = (): CliIo => ({
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  env: process.env,
  color: !!process.stdout.isTTY && !process.env.NO_COLOR,
});

/** Removes `--name value` / `--name=value` (or a bare `--name` when boolean) from argv. */
export function takeFlag(argv: string[], name: string, boolean = false): { value: string | true | undefined; rest: string[] } {
  const rest: string[] = [];
  let value: string | true | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}`) {
      if (boolean) value = true;
      else {
        value = argv[i + 1] ?? '';
        i++;
      }
    } else if (!boolean && a.startsWith(`--${name}=`)) value = a.slice(name.length + 3);
    else rest.push(a);
  }
  return { value, rest };
}

const READ_VERBS = new Set(['help', 'status', 'spend', 'receipts', 'audit', 'review']);

const TOP_USAGE = `usage: ai-release <command>

operator commands (need file access only):
  serve                                   run the server (Slack, Teams, gateway, console) on PORT
  migrate                                 apply database migrations
  config check FILE                       validate a configuration file; exit 1 listing every problem
  eval run <workflow> [--candidate-model M] [--json] [--no-cache] [--report FILE.md|FILE.html]
  token create --name N --scopes gateway --team T
  token create --name N --scopes releases --person P
  token revoke --name N | token list
  audit verify                            check the audit chain; prints its head hash
  audit export [--format jsonl|csv] [--since DATE]
  digest --dry-run                        print the spend digests now

release commands (the same grammar as Slack and Teams; changes act as the person of
AI_RELEASE_TOKEN or --token):
  help [verb] · status [workflow] · request · evals · approve · reject · promote · rollback
  pause · resume · cancel · override · ack · vote · review · spend · receipts · audit

global flags: --json (print the Cards as JSON) · --token T`;

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof StartupError) {
      io.err(e.message);
      return EXIT.failed;
    }
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'SQLITE_NOTADB' || err?.code === 'SQLITE_CORRUPT') {
      io.err(`the database file ${settingsFromEnv(io.env).databasePath} is not a usable SQLite database (${err.message}); check DATABASE_PATH`);
      return EXIT.failed;
    }
    if (err?.code === 'SQLITE_CANTOPEN') {
      io.err(`cannot open the database file ${settingsFromEnv(io.env).databasePath} (${err.message}); check DATABASE_PATH`);
      return EXIT.failed;
    }
    if (err?.code === 'SQLITE_BUSY') {
      io.err('the database is busy (another process holds its write lock); try again');
      return EXIT.failed;
    }
    io.err(`ai-release: unexpected error: ${err?.message ?? String(e)}`);
    if (io.env.LOG_LEVEL === 'debug') io.err(String(err?.stack));
    return EXIT.failed;
  }
}

async function run(argv0: string[], io: CliIo): Promise<number> {
  const j = takeFlag(argv0, 'json', true);
  const t = takeFlag(j.rest, 'token');
  const json = j.value === true;
  const argv = t.rest;
  const token = typeof t.value === 'string' ? t.value : io.env.AI_RELEASE_TOKEN;
  const [first, second] = argv;
  const settings = settingsFromEnv(io.env);

  if (first === '--help' || first === '-h') {
    io.out(TOP_USAGE);
    return EXIT.ok;
  }
  if (first === 'serve') {
    const { startServer } = await import('../server/start.ts');
    await startServer(settings, { env: io.env });
    return new Promise<number>(() => {}); // runs until a signal stops the process
  }
  if (first === 'migrate') {
    const store = await openSettingsStore(settings);
    let r;
    try {
      r = await store.migrate();
    } finally {
      await store.close();
    }
    io.out(r.applied.length ? `applied ${r.applied.join(', ')}; schema version ${r.version}` : `up to date; schema version ${r.version}`);
    return EXIT.ok;
  }
  if (first === 'config') {
    if (second !== 'check' || !argv[2] || argv.length > 3) {
      io.err('usage: ai-release config check FILE');
      return EXIT.usage;
    }
    const r = loadConfig(argv[2], io.env);
    if (!r.ok) {
      io.out(formatProblems(r.problems));
      io.err(`${r.problems.length} problem${r.problems.length > 1 ? 's' : ''} found; nothing was written`);
      return EXIT.failed;
    }
    io.out(`${argv[2]}: ok — ${Object.keys(r.config.workflows).length} workflows, ${Object.keys(r.config.people).length} people, ${Object.keys(r.config.teams).length} teams`);
    return EXIT.ok;
  }
  if (settings.databasePath === ':memory:') {
    io.err('DATABASE_PATH=:memory: is only for a server alone: the CLI shares the database file with the server; set DATABASE_PATH to a file');
    return EXIT.usage;
  }
  if (first === 'token') return tokenCli(argv.slice(1), settings, io);
  if (first === 'audit' && (second === 'verify' || second === 'export')) return auditCli(argv.slice(1), settings, io);
  if (first === 'eval') {
    const { evalRunCli } = await import('../evals/cli.ts');
    return evalRunCli(argv.slice(1), { settings, io, json });
  }
  if (first === 'digest') {
    const { digestCli } = await import('../jobs/digest-cli.ts');
    return digestCli(argv.slice(1), { settings, io, json });
  }

  // The one grammar.
  const parsed = parseGrammar(argv);
  if (!parsed.ok) {
    print(io, [usageCard(parsed.message, parsed.usage)], json);
    return EXIT.usage;
  }
  const cmd = parsed.command;
  const app = await openApp(settings, { env: io.env });
  try {
    const actor = await cliActor(app.ctx, token, READ_VERBS.has(cmd.verb));
    if ('refusal' in actor) {
      print(io, [actor.refusal], json);
      return EXIT.refused;
    }
    const res = await execute(app.ctx, actor, cmd);
    // The buttons this person may use, as the commands to type.
    print(io, await forPeople(app.ctx, res.cards, actor.person), json, res.exitCode !== EXIT.ok);
    return res.exitCode;
  } finally {
    await app.close();
  }
}

/**
 * Who the CLI acts as: the person of a `releases` token; reads need no token (file access is
 * the operator's already).
 */
async function cliActor(ctx: AppContext, token: string | undefined, read: boolean): Promise<Actor | { refusal: Card }> {
  if (!token) {
    if (read) return { person: { name: 'operator', roles: ['admin'] }, surface: 'cli' };
    return { refusal: refusalCard('this command changes state: set AI_RELEASE_TOKEN (or --token) to a personal token (`ai-release token create --name N --scopes releases --person P`)', 'token_required') };
  }
  const rec = await ctx.store.tokens.find(token);
  if (!rec) return { refusal: refusalCard('the token is unknown or revoked', 'unauthorized') };
  if (rec.scope !== 'releases' || !rec.person) return { refusal: refusalCard('the CLI needs a personal token of scope releases; this one is a gateway token', 'scope') };
  const person = ctx.config.people[rec.person];
  if (!person) return { refusal: refusalCard(`the token's person "${rec.person}" is no longer in the configuration`, 'unknown_user') };
  return { person, surface: 'cli' };
}

export function print(io: CliIo, cards: Card[], json: boolean, toErr = false): void {
  if (json) {
    // Numbers as shown to people (rounded); the stored values keep their precision.
    io.out(JSON.stringify(roundForDisplay(cards), null, 2));
    return;
  }
  const text = cards.map((c) => renderText(c, { color: io.color, ...(io.columns ? { width: Math.min(100, io.columns), tableWidth: io.columns } : {}) })).join('\n');
  (toErr ? io.err : io.out)(text);
}

export { usage };
