-- Tenants own jobs. The local tenant (the nil UUID) is the single user of a run without an admin key, and owns
-- every job stored before tenants existed.
CREATE TABLE tenants (
    id         uuid        PRIMARY KEY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO tenants (id, name) VALUES ('00000000-0000-0000-0000-000000000000', 'local');

ALTER TABLE jobs ADD COLUMN tenant_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000' REFERENCES tenants (id);
ALTER TABLE jobs ALTER COLUMN tenant_id DROP DEFAULT;

CREATE INDEX jobs_tenant_newest_first ON jobs (tenant_id, created_at DESC, id DESC);
