//! The care team around a patient: who is in it (people and whole services), in which role, with
//! which responsibilities — and exactly one named coordinator. Changing the coordinator is a
//! handover that the proposed coordinator accepts; until then the current one stays responsible.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::{OrganisationId, PatientId, PractitionerId, ValidationError};

crate::coded_enum! {
    /// A member's role in this patient's care.
    pub enum CareTeamRole {
        GeneralPractitioner => ("gp", "GP"),
        DistrictNurse => ("district-nurse", "District nurse"),
        OncologyNurse => ("oncology-nurse", "Oncology / cancer nurse"),
        SpecialistPalliativeNurse => ("specialist-palliative-nurse", "Specialist palliative care nurse"),
        PalliativeMedicinePhysician => ("palliative-physician", "Palliative medicine physician"),
        Oncologist => ("oncologist", "Oncologist"),
        Physiotherapist => ("physiotherapist", "Physiotherapist"),
        OccupationalTherapist => ("occupational-therapist", "Occupational therapist"),
        CareHomeNurse => ("care-home-nurse", "Care-home nurse"),
        SocialWorker => ("social-worker", "Social worker"),
        Pharmacist => ("pharmacist", "Pharmacist"),
        OutOfHoursService => ("out-of-hours", "Out-of-hours service"),
        Other => ("other", "Other"),
    }
}

impl CareTeamRole {
    /// The care team role a profession usually takes.
    pub fn usual_for(profession: crate::practitioner::Profession) -> Self {
        use crate::practitioner::Profession as P;
        match profession {
            P::GeneralPractitioner => Self::GeneralPractitioner,
            P::DistrictNurse | P::CommunityNurse => Self::DistrictNurse,
            P::OncologyNurse => Self::OncologyNurse,
            P::SpecialistPalliativeNurse => Self::SpecialistPalliativeNurse,
            P::PalliativeMedicinePhysician => Self::PalliativeMedicinePhysician,
            P::Oncologist => Self::Oncologist,
            P::Physiotherapist => Self::Physiotherapist,
            P::OccupationalTherapist => Self::OccupationalTherapist,
            P::CareHomeNurse => Self::CareHomeNurse,
            P::SocialWorker => Self::SocialWorker,
            P::Pharmacist => Self::Pharmacist,
            P::OutOfHoursDoctor | P::OnCallNurse => Self::OutOfHoursService,
            _ => Self::Other,
        }
    }
}

crate::coded_enum! {
    /// What a member is responsible for: the columns of the responsibility matrix.
    pub enum Responsibility {
        Coordination => ("coordination", "Coordination"),
        Prescribing => ("prescribing", "Prescribing"),
        AnticipatoryMedicines => ("anticipatory-medicines", "Anticipatory medicines"),
        SymptomManagement => ("symptom-management", "Symptom management"),
        HomeVisits => ("home-visits", "Home visits"),
        Equipment => ("equipment", "Equipment"),
        CarerSupport => ("carer-support", "Carer support"),
        AdvanceCarePlanning => ("advance-care-planning", "Advance care planning conversations"),
        PsychologicalSpiritual => ("psychological-spiritual", "Psychological / spiritual support"),
        Bereavement => ("bereavement", "Bereavement follow-up"),
    }
}

crate::coded_enum! {
    /// Where a coordinator handover stands.
    pub enum HandoverState {
        Proposed => ("proposed", "Waiting for acceptance"),
        Accepted => ("accepted", "Accepted"),
        Declined => ("declined", "Declined"),
        Withdrawn => ("withdrawn", "Withdrawn"),
    }
}

/// Who a member is: a named practitioner, or a whole service.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Member {
    Practitioner(PractitionerId),
    Service(OrganisationId),
}

/// One member of a patient's care team.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CareTeamMember {
    pub id: String,
    pub patient_id: PatientId,
    pub member: Member,
    pub role: CareTeamRole,
    pub responsibilities: Vec<Responsibility>,
    pub coordinator: bool,
    pub started_on: Date,
    pub ended_on: Option<Date>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// An active member of patient `p-1` since 1 January 2026, for the domain's tests.
