-- pgbench's side of M1: what a queued job costs the database at the least (one row with a job-sized JSON payload,
-- one event row, one NOTIFY, one commit), as one transaction.
BEGIN;
INSERT INTO m1_jobs (id, tenant_id, model, prompt, parameters) VALUES (gen_random_uuid(), '00000000-0000-0000-0000-000000000001', 'sim-video', 'a lighthouse at dusk, slow pan', '{"duration_seconds":4,"aspect_ratio":"16:9","resolution":"720p"}');
INSERT INTO m1_events (job_id, payload) VALUES (gen_random_uuid(), '{"status":"queued","model":"sim-video","prompt":"a lighthouse at dusk, slow pan","duration_seconds":4}');
SELECT pg_notify('m1_events', currval('m1_events_id_seq')::text);
END;
