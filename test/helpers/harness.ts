/** Test harness: a real server (or app) on a temporary SQLite file, with tokens minted directly. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openApp, settingsFromEnv, type OpenedApp, type Settings } from '../../src/app.ts';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import type { Store } from '../../src/store/store.ts';

export const EXAMPLE_CONFIG = resolve('examples/ai-release.yaml');

export function tempDir(prefix = 'air-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function testSettings(dir: string, over: Partial<Settings> = {}): Settings {
  return { ...settingsFromEnv({}), port: 0, databasePath: join(dir, 'ai-release.db'), configPath: EXAMPLE_CONFIG, logLevel: 'error', ...over };
}

let tokenSeq = 0;
export function personToken(store: Store, person: string): Promise<string> {
  return store.tokens.create({ name: `test-${person}-${++tokenSeq}`, scope: 'releases', person, now: Date.now() });
}
export function gatewayToken(store: Store, team: string): Promise<string> {
  return store.tokens.create({ name: `test-gw-${team}-${++tokenSeq}`, scope: 'gateway', team, now: Date.now() });
}

export interface TestServer {
  server: RunningServer;
  url: string;
  dir: string;
  settings: Settings;
  store: Store;
  token(person: string): Promise<string>;
  gatewayToken(team: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestServer(
  opts: { env?: NodeJS.ProcessEnv; settings?: Partial<Settings>; now?: () => number; dir?: string } = {},
): Promise<TestServer> {
  const dir = opts.dir ?? tempDir();
  const settings = testSettings(dir, opts.settings);
  const logs: string[] = [];
  const server = await startServer(settings, {
    env: { ...opts.env },
    now: opts.now,
    noSignals: true,
    logWrite: (l) => logs.push(l),
    pumpIntervalMs: 50,
  });
  const store = server.runtime.ctx.store;
  return {
    server,
    url: server.url,
    dir,
    settings,
    store,
    token: (p) => personToken(store, p),
    gatewayToken: (t) => gatewayToken(store, t),
    close: async () => {
      await server.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The app alone (no HTTP): services, executor and store on a temporary file. */
export async function openTestApp(opts: { configPath?: string; now?: () => number; env?: NodeJS.ProcessEnv; dir?: string } = {}): Promise<OpenedApp & { dir: string; settings: Settings }> {
  const dir = opts.dir ?? tempDir();
  const settings = testSettings(dir, { configPath: opts.configPath ?? EXAMPLE_CONFIG });
  const app = await openApp(settings, { env: opts.env ?? {}, now: opts.now });
  return { ...app, dir, settings };
}

/** A controllable clock. */
export function fakeClock(start = Date.parse('2026-11-25T09:00:00Z')) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms), set: (ms: number) => (t = ms) };
}

export async function api(url: string, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(url + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}
