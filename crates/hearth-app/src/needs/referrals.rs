//! Referral to specialist palliative care: the referrer's structured referral (the service
//! joins the care team so it can read the record it is asked about), the service's triage,
//! acceptance or decline with advice, first contact and discharge, each step told to the
//! referrer at once; the service's list and the referrer's.

use std::collections::HashMap;

use hearth_domain::audit::AuditAction;
use hearth_domain::care_team::Member;
use hearth_domain::organisation::OrganisationKind;
use hearth_domain::referral::{self, Referral, ReferralDraft, ReferralStep, Timeliness};
use hearth_domain::trigger::Response;
use hearth_domain::{OrganisationId, PatientId, PractitionerId, ValidationError};
use hearth_store::ReferralLine;
use jiff::SignedDuration;

use crate::access::{self, Decision};
use crate::{Actor, App, AppError};

const RESOURCE: &str = "ServiceRequest";

/// How far back the lists show finished referrals.
const LIST_DAYS: i64 = 30;

/// The referrals page: to the actor's service (when it is a specialist one) and by the actor.
#[derive(Debug, Clone)]
pub struct ReferralList {
    /// The actor's specialist service, when they act for one.
    pub service: Option<(OrganisationId, String)>,
    /// Referrals to that service: open ones, and finished ones of the last 30 days.
    pub to_service: Vec<ReferralLine>,
    /// The actor's own referrals.
    pub made: Vec<ReferralLine>,
    pub timeliness: Timeliness,
    pub services: HashMap<OrganisationId, String>,
}

/// One referral with what the page needs.
#[derive(Debug, Clone)]
pub struct ReferralView {
    pub referral: Referral,
    pub patient_name: String,
    pub names: HashMap<PractitionerId, String>,
    pub service_name: String,
    /// The actor acts for the service referred to: they triage and answer.
    pub for_service: bool,
    pub may_withdraw: bool,
}

fn acts_for(actor: &Actor, service: &OrganisationId) -> bool {
    actor.acting_organisation().is_some_and(|o| &o == service)
}

