-- Transitions of care (issue 7): where the patient is (one current stay at a time), planned
-- discharges with their state, acceptance and letter (at most one open discharge per patient),
-- and each discharge's checklist with an owner per item. Rows are never deleted: a stay ends, a
-- discharge is cancelled.
-- Keep in step with ../../sqlite/migrations/0019_transitions.sql (a test checks the columns).
CREATE TABLE stays (
    id              TEXT PRIMARY KEY,
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    place           TEXT NOT NULL,
    organisation_id TEXT REFERENCES organisations (id),
    detail          TEXT,
    emergency       BOOLEAN NOT NULL,
    reason          TEXT,
    started_at      BIGINT NOT NULL,
    ended_at        BIGINT,
    recorded_by     TEXT NOT NULL REFERENCES practitioners (id)
);
CREATE INDEX stays_by_patient ON stays (patient_id, started_at);
CREATE UNIQUE INDEX stays_one_current ON stays (patient_id) WHERE ended_at IS NULL;

CREATE TABLE discharges (
    id              TEXT PRIMARY KEY,
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    stay_id         TEXT NOT NULL REFERENCES stays (id),
    state           TEXT NOT NULL,
    planned_at      BIGINT NOT NULL,
    destination     TEXT NOT NULL,
    receiving       TEXT REFERENCES practitioners (id),
    complex         BOOLEAN NOT NULL,
    planned_by      TEXT NOT NULL REFERENCES practitioners (id),
    notified_at     BIGINT NOT NULL,
    accepted_by     TEXT REFERENCES practitioners (id),
    accepted_at     BIGINT,
    discharged_at   BIGINT,
    letter          TEXT,
    letter_sent_at  BIGINT,
    completeness    BIGINT,
    version         BIGINT NOT NULL
);
CREATE INDEX discharges_by_patient ON discharges (patient_id, planned_at);
CREATE INDEX discharges_by_time ON discharges (discharged_at) WHERE discharged_at IS NOT NULL;
CREATE UNIQUE INDEX discharges_one_open ON discharges (patient_id)
    WHERE state IN ('planned', 'ready', 'accepted');

-- owner_kind is 'practitioner' or 'service'.
CREATE TABLE discharge_checklist (
    discharge_id    TEXT NOT NULL REFERENCES discharges (id),
    item            TEXT NOT NULL,
    owner_kind      TEXT NOT NULL,
    owner_id        TEXT NOT NULL,
    done_at         BIGINT,
    done_by         TEXT REFERENCES practitioners (id),
    PRIMARY KEY (discharge_id, item)
);
