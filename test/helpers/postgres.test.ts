/** The throwaway PostgreSQL the store's tests run against: real, private to the run, cleaned up. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresBinDir, sharedPostgresCluster, startPostgresCluster, type TestDatabase } from './postgres.ts';

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('throwaway PostgreSQL for tests', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeAll(async () => {
    a = await createTestDatabase();
    b = await createTestDatabase();
  }, 120_000);
  afterAll(async () => {
    await a?.drop();
    await b?.drop();
  });

  it('gives each test file a database of its own, owned by the application role and reached with its password', async () => {
    const who = await withClient(a.url, (c) => c.query('SELECT current_user AS role, current_database() AS db, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser'));
    expect(who.rows[0]).toEqual({ role: 'ai_release', db: a.name, superuser: false });

    await withClient(a.url, (c) => c.query('CREATE TABLE releases (id BIGINT PRIMARY KEY); INSERT INTO releases VALUES (1)'));
    const inA = await withClient(a.url, (c) => c.query('SELECT id FROM releases'));
    expect(inA.rows).toEqual([{ id: '1' }]);
    const inB = await withClient(b.url, (c) => c.query("SELECT to_regclass('releases') AS t"));
    expect(inB.rows[0].t).toBeNull();
  });

  it('copies a database given as template, so a schema made once serves many tests', async () => {
    await withClient(b.url, (c) => c.query("CREATE TABLE workflows (name TEXT PRIMARY KEY); INSERT INTO workflows VALUES ('support-triage')"));
    const copy = await createTestDatabase({ template: b });
    try {
      const rows = await withClient(copy.url, (c) => c.query('SELECT name FROM workflows'));
      expect(rows.rows).toEqual([{ name: 'support-triage' }]);
      expect(copy.name).not.toBe(b.name);
    } finally {
      await copy.drop();
    }
  });

  it('listens on 127.0.0.1 and a socket inside its own directory, with the fast test settings', async () => {
    const cluster = await sharedPostgresCluster();
    const settings = await withClient(cluster.adminUrl(), async (c) => {
      const show = async (name: string) => (await c.query(`SHOW ${name}`)).rows[0][name] as string;
      return { listen: await show('listen_addresses'), socket: await show('unix_socket_directories'), fsync: await show('fsync') };
    });
    expect(settings).toEqual({ listen: '127.0.0.1', socket: cluster.socketDir, fsync: 'off' });
    expect(cluster.dir.startsWith(tmpdir())).toBe(true);
    expect(existsSync(join(cluster.socketDir, `.s.PGSQL.${cluster.port}`))).toBe(true);
  });

  it('refuses a wrong password', async () => {
    const wrong = a.url.replace(/:[^:@/]+@/, ':not-the-password@');
    const err = await withClient(wrong, (c) => c.query('SELECT 1')).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('28P01'); // invalid_password
  });

  it('a cluster of its own stops and leaves nothing behind', async () => {
    const dir = join(tmpdir(), `pg-own-${process.pid}`);
    const cluster = await startPostgresCluster(dir);
    const one = await withClient(cluster.url('postgres'), (c) => c.query('SELECT 1 AS one'));
    expect(one.rows).toEqual([{ one: 1 }]);

    await cluster.stop();
    expect(existsSync(dir)).toBe(false);
    const err = await withClient(cluster.url('postgres'), (c) => c.query('SELECT 1')).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
  }, 120_000);

  it('says how to install PostgreSQL when it is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-pg-'));
    try {
      expect(() => postgresBinDir(empty)).toThrow(/initdb, pg_ctl\) not found under .*apt-get install postgresql/);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });
});
