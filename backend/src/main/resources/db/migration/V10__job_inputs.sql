-- Images clients upload with a job (image-to-video). Kept in PostgreSQL with the job, written in the same
-- transaction, so a queued job is complete on its own and survives restarts; size is capped by the API.
CREATE TABLE job_inputs (
    job_id       uuid        PRIMARY KEY REFERENCES jobs (id),
    content_type text        NOT NULL,
    bytes        bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Webhooks name the provider's id; this finds the job to poll again.
CREATE INDEX jobs_by_remote_id ON jobs (provider, remote_id) WHERE remote_id IS NOT NULL;
