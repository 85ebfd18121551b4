//! Care teams for demo patients: the registering GP and their practice, a named person from each other service
//! involved (a whole service where nobody is named), sensible responsibilities for each role,
//! and a coordinator — with a few teams waiting for a coordinator handover to be accepted and a
//! few whose coordinator has left, so that every state can be seen.

use hearth_domain::care_team::{
    CareTeamMember, CareTeamRole, Handover, HandoverState, Member, Responsibility,
};
use hearth_domain::patient::Patient;
use hearth_domain::practitioner::Profession;
use hearth_domain::{OrganisationId, PractitionerId};
use jiff::civil::Date;
use jiff::{Span, Timestamp};

use Responsibility as R;

/// The person each organisation names for its patients' teams, with their role.
pub type TeamStaff = Vec<(OrganisationId, PractitionerId, CareTeamRole)>;

/// The care team role a profession usually takes.
pub fn role_of(profession: Profession) -> CareTeamRole {
    CareTeamRole::usual_for(profession)
}

fn responsibilities(role: CareTeamRole) -> Vec<Responsibility> {
    match role {
        CareTeamRole::GeneralPractitioner => vec![
            R::Prescribing,
            R::AnticipatoryMedicines,
            R::AdvanceCarePlanning,
        ],
        CareTeamRole::DistrictNurse => vec![
            R::SymptomManagement,
            R::HomeVisits,
            R::Equipment,
            R::CarerSupport,
        ],
        CareTeamRole::OncologyNurse => vec![
            R::SymptomManagement,
            R::HomeVisits,
            R::PsychologicalSpiritual,
        ],
        CareTeamRole::SpecialistPalliativeNurse => {
            vec![
                R::SymptomManagement,
                R::AdvanceCarePlanning,
                R::PsychologicalSpiritual,
            ]
        }
        CareTeamRole::PalliativeMedicinePhysician => vec![R::Prescribing, R::SymptomManagement],
        CareTeamRole::Oncologist => vec![R::Prescribing],
        CareTeamRole::CareHomeNurse => vec![R::SymptomManagement, R::CarerSupport],
        CareTeamRole::SocialWorker => vec![R::CarerSupport, R::Bereavement],
        _ => vec![],
    }
}

/// The team of a new demo patient registered by `gp`, and a handover waiting, if any.
pub fn team_for(
    rng: &mut fastrand::Rng,
    patient: &Patient,
    (practice, gp): (&OrganisationId, &PractitionerId),
    staff: &TeamStaff,
    mut id: impl FnMut(&mut fastrand::Rng) -> String,
    (started_on, today, now): (Date, Date, Timestamp),
) -> (Vec<CareTeamMember>, Option<Handover>) {
    let member = |rng: &mut fastrand::Rng,
                  id: &mut dyn FnMut(&mut fastrand::Rng) -> String,
                  who,
                  role| CareTeamMember {
        id: id(rng),
        patient_id: patient.id.clone(),
        member: who,
        role,
        responsibilities: responsibilities(role),
        coordinator: false,
        started_on,
        ended_on: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    // The registering GP in person, and their practice as a service, so that the practice's
    // other clinicians (the partner on duty, the practice nurse) can open the record too.
    let mut members = vec![
        member(
            rng,
            &mut id,
            Member::Practitioner(gp.clone()),
            CareTeamRole::GeneralPractitioner,
        ),
        member(
            rng,
            &mut id,
            Member::Service(practice.clone()),
            CareTeamRole::Other,
        ),
    ];
    for organisation in patient.organisations.iter().filter(|o| *o != practice) {
        let named = staff.iter().find(|(org, _, _)| org == organisation);
        members.push(match named {
            Some((_, person, role)) => {
                member(rng, &mut id, Member::Practitioner(person.clone()), *role)
            }
            None => member(
                rng,
                &mut id,
                Member::Service(organisation.clone()),
                CareTeamRole::Other,
            ),
        });
    }
    // Most GPs coordinate; sometimes the district nurse or the specialist nurse does.
    let preferred = match rng.u8(..100) {
        0..=84 => CareTeamRole::GeneralPractitioner,
        85..=94 => CareTeamRole::DistrictNurse,
        _ => CareTeamRole::SpecialistPalliativeNurse,
    };
    let coordinator = members
        .iter()
        .position(|m| m.role == preferred)
        .unwrap_or(0);
    members[coordinator].coordinator = true;

    let mut handover = None;
    match rng.u16(..1000) {
        // About 1 in 100 teams: a handover to another named member waits for acceptance.
        0..=9 => {
            let target = members
                .iter()
                .position(|m| !m.coordinator && matches!(m.member, Member::Practitioner(_)));
            if let Some(target) = target {
                handover = Some(Handover {
                    id: id(rng),
                    patient_id: patient.id.clone(),
                    from_member: Some(members[coordinator].id.clone()),
                    to_member: members[target].id.clone(),
                    proposed_by: gp.clone(),
                    proposed_at: now,
                    state: HandoverState::Proposed,
                    decided_at: None,
                });
            }
        }
        // About 1 in 200 teams: the coordinator has left and nobody has taken over yet.
        10..=14 => {
            let left = started_on
                .checked_add(Span::new().days(rng.i64(1..=30)))
                .unwrap_or(started_on);
            members[coordinator].ended_on = Some(left.min(today));
        }
        _ => {}
    }
    (members, handover)
}
