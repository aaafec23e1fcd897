/** Opening the store an installation is configured for (SQLite today: `DATABASE_PATH`). */
import type { Store } from './store.ts';
import { openSqliteStore } from './sqlite/store.ts';

/** Where the state lives. A PostgreSQL engine adds `{ engine: 'postgres'; url: string }`. */
export type StoreLocation = { engine: 'sqlite'; path: string };

/** Opens (not migrates) the store at `where`. */
export async function openStore(where: StoreLocation): Promise<Store> {
  switch (where.engine) {
    case 'sqlite':
      return openSqliteStore(where.path);
  }
}
