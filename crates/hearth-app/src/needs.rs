//! Needs assessment over time (issue 8): recording IPOS, ESAS-r, AKPS and the phase of illness,
//! and running the trigger rules on the new data in the same transaction — a fired rule becomes
//! a suggestion for the coordinator and the team, whose response is recorded. Referral to
//! specialist palliative care (`referrals`), the advice line (`advice`), the patient's view
//! (`view`) and the administrators' rule editing (`rules`) are beside this file
//! (`docs/design/needs.md`).

use hearth_domain::PatientId;
use hearth_domain::assessment::{self, Assessment, Esas, Ipos, Measure, PhaseEpisode, next_phase};
use hearth_domain::audit::AuditAction;
use hearth_domain::transition::PlaceKind;
use hearth_domain::trigger::{self, Event, Facts, Suggestion};
use hearth_store::Tx;
use jiff::{SignedDuration, Timestamp};

use crate::{Actor, App, AppError};

mod advice;
mod referrals;
mod rules;
mod view;

pub use advice::{AdviceLine, AdviceLog, answers_advice_line};
pub use referrals::{ReferralList, ReferralView};
pub use rules::{RuleHistory, TriggerAdmin};
pub(crate) use view::latest_needs;
pub use view::{Latest, LatestNeeds, NeedsView};

const RESOURCE: &str = "Observation";
const PHASE_RESOURCE: &str = "EpisodeOfCare";
const SUGGESTION_RESOURCE: &str = "DetectedIssue";

/// An instrument as typed into its form.
#[derive(Debug, Clone)]
pub enum AssessmentForm {
    Ipos {
        version: String,
        recall: String,
        concerns: Vec<String>,
        symptoms: Vec<String>,
        others: Vec<(String, String)>,
        items: Vec<String>,
    },
    Esas {
        completed_by: String,
        scores: Vec<String>,
        other: (String, String),
    },
    Akps {
        level: String,
    },
}

impl AssessmentForm {
    fn check(&self) -> Result<Measure, hearth_domain::ValidationError> {
        Ok(match self {
            AssessmentForm::Ipos {
                version,
                recall,
                concerns,
                symptoms,
                others,
                items,
            } => Measure::Ipos(Ipos::check(
                (version, recall),
                concerns,
                (symptoms, others),
                items,
            )?),
            AssessmentForm::Esas {
                completed_by,
                scores,
                other,
            } => Measure::Esas(Esas::check(completed_by, scores, (&other.0, &other.1))?),
            AssessmentForm::Akps { level } => Measure::Akps(assessment::akps(level)?),
        })
    }
}

/// How far back the rules look at AKPS and admissions (the longest period a rule may have).
const RULE_LOOKBACK: SignedDuration = SignedDuration::from_hours(24 * 365);

impl App {
    /// Records an assessment (made at `assessed_at`, now when None) by the actor, then runs the
    /// rules about that instrument; returns the assessment and the suggestions it fired.
    pub async fn record_assessment(
        &self,
        actor: &Actor,
        patient: &PatientId,
        form: AssessmentForm,
        assessed_at: Option<Timestamp>,
    ) -> Result<(Assessment, Vec<Suggestion>), AppError> {
        let measure = form.check()?;
        self.record_measured_assessment(actor, patient, measure, assessed_at)
            .await
    }

