//! The `tasks` table: actions about a patient with an owner and a due time
//! (`hearth_domain::task`).

use hearth_domain::task::{Task, TaskOwner, TaskSource, TaskStatus};
use hearth_domain::{PatientId, PractitionerId};
use jiff::Timestamp;
use sqlx::any::AnyRow;

use crate::conversations::Recipient;
use crate::rows::{code, integer, millis, optional_text, optional_timestamp, text, timestamp};
use crate::{StoreError, Tx};

const COLUMNS: &str = "t.id, t.patient_id, t.title, t.owner_kind, t.owner_id, t.due_at, t.status, \
     t.source, t.source_ref, t.created_by, t.created_at, t.claimed_by, t.claimed_at, t.closed_by, \
     t.closed_at, t.escalated_at, t.version";

/// A task with the patient's name, for lists across patients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskLine {
    pub task: Task,
    pub patient_name: String,
}

fn stamped(
    row: &AnyRow,
    who: &str,
    when: &str,
) -> Result<Option<(PractitionerId, Timestamp)>, StoreError> {
    Ok(
        match (optional_text(row, who)?, optional_timestamp(row, when)?) {
            (Some(p), Some(at)) => Some((PractitionerId::new(p), at)),
            _ => None,
        },
    )
}

fn task_from_row(row: &AnyRow) -> Result<Task, StoreError> {
    let kind = text(row, "owner_kind")?;
    let id = text(row, "owner_id")?;
    Ok(Task {
        id: text(row, "id")?,
        patient_id: PatientId::new(text(row, "patient_id")?),
        title: text(row, "title")?,
        owner: TaskOwner::from_parts(&kind, &id)
            .ok_or_else(|| StoreError::Corrupt(format!("a task's owner is '{kind}:{id}'")))?,
        due_at: timestamp(row, "due_at")?,
        status: code(row, "status", TaskStatus::from_code)?,
        source: code(row, "source", TaskSource::from_code)?,
        source_ref: optional_text(row, "source_ref")?,
        created_by: PractitionerId::new(text(row, "created_by")?),
        created_at: timestamp(row, "created_at")?,
        claimed: stamped(row, "claimed_by", "claimed_at")?,
        closed: stamped(row, "closed_by", "closed_at")?,
        escalated_at: optional_timestamp(row, "escalated_at")?,
        version: integer(row, "version")?,
    })
}

fn line_from_row(row: &AnyRow) -> Result<TaskLine, StoreError> {
    Ok(TaskLine {
        task: task_from_row(row)?,
        patient_name: hearth_domain::patient::list_name(
            &text(row, "family_name")?,
            &text(row, "given_name")?,
        ),
    })
}

