//! The meeting tables: `meetings`, `meeting_participants`, `meeting_items` (the agenda, with
//! discussion notes) and `meeting_decisions` (`hearth_domain::meeting`). A meeting's actions are
//! tasks whose source is the meeting.

use hearth_domain::care_plan::Section;
use hearth_domain::meeting::{
    Decision, Meeting, MeetingKind, MeetingMode, MeetingStatus, Participant, ReviewCandidate,
};
use hearth_domain::organisation::OrganisationKind;
use hearth_domain::practitioner::{PractitionerRole, Profession};
use hearth_domain::register::{GeneralIndicator, split_codes};
use hearth_domain::{OrganisationId, PatientId, PractitionerId, PractitionerRoleId};
use jiff::Timestamp;
use sqlx::any::AnyRow;

use crate::conversations::Recipient;
use crate::rows::{code, flag, integer, millis, optional_integer, optional_text, text, timestamp};
use crate::{StoreError, Tx};

const MEETING_COLUMNS: &str = "m.id, m.kind, m.title, m.mode, m.starts_at, m.minutes, m.place, \
     m.organisation_id, m.organiser, m.status, m.created_at, m.version";

const DECISION_COLUMNS: &str = "d.id, d.meeting_id, d.patient_id, d.body, d.plan_section, \
     d.section_version, d.plan_version, d.recorded_by, d.recorded_at";

/// One patient on a meeting's agenda, with their name and the discussion notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    pub patient_id: PatientId,
    pub patient_name: String,
    pub position: i64,
    pub notes: String,
    /// Who last wrote the notes, and when.
    pub noted: Option<(PractitionerId, Timestamp)>,
}

fn meeting_from_row(row: &AnyRow) -> Result<Meeting, StoreError> {
    Ok(Meeting {
        id: text(row, "id")?,
        kind: code(row, "kind", MeetingKind::from_code)?,
        title: text(row, "title")?,
        mode: code(row, "mode", MeetingMode::from_code)?,
        starts_at: timestamp(row, "starts_at")?,
        minutes: integer(row, "minutes")?,
        place: text(row, "place")?,
        organisation_id: OrganisationId::new(text(row, "organisation_id")?),
        organiser: PractitionerId::new(text(row, "organiser")?),
        status: code(row, "status", MeetingStatus::from_code)?,
        created_at: timestamp(row, "created_at")?,
        version: integer(row, "version")?,
    })
}

fn participant_from_row(row: &AnyRow) -> Result<Participant, StoreError> {
    Ok(Participant {
        role_id: PractitionerRoleId::new(text(row, "role_id")?),
        practitioner_id: PractitionerId::new(text(row, "practitioner_id")?),
        organisation_id: OrganisationId::new(text(row, "organisation_id")?),
        profession: code(row, "profession", Profession::from_code)?,
        specialist: flag(row, "specialist")?,
        invited: flag(row, "invited")?,
        attended: flag(row, "attended")?,
    })
}

fn decision_from_row(row: &AnyRow) -> Result<Decision, StoreError> {
    let plan_section = match optional_text(row, "plan_section")? {
        None => None,
        Some(c) => Some(Section::from_code(&c).ok_or_else(|| {
            StoreError::Corrupt(format!("a meeting decision names plan section '{c}'"))
        })?),
    };
    let plan_version = match (
        optional_integer(row, "section_version")?,
        optional_integer(row, "plan_version")?,
    ) {
        (Some(s), Some(p)) => Some((s, p)),
        _ => None,
    };
    Ok(Decision {
        id: text(row, "id")?,
        meeting_id: text(row, "meeting_id")?,
        patient_id: PatientId::new(text(row, "patient_id")?),
        text: text(row, "body")?,
        plan_section,
        plan_version,
        recorded_by: PractitionerId::new(text(row, "recorded_by")?),
        recorded_at: timestamp(row, "recorded_at")?,
    })
}

