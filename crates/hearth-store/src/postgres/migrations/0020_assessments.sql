-- Needs assessment over time and needs-based triggers (issue 8): recorded instruments (IPOS,
-- ESAS-r, AKPS; the answers as JSON in the domain's shape, the headline score beside them for
-- lists), phases of illness with the start of each, trigger rules as versioned data (a new row
-- per edit; the highest version of a rule is in force) and the suggestions rules fired, with the
-- team's response. Rows are never deleted.
-- Keep in step with ../../sqlite/migrations/0020_assessments.sql (a test checks the columns).
CREATE TABLE assessments (
    id              TEXT PRIMARY KEY,
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    instrument      TEXT NOT NULL,
    assessed_at     BIGINT NOT NULL,
    assessor        TEXT NOT NULL REFERENCES practitioners (id),
    respondent      TEXT NOT NULL,
    answers         TEXT NOT NULL,
    score           BIGINT,
    recorded_at     BIGINT NOT NULL
);
CREATE INDEX assessments_by_patient ON assessments (patient_id, assessed_at);

CREATE TABLE phase_episodes (
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    phase           TEXT NOT NULL,
    started_at      BIGINT NOT NULL,
    recorded_by     TEXT NOT NULL REFERENCES practitioners (id),
    recorded_at     BIGINT NOT NULL,
    PRIMARY KEY (patient_id, started_at)
);

CREATE TABLE trigger_rules (
    id              TEXT NOT NULL,
    version         BIGINT NOT NULL,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    threshold       BIGINT NOT NULL,
    phase           TEXT,
    window_days     BIGINT,
    suggests        TEXT NOT NULL,
    active          BOOLEAN NOT NULL,
    rationale       TEXT NOT NULL,
    source          TEXT NOT NULL,
    changed_by      TEXT REFERENCES practitioners (id),
    changed_at      BIGINT NOT NULL,
    PRIMARY KEY (id, version)
);

-- The rules Hearth ships with (docs/clinical/triggers.md gives the sources).
INSERT INTO trigger_rules VALUES
('ipos-severe', 1, 'Severe need on IPOS', 'ipos-item', 3, NULL, NULL, 'referral', TRUE,
 'An IPOS item scored 3 (severe) or 4 (overwhelming) is a need the current plan is not meeting; holistic needs assessment with objective triggers makes the timing of specialist referral less ambiguous.',
 'IPOS scoring (Murtagh et al., Palliative Medicine 2019; pos-pal.org); triggered referral trials in palliative care.',
 NULL, 1796256000000),
('esas-severe', 1, 'Severe symptom on ESAS-r', 'esas-symptom', 7, NULL, NULL, 'referral', TRUE,
 'A symptom scored 7 to 10 is severe on ESAS-r: a need the current plan is not meeting. Screening with automatic triggers makes referral less dependent on who happens to ask; trials have triggered on moderate scores (4 or more) too, at the cost of many more referrals.',
 'ESAS-r severity bands (Hui & Bruera, J Pain Symptom Manage 2017); Watanabe et al. 2011 (ESAS-r).',
 NULL, 1796256000000),
('phase-unstable', 1, 'Unstable phase', 'phase', 0, 'unstable', NULL, 'review', TRUE,
 'An unstable phase means an urgent change to the plan of care is needed; PCOC benchmarks that 90% of unstable phases last 3 days or less.',
 'PCOC phase definitions and outcome measures (Palliative Care Outcomes Collaboration, University of Wollongong).',
 NULL, 1796256000000),
('akps-low', 1, 'Low performance status', 'akps-low', 40, NULL, NULL, 'review', TRUE,
 'AKPS 40 or less (in bed more than half of the time) marks a marked decline in function and rising care needs.',
 'AKPS (Abernethy et al., BMC Palliative Care 2005).',
 NULL, 1796256000000),
('akps-falling', 1, 'Falling performance status', 'akps-fall', 20, NULL, 30, 'referral', TRUE,
 'A fall of 20 points or more in AKPS within a month is rapid functional decline.',
 'AKPS (Abernethy et al., BMC Palliative Care 2005); SPICT general indicators (performance status poor or deteriorating).',
 NULL, 1796256000000),
('admissions', 1, 'Repeated unplanned admissions', 'admissions', 2, NULL, 90, 'referral', TRUE,
 'Two or more unplanned hospital admissions in a short period are a general indicator of deteriorating health and unmet need at home.',
 'SPICT general indicators (unplanned hospital admissions), SPICT 2022.',
 NULL, 1796256000000);

-- response is NULL while the suggestion waits; 'referred', 'not-needed' or 'deferred' after.
CREATE TABLE trigger_suggestions (
    id              TEXT PRIMARY KEY,
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    rule_id         TEXT NOT NULL,
    rule_version    BIGINT NOT NULL,
    suggests        TEXT NOT NULL,
    reason          TEXT NOT NULL,
    fired_at        BIGINT NOT NULL,
    response        TEXT,
    responded_by    TEXT REFERENCES practitioners (id),
    responded_at    BIGINT,
    until_at        BIGINT,
    note            TEXT,
    FOREIGN KEY (rule_id, rule_version) REFERENCES trigger_rules (id, version)
);
CREATE INDEX trigger_suggestions_by_patient ON trigger_suggestions (patient_id, fired_at);
CREATE UNIQUE INDEX trigger_suggestions_one_open ON trigger_suggestions (patient_id, rule_id)
    WHERE response IS NULL;
