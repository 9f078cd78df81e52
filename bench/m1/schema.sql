SET client_min_messages = warning;
DROP TABLE IF EXISTS m1_jobs, m1_events;
CREATE TABLE m1_jobs (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, model text NOT NULL, prompt text NOT NULL,
  parameters jsonb NOT NULL, status text NOT NULL DEFAULT 'queued', created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX ON m1_jobs (tenant_id, created_at);
CREATE TABLE m1_events (id bigserial PRIMARY KEY, job_id uuid NOT NULL, payload json NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
