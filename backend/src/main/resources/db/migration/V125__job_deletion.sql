-- A deleted job stays as a tombstone: its video, uploaded image and prompt are gone and the API no longer finds
-- it, but the row keeps what the event log joins on (tenant, model, provider) so streams and webhooks resume
-- over its history, and keeps its remote id so no later look-up can adopt its generation for another job.
ALTER TABLE jobs ADD COLUMN deleted_at timestamptz;
