-- Failed polls, reconciles and downloads in a row, counted apart from submissions (attempts): their backoff grows
-- with it and the job gives up at reelay.dispatch.max-step-retries. Any answer from the provider resets it.
ALTER TABLE jobs ADD COLUMN step_retries integer NOT NULL DEFAULT 0;
