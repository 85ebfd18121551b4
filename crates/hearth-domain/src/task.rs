//! Tasks and follow-up: every action agreed about a patient has a title, an owner (a person, a
//! role in the care team, or a whole service), a due time, a status and where it came from. A
//! task owned by a role or a service is claimed by one of its members; an open task past its due
//! time escalates once. See `docs/design/tasks.md`.

use jiff::{SignedDuration, Timestamp};

use crate::care_team::{CareTeamMember, CareTeamRole, Member};
use crate::{OrganisationId, PatientId, PractitionerId, ValidationError};

crate::coded_enum! {
    /// Where a task stands.
    pub enum TaskStatus {
        Open => ("open", "Open"),
        Done => ("done", "Done"),
        Cancelled => ("cancelled", "Cancelled"),
    }
}

crate::coded_enum! {
    /// Where a task came from.
    pub enum TaskSource {
        Message => ("message", "A conversation"),
        PlanReview => ("plan-review", "A care plan review"),
        Meeting => ("meeting", "A meeting"),
        Other => ("other", "Agreed otherwise"),
    }
}

/// The longest title, in characters.
pub const MAX_TITLE: usize = 200;

/// How far ahead a task may be due.
pub const MAX_AHEAD: SignedDuration = SignedDuration::from_hours(24 * 366);

/// Who is responsible for a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskOwner {
    Person(PractitionerId),
    Service(OrganisationId),
    /// Everyone in the patient's care team holding this role, until one of them claims it.
    Role(CareTeamRole),
}

impl TaskOwner {
    /// The stored kind and id.
    pub fn parts(&self) -> (&'static str, &str) {
        match self {
            TaskOwner::Person(id) => ("practitioner", id.as_str()),
            TaskOwner::Service(id) => ("service", id.as_str()),
            TaskOwner::Role(role) => ("role", role.code()),
        }
    }

    /// The owner from its stored kind and id.
    pub fn from_parts(kind: &str, id: &str) -> Option<Self> {
        match kind {
            "practitioner" => Some(TaskOwner::Person(PractitionerId::new(id))),
            "service" => Some(TaskOwner::Service(OrganisationId::new(id))),
            "role" => CareTeamRole::from_code(id).map(TaskOwner::Role),
            _ => None,
        }
    }

    /// Whether the owner is a group that a member claims the task from.
    pub fn is_shared(&self) -> bool {
        !matches!(self, TaskOwner::Person(_))
    }
}

/// Parses an owner chosen on a form (`member:ID` of an active team member, or `role:CODE` of a
/// role someone in the team holds) against the patient's team.
pub fn owner_from_form(team: &[CareTeamMember], value: &str) -> Result<TaskOwner, ValidationError> {
    let bad = || {
        ValidationError::new(
            "owner",
            "Choose who will do this: a person, a service or a role in the care team.",
        )
    };
    let active = || team.iter().filter(|m| m.is_active());
    match value.split_once(':') {
        Some(("member", id)) => {
            let member = active().find(|m| m.id == id).ok_or_else(bad)?;
            Ok(match &member.member {
                Member::Practitioner(p) => TaskOwner::Person(p.clone()),
                Member::Service(o) => TaskOwner::Service(o.clone()),
            })
        }
        Some(("role", code)) => {
            let role = CareTeamRole::from_code(code).ok_or_else(bad)?;
            if active().any(|m| m.role == role) {
                Ok(TaskOwner::Role(role))
            } else {
                Err(ValidationError::new(
                    "owner",
                    "Nobody in the care team holds that role; choose a person or service.",
                ))
            }
        }
        _ => Err(bad()),
    }
}

/// One task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: String,
    pub patient_id: PatientId,
    pub title: String,
    pub owner: TaskOwner,
    pub due_at: Timestamp,
    pub status: TaskStatus,
    pub source: TaskSource,
    /// The conversation (or later the meeting) the task came from.
    pub source_ref: Option<String>,
    pub created_by: PractitionerId,
    pub created_at: Timestamp,
    /// Who claimed it from a role or a service, and when.
    pub claimed: Option<(PractitionerId, Timestamp)>,
    pub closed: Option<(PractitionerId, Timestamp)>,
    pub escalated_at: Option<Timestamp>,
    pub version: i64,
}

