-- Jobs are the queue: every non-terminal job carries when it is next due and who holds its lease.
CREATE TABLE jobs (
    id               uuid PRIMARY KEY,
    status           text        NOT NULL,
    progress         integer     NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    model            text        NOT NULL,
    provider         text        NOT NULL,
    prompt           text        NOT NULL,
    parameters       jsonb       NOT NULL,
    remote_id        text,
    status_reason    text,
    error_code       text,
    error_message    text,
    error_retryable  boolean,
    content_path     text,
    content_type     text,
    content_length   bigint,
    content_sha256   text,
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    lease_owner      text,
    lease_until      timestamptz,
    submit_started_at timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    completed_at     timestamptz,
    version          bigint      NOT NULL DEFAULT 0
);

CREATE INDEX jobs_newest_first ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_due ON jobs (next_attempt_at) WHERE status NOT IN ('completed', 'failed', 'canceled');

-- Append-only: the id is the SSE event id, so resuming a stream is "id > last seen".
CREATE TABLE job_events (
    id         bigserial   PRIMARY KEY,
    job_id     uuid        NOT NULL REFERENCES jobs (id),
    type       text        NOT NULL,
    payload    json        NOT NULL, -- json, not jsonb: streams send the text exactly as written
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX job_events_by_job ON job_events (job_id, id);