impl Tx {
    /// Stores a new meeting.
    pub async fn insert_meeting(&mut self, m: &Meeting) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO meetings (id, kind, title, mode, starts_at, minutes, place, \
             organisation_id, organiser, status, created_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(m.id.as_str())
        .bind(m.kind.code())
        .bind(m.title.as_str())
        .bind(m.mode.code())
        .bind(millis(m.starts_at))
        .bind(m.minutes)
        .bind(m.place.as_str())
        .bind(m.organisation_id.as_str())
        .bind(m.organiser.as_str())
        .bind(m.status.code())
        .bind(millis(m.created_at))
        .bind(m.version)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Writes a changed meeting's status if it is still at `version - 1`; false when a colleague
    /// changed it first (nothing is written).
    pub async fn update_meeting(&mut self, m: &Meeting) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE meetings SET status = $2, version = $3 WHERE id = $1 AND version = $4",
        )
        .bind(m.id.as_str())
        .bind(m.status.code())
        .bind(m.version)
        .bind(m.version - 1)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// One meeting.
    pub async fn meeting(&mut self, id: &str) -> Result<Option<Meeting>, StoreError> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings m WHERE m.id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *self.inner)
            .await?
            .as_ref()
            .map(meeting_from_row)
            .transpose()
    }

    /// The meetings a reader takes part in: those they organise or are a participant of, and
    /// those of the organisation they act for; from `from` on, soonest first.
    pub async fn meetings_for(
        &mut self,
        reader: Recipient<'_>,
        from: Timestamp,
        limit: u32,
    ) -> Result<Vec<Meeting>, StoreError> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings m WHERE m.starts_at >= $3 AND \
             (m.organiser = $1 OR m.organisation_id = $2 OR EXISTS (SELECT 1 FROM \
             meeting_participants x WHERE x.meeting_id = m.id AND x.practitioner_id = $1)) \
             ORDER BY m.starts_at, m.id LIMIT $4"
        );
        sqlx::query(&sql)
            .bind(reader.practitioner.as_str())
            .bind(reader.organisation.map_or("", |o| o.as_str()))
            .bind(millis(from))
            .bind(i64::from(limit))
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(meeting_from_row)
            .collect()
    }

    /// Adds a participant; false when they are one already (nothing changes).
    pub async fn insert_participant(
        &mut self,
        meeting: &str,
        p: &Participant,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO meeting_participants (meeting_id, role_id, practitioner_id, \
             organisation_id, profession, specialist, invited, attended) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (meeting_id, role_id) DO NOTHING",
        )
        .bind(meeting)
        .bind(p.role_id.as_str())
        .bind(p.practitioner_id.as_str())
        .bind(p.organisation_id.as_str())
        .bind(p.profession.code())
        .bind(p.specialist)
        .bind(p.invited)
        .bind(p.attended)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A meeting's participants, by role id (the page lists invited and attending ones).
    pub async fn participants(&mut self, meeting: &str) -> Result<Vec<Participant>, StoreError> {
        sqlx::query(
            "SELECT role_id, practitioner_id, organisation_id, profession, specialist, invited, \
             attended FROM meeting_participants WHERE meeting_id = $1 ORDER BY role_id",
        )
        .bind(meeting)
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(participant_from_row)
        .collect()
    }

    /// Writes who attended.
    pub async fn set_attendance(
        &mut self,
        meeting: &str,
        participants: &[Participant],
    ) -> Result<(), StoreError> {
        for p in participants {
            sqlx::query(
                "UPDATE meeting_participants SET attended = $3 \
                 WHERE meeting_id = $1 AND role_id = $2",
            )
            .bind(meeting)
            .bind(p.role_id.as_str())
            .bind(p.attended)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }

    /// A current role with the kind of its organisation, to invite someone in it.
    pub async fn role_to_invite(
        &mut self,
        role: &PractitionerRoleId,
    ) -> Result<Option<(PractitionerRole, OrganisationKind)>, StoreError> {
        let row = sqlx::query(
            "SELECT r.id, r.practitioner_id, r.organisation_id, r.profession, r.specialist, \
             r.phone, r.email, r.competencies, r.working_pattern, r.created_at, r.updated_at, \
             r.version, o.kind AS organisation_kind FROM practitioner_roles r \
             JOIN organisations o ON o.id = r.organisation_id \
             WHERE r.id = $1 AND r.ended_at IS NULL",
        )
        .bind(role.as_str())
        .fetch_optional(&mut *self.inner)
        .await?;
        row.as_ref()
            .map(|row| {
                Ok((
                    crate::practitioners::role_from_row(row)?,
                    code(row, "organisation_kind", OrganisationKind::from_code)?,
                ))
            })
            .transpose()
    }

    /// Puts a patient on a meeting's agenda at `position`; false when they are on it already.
    pub async fn insert_agenda_item(
        &mut self,
        meeting: &str,
        patient: &PatientId,
        position: i64,
        (by, at): (&PractitionerId, Timestamp),
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO meeting_items (meeting_id, patient_id, position, notes, notes_by, \
             notes_at, added_by, added_at) VALUES ($1, $2, $3, '', NULL, NULL, $4, $5) \
             ON CONFLICT (meeting_id, patient_id) DO NOTHING",
        )
        .bind(meeting)
        .bind(patient.as_str())
        .bind(position)
        .bind(by.as_str())
        .bind(millis(at))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A meeting's agenda, in order.
    pub async fn agenda(&mut self, meeting: &str) -> Result<Vec<AgendaItem>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.patient_id, i.position, i.notes, i.notes_by, i.notes_at, p.given_name, \
             p.family_name FROM meeting_items i JOIN patients p ON p.id = i.patient_id \
             WHERE i.meeting_id = $1 ORDER BY i.position, i.patient_id",
        )
        .bind(meeting)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AgendaItem {
                    patient_id: PatientId::new(text(row, "patient_id")?),
                    patient_name: hearth_domain::patient::list_name(
                        &text(row, "family_name")?,
                        &text(row, "given_name")?,
                    ),
                    position: integer(row, "position")?,
                    notes: text(row, "notes")?,
                    noted: match (
                        optional_text(row, "notes_by")?,
                        crate::rows::optional_timestamp(row, "notes_at")?,
                    ) {
                        (Some(p), Some(at)) => Some((PractitionerId::new(p), at)),
                        _ => None,
                    },
                })
            })
            .collect()
    }

    /// Whether `patient` is on the meeting's agenda.
    pub async fn is_on_agenda(
        &mut self,
        meeting: &str,
        patient: &PatientId,
    ) -> Result<bool, StoreError> {
        Ok(
            sqlx::query("SELECT 1 FROM meeting_items WHERE meeting_id = $1 AND patient_id = $2")
                .bind(meeting)
                .bind(patient.as_str())
                .fetch_optional(&mut *self.inner)
                .await?
                .is_some(),
        )
    }

    /// Replaces a patient's discussion notes; false when the patient is not on the agenda.
    pub async fn set_agenda_notes(
        &mut self,
        meeting: &str,
        patient: &PatientId,
        notes: &str,
        (by, at): (&PractitionerId, Timestamp),
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE meeting_items SET notes = $3, notes_by = $4, notes_at = $5 \
             WHERE meeting_id = $1 AND patient_id = $2",
        )
        .bind(meeting)
        .bind(patient.as_str())
        .bind(notes)
        .bind(by.as_str())
        .bind(millis(at))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The patients on an organisation's register, for a register review (in no order: the
    /// domain orders them).
    pub async fn review_candidates(
        &mut self,
        organisation: &OrganisationId,
    ) -> Result<Vec<ReviewCandidate>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.patient_id, r.general_indicators, p.given_name, p.family_name, \
             cp.missing FROM register_entries r JOIN patients p ON p.id = r.patient_id \
             LEFT JOIN care_plans cp ON cp.patient_id = r.patient_id \
             WHERE r.organisation_id = $1 AND r.status = 'active'",
        )
        .bind(organisation.as_str())
        .fetch_all(&mut *self.inner)
        .await?;
        rows.iter()
            .map(|row| {
                let indicators = text(row, "general_indicators")?;
                let indicators =
                    split_codes(&indicators, GeneralIndicator::from_code).ok_or_else(|| {
                        StoreError::Corrupt(format!(
                            "a register entry's general indicators are '{indicators}'"
                        ))
                    })?;
                Ok(ReviewCandidate {
                    patient_id: PatientId::new(text(row, "patient_id")?),
                    list_name: hearth_domain::patient::list_name(
                        &text(row, "family_name")?,
                        &text(row, "given_name")?,
                    ),
                    not_ready: optional_text(row, "missing")?.is_none_or(|m| !m.is_empty()),
                    deteriorating: indicators.contains(&GeneralIndicator::PoorPerformanceStatus),
                })
            })
            .collect()
    }

    /// Stores a decision.
    pub async fn insert_decision(&mut self, d: &Decision) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO meeting_decisions (id, meeting_id, patient_id, body, plan_section, \
             section_version, plan_version, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, $7)",
        )
        .bind(d.id.as_str())
        .bind(d.meeting_id.as_str())
        .bind(d.patient_id.as_str())
        .bind(d.text.as_str())
        .bind(d.plan_section.map(|s| s.code()))
        .bind(d.recorded_by.as_str())
        .bind(millis(d.recorded_at))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// A meeting's decisions, oldest first.
    pub async fn decisions(&mut self, meeting: &str) -> Result<Vec<Decision>, StoreError> {
        let sql = format!(
            "SELECT {DECISION_COLUMNS} FROM meeting_decisions d WHERE d.meeting_id = $1 \
             ORDER BY d.recorded_at, d.id"
        );
        sqlx::query(&sql)
            .bind(meeting)
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(decision_from_row)
            .collect()
    }

    /// One decision about a patient.
    pub async fn decision(
        &mut self,
        patient: &PatientId,
        id: &str,
    ) -> Result<Option<Decision>, StoreError> {
        let sql = format!(
            "SELECT {DECISION_COLUMNS} FROM meeting_decisions d WHERE d.id = $1 AND d.patient_id = $2"
        );
        sqlx::query(&sql)
            .bind(id)
            .bind(patient.as_str())
            .fetch_optional(&mut *self.inner)
            .await?
            .as_ref()
            .map(decision_from_row)
            .transpose()
    }

    /// Links a decision to the plan version that carries it; false when it was linked already.
    pub async fn link_decision(
        &mut self,
        id: &str,
        (section_version, plan_version): (i64, i64),
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE meeting_decisions SET section_version = $2, plan_version = $3 \
             WHERE id = $1 AND plan_version IS NULL",
        )
        .bind(id)
        .bind(section_version)
        .bind(plan_version)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
