-- Access through the care team (issue 4): the register list is keyed by care-team member instead
-- of involved organisation; emergency access; in-app notices; the acting role of a session.
-- Keep in step with ../../sqlite/migrations/0008_care_team_access.sql (a test checks the columns).

-- The register list, keyed by the care-team member through which a reader sees a patient: a
-- service member's organisation id, or a person member's practitioner id (ids are unique across
-- kinds). A reader's page reads their acting organisation's rows and their own.
DROP TABLE register_list;
CREATE TABLE register_list (
    reader_id         TEXT NOT NULL,
    search_name       TEXT COLLATE "C" NOT NULL,
    patient_id        TEXT NOT NULL,
    identifier_system TEXT NOT NULL,
    identifier        TEXT NOT NULL,
    -- The registering organisation: the only one that sees a patient who declined consent.
    registered_by     TEXT NOT NULL,
    consent           TEXT NOT NULL,
    diagnosis_group   TEXT NOT NULL,
    identified_on     TEXT NOT NULL,
    -- The active coordinator: a current member flagged as coordinator whose account is not
    -- disabled; NULL when there is none.
    coordinator_id    TEXT,
    given_name        TEXT NOT NULL,
    family_name       TEXT NOT NULL,
    date_of_birth     TEXT NOT NULL,
    sex               TEXT NOT NULL,
    main_diagnosis    TEXT,
    town              TEXT NOT NULL,
    rural             BOOLEAN NOT NULL,
    PRIMARY KEY (reader_id, search_name, patient_id, identifier_system)
);
CREATE INDEX register_list_by_patient ON register_list (patient_id);
CREATE INDEX register_list_by_identified ON register_list (reader_id, identified_on, search_name, patient_id);
CREATE INDEX register_list_by_group ON register_list
    (reader_id, diagnosis_group, search_name, patient_id, identifier_system, consent);
CREATE INDEX register_list_by_consent ON register_list
    (reader_id, consent, search_name, patient_id, identifier_system, diagnosis_group);
CREATE INDEX register_list_by_coordinator ON register_list (coordinator_id, reader_id, search_name, patient_id);

-- Access checks look up the care team by patient; services are found by organisation.
CREATE INDEX care_team_members_by_organisation ON care_team_members (organisation_id);

-- Fill it from what is already stored (the same query as register_list.rs's PROJECTION).
INSERT INTO register_list (reader_id, search_name, patient_id, identifier_system,
    identifier, registered_by, consent,
    diagnosis_group, identified_on, coordinator_id, given_name, family_name, date_of_birth, sex,
    main_diagnosis, town, rural)
SELECT DISTINCT COALESCE(m.organisation_id, m.practitioner_id), r.search_name, r.patient_id,
    i.system, i.value, r.organisation_id, r.consent,
    r.diagnosis_group, r.identified_on, c.practitioner_id, p.given_name, p.family_name,
    p.date_of_birth, p.sex, p.main_diagnosis, p.town, p.rural
FROM register_entries r
JOIN patients p ON p.id = r.patient_id
JOIN care_team_members m ON m.patient_id = r.patient_id AND m.ended_on IS NULL
JOIN patient_identifiers i ON i.patient_id = r.patient_id
LEFT JOIN care_team_members c ON c.patient_id = r.patient_id AND c.coordinator
    AND c.ended_on IS NULL
    AND NOT EXISTS (SELECT 1 FROM users u WHERE u.practitioner_id = c.practitioner_id
                    AND u.status = 'disabled')
WHERE r.status = 'active';

-- Emergency access: a clinician outside the care team opened a patient's record with a reason,
-- until `expires_at` (or until they closed it, `ended_at`). A life-threatening emergency that
-- overrode the register or consent rule waits for review (`review` = 'due' until reviewed).
CREATE TABLE emergency_access (
    id                      TEXT PRIMARY KEY,
    patient_id              TEXT NOT NULL REFERENCES patients (id),
    user_id                 TEXT NOT NULL REFERENCES users (id),
    practitioner_id         TEXT NOT NULL REFERENCES practitioners (id),
    acting_organisation_id  TEXT REFERENCES organisations (id),
    reason                  TEXT NOT NULL,
    detail                  TEXT NOT NULL,
    started_at              BIGINT NOT NULL,
    expires_at              BIGINT NOT NULL,
    ended_at                BIGINT,
    review                  TEXT NOT NULL,
    reviewed_by             TEXT REFERENCES practitioners (id),
    reviewed_at             BIGINT,
    CHECK (expires_at > started_at)
);
CREATE INDEX emergency_access_by_user ON emergency_access (user_id, patient_id, expires_at);
CREATE INDEX emergency_access_by_patient ON emergency_access (patient_id, started_at);
CREATE INDEX emergency_access_by_review ON emergency_access (review, started_at);

-- In-app notices for one person: what happened that they should know about (for now, that
-- someone opened their patient's record under emergency access). Read notices stay.
CREATE TABLE notices (
    id               TEXT PRIMARY KEY,
    practitioner_id  TEXT NOT NULL REFERENCES practitioners (id),
    patient_id       TEXT REFERENCES patients (id),
    kind             TEXT NOT NULL,
    text             TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    read_at          BIGINT
);
CREATE INDEX notices_by_practitioner ON notices (practitioner_id, created_at);

-- The role a session acts in (NULL: the user's first role).
ALTER TABLE sessions ADD COLUMN acting_role_id TEXT;
