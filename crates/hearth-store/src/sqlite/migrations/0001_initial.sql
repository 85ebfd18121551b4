-- Hearth's first schema: organisations, practitioners and their roles, user accounts, sessions,
-- patients and the organisations involved in their care, and the audit trail.
-- Times are milliseconds since the Unix epoch (UTC); dates are ISO 8601 text (YYYY-MM-DD).
-- Keep in step with ../../postgres/migrations/0001_initial.sql (a test checks the columns).

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    area        TEXT,
    part_of     TEXT REFERENCES organisations (id),
    phone       TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL
);

CREATE TABLE practitioners (
    id           TEXT PRIMARY KEY,
    given_name   TEXT NOT NULL,
    family_name  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL
);

CREATE TABLE practitioner_roles (
    id               TEXT PRIMARY KEY,
    practitioner_id  TEXT NOT NULL REFERENCES practitioners (id),
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    profession       TEXT NOT NULL,
    specialist       INTEGER NOT NULL,
    phone            TEXT,
    email            TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL
);
CREATE INDEX practitioner_roles_by_practitioner ON practitioner_roles (practitioner_id);
CREATE INDEX practitioner_roles_by_organisation ON practitioner_roles (organisation_id);

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE,
    password_hash    TEXT NOT NULL,
    practitioner_id  TEXT NOT NULL REFERENCES practitioners (id),
    status           TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL
);

-- Server-side sessions. The cookie holds a random token; only its SHA-256 is stored, so a copy
-- of the database cannot be used to take over a session.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    csrf_token    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    ended_at      INTEGER
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Sign-in attempts, for throttling repeated failures on one account.
CREATE TABLE sign_in_attempts (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL,
    at         INTEGER NOT NULL,
    succeeded  INTEGER NOT NULL
);
CREATE INDEX sign_in_attempts_by_email ON sign_in_attempts (email, at);

CREATE TABLE patients (
    id                          TEXT PRIMARY KEY,
    given_name                  TEXT NOT NULL,
    family_name                 TEXT NOT NULL,
    search_name                 TEXT NOT NULL,
    date_of_birth               TEXT NOT NULL,
    sex                         TEXT NOT NULL,
    main_diagnosis              TEXT,
    address_line                TEXT NOT NULL,
    town                        TEXT NOT NULL,
    postcode                    TEXT,
    area                        TEXT,
    rural                       INTEGER NOT NULL,
    travel_minutes_to_hospital  INTEGER,
    created_at                  INTEGER NOT NULL,
    updated_at                  INTEGER NOT NULL,
    version                     INTEGER NOT NULL
);
CREATE INDEX patients_by_search_name ON patients (search_name, id);

CREATE TABLE patient_identifiers (
    system      TEXT NOT NULL,
    value       TEXT NOT NULL,
    patient_id  TEXT NOT NULL REFERENCES patients (id),
    PRIMARY KEY (system, value)
);
CREATE INDEX patient_identifiers_by_patient ON patient_identifiers (patient_id);

-- The organisations involved in a patient's care; the first access rule reads this table.
CREATE TABLE patient_organisations (
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (patient_id, organisation_id)
);
CREATE INDEX patient_organisations_by_organisation ON patient_organisations (organisation_id, patient_id);

-- Every read and write of patient data. Append-only: nothing updates or deletes these rows.
CREATE TABLE audit_events (
    seq                     INTEGER PRIMARY KEY,
    at                      INTEGER NOT NULL,
    user_id                 TEXT,
    acting_organisation_id  TEXT,
    patient_id              TEXT,
    action                  TEXT NOT NULL,
    resource_type           TEXT NOT NULL,
    resource_id             TEXT,
    resource_version        INTEGER,
    basis                   TEXT NOT NULL,
    outcome                 TEXT NOT NULL,
    detail                  TEXT
);
CREATE INDEX audit_events_by_patient ON audit_events (patient_id, seq);
