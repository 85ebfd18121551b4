-- The palliative care register: one row per identification of a patient. Leaving the register
-- changes `status` (died / removed) and fills the leaving columns; nothing is deleted. A patient
-- identified again after removal gets a new row.
-- Keep in step with ../../sqlite/migrations/0002_register.sql (a test checks the columns).

CREATE TABLE register_entries (
    id                   TEXT PRIMARY KEY,
    patient_id           TEXT NOT NULL REFERENCES patients (id),
    organisation_id      TEXT NOT NULL REFERENCES organisations (id),
    status               TEXT NOT NULL,
    identified_on        TEXT NOT NULL,
    identified_by        TEXT NOT NULL REFERENCES practitioners (id),
    surprise             TEXT NOT NULL,
    general_indicators   TEXT NOT NULL,
    disease_indicators   TEXT NOT NULL,
    diagnosis_group      TEXT NOT NULL,
    consent              TEXT NOT NULL,
    consent_recorded_on  TEXT NOT NULL,
    consent_recorded_by  TEXT NOT NULL REFERENCES practitioners (id),
    left_on              TEXT,
    place_of_death       TEXT,
    preferred_place_met  TEXT,
    removed_reason       TEXT,
    -- The patient's search name, copied so that register lists sort and filter on this table.
    search_name          TEXT COLLATE "C" NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    version              BIGINT NOT NULL
);

-- A patient is on the register at most once at a time.
CREATE UNIQUE INDEX register_entries_one_active ON register_entries (patient_id) WHERE status = 'active';
CREATE INDEX register_entries_by_patient ON register_entries (patient_id, identified_on);

-- The register page's orders and filters, over active entries only.
CREATE INDEX register_entries_by_name ON register_entries (search_name, patient_id) WHERE status = 'active';
CREATE INDEX register_entries_by_group ON register_entries (diagnosis_group, search_name, patient_id) WHERE status = 'active';
CREATE INDEX register_entries_by_consent ON register_entries (consent, search_name, patient_id) WHERE status = 'active';
CREATE INDEX register_entries_by_identified ON register_entries (identified_on, search_name, patient_id) WHERE status = 'active';
