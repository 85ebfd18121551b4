-- The register list: a projection of the register, one row per patient on the register,
-- organisation involved in their care and patient identifier (today every patient has exactly
-- one: their national number), ordered by organisation and name. The register page reads
-- one page of it with one range scan instead of testing every entry in name order against the
-- reader's organisations. It is derived data: the store rewrites a patient's rows in the same
-- transaction as any change to what they show (see hearth-store/src/register_list.rs), and
-- rebuilds it whole after a bulk load.
-- Keep in step with ../../postgres/migrations/0006_register_list.sql (a test checks the columns).

CREATE TABLE register_list (
    organisation_id   TEXT NOT NULL,
    search_name       TEXT NOT NULL,
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
    rural             INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, search_name, patient_id, identifier_system)
) WITHOUT ROWID;
-- Rewriting a patient's rows; the page's other orders and filters, each yielding rows in name
-- order within one organisation so that a page reads only the rows it shows. The group and
-- consent indexes end with the other one's column, so that both filters together are tested on
-- the index alone.
CREATE INDEX register_list_by_patient ON register_list (patient_id);
CREATE INDEX register_list_by_identified ON register_list (organisation_id, identified_on, search_name, patient_id);
CREATE INDEX register_list_by_group ON register_list
    (organisation_id, diagnosis_group, search_name, patient_id, identifier_system, consent);
CREATE INDEX register_list_by_consent ON register_list
    (organisation_id, consent, search_name, patient_id, identifier_system, diagnosis_group);
CREATE INDEX register_list_by_coordinator ON register_list (coordinator_id, organisation_id, search_name, patient_id);

-- The register page no longer reads register_entries in name order.
DROP INDEX register_entries_by_name;
DROP INDEX register_entries_by_group;
DROP INDEX register_entries_by_consent;
DROP INDEX register_entries_by_identified;

-- Whether a coordinator's account is disabled is looked up by practitioner.
CREATE INDEX users_by_practitioner ON users (practitioner_id);

-- Fill it from what is already stored (the same query as register_list.rs's PROJECTION).
INSERT INTO register_list (organisation_id, search_name, patient_id, identifier_system,
    identifier, registered_by, consent,
    diagnosis_group, identified_on, coordinator_id, given_name, family_name, date_of_birth, sex,
    main_diagnosis, town, rural)
SELECT po.organisation_id, r.search_name, r.patient_id, i.system, i.value, r.organisation_id,
    r.consent,
    r.diagnosis_group, r.identified_on, c.practitioner_id, p.given_name, p.family_name,
    p.date_of_birth, p.sex, p.main_diagnosis, p.town, p.rural
FROM register_entries r
JOIN patients p ON p.id = r.patient_id
JOIN patient_organisations po ON po.patient_id = r.patient_id
JOIN patient_identifiers i ON i.patient_id = r.patient_id
LEFT JOIN care_team_members c ON c.patient_id = r.patient_id AND c.coordinator
    AND c.ended_on IS NULL
    AND NOT EXISTS (SELECT 1 FROM users u WHERE u.practitioner_id = c.practitioner_id
                    AND u.status = 'disabled')
WHERE r.status = 'active';
