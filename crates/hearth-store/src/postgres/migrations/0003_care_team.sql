-- Care teams: members (a named practitioner or a whole service) with a role, responsibilities
-- and dates, exactly one active coordinator per patient, and coordinator handovers.
-- Keep in step with ../../sqlite/migrations/0003_care_team.sql (a test checks the columns).

CREATE TABLE care_team_members (
    id                TEXT PRIMARY KEY,
    patient_id        TEXT NOT NULL REFERENCES patients (id),
    practitioner_id   TEXT REFERENCES practitioners (id),
    organisation_id   TEXT REFERENCES organisations (id),
    role              TEXT NOT NULL,
    responsibilities  TEXT NOT NULL,
    coordinator       BOOLEAN NOT NULL,
    started_on        TEXT NOT NULL,
    ended_on          TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL,
    -- A member is either a person or a service, and only a person can coordinate.
    CHECK ((practitioner_id IS NULL) <> (organisation_id IS NULL)),
    CHECK (NOT coordinator OR practitioner_id IS NOT NULL)
);
CREATE INDEX care_team_members_by_patient ON care_team_members (patient_id);
CREATE INDEX care_team_members_by_practitioner ON care_team_members (practitioner_id);
-- At most one active coordinator per patient, whatever the application does.
CREATE UNIQUE INDEX care_team_one_coordinator ON care_team_members (patient_id)
    WHERE coordinator AND ended_on IS NULL;

CREATE TABLE coordinator_handovers (
    id           TEXT PRIMARY KEY,
    patient_id   TEXT NOT NULL REFERENCES patients (id),
    from_member  TEXT REFERENCES care_team_members (id),
    to_member    TEXT NOT NULL REFERENCES care_team_members (id),
    proposed_by  TEXT NOT NULL REFERENCES practitioners (id),
    proposed_at  BIGINT NOT NULL,
    state        TEXT NOT NULL,
    decided_at   BIGINT
);
-- One handover waiting for acceptance per patient at a time.
CREATE UNIQUE INDEX coordinator_handovers_one_open ON coordinator_handovers (patient_id)
    WHERE state = 'proposed';
