-- ai-release schema v1. Portable SQL where it costs nothing (a PostgreSQL store comes later).

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Immutable, content-hashed release configs.
CREATE TABLE configs (
  hash        TEXT PRIMARY KEY,
  body        TEXT NOT NULL,          -- canonical JSON of the ReleaseConfig
  prompt_file TEXT,
  created_at  INTEGER NOT NULL
);

-- Live state per workflow.
CREATE TABLE workflows (
  name          TEXT PRIMARY KEY,
  team          TEXT NOT NULL,
  stable_hash   TEXT NOT NULL REFERENCES configs(hash),
  file_hash     TEXT NOT NULL,        -- the last config hash seen in the file
  policy        TEXT NOT NULL,        -- canonical JSON of everything outside `config`
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

-- Every config hash the file has ever stated for a workflow.
CREATE TABLE file_hashes (
  workflow TEXT NOT NULL,
  hash     TEXT NOT NULL,
  seen_at  INTEGER NOT NULL,
  PRIMARY KEY (workflow, hash)
);

CREATE TABLE releases (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  workflow         TEXT NOT NULL,
  state            TEXT NOT NULL,
  stage_index      INTEGER NOT NULL DEFAULT -1,
  paused_state     TEXT,
  baseline_hash    TEXT NOT NULL REFERENCES configs(hash),
  candidate_hash   TEXT NOT NULL REFERENCES configs(hash),
  salt             TEXT NOT NULL,
  requester        TEXT NOT NULL,
  reason           TEXT,
  source           TEXT NOT NULL,     -- chat | cli | api | config-file | console
  changes          TEXT NOT NULL,     -- JSON: what the request changed (model, prompt, params)
  verdict          TEXT,              -- JSON GateVerdict of the latest gate run
  gate_outcome     TEXT,              -- pass | fail | needs_cost_approval
  gate_runs        INTEGER NOT NULL DEFAULT 0,
  override_reason  TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  stage_started_at INTEGER,
  traffic_started_at INTEGER,
  completed_at     INTEGER,
  ended_at         INTEGER,
  version          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX releases_workflow ON releases(workflow, id);
CREATE INDEX releases_state ON releases(state);

CREATE TABLE approvals (
  release_id INTEGER NOT NULL,
  gate_run   INTEGER NOT NULL,        -- approvals count for one gate run; a re-run starts afresh
  person     TEXT NOT NULL,
  finance    INTEGER NOT NULL DEFAULT 0,
  at         INTEGER NOT NULL,
  PRIMARY KEY (release_id, gate_run, person)
);

-- The tamper-evident audit chain.
CREATE TABLE audit (
  seq        INTEGER PRIMARY KEY,
  ts         INTEGER NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  workflow   TEXT,
  release_id INTEGER,
  data       TEXT NOT NULL,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);
CREATE INDEX audit_workflow ON audit(workflow, seq);
CREATE INDEX audit_release ON audit(release_id, seq);

-- What happened, for whoever reacts (chat cards, gate runner, console). Written in the same
-- transaction as the change; each consumer keeps its own cursor.
CREATE TABLE events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL,
  release_id INTEGER,
  workflow   TEXT,
  payload    TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE cursors (
  consumer TEXT PRIMARY KEY,
  last_id  INTEGER NOT NULL
);

CREATE TABLE tokens (
  name       TEXT PRIMARY KEY,
  hash       TEXT NOT NULL UNIQUE,     -- sha256 of the token; the token itself is never stored
  scope      TEXT NOT NULL,            -- gateway | releases
  team       TEXT,
  person     TEXT,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE receipts (
  id                 TEXT PRIMARY KEY,
  ts                 INTEGER NOT NULL,
  purpose            TEXT NOT NULL,
  workflow           TEXT NOT NULL,
  team               TEXT,
  release_id         INTEGER,
  variant            TEXT,
  config_hash        TEXT,
  provider           TEXT,
  model_requested    TEXT,
  model_served       TEXT,
  system_fingerprint TEXT,
  unit_hash          TEXT,
  input_tokens       INTEGER NOT NULL DEFAULT 0,
  cached_tokens      INTEGER NOT NULL DEFAULT 0,
  output_tokens      INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens   INTEGER NOT NULL DEFAULT 0,
  cost_usd           REAL NOT NULL DEFAULT 0,
  price_version      TEXT,
  latency_ms         REAL,
  status             TEXT NOT NULL,
  error_type         TEXT,
  tool_calls         TEXT,
  sources            TEXT,
  output             TEXT,
  needs_approval     INTEGER NOT NULL DEFAULT 0,
  approved           INTEGER,
  edited             INTEGER,
  escalated          INTEGER,
  overridden         INTEGER,
  reported           INTEGER,
  csat               INTEGER
);
CREATE INDEX receipts_workflow_ts ON receipts(workflow, ts);
CREATE INDEX receipts_release ON receipts(release_id, variant, ts);

-- Feedback that arrived before its receipt was written.
CREATE TABLE pending_feedback (
  receipt_id TEXT PRIMARY KEY,
  fields     TEXT NOT NULL,
  at         INTEGER NOT NULL
);

-- Spend rollups maintained as receipts arrive (digests never scan receipts).
CREATE TABLE spend_daily (
  day           TEXT NOT NULL,         -- YYYY-MM-DD in TZ
  workflow      TEXT NOT NULL,
  team          TEXT NOT NULL,
  purpose       TEXT NOT NULL,
  variant       TEXT NOT NULL,
  calls         INTEGER NOT NULL,
  errors        INTEGER NOT NULL,
  cost_usd      REAL NOT NULL,
  input_tokens  INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  PRIMARY KEY (day, workflow, purpose, variant)
);

-- Eval runs of a gate (one row per case x repeat x variant).
CREATE TABLE eval_results (
  release_id INTEGER NOT NULL,
  gate_run   INTEGER NOT NULL,
  variant    TEXT NOT NULL,            -- baseline | candidate
  case_id    TEXT NOT NULL,
  repeat     INTEGER NOT NULL,
  passed     INTEGER NOT NULL,
  score      REAL NOT NULL,
  escalated  INTEGER NOT NULL,
  cost_usd   REAL NOT NULL,
  tokens     INTEGER NOT NULL,
  latency_ms REAL NOT NULL,
  error      TEXT,
  output     TEXT,
  details    TEXT,
  PRIMARY KEY (release_id, gate_run, variant, case_id, repeat)
);

CREATE TABLE eval_cache (
  key        TEXT PRIMARY KEY,         -- config hash + case content hash + repeat
  result     TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Human review of sampled pairs.
CREATE TABLE review_pairs (
  release_id INTEGER NOT NULL,
  gate_run   INTEGER NOT NULL,
  pair       INTEGER NOT NULL,
  case_id    TEXT NOT NULL,
  repeat     INTEGER NOT NULL,
  PRIMARY KEY (release_id, gate_run, pair)
);
CREATE TABLE review_votes (
  release_id INTEGER NOT NULL,
  gate_run   INTEGER NOT NULL,
  pair       INTEGER NOT NULL,
  person     TEXT NOT NULL,
  choice     TEXT NOT NULL,
  at         INTEGER NOT NULL,
  PRIMARY KEY (release_id, gate_run, pair, person)
);

-- Where a release's card was posted, per surface, to update it in place.
CREATE TABLE chat_posts (
  release_id INTEGER NOT NULL,
  surface    TEXT NOT NULL,            -- slack | teams
  channel    TEXT NOT NULL,
  message_id TEXT NOT NULL,            -- Slack ts / Teams activity id
  extra      TEXT,                     -- Teams conversation reference
  PRIMARY KEY (release_id, surface, channel)
);

-- Teams conversation references for proactive posts.
CREATE TABLE conversation_refs (
  conversation_id TEXT PRIMARY KEY,
  reference       TEXT NOT NULL,
  updated_at      INTEGER NOT NULL
);

-- Exactly-once for incoming deliveries (Slack retries, double clicks, repeated invokes).
CREATE TABLE dedupe (
  key TEXT PRIMARY KEY,
  at  INTEGER NOT NULL
);

-- Alerts raised once per condition per stage.
CREATE TABLE alerts (
  release_id INTEGER NOT NULL,
  stage      INTEGER NOT NULL,
  condition  TEXT NOT NULL,
  at         INTEGER NOT NULL,
  acked_by   TEXT,
  acked_at   INTEGER,
  data       TEXT,
  PRIMARY KEY (release_id, stage, condition)
);

-- Jobs: last run and a lease so they never run twice at once.
CREATE TABLE jobs (
  name         TEXT PRIMARY KEY,
  last_run_at  INTEGER,
  lease_until  INTEGER,
  state        TEXT
);

-- Budget alerts once per period.
CREATE TABLE budget_alerts (
  scope  TEXT NOT NULL,                -- team:<t> | workflow:<w>
  period TEXT NOT NULL,                -- day:<date> | month:<yyyy-mm>
  level  INTEGER NOT NULL,             -- 80 | 100
  at     INTEGER NOT NULL,
  PRIMARY KEY (scope, period, level)
);

-- Drift: the last model_served / system_fingerprint seen per config.
CREATE TABLE served_models (
  config_hash        TEXT PRIMARY KEY,
  model_served       TEXT,
  system_fingerprint TEXT,
  seen_at            INTEGER NOT NULL
);
