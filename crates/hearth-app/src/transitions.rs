//! Transitions of care: recording where the patient is (an admission tells the care team at
//! once), planning a discharge with the receiving team (notice, checklist with owners, risk
//! flags), the receiving team's acceptance or concerns, the discharge itself, the letter, and
//! the out-of-hours view of patients who arrived home today. Every read and change is of the
//! patient's record: access-checked and audited (`docs/design/transitions.md`).

use hearth_domain::audit::AuditAction;
use hearth_domain::care_team::Member;
use hearth_domain::conversation::MessageDraft;
use hearth_domain::transition::{
    self, ChecklistItem, DischargeDraft, DischargeStep, Stay, StayDraft,
};
use hearth_domain::{OrganisationId, PatientId, ValidationError};
use hearth_store::Tx;

use crate::{Actor, App, AppError, NewConversation};

mod reports;
mod view;

pub use view::{DischargeView, TransitionsView};

const RESOURCE: &str = "Encounter";

/// Which checklist items the ward owns (the rest are the receiving team's).
fn ward_owns(item: ChecklistItem) -> bool {
    matches!(
        item,
        ChecklistItem::MedicinesReconciled
            | ChecklistItem::AnticipatoryMedicines
            | ChecklistItem::Letter
            | ChecklistItem::Transport
    )
}

