-- Jobs: the latest canary judgement per release, the last digest per team, and the indexes the
-- digest's authority-ladder counts need (spend figures themselves come from spend_daily).

-- The latest canary judgement of a release (what its card shows between job runs).
CREATE TABLE canary_snapshots (
  release_id     INTEGER PRIMARY KEY,
  stage          INTEGER NOT NULL,      -- the stage index it was judged in
  judged_at      INTEGER NOT NULL,
  status         TEXT NOT NULL,         -- inconclusive | healthy | regressed
  samples_needed INTEGER NOT NULL,
  judgement      TEXT NOT NULL          -- JSON CanaryJudgement + arm sizes
);

-- When each team's digest last went out: the next one covers the days since.
CREATE TABLE digest_runs (
  team    TEXT PRIMARY KEY,
  last_at INTEGER NOT NULL
);

-- Write actions still awaiting approval (execute-with-approval).
CREATE INDEX receipts_approval_queue ON receipts(workflow, needs_approval, approved);
-- Production calls per workflow over time (canary spend burn, drafts).
CREATE INDEX receipts_workflow_purpose_ts ON receipts(workflow, purpose, ts);
-- Unreviewed drafts: only the rows still waiting for a person are indexed.
CREATE INDEX receipts_unreviewed ON receipts(workflow, ts)
  WHERE purpose = 'production' AND COALESCE(approved, 0) = 0 AND COALESCE(edited, 0) = 0;
