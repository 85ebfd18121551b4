//! The assessment tables: `assessments`, `phase_episodes`, `trigger_rules` (one row per rule
//! version) and `trigger_suggestions` (`hearth_domain::assessment`, `hearth_domain::trigger`).

use hearth_domain::assessment::{Assessment, Measure, Phase, PhaseEpisode};
use hearth_domain::trigger::{Answered, Response, Rule, RuleKind, Suggestion, Suggests};
use hearth_domain::{PatientId, PractitionerId};
use jiff::Timestamp;
use sqlx::any::AnyRow;

use crate::rows::{
    code, flag, integer, millis, optional_integer, optional_text, optional_timestamp, text,
    timestamp,
};
use crate::{StoreError, Tx};

const RULE_COLUMNS: &str = "id, version, name, kind, threshold, phase, window_days, suggests, \
     active, rationale, source, changed_by, changed_at";

const SUGGESTION_COLUMNS: &str = "s.id, s.patient_id, s.rule_id, s.rule_version, s.suggests, \
     s.reason, s.fired_at, s.response, s.responded_by, s.responded_at, s.until_at, s.note";

/// An open suggestion with its patient's name, for lists across patients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSuggestion {
    pub suggestion: Suggestion,
    pub patient_name: String,
}

pub(crate) fn assessment_from_row(row: &AnyRow) -> Result<Assessment, StoreError> {
    let answers = text(row, "answers")?;
    let measure: Measure = serde_json::from_str(&answers)
        .map_err(|e| StoreError::Corrupt(format!("an assessment does not read back: {e}")))?;
    Ok(Assessment {
        id: text(row, "id")?,
        patient_id: PatientId::new(text(row, "patient_id")?),
        measure,
        assessed_at: timestamp(row, "assessed_at")?,
        assessor: PractitionerId::new(text(row, "assessor")?),
        recorded_at: timestamp(row, "recorded_at")?,
    })
}

fn rule_from_row(row: &AnyRow) -> Result<Rule, StoreError> {
    Ok(Rule {
        id: text(row, "id")?,
        version: integer(row, "version")?,
        name: text(row, "name")?,
        kind: code(row, "kind", RuleKind::from_code)?,
        threshold: integer(row, "threshold")?,
        phase: match optional_text(row, "phase")? {
            None => None,
            Some(p) => {
                Some(Phase::from_code(&p).ok_or_else(|| {
                    StoreError::Corrupt(format!("'{p}' is not a phase of illness"))
                })?)
            }
        },
        window_days: optional_integer(row, "window_days")?,
        suggests: code(row, "suggests", Suggests::from_code)?,
        active: flag(row, "active")?,
        rationale: text(row, "rationale")?,
        source: text(row, "source")?,
        changed_by: optional_text(row, "changed_by")?.map(PractitionerId::new),
        changed_at: timestamp(row, "changed_at")?,
    })
}

fn suggestion_from_row(row: &AnyRow) -> Result<Suggestion, StoreError> {
    let response = match (
        optional_text(row, "response")?,
        optional_text(row, "responded_by")?,
        optional_timestamp(row, "responded_at")?,
    ) {
        (Some(r), Some(by), Some(at)) => Some(Answered {
            response: Response::from_code(&r).ok_or_else(|| {
                StoreError::Corrupt(format!("'{r}' is not a response to a suggestion"))
            })?,
            by: PractitionerId::new(by),
            at,
            until: optional_timestamp(row, "until_at")?,
            note: optional_text(row, "note")?,
        }),
        _ => None,
    };
    Ok(Suggestion {
        id: text(row, "id")?,
        patient_id: PatientId::new(text(row, "patient_id")?),
        rule_id: text(row, "rule_id")?,
        rule_version: integer(row, "rule_version")?,
        suggests: code(row, "suggests", Suggests::from_code)?,
        reason: text(row, "reason")?,
        fired_at: timestamp(row, "fired_at")?,
        response,
    })
}

