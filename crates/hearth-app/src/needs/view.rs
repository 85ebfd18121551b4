//! Reading the patient's needs: assessments over the last three months, phases, the latest
//! values with their direction, suggestions, referrals and advice calls.

use std::collections::HashMap;

use hearth_domain::advice::AdviceCall;
use hearth_domain::assessment::{Assessment, Direction, Instrument, Measure, PhaseEpisode};
use hearth_domain::audit::AccessBasis;
use hearth_domain::care_team::Member;
use hearth_domain::referral::Referral;
use hearth_domain::trigger::Suggestion;
use hearth_domain::{OrganisationId, PatientId, PractitionerId};
use hearth_store::Tx;
use jiff::{SignedDuration, Timestamp};

use super::RESOURCE;
use crate::access::{self, Decision};
use crate::{Actor, App, AppError};

/// How far back the charts look.
pub const CHART_DAYS: i64 = 90;

/// The latest assessment of an instrument, with the one before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Latest {
    pub assessment: Assessment,
    pub previous: Option<Assessment>,
}

impl Latest {
    /// Which way the headline score moved since the previous assessment.
    pub fn direction(&self) -> Option<Direction> {
        let latest = self.assessment.measure.score()?;
        let previous = self.previous.as_ref()?.measure.score()?;
        let higher_is_better = matches!(self.assessment.measure, Measure::Akps(_));
        Some(hearth_domain::assessment::direction(
            previous,
            latest,
            higher_is_better,
        ))
    }
}

/// The latest value of each instrument and the current phase: what the patient page and the
/// out-of-hours summary show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LatestNeeds {
    pub ipos: Option<Latest>,
    pub esas: Option<Latest>,
    pub akps: Option<Latest>,
    pub phase: Option<PhaseEpisode>,
}

impl LatestNeeds {
    /// From at most two assessments per instrument in time order, and the phases in order.
    pub fn of(latest: Vec<Assessment>, phases: &[PhaseEpisode]) -> LatestNeeds {
        let mut out = LatestNeeds {
            phase: phases.last().copied(),
            ..LatestNeeds::default()
        };
        for a in latest {
            let slot = match a.measure.instrument() {
                Instrument::Ipos => &mut out.ipos,
                Instrument::Esas => &mut out.esas,
                Instrument::Akps => &mut out.akps,
            };
            let previous = slot.take().map(|l| l.assessment);
            *slot = Some(Latest {
                assessment: a,
                previous,
            });
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.ipos.is_none() && self.esas.is_none() && self.akps.is_none() && self.phase.is_none()
    }
}

/// Reads the latest values in the caller's transaction (access already decided).
pub(crate) async fn latest_needs(
    tx: &mut Tx,
    patient: &PatientId,
) -> Result<LatestNeeds, AppError> {
    let latest = tx.latest_assessments(patient).await?;
    let phase = tx.current_phase(patient).await?;
    Ok(LatestNeeds::of(latest, phase.as_slice()))
}

/// The patient's needs page.
#[derive(Debug, Clone)]
pub struct NeedsView {
    pub patient: hearth_domain::patient::Patient,
    /// The start of the charts' window.
    pub from: Timestamp,
    /// Assessments since `from`, oldest first.
    pub assessments: Vec<Assessment>,
    pub phases: Vec<PhaseEpisode>,
    pub latest: LatestNeeds,
    /// Newest first.
    pub suggestions: Vec<Suggestion>,
    /// Rule names by rule id.
    pub rule_names: HashMap<String, String>,
    /// Newest first.
    pub referrals: Vec<Referral>,
    /// Advice-line calls about the patient, newest first.
    pub advice: Vec<AdviceCall>,
    pub names: HashMap<PractitionerId, String>,
    pub services: HashMap<OrganisationId, String>,
    /// Specialist palliative care services and hospices, for a referral.
    pub specialist_services: Vec<(OrganisationId, String)>,
    pub may_write: bool,
}

impl App {
    /// The patient's assessments, phases, suggestions, referrals and advice calls.
    pub async fn needs(&self, actor: &Actor, patient: &PatientId) -> Result<NeedsView, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let now = self.now();
        let from = now
            .checked_sub(SignedDuration::from_hours(24 * CHART_DAYS))
            .unwrap_or(now);
        let mut tx = self.store.begin_read().await?;
        let decision = access::decide(&mut tx, actor, patient, now).await?;
        let record = tx.patient(patient, system).await?;
        let mut found = None;
        if let (Some(record), Decision::Allowed(basis)) = (&record, &decision) {
            let assessments = tx.assessments_of(patient, from).await?;
            let phases = tx.phases_of(patient).await?;
            let latest = LatestNeeds::of(tx.latest_assessments(patient).await?, &phases);
            let suggestions = tx.suggestions_of(patient).await?;
            let referrals = tx.referrals_of(patient).await?;
            let advice = tx.advice_calls_about(patient).await?;
            let rule_names = tx
                .trigger_rule_versions()
                .await?
                .into_iter()
                .map(|r| (r.id, r.name))
                .collect();
            let members = assessments
                .iter()
                .map(|a| Member::Practitioner(a.assessor.clone()))
                .chain(suggestions.iter().filter_map(|s| {
                    s.response
                        .as_ref()
                        .map(|a| Member::Practitioner(a.by.clone()))
                }))
                .chain(referrals.iter().flat_map(|r| {
                    [
                        Member::Practitioner(r.referred_by.clone()),
                        Member::Service(r.service.clone()),
                    ]
                }))
                .chain(
                    referrals
                        .iter()
                        .filter_map(|r| r.triaged_by.clone().map(Member::Practitioner)),
                )
                .chain(
                    advice
                        .iter()
                        .map(|c| Member::Practitioner(c.logged_by.clone())),
                );
            let (names, services) = self.names_for(&mut tx, members).await?;
            use hearth_domain::organisation::OrganisationKind as K;
            let specialist_services = tx
                .all_organisations()
                .await?
                .into_iter()
                .filter(|o| matches!(o.kind, K::SpecialistPalliativeCare | K::Hospice))
                .map(|o| (o.id, o.name))
                .collect();
            found = Some(NeedsView {
                patient: record.clone(),
                from,
                assessments,
                phases,
                latest,
                suggestions,
                rule_names,
                referrals,
                advice,
                names,
                services,
                specialist_services,
                may_write: *basis != AccessBasis::EmergencyAccess,
            });
        }
        drop(tx);
        self.finish_read(
            actor,
            patient,
            (RESOURCE, None),
            record.is_some(),
            decision,
            found,
            "assessments",
        )
        .await
    }
}