#[cfg(test)]
pub(crate) fn test_member(id: &str, member: Member, role: CareTeamRole) -> CareTeamMember {
    CareTeamMember {
        id: id.to_owned(),
        patient_id: PatientId::new("p-1"),
        member,
        role,
        responsibilities: Vec::new(),
        coordinator: false,
        started_on: jiff::civil::date(2026, 1, 1),
        ended_on: None,
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
        version: 1,
    }
}

impl CareTeamMember {
    pub fn is_active(&self) -> bool {
        self.ended_on.is_none()
    }

    /// Changes the member's role and responsibilities (coordination is not among them: it changes
    /// only by handover). Returns whether anything changed; an ended membership cannot change.
    pub fn change_duties(
        &mut self,
        role: &str,
        responsibilities: &[String],
        now: Timestamp,
    ) -> Result<bool, ValidationError> {
        if !self.is_active() {
            return Err(ValidationError::new(
                "member",
                "This membership has ended; add the person or service again instead.",
            ));
        }
        let role = parse_role(role)?;
        let responsibilities = parse_responsibilities(responsibilities)?;
        if role == self.role && responsibilities == self.responsibilities {
            return Ok(false);
        }
        self.role = role;
        self.responsibilities = responsibilities;
        self.updated_at = now;
        self.version += 1;
        Ok(true)
    }

    /// The responsibilities shown in the matrix: coordination follows the coordinator flag.
    pub fn holds(&self, responsibility: Responsibility) -> bool {
        if responsibility == Responsibility::Coordination {
            self.coordinator
        } else {
            self.responsibilities.contains(&responsibility)
        }
    }
}

/// A proposal to change the coordinator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    pub id: String,
    pub patient_id: PatientId,
    /// The member who coordinates now (if any does).
    pub from_member: Option<String>,
    /// The member proposed to take over; always a practitioner.
    pub to_member: String,
    pub proposed_by: PractitionerId,
    pub proposed_at: Timestamp,
    pub state: HandoverState,
    pub decided_at: Option<Timestamp>,
}

/// A new member, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewMember {
    /// `practitioner:{id}` or `service:{id}`.
    pub member: String,
    pub role: String,
    pub responsibilities: Vec<String>,
    pub started_on: String,
}

/// The team's rules, checked against the team as it is.
#[derive(Debug, Clone, Default)]
pub struct CareTeam {
    pub members: Vec<CareTeamMember>,
    /// Members' practitioners whose accounts are disabled: such a coordinator is not active.
    pub disabled: Vec<PractitionerId>,
}

impl CareTeam {
    pub fn active(&self) -> impl Iterator<Item = &CareTeamMember> {
        self.members.iter().filter(|m| m.is_active())
    }

    /// The active coordinator, if there is one: a current member flagged as coordinator whose
    /// account is not disabled.
    pub fn coordinator(&self) -> Option<&CareTeamMember> {
        self.active().find(|m| {
            m.coordinator
                && !matches!(&m.member, Member::Practitioner(id) if self.disabled.contains(id))
        })
    }

    /// Responsibilities no active member holds (highlighted in the matrix).
    pub fn unheld(&self) -> Vec<Responsibility> {
        Responsibility::ALL
            .iter()
            .copied()
            .filter(|r| !self.active().any(|m| m.holds(*r)))
            .collect()
    }

