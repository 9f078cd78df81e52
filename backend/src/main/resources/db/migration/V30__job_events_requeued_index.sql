-- The dashboard counts recent 429 refusals from job.queued events; this keeps that a range scan over recent rows.
CREATE INDEX job_events_queued_by_time ON job_events (created_at) WHERE type = 'job.queued';
