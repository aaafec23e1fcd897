/**
 * `npm run tour`: the whole release story in five minutes, with no Slack, Teams or OpenAI account.
 *
 * Starts ai-release on a temporary database with a copy of the example configuration and the local
 * mock LLM (a simulator), then walks one upgrade end to end — a config change becomes a release
 * request, the eval gate gives its verdict, an approver approves, the canary takes simulated
 * traffic through the gateway, the canary analysis catches a regression and rolls back, and the
 * leaders' spend digest — printing each Card as Slack and Teams would show it. It ends by pointing
 * at the web console, where the same buttons work (Ctrl-C stops; `--exit` stops at the end).
 */
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { settingsFromEnv } from '../src/app.ts';
import { execute } from '../src/chat/executor.ts';
import { renderText } from '../src/chat/render/text.ts';
import type { Card } from '../src/core/card.ts';
import { num } from '../src/core/views/format.ts';
import type { Command } from '../src/core/command.ts';
import { runCanaryJob } from '../src/jobs/canary.ts';
import { releaseLease, takeLease } from '../src/jobs/lease.ts';
import { buildDigests } from '../src/jobs/digest.ts';
import { startServer, type RunningServer } from '../src/server/start.ts';
import type { ReleaseRecord } from '../src/store/repos/releases.ts';
import { FIRST_STEP, firstStepCommand } from '../src/console/first-step.ts';
import { startMockLlm } from './mock-llm.ts';

const argv = process.argv.slice(2);
const exitAtEnd = argv.includes('--exit') || process.env.TOUR_EXIT === '1';
const color = !!process.stdout.isTTY && !process.env.NO_COLOR;
const WORKFLOW = 'support-triage';
const TZ = process.env.TZ || 'UTC';
const TICKETS = [
  'My invoice shows a double charge for November, please refund one of them.',
  'The app crashes every time I open the reports page since the update.',
  'I cannot log in: the 2FA code never arrives.',
  'My parcel was marked delivered but nothing arrived.',
  'Can you add a dark mode? Love the product otherwise.',
];

/** Every line the tour prints fits a terminal this wide. */
const TOUR_WIDTH = 100;
const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
const out = (s = '') => process.stdout.write(`${s}\n`);
/** Prose, wrapped at word boundaries to the tour's width. */
const say = (text: string) => out(wrapProse(text, TOUR_WIDTH));
let stepNo = 0;
function step(title: string, what: string): void {
  stepNo++;
  out();
  out(bold(`━━ ${stepNo}. ${title} ${'━'.repeat(Math.max(0, 70 - title.length))}`));
  say(what);
  out();
}
const show = (cards: Card[]) => cards.forEach((c) => out(renderText(c, { color, width: TOUR_WIDTH, tableWidth: TOUR_WIDTH })));
const next = (s: string) => say(dim(`→ next: ${s}`));

function wrapProse(text: string, width: number): string {
  return text
    .split('\n')
    .map((paragraph) => {
      const lines: string[] = [];
      let line = '';
      for (const word of paragraph.split(' ')) {
        if (line && (line + ' ' + word).length > width) {
          lines.push(line);
          line = word;
        } else line = line ? `${line} ${word}` : word;
      }
      lines.push(line);
      return lines.join('\n');
    })
    .join('\n');
}

