-- Event ids the webhook forwarder moved past while missing, because their transaction outlived
-- reelay.callbacks.gap-grace. Each is forwarded if it appears later, and forgotten once every transaction that
-- could still commit it has ended (those began before horizon, a transaction id taken after the id was missed).
CREATE TABLE callback_forwarder_gaps (
    event_id   bigint      PRIMARY KEY,
    horizon    bigint      NOT NULL,
    skipped_at timestamptz NOT NULL DEFAULT now()
);
