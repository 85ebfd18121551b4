//! Meetings about patients: case conferences, multidisciplinary team meetings, register reviews,
//! discharge planning meetings and debriefs. A meeting has a mode, a time, a place or link,
//! invited and attending participants from any organisation, and an agenda of patients; per
//! patient it holds discussion notes, decisions (which may update the shared plan) and actions
//! (which become tasks).
//!
//! The rules here: when a meeting counts as a case conference (`is_case_conference`), the order
//! of a register review's agenda (`review_order`), and what a meeting must have to be planned
//! (`MeetingDraft::check`). See `docs/design/meetings.md`.

use jiff::{SignedDuration, Timestamp};

use crate::care_plan::Section;
use crate::organisation::OrganisationKind;
use crate::practitioner::Profession;
use crate::{OrganisationId, PatientId, PractitionerId, PractitionerRoleId, ValidationError};

crate::coded_enum! {
    /// What kind of meeting it is.
    pub enum MeetingKind {
        CaseConference => ("case-conference", "Case conference"),
        Multidisciplinary => ("mdt", "Multidisciplinary team meeting"),
        RegisterReview => ("register-review", "Register review"),
        DischargePlanning => ("discharge-planning", "Discharge planning meeting"),
        Debrief => ("debrief", "Debrief after a difficult case"),
    }
}

crate::coded_enum! {
    /// How people meet.
    pub enum MeetingMode {
        InPerson => ("in-person", "In person"),
        Video => ("video", "Video call"),
        Phone => ("phone", "Phone conference"),
    }
}

crate::coded_enum! {
    /// Where a meeting stands.
    pub enum MeetingStatus {
        Planned => ("planned", "Planned"),
        Held => ("held", "Held"),
        Cancelled => ("cancelled", "Cancelled"),
    }
}

/// The longest title, in characters.
pub const MAX_TITLE: usize = 120;
/// The longest place or link, in characters.
pub const MAX_PLACE: usize = 300;
/// The longest discussion note or decision, in characters.
pub const MAX_NOTE: usize = 4000;
/// How far ahead a meeting may be planned.
pub const MAX_AHEAD: SignedDuration = SignedDuration::from_hours(24 * 366);
/// How far back a meeting that already happened may be recorded.
pub const MAX_BEHIND: SignedDuration = SignedDuration::from_hours(24 * 31);
/// The most participants a meeting may invite.
pub const MAX_PARTICIPANTS: usize = 60;
/// The most patients on one agenda (a large practice's register).
pub const MAX_AGENDA: usize = 400;

/// A meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub id: String,
    pub kind: MeetingKind,
    pub title: String,
    pub mode: MeetingMode,
    pub starts_at: Timestamp,
    pub minutes: i64,
    /// The room, or the link of a video call, or the dial-in of a phone conference.
    pub place: String,
    /// The organisation the meeting belongs to (for a register review: the practice whose
    /// register is reviewed).
    pub organisation_id: OrganisationId,
    pub organiser: PractitionerId,
    pub status: MeetingStatus,
    pub created_at: Timestamp,
    pub version: i64,
}

/// One participant, in the role they were invited in. Their profession and whether the role is
/// specialist palliative care are copied when they are invited, so that whether a meeting was a
/// case conference does not change when someone's roles change later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub role_id: PractitionerRoleId,
    pub practitioner_id: PractitionerId,
    pub organisation_id: OrganisationId,
    pub profession: Profession,
    /// The role is specialist palliative care (a specialist role, or one in a specialist
    /// palliative care service or a hospice).
    pub specialist: bool,
    pub invited: bool,
    pub attended: bool,
}

impl Participant {
    /// A participant in `role`, at an organisation of `kind`.
    pub fn in_role(
        role: &crate::practitioner::PractitionerRole,
        kind: OrganisationKind,
        invited: bool,
    ) -> Self {
        Participant {
            role_id: role.id.clone(),
            practitioner_id: role.practitioner_id.clone(),
            organisation_id: role.organisation_id.clone(),
            profession: role.profession,
            specialist: role.specialist
                || role.profession.is_palliative_specialist()
                || matches!(
                    kind,
                    OrganisationKind::SpecialistPalliativeCare | OrganisationKind::Hospice
                ),
            invited,
            attended: false,
        }
    }

    /// Whether this participant is a GP.
    pub fn is_gp(&self) -> bool {
        self.profession == Profession::GeneralPractitioner
    }
}

