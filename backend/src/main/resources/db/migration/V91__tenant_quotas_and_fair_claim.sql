-- Per-tenant quotas and claims that take turns across tenants (README "Dispatching", "Tenants and API keys").
-- A tenant's queued jobs in claim order per provider: the fair claim picks each tenant's next jobs from it, and the
-- queued quota and the in-flight count (queued jobs leased to be submitted) count on its leading column.
CREATE INDEX jobs_queued_by_tenant ON jobs (tenant_id, provider, priority DESC, created_at, id) WHERE status = 'queued';
-- A tenant's jobs at a provider, for its in-flight quota.
CREATE INDEX jobs_running_by_tenant ON jobs (tenant_id)
    WHERE status IN ('submitting', 'reconciling', 'submitted', 'in_progress', 'downloading');
