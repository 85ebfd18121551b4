-- The digest of each snapshot's body (the first eight bytes of its SHA-256, as a signed 64-bit
-- integer), so that a node which remembers a decoded snapshot reads only the digest to know it
-- is still current (docs/design/plan-snapshots.md). The table is rebuilt with the digest before
-- the body, as SQLite must (it stores columns in order), so both schemas stay the same. Rows
-- copied here have no digest and are decoded on every read until the patient's next change
-- rewrites them.
-- Keep in step with ../../sqlite/migrations/0013_plan_snapshot_digest.sql (a test checks the columns).
CREATE TABLE plan_snapshots_with_digest (
    patient_id  TEXT PRIMARY KEY REFERENCES patients (id),
    digest      BIGINT,
    body        TEXT NOT NULL
);
INSERT INTO plan_snapshots_with_digest (patient_id, digest, body)
    SELECT patient_id, NULL, body FROM plan_snapshots;
DROP TABLE plan_snapshots;
ALTER TABLE plan_snapshots_with_digest RENAME TO plan_snapshots;
ALTER TABLE plan_snapshots RENAME CONSTRAINT plan_snapshots_with_digest_pkey TO plan_snapshots_pkey;
ALTER TABLE plan_snapshots RENAME CONSTRAINT plan_snapshots_with_digest_patient_id_fkey
    TO plan_snapshots_patient_id_fkey;
