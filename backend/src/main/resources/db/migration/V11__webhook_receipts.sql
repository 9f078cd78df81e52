-- One row per webhook delivery accepted, so a redelivery (providers deliver at least once) is dropped.
CREATE TABLE webhook_receipts (
    provider    text        NOT NULL,
    delivery_id text        NOT NULL,
    remote_id   text,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, delivery_id)
);

CREATE INDEX webhook_receipts_by_age ON webhook_receipts (received_at);