impl App {
    /// Records a move: the current stay ends and a new one starts. An admission tells the care
    /// team at once (a notice with the reason, and a live update).
    pub async fn record_stay(
        &self,
        actor: &Actor,
        patient: &PatientId,
        draft: StayDraft,
    ) -> Result<Stay, AppError> {
        let now = self.now();
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Create, RESOURCE)
            .await?;
        let stays = tx.stays_of(patient).await?;
        let current = stays.iter().find(|s| s.ended_at.is_none());
        if let Some(open) = tx
            .discharges_of(patient)
            .await?
            .iter()
            .find(|d| d.discharge.state.is_open())
        {
            return Err(ValidationError::new(
                "place",
                format!(
                    "A discharge is planned ({}): record the discharge there, so the receiving team sees it, or cancel it first.",
                    self.local_time(open.discharge.planned_at)
                ),
            )
            .into());
        }
        let stay = draft.check(
            (self.ids.new_id(), patient),
            current,
            &actor.practitioner_id,
            now,
        )?;
        tx.end_current_stay(patient, stay.started_at).await?;
        tx.insert_stay(&stay).await?;
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Create,
            (RESOURCE, &stay.id, 1),
        )
        .await?;
        let mut keys = Vec::new();
        if stay.notifies_team() {
            let place = match &stay.organisation_id {
                Some(o) => tx
                    .organisations_by_ids(std::slice::from_ref(o))
                    .await?
                    .into_iter()
                    .next()
                    .map_or_else(|| stay.place.label().to_owned(), |o| o.name),
                None => stay.place.label().to_owned(),
            };
            let text = format!(
                "{} {}{}{}. Tell the hospital what it should know: reply with a message, and point them to the out-of-hours summary and the plan.",
                if stay.emergency {
                    "Admitted as an emergency to"
                } else {
                    "Admitted to"
                },
                place,
                stay.detail
                    .as_ref()
                    .map_or_else(String::new, |d| format!(" ({d})")),
                stay.reason
                    .as_ref()
                    .map_or_else(String::new, |r| format!(": {r}")),
            );
            keys = self
                .tell_team(&mut tx, actor, patient, "admission", &text)
                .await?;
        }
        if stay.emergency && stay.place == transition::PlaceKind::Hospital {
            let (_, more) = self
                .run_triggers(
                    &mut tx,
                    actor,
                    patient,
                    (hearth_domain::trigger::Event::Admission, None),
                )
                .await?;
            keys.extend(more);
        }
        self.live.commit(&self.store, tx, &keys).await?;
        Ok(stay)
    }

    /// A notice to every person in the team but the actor; the live keys of everyone in it.
    async fn tell_team(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        patient: &PatientId,
        kind: &str,
        text: &str,
    ) -> Result<Vec<String>, AppError> {
        let now = self.now();
        let team = tx.care_team(patient).await?;
        let mut keys = Vec::new();
        for m in team.iter().filter(|m| m.is_active()) {
            keys.push(crate::live::key_of(&m.member));
            if let Member::Practitioner(person) = &m.member
                && person != &actor.practitioner_id
            {
                tx.insert_notice(&hearth_store::Notice {
                    id: self.ids.new_id(),
                    practitioner_id: person.clone(),
                    patient_id: Some(patient.clone()),
                    kind: kind.to_owned(),
                    text: text.to_owned(),
                    created_at: now,
                    read_at: None,
                })
                .await?;
            }
        }
        Ok(keys)
    }

    /// Plans a discharge from the current stay: the receiving team (the coordinator) is told at
    /// once, and the checklist is set up with an owner for each item (the ward's items for the
    /// planner, the rest for the coordinator). A newly named receiving service (`receiving`, an
    /// organisation id, for a patient new to the area) joins the care team in the same
    /// transaction and owns the community's items. Returns the discharge's id.
    pub async fn plan_discharge(
        &self,
        actor: &Actor,
        patient: &PatientId,
        draft: DischargeDraft,
        receiving: Option<&str>,
    ) -> Result<String, AppError> {
        let now = self.now();
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Create, RESOURCE)
            .await?;
        let stays = tx.stays_of(patient).await?;
        let stay = stays.iter().find(|s| s.ended_at.is_none()).ok_or_else(|| {
            ValidationError::new(
                "stay",
                "Record the admission first: a discharge is planned from a stay away from home.",
            )
        })?;
        let coordinator = tx.coordinator_of(patient).await?;
        let discharge = draft.check(
            (self.ids.new_id(), stay),
            coordinator.clone(),
            (&self.config.complexity_rule, &actor.practitioner_id),
            now,
        )?;
        let ward = Member::Practitioner(actor.practitioner_id.clone());
        let named = match receiving.map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(id) => Some(
                self.name_receiving_service(&mut tx, actor, patient, id)
                    .await?,
            ),
        };
        let receiving = match (named, coordinator) {
            (Some(service), _) => Member::Service(service),
            (None, Some(coordinator)) => Member::Practitioner(coordinator),
            (None, None) => ward.clone(),
        };
        let checklist: Vec<(ChecklistItem, Member)> = transition::checklist_for(discharge.complex)
            .into_iter()
            .map(|item| {
                let owner = if ward_owns(item) {
                    ward.clone()
                } else {
                    receiving.clone()
                };
                (item, owner)
            })
            .collect();
        if !tx.insert_discharge(&discharge, &checklist).await? {
            return Err(ValidationError::new(
                "planned_at",
                "A discharge is already planned for this patient: change or cancel that one.",
            )
            .into());
        }
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Create,
            (RESOURCE, &discharge.id, 1),
        )
        .await?;
        let text = format!(
            "Discharge planned for {} ({} notice). Check the checklist and accept it, or raise a concern.",
            self.local_time(discharge.planned_at),
            notice_words(discharge.planned_at.duration_since(now)),
        );
        let keys = self
            .tell_team(&mut tx, actor, patient, "discharge", &text)
            .await?;
        self.live.commit(&self.store, tx, &keys).await?;
        Ok(discharge.id)
    }

    /// Puts the community service `id` in the patient's care team (when it is not already), as
    /// the receiving team of a discharge; its id.
    async fn name_receiving_service(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        patient: &PatientId,
        id: &str,
    ) -> Result<OrganisationId, AppError> {
        use hearth_domain::organisation::OrganisationKind as K;
        let bad = || {
            AppError::from(ValidationError::new(
                "receiving",
                "Choose the community service that will receive the patient from the list.",
            ))
        };
        let org = OrganisationId::parse(id).ok_or_else(bad)?;
        let found = tx
            .organisations_by_ids(std::slice::from_ref(&org))
            .await?
            .into_iter()
            .next()
            .ok_or_else(bad)?;
        let role = match found.kind {
            K::HomeCare => "district-nurse",
            K::GpPractice => "gp",
            K::CareHome => "care-home-nurse",
            K::SpecialistPalliativeCare | K::Hospice => "specialist-palliative-nurse",
            _ => return Err(bad()),
        };
        let team = crate::care_team::load_team(tx, patient).await?;
        let already = team
            .members
            .iter()
            .any(|m| m.is_active() && m.member == Member::Service(org.clone()));
        if !already {
            self.admit_member(
                tx,
                actor,
                patient,
                hearth_domain::care_team::NewMember {
                    member: format!("service:{org}"),
                    role: role.to_owned(),
                    ..Default::default()
                },
            )
            .await?;
        }
        Ok(org)
    }

    /// Moves a discharge on: ready (the ward), accepted (the receiving team — not the person who
    /// planned it), discharged (the patient's place becomes the destination), or cancelled.
    pub async fn step_discharge(
        &self,
        actor: &Actor,
        patient: &PatientId,
        id: &str,
        step: DischargeStep,
    ) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let mut d = discharge_of(&mut tx, patient, id).await?;
        if step == DischargeStep::Accept {
            let roles = tx
                .roles_in_team(patient, crate::conversations::recipient_of(actor))
                .await?;
            let receiving = d.receiving.as_ref() == Some(&actor.practitioner_id)
                || roles.iter().any(|r| is_community(*r));
            if d.planned_by == actor.practitioner_id || !receiving {
                return Err(ValidationError::new(
                    "state",
                    "The receiving team accepts a discharge, not the ward that planned it: the coordinator, or someone in the team in a community role (GP, district, specialist or care-home nurse).",
                )
                .into());
            }
        }
        d.step(step, &actor.practitioner_id, now)?;
        if !tx.update_discharge(&d).await? {
            return Err(AppError::Conflict(
                "A colleague changed this discharge at the same moment: reload to see it."
                    .to_owned(),
            ));
        }
        let mut text = match step {
            DischargeStep::Ready => Some(format!(
                "The ward says the patient is ready for discharge ({}).",
                self.local_time(d.planned_at)
            )),
            DischargeStep::Accept => Some("The receiving team accepted the discharge.".to_owned()),
            DischargeStep::Cancel => Some("The planned discharge was cancelled.".to_owned()),
            DischargeStep::Discharge => None,
        };
        if step == DischargeStep::Discharge {
            let home = Stay {
                id: self.ids.new_id(),
                patient_id: patient.clone(),
                place: d.destination,
                organisation_id: None,
                detail: None,
                emergency: false,
                reason: None,
                started_at: now,
                ended_at: None,
                recorded_by: actor.practitioner_id.clone(),
            };
            tx.end_current_stay(patient, now).await?;
            tx.insert_stay(&home).await?;
            text = Some(if d.without_acceptance() {
                "Discharged without the receiving team's acceptance: the patient is on the way. Check the checklist and the plan now.".to_owned()
            } else {
                format!(
                    "Discharged: on the way to {}.",
                    d.destination.label().to_lowercase()
                )
            });
        }
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Update,
            (RESOURCE, &d.id, d.version),
        )
        .await?;
        let keys = match text {
            Some(text) => {
                self.tell_team(&mut tx, actor, patient, "discharge", &text)
                    .await?
            }
            None => Vec::new(),
        };
        self.live.commit(&self.store, tx, &keys).await
    }

    /// Ticks a checklist item done, or open again.
    pub async fn tick_checklist(
        &self,
        actor: &Actor,
        patient: &PatientId,
        id: &str,
        (item, done): (&str, bool),
    ) -> Result<(), AppError> {
        let now = self.now();
        let item = ChecklistItem::from_code(item.trim())
            .ok_or_else(|| ValidationError::new("item", "Choose an item of the checklist."))?;
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let d = discharge_of(&mut tx, patient, id).await?;
        let by = done.then_some((&actor.practitioner_id, now));
        if !tx.set_checklist_item(&d.id, item, by).await? {
            return Err(ValidationError::new(
                "item",
                "That item is not on this discharge's checklist.",
            )
            .into());
        }
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Update,
            (RESOURCE, &d.id, d.version),
        )
        .await?;
        let keys = self.team_keys(&mut tx, patient).await?;
        self.live.commit(&self.store, tx, &keys).await
    }

    /// The receiving team raises a concern: an urgent conversation with the ward about the
    /// discharge. Returns the conversation's id.
    pub async fn raise_discharge_concern(
        &self,
        actor: &Actor,
        patient: &PatientId,
        id: &str,
        concern: &str,
    ) -> Result<String, AppError> {
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Read, RESOURCE)
            .await?;
        let d = discharge_of(&mut tx, patient, id).await?;
        let ward = tx
            .care_team(patient)
            .await?
            .into_iter()
            .find(|m| m.is_active() && m.member == Member::Practitioner(d.planned_by.clone()))
            .ok_or_else(|| {
                ValidationError::new(
                    "concern",
                    "Whoever planned the discharge is no longer in the care team: phone the ward.",
                )
            })?;
        drop(tx);
        self.start_conversation(
            actor,
            patient,
            NewConversation {
                topic: format!(
                    "Concern about the discharge on {}",
                    self.local_time(d.planned_at)
                ),
                to: vec![format!("member:{}", ward.id)],
                message: MessageDraft {
                    body: concern.to_owned(),
                    urgency: hearth_domain::conversation::Urgency::Urgent
                        .code()
                        .to_owned(),
                    ..MessageDraft::default()
                },
            },
        )
        .await
    }
}

