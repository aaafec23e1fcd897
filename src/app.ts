/**
 * Opening ai-release's state: the environment's settings, the store (migrated), the configuration
 * (validated) and the file/live sync. Used by the server and the CLI alike.
 */
import { resolve } from 'node:path';
import type { LoadedConfig } from './config/types.ts';
import { formatProblems, loadConfig } from './config/load.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/store.ts';
import type { AppContext } from './services/context.ts';
import { syncConfigFile, type SyncReport } from './services/config-sync.ts';

export interface Settings {
  port: number;
  databasePath: string;
  configPath: string;
  tz: string;
  logLevel: string;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    port: Number(env.PORT ?? 3000),
    databasePath: env.DATABASE_PATH ?? './data/ai-release.db',
    configPath: resolve(env.AI_RELEASE_CONFIG ?? 'examples/ai-release.yaml'),
    tz: env.TZ || 'UTC',
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}

/** A user-facing failure to start: printed as is, no stack trace. */
export class StartupError extends Error {}

export function loadConfigOrThrow(path: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const r = loadConfig(path, env);
  if (!r.ok) throw new StartupError(`The configuration has problems; nothing was started or written:\n${formatProblems(r.problems)}`);
  return r.config;
}

export interface OpenedApp {
  ctx: AppContext;
  sync: SyncReport;
  close(): Promise<void>;
}

/** The store of these settings (opened, not migrated). */
export function openSettingsStore(settings: Settings): Promise<Store> {
  return openStore({ engine: 'sqlite', path: settings.databasePath });
}

/** Loads the config first (a bad file writes nothing), then opens, migrates and syncs the store. */
export async function openApp(settings: Settings, opts: { env?: NodeJS.ProcessEnv; now?: () => number; store?: Store } = {}): Promise<OpenedApp> {
  const config = loadConfigOrThrow(settings.configPath, opts.env ?? process.env);
  const store = opts.store ?? (await openSettingsStore(settings));
  try {
    await store.migrate();
    const ctx: AppContext = { store, config, now: opts.now ?? Date.now };
    const sync = await syncConfigFile(ctx);
    return { ctx, sync, close: () => store.close() };
  } catch (e) {
    await store.close();
    throw e;
  }
}
