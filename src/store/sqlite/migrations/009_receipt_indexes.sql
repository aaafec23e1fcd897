-- Fewer index writes per receipt (the gateway writes one per call):
-- receipts_workflow_ts is covered by receipts_workflow_purpose_ts (every reader filters by purpose);
-- the approval queue only needs the rows that wait for an approval (needs_approval = 1).
DROP INDEX IF EXISTS receipts_workflow_ts;
DROP INDEX IF EXISTS receipts_approval_queue;
CREATE INDEX receipts_approval_queue ON receipts(workflow, approved) WHERE needs_approval = 1;