    /// Validates a new member. The first practitioner to join a team without a coordinator
    /// becomes its coordinator, so that a team is never without one from its start.
    pub fn admit(
        &self,
        input: NewMember,
        id: String,
        patient_id: PatientId,
        today: Date,
        now: Timestamp,
    ) -> Result<CareTeamMember, ValidationError> {
        let member = parse_member(&input.member)?;
        if self.active().any(|m| m.member == member) {
            return Err(ValidationError::new(
                "member",
                "This person or service is already in the care team.",
            ));
        }
        let role = parse_role(&input.role)?;
        let responsibilities = parse_responsibilities(&input.responsibilities)?;
        let started_on = if input.started_on.trim().is_empty() {
            today
        } else {
            input.started_on.trim().parse().map_err(|_| {
                ValidationError::new("started_on", "The start date must be a date (YYYY-MM-DD).")
            })?
        };
        let coordinator = self.coordinator().is_none() && matches!(member, Member::Practitioner(_));
        Ok(CareTeamMember {
            id,
            patient_id,
            member,
            role,
            responsibilities,
            coordinator,
            started_on,
            ended_on: None,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    /// Checks that `to_member` may be proposed as the new coordinator.
    pub fn check_proposal(
        &self,
        to_member: &str,
        open: Option<&Handover>,
    ) -> Result<(), ValidationError> {
        if open.is_some() {
            return Err(ValidationError::new(
                "handover",
                "A coordinator handover is already waiting for acceptance; it must be accepted or declined first.",
            ));
        }
        let target = self.active().find(|m| m.id == to_member).ok_or_else(|| {
            ValidationError::new("to_member", "Choose a current member of the care team.")
        })?;
        if !matches!(target.member, Member::Practitioner(_)) {
            return Err(ValidationError::new(
                "to_member",
                "The coordinator must be a named person, not a whole service.",
            ));
        }
        if target.coordinator {
            return Err(ValidationError::new(
                "to_member",
                "This member is already the coordinator.",
            ));
        }
        Ok(())
    }
}

fn parse_role(code: &str) -> Result<CareTeamRole, ValidationError> {
    CareTeamRole::from_code(code.trim()).ok_or_else(|| {
        ValidationError::new("role", "Choose the member's role in this patient's care.")
    })
}

/// Ticked responsibilities, sorted and without repeats. Coordination is held through the
/// coordinator flag, never ticked directly, so it is dropped.
fn parse_responsibilities(codes: &[String]) -> Result<Vec<Responsibility>, ValidationError> {
    let mut responsibilities = codes
        .iter()
        .map(|code| {
            Responsibility::from_code(code.trim()).ok_or_else(|| {
                ValidationError::new(
                    "responsibilities",
                    format!("'{code}' is not a listed responsibility."),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    responsibilities.retain(|r| *r != Responsibility::Coordination);
    responsibilities.sort();
    responsibilities.dedup();
    Ok(responsibilities)
}

/// Parses `practitioner:{id}` or `service:{id}`.
pub fn parse_member(value: &str) -> Result<Member, ValidationError> {
    let invalid = || {
        ValidationError::new(
            "member",
            "Choose a practitioner or a service from the directory.",
        )
    };
    let (kind, id) = value.trim().split_once(':').ok_or_else(invalid)?;
    match kind {
        "practitioner" => PractitionerId::parse(id)
            .map(Member::Practitioner)
            .ok_or_else(invalid),
        "service" => OrganisationId::parse(id)
            .map(Member::Service)
            .ok_or_else(invalid),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn admit(team: &CareTeam, member: &str, role: &str) -> Result<CareTeamMember, ValidationError> {
        team.admit(
            NewMember {
                member: member.into(),
                role: role.into(),
                responsibilities: vec![
                    "home-visits".into(),
                    "coordination".into(),
                    "home-visits".into(),
                ],
                started_on: String::new(),
            },
            format!("m-{}", team.members.len()),
            PatientId::new("p"),
            date(2026, 11, 20),
            Timestamp::UNIX_EPOCH,
        )
    }

    #[test]
    fn the_first_practitioner_becomes_coordinator_and_only_they() {
        let mut team = CareTeam::default();
        let service = admit(&team, "service:hospice", "other").unwrap();
        assert!(!service.coordinator, "a service cannot coordinate");
        team.members.push(service);
        let gp = admit(&team, "practitioner:dr-a", "gp").unwrap();
        assert!(gp.coordinator);
        assert_eq!(
            gp.responsibilities,
            vec![Responsibility::HomeVisits],
            "coordination is not ticked directly"
        );
        team.members.push(gp);
        let nurse = admit(&team, "practitioner:dn-b", "district-nurse").unwrap();
        assert!(!nurse.coordinator);
        team.members.push(nurse);
        assert_eq!(team.active().filter(|m| m.coordinator).count(), 1);
        assert!(team.unheld().contains(&Responsibility::Prescribing));
        assert!(!team.unheld().contains(&Responsibility::Coordination));
        assert_eq!(
            admit(&team, "practitioner:dr-a", "gp").unwrap_err().field,
            "member",
            "no duplicates"
        );
        assert_eq!(admit(&team, "wizard:x", "gp").unwrap_err().field, "member");
        assert_eq!(
            admit(&team, "practitioner:x", "druid").unwrap_err().field,
            "role"
        );
    }

    #[test]
    fn a_handover_goes_to_a_current_practitioner_and_one_at_a_time() {
        let mut team = CareTeam::default();
        team.members
            .push(admit(&team, "practitioner:dr-a", "gp").unwrap());
        team.members
            .push(admit(&team, "service:hospice", "other").unwrap());
        team.members
            .push(admit(&team, "practitioner:dn-b", "district-nurse").unwrap());
        assert!(team.check_proposal("m-2", None).is_ok());
        assert_eq!(
            team.check_proposal("m-1", None).unwrap_err().field,
            "to_member",
            "not a service"
        );
        assert_eq!(
            team.check_proposal("m-0", None).unwrap_err().field,
            "to_member",
            "already coordinator"
        );
        assert_eq!(
            team.check_proposal("nobody", None).unwrap_err().field,
            "to_member"
        );
        let open = Handover {
            id: "h".into(),
            patient_id: PatientId::new("p"),
            from_member: Some("m-0".into()),
            to_member: "m-2".into(),
            proposed_by: PractitionerId::new("dr-a"),
            proposed_at: Timestamp::UNIX_EPOCH,
            state: HandoverState::Proposed,
            decided_at: None,
        };
        assert_eq!(
            team.check_proposal("m-2", Some(&open)).unwrap_err().field,
            "handover"
        );
    }

    #[test]
    fn a_team_whose_coordinator_left_has_none() {
        let mut team = CareTeam::default();
        team.members
            .push(admit(&team, "practitioner:dr-a", "gp").unwrap());
        assert!(team.coordinator().is_some());
        team.disabled.push(PractitionerId::new("dr-a"));
        assert!(
            team.coordinator().is_none(),
            "a disabled account does not coordinate"
        );
        team.disabled.clear();
        team.members[0].ended_on = Some(date(2026, 11, 21));
        assert!(team.coordinator().is_none());
        assert!(team.unheld().contains(&Responsibility::Coordination));
    }

    #[test]
    fn duties_change_in_place_but_never_coordination_or_an_ended_membership() {
        let team = CareTeam::default();
        let mut nurse = admit(&team, "practitioner:dn-b", "district-nurse").unwrap();
        let later = Timestamp::from_second(60).unwrap();
        let changed = nurse
            .change_duties(
                "specialist-palliative-nurse",
                &["symptom-management".into(), "coordination".into()],
                later,
            )
            .unwrap();
        assert!(changed);
        assert_eq!(nurse.role, CareTeamRole::SpecialistPalliativeNurse);
        assert_eq!(
            nurse.responsibilities,
            vec![Responsibility::SymptomManagement]
        );
        assert!(
            nurse.coordinator,
            "still the coordinator: that changes only by handover"
        );
        assert_eq!((nurse.version, nurse.updated_at), (2, later));

        let same = nurse
            .change_duties(
                "specialist-palliative-nurse",
                &["symptom-management".into()],
                later,
            )
            .unwrap();
        assert!(!same, "nothing to change");
        assert_eq!(nurse.version, 2);

        let before = nurse.clone();
        assert_eq!(
            nurse.change_duties("wizard", &[], later).unwrap_err().field,
            "role"
        );
        assert_eq!(
            nurse
                .change_duties("gp", &["flying".into()], later)
                .unwrap_err()
                .field,
            "responsibilities"
        );
        assert_eq!(nurse, before, "refused changes leave the member as it was");
        nurse.ended_on = Some(date(2026, 11, 21));
        assert!(nurse.change_duties("gp", &[], later).is_err());
    }
}
