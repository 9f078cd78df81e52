-- For support and operations: the provider's id of the last request about a job (what its support asks for, e.g.
-- OpenAI's x-request-id) and how many provider calls the job has cost so far.
ALTER TABLE jobs ADD COLUMN provider_request_id text;
ALTER TABLE jobs ADD COLUMN provider_calls integer NOT NULL DEFAULT 0;
