-- How a tenant's webhooks are written: Reelay's own job events, or OpenAI's video events (video.completed and
-- video.failed, the body OpenAI's SDKs unwrap) for clients of the OpenAI-compatible API.
ALTER TABLE callback_settings ADD COLUMN format text NOT NULL DEFAULT 'reelay'
    CONSTRAINT callback_settings_format CHECK (format IN ('reelay', 'openai'));
