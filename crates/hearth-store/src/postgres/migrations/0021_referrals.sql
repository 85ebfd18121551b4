-- Referral to specialist palliative care with triage, and the specialist advice line (issue 8).
-- A referral keeps the time and the person of every step (referred, triaged, accepted or
-- declined, first contact, discharged, withdrawn) so the times to triage and first contact can
-- be computed for every referral; `version` guards each step against a concurrent one. asks and
-- suggestion_ids are comma-separated codes and ids; evidence is a JSON array of lines. Advice
-- calls link to a patient when the patient is registered, and name the service whose log they are
-- in. Rows are never deleted.
-- Keep in step with ../../sqlite/migrations/0021_referrals.sql (a test checks the columns).
CREATE TABLE referrals (
    id                  TEXT PRIMARY KEY,
    patient_id          TEXT NOT NULL REFERENCES patients (id),
    service_id          TEXT NOT NULL REFERENCES organisations (id),
    referred_by         TEXT NOT NULL REFERENCES practitioners (id),
    referred_at         BIGINT NOT NULL,
    reason              TEXT NOT NULL,
    urgency             TEXT NOT NULL,
    asks                TEXT NOT NULL,
    patient_knows       TEXT NOT NULL,
    agreement           TEXT NOT NULL,
    evidence            TEXT NOT NULL,
    suggestion_ids      TEXT NOT NULL,
    state               TEXT NOT NULL,
    priority            TEXT,
    triaged_at          BIGINT,
    triaged_by          TEXT REFERENCES practitioners (id),
    accepted_at         BIGINT,
    accepted_by         TEXT REFERENCES practitioners (id),
    declined_at         BIGINT,
    declined_by         TEXT REFERENCES practitioners (id),
    decline_advice      TEXT,
    first_contact_at    BIGINT,
    first_contact_by    TEXT REFERENCES practitioners (id),
    discharged_at       BIGINT,
    discharged_by       TEXT REFERENCES practitioners (id),
    withdrawn_at        BIGINT,
    withdrawn_by        TEXT REFERENCES practitioners (id),
    withdrawal_reason   TEXT,
    version             BIGINT NOT NULL
);
CREATE INDEX referrals_by_patient ON referrals (patient_id, referred_at);
CREATE INDEX referrals_by_service ON referrals (service_id, state, referred_at);
-- One open referral per patient and service, even when two are made at once.
CREATE UNIQUE INDEX referrals_one_open ON referrals (patient_id, service_id)
    WHERE state IN ('referred', 'triaged', 'accepted', 'first-contact');

CREATE TABLE advice_calls (
    id                  TEXT PRIMARY KEY,
    caller_name         TEXT NOT NULL,
    caller_role         TEXT NOT NULL,
    caller_organisation TEXT,
    patient_id          TEXT REFERENCES patients (id),
    patient_description TEXT,
    question            TEXT NOT NULL,
    advice              TEXT NOT NULL,
    outcome             TEXT NOT NULL,
    channel             TEXT NOT NULL,
    logged_by           TEXT NOT NULL REFERENCES practitioners (id),
    service_id          TEXT REFERENCES organisations (id),
    received_at         BIGINT NOT NULL,
    logged_at           BIGINT NOT NULL,
    out_of_hours        BOOLEAN NOT NULL
);
CREATE INDEX advice_calls_by_time ON advice_calls (received_at);
CREATE INDEX advice_calls_by_patient ON advice_calls (patient_id, received_at)
    WHERE patient_id IS NOT NULL;