/** The part of a release card that changed with a click: its title, the done line and its buttons. */
function changedPart(card: Card): Card {
  return { ...card, blocks: card.blocks.filter((b) => b.type === 'context' && /^(✅|☑️|❌|⏫|⏸|▶️|↩️|🚫|⚠️|🔁|👀|📝)/u.test(b.text)) };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 120_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`the tour timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ai-release-tour-'));
  const configDir = join(dir, 'config');
  cpSync(resolve('examples'), configDir, { recursive: true });

  // A simulator that answers quickly, so the eval suite and the canary traffic take seconds.
  const mock = await startMockLlm({ port: 0, seed: Number(process.env.TOUR_SEED ?? 2), latencyMs: 3, errorRate: 0, rateLimitRate: 0 });
  const settings = {
    ...settingsFromEnv(process.env),
    port: Number(process.env.PORT ?? 3000),
    databasePath: join(dir, 'ai-release.db'),
    configPath: join(configDir, 'ai-release.yaml'),
    logLevel: 'error',
  };
  let server: RunningServer;
  const env = { ...process.env, OPENAI_BASE_URL: mock.url, TZ };
  try {
    server = await startServer(settings, { env, noSignals: true, logWrite: () => {} });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    server = await startServer({ ...settings, port: 0 }, { env, noSignals: true, logWrite: () => {} });
  }
  const ctx = server.runtime.ctx;
  const people = ctx.config.people;
  const as = (name: string) => ({ person: people[name], surface: 'console' as const });
  const run = async (who: string, cmd: Command) => execute(ctx, as(who), cmd);
  const release = async (): Promise<ReleaseRecord> => (await ctx.store.releases.list({ workflow: WORKFLOW, limit: 1 }))[0]!;

  const stop = async (code = 0) => {
    await server.close();
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  out(bold('ai-release — the five-minute tour'));
  say(
    `ai-release runs at ${server.url} on a temporary database, with a copy of the example configuration ` +
      `and the local MOCK LLM — a simulator, not a real model. Every card below is what Slack and Teams show; ` +
      `each "next" line says what a person would click.`,
  );

  // 1. A config change becomes a release request.
  const prompt = join(configDir, 'prompts', `${WORKFLOW}.md`);
  appendFileSync(prompt, '\nKeep the summary under 20 words.\n');
  await server.reload();
  await server.pump();
  const rel = await waitFor('the release request', async () => (await ctx.store.releases.list({ workflow: WORKFLOW, limit: 1 }))[0]);
  step(
    'A config change becomes a release request',
    `An engineer edits prompts/${WORKFLOW}.md (one line added) and the file is read again (SIGHUP). ` +
      `ai-release sees a config hash it has never seen and opens ${rel.key} — requester "config-file" — instead of ` +
      `serving the new prompt. The support channel gets this card:`,
  );
  show((await run('eli', { verb: 'status', workflow: WORKFLOW })).cards.slice(1));

  // 2. The eval gate.
  const gated = await waitFor('the eval gate', async () => {
    const r = await release();
    return r.state !== 'evaluating' && r.state !== 'requested' ? r : null;
  });
  step(
    'The eval gate gives its verdict',
    `In the background the server ran the workflow's suite — every case × 3 repeats against the live baseline and the ` +
      `candidate — and compared quality, cost per run, tokens, latency p95 and escalation rate. The card updates in place:`,
  );
  show((await run('eli', { verb: 'status', workflow: WORKFLOW })).cards.slice(1));
  if (gated.state !== 'awaiting_approval') {
    out(`The gate said ${gated.gateOutcome}; an admin overrides it for the tour ("override ${gated.key} --reason ...").`);
    await run('ops', { verb: 'override', target: gated.key, reason: 'tour: continue the story' });
  }
  next(`dana (an approver, not the requester) clicks Approve; the requester could not (four-eyes).`);

  // 3. Approval.
  const self = await run('eli', { verb: 'approve', target: rel.key });
  step('Approval, four-eyes', 'eli (a team member, not an approver) clicks Approve first and is refused — nothing changes:');
  show(self.cards);
  const approved = await run('dana', { verb: 'approve', target: rel.key });
  say('Then dana clicks Approve and the canary starts at 5%. The card above changes in place — the same fields and verdict, with this line and these buttons:');
  out();
  show(approved.cards.slice(1).map(changedPart));

  // 4. Canary traffic through the gateway.
  const wf = ctx.config.workflows[WORKFLOW]!;
  const gwToken = await ctx.store.tokens.create({ name: 'tour-app', scope: 'gateway', team: wf.team, now: Date.now() });
  const counts = { stable: 0, candidate: 0, flagged: { stable: 0, candidate: 0 } };
  const need = wf.rollout.minSamples;
  let u = 0;
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const send = async () => {
    const unit = `customer-${u++}`;
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gwToken}`, 'content-type': 'application/json', 'x-ai-release-unit': unit },
      body: JSON.stringify({ model: WORKFLOW, messages: [{ role: 'user', content: TICKETS[u % TICKETS.length]! }], ai_release: { vars: { company: 'Acme' } } }),
    });
    await res.arrayBuffer();
    const variant = res.headers.get('x-ai-release-variant') as 'stable' | 'candidate' | null;
    const receipt = res.headers.get('x-ai-release-receipt');
    if (!variant || !receipt) return;
    counts[variant]++;
    // The app's users flag bad answers: the new prompt's answers are flagged far more often.
    const reported = rand() < (variant === 'candidate' ? 0.14 : 0.02);
    if (reported) counts.flagged[variant]++;
    await fetch(`${server.url}/v1/receipts/${receipt}/feedback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gwToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reported, approved: !reported }),
    }).then((r) => r.arrayBuffer());
  };
  // The server's canary job looks every 10 s while a stage is young, and its early stop could roll
  // the candidate back halfway through this traffic, at a point that depends on the machine's
  // speed. The tour holds the job's lease while the traffic arrives, so the analysis judges it
  // once, on all of it, and the tour prints the same story every time.
  while (!(await takeLease(ctx.store, 'job:canary', Date.now(), 10 * 60_000)).ok) await new Promise((r) => setTimeout(r, 100));
  try {
    while (counts.candidate < need + 20) {
      await Promise.all(Array.from({ length: 32 }, send));
    }
  } finally {
    await releaseLease(ctx.store, 'job:canary', Date.now());
  }
  await new Promise((r) => setTimeout(r, 300)); // the receipt writer flushes every 50 ms
  step(
    'The canary takes real traffic through the gateway',
    `An application calls ai-release's OpenAI-compatible gateway with the workflow's name (never a model name), one ` +
      `unit per customer (x-ai-release-unit), sticky: ${num(counts.stable + counts.candidate)} calls — ${num(counts.stable)} to the stable config, ${num(counts.candidate)} to the ` +
      `candidate (5%). Every call left a run receipt. Users flagged ${num(counts.flagged.candidate)} candidate answers and ${num(counts.flagged.stable)} stable ones ` +
      `(POST /v1/receipts/{id}/feedback {"reported": true}).`,
  );

  // 5. Canary analysis (unless the server's own job has acted already).
  const outcomes = (await release()).state === 'canary' ? await runCanaryJob(ctx, Date.now(), TZ) : [];
  await server.pump();
  const snapshot = await ctx.store.canarySnapshots.load(rel.id);
  const rolledBack = (await release()).state === 'rolled_back';
  const verdict = outcomes.find((o) => o.key === rel.key) ?? (snapshot ? { status: snapshot.judgement.status, action: rolledBack ? 'rolled_back' : 'alerted' } : undefined);
  step(
    'The canary analysis catches the regression',
    `Every 10 seconds while the stage is young (then every minute) the analysis compares the candidate with the baseline ` +
      `since the stage began (error, reported and slow-call rates by an exact test, with an early stop for large regressions; ` +
      `escalation and override rates, cost and tokens per run, CSAT), with always-valid boundaries so that looking often does ` +
      `not cry wolf.\nThis time: ${verdict?.status ?? 'no verdict'} → ${(verdict?.action ?? 'nothing').replace(/_/g, ' ')}. The alert, threaded under the release:`,
  );
  const alert = (await ctx.store.events.after(0, 100_000)).filter((e) => e.kind === 'alert' && e.releaseId === rel.id).pop();
  if (alert) show([alert.payload.card as Card]);
  const after = await release();
  if (after.state !== 'rolled_back') {
    next(`someone clicks Rollback (the workflow does not roll back by itself):`);
    show((await run('eli', { verb: 'rollback', target: rel.key, reason: 'canary regression' })).cards);
  } else {
    say(`${WORKFLOW} says autoRollback: the candidate already gets 0%, and the stable config serves everyone again:`);
    out();
    show((await run('eli', { verb: 'status', workflow: WORKFLOW })).cards);
    say('The audit trail of the release, hash-chained and verified:');
    out();
  }
  show((await run('eli', { verb: 'audit', target: rel.key, limit: 12 })).cards);

  // 6. Spend digest.
  const tomorrow9 = new Date();
  tomorrow9.setUTCDate(tomorrow9.getUTCDate() + 1);
  tomorrow9.setUTCHours(9, 0, 0, 0);
  const digest = (await buildDigests(ctx, tomorrow9.getTime(), TZ)).find((d) => d.team === wf.team);
  step(
    "The leaders' spend digest",
    `Tomorrow at 09:00 (${TZ}) team ${wf.team}'s channel and each leader (${wf.team ? ctx.config.teams[wf.team]!.leaders.join(', ') : ''}) get this digest — ` +
      `production spend against budgets, eval spend apart, open releases and the audit chain's head hash:`,
  );
  if (digest) show([digest.card]);

  // 7. Your turn: the console and a first release of your own.
  const first = firstStepCommand();
  const whatHappens =
    `Its gate runs against the live baseline: ${FIRST_STEP.model} answers at least as well as ${ctx.config.workflows[FIRST_STEP.workflow]?.config.model ?? 'the live model'} ` +
    `but costs about five times as much per run, so the verdict is "needs cost approval": ${FIRST_STEP.approver} approves as an approver of ` +
    `${FIRST_STEP.workflow} and ${FIRST_STEP.finance} gives the finance approval; then its canary starts.`;
  if (exitAtEnd) {
    step('Your turn', 'Start your own server with `npm start` and sign in to its console at http://localhost:3000/ with a personal token (npx ai-release token create --name me --scopes releases --person <name>). Then try a first release of your own: as ' + `${FIRST_STEP.requester} (a member of the sales team), type`);
    out();
    out(`  ${first}`);
    out();
    say(whatHappens);
    out();
    say('Tour complete (--exit): the server is stopped and its temporary database deleted. Without --exit the tour keeps its server running and prints a personal token for every example person.');
    await stop(0);
    return;
  }
  const tokens: { name: string; token: string }[] = [];
  for (const name of Object.keys(people)) tokens.push({ name, token: await ctx.store.tokens.create({ name: `tour-${name}`, scope: 'releases', person: name, now: Date.now() }) });
  step('Now click the buttons yourself', `Open ${bold(server.url + '/')} and sign in with a personal token — each acts as that person:`);
  for (const t of tokens) {
    const p = people[t.name]!;
    const approves = Object.values(ctx.config.workflows).filter((w) => w.approvers.includes(t.name)).map((w) => w.name);
    const roles = [p.roles.join(', '), approves.length ? `approves ${approves.join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
    out(`  ${t.name.padEnd(7)} ${t.token}  ${dim(roles)}`.trimEnd());
  }
  out();
  say(`Try a first release of your own: sign in as ${FIRST_STEP.requester} (a member of the sales team) and type in the command box`);
  out();
  out(`  ${first}`);
  out();
  say(whatHappens + ' The CLI works too, against the same database:');
  out(dim(`  DATABASE_PATH=${settings.databasePath} \\`));
  out(dim(`  AI_RELEASE_CONFIG=${settings.configPath} \\`));
  out(dim('  npx ai-release status'));
  out();
  out(bold('The server keeps running: press Ctrl-C to stop (the temporary database is deleted).'));
}

main().catch((e) => {
  process.stderr.write(`the tour failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
