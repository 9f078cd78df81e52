-- A provider's generation belongs to at most one job: reconciling a lost create must never adopt a generation that
-- another job holds (issue 13, finding 3). Rows written before this version may already break that rule (a job that
-- adopted another job's generation). Which of them really created it cannot be told from the rows, so nothing is
-- guessed away silently: every row of such a group is copied to job_remote_id_conflicts for a person to look at, the
-- job that sent its create first (earliest submit_started_at, then created_at, then id) keeps the id, and the others
-- lose it. An ended job that loses it keeps its stored video; an active one is failed by the dispatcher at its next
-- step ("remote_id_missing") and settled as a job the provider never accepted, as for any job without an id.
CREATE TABLE job_remote_id_conflicts (
    job_id      uuid        NOT NULL,
    tenant_id   uuid        NOT NULL,
    provider    text        NOT NULL,
    remote_id   text        NOT NULL,
    status      text        NOT NULL,
    kept        boolean     NOT NULL,
    detected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, remote_id)
);

WITH ranked AS (
    SELECT id, tenant_id, provider, remote_id, status,
           row_number() OVER (PARTITION BY provider, remote_id
                              ORDER BY submit_started_at NULLS LAST, created_at, id) AS place,
           count(*) OVER (PARTITION BY provider, remote_id) AS holders
    FROM jobs WHERE remote_id IS NOT NULL
)
INSERT INTO job_remote_id_conflicts (job_id, tenant_id, provider, remote_id, status, kept)
SELECT id, tenant_id, provider, remote_id, status, place = 1 FROM ranked WHERE holders > 1;

UPDATE jobs j SET remote_id = NULL, version = j.version + 1
FROM job_remote_id_conflicts c
WHERE c.job_id = j.id AND c.remote_id = j.remote_id AND NOT c.kept;

DROP INDEX IF EXISTS jobs_by_remote_id;
CREATE UNIQUE INDEX jobs_remote_id_unique ON jobs (provider, remote_id) WHERE remote_id IS NOT NULL;

-- The jobs whose create was sent but whose generation is not known: reconcile asks which of them share a request
-- with the job it looks for (their creates could have started the same-looking generation). Few rows: creates on
-- the wire, unanswered ones and those that ended without an id.
CREATE INDEX jobs_creates_without_remote_id ON jobs (provider, md5(prompt))
    WHERE remote_id IS NULL AND submit_started_at IS NOT NULL;
