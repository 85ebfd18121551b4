//! Care team use cases: the team page, adding, changing and ending members, and the coordinator
//! handover (proposed by a team member, accepted or declined by the proposed coordinator, or
//! withdrawn by its proposer or the coordinator it would replace). Every change checks access and
//! writes its audit record in its own transaction.

use std::collections::HashMap;

use hearth_domain::audit::AuditAction;
use hearth_domain::care_team::{
    CareTeam, CareTeamMember, Handover, HandoverState, Member, NewMember,
};
use hearth_domain::organisation::Organisation;
use hearth_domain::patient::Patient;
use hearth_domain::{PatientId, PractitionerId, ValidationError};
use hearth_store::{DirectoryEntry, Tx};

use crate::access::{self, Decision};
use crate::{Actor, App, AppError};

pub(crate) const RESOURCE: &str = "CareTeam";

/// Everything the care team page shows.
#[derive(Debug, Clone)]
pub struct CareTeamView {
    pub patient: Patient,
    pub team: CareTeam,
    pub handover: Option<Handover>,
    pub practitioner_names: HashMap<PractitionerId, String>,
    pub organisations: Vec<Organisation>,
    /// Practitioners (one entry per role) who can be added.
    pub directory: Vec<DirectoryEntry>,
}

impl CareTeamView {
    /// "Given Family" or the service's name.
    pub fn member_name(&self, member: &Member) -> String {
        match member {
            Member::Practitioner(id) => self
                .practitioner_names
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.to_string()),
            Member::Service(id) => self
                .organisations
                .iter()
                .find(|o| &o.id == id)
                .map_or_else(|| id.to_string(), |o| o.name.clone()),
        }
    }
}

