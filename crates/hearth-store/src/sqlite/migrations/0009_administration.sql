-- Administration in the web UI (issue 4): a role is ended rather than deleted, a rota shift is
-- cancelled rather than deleted, and the indexes behind the administration pages and the
-- service figures.
-- Keep in step with ../../postgres/migrations/0009_administration.sql (a test checks the columns).

-- When the role ended; NULL while it is held. An ended role no longer gives its holder any
-- access, nor a place in the directory, but stays for the audit trail and history.
ALTER TABLE practitioner_roles ADD COLUMN ended_at INTEGER;

-- When the shift was cancelled; NULL while it stands. A cancelled shift is no longer shown as
-- "who to call", but stays on the rota's record.
ALTER TABLE on_call_shifts ADD COLUMN cancelled_at INTEGER;

-- Refusing overlapping shifts of one person.
CREATE INDEX on_call_shifts_by_practitioner ON on_call_shifts (practitioner_id, starts_at);

-- The service figures: deaths on the register within a period.
CREATE INDEX register_entries_by_leaving ON register_entries (status, left_on);
