-- A claim's candidates without scheduled jobs (issue 13, finding 11): jobs with a not_before weeks ahead, of a high
-- priority or old, were walked by every claim to reach the due ones behind them in claim order.
DROP INDEX IF EXISTS jobs_queued_claimable_by_tenant;
CREATE INDEX jobs_queued_claimable_by_tenant ON jobs (tenant_id, provider, priority DESC, created_at, id)
    WHERE status = 'queued' AND not_before IS NULL AND next_attempt_at < TIMESTAMPTZ '9999-01-01 00:00:00+00';

-- Scheduled jobs by due time: a claim reads only those already due, earliest first.
CREATE INDEX jobs_queued_scheduled_by_tenant ON jobs (tenant_id, provider, next_attempt_at, priority DESC, created_at, id)
    WHERE status = 'queued' AND not_before IS NOT NULL AND next_attempt_at < TIMESTAMPTZ '9999-01-01 00:00:00+00';