/// A task as typed.
#[derive(Debug, Clone, Default)]
pub struct TaskDraft {
    pub title: String,
    pub due_at: Option<Timestamp>,
    pub source: String,
    pub source_ref: Option<String>,
}

impl TaskDraft {
    /// Checks the draft and makes task `id` for `owner`.
    pub fn check(
        &self,
        (id, patient): (String, &PatientId),
        owner: TaskOwner,
        created_by: &PractitionerId,
        now: Timestamp,
    ) -> Result<Task, ValidationError> {
        let title = crate::error::required_text("title", "The task", &self.title, MAX_TITLE)?;
        let due_at = self.due_at.ok_or_else(|| {
            ValidationError::new("due_at", "Say by when it must be done (date and time).")
        })?;
        if due_at <= now {
            return Err(ValidationError::new(
                "due_at",
                "The due time has already passed: choose a time later than now.",
            ));
        }
        if due_at.duration_since(now) > MAX_AHEAD {
            return Err(ValidationError::new(
                "due_at",
                "A task is due within a year; plan what comes later at a review.",
            ));
        }
        let source = match self.source.trim() {
            "" => TaskSource::Other,
            code => TaskSource::from_code(code)
                .ok_or_else(|| ValidationError::new("source", "Say where the task came from."))?,
        };
        Ok(Task {
            id,
            patient_id: patient.clone(),
            title,
            owner,
            due_at,
            status: TaskStatus::Open,
            source,
            source_ref: self.source_ref.clone(),
            created_by: created_by.clone(),
            created_at: now,
            claimed: None,
            closed: None,
            escalated_at: None,
            version: 1,
        })
    }
}

impl Task {
    /// Whether the task is open past its due time at `now`.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.status == TaskStatus::Open && self.due_at <= now
    }

    /// Whether an overdue task escalates at `now`: once, to the owner's service and the
    /// coordinator.
    pub fn escalates(&self, now: Timestamp) -> bool {
        self.is_overdue(now) && self.escalated_at.is_none()
    }

    /// Whether someone is among the task's owners: the person, a member of the service (acting
    /// for it), or holding the role in this patient's team.
    pub fn owned_by(
        &self,
        person: &PractitionerId,
        acting_for: Option<&OrganisationId>,
        roles_in_team: &[CareTeamRole],
    ) -> bool {
        match &self.owner {
            TaskOwner::Person(p) => p == person,
            TaskOwner::Service(o) => acting_for == Some(o),
            TaskOwner::Role(r) => roles_in_team.contains(r),
        }
    }

    /// A member of the owning role or service takes the task on: it becomes theirs.
    pub fn claim(
        &mut self,
        person: &PractitionerId,
        (acting_for, roles_in_team): (Option<&OrganisationId>, &[CareTeamRole]),
        now: Timestamp,
    ) -> Result<(), ValidationError> {
        if self.status != TaskStatus::Open {
            return Err(ValidationError::new("task", "This task is no longer open."));
        }
        if !self.owner.is_shared() {
            return Err(ValidationError::new(
                "task",
                "This task already has a named owner.",
            ));
        }
        if !self.owned_by(person, acting_for, roles_in_team) {
            return Err(ValidationError::new(
                "task",
                "Only a member of the role or service it is assigned to can claim this task.",
            ));
        }
        self.owner = TaskOwner::Person(person.clone());
        self.claimed = Some((person.clone(), now));
        self.version += 1;
        Ok(())
    }

    /// Marks the task done (or cancelled), by anyone among its owners or its author.
    pub fn close(
        &mut self,
        status: TaskStatus,
        person: &PractitionerId,
        (acting_for, roles_in_team): (Option<&OrganisationId>, &[CareTeamRole]),
        now: Timestamp,
    ) -> Result<(), ValidationError> {
        if status == TaskStatus::Open {
            return Err(ValidationError::new("status", "Choose done or cancelled."));
        }
        if self.status != TaskStatus::Open {
            return Err(ValidationError::new("task", "This task is no longer open."));
        }
        if !self.owned_by(person, acting_for, roles_in_team) && &self.created_by != person {
            return Err(ValidationError::new(
                "task",
                "Only the task's owner, or whoever set it, can close it.",
            ));
        }
        self.status = status;
        self.closed = Some((person.clone(), now));
        self.version += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
