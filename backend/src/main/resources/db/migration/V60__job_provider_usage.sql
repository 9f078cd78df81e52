-- What the provider reported about a job's cost (credits held at submit, charged at the end, cost figures), as it
-- said it; null for providers that report nothing. Reelay's own estimate is the catalog price; this is theirs.
ALTER TABLE jobs ADD COLUMN provider_usage jsonb;