impl App {
    /// Refers the patient to a specialist palliative care service (or hospice). The suggestions
    /// the referral answers are marked "referred"; the service joins the care team if it is not
    /// in it, so its staff can read the record; the service's staff see it at once.
    pub async fn refer(
        &self,
        actor: &Actor,
        patient: &PatientId,
        service: &str,
        draft: ReferralDraft,
    ) -> Result<String, AppError> {
        let now = self.now();
        let service = OrganisationId::parse(service.trim()).ok_or_else(|| {
            ValidationError::new("service", "Choose the specialist service to refer to.")
        })?;
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Create, RESOURCE)
            .await?;
        let org = tx
            .organisations_by_ids(std::slice::from_ref(&service))
            .await?
            .into_iter()
            .next()
            .filter(|o| {
                matches!(
                    o.kind,
                    OrganisationKind::SpecialistPalliativeCare | OrganisationKind::Hospice
                )
            })
            .ok_or_else(|| {
                ValidationError::new(
                    "service",
                    "Refer to a specialist palliative care service or a hospice from the list.",
                )
            })?;
        // A patient who declined to share their record beyond the registering practice cannot
        // be referred through Hearth: the specialist team could not read what it is asked about.
        if let Some(entry) = tx
            .register_entries_of(patient)
            .await?
            .into_iter()
            .find(|e| e.leaving.is_none())
            && entry.consent.decision == hearth_domain::register::ConsentDecision::Declined
            && entry.organisation_id != service
        {
            return Err(ValidationError::new(
                "service",
                "The patient declined to share their record beyond their registering practice, so the specialist team could not read it: talk with the patient about sharing, or refer outside Hearth.",
            )
            .into());
        }
        let existing = tx.referrals_of(patient).await?;
        if let Some(open) = existing
            .iter()
            .find(|r| r.is_open() && r.service == service)
        {
            return Err(ValidationError::new(
                "service",
                format!(
                    "{} has this patient's referral of {} already ({}): follow it there.",
                    org.name,
                    self.local_time(open.referred_at),
                    open.state.label().to_lowercase()
                ),
            )
            .into());
        }
        let referral = draft.check(
            self.ids.new_id(),
            patient,
            &service,
            &actor.practitioner_id,
            now,
        )?;
        let suggestions = tx.suggestions_of(patient).await?;
        for id in &referral.suggestion_ids {
            let s = suggestions.iter().find(|s| &s.id == id).ok_or_else(|| {
                ValidationError::new(
                    "suggestion_ids",
                    "A suggestion chosen is not this patient's: reload the page.",
                )
            })?;
            if s.is_due(now) {
                let answer = s.answer(
                    (Response::Referred.code(), "", None),
                    &actor.practitioner_id,
                    now,
                )?;
                if tx.answer_suggestion(id, &answer, now).await? {
                    self.audit_change(
                        &mut tx,
                        actor,
                        patient,
                        AuditAction::Update,
                        (super::SUGGESTION_RESOURCE, id, 2),
                    )
                    .await?;
                }
            }
        }
        let team = tx.care_team(patient).await?;
        let member = Member::Service(service.clone());
        if !team.iter().any(|m| m.is_active() && m.member == member) {
            self.admit_member(
                &mut tx,
                actor,
                patient,
                hearth_domain::care_team::NewMember {
                    member: format!("service:{service}"),
                    role: "specialist-palliative-nurse".to_owned(),
                    ..Default::default()
                },
            )
            .await?;
        }
        if !tx.insert_referral(&referral).await? {
            return Err(AppError::Conflict(format!(
                "A referral of this patient to {} was made a moment ago: reload the page to follow it.",
                org.name
            )));
        }
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Create,
            (RESOURCE, &referral.id, referral.version),
        )
        .await?;
        let mut keys = self.team_keys(&mut tx, patient).await?;
        keys.push(crate::live::key_of(&member));
        self.live.commit(&self.store, tx, &keys).await?;
        Ok(referral.id)
    }

    /// Moves a referral on. Triage, acceptance, decline, first contact and discharge are the
    /// service's (the actor acts for it); withdrawal is the referring team's. `version` is the
    /// one the actor saw: a step from an older one is refused.
    pub async fn step_referral(
        &self,
        actor: &Actor,
        id: &str,
        step: ReferralStep,
        version: i64,
    ) -> Result<Referral, AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let patient = {
            let mut tx = self.store.begin_read().await?;
            tx.referral(id)
                .await?
                .map(|r| r.patient_id)
                .ok_or_else(|| AppError::NotFound("There is no such referral.".to_owned()))?
        };
        let mut tx = self
            .begin_clinical_write(actor, &patient, AuditAction::Update, RESOURCE)
            .await?;
        let mut referral = tx
            .referral(id)
            .await?
            .ok_or_else(|| AppError::NotFound("There is no such referral.".to_owned()))?;
        let service_step = !matches!(step, ReferralStep::Withdraw { .. });
        if service_step != acts_for(actor, &referral.service) {
            return Err(AppError::Forbidden(if service_step {
                "Only the specialist service referred to triages and answers a referral.".to_owned()
            } else {
                "The referring team withdraws a referral; the service declines it instead (with advice)."
                    .to_owned()
            }));
        }
        if referral.version != version {
            return Err(AppError::Conflict(
                "Someone else moved this referral on since you opened it. Reload the page to see where it is now."
                    .to_owned(),
            ));
        }
        let before = referral.clone();
        referral.step(step, &actor.practitioner_id, now)?;
        if !tx.update_referral(&referral, before.version).await? {
            return Err(AppError::Conflict(
                "Someone else moved this referral on a moment ago. Reload the page to see where it is now."
                    .to_owned(),
            ));
        }
        self.audit_change(
            &mut tx,
            actor,
            &patient,
            AuditAction::Update,
            (RESOURCE, &referral.id, referral.version),
        )
        .await?;
        let service_name = tx
            .organisations_by_ids(std::slice::from_ref(&referral.service))
            .await?
            .into_iter()
            .next()
            .map_or_else(|| "The specialist service".to_owned(), |o| o.name);
        if referral.referred_by != actor.practitioner_id {
            let mut text = format!(
                "Referral to {service_name}: {}",
                referral.state.label().to_lowercase()
            );
            if let Some(p) = referral.priority.filter(|_| before.priority.is_none()) {
                text.push_str(&format!(" ({})", p.label()));
            }
            if let Some(advice) = &referral.decline_advice {
                text.push_str(&format!(". Advice: {advice}"));
            }
            tx.insert_notice(&hearth_store::Notice {
                id: self.ids.new_id(),
                practitioner_id: referral.referred_by.clone(),
                patient_id: Some(patient.clone()),
                kind: "referral".to_owned(),
                text,
                created_at: now,
                read_at: None,
            })
            .await?;
        }
        let mut keys = self.team_keys(&mut tx, &patient).await?;
        keys.push(crate::live::key_of(&Member::Practitioner(
            referral.referred_by.clone(),
        )));
        keys.push(crate::live::key_of(&Member::Service(
            referral.service.clone(),
        )));
        self.live.commit(&self.store, tx, &keys).await?;
        Ok(referral)
    }

    /// One referral, access-checked and audited as a read of the patient's record.
    pub async fn referral(&self, actor: &Actor, id: &str) -> Result<ReferralView, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let referral = tx
            .referral(id)
            .await?
            .ok_or_else(|| AppError::NotFound("There is no such referral.".to_owned()))?;
        let patient = referral.patient_id.clone();
        let decision = access::decide(&mut tx, actor, &patient, now).await?;
        let record = tx.patient(&patient, system).await?;
        let mut found = None;
        if let (Some(record), Decision::Allowed(_)) = (&record, &decision) {
            let people = [
                Some(&referral.referred_by),
                referral.triaged_by.as_ref(),
                referral.accepted_by.as_ref(),
                referral.declined_by.as_ref(),
                referral.first_contact_by.as_ref(),
                referral.discharged_by.as_ref(),
                referral.withdrawn_by.as_ref(),
            ];
            let members = people
                .into_iter()
                .flatten()
                .map(|p| Member::Practitioner(p.clone()))
                .chain([Member::Service(referral.service.clone())]);
            let (names, services) = self.names_for(&mut tx, members).await?;
            let for_service = acts_for(actor, &referral.service);
            found = Some(ReferralView {
                patient_name: record.list_name(),
                service_name: services
                    .get(&referral.service)
                    .cloned()
                    .unwrap_or_else(|| "the specialist service".to_owned()),
                names,
                for_service,
                may_withdraw: !for_service
                    && matches!(
                        referral.state,
                        hearth_domain::referral::ReferralState::Referred
                            | hearth_domain::referral::ReferralState::Triaged
                            | hearth_domain::referral::ReferralState::Accepted
                    ),
                referral,
            });
        }
        drop(tx);
        self.finish_read(
            actor,
            &patient,
            (RESOURCE, None),
            record.is_some(),
            decision,
            found,
            "referral",
        )
        .await
    }

    /// The referrals to the actor's specialist service and those the actor made, limited to
    /// patients whose records the actor may read, with the service's timeliness.
    pub async fn referral_list(&self, actor: &Actor) -> Result<ReferralList, AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let from = now
            .checked_sub(SignedDuration::from_hours(24 * LIST_DAYS))
            .unwrap_or(now);
        let mut tx = self.store.begin_read().await?;
        let service = match actor.acting_role() {
            Some(r)
                if matches!(
                    r.organisation_kind,
                    OrganisationKind::SpecialistPalliativeCare | OrganisationKind::Hospice
                ) =>
            {
                Some((r.organisation_id.clone(), r.organisation_name.clone()))
            }
            _ => None,
        };
        let mut to_service = match &service {
            Some((id, _)) => tx.referrals_to(std::slice::from_ref(id), from).await?,
            None => Vec::new(),
        };
        let mut made = tx.referrals_by(&actor.practitioner_id, from).await?;
        let patients = to_service
            .iter()
            .chain(made.iter())
            .map(|l| l.referral.patient_id.clone())
            .collect();
        let readable = access::readable_in_team(&mut tx, actor, patients, now).await?;
        to_service.retain(|l| readable.contains(&l.referral.patient_id));
        // Open ones first, the longest waiting at the top; then the finished, newest first.
        to_service.sort_by_key(|l| {
            let at = l.referral.referred_at.as_millisecond();
            if l.referral.is_open() {
                (0, at)
            } else {
                (1, -at)
            }
        });
        made.retain(|l| readable.contains(&l.referral.patient_id));
        let (_, services) = self
            .names_for(
                &mut tx,
                made.iter()
                    .map(|l| Member::Service(l.referral.service.clone())),
            )
            .await?;
        let timeliness = referral::timeliness(
            &to_service
                .iter()
                .map(|l| l.referral.clone())
                .collect::<Vec<_>>(),
        );
        Ok(ReferralList {
            service,
            to_service,
            made,
            timeliness,
            services,
        })
    }
}