impl Tx {
    /// The patient whose assessment `id` is, if there is one.
    pub async fn patient_of_assessment(
        &mut self,
        id: &str,
    ) -> Result<Option<PatientId>, StoreError> {
        sqlx::query("SELECT patient_id FROM assessments WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.inner)
            .await?
            .map(|row| text(&row, "patient_id").map(PatientId::new))
            .transpose()
    }

    /// Stores a recorded assessment.
    pub async fn insert_assessment(&mut self, a: &Assessment) -> Result<(), StoreError> {
        let answers = serde_json::to_string(&a.measure)
            .map_err(|e| StoreError::Corrupt(format!("an assessment cannot be written: {e}")))?;
        sqlx::query(
            "INSERT INTO assessments (id, patient_id, instrument, assessed_at, assessor, \
             respondent, answers, score, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(a.id.as_str())
        .bind(a.patient_id.as_str())
        .bind(a.measure.instrument().code())
        .bind(millis(a.assessed_at))
        .bind(a.assessor.as_str())
        .bind(a.measure.respondent())
        .bind(answers)
        .bind(a.measure.score())
        .bind(millis(a.recorded_at))
        .execute(&mut *self.inner)
        .await?;
        // The out-of-hours summary's snapshot shows the latest values.
        self.touch_register_list(&a.patient_id);
        Ok(())
    }

    /// The patient's assessments since `from`, oldest first.
    pub async fn assessments_of(
        &mut self,
        patient: &PatientId,
        from: Timestamp,
    ) -> Result<Vec<Assessment>, StoreError> {
        sqlx::query(
            "SELECT id, patient_id, assessed_at, assessor, answers, recorded_at FROM assessments \
             WHERE patient_id = $1 AND assessed_at >= $2 ORDER BY assessed_at, recorded_at, id",
        )
        .bind(patient.as_str())
        .bind(millis(from))
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(assessment_from_row)
        .collect()
    }

    /// The patient's most recent assessment of each instrument with the one before it
    /// (at most two per instrument), for the latest values and their direction.
    pub async fn latest_assessments(
        &mut self,
        patient: &PatientId,
    ) -> Result<Vec<Assessment>, StoreError> {
        // One statement for every instrument: the page that shows them is a hot path.
        sqlx::query(
            "SELECT id, patient_id, assessed_at, assessor, answers, recorded_at FROM \
             (SELECT a.*, ROW_NUMBER() OVER (PARTITION BY instrument \
                 ORDER BY assessed_at DESC, recorded_at DESC, id DESC) AS n \
              FROM assessments a WHERE patient_id = $1) latest \
             WHERE n <= 2 ORDER BY instrument, assessed_at, recorded_at, id",
        )
        .bind(patient.as_str())
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(assessment_from_row)
        .collect::<Result<Vec<_>, _>>()
        .map(|mut latest| {
            // In the instruments' own order, as the pages list them (a stable sort keeps each
            // instrument's previous-then-latest order).
            latest.sort_by_key(|a| {
                let i = a.measure.instrument();
                hearth_domain::assessment::Instrument::ALL
                    .iter()
                    .position(|x| *x == i)
            });
            latest
        })
    }

    /// The patient's current phase of illness (the latest to start), if any.
    pub async fn current_phase(
        &mut self,
        patient: &PatientId,
    ) -> Result<Option<PhaseEpisode>, StoreError> {
        sqlx::query(
            "SELECT phase, started_at FROM phase_episodes WHERE patient_id = $1 \
             ORDER BY started_at DESC LIMIT 1",
        )
        .bind(patient.as_str())
        .fetch_optional(&mut *self.inner)
        .await?
        .map(|row| {
            Ok(PhaseEpisode {
                phase: code(&row, "phase", Phase::from_code)?,
                started_at: timestamp(&row, "started_at")?,
            })
        })
        .transpose()
    }

    /// Stores the start of a phase; false when a phase already starts at that moment.
    pub async fn insert_phase(
        &mut self,
        patient: &PatientId,
        episode: &PhaseEpisode,
        by: &PractitionerId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO phase_episodes (patient_id, phase, started_at, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(patient.as_str())
        .bind(episode.phase.code())
        .bind(millis(episode.started_at))
        .bind(by.as_str())
        .bind(millis(now))
        .execute(&mut *self.inner)
        .await?;
        self.touch_register_list(patient);
        Ok(done.rows_affected() == 1)
    }

    /// The patient's phases in order.
    pub async fn phases_of(
        &mut self,
        patient: &PatientId,
    ) -> Result<Vec<PhaseEpisode>, StoreError> {
        sqlx::query(
            "SELECT phase, started_at FROM phase_episodes WHERE patient_id = $1 \
             ORDER BY started_at",
        )
        .bind(patient.as_str())
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(|row| {
            Ok(PhaseEpisode {
                phase: code(row, "phase", Phase::from_code)?,
                started_at: timestamp(row, "started_at")?,
            })
        })
        .collect()
    }

    /// Every version of every trigger rule, by rule and version.
    pub async fn trigger_rule_versions(&mut self) -> Result<Vec<Rule>, StoreError> {
        let sql = format!("SELECT {RULE_COLUMNS} FROM trigger_rules ORDER BY id, version");
        sqlx::query(&sql)
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(rule_from_row)
            .collect()
    }

    /// The rules in force: the highest version of each.
    pub async fn trigger_rules(&mut self) -> Result<Vec<Rule>, StoreError> {
        let sql = format!(
            "SELECT {RULE_COLUMNS} FROM trigger_rules r WHERE version = \
             (SELECT MAX(version) FROM trigger_rules l WHERE l.id = r.id) ORDER BY id"
        );
        sqlx::query(&sql)
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(rule_from_row)
            .collect()
    }

    /// Stores a rule version; false when that version exists already (another administrator
    /// saved first: nothing is written).
    pub async fn insert_trigger_rule(&mut self, r: &Rule) -> Result<bool, StoreError> {
        let sql = format!(
            "INSERT INTO trigger_rules ({RULE_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING"
        );
        let done = sqlx::query(&sql)
            .bind(r.id.as_str())
            .bind(r.version)
            .bind(r.name.as_str())
            .bind(r.kind.code())
            .bind(r.threshold)
            .bind(r.phase.map(|p| p.code()))
            .bind(r.window_days)
            .bind(r.suggests.code())
            .bind(r.active)
            .bind(r.rationale.as_str())
            .bind(r.source.as_str())
            .bind(r.changed_by.as_ref().map(|p| p.to_string()))
            .bind(millis(r.changed_at))
            .execute(&mut *self.inner)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores a fired suggestion; false when the rule already has an open one for the patient.
    pub async fn insert_suggestion(&mut self, s: &Suggestion) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO trigger_suggestions (id, patient_id, rule_id, rule_version, suggests, \
             reason, fired_at, response, responded_by, responded_at, until_at, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, NULL, NULL, NULL) \
             ON CONFLICT DO NOTHING",
        )
        .bind(s.id.as_str())
        .bind(s.patient_id.as_str())
        .bind(s.rule_id.as_str())
        .bind(s.rule_version)
        .bind(s.suggests.code())
        .bind(s.reason.as_str())
        .bind(millis(s.fired_at))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The patient's suggestions, the newest first.
    pub async fn suggestions_of(
        &mut self,
        patient: &PatientId,
    ) -> Result<Vec<Suggestion>, StoreError> {
        let sql = format!(
            "SELECT {SUGGESTION_COLUMNS} FROM trigger_suggestions s WHERE s.patient_id = $1 \
             ORDER BY s.fired_at DESC, s.id"
        );
        sqlx::query(&sql)
            .bind(patient.as_str())
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(suggestion_from_row)
            .collect()
    }

    /// Every suggestion, for measuring each rule version's usefulness.
    pub async fn all_suggestions(&mut self) -> Result<Vec<Suggestion>, StoreError> {
        let sql = format!("SELECT {SUGGESTION_COLUMNS} FROM trigger_suggestions s");
        sqlx::query(&sql)
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(suggestion_from_row)
            .collect()
    }

    /// Records the response to a suggestion that is open, or deferred to a date that has come
    /// by `now`; false when it was answered already.
    pub async fn answer_suggestion(
        &mut self,
        id: &str,
        a: &Answered,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE trigger_suggestions SET response = $2, responded_by = $3, responded_at = $4, \
             until_at = $5, note = $6 WHERE id = $1 AND (response IS NULL \
             OR (response = 'deferred' AND until_at <= $7))",
        )
        .bind(id)
        .bind(a.response.code())
        .bind(a.by.as_str())
        .bind(millis(a.at))
        .bind(a.until.map(millis))
        .bind(a.note.clone())
        .bind(millis(now))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Suggestions asking for an answer at `now` (open, or deferred to a date that has come)
    /// about patients in whose care team the reader is (in person or through their service),
    /// the newest first.
    pub async fn open_suggestions_for(
        &mut self,
        reader: crate::conversations::Recipient<'_>,
        now: Timestamp,
    ) -> Result<Vec<OpenSuggestion>, StoreError> {
        let sql = format!(
            "SELECT {SUGGESTION_COLUMNS}, p.given_name, p.family_name FROM trigger_suggestions s \
             JOIN patients p ON p.id = s.patient_id WHERE (s.response IS NULL \
                 OR (s.response = 'deferred' AND s.until_at <= $3)) \
             AND EXISTS (SELECT 1 FROM care_team_members m WHERE m.patient_id = s.patient_id \
                 AND m.ended_on IS NULL AND (COALESCE(m.practitioner_id, '') = $1 \
                 OR COALESCE(m.organisation_id, '') = $2)) \
             ORDER BY s.fired_at DESC LIMIT 200"
        );
        sqlx::query(&sql)
            .bind(reader.practitioner.as_str())
            .bind(reader.organisation.map_or("", |o| o.as_str()))
            .bind(millis(now))
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(|row| {
                Ok(OpenSuggestion {
                    suggestion: suggestion_from_row(row)?,
                    patient_name: hearth_domain::patient::list_name(
                        &text(row, "family_name")?,
                        &text(row, "given_name")?,
                    ),
                })
            })
            .collect()
    }
}
