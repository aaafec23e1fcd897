/**
 * A real, throwaway PostgreSQL cluster for tests: `initdb` into a directory, `pg_ctl start` on a
 * free port, listening on 127.0.0.1 and on a unix socket inside that directory only, stopped with
 * `pg_ctl stop -m immediate` and removed at the end. Debian's server binaries are used
 * (/usr/lib/postgresql/<version>/bin, the highest version installed); no system service.
 *
 * initdb and pg_ctl refuse to run as root: as root they run as the `postgres` user through
 * `runuser`, and the directory is handed to that user.
 *
 * Test-only settings: fsync, synchronous_commit and full_page_writes are off, autovacuum too —
 * a crash may lose or corrupt this cluster, which is thrown away anyway. Never use them for data
 * you keep.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const POSTGRES_INSTALL_HINT =
  "install Debian's PostgreSQL server: `apt-get install postgresql` as root (`npm test` does this itself when run as root)";

/** The application role tests connect as (over TCP, with a password): not a superuser. */
export const APP_ROLE = 'ai_release';
const ADMIN_ROLE = 'postgres';

export interface PostgresCluster {
  /** The server's major version, e.g. "15". */
  readonly version: string;
  readonly host: string;
  readonly port: number;
  /** The directory holding data/, the unix socket and the server log. */
  readonly dir: string;
  readonly socketDir: string;
  /** The application role's password (random per cluster). */
  readonly password: string;
  /** A `postgres://` URL for the application role, over TCP with its password. */
  url(database: string): string;
  /** A `postgres://` URL for the superuser, over TCP with its password (creating databases). */
  adminUrl(database?: string): string;
}

/** What it takes to find and stop a cluster again, from another process (see postgres.ts). */
export interface ClusterRecord {
  version: string;
  binDir: string;
  host: string;
  port: number;
  dir: string;
  password: string;
  adminPassword: string;
}

export interface RunningCluster extends PostgresCluster {
  readonly record: ClusterRecord;
  /** Stops the server at once and removes its directory. */
  stop(): Promise<void>;
}

/** The bin directory of the highest PostgreSQL version installed under `root`, with its version. */
export function postgresBinDir(root = '/usr/lib/postgresql'): { binDir: string; version: string } {
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error(`PostgreSQL server binaries (initdb, pg_ctl) not found under ${root}/<version>/bin: ${POSTGRES_INSTALL_HINT}`);
  return { binDir: join(root, versions[0], 'bin'), version: versions[0] };
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${ADMIN_ROLE}:`));
  if (!line) throw new Error(`running as root, but there is no \`${ADMIN_ROLE}\` user to run initdb and pg_ctl as: ${POSTGRES_INSTALL_HINT}`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Runs a server binary, as `postgres` through runuser when we are root. */
async function pgBin(binDir: string, tool: string, args: string[], cwd: string): Promise<string> {
  const [file, argv] = isRoot() ? ['runuser', ['-u', ADMIN_ROLE, '--', join(binDir, tool), ...args]] : [join(binDir, tool), args];
  try {
    const { stdout } = await run(file, argv, { cwd, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, timeout: 120_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${tool} ${args[0] ?? ''} failed: ${(e.stderr || e.message).trim()}`);
  }
}

/** A port free on 127.0.0.1 right now (the server may still lose a race for it: start retries). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const urlFor = (user: string, password: string, host: string, port: number, database: string) =>
  `postgres://${user}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;

export function clusterFromRecord(record: ClusterRecord): PostgresCluster {
  return {
    version: record.version,
    host: record.host,
    port: record.port,
    dir: record.dir,
    socketDir: join(record.dir, 'socket'),
    password: record.password,
    url: (database) => urlFor(APP_ROLE, record.password, record.host, record.port, database),
    adminUrl: (database = 'postgres') => urlFor(ADMIN_ROLE, record.adminPassword, record.host, record.port, database),
  };
}

/**
 * Creates and starts a cluster in `dir` (which must not exist yet; its parent must be reachable
 * by the `postgres` user when we are root). The application role `ai_release` (CREATEDB, not a
 * superuser) and the superuser `postgres` both need their password over TCP (scram-sha-256); the
 * unix socket trusts whoever can reach it (only root and `postgres`: the directory is theirs).
 */
export async function startPostgresCluster(dir: string, opts: { binRoot?: string } = {}): Promise<RunningCluster> {
  const { binDir, version } = postgresBinDir(opts.binRoot);
  const owner = isRoot() ? postgresUser() : null;
  mkdirSync(dir, { mode: 0o700 });
  const stopAndRemove = async () => {
    await stopCluster(binDir, dir);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const socketDir = join(dir, 'socket');
    mkdirSync(socketDir, { mode: 0o700 });
    const password = randomBytes(18).toString('base64url');
    const adminPassword = randomBytes(18).toString('base64url');
    writeFileSync(join(dir, 'pwfile'), `${adminPassword}\n`, { mode: 0o600 });
    if (owner) {
      for (const p of [dir, socketDir, join(dir, 'pwfile')]) chownSync(p, owner.uid, owner.gid);
      await run('runuser', ['-u', ADMIN_ROLE, '--', 'test', '-w', dir]).catch(() => {
        throw new Error(`the \`${ADMIN_ROLE}\` user cannot reach ${dir}: every directory above it must be searchable by others (chmod o+x)`);
      });
    }
    const data = join(dir, 'data');
    await pgBin(binDir, 'initdb', ['-D', data, '-U', ADMIN_ROLE, `--pwfile=${join(dir, 'pwfile')}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync'], dir);
    rmSync(join(dir, 'pwfile'));

    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const record: ClusterRecord = { version, binDir, host: '127.0.0.1', port, dir, password, adminPassword };
      writeSettings(data, port, socketDir);
      try {
        await pgBin(binDir, 'pg_ctl', ['start', '-D', data, '-w', '-t', '60', '-l', join(dir, 'server.log')], dir);
      } catch (err) {
        lastError = err;
        if (/could not bind|address already in use/i.test(serverLog(dir))) continue; // lost the port race
        throw new Error(`${(err as Error).message}\n--- server log ---\n${serverLog(dir)}`);
      }
      const cluster = clusterFromRecord(record);
      const admin = new pg.Client({ connectionString: cluster.adminUrl() });
      await admin.connect();
      try {
        await admin.query(`CREATE ROLE ${APP_ROLE} LOGIN CREATEDB PASSWORD '${password}'`);
      } finally {
        await admin.end();
      }
      return { ...cluster, record, stop: stopAndRemove };
    }
    throw lastError;
  } catch (err) {
    await stopAndRemove().catch(() => {});
    throw err;
  }
}

function writeSettings(data: string, port: number, socketDir: string): void {
  // Appended last, so these win over initdb's defaults (and over an earlier attempt's port).
  appendFileSync(
    join(data, 'postgresql.conf'),
    [
      '',
      '# ai-release tests: a throwaway cluster. fsync, synchronous_commit, full_page_writes and',
      '# autovacuum are off for speed: never settings for data you keep.',
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${socketDir}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'autovacuum = off',
      'shared_buffers = 32MB',
      'max_connections = 200',
      "timezone = 'UTC'",
      '',
    ].join('\n'),
  );
}

function serverLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'server.log'), 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no server log)';
  }
}

/** Stops the server of `dir` at once (no checkpoint: the data is thrown away), if it runs. */
export async function stopCluster(binDir: string, dir: string): Promise<void> {
  const data = join(dir, 'data');
  if (!existsSync(join(data, 'postmaster.pid'))) return;
  await pgBin(binDir, 'pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '30'], dir);
}