    /// Records an assessment whose answers are already checked by the instrument's rules (a
    /// FHIR Observation sent to the API), as [`App::record_assessment`] does a form's.
    pub async fn record_measured_assessment(
        &self,
        actor: &Actor,
        patient: &PatientId,
        measure: Measure,
        assessed_at: Option<Timestamp>,
    ) -> Result<(Assessment, Vec<Suggestion>), AppError> {
        let now = self.now();
        let at = assessment::assessed_at(assessed_at.unwrap_or(now), now)?;
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Create, RESOURCE)
            .await?;
        let recorded = Assessment {
            id: self.ids.new_id(),
            patient_id: patient.clone(),
            measure,
            assessed_at: at,
            assessor: actor.practitioner_id.clone(),
            recorded_at: now,
        };
        tx.insert_assessment(&recorded).await?;
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Create,
            (RESOURCE, &recorded.id, 1),
        )
        .await?;
        let event = match recorded.measure {
            Measure::Ipos(_) => Event::Ipos,
            Measure::Esas(_) => Event::Esas,
            Measure::Akps(_) => Event::Akps,
        };
        let (fired, mut keys) = self
            .run_triggers(&mut tx, actor, patient, (event, Some(&recorded)))
            .await?;
        keys.extend(self.team_keys(&mut tx, patient).await?);
        self.live.commit(&self.store, tx, &keys).await?;
        Ok((recorded, fired))
    }

    /// Records the start of a new phase of illness (at `started_at`, now when None).
    pub async fn record_phase(
        &self,
        actor: &Actor,
        patient: &PatientId,
        phase: &str,
        started_at: Option<Timestamp>,
    ) -> Result<(PhaseEpisode, Vec<Suggestion>), AppError> {
        let now = self.now();
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Create, PHASE_RESOURCE)
            .await?;
        let phases = tx.phases_of(patient).await?;
        let episode = next_phase(phases.last(), phase, started_at.unwrap_or(now), now)?;
        if !tx
            .insert_phase(patient, &episode, &actor.practitioner_id, now)
            .await?
        {
            return Err(AppError::Conflict(
                "A phase was recorded at that very moment: reload the page to see it.".to_owned(),
            ));
        }
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Create,
            (
                PHASE_RESOURCE,
                &format!("{patient}-{}", episode.started_at.as_millisecond()),
                1,
            ),
        )
        .await?;
        let (fired, mut keys) = self
            .run_triggers(&mut tx, actor, patient, (Event::Phase, None))
            .await?;
        keys.extend(self.team_keys(&mut tx, patient).await?);
        self.live.commit(&self.store, tx, &keys).await?;
        Ok((episode, fired))
    }

    /// Runs the rules about `event` on the patient's data in the caller's write transaction
    /// (`arrived`: the assessment just recorded, which the rules read as the latest whatever the
    /// stored order of equal times): each rule that fires and is not held back by an earlier
    /// suggestion (open, deferred, or recently not needed) becomes a suggestion, audited, and
    /// the coordinator is told. Returns the new suggestions and the live keys to wake.
    pub(crate) async fn run_triggers(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        patient: &PatientId,
        (event, arrived): (Event, Option<&Assessment>),
    ) -> Result<(Vec<Suggestion>, Vec<String>), AppError> {
        let now = self.now();
        let rules = tx.trigger_rules().await?;
        if !rules.iter().any(|r| r.active && r.kind.event() == event) {
            return Ok((Vec::new(), Vec::new()));
        }
        let latest = tx.latest_assessments(patient).await?;
        // An assessment entered after a later one of the same instrument is history: the rules
        // judge the patient as they are now, so it fires nothing.
        if let Some(arrived) = arrived
            && latest.iter().any(|a| {
                a.id != arrived.id
                    && a.measure.instrument() == arrived.measure.instrument()
                    && a.assessed_at > arrived.assessed_at
            })
        {
            return Ok((Vec::new(), Vec::new()));
        }
        let newest_first = || arrived.into_iter().chain(latest.iter().rev());
        let ipos = newest_first().find_map(|a| match &a.measure {
            Measure::Ipos(i) => Some(i),
            _ => None,
        });
        let esas = newest_first().find_map(|a| match &a.measure {
            Measure::Esas(e) => Some(e),
            _ => None,
        });
        let from = now.checked_sub(RULE_LOOKBACK).unwrap_or(now);
        let akps: Vec<(Timestamp, u8)> = if event == Event::Akps {
            let mut series: Vec<(Timestamp, u8)> = tx
                .assessments_of(patient, from)
                .await?
                .iter()
                .filter(|a| arrived.is_none_or(|n| n.id != a.id))
                .filter_map(|a| match a.measure {
                    Measure::Akps(level) => Some((a.assessed_at, level)),
                    _ => None,
                })
                .collect();
            // The one just recorded is the latest of the series.
            if let Some(Assessment {
                measure: Measure::Akps(level),
                assessed_at,
                ..
            }) = arrived
            {
                series.retain(|(at, _)| at <= assessed_at);
                series.push((*assessed_at, *level));
            }
            series
        } else {
            Vec::new()
        };
        let phase = tx.current_phase(patient).await?.map(|e| e.phase);
        let admissions: Vec<Timestamp> = if event == Event::Admission {
            tx.stays_of(patient)
                .await?
                .iter()
                .filter(|s| s.emergency && s.place == PlaceKind::Hospital)
                .map(|s| s.started_at)
                .collect()
        } else {
            Vec::new()
        };
        let fired = trigger::evaluate(
            &rules,
            &Facts {
                event,
                ipos,
                esas,
                akps: &akps,
                phase,
                unplanned_admissions: &admissions,
                now,
            },
        );
        if fired.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let earlier = tx.suggestions_of(patient).await?;
        let coordinator = tx.coordinator_of(patient).await?;
        let mut made = Vec::new();
        let mut keys = Vec::new();
        for f in fired {
            // Held back, or still asking (open, or a deferral whose date has come).
            if earlier
                .iter()
                .any(|s| s.rule_id == f.rule_id && (s.holds_back(now) || s.is_due(now)))
            {
                continue;
            }
            let suggestion = Suggestion {
                id: self.ids.new_id(),
                patient_id: patient.clone(),
                rule_id: f.rule_id,
                rule_version: f.rule_version,
                suggests: f.suggests,
                reason: f.reason,
                fired_at: now,
                response: None,
            };
            if !tx.insert_suggestion(&suggestion).await? {
                continue;
            }
            self.audit_change(
                tx,
                actor,
                patient,
                AuditAction::Create,
                (SUGGESTION_RESOURCE, &suggestion.id, 1),
            )
            .await?;
            if let Some(coordinator) = &coordinator {
                keys.push(crate::live::key_of(
                    &hearth_domain::care_team::Member::Practitioner(coordinator.clone()),
                ));
                tx.insert_notice(&hearth_store::Notice {
                    id: self.ids.new_id(),
                    practitioner_id: coordinator.clone(),
                    patient_id: Some(patient.clone()),
                    kind: "trigger".to_owned(),
                    text: format!("{}: {}", suggestion.suggests.label(), suggestion.reason),
                    created_at: now,
                    read_at: None,
                })
                .await?;
            }
            made.push(suggestion);
        }
        Ok((made, keys))
    }

    /// The live keys of everyone in the patient's team, so open pages show new data.
    pub(crate) async fn team_keys(
        &self,
        tx: &mut Tx,
        patient: &PatientId,
    ) -> Result<Vec<String>, AppError> {
        Ok(tx
            .care_team(patient)
            .await?
            .iter()
            .filter(|m| m.is_active())
            .map(|m| crate::live::key_of(&m.member))
            .collect())
    }

    /// Records the team's response to a suggestion: referred, reviewed — not needed (with
    /// why), or deferred until a date.
    pub async fn respond_to_suggestion(
        &self,
        actor: &Actor,
        patient: &PatientId,
        id: &str,
        (response, note, until): (&str, &str, Option<Timestamp>),
    ) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, SUGGESTION_RESOURCE)
            .await?;
        let suggestion = tx
            .suggestions_of(patient)
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| {
                AppError::NotFound("There is no such suggestion for this patient.".to_owned())
            })?;
        let answer = suggestion.answer((response, note, until), &actor.practitioner_id, now)?;
        if !tx.answer_suggestion(id, &answer, now).await? {
            return Err(AppError::Conflict(
                "A colleague answered this suggestion a moment ago: reload the page to see their response."
                    .to_owned(),
            ));
        }
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Update,
            (SUGGESTION_RESOURCE, id, 2),
        )
        .await?;
        let keys = self.team_keys(&mut tx, patient).await?;
        self.live.commit(&self.store, tx, &keys).await
    }

    /// Open suggestions about patients whose care team the actor is in (not through emergency
    /// access), the newest first: what "my work" shows the coordinator and the team.
    pub async fn open_suggestions(
        &self,
        actor: &Actor,
    ) -> Result<Vec<hearth_store::OpenSuggestion>, AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let mut open = tx
            .open_suggestions_for(crate::conversations::recipient_of(actor), now)
            .await?;
        let patients = open
            .iter()
            .map(|s| s.suggestion.patient_id.clone())
            .collect();
        let readable = crate::access::readable_in_team(&mut tx, actor, patients, now).await?;
        open.retain(|s| readable.contains(&s.suggestion.patient_id));
        Ok(open)
    }
}
