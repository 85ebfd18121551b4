//! Tests of the meeting rules: case-conference qualification, the order of a register review,
//! planning a meeting, attendance, minutes and decisions.

use jiff::{SignedDuration, Timestamp};

use super::*;

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap() + SignedDuration::from_mins(minutes)
}

fn person(id: &str, profession: Profession, specialist: bool, attended: bool) -> Participant {
    Participant {
        role_id: PractitionerRoleId::new(format!("role-{id}")),
        practitioner_id: PractitionerId::new(id),
        organisation_id: OrganisationId::new("org"),
        profession,
        specialist,
        invited: true,
        attended,
    }
}

fn gp(attended: bool) -> Participant {
    person("gp", Profession::GeneralPractitioner, false, attended)
}

fn cns(attended: bool) -> Participant {
    person("cns", Profession::SpecialistPalliativeNurse, true, attended)
}

fn dn(attended: bool) -> Participant {
    person("dn", Profession::DistrictNurse, false, attended)
}

#[test]
fn a_gp_and_a_specialist_attending_make_a_case_conference() {
    assert!(is_case_conference(&[gp(true), cns(true)]));
    assert!(is_case_conference(&[gp(true), dn(true), cns(true)]));
    let consultant = person("pm", Profession::PalliativeMedicinePhysician, true, true);
    assert!(is_case_conference(&[gp(true), consultant]));
}

#[test]
fn invited_is_not_attended() {
    assert!(!is_case_conference(&[gp(true), cns(false)]));
    assert!(!is_case_conference(&[gp(false), cns(true)]));
    assert!(!is_case_conference(&[]));
}

#[test]
fn generalists_alone_do_not_make_a_case_conference() {
    assert!(!is_case_conference(&[gp(true), dn(true)]));
    let second_gp = person("gp2", Profession::GeneralPractitioner, false, true);
    assert!(!is_case_conference(&[gp(true), second_gp]));
    assert!(!is_case_conference(&[cns(true), dn(true)]));
}

#[test]
fn a_gp_with_a_specialist_role_does_not_confer_with_themselves() {
    // A GP with a special interest whose role is marked specialist: alone, not a conference.
    let gpwsi = person("gp", Profession::GeneralPractitioner, true, true);
    assert!(!is_case_conference(std::slice::from_ref(&gpwsi)));
    assert!(is_case_conference(&[gpwsi, cns(true)]));
}

#[test]
fn a_nurse_in_a_hospice_counts_as_specialist() {
    let role = crate::practitioner::PractitionerRole {
        id: PractitionerRoleId::new("r-1"),
        practitioner_id: PractitionerId::new("hn"),
        organisation_id: OrganisationId::new("hospice"),
        profession: Profession::CommunityNurse,
        specialist: false,
        phone: None,
        email: None,
        competencies: Vec::new(),
        working_pattern: None,
        created_at: at(0),
        updated_at: at(0),
        version: 1,
    };
    let mut hospice = Participant::in_role(&role, OrganisationKind::Hospice, true);
    assert!(hospice.specialist);
    hospice.attended = true;
    assert!(is_case_conference(&[gp(true), hospice]));
    let practice = Participant::in_role(&role, OrganisationKind::HomeCare, true);
    assert!(!practice.specialist);
}

#[test]
fn the_shortfall_of_a_planned_case_conference_says_who_was_missing() {
    use MeetingKind::*;
    assert_eq!(
        case_conference_shortfall(CaseConference, &[gp(true), cns(false)]),
        Some("No specialist palliative care member attended.")
    );
    assert_eq!(
        case_conference_shortfall(CaseConference, &[dn(true), cns(true)]),
        Some("No GP attended.")
    );
    assert_eq!(
        case_conference_shortfall(CaseConference, &[gp(true), cns(true)]),
        None
    );
    // Other kinds have nothing to fall short of.
    assert_eq!(case_conference_shortfall(RegisterReview, &[dn(true)]), None);
}

fn candidate(id: &str, name: &str, not_ready: bool, deteriorating: bool) -> ReviewCandidate {
    ReviewCandidate {
        patient_id: PatientId::new(id),
        list_name: name.into(),
        not_ready,
        deteriorating,
    }
}

#[test]
fn a_register_review_starts_with_the_not_ready_then_the_deteriorating() {
    let ordered = review_order(vec![
        candidate("a", "Adams, Ann", false, false),
        candidate("b", "Brown, Bill", false, true),
        candidate("c", "Carter, Edith", true, false),
        candidate("d", "Davies, Dai", true, true),
        candidate("e", "evans, Eve", false, false),
    ]);
    let ids: Vec<&str> = ordered.iter().map(|c| c.patient_id.as_str()).collect();
    assert_eq!(ids, ["d", "c", "b", "a", "e"]);
}

fn draft() -> MeetingDraft {
    MeetingDraft {
        kind: "register-review".into(),
        title: String::new(),
        mode: "in-person".into(),
        starts_at: Some(at(60)),
        minutes: String::new(),
        place: "Practice meeting room".into(),
    }
}