/// Whether a care-team role belongs to the community side that receives a patient.
fn is_community(role: hearth_domain::care_team::CareTeamRole) -> bool {
    use hearth_domain::care_team::CareTeamRole as R;
    matches!(
        role,
        R::GeneralPractitioner
            | R::DistrictNurse
            | R::SpecialistPalliativeNurse
            | R::PalliativeMedicinePhysician
            | R::CareHomeNurse
            | R::OncologyNurse
            | R::OutOfHoursService
    )
}

/// The discharge `id` of `patient` (the workflow refuses steps of a finished one).
async fn discharge_of(
    tx: &mut Tx,
    patient: &PatientId,
    id: &str,
) -> Result<transition::Discharge, AppError> {
    let found = tx
        .discharges_of(patient)
        .await?
        .into_iter()
        .find(|d| d.discharge.id == id)
        .ok_or_else(|| {
            AppError::NotFound("There is no such discharge for this patient.".to_owned())
        })?;
    Ok(found.discharge)
}

/// "26 hours", "3 days": the notice given, in words.
pub fn notice_words(notice: jiff::SignedDuration) -> String {
    let hours = notice.as_hours();
    if hours >= 48 {
        format!("{} days'", hours / 24)
    } else if hours >= 1 {
        format!("{hours} hours'")
    } else {
        format!("{} minutes'", notice.as_mins().max(0))
    }
}
