-- Tasks and follow-up (issue 6): every action about a patient with an owner (a practitioner, a
-- service, or a role in the care team until someone claims it), a due time, a status and its
-- source. Tasks are closed (done or cancelled), never deleted.
-- Keep in step with ../../postgres/migrations/0015_tasks.sql (a test checks the columns).
CREATE TABLE tasks (
    id              TEXT PRIMARY KEY,
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    title           TEXT NOT NULL,
    owner_kind      TEXT NOT NULL,
    owner_id        TEXT NOT NULL,
    due_at          BIGINT NOT NULL,
    status          TEXT NOT NULL,
    source          TEXT NOT NULL,
    source_ref      TEXT,
    created_by      TEXT NOT NULL REFERENCES practitioners (id),
    created_at      BIGINT NOT NULL,
    claimed_by      TEXT REFERENCES practitioners (id),
    claimed_at      BIGINT,
    closed_by       TEXT REFERENCES practitioners (id),
    closed_at       BIGINT,
    escalated_at    BIGINT,
    version         BIGINT NOT NULL
);
CREATE INDEX tasks_by_patient ON tasks (patient_id, due_at);
CREATE INDEX tasks_by_owner ON tasks (owner_id, owner_kind, status, due_at);
CREATE INDEX tasks_open_by_due ON tasks (due_at) WHERE status = 'open' AND escalated_at IS NULL;
