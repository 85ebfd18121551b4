-- The shared care plan (issue 5): every saved version of every section, the plan's own version
-- counter, and who has read which version.
-- Keep in step with ../../postgres/migrations/0011_care_plan.sql (a test checks the columns).

-- One row per saved version of a section; nothing is updated or deleted. The primary key is the
-- conflict rule: two saves that start from the same version both try to write the next one, and
-- only the first succeeds.
CREATE TABLE care_plan_sections (
    patient_id  TEXT NOT NULL REFERENCES patients (id),
    section     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    content     TEXT NOT NULL,
    summary     TEXT NOT NULL,
    author      TEXT NOT NULL REFERENCES practitioners (id),
    saved_at    INTEGER NOT NULL,
    review_by   TEXT NOT NULL,
    PRIMARY KEY (patient_id, section, version)
);

-- The plan as a whole: its version goes up with every section saved; `significant_version` is
-- the plan version of the last change everyone must read again (CPR decision, preferred place,
-- crisis plan, anticipatory medicines).
CREATE TABLE care_plans (
    patient_id           TEXT PRIMARY KEY REFERENCES patients (id),
    version              INTEGER NOT NULL,
    significant_version  INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    -- What the plan lacks for out-of-hours readiness (codes, comma-separated; empty: nothing).
    missing              TEXT NOT NULL DEFAULT ''
);

-- "I have read version N": the latest plan version each person has acknowledged.
CREATE TABLE care_plan_reads (
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    practitioner_id  TEXT NOT NULL REFERENCES practitioners (id),
    version          INTEGER NOT NULL,
    read_at          INTEGER NOT NULL,
    PRIMARY KEY (patient_id, practitioner_id)
);

-- The register list shows and filters on readiness: the plan's missing items (NULL: no plan).
ALTER TABLE register_list ADD COLUMN plan_missing TEXT;
-- Finding a patient by date of birth (the out-of-hours summary is reached by name, number or
-- date of birth), in name order within the reader's rows.
CREATE INDEX register_list_by_birth ON register_list (reader_id, date_of_birth, search_name, patient_id);
