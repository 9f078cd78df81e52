-- Idempotency keys belong to their tenant: two tenants may use the same key without seeing each other's jobs.
DROP INDEX jobs_idempotency_key;
CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
