-- The specialist palliative care advice rota: who a clinician can call for specialist advice,
-- from when until when, on which number.
-- Keep in step with ../../postgres/migrations/0004_on_call.sql (a test checks the columns).

CREATE TABLE on_call_shifts (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    practitioner_id  TEXT NOT NULL REFERENCES practitioners (id),
    starts_at        INTEGER NOT NULL,
    ends_at          INTEGER NOT NULL,
    phone            TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX on_call_shifts_by_end ON on_call_shifts (ends_at, starts_at);
