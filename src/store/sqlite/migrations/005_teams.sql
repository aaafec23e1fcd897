-- Teams: what kind of conversation a stored reference is, whose 1:1 it is (for direct messages)
-- and which team it belongs to (for posting into a team's other channels).
ALTER TABLE conversation_refs ADD COLUMN kind TEXT;          -- personal | channel | groupChat
ALTER TABLE conversation_refs ADD COLUMN user_aad TEXT;      -- the person of a 1:1 (lower-case AAD object id)
ALTER TABLE conversation_refs ADD COLUMN team_id TEXT;
ALTER TABLE conversation_refs ADD COLUMN tenant_id TEXT;
CREATE INDEX conversation_refs_user ON conversation_refs(user_aad);
