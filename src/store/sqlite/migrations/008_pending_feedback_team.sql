-- Early feedback belongs to the team whose gateway token sent it: it is merged only into a
-- receipt of that team, so one team cannot pre-set another team's feedback (e.g. `approved`,
-- which clears `needs_approval`) by guessing a receipt id. Keyed per team, so a guess by one
-- team never overwrites another team's early feedback either. Rows kept before this had no
-- team: they are dropped (early feedback is a short-lived courtesy, not a record).
DROP TABLE pending_feedback;
CREATE TABLE pending_feedback (
  receipt_id TEXT NOT NULL,
  team       TEXT NOT NULL,
  fields     TEXT NOT NULL,
  at         INTEGER NOT NULL,
  PRIMARY KEY (receipt_id, team)
);
