//! Meetings in the demo region: last week's register review at the demo GP's practice (attended
//! by the GP, the district nurse and the specialist palliative care nurse, so a case conference),
//! with notes, decisions — one still to be carried into the plan — and actions, one of them
//! overdue; and a case conference by video this time tomorrow with the palliative medicine physician.

use hearth_domain::care_team::{CareTeamRole, Member};
use hearth_domain::meeting::{
    self, Decision, Meeting, MeetingKind, MeetingMode, MeetingStatus, Participant,
};
use hearth_domain::task::{TaskDraft, TaskOwner, TaskSource};
use hearth_store::Tx;
use jiff::{SignedDuration, Timestamp};

use crate::{AppError, IdGenerator};

/// The register review's agenda in the demo: the first patients in review order (a real one goes
/// through the whole register).
const REVIEWED: usize = 10;

/// (notes, decision, plan section, action, for the district nurse, due after hours)
type Minute = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    bool,
    i64,
);

/// What was said and agreed about the first patients reviewed: notes, a decision (and the plan
/// section it changes), an action and whether it is for the district nurse (else the
/// specialist nurse), due how many hours after the meeting.
const MINUTES: &[Minute] = &[
    (
        "Sleeping more, eating little. Family staying most nights and tired. Pain settled on \
         the current patch; breakthrough doses twice this week.",
        "Focus on comfort at home, as they wish. Crisis plan to say: call the district nurses \
         first, not 999; GP will verify death.",
        Some("crisis-plan"),
        "Check the anticipatory medicines are in the home and in date",
        true,
        24,
    ),
    (
        "Breathless on walking to the bathroom; one unplanned admission last month. Has not yet \
         talked about where they would want to be cared for.",
        "Specialist nurse to visit with the GP to talk about preferences and what the future \
         may bring.",
        None,
        "Joint visit with the GP: talk about preferred place of care",
        false,
        24 * 9,
    ),
    (
        "Stable this month. Carer managing well with the morning care package.",
        "No change; review again next month.",
        None,
        "Ask the care agency whether the evening call can be added",
        true,
        24 * 3,
    ),
];

fn participant(
    roles: &[(&str, Participant)],
    sign_in: &str,
    attended: bool,
) -> Option<Participant> {
    roles
        .iter()
        .find(|(r, _)| *r == sign_in)
        .map(|(_, p)| Participant {
            attended,
            ..p.clone()
        })
}

