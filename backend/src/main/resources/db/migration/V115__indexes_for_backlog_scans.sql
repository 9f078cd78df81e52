-- Scans that must not grow with the backlog (issue 13, finding 11).

-- A claim asks, per tenant, whether it has a queued job of the provider that is due. Answered by due time, so the
-- tenant's held jobs (over budget: due 9999-01-01) and far-future ones are never walked to find out.
CREATE INDEX jobs_queued_due_by_tenant ON jobs (tenant_id, provider, next_attempt_at) WHERE status = 'queued';

-- A claim's candidates in claim order, without held jobs (the claim says next_attempt_at < 9999-01-01 too).
CREATE INDEX jobs_queued_claimable_by_tenant ON jobs (tenant_id, provider, priority DESC, created_at, id)
    WHERE status = 'queued' AND next_attempt_at < TIMESTAMPTZ '9999-01-01 00:00:00+00';

-- Idempotency keys of a batch are "<key>#<n>": found by a byte-order range on the key instead of LIKE, which no
-- index serves when the pattern is a parameter.
CREATE INDEX jobs_idempotency_key_bytes ON jobs (tenant_id, (idempotency_key COLLATE "C"))
    WHERE idempotency_key IS NOT NULL;
