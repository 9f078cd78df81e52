-- Events older than the retention window are deleted in batches (each job keeps its newest event). The highest
-- deleted id is kept here so that a stream asked to resume from before it answers "reset" instead of skipping
-- what is gone.
CREATE TABLE job_events_pruned (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    up_to     bigint  NOT NULL
);

INSERT INTO job_events_pruned (singleton, up_to) VALUES (true, 0);

CREATE INDEX job_events_by_age ON job_events (created_at);