/// Whether the attendance makes a meeting a case conference: at least one GP and at least one
/// specialist palliative care member attended (two different people — a GP who also holds a
/// specialist role does not confer with themselves).
pub fn is_case_conference(participants: &[Participant]) -> bool {
    let attended = || participants.iter().filter(|p| p.attended);
    attended().any(|gp| {
        gp.is_gp()
            && attended()
                .any(|s| s.specialist && !s.is_gp() && s.practitioner_id != gp.practitioner_id)
    })
}

/// What a held meeting that was planned as a case conference lacked, in words (`None` when it
/// qualifies, or was not planned as one).
pub fn case_conference_shortfall(
    kind: MeetingKind,
    participants: &[Participant],
) -> Option<&'static str> {
    if kind != MeetingKind::CaseConference || is_case_conference(participants) {
        return None;
    }
    let gp = participants.iter().any(|p| p.attended && p.is_gp());
    let specialist = participants
        .iter()
        .any(|p| p.attended && p.specialist && !p.is_gp());
    Some(match (gp, specialist) {
        (false, false) => "Neither a GP nor a specialist palliative care member attended.",
        (false, true) => "No GP attended.",
        (true, false) => "No specialist palliative care member attended.",
        (true, true) => "The GP and the specialist must be two different people.",
    })
}

/// A patient who could go on a register review's agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewCandidate {
    pub patient_id: PatientId,
    /// The patient's name as lists sort it ("Carter, Edith").
    pub list_name: String,
    /// The plan lacks something the out-of-hours team needs.
    pub not_ready: bool,
    /// Recorded as deteriorating (see `docs/design/meetings.md` for where this comes from).
    pub deteriorating: bool,
}

/// The order a register review goes through the register: patients not ready for out of hours
/// first, then deteriorating ones, then everyone else; by name within each group (GSF: review
/// the most pressing first).
pub fn review_order(mut candidates: Vec<ReviewCandidate>) -> Vec<ReviewCandidate> {
    candidates.sort_by(|a, b| {
        (
            !a.not_ready,
            !a.deteriorating,
            a.list_name.to_lowercase(),
            &a.patient_id,
        )
            .cmp(&(
                !b.not_ready,
                !b.deteriorating,
                b.list_name.to_lowercase(),
                &b.patient_id,
            ))
    });
    candidates
}

/// A meeting as typed.
#[derive(Debug, Clone, Default)]
pub struct MeetingDraft {
    pub kind: String,
    pub title: String,
    pub mode: String,
    pub starts_at: Option<Timestamp>,
    pub minutes: String,
    pub place: String,
}

impl MeetingDraft {
    /// Checks the draft and makes meeting `id`, organised by `organiser` for `organisation`.
    pub fn check(
        &self,
        id: String,
        (organiser, organisation): (&PractitionerId, &OrganisationId),
        now: Timestamp,
    ) -> Result<Meeting, ValidationError> {
        let kind = MeetingKind::from_code(self.kind.trim())
            .ok_or_else(|| ValidationError::new("kind", "Choose the kind of meeting."))?;
        let mode = MeetingMode::from_code(self.mode.trim()).ok_or_else(|| {
            ValidationError::new("mode", "Choose how people meet: in person, video or phone.")
        })?;
        let title = match self.title.trim() {
            "" => kind.label().to_owned(),
            _ => crate::error::required_text("title", "The title", &self.title, MAX_TITLE)?,
        };
        let starts_at = self.starts_at.ok_or_else(|| {
            ValidationError::new("starts_at", "Say when the meeting is (date and time).")
        })?;
        if starts_at.duration_since(now) > MAX_AHEAD {
            return Err(ValidationError::new(
                "starts_at",
                "A meeting can be planned up to a year ahead.",
            ));
        }
        if now.duration_since(starts_at) > MAX_BEHIND {
            return Err(ValidationError::new(
                "starts_at",
                "A meeting more than a month ago cannot be recorded now; write what was agreed in the patients' records.",
            ));
        }
        let minutes = match self.minutes.trim() {
            "" => 60,
            text => text
                .parse::<i64>()
                .ok()
                .filter(|m| (5..=480).contains(m))
                .ok_or_else(|| {
                    ValidationError::new("minutes", "Give the length in minutes, from 5 to 480.")
                })?,
        };
        let place = self.place.trim();
        if place.chars().count() > MAX_PLACE {
            return Err(ValidationError::new(
                "place",
                "Keep the place or link to 300 characters.",
            ));
        }
        if place.is_empty() {
            return Err(ValidationError::new(
                "place",
                match mode {
                    MeetingMode::InPerson => "Say where the meeting is.",
                    MeetingMode::Video => "Give the link of the video call.",
                    MeetingMode::Phone => "Give the number to dial in.",
                },
            ));
        }
        Ok(Meeting {
            id,
            kind,
            title,
            mode,
            starts_at,
            minutes,
            place: place.to_owned(),
            organisation_id: organisation.clone(),
            organiser: organiser.clone(),
            status: MeetingStatus::Planned,
            created_at: now,
            version: 1,
        })
    }
}

