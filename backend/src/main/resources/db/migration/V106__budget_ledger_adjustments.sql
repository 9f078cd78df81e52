-- A settled job can learn its remote id afterwards (a create answered after the job was canceled, issue 13,
-- finding 4): the difference its billing rule now gives is booked as one 'adjustment' row (at most one per job, by
-- the unique (job_id, kind) key), which may be negative.
ALTER TABLE budget_ledger DROP CONSTRAINT budget_ledger_kind_check;
ALTER TABLE budget_ledger ADD CONSTRAINT budget_ledger_kind_check
    CHECK (kind IN ('reservation', 'settlement', 'release', 'adjustment'));
ALTER TABLE budget_ledger DROP CONSTRAINT budget_ledger_amount_check;
ALTER TABLE budget_ledger ADD CONSTRAINT budget_ledger_amount_check CHECK (amount >= 0 OR kind = 'adjustment');
