-- Outbound webhooks to client services (package dev.reelay.callback).

-- One row per tenant that set a default URL or was given a signing secret. The secret is stored encrypted
-- (AES-GCM under reelay.callbacks.secret-key) when that key is configured; see README "Outbound webhooks".
CREATE TABLE callback_settings (
    tenant_id            uuid        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    default_url          text,
    secret               text        NOT NULL,
    secret_created_at    timestamptz NOT NULL DEFAULT now(),
    -- The secret before the last rotation keeps signing (as a second signature) until previous_until.
    previous_secret      text,
    previous_until       timestamptz,
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- How far the forwarder has turned the event log into deliveries; one row, leased by one instance at a time.
CREATE TABLE callback_forwarder (
    singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    position    bigint      NOT NULL,
    lease_owner text,
    lease_until timestamptz
);

-- No job had a callback URL before this migration: start at the current end of the log.
INSERT INTO callback_forwarder (singleton, position) SELECT true, coalesce(max(id), 0) FROM job_events;

-- The durable queue of webhooks: one row per event and URL, retried until delivered or the schedule runs out.
CREATE TABLE callback_deliveries (
    id              uuid        PRIMARY KEY,
    webhook_id      text        NOT NULL,
    tenant_id       uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    job_id          uuid        NOT NULL,
    event_id        bigint      NOT NULL,
    event_type      text        NOT NULL,
    url             text        NOT NULL,
    payload         text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    lease_owner     text,
    lease_until     timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    UNIQUE (event_id, url),
    -- Each state a job reaches is sent once per URL (progress ticks within a state are not).
    UNIQUE (job_id, url, event_type)
);

CREATE INDEX callback_deliveries_due ON callback_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX callback_deliveries_pending_by_tenant ON callback_deliveries (tenant_id) WHERE status = 'pending';
CREATE INDEX callback_deliveries_by_job ON callback_deliveries (tenant_id, job_id, created_at);

-- The delivery log: every attempt, with what the receiver answered (a short excerpt) or what went wrong.
CREATE TABLE callback_attempts (
    id               bigserial   PRIMARY KEY,
    delivery_id      uuid        NOT NULL REFERENCES callback_deliveries (id) ON DELETE CASCADE,
    attempted_at     timestamptz NOT NULL,
    status_code      integer,
    duration_ms      bigint      NOT NULL,
    error            text,
    response_excerpt text
);

CREATE INDEX callback_attempts_by_delivery ON callback_attempts (delivery_id, id);