/// Writes the demo meetings in `tx`; `roles` are the roles of the demo sign-ins.
pub async fn write(
    tx: &mut Tx,
    ids: &dyn IdGenerator,
    roles: &[(&str, Participant)],
    now: Timestamp,
) -> Result<(), AppError> {
    let (Some(gp), Some(nurse), Some(specialist), Some(physician)) = (
        participant(roles, "gp", true),
        participant(roles, "district-nurse", true),
        participant(roles, "specialist-nurse", true),
        participant(roles, "palliative-physician", false),
    ) else {
        return Ok(());
    };
    let hours = |h: i64| SignedDuration::from_mins(h * 60);
    // Last week, at lunchtime (to the hour), as practices hold them.
    let review_at = now
        .checked_sub(hours(6 * 24 + 1))
        .unwrap_or(now)
        .round(jiff::Unit::Hour)
        .unwrap_or(now);
    let review = Meeting {
        id: ids.new_id(),
        kind: MeetingKind::RegisterReview,
        title: "Monthly palliative care register review".to_owned(),
        mode: MeetingMode::InPerson,
        starts_at: review_at,
        minutes: 60,
        place: "Riverside Surgery, first-floor meeting room".to_owned(),
        organisation_id: gp.organisation_id.clone(),
        organiser: gp.practitioner_id.clone(),
        status: MeetingStatus::Held,
        created_at: review_at.checked_sub(hours(24 * 14)).unwrap_or(review_at),
        version: 2,
    };
    tx.insert_meeting(&review).await?;
    for p in [&gp, &nurse, &specialist] {
        tx.insert_participant(&review.id, p).await?;
    }
    let mut candidates = Vec::new();
    for c in tx.review_candidates(&gp.organisation_id).await? {
        let team = tx.care_team(&c.patient_id).await?;
        if team.iter().any(|m| {
            m.is_active()
                && (m.member == Member::Practitioner(gp.practitioner_id.clone())
                    || m.member == Member::Service(gp.organisation_id.clone()))
        }) {
            candidates.push((c, team));
        }
    }
    let ordered = meeting::review_order(candidates.iter().map(|(c, _)| c.clone()).collect());
    let mut agenda = Vec::new();
    for (position, c) in ordered.iter().take(REVIEWED).enumerate() {
        tx.insert_agenda_item(
            &review.id,
            &c.patient_id,
            i64::try_from(position).unwrap_or(0),
            (&gp.practitioner_id, review_at),
        )
        .await?;
        agenda.push(c.patient_id.clone());
    }
    for (patient, (notes, decided, section, action, for_nurse, due)) in agenda.iter().zip(MINUTES) {
        let at = review_at
            .checked_add(SignedDuration::from_mins(10))
            .unwrap_or(review_at);
        tx.set_agenda_notes(&review.id, patient, notes, (&gp.practitioner_id, at))
            .await?;
        let decision = Decision::check(
            (ids.new_id(), &review.id, patient),
            decided,
            section.unwrap_or_default(),
            &gp.practitioner_id,
            at,
        )?;
        tx.insert_decision(&decision).await?;
        let team = candidates
            .iter()
            .find(|(c, _)| &c.patient_id == patient)
            .map(|(_, t)| t.as_slice())
            .unwrap_or_default();
        let (person, role) = if *for_nurse {
            (&nurse, CareTeamRole::DistrictNurse)
        } else {
            (&specialist, CareTeamRole::SpecialistPalliativeNurse)
        };
        // The action goes to that person when they are in the team, else to whoever holds
        // their role there, else to the GP.
        let active = || team.iter().filter(|m| m.is_active());
        let owner =
            if active().any(|m| m.member == Member::Practitioner(person.practitioner_id.clone())) {
                TaskOwner::Person(person.practitioner_id.clone())
            } else if active().any(|m| m.role == role) {
                TaskOwner::Role(role)
            } else {
                TaskOwner::Person(gp.practitioner_id.clone())
            };
        let task = TaskDraft {
            title: (*action).to_owned(),
            due_at: Some(at.checked_add(hours(*due)).unwrap_or(at)),
            source: TaskSource::Meeting.code().to_owned(),
            source_ref: Some(review.id.clone()),
        }
        .check((ids.new_id(), patient), owner, &gp.practitioner_id, at)?;
        tx.insert_task(&task).await?;
    }

    // This time tomorrow, by video: the first patients the review flagged, with the consultant.
    let tomorrow = now
        .checked_add(hours(24))
        .unwrap_or(now)
        .round(jiff::Unit::Hour)
        .unwrap_or(now);
    let conference = Meeting {
        id: ids.new_id(),
        kind: MeetingKind::CaseConference,
        title: "Case conference: symptom control at home".to_owned(),
        mode: MeetingMode::Video,
        starts_at: tomorrow,
        minutes: 45,
        place: "https://video.nhs.example/riverside-palliative".to_owned(),
        organisation_id: gp.organisation_id.clone(),
        organiser: gp.practitioner_id.clone(),
        status: MeetingStatus::Planned,
        created_at: now,
        version: 1,
    };
    tx.insert_meeting(&conference).await?;
    for p in [&gp, &nurse, &specialist, &physician] {
        tx.insert_participant(
            &conference.id,
            &Participant {
                attended: false,
                ..p.clone()
            },
        )
        .await?;
    }
    for (position, patient) in agenda.iter().take(2).enumerate() {
        tx.insert_agenda_item(
            &conference.id,
            patient,
            i64::try_from(position).unwrap_or(0),
            (&gp.practitioner_id, now),
        )
        .await?;
    }
    Ok(())
}