impl Meeting {
    /// When the meeting ends.
    pub fn ends_at(&self) -> Timestamp {
        self.starts_at
            .checked_add(SignedDuration::from_mins(self.minutes))
            .unwrap_or(self.starts_at)
    }

    /// Records who attended: the meeting is then held. Attendance can be corrected later; a
    /// cancelled meeting, or one that has not started yet, takes none.
    pub fn record_attendance(
        &mut self,
        participants: &mut [Participant],
        attended: &[PractitionerRoleId],
        now: Timestamp,
    ) -> Result<(), ValidationError> {
        if self.status == MeetingStatus::Cancelled {
            return Err(ValidationError::new(
                "attended",
                "This meeting was cancelled.",
            ));
        }
        if self.starts_at > now {
            return Err(ValidationError::new(
                "attended",
                "Attendance is recorded once the meeting has started.",
            ));
        }
        if attended.is_empty() {
            return Err(ValidationError::new(
                "attended",
                "Tick everyone who attended (at least one person).",
            ));
        }
        if let Some(unknown) = attended
            .iter()
            .find(|id| !participants.iter().any(|p| &p.role_id == *id))
        {
            return Err(ValidationError::new(
                "attended",
                format!("{unknown} is not a participant: add them first."),
            ));
        }
        for p in participants.iter_mut() {
            p.attended = attended.contains(&p.role_id);
        }
        self.status = MeetingStatus::Held;
        self.version += 1;
        Ok(())
    }

    /// Cancels a planned meeting (only its organiser does).
    pub fn cancel(&mut self, by: &PractitionerId) -> Result<(), ValidationError> {
        if &self.organiser != by {
            return Err(ValidationError::new(
                "meeting",
                "Only the organiser can cancel the meeting.",
            ));
        }
        if self.status != MeetingStatus::Planned {
            return Err(ValidationError::new(
                "meeting",
                "Only a planned meeting can be cancelled.",
            ));
        }
        self.status = MeetingStatus::Cancelled;
        self.version += 1;
        Ok(())
    }

    /// Whether notes, decisions and actions can be recorded: from the start of the meeting on,
    /// unless it was cancelled.
    pub fn takes_minutes(&self, now: Timestamp) -> Result<(), ValidationError> {
        if self.status == MeetingStatus::Cancelled {
            return Err(ValidationError::new(
                "meeting",
                "This meeting was cancelled: nothing can be recorded in it.",
            ));
        }
        if self.starts_at.duration_since(now) > SignedDuration::from_mins(15) {
            return Err(ValidationError::new(
                "meeting",
                "The meeting has not started yet: record notes and decisions when it is held.",
            ));
        }
        Ok(())
    }
}

/// A decision about a patient made in a meeting; when it changes the shared plan, the section
/// it changes and, once saved, the section version and plan version that carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub id: String,
    pub meeting_id: String,
    pub patient_id: PatientId,
    pub text: String,
    pub plan_section: Option<Section>,
    /// (section version, plan version) once the plan was updated.
    pub plan_version: Option<(i64, i64)>,
    pub recorded_by: PractitionerId,
    pub recorded_at: Timestamp,
}

impl Decision {
    /// Checks a decision as typed: its words, and the plan section it changes (a section code,
    /// or empty).
    pub fn check(
        (id, meeting_id, patient): (String, &str, &PatientId),
        text: &str,
        section: &str,
        by: &PractitionerId,
        now: Timestamp,
    ) -> Result<Decision, ValidationError> {
        let text = crate::error::required_long_text("decision", "The decision", text, MAX_NOTE)?;
        let plan_section = match section.trim() {
            "" => None,
            code => Some(Section::from_code(code).ok_or_else(|| {
                ValidationError::new("section", "Choose the plan section the decision changes.")
            })?),
        };
        Ok(Decision {
            id,
            meeting_id: meeting_id.to_owned(),
            patient_id: patient.clone(),
            text,
            plan_section,
            plan_version: None,
            recorded_by: by.clone(),
            recorded_at: now,
        })
    }

    /// Whether the decision still waits for its plan change to be saved.
    pub fn awaits_plan(&self) -> bool {
        self.plan_section.is_some() && self.plan_version.is_none()
    }
}

#[cfg(test)]
mod tests;
