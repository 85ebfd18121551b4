//! Transitions of care: recording where the patient is (an admission tells the care team at
//! once), planning a discharge with the receiving team (notice, checklist with owners, risk
//! flags), the receiving team's acceptance or concerns, the discharge itself, the letter, and
//! the out-of-hours view of patients who arrived home today. Every read and change is of the
//! patient's record: access-checked and audited (`docs/design/transitions.md`).

use std::collections::HashMap;

use hearth_domain::audit::{AccessBasis, AuditAction};
use hearth_domain::care_plan::{ReadinessItem, readiness};
use hearth_domain::care_team::Member;
use hearth_domain::conversation::MessageDraft;
use hearth_domain::transition::{
    self, ChecklistItem, DischargeDraft, DischargeFacts, DischargeStep, Letter, RiskFlag, Stay,
    StayDraft, Timeliness,
};
use hearth_domain::{OrganisationId, PatientId, PractitionerId, ValidationError};
use hearth_store::{Arrival, ChecklistLine, StoredDischarge, Tx};
use jiff::Timestamp;

use crate::access::{self, Decision};
use crate::{Actor, App, AppError, NewConversation};

const RESOURCE: &str = "Encounter";

/// A discharge with its checklist and what it risks.
#[derive(Debug, Clone)]
pub struct DischargeView {
    pub stored: StoredDischarge,
    pub checklist: Vec<ChecklistLine>,
    pub flags: Vec<RiskFlag>,
    /// When the letter reached the team against the arrival, once the patient left.
    pub timeliness: Option<Timeliness>,
}

/// Where the patient is and has been, and their discharges.
#[derive(Debug, Clone)]
pub struct TransitionsView {
    pub patient: hearth_domain::patient::Patient,
    /// Current stay first.
    pub stays: Vec<Stay>,
    /// The open discharge, if any, then finished ones.
    pub discharges: Vec<DischargeView>,
    pub names: HashMap<PractitionerId, String>,
    pub services: HashMap<OrganisationId, String>,
    /// Hospitals, hospices and care homes, for the place of a move.
    pub places: Vec<(OrganisationId, String)>,
    /// Community services that can receive a patient (nursing teams, practices, care homes,
    /// specialist teams and hospices).
    pub community: Vec<(OrganisationId, String)>,
    pub may_write: bool,
}

