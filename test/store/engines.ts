/**
 * The engines the repository contract suite runs on. Each gives a fresh, migrated, empty store per
 * test; `reopen` opens a second store on the same database (another process, for change
 * detection and locking); `tamper` changes rows behind the store's back, as someone with access to
 * the database would (the audit chain must notice).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/store/store.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { openConnection } from '../../src/store/sqlite/connection.ts';

export interface OpenedEngine {
  store: Store;
  /** Another store on the same database (migrated already). */
  reopen(): Promise<Store>;
  /** Runs SQL directly on the database, outside the store (simulated tampering). */
  tamper(sql: string, params?: (string | number | null)[]): Promise<void>;
  close(): Promise<void>;
}

export interface EngineUnderTest {
  name: string;
  open(): Promise<OpenedEngine>;
}

const sqlite: EngineUnderTest = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'air-store-'));
    const path = join(dir, 'store.db');
    const store = openSqliteStore(path);
    await store.migrate();
    const others: Store[] = [];
    return {
      store,
      async reopen() {
        const s = openSqliteStore(path);
        others.push(s);
        return s;
      },
      async tamper(sql, params = []) {
        const raw = openConnection(path);
        try {
          raw.prepare(sql).run(...params);
        } finally {
          raw.close();
        }
      },
      async close() {
        for (const s of others) await s.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** Every engine the suite runs on (a PostgreSQL engine adds its factory here). */
export const engines: EngineUnderTest[] = [sqlite];

import { afterEach, beforeEach, describe } from 'vitest';
import type { ReleaseConfig } from '../../src/config/types.ts';

/** A describe block run once per engine, each test with its own fresh store. */
export function eachEngine(title: string, body: (e: () => OpenedEngine) => void): void {
  describe.each(engines)(`$name · ${title}`, (engine) => {
    let opened: OpenedEngine | undefined;
    beforeEach(async () => {
      opened = await engine.open();
    });
    afterEach(async () => {
      await opened?.close();
      opened = undefined;
    });
    body(() => opened!);
  });
}

/** A release config (every field), different per `model`. */
export function configOf(model: string): ReleaseConfig {
  return {
    provider: 'openai',
    model,
    prompt: 'You triage support tickets.',
    params: { temperature: 0 },
    rag: null,
    tools: [],
    guardrails: { maxOutputTokens: 400 },
    allowFloating: false,
  };
}

export const T0 = Date.parse('2026-11-25T09:00:00Z');
