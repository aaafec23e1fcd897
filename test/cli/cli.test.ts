import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/harness.ts';
import { writeMiniConfig } from '../helpers/mini-config.ts';

function env(dir: string, file: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { DATABASE_PATH: join(dir, 'ai-release.db'), AI_RELEASE_CONFIG: file, ...extra };
}

/** Simulates the gate's answer directly in the shared database (the server's job). */
function passGate(dbPath: string, id: number) {
  const db = new Database(dbPath);
  db.prepare("UPDATE releases SET state = 'awaiting_approval', gate_outcome = 'pass', verdict = '{\"outcome\":\"pass\",\"summary\":\"ok\",\"rows\":[]}', version = version + 1 WHERE id = ?").run(id);
  db.close();
}

describe('ai-release CLI', () => {
  let dir: string;
  let file: string;
  let e: NodeJS.ProcessEnv;
  let eli: string;
  let dana: string;
  let kim: string;

  beforeAll(async () => {
    dir = tempDir();
    file = writeMiniConfig().file;
    e = env(dir, file);
    const mint = async (person: string) => {
      const r = await runCli(['token', 'create', '--name', person, '--scopes', 'releases', '--person', person], e);
      expect(r.code).toBe(0);
      return r.stdout.trim();
    };
    [eli, dana, kim] = await Promise.all([mint('eli'), mint('dana'), mint('kim')]);
  }, 60_000);

  it('token create prints the token once and stores only its hash', () => {
    expect(eli).toMatch(/^air_rel_/);
    const raw = readFileSync(join(dir, 'ai-release.db'));
    expect(raw.includes(Buffer.from(eli))).toBe(false);
  });

  it('config check lists every problem as file:path: message, exits 1 and writes nothing', async () => {
    const bad = writeMiniConfig();
    writeFileSync(bad.file, readFileSync(bad.file, 'utf8').replace('approvers: [lee, zed]', 'approvers: [lee, nobody]').replace('model: gpt-4.1-mini-2025-04-14', 'model: gpt-4o'));
    const fresh = tempDir();
    const r = await runCli(['config', 'check', bad.file], env(fresh, bad.file));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${bad.file}:workflows.beta.approvers[1]:`);
    expect(r.stdout).toMatch(/workflows\.beta\.config\.model: .*pinned|floating/);
    expect(existsSync(join(fresh, 'ai-release.db'))).toBe(false);
    const ok = await runCli(['config', 'check', file], e);
    expect(ok.code).toBe(0);
  });

  it('a bad command exits 2 with the verb usage; a change without a token exits 3', async () => {
    const bad = await runCli(['request'], e);
    expect(bad.code).toBe(2);
    expect(bad.stdout + bad.stderr).toContain('request <workflow>');
    const noToken = await runCli(['request', 'alpha', '--model', 'gpt-4.1-mini-2025-04-14'], e);
    expect(noToken.code).toBe(3);
    expect(noToken.stdout + noToken.stderr).toMatch(/AI_RELEASE_TOKEN/);
    const status = await runCli(['status'], e);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('alpha');
  });

  it('request, then two processes approving at once make one transition and one audit event', async () => {
    const req = await runCli(['request', 'alpha', '--model', 'gpt-4.1-mini-2025-04-14', '--reason', 'cheaper', '--json'], { ...e, AI_RELEASE_TOKEN: eli });
    expect(req.code).toBe(0);
    const cards = JSON.parse(req.stdout);
    expect(cards[0].title).toMatch(/REL-1/);
    passGate(e.DATABASE_PATH!, 1);
    const [a, b] = await Promise.all([
      runCli(['approve', 'REL-1'], { ...e, AI_RELEASE_TOKEN: dana }),
      runCli(['approve', 'REL-1'], { ...e, AI_RELEASE_TOKEN: kim }),
    ]);
    expect([a.code, b.code].sort()).toEqual([0, 3]);
    const db = new Database(e.DATABASE_PATH!);
    const n = db.prepare("SELECT COUNT(*) n FROM audit WHERE release_id = 1 AND action = 'release_approved'").get() as { n: number };
    const state = db.prepare('SELECT state FROM releases WHERE id = 1').get() as { state: string };
    db.close();
    expect(n.n).toBe(1);
    expect(state.state).toBe('canary');
    const requester = await runCli(['promote', 'REL-1'], { ...e, AI_RELEASE_TOKEN: 'air_rel_nonsense' });
    expect(requester.code).toBe(3);
  });

  it('audit verify prints the head hash; a tampered row exits 1 naming it; export as jsonl and csv', async () => {
    const ok = await runCli(['audit', 'verify'], e);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/head [0-9a-f]{64}/);
    const jsonl = await runCli(['audit', 'export', '--format', 'jsonl'], e);
    expect(jsonl.code).toBe(0);
    const first = JSON.parse(jsonl.stdout.split('\n')[0]!);
    expect(first).toHaveProperty('hash');
    const csv = await runCli(['audit', 'export', '--format', 'csv', '--since', '2000-01-01'], e);
    expect(csv.stdout.split('\n')[0]).toBe('seq,time,actor,action,workflow,release_id,data,prev_hash,hash');
    const badFmt = await runCli(['audit', 'export', '--format', 'xml'], e);
    expect(badFmt.code).toBe(2);
    const db = new Database(e.DATABASE_PATH!);
    db.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 2").run();
    db.close();
    const broken = await runCli(['audit', 'verify'], e);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/event 2/);
  });
});
