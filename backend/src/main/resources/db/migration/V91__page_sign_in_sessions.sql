-- The page's sign-in sessions: the cookie holds a random session id, never the key; only the id's SHA-256 is kept.
-- A session belongs to the key it was opened with, so revoking that key ends it. ended_at is set at sign-out (the
-- row stays a little while so that other instances' event streams hear of it; pruning removes it later).
CREATE TABLE page_sessions (
    id         uuid        PRIMARY KEY,
    id_sha256  bytea       NOT NULL UNIQUE,
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    key_id     uuid        NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    ended_at   timestamptz
);

CREATE INDEX page_sessions_expires ON page_sessions (expires_at);
CREATE INDEX page_sessions_ended ON page_sessions (ended_at) WHERE ended_at IS NOT NULL;
