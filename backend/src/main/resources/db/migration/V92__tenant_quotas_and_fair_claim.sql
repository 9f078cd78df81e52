-- Per-tenant quotas and claims that take turns across tenants (README "Dispatching", "Tenants and API keys").
-- A tenant's queued jobs in claim order per provider: the fair claim picks each tenant's next jobs from it, and the
-- queued quota counts on its leading column.
CREATE INDEX jobs_queued_by_tenant ON jobs (tenant_id, provider, priority DESC, created_at, id) WHERE status = 'queued';
-- A tenant's jobs in flight, for its in-flight quota: those at a provider, and queued ones claimed to be submitted
-- (queued jobs with a lease are the ones being claimed, or left by a claimer that died: a small part of the queue).
CREATE INDEX jobs_leased_by_tenant ON jobs (tenant_id) WHERE status = 'queued' AND lease_until IS NOT NULL;
CREATE INDEX jobs_running_by_tenant ON jobs (tenant_id)
    WHERE status IN ('submitting', 'reconciling', 'submitted', 'in_progress', 'downloading');
