-- Meetings about patients (issue 6): case conferences, MDT meetings, register reviews,
-- discharge planning meetings and debriefs; their participants in the roles they were invited in
-- (profession and specialist flag copied, so a held meeting's standing does not change later);
-- an agenda of patients with discussion notes; and decisions, which may update the shared plan
-- (the section version and plan version that carry the change). Actions are tasks (source
-- 'meeting', source_ref the meeting id). Rows are never deleted: a meeting is cancelled.
-- Keep in step with ../../postgres/migrations/0016_meetings.sql (a test checks the columns).
CREATE TABLE meetings (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    mode            TEXT NOT NULL,
    starts_at       BIGINT NOT NULL,
    minutes         BIGINT NOT NULL,
    place           TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    organiser       TEXT NOT NULL REFERENCES practitioners (id),
    status          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL
);
CREATE INDEX meetings_by_organisation ON meetings (organisation_id, starts_at);

CREATE TABLE meeting_participants (
    meeting_id      TEXT NOT NULL REFERENCES meetings (id),
    role_id         TEXT NOT NULL REFERENCES practitioner_roles (id),
    practitioner_id TEXT NOT NULL REFERENCES practitioners (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    profession      TEXT NOT NULL,
    specialist      INTEGER NOT NULL,
    invited         INTEGER NOT NULL,
    attended        INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, role_id)
);
CREATE INDEX meeting_participants_by_person ON meeting_participants (practitioner_id);

CREATE TABLE meeting_items (
    meeting_id      TEXT NOT NULL REFERENCES meetings (id),
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    position        BIGINT NOT NULL,
    notes           TEXT NOT NULL,
    notes_by        TEXT REFERENCES practitioners (id),
    notes_at        BIGINT,
    added_by        TEXT NOT NULL REFERENCES practitioners (id),
    added_at        BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, patient_id)
);
CREATE INDEX meeting_items_by_patient ON meeting_items (patient_id);

CREATE TABLE meeting_decisions (
    id              TEXT PRIMARY KEY,
    meeting_id      TEXT NOT NULL REFERENCES meetings (id),
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    body            TEXT NOT NULL,
    plan_section    TEXT,
    section_version BIGINT,
    plan_version    BIGINT,
    recorded_by     TEXT NOT NULL REFERENCES practitioners (id),
    recorded_at     BIGINT NOT NULL
);
CREATE INDEX meeting_decisions_by_item ON meeting_decisions (meeting_id, patient_id, recorded_at);

-- The actions agreed in a meeting, found from the meeting.
CREATE INDEX tasks_by_meeting ON tasks (source_ref) WHERE source = 'meeting';
