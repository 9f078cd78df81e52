-- Search of a tenant's jobs by prompt (GET /api/v1/jobs?q=): a case-insensitive substring match (ILIKE '%q%'),
-- which a B-tree cannot serve. pg_trgm's GIN index can: it ships with PostgreSQL (contrib), is a trusted extension
-- (a database owner may create it without being superuser) and is part of the embedded and the Compose server.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX jobs_prompt_trgm ON jobs USING gin (prompt gin_trgm_ops);
