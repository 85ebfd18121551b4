-- The superseded versions of each patient's details (issue 9: FHIR vread and _history). The
-- current version stays in patients; an update writes the version it replaces here, in the same
-- transaction, as the domain's Patient in JSON. Rows are never changed or deleted.
-- Keep in step with ../../sqlite/migrations/0022_patient_versions.sql (a test checks the columns).
CREATE TABLE patient_versions (
    patient_id  TEXT NOT NULL REFERENCES patients (id),
    version     BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (patient_id, version)
);
