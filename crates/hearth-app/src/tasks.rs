//! Tasks and follow-up: setting a task for a person, a service or a role of the care team,
//! claiming and closing it, the "my tasks" and "my team's tasks" lists, and the escalation of
//! overdue tasks (`hearth_domain::task`). A patient's tasks are part of their record: reads and
//! changes are access-checked and audited like the rest of it.

use hearth_domain::PatientId;
use hearth_domain::audit::{AccessBasis, AuditAction};
use hearth_domain::care_team::Member;
use hearth_domain::task::{self, Task, TaskDraft, TaskOwner, TaskStatus};
use hearth_store::{TaskLine, Tx};

use crate::access::{self, Decision};
use crate::conversations::recipient_of;
use crate::{Actor, App, AppError};

const RESOURCE: &str = "Task";

/// A patient's tasks and whom a new one can be given to.
#[derive(Debug, Clone)]
pub struct PatientTasks {
    pub patient: hearth_domain::patient::Patient,
    pub tasks: Vec<Task>,
    pub choices: Vec<(String, String)>,
    pub names: std::collections::HashMap<hearth_domain::PractitionerId, String>,
    pub services: std::collections::HashMap<hearth_domain::OrganisationId, String>,
    /// The roles the reader holds in this team, to know which shared tasks they can claim.
    pub my_roles: Vec<hearth_domain::care_team::CareTeamRole>,
    pub may_write: bool,
}

/// The signed-in clinician's tasks across their patients.
#[derive(Debug, Clone)]
pub struct MyTasks {
    pub mine: Vec<TaskLine>,
    pub team: Vec<TaskLine>,
}

/// A new task as typed: the owner as a form value (`member:ID` or `role:CODE`).
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    pub owner: String,
    pub draft: TaskDraft,
}

/// How a task is changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskChange {
    Claim,
    Done,
    Cancel,
}

impl App {
    /// A patient's tasks.
    pub async fn patient_tasks(
        &self,
        actor: &Actor,
        patient: &PatientId,
    ) -> Result<PatientTasks, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let decision = access::decide(&mut tx, actor, patient, now).await?;
        let record = tx.patient(patient, system).await?;
        let mut found = None;
        if let (Some(record), Decision::Allowed(basis)) = (&record, &decision) {
            let tasks = tx.tasks_of(patient).await?;
            let team = tx.care_team(patient).await?;
            let members = team
                .iter()
                .map(|m| m.member.clone())
                .chain(tasks.iter().flat_map(|t| {
                    let mut people = vec![Member::Practitioner(t.created_by.clone())];
                    match &t.owner {
                        TaskOwner::Person(p) => people.push(Member::Practitioner(p.clone())),
                        TaskOwner::Service(o) => people.push(Member::Service(o.clone())),
                        TaskOwner::Role(_) => {}
                    }
                    people
                }))
                .collect::<Vec<_>>();
            let (names, services) = self.names_for(&mut tx, members.into_iter()).await?;
            let my_roles = tx.roles_in_team(patient, recipient_of(actor)).await?;
            found = Some(PatientTasks {
                patient: record.clone(),
                choices: crate::conversations::choices(&team, &names, &services),
                tasks,
                names,
                services,
                my_roles,
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
            "tasks",
        )
        .await
    }

    /// Sets a task for a person, a service or a role of the care team; returns its id.
    pub async fn create_task(
        &self,
        actor: &Actor,
        patient: &PatientId,
        new: NewTask,
    ) -> Result<String, AppError> {
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Create, RESOURCE)
            .await?;
        let (made, keys) = self.insert_task(&mut tx, actor, patient, new).await?;
        self.live.commit(&self.store, tx, &keys).await?;
        Ok(made.id)
    }

    /// Checks and stores a new task in the caller's write transaction (access already decided),
    /// with its audit record; returns it and the live-update keys of its owners.
    pub(crate) async fn insert_task(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        patient: &PatientId,
        new: NewTask,
    ) -> Result<(Task, Vec<String>), AppError> {
        let now = self.now();
        let team = tx.care_team(patient).await?;
        let owner = task::owner_from_form(&team, new.owner.trim())?;
        let made = new.draft.check(
            (self.ids.new_id(), patient),
            owner,
            &actor.practitioner_id,
            now,
        )?;
        tx.insert_task(&made).await?;
        self.audit_change(
            tx,
            actor,
            patient,
            AuditAction::Create,
            (RESOURCE, &made.id, 1),
        )
        .await?;
        let keys = owner_keys(tx, &made).await?;
        Ok((made, keys))
    }

    /// Claims, completes or cancels a task.
    pub async fn change_task(
        &self,
        actor: &Actor,
        patient: &PatientId,
        id: &str,
        change: TaskChange,
    ) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let mut found = tx.task(patient, id).await?.ok_or_else(|| {
            AppError::NotFound("There is no such task for this patient.".to_owned())
        })?;
        let roles = tx.roles_in_team(patient, recipient_of(actor)).await?;
        let acting = actor.acting_role().map(|r| &r.organisation_id);
        let mut keys = owner_keys(&mut tx, &found).await?;
        match change {
            TaskChange::Claim => found.claim(&actor.practitioner_id, (acting, &roles), now)?,
            TaskChange::Done => found.close(
                TaskStatus::Done,
                &actor.practitioner_id,
                (acting, &roles),
                now,
            )?,
            TaskChange::Cancel => found.close(
                TaskStatus::Cancelled,
                &actor.practitioner_id,
                (acting, &roles),
                now,
            )?,
        }
        if !tx.update_task(&found).await? {
            return Err(AppError::Conflict(
                "A colleague changed this task at the same moment: reload to see it.".to_owned(),
            ));
        }
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Update,
            (RESOURCE, &found.id, found.version),
        )
        .await?;
        keys.push(format!("p:{}", found.created_by));
        self.live.commit(&self.store, tx, &keys).await
    }

    /// The actor's open tasks, and those of their service and roles that they can claim. Only
    /// patients the actor may still read as a care-team member are listed.
    pub async fn my_tasks(&self, actor: &Actor) -> Result<MyTasks, AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let reader = recipient_of(actor);
        let mut mine = tx.my_tasks(reader).await?;
        let mut team = tx.team_tasks(reader).await?;
        let patients = mine
            .iter()
            .chain(team.iter())
            .map(|l| l.task.patient_id.clone())
            .collect();
        let readable = access::readable_in_team(&mut tx, actor, patients, now).await?;
        mine.retain(|l| readable.contains(&l.task.patient_id));
        team.retain(|l| readable.contains(&l.task.patient_id));
        Ok(MyTasks { mine, team })
    }
}

/// The live-update keys of a task's owners: the person, the service, or everyone holding the
/// role in the patient's team.
pub(crate) async fn owner_keys(tx: &mut Tx, t: &Task) -> Result<Vec<String>, AppError> {
    Ok(match &t.owner {
        TaskOwner::Person(p) => vec![format!("p:{p}")],
        TaskOwner::Service(o) => vec![format!("o:{o}")],
        TaskOwner::Role(role) => tx
            .care_team(&t.patient_id)
            .await?
            .iter()
            .filter(|m| m.is_active() && m.role == *role)
            .map(|m| crate::live::key_of(&m.member))
            .collect(),
    })
}