impl Tx {
    /// Stores a task: a new one, or (an import) one with its claim, closing and escalation.
    pub async fn insert_task(&mut self, t: &Task) -> Result<(), StoreError> {
        let (kind, owner) = t.owner.parts();
        sqlx::query(
            "INSERT INTO tasks (id, patient_id, title, owner_kind, owner_id, due_at, status, \
             source, source_ref, created_by, created_at, claimed_by, claimed_at, closed_by, \
             closed_at, escalated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13, $14, $15, $16, $17, $12)",
        )
        .bind(t.id.as_str())
        .bind(t.patient_id.as_str())
        .bind(t.title.as_str())
        .bind(kind)
        .bind(owner)
        .bind(millis(t.due_at))
        .bind(t.status.code())
        .bind(t.source.code())
        .bind(t.source_ref.clone())
        .bind(t.created_by.as_str())
        .bind(millis(t.created_at))
        .bind(t.version)
        .bind(t.claimed.as_ref().map(|(p, _)| p.to_string()))
        .bind(t.claimed.as_ref().map(|(_, at)| millis(*at)))
        .bind(t.closed.as_ref().map(|(p, _)| p.to_string()))
        .bind(t.closed.as_ref().map(|(_, at)| millis(*at)))
        .bind(t.escalated_at.map(millis))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Writes a changed task if it is still at `version - 1`; false when a colleague changed it
    /// first (nothing is written).
    pub async fn update_task(&mut self, t: &Task) -> Result<bool, StoreError> {
        let (kind, owner) = t.owner.parts();
        let done = sqlx::query(
            "UPDATE tasks SET owner_kind = $2, owner_id = $3, status = $4, claimed_by = $5, \
             claimed_at = $6, closed_by = $7, closed_at = $8, version = $9 \
             WHERE id = $1 AND version = $10",
        )
        .bind(t.id.as_str())
        .bind(kind)
        .bind(owner)
        .bind(t.status.code())
        .bind(t.claimed.as_ref().map(|(p, _)| p.to_string()))
        .bind(t.claimed.as_ref().map(|(_, at)| millis(*at)))
        .bind(t.closed.as_ref().map(|(p, _)| p.to_string()))
        .bind(t.closed.as_ref().map(|(_, at)| millis(*at)))
        .bind(t.version)
        .bind(t.version - 1)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// One task of a patient.
    pub async fn task(
        &mut self,
        patient: &PatientId,
        id: &str,
    ) -> Result<Option<Task>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM tasks t WHERE t.id = $1 AND t.patient_id = $2");
        sqlx::query(&sql)
            .bind(id)
            .bind(patient.as_str())
            .fetch_optional(&mut *self.inner)
            .await?
            .as_ref()
            .map(task_from_row)
            .transpose()
    }

    /// A patient's tasks: open ones by due time, then closed ones, most recent first.
    pub async fn tasks_of(&mut self, patient: &PatientId) -> Result<Vec<Task>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM tasks t WHERE t.patient_id = $1 \
             ORDER BY CASE WHEN t.status = 'open' THEN 0 ELSE 1 END, \
             CASE WHEN t.status = 'open' THEN t.due_at ELSE -t.closed_at END, t.id"
        );
        sqlx::query(&sql)
            .bind(patient.as_str())
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(task_from_row)
            .collect()
    }

    /// The actions agreed in a meeting: tasks whose source is the meeting, by due time.
    pub async fn meeting_tasks(&mut self, meeting: &str) -> Result<Vec<Task>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM tasks t WHERE t.source = 'meeting' AND t.source_ref = $1 \
             ORDER BY t.due_at, t.id"
        );
        sqlx::query(&sql)
            .bind(meeting)
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(task_from_row)
            .collect()
    }

    /// Open tasks owned by the reader in person, by due time.
    pub async fn my_tasks(&mut self, reader: Recipient<'_>) -> Result<Vec<TaskLine>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS}, p.given_name, p.family_name FROM tasks t \
             JOIN patients p ON p.id = t.patient_id \
             WHERE t.owner_kind = 'practitioner' AND t.owner_id = $1 AND t.status = 'open' \
             ORDER BY t.due_at, t.id LIMIT 200"
        );
        sqlx::query(&sql)
            .bind(reader.practitioner.as_str())
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(line_from_row)
            .collect()
    }

    /// Open tasks the reader can claim: owned by the service they act for, or by a role they
    /// (or that service) hold in the patient's care team; by due time.
    pub async fn team_tasks(&mut self, reader: Recipient<'_>) -> Result<Vec<TaskLine>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS}, p.given_name, p.family_name FROM tasks t \
             JOIN patients p ON p.id = t.patient_id \
             WHERE t.status = 'open' AND ((t.owner_kind = 'service' AND t.owner_id = $2) \
             OR (t.owner_kind = 'role' AND EXISTS (SELECT 1 FROM care_team_members m \
                 WHERE m.patient_id = t.patient_id AND m.ended_on IS NULL AND m.role = t.owner_id \
                 AND (COALESCE(m.practitioner_id, '') = $1 OR COALESCE(m.organisation_id, '') = $2)))) \
             ORDER BY t.due_at, t.id LIMIT 200"
        );
        sqlx::query(&sql)
            .bind(reader.practitioner.as_str())
            .bind(reader.organisation.map_or("", |o| o.as_str()))
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(line_from_row)
            .collect()
    }

    /// Open tasks past their due time at `now` that have not escalated yet, oldest first.
    pub async fn tasks_due_for_escalation(
        &mut self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<Task>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM tasks t WHERE t.status = 'open' AND t.escalated_at IS NULL \
             AND t.due_at <= $1 ORDER BY t.due_at, t.id LIMIT $2"
        );
        sqlx::query(&sql)
            .bind(millis(now))
            .bind(i64::from(limit))
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(task_from_row)
            .collect()
    }

    /// Marks an overdue task escalated; false when it already was (by another node, say).
    pub async fn mark_task_escalated(
        &mut self,
        id: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE tasks SET escalated_at = $2 WHERE id = $1 AND escalated_at IS NULL",
        )
        .bind(id)
        .bind(millis(at))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The roles the reader (or the service they act for) holds in a patient's active team.
    pub async fn roles_in_team(
        &mut self,
        patient: &PatientId,
        reader: Recipient<'_>,
    ) -> Result<Vec<hearth_domain::care_team::CareTeamRole>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT role FROM care_team_members WHERE patient_id = $1 AND ended_on IS NULL \
             AND (COALESCE(practitioner_id, '') = $2 OR COALESCE(organisation_id, '') = $3)",
        )
        .bind(patient.as_str())
        .bind(reader.practitioner.as_str())
        .bind(reader.organisation.map_or("", |o| o.as_str()))
        .fetch_all(&mut *self.inner)
        .await?;
        rows.iter()
            .map(|row| {
                code(
                    row,
                    "role",
                    hearth_domain::care_team::CareTeamRole::from_code,
                )
            })
            .collect()
    }
}
