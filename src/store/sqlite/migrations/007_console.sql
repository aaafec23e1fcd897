-- Web console sign-in sessions. The cookie holds a random session id; only its sha256 is kept
-- here, with the personal token it was opened with (revoking the token ends the session) and the
-- session's CSRF token for forms and the command box.
CREATE TABLE console_sessions (
  id_hash    TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL,
  person     TEXT NOT NULL,
  csrf       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions(expires_at);
