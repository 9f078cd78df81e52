-- How many queued jobs each tenant has, kept by triggers on jobs, so that the queued quota
-- (reelay.quotas.max-queued-jobs) is checked by summing a few rows instead of counting the tenant's queue under a lock
-- held for the whole submission (issue 19: that lock and that count made one tenant's submissions run one at a time).
--
-- Shard 0 takes every new job: the INSERT of a submission's jobs locks the tenant's shard-0 row until commit, so
-- concurrent submissions of one tenant check the quota one after the other (each sees the last one's total), but only
-- for the end of their transaction. Every other change (a job leaving the queue, going back to it, deleted) goes to
-- one of shards 1..15, chosen per transaction, so the dispatcher's writes do not wait behind submissions and seldom
-- behind each other. A shard may go negative; the sum is the count.
CREATE TABLE tenant_queued_jobs (
    tenant_id uuid     NOT NULL,
    shard     smallint NOT NULL,
    queued    bigint   NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, shard)
);

-- Statement-level with transition tables: one counter update per tenant and statement, however many jobs it changes,
-- taken in tenant order so that two statements never lock two tenants' rows in opposite orders (no deadlock).
-- New jobs also check the queued quota here, when the inserting statement says what it is (set_config of
-- reelay.max_queued_jobs, local to its transaction; JobRepository.insertAll): the sum is read after this statement's
-- own count is added, under the shard-0 lock, so it holds every committed submission of the tenant. Past the quota
-- the statement fails with SQLSTATE RQ001 and the submission's transaction rolls back, nothing stored.
CREATE FUNCTION tenant_queued_jobs_track_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change record;
    quota text := current_setting('reelay.max_queued_jobs', true);
    total bigint;
BEGIN
    FOR change IN
        SELECT tenant_id, count(*) AS delta FROM new_rows WHERE status = 'queued' GROUP BY tenant_id ORDER BY tenant_id
    LOOP
        INSERT INTO tenant_queued_jobs AS t (tenant_id, shard, queued) VALUES (change.tenant_id, 0, change.delta)
        ON CONFLICT (tenant_id, shard) DO UPDATE SET queued = t.queued + EXCLUDED.queued;
        IF quota IS NOT NULL AND quota <> '' THEN
            SELECT coalesce(sum(queued), 0) INTO total FROM tenant_queued_jobs WHERE tenant_id = change.tenant_id;
            IF total > quota::bigint THEN
                RAISE EXCEPTION 'queued quota exceeded: % queued', total - change.delta USING ERRCODE = 'RQ001';
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE FUNCTION tenant_queued_jobs_track_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change record;
    target smallint := 1 + (txid_current() % 15);
BEGIN
    FOR change IN
        SELECT tenant_id, -count(*) AS delta FROM old_rows WHERE status = 'queued' GROUP BY tenant_id ORDER BY tenant_id
    LOOP
        INSERT INTO tenant_queued_jobs AS t (tenant_id, shard, queued) VALUES (change.tenant_id, target, change.delta)
        ON CONFLICT (tenant_id, shard) DO UPDATE SET queued = t.queued + EXCLUDED.queued;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE FUNCTION tenant_queued_jobs_track_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change record;
    target smallint := 1 + (txid_current() % 15);
BEGIN
    FOR change IN
        SELECT n.tenant_id, sum(CASE WHEN n.status = 'queued' THEN 1 ELSE 0 END
                - CASE WHEN o.status = 'queued' THEN 1 ELSE 0 END) AS delta
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.status IS DISTINCT FROM n.status AND (o.status = 'queued' OR n.status = 'queued')
        GROUP BY n.tenant_id HAVING sum(CASE WHEN n.status = 'queued' THEN 1 ELSE 0 END
                - CASE WHEN o.status = 'queued' THEN 1 ELSE 0 END) <> 0
        ORDER BY n.tenant_id
    LOOP
        INSERT INTO tenant_queued_jobs AS t (tenant_id, shard, queued) VALUES (change.tenant_id, target, change.delta)
        ON CONFLICT (tenant_id, shard) DO UPDATE SET queued = t.queued + EXCLUDED.queued;
    END LOOP;
    RETURN NULL;
END
$$;

-- No writes to jobs while the counts are taken, so none is missed or counted twice.
LOCK TABLE jobs IN SHARE ROW EXCLUSIVE MODE;

CREATE TRIGGER jobs_queued_on_insert AFTER INSERT ON jobs REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_queued_jobs_track_insert();
CREATE TRIGGER jobs_queued_on_delete AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_queued_jobs_track_delete();
CREATE TRIGGER jobs_queued_on_update AFTER UPDATE ON jobs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_queued_jobs_track_update();

INSERT INTO tenant_queued_jobs (tenant_id, shard, queued)
SELECT tenant_id, 0, count(*) FROM jobs WHERE status = 'queued' GROUP BY tenant_id;