impl App {
    /// The patient's care team, its pending handover and the directory to add members from.
    pub async fn care_team(
        &self,
        actor: &Actor,
        patient_id: &PatientId,
    ) -> Result<CareTeamView, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let mut tx = self.store.begin_read().await?;
        let decision = access::decide(&mut tx, actor, patient_id, self.now()).await?;
        let record = access::audit_record(
            actor,
            self.now(),
            Some(patient_id),
            AuditAction::Read,
            RESOURCE,
            None,
            &decision,
        );
        if let Decision::Denied(denial) = decision {
            drop(tx);
            self.audit.append(record).await?;
            return Err(access::refusal(patient_id, denial));
        }
        let patient = tx
            .patient(patient_id, system)
            .await?
            .ok_or_else(not_found)?;
        let team = load_team(&mut tx, patient_id).await?;
        let handover = tx.open_handover(patient_id).await?;
        let directory = tx.practitioner_directory().await?;
        let organisations = tx.all_organisations().await?;
        drop(tx);
        self.audit.append(record).await?;
        let practitioner_names = directory
            .iter()
            .map(|entry| (entry.role.practitioner_id.clone(), entry.name.clone()))
            .collect();
        Ok(CareTeamView {
            patient,
            team,
            handover,
            practitioner_names,
            organisations,
            directory,
        })
    }

    /// Adds a person or service to the care team. The first person to join a team without a
    /// coordinator becomes its coordinator.
    pub async fn add_care_team_member(
        &self,
        actor: &Actor,
        patient: &PatientId,
        input: NewMember,
    ) -> Result<CareTeamMember, AppError> {
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Create, RESOURCE)
            .await?;
        let member = self.admit_member(&mut tx, actor, patient, input).await?;
        tx.commit().await?;
        Ok(member)
    }

    /// Admits a member to the patient's team in the caller's write transaction (access already
    /// decided): checked against the team, stored and audited.
    pub(crate) async fn admit_member(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        patient: &PatientId,
        input: NewMember,
    ) -> Result<CareTeamMember, AppError> {
        let team = load_team(tx, patient).await?;
        let member = team.admit(
            input,
            self.ids.new_id(),
            patient.clone(),
            self.today(),
            self.now(),
        )?;
        require_known(tx, &member.member).await?;
        self.audit_change(
            tx,
            actor,
            patient,
            AuditAction::Create,
            (RESOURCE, &member.id, member.version),
        )
        .await?;
        tx.insert_care_team_members(std::slice::from_ref(&member))
            .await?;
        Ok(member)
    }

    /// Ends a membership (the member stays in the team's history). Ending the coordinator's
    /// membership leaves the team without one: the patient then shows as having no active
    /// coordinator until someone takes over.
    pub async fn end_care_team_membership(
        &self,
        actor: &Actor,
        patient: &PatientId,
        member_id: &str,
        version: i64,
    ) -> Result<(), AppError> {
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let mut member = current_member(&mut tx, patient, member_id, version).await?;
        if let Some(open) = tx.open_handover(patient).await?
            && (open.to_member == member.id
                || open.from_member.as_deref() == Some(member.id.as_str()))
        {
            return Err(ValidationError::new(
                "handover",
                "A coordinator handover involving this member is waiting: accept or decline it first.",
            )
            .into());
        }
        member.ended_on = Some(self.today());
        member.updated_at = self.now();
        member.version += 1;
        self.save_member(tx, actor, patient, &member).await
    }

    /// Changes a current member's role and responsibilities, provided nobody changed the member
    /// since `version`. Unchanged input writes nothing.
    pub async fn change_care_team_member(
        &self,
        actor: &Actor,
        patient: &PatientId,
        member_id: &str,
        version: i64,
        role: &str,
        responsibilities: &[String],
    ) -> Result<(), AppError> {
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let mut member = current_member(&mut tx, patient, member_id, version).await?;
        if !member.change_duties(role, responsibilities, self.now())? {
            return Ok(());
        }
        self.save_member(tx, actor, patient, &member).await
    }

    /// Saves a changed member with its audit record, and commits.
    async fn save_member(
        &self,
        mut tx: Tx,
        actor: &Actor,
        patient: &PatientId,
        member: &CareTeamMember,
    ) -> Result<(), AppError> {
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Update,
            (RESOURCE, &member.id, member.version),
        )
        .await?;
        tx.update_care_team_member(member).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Withdraws a waiting handover: the person who proposed it, or the coordinator it would
    /// replace, changed their mind. The coordinator stays as they are.
    pub async fn withdraw_handover(
        &self,
        actor: &Actor,
        patient: &PatientId,
        handover_id: &str,
    ) -> Result<(), AppError> {
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let handover = waiting_handover(&mut tx, patient, handover_id).await?;
        let team = load_team(&mut tx, patient).await?;
        let me = Member::Practitioner(actor.practitioner_id.clone());
        let replaced = handover
            .from_member
            .as_deref()
            .and_then(|from| team.members.iter().find(|m| m.id == from));
        if handover.proposed_by != actor.practitioner_id && replaced.map(|m| &m.member) != Some(&me)
        {
            return Err(AppError::Forbidden(
                "Only the person who proposed this handover, or the coordinator it would replace, can withdraw it."
                    .to_owned(),
            ));
        }
        tx.decide_handover(&handover.id, HandoverState::Withdrawn, self.now())
            .await?;
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Update,
            ("Task", &handover.id, 2),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Proposes a new coordinator. The current one stays responsible until the proposed one
    /// accepts.
    pub async fn propose_coordinator(
        &self,
        actor: &Actor,
        patient: &PatientId,
        to_member: &str,
    ) -> Result<Handover, AppError> {
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Create, RESOURCE)
            .await?;
        let team = load_team(&mut tx, patient).await?;
        let open = tx.open_handover(patient).await?;
        team.check_proposal(to_member, open.as_ref())?;
        let handover = Handover {
            id: self.ids.new_id(),
            patient_id: patient.clone(),
            from_member: team.coordinator().map(|m| m.id.clone()),
            to_member: to_member.to_owned(),
            proposed_by: actor.practitioner_id.clone(),
            proposed_at: self.now(),
            state: HandoverState::Proposed,
            decided_at: None,
        };
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Create,
            ("Task", &handover.id, 1),
        )
        .await?;
        tx.insert_handover(&handover).await?;
        // The proposed coordinator's open pages (the inbox) hear of it at once.
        let keys: Vec<String> = team
            .members
            .iter()
            .filter(|m| m.id == handover.to_member)
            .map(|m| crate::live::key_of(&m.member))
            .collect();
        self.live.commit(&self.store, tx, &keys).await?;
        Ok(handover)
    }

    /// The proposed coordinator accepts (the coordinator changes at once) or declines (the
    /// current one stays). Only the proposed coordinator may decide.
    pub async fn decide_handover(
        &self,
        actor: &Actor,
        patient: &PatientId,
        handover_id: &str,
        accept: bool,
    ) -> Result<(), AppError> {
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let handover = waiting_handover(&mut tx, patient, handover_id).await?;
        let team = load_team(&mut tx, patient).await?;
        let target = team
            .active()
            .find(|m| m.id == handover.to_member)
            .ok_or_else(|| {
                AppError::Conflict(
                    "The proposed coordinator is no longer in the care team.".to_owned(),
                )
            })?;
        if target.member != Member::Practitioner(actor.practitioner_id.clone()) {
            return Err(AppError::Forbidden(
                "Only the proposed coordinator can accept or decline this handover.".to_owned(),
            ));
        }
        let now = self.now();
        let state = if accept {
            HandoverState::Accepted
        } else {
            HandoverState::Declined
        };
        tx.decide_handover(&handover.id, state, now).await?;
        if accept {
            // The current coordinator steps down before the new one steps up: the database
            // allows only one active coordinator per patient at any moment.
            if let Some(current) = team.coordinator() {
                let mut current = current.clone();
                current.coordinator = false;
                current.updated_at = now;
                current.version += 1;
                tx.update_care_team_member(&current).await?;
            }
            let mut next = target.clone();
            next.coordinator = true;
            next.updated_at = now;
            next.version += 1;
            self.audit_change(
                &mut tx,
                actor,
                patient,
                AuditAction::Update,
                (RESOURCE, &next.id, next.version),
            )
            .await?;
            tx.update_care_team_member(&next).await?;
        } else {
            self.audit_change(
                &mut tx,
                actor,
                patient,
                AuditAction::Update,
                ("Task", &handover.id, 2),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The patient's care team, with the disabled accounts among its members.
pub(crate) async fn load_team(tx: &mut Tx, patient: &PatientId) -> Result<CareTeam, AppError> {
    let members = tx.care_team(patient).await?;
    let disabled = disabled_among(tx, &members).await?;
    Ok(CareTeam { members, disabled })
}

async fn disabled_among(
    tx: &mut Tx,
    members: &[CareTeamMember],
) -> Result<Vec<PractitionerId>, AppError> {
    let people: Vec<PractitionerId> = members
        .iter()
        .filter_map(|m| match &m.member {
            Member::Practitioner(id) => Some(id.clone()),
            Member::Service(_) => None,
        })
        .collect();
    Ok(tx.disabled_practitioners(&people).await?)
}

/// The patient's handover `id`, provided it is still waiting for a decision.
async fn waiting_handover(
    tx: &mut Tx,
    patient: &PatientId,
    id: &str,
) -> Result<Handover, AppError> {
    tx.open_handover(patient)
        .await?
        .filter(|h| h.id == id)
        .ok_or_else(|| {
            AppError::Conflict(
                "This handover has already been accepted, declined or withdrawn.".to_owned(),
            )
        })
}

/// The active member `member_id` of the patient's team, provided it is still at `version`.
async fn current_member(
    tx: &mut Tx,
    patient: &PatientId,
    member_id: &str,
    version: i64,
) -> Result<CareTeamMember, AppError> {
    let member = tx
        .care_team(patient)
        .await?
        .into_iter()
        .find(|m| m.id == member_id && m.is_active())
        .ok_or_else(|| {
            AppError::NotFound("This person is not a current member of the care team.".to_owned())
        })?;
    if member.version != version {
        return Err(AppError::Conflict(
            "Someone else changed this care team member since you opened the page. Reload it and try again.".to_owned(),
        ));
    }
    Ok(member)
}

/// Refuses a member that is not in the directory.
async fn require_known(tx: &mut Tx, member: &Member) -> Result<(), AppError> {
    let known = match member {
        Member::Practitioner(id) => !tx
            .practitioner_names(std::slice::from_ref(id))
            .await?
            .is_empty(),
        Member::Service(id) => !tx
            .organisations_by_ids(std::slice::from_ref(id))
            .await?
            .is_empty(),
    };
    if known {
        Ok(())
    } else {
        Err(ValidationError::new(
            "member",
            "There is no such practitioner or service in the directory.",
        )
        .into())
    }
}

fn not_found() -> AppError {
    AppError::NotFound("There is no patient with this id.".to_owned())
}
