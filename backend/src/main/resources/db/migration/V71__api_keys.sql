-- API keys of tenants. Only a SHA-256 of each key is kept (a key is 32 random bytes, so its hash cannot be
-- reversed or guessed); prefix is the key's first characters, not secret, so a listing can say which key is which.
-- A revoked key stays listed with its revocation time.
CREATE TABLE api_keys (
    id         uuid        PRIMARY KEY,
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    name       text        NOT NULL,
    prefix     text        NOT NULL,
    key_sha256 bytea       NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);
