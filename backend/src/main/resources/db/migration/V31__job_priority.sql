-- Priority orders the backlog: when more jobs are due than there are free slots, higher ones are claimed first.
ALTER TABLE jobs ADD COLUMN priority smallint NOT NULL DEFAULT 0 CHECK (priority BETWEEN -1 AND 1);

DROP INDEX jobs_due;
CREATE INDEX jobs_due ON jobs (priority DESC, next_attempt_at) WHERE status NOT IN ('completed', 'failed', 'canceled');
