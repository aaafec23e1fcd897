/** What every use case takes: the store, the current config and the clock. */
import type { LoadedConfig, Person } from '../config/types.ts';
import type { Store } from '../store/store.ts';

export interface AppContext {
  /** Every piece of state (see store/store.ts for its transaction rules). */
  store: Store;
  /** The configuration in force (replaced on SIGHUP). */
  config: LoadedConfig;
  now: () => number;
}

/** Who is acting, and through which surface. */
export interface Actor {
  /** The config person, or undefined for an unknown chat user. */
  person?: Person;
  /** For the audit log when there is no person (e.g. "config-file", "job:canary"). */
  system?: string;
  surface: 'slack' | 'teams' | 'cli' | 'api' | 'console' | 'job' | 'config-file';
}

export const actorName = (a: Actor): string => a.person?.name ?? a.system ?? 'unknown';

/** A use case's answer: a value, or a refusal a user can read. */
export type Outcome<T> =
  | { ok: true; value: T; sentence: string }
  | { ok: false; error: ServiceError };

export interface ServiceError {
  kind: 'forbidden' | 'state_conflict' | 'not_found' | 'invalid' | 'unauthorized';
  message: string;
  rule?: string;
}

export const fail = (kind: ServiceError['kind'], message: string, rule?: string): { ok: false; error: ServiceError } => ({
  ok: false,
  error: { kind, message, ...(rule ? { rule } : {}) },
});

export function personBySlack(config: LoadedConfig, slackId: string): Person | undefined {
  return Object.values(config.people).find((p) => p.slack === slackId);
}

export function personByTeams(config: LoadedConfig, aadObjectId: string): Person | undefined {
  const id = aadObjectId.toLowerCase();
  return Object.values(config.people).find((p) => p.teams?.toLowerCase() === id);
}
