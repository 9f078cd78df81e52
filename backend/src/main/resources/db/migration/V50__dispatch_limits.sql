-- Scheduling: higher priority first, FIFO within a priority; not_before holds a job until then.
ALTER TABLE jobs ADD COLUMN priority integer NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN not_before timestamptz;

-- Idempotent submission: the same key and body return the same job.
ALTER TABLE jobs ADD COLUMN idempotency_key text;
ALTER TABLE jobs ADD COLUMN request_hash text;
CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Claims walk these instead of the whole table, so a large backlog costs nothing per claim.
CREATE INDEX jobs_queued_next ON jobs (provider, priority DESC, created_at, id) WHERE status = 'queued';
CREATE INDEX jobs_running_due ON jobs (provider, next_attempt_at)
    WHERE status IN ('submitting', 'reconciling', 'submitted', 'in_progress', 'downloading');

-- Every provider call a limit counts, cluster-wide: the sliding windows are counted here.
CREATE TABLE provider_calls (
    scope text        NOT NULL,
    kind  text        NOT NULL,
    at    timestamptz NOT NULL
);
CREATE INDEX provider_calls_window ON provider_calls (scope, kind, at);

-- A provider that answered 429 is left alone until then, by every instance.
CREATE TABLE provider_pauses (
    provider text        PRIMARY KEY,
    until    timestamptz NOT NULL,
    reason   text        NOT NULL
);