impl TransitionsView {
    /// The current stay, when one is recorded.
    pub fn current(&self) -> Option<&Stay> {
        self.stays.iter().find(|s| s.ended_at.is_none())
    }
}

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
    /// The patient's stays and discharges.
    pub async fn transitions(
        &self,
        actor: &Actor,
        patient: &PatientId,
    ) -> Result<TransitionsView, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let decision = access::decide(&mut tx, actor, patient, now).await?;
        let record = tx.patient(patient, system).await?;
        let mut found = None;
        if let (Some(record), Decision::Allowed(basis)) = (&record, &decision) {
            let stays = tx.stays_of(patient).await?;
            let facts = self.discharge_facts(&mut tx, patient).await?;
            let mut discharges = Vec::new();
            let mut members: Vec<Member> = stays
                .iter()
                .map(|s| Member::Practitioner(s.recorded_by.clone()))
                .chain(
                    stays
                        .iter()
                        .filter_map(|s| s.organisation_id.clone().map(Member::Service)),
                )
                .collect();
            for stored in tx.discharges_of(patient).await? {
                let checklist = tx.checklist(&stored.discharge.id).await?;
                members.extend(checklist.iter().map(|l| l.owner.clone()));
                members.extend(checklist.iter().filter_map(|l| {
                    l.done
                        .as_ref()
                        .map(|(p, _)| Member::Practitioner(p.clone()))
                }));
                let d = &stored.discharge;
                members.push(Member::Practitioner(d.planned_by.clone()));
                members.extend(d.receiving.clone().map(Member::Practitioner));
                members.extend(
                    d.accepted
                        .as_ref()
                        .map(|(p, _)| Member::Practitioner(p.clone())),
                );
                discharges.push(self.discharge_view(stored, checklist, facts, now));
            }
            discharges.sort_by_key(|v| !v.stored.discharge.state.is_open());
            let (names, services) = self.names_for(&mut tx, members.into_iter()).await?;
            use hearth_domain::organisation::OrganisationKind as K;
            let all = tx.all_organisations().await?;
            let pick = |kinds: &[K]| -> Vec<(OrganisationId, String)> {
                all.iter()
                    .filter(|o| kinds.contains(&o.kind))
                    .map(|o| (o.id.clone(), o.name.clone()))
                    .collect()
            };
            let places = pick(&[K::HospitalDepartment, K::Hospice, K::CareHome]);
            let community = pick(&[
                K::HomeCare,
                K::GpPractice,
                K::CareHome,
                K::SpecialistPalliativeCare,
                K::Hospice,
            ]);
            found = Some(TransitionsView {
                patient: record.clone(),
                stays,
                discharges,
                names,
                services,
                places,
                community,
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
            "stays",
        )
        .await
    }

    /// What the plan says that the risk rules need: anticipatory medicines prescribed, a crisis
    /// plan, a carer (a main carer's contact recorded).
    async fn discharge_facts(
        &self,
        tx: &mut Tx,
        patient: &PatientId,
    ) -> Result<DischargeFacts, AppError> {
        let current = tx.current_sections(patient).await?;
        let missing = readiness(current.iter().map(|v| &v.content), true);
        Ok(DischargeFacts {
            anticipatory_medicines_prescribed: !missing
                .contains(&ReadinessItem::AnticipatoryMedicinesPrescribed),
            crisis_plan: !missing.contains(&ReadinessItem::CrisisPlan),
            carer_at_home: !missing.contains(&ReadinessItem::CarerContact),
        })
    }

    fn discharge_view(
        &self,
        stored: StoredDischarge,
        checklist: Vec<ChecklistLine>,
        facts: DischargeFacts,
        now: Timestamp,
    ) -> DischargeView {
        let d = &stored.discharge;
        let open = checklist.iter().any(|l| l.done.is_none());
        let due = d.discharged_at.unwrap_or(now) >= d.planned_at;
        let flags = transition::risk_flags(
            (d.planned_at, d.notified_at),
            (&self.config.time_zone, &self.config.public_holidays),
            &self.config.discharge_rules,
            facts,
            (
                due.then_some(open),
                d.discharged_at.map(|_| d.accepted.is_some()),
            ),
        );
        let timeliness = d
            .discharged_at
            .map(|at| transition::timeliness(stored.letter_sent_at, at, &self.config.time_zone));
        DischargeView {
            stored,
            checklist,
            flags,
            timeliness,
        }
    }

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

    async fn team_keys(&self, tx: &mut Tx, patient: &PatientId) -> Result<Vec<String>, AppError> {
        Ok(tx
            .care_team(patient)
            .await?
            .iter()
            .filter(|m| m.is_active())
            .map(|m| crate::live::key_of(&m.member))
            .collect())
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

    /// Saves the discharge letter; `send` marks it sent to the team (once).
    pub async fn save_discharge_letter(
        &self,
        actor: &Actor,
        patient: &PatientId,
        id: &str,
        (letter, send): (Letter, bool),
    ) -> Result<(), AppError> {
        let now = self.now();
        let letter = letter.checked()?;
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let found = tx
            .discharges_of(patient)
            .await?
            .into_iter()
            .find(|d| d.discharge.id == id)
            .ok_or_else(|| {
                AppError::NotFound("There is no such discharge for this patient.".to_owned())
            })?;
        if found.discharge.state == transition::DischargeState::Cancelled {
            return Err(ValidationError::new("letter", "This discharge was cancelled.").into());
        }
        if found.letter_sent_at.is_some() {
            return Err(ValidationError::new(
                "letter",
                "The letter was sent and is part of the record: add what changed in a conversation with the team.",
            )
            .into());
        }
        tx.set_discharge_letter(id, &letter, send.then_some(now))
            .await?;
        if send {
            tx.set_checklist_item(
                id,
                ChecklistItem::Letter,
                Some((&actor.practitioner_id, now)),
            )
            .await?;
        }
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Update,
            (RESOURCE, id, found.discharge.version),
        )
        .await?;
        let keys = if send {
            let missing = letter.missing();
            let text = if missing.is_empty() {
                "The discharge letter is here, complete.".to_owned()
            } else {
                format!(
                    "The discharge letter is here; it says nothing of: {}.",
                    missing.join("; ").to_lowercase()
                )
            };
            self.tell_team(&mut tx, actor, patient, "discharge-letter", &text)
                .await?
        } else {
            Vec::new()
        };
        self.live.commit(&self.store, tx, &keys).await
    }

    /// Patients who arrived home today (local day) whose care team the actor is in: the
    /// out-of-hours view.
    pub async fn arrived_home_today(&self, actor: &Actor) -> Result<Vec<Arrival>, AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let midnight = now
            .to_zoned(self.config.time_zone.clone())
            .start_of_day()
            .map(|z| z.timestamp())
            .unwrap_or(now);
        let mut tx = self.store.begin_read().await?;
        let mut arrivals = tx
            .arrivals_since(midnight, crate::conversations::recipient_of(actor))
            .await?;
        let patients = arrivals.iter().map(|a| a.patient_id.clone()).collect();
        let readable = access::readable_in_team(&mut tx, actor, patients, now).await?;
        arrivals.retain(|a| readable.contains(&a.patient_id));
        Ok(arrivals)
    }
}

impl App {
    /// Patients of the actor's care teams discharged home in the last 30 days without the
    /// receiving team's acceptance, most recent first: the report that keeps those visible.
    pub async fn discharged_without_acceptance(
        &self,
        actor: &Actor,
    ) -> Result<Vec<Arrival>, AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let from = now
            .checked_sub(jiff::SignedDuration::from_hours(24 * 30))
            .unwrap_or(now);
        let mut tx = self.store.begin_read().await?;
        let mut found = tx
            .arrivals_since(from, crate::conversations::recipient_of(actor))
            .await?;
        found.retain(|a| !a.accepted);
        let patients = found.iter().map(|a| a.patient_id.clone()).collect();
        let readable = access::readable_in_team(&mut tx, actor, patients, now).await?;
        found.retain(|a| readable.contains(&a.patient_id));
        Ok(found)
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
