-- What a job costs: Reelay's estimate from the catalog price when it was submitted, and the actual cost settled
-- when it ended (by its provider's billing rule). Money is numeric, never floating point.
ALTER TABLE jobs ADD COLUMN cost_currency text;
ALTER TABLE jobs ADD COLUMN estimated_cost numeric(14, 6);
ALTER TABLE jobs ADD COLUMN actual_cost numeric(14, 6);

-- A tenant's monthly budget; no row (or a null limit) is no limit. The local tenant's default comes from
-- configuration (reelay.budget.local-monthly-limit) until a row is written for it.
CREATE TABLE budget_limits (
    tenant_id     uuid        PRIMARY KEY REFERENCES tenants (id),
    monthly_limit numeric(14, 6) CHECK (monthly_limit >= 0),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per tenant and calendar month (UTC): what is held for running jobs and what ended jobs cost. Every
-- reservation is a conditional UPDATE of this row, so concurrent submissions queue on its lock and never overspend.
CREATE TABLE budget_spend (
    tenant_id uuid           NOT NULL REFERENCES tenants (id),
    month     date           NOT NULL,
    reserved  numeric(14, 6) NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    settled   numeric(14, 6) NOT NULL DEFAULT 0 CHECK (settled >= 0),
    PRIMARY KEY (tenant_id, month)
);

-- The ledger: per job at most one reservation, one settlement and one release (the unique key keeps settling
-- exactly once). It is the money's history, so it keeps its rows when a job is deleted: no foreign key to jobs.
CREATE TABLE budget_ledger (
    id         bigserial      PRIMARY KEY,
    job_id     uuid           NOT NULL,
    tenant_id  uuid           NOT NULL REFERENCES tenants (id),
    month      date           NOT NULL,
    model      text           NOT NULL,
    kind       text           NOT NULL CHECK (kind IN ('reservation', 'settlement', 'release')),
    amount     numeric(14, 6) NOT NULL CHECK (amount >= 0),
    currency   text           NOT NULL,
    created_at timestamptz    NOT NULL DEFAULT now(),
    UNIQUE (job_id, kind)
);

CREATE INDEX budget_ledger_by_tenant_time ON budget_ledger (tenant_id, created_at);

-- Reservations not settled yet: one row per running job, deleted by the settlement (whoever deletes it settles,
-- which makes settling exactly once), and small, so a sweep for ended jobs still holding one stays cheap. Job
-- references are checked at commit: these rows are written before the job row, in the same transaction.
CREATE TABLE budget_open_reservations (
    job_id     uuid           PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    tenant_id  uuid           NOT NULL REFERENCES tenants (id),
    month      date           NOT NULL,
    amount     numeric(14, 6) NOT NULL,
    created_at timestamptz    NOT NULL DEFAULT now()
);

-- Jobs held until their tenant's budget has room (reelay.budget.over-budget: hold), oldest first.
CREATE TABLE budget_holds (
    job_id     uuid        PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    tenant_id  uuid        NOT NULL REFERENCES tenants (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX budget_holds_oldest_first ON budget_holds (created_at);
