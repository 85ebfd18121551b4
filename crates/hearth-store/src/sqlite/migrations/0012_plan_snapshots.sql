-- The out-of-hours summary's projection (issue 5): one row per patient holding, as JSON, every
-- stored fact the summary shows (patient, current plan sections, plan version, active care team,
-- names, active register entry), rewritten by the transaction that changes any of them. The
-- summary is then one indexed read, whatever the size of the region. See
-- docs/design/plan-snapshots.md. A patient without a row is read from the source tables.
-- Keep in step with ../../postgres/migrations/0012_plan_snapshots.sql (a test checks the columns).
CREATE TABLE plan_snapshots (
    patient_id  TEXT PRIMARY KEY REFERENCES patients (id),
    body        TEXT NOT NULL
);
