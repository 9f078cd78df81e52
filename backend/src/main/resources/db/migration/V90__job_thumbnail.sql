-- The finished video's thumbnail in Reelay's storage (location, content type, length, SHA-256), where the provider
-- offered one and it was downloaded; null otherwise. Best effort: a job completes without one.
ALTER TABLE jobs ADD COLUMN thumbnail jsonb;
