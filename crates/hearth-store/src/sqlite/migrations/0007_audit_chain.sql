-- The audit trail becomes a hash chain: each record carries the hash of the record before it and
-- its own hash over that and its content (see hearth-store/src/audit_chain.rs and
-- docs/design/audit-chain.md). Records written before this migration are chained by the store
-- right after migrating, in order. Hearth now assigns `seq` itself (one more than the last).
-- Keep in step with ../../postgres/migrations/0007_audit_chain.sql (a test checks the columns).

ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
