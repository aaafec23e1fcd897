/**
 * The store: every piece of state ai-release keeps, behind async repositories named for the
 * domain, and the one place with SQL. An engine (SQLite today, `sqlite/`) supplies an executor for
 * the repositories (`repositories()` composes them over any `SqlExecutor`), transactions, a change
 * stamp and its migrations.
 *
 * Transactions: `store.tx(async (t) => ...)` runs `fn` as one transaction across repositories and
 * commits when it resolves (rolls back when it throws; a refusal returned as a value commits
 * whatever was written before it, so refuse before writing). Inside `fn`:
 *   - use only `t`, never `store` (a call on `store` waits for the transaction it is part of);
 *   - await nothing but `t`'s calls: no network, no chat, no upstream call (the transaction holds
 *     the write lock the whole time);
 *   - `store.tx` does not nest: a helper that runs "in the caller's transaction" takes `t: Tx`.
 * Outside a transaction each repository call is its own (autocommit) statement, serialized with
 * this process's transactions so it never runs inside another caller's open one.
 */
import type { AlertRepo, ServedModelRepo } from './repos/alerts.ts';
import { sqlAlerts, sqlServedModels } from './repos/alerts.ts';
import type { AuditRepo } from './repos/audit.ts';
import { sqlAudit } from './repos/audit.ts';
import type { CanarySnapshotRepo } from './repos/canary-snapshots.ts';
import { sqlCanarySnapshots } from './repos/canary-snapshots.ts';
import type { ChatPostRepo, ConversationRepo, DeliveryRepo } from './repos/chat.ts';
import { sqlChatPosts, sqlConversations, sqlDeliveries } from './repos/chat.ts';
import type { StoredConfig, ConfigRepo } from './repos/configs.ts';
import { sqlConfigs } from './repos/configs.ts';
import type { ConsoleSessionRepo } from './repos/console-sessions.ts';
import { sqlConsoleSessions } from './repos/console-sessions.ts';
import type { EvalCacheRepo, EvalResultRepo } from './repos/evals.ts';
import { sqlEvalCache, sqlEvalResults } from './repos/evals.ts';
import type { EventRepo } from './repos/events.ts';
import { sqlEvents } from './repos/events.ts';
import type { DigestRunRepo, JobRepo } from './repos/jobs.ts';
import { sqlDigestRuns, sqlJobs } from './repos/jobs.ts';
import type { ReceiptBatchWriter, ReceiptRepo } from './repos/receipts.ts';
import { sqlReceipts } from './repos/receipts.ts';
import type { ApprovalRepo, ReleaseRepo } from './repos/releases.ts';
import { sqlApprovals, sqlReleases } from './repos/releases.ts';
import type { ReviewRepo } from './repos/review.ts';
import { sqlReview } from './repos/review.ts';
import type { SpendRepo } from './repos/spend.ts';
import { sqlSpend } from './repos/spend.ts';
import type { TokenRepo } from './repos/tokens.ts';
import { sqlTokens } from './repos/tokens.ts';
import type { MetaRepo, WorkflowRepo } from './repos/workflows.ts';
import { sqlMeta, sqlWorkflows } from './repos/workflows.ts';
import type { ReceiptSink, ReceiptSinkOptions } from './receipt-sink.ts';
import type { Dialect, SqlExecutor } from './sql.ts';

export interface Repositories {
  releases: ReleaseRepo;
  approvals: ApprovalRepo;
  audit: AuditRepo;
  events: EventRepo;
  configs: ConfigRepo;
  workflows: WorkflowRepo;
  meta: MetaRepo;
  tokens: TokenRepo;
  receipts: ReceiptRepo;
  spend: SpendRepo;
  alerts: AlertRepo;
  servedModels: ServedModelRepo;
  jobs: JobRepo;
  digestRuns: DigestRunRepo;
  chatPosts: ChatPostRepo;
  deliveries: DeliveryRepo;
  conversations: ConversationRepo;
  consoleSessions: ConsoleSessionRepo;
  evalResults: EvalResultRepo;
  evalCache: EvalCacheRepo;
  review: ReviewRepo;
  canarySnapshots: CanarySnapshotRepo;
}

/** The repositories of one open transaction (`store.tx`'s argument). */
export interface Tx extends Repositories {
  readonly inTransaction: true;
}

export interface MigrationResult {
  applied: string[];
  version: number;
}

export type StoreEngine = 'sqlite' | 'postgres';

export interface Store extends Repositories {
  readonly engine: StoreEngine;
  /** One transaction across repositories (see the rules above). */
  tx<T>(fn: (t: Tx) => Promise<T>): Promise<T>;
  /**
   * Changes whenever state may have changed: a commit by another process, or a `tx` committed by
   * this one (receipt batches, cursors and other writes outside `tx` do not count). Synchronous and
   * cheap: read on every gateway request (at most once per event-loop turn unless `fresh`).
   */
  changeStamp(opts?: { fresh?: boolean }): string;
  /** Resolves when the store answers (`/healthz`); rejects otherwise. */
  ping(): Promise<void>;
  /** Applies the migrations not applied yet. */
  migrate(): Promise<MigrationResult>;
  /** Where the gateway's receipt batches go. */
  receiptSink(opts: ReceiptSinkOptions): ReceiptSink;
  readonly closed: boolean;
  /** Waits for the transaction in progress, then closes. Idempotent. */
  close(): Promise<void>;
}

/** What an engine supplies besides its executor. */
export interface EngineParts {
  dialect: Dialect;
  /** Configs never change once stored: one cache per store, shared by its executors. */
  configCache: Map<string, StoredConfig>;
  /** The engine's batch writer for receipts on this executor. */
  writeReceiptBatch: ReceiptBatchWriter;
}

/** Every repository over one executor (the store's, or one transaction's). */
export function repositories(db: SqlExecutor, parts: EngineParts): Repositories {
  return {
    releases: sqlReleases(db),
    approvals: sqlApprovals(db),
    audit: sqlAudit(db, parts.dialect),
    events: sqlEvents(db),
    configs: sqlConfigs(db, parts.configCache),
    workflows: sqlWorkflows(db),
    meta: sqlMeta(db),
    tokens: sqlTokens(db),
    receipts: sqlReceipts(db, parts.dialect, parts.writeReceiptBatch),
    spend: sqlSpend(db),
    alerts: sqlAlerts(db),
    servedModels: sqlServedModels(db),
    jobs: sqlJobs(db),
    digestRuns: sqlDigestRuns(db),
    chatPosts: sqlChatPosts(db),
    deliveries: sqlDeliveries(db),
    conversations: sqlConversations(db),
    consoleSessions: sqlConsoleSessions(db),
    evalResults: sqlEvalResults(db),
    evalCache: sqlEvalCache(db),
    review: sqlReview(db),
    canarySnapshots: sqlCanarySnapshots(db),
  };
}