fn plan(d: &MeetingDraft) -> Result<Meeting, ValidationError> {
    d.check(
        "m-1".into(),
        (&PractitionerId::new("gp"), &OrganisationId::new("practice")),
        at(0),
    )
}

#[test]
fn a_meeting_is_planned_with_defaults_for_title_and_length() {
    let m = plan(&draft()).unwrap();
    assert_eq!(m.title, "Register review");
    assert_eq!(m.minutes, 60);
    assert_eq!(m.status, MeetingStatus::Planned);
    assert_eq!(m.ends_at(), at(120));
}

#[test]
fn a_meeting_needs_a_kind_a_mode_a_time_and_a_place() {
    let refused = |change: fn(&mut MeetingDraft), field: &str| {
        let mut d = draft();
        change(&mut d);
        assert_eq!(plan(&d).unwrap_err().field, field);
    };
    refused(|d| d.kind = "party".into(), "kind");
    refused(|d| d.mode = "telepathy".into(), "mode");
    refused(|d| d.starts_at = None, "starts_at");
    refused(|d| d.starts_at = Some(at(60 * 24 * 400)), "starts_at");
    refused(|d| d.starts_at = Some(at(-60 * 24 * 40)), "starts_at");
    refused(|d| d.minutes = "0".into(), "minutes");
    refused(|d| d.minutes = "an hour".into(), "minutes");
    refused(|d| d.place = "  ".into(), "place");
    refused(|d| d.place = "x".repeat(301), "place");
    refused(|d| d.title = "a\u{7}b".into(), "title");
    let mut video = draft();
    video.mode = "video".into();
    video.place = String::new();
    assert_eq!(
        plan(&video).unwrap_err().message,
        "Give the link of the video call."
    );
}

#[test]
fn attendance_holds_the_meeting_and_only_names_participants() {
    let mut m = plan(&draft()).unwrap();
    let mut people = vec![gp(false), cns(false), dn(false)];
    let early = m.record_attendance(&mut people, &[gp(false).role_id], at(30));
    assert_eq!(early.unwrap_err().field, "attended");
    assert!(m.record_attendance(&mut people, &[], at(70)).is_err());
    let stranger = PractitionerRoleId::new("role-stranger");
    assert!(
        m.record_attendance(&mut people, &[stranger], at(70))
            .is_err()
    );
    assert_eq!(m.status, MeetingStatus::Planned);
    assert!(people.iter().all(|p| !p.attended));

    m.record_attendance(
        &mut people,
        &[gp(false).role_id, cns(false).role_id],
        at(70),
    )
    .unwrap();
    assert_eq!(m.status, MeetingStatus::Held);
    assert_eq!(m.version, 2);
    assert!(is_case_conference(&people));
    assert!(!people[2].attended);
}

#[test]
fn only_the_organiser_cancels_a_planned_meeting() {
    let mut m = plan(&draft()).unwrap();
    assert!(m.cancel(&PractitionerId::new("dn")).is_err());
    m.cancel(&PractitionerId::new("gp")).unwrap();
    assert_eq!(m.status, MeetingStatus::Cancelled);
    assert!(m.cancel(&PractitionerId::new("gp")).is_err());
    assert!(m.takes_minutes(at(70)).is_err());
    let mut people = vec![gp(false)];
    assert!(
        m.record_attendance(&mut people, &[gp(false).role_id], at(70))
            .is_err()
    );
}

#[test]
fn minutes_are_taken_from_shortly_before_the_start() {
    let m = plan(&draft()).unwrap();
    assert!(m.takes_minutes(at(0)).is_err());
    assert!(m.takes_minutes(at(45)).is_ok());
    assert!(m.takes_minutes(at(600)).is_ok());
}

#[test]
fn a_decision_may_name_the_plan_section_it_changes() {
    let patient = PatientId::new("p-1");
    let by = PractitionerId::new("gp");
    let d = Decision::check(
        ("d-1".into(), "m-1", &patient),
        " Not for attempted CPR; discussed with Edith and her daughter. ",
        "resuscitation",
        &by,
        at(70),
    )
    .unwrap();
    assert_eq!(d.plan_section, Some(Section::Resuscitation));
    assert!(d.awaits_plan());
    assert!(d.text.starts_with("Not for"));
    let plain = Decision::check(
        ("d-2".into(), "m-1", &patient),
        "Review in a month",
        "",
        &by,
        at(70),
    )
    .unwrap();
    assert!(!plain.awaits_plan());
    assert_eq!(
        Decision::check(("d-3".into(), "m-1", &patient), " ", "", &by, at(70))
            .unwrap_err()
            .field,
        "decision"
    );
    assert_eq!(
        Decision::check(("d-4".into(), "m-1", &patient), "x", "kitchen", &by, at(70))
            .unwrap_err()
            .field,
        "section"
    );
}
