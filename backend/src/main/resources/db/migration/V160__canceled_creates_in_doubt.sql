-- A job canceled while its create was out unanswered stays due for one look at the provider once that create can
-- no longer be answering (issue 13): a generation found is recorded on the job, stopped where the family can, and
-- billed. Every other ended job is never due again (9999-01-01). Jobs canceled before this version are not looked
-- at: whether their create was out when they were canceled is not known.
UPDATE jobs SET next_attempt_at = TIMESTAMPTZ '9999-01-01 00:00:00+00'
    WHERE status = 'canceled' AND remote_id IS NULL AND submit_started_at IS NOT NULL
        AND next_attempt_at < TIMESTAMPTZ '9999-01-01 00:00:00+00';

-- The claim of running jobs takes these too, by due time, without walking every canceled job.
CREATE INDEX jobs_canceled_create_in_doubt ON jobs (provider, next_attempt_at)
    WHERE status = 'canceled' AND remote_id IS NULL AND submit_started_at IS NOT NULL
        AND next_attempt_at < TIMESTAMPTZ '9999-01-01 00:00:00+00';
