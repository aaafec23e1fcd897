/**
 * bench:slack — server-side ack time of signed Slack slash commands and button clicks while eval
 * suites run in the background (target: p99 < 100 ms).
 *
 * Starts the real server (HTTP mode, Bolt) against the local fake Slack Web API and the built-in
 * mock LLM, requests a release on every example workflow (each one starts its gate: a full eval
 * suite, candidate and baseline, in this process), then fires signed `/ai-release` commands and
 * Approve clicks (refused: the clicker is no approver, so the release stays put and every click
 * runs the whole path). Ack time is measured inside the server: from the request event to the
 * end of the response (`res.finish`), so loopback and client time are not counted.
 *
 *   npx tsx scripts/bench-slack.ts [--commands 400] [--clicks 400] [--concurrency 8]
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { startServer } from '../src/server/start.ts';
import { blockActionBody, postSigned, slashCommandBody, startFakeSlack, type StoredMessage } from '../test/helpers/fake-slack.ts';
import { tempDir, testSettings } from '../test/helpers/harness.ts';

const SECRET = 'bench-signing-secret';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`--${name} needs a positive whole number`);
    process.exit(2);
  }
  return v;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function pool<T>(items: T[], concurrency: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function main(): Promise<void> {
  const commands = arg('commands', 400);
  const clicks = arg('clicks', 400);
  const concurrency = arg('concurrency', 8);

  const fake = await startFakeSlack();
  const dir = tempDir('air-bench-slack-');
  const settings = testSettings(dir);
  const server = await startServer(settings, {
    env: { SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl },
    noSignals: true,
    logWrite: () => {},
  });
  const store = server.runtime.ctx.store;

  // Server-side timing of every Slack delivery.
  const acks = new Map<string, number>();
  server.server.on('request', (req, res) => {
    if (req.url !== '/slack/events') return;
    const t0 = performance.now();
    const id = String(req.headers['x-bench-id'] ?? '');
    res.on('finish', () => acks.set(id, performance.now() - t0));
  });

  // Background load: one release per workflow, each starting its eval gate.
  const models: Record<string, string> = {
    'support-triage': 'gpt-4.1-mini-2025-04-14',
    'gl-coding': 'gpt-4.1-mini-2025-04-14',
    'sales-email': 'gpt-4.1-nano-2025-04-14',
    'kpi-narrative': 'gpt-4.1-mini-2025-04-14',
  };
  const ops = await store.tokens.create({ name: 'bench-ops', scope: 'releases', person: 'ops', now: Date.now() });
  for (const [workflow, model] of Object.entries(models)) {
    const res = await fetch(`${server.url}/v1/releases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ops}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workflow, model, reason: 'bench: background eval suite' }),
    });
    if (res.status !== 201) throw new Error(`could not request ${workflow}: ${res.status} ${await res.text()}`);
  }
  const evaluating = async () => (await store.releases.list({ state: 'evaluating', limit: 100 })).length;
  await server.pump();
  const support = await fake.waitFor(() => fake.messagesIn('C0SUPPORT').find((m) => m.blocks.some((b) => b.type === 'actions')), 'the support-triage release message', 15_000);
  const evaluatingAtStart = await evaluating();

  let n = 0;
  const send = async (kind: 'command' | 'click', body: string): Promise<void> => {
    const id = `${kind}-${++n}`;
    const r = await postSigned(server.url, SECRET, body, { headers: { 'x-bench-id': id } });
    if (r.status !== 200) throw new Error(`${kind} answered ${r.status}`);
  };

  const texts = ['status', 'status support-triage', 'help approve', 'spend --days 1', 'audit support-triage --limit 5'];
  const users = ['U0DANA', 'U0ELI', 'U0SAM', 'U0OPS'];
  const commandBodies = Array.from({ length: commands }, (_, i) =>
    slashCommandBody({ text: texts[i % texts.length]!, user: users[i % users.length]!, triggerId: `bench-trig-${i}`, responseUrl: fake.responseUrl(`bench-${i}`) }),
  );
  const button = (m: StoredMessage) => m.blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements as any[])[0];
  const clickBodies = Array.from({ length: clicks }, (_, i) =>
    blockActionBody({
      user: 'U0JORDAN', // not on the support team: refused, nothing changes
      button: button(support),
      channel: 'C0SUPPORT',
      messageTs: support.ts,
      triggerId: `bench-click-${i}`,
      actionTs: `1764061200.${String(i).padStart(6, '0')}`,
      responseUrl: fake.responseUrl(`bench-click-${i}`),
    }),
  );

  const t0 = performance.now();
  await pool(commandBodies, concurrency, (b) => send('command', b));
  await pool(clickBodies, concurrency, (b) => send('click', b));
  const wall = performance.now() - t0;
  const evaluatingAtEnd = await evaluating();

  const rows: string[][] = [];
  for (const kind of ['command', 'click', 'all'] as const) {
    const xs = [...acks.entries()].filter(([id]) => kind === 'all' || id.startsWith(kind)).map(([, ms]) => ms).sort((a, b) => a - b);
    rows.push([kind, String(xs.length), pct(xs, 50).toFixed(1), pct(xs, 90).toFixed(1), pct(xs, 99).toFixed(1), xs[xs.length - 1]!.toFixed(1)]);
  }
  const header = ['delivery', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`bench:slack — server-side ack time (request event -> response finished), concurrency ${concurrency}`);
  console.log(`background: ${Object.keys(models).length} eval gates requested; ${evaluatingAtStart} evaluating when the measure started, ${evaluatingAtEnd} still evaluating at its end`);
  console.log('');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  const p99 = Number(rows[2]![4]);
  console.log('');
  console.log(`wall ${(wall / 1000).toFixed(1)} s · target p99 < 100 ms: ${p99 < 100 ? 'MET' : 'MISSED'}`);
  if (evaluatingAtStart === 0) console.log('note: the gates had finished before the measure began; the background load was lighter than intended');

  await server.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(p99 < 100 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
