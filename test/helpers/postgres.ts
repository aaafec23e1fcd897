/**
 * PostgreSQL for tests: one throwaway cluster per vitest run, shared by every test file that asks
 * for it, and a fresh database per test file (CREATE DATABASE is far cheaper than initdb).
 *
 *   const db = await createTestDatabase();          // in beforeAll (allow it ~60 s: the first
 *   const pool = new pg.Pool({ connectionString: db.url });   // file of a run starts the cluster)
 *   ...
 *   await pool.end(); await db.drop();               // in afterAll
 *
 * A database per test: migrate one per file, end its pools, then
 * `createTestDatabase({ template: migrated })` in beforeEach copies it.
 *
 * The cluster starts lazily, on the first call in the run, so a run without PostgreSQL tests pays
 * nothing. Test files run in separate processes: the first one to ask takes a lock directory under
 * the run's temporary directory, starts the cluster there and writes its record; the others wait
 * for the record. The global teardown (global-tmp.ts) stops the cluster before the run's
 * directory is removed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  APP_ROLE,
  clusterFromRecord,
  postgresBinDir,
  startPostgresCluster,
  stopCluster,
  type ClusterRecord,
  type PostgresCluster,
} from './postgres-cluster.ts';

export { postgresBinDir, startPostgresCluster, type PostgresCluster, type RunningCluster } from './postgres-cluster.ts';

const SHARED = 'postgres';
const sharedPaths = (root: string) => ({
  dir: join(root, SHARED),
  lock: join(root, `${SHARED}.lock`),
  record: join(root, `${SHARED}.json`),
  failure: join(root, `${SHARED}.error`),
});

let shared: Promise<PostgresCluster> | undefined;

/** The run's cluster, started on first use (by whichever test process asks first). */
export function sharedPostgresCluster(): Promise<PostgresCluster> {
  shared ??= openShared(tmpdir()).catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return shared;
}

async function openShared(root: string): Promise<PostgresCluster> {
  const paths = sharedPaths(root);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (existsSync(paths.record)) return clusterFromRecord(JSON.parse(readFileSync(paths.record, 'utf8')) as ClusterRecord);
    if (existsSync(paths.failure)) throw new Error(readFileSync(paths.failure, 'utf8'));
    if (takeLock(paths.lock)) {
      try {
        const cluster = await startPostgresCluster(paths.dir);
        writeFileSync(`${paths.record}.tmp`, JSON.stringify(cluster.record), { mode: 0o600 });
        renameSync(`${paths.record}.tmp`, paths.record);
        return cluster;
      } catch (err) {
        // Every other file of the run gets the same clear message instead of trying again.
        writeFileSync(paths.failure, (err as Error).message);
        throw err;
      }
    }
    if (Date.now() > deadline) throw new Error(`the shared PostgreSQL cluster did not start within 120 s (lock ${paths.lock})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** mkdir is atomic: whoever makes the directory starts the cluster; a dead starter's lock is taken over. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return true;
  } catch {
    let pid = NaN;
    try {
      pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    } catch {
      return false; // being written right now
    }
    if (pid && !alive(pid)) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Global teardown: stops the run's cluster, if one was started, before its directory goes. */
export async function stopSharedPostgresCluster(root: string): Promise<void> {
  const paths = sharedPaths(root);
  if (!existsSync(paths.dir)) return;
  let binDir: string;
  try {
    binDir = (JSON.parse(readFileSync(paths.record, 'utf8')) as ClusterRecord).binDir;
  } catch {
    // Started but its record never written (its process died): find the binaries again.
    binDir = postgresBinDir().binDir;
  }
  await stopCluster(binDir, paths.dir);
}

export interface TestDatabase {
  /** The database's name, unique in the run. */
  readonly name: string;
  /** `postgres://ai_release:…@127.0.0.1:<port>/<name>`: the application role, owner of the database. */
  readonly url: string;
  readonly cluster: PostgresCluster;
  /** Drops the database (closing whatever is still connected to it). */
  drop(): Promise<void>;
}

let databaseSeq = 0;

export interface TestDatabaseOptions {
  /** The cluster to create it on (default: the run's shared one). */
  cluster?: PostgresCluster;
  /**
   * A database to copy (e.g. one migrated once per file, then copied per test: far cheaper than
   * migrating each time). Nothing may be connected to it while it is copied: end its pools first.
   */
  template?: TestDatabase;
}

/** A new database owned by the application role: empty, or a copy of `template`. */
export async function createTestDatabase(opts: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const on = opts.template?.cluster ?? opts.cluster ?? (await sharedPostgresCluster());
  const name = `t_${process.pid}_${++databaseSeq}_${randomBytes(3).toString('hex')}`;
  // FILE_COPY (15+) copies the template's few files at a checkpoint that costs nothing with fsync
  // off: faster here than the default WAL_LOG, which writes every page to the WAL.
  const strategy = Number(on.version) >= 15 ? ' STRATEGY FILE_COPY' : '';
  await asAdmin(on, (c) => c.query(`CREATE DATABASE ${name} OWNER ${APP_ROLE} TEMPLATE ${opts.template?.name ?? 'template0'}${strategy}`));
  return {
    name,
    url: on.url(name),
    cluster: on,
    drop: () => asAdmin(on, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

async function asAdmin<T>(cluster: PostgresCluster, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: cluster.adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
