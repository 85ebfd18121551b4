//! Tests of the task rules: owners, drafts, claiming, closing and escalation.

use jiff::{SignedDuration, Timestamp};

use super::*;

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap() + SignedDuration::from_mins(minutes)
}

fn member(id: &str, who: Member, role: CareTeamRole) -> CareTeamMember {
    crate::care_team::test_member(id, who, role)
}

fn team() -> Vec<CareTeamMember> {
    vec![
        member(
            "m-1",
            Member::Practitioner(PractitionerId::new("gp")),
            CareTeamRole::GeneralPractitioner,
        ),
        member(
            "m-2",
            Member::Service(OrganisationId::new("dn-team")),
            CareTeamRole::DistrictNurse,
        ),
    ]
}

fn task(owner: TaskOwner) -> Task {
    TaskDraft {
        title: "Order a pressure-relieving mattress".into(),
        due_at: Some(at(60)),
        source: "meeting".into(),
        source_ref: Some("meeting-1".into()),
    }
    .check(
        ("t-1".into(), &PatientId::new("p-1")),
        owner,
        &PractitionerId::new("gp"),
        at(0),
    )
    .unwrap()
}

#[test]
fn owners_come_from_the_team() {
    assert_eq!(
        owner_from_form(&team(), "member:m-1").unwrap(),
        TaskOwner::Person(PractitionerId::new("gp"))
    );
    assert_eq!(
        owner_from_form(&team(), "member:m-2").unwrap(),
        TaskOwner::Service(OrganisationId::new("dn-team"))
    );
    assert_eq!(
        owner_from_form(&team(), "role:district-nurse").unwrap(),
        TaskOwner::Role(CareTeamRole::DistrictNurse)
    );
    for bad in [
        "member:m-9",
        "role:physiotherapist",
        "role:wizard",
        "gp",
        "",
    ] {
        assert!(owner_from_form(&team(), bad).is_err(), "{bad:?}");
    }
    for owner in [
        TaskOwner::Person(PractitionerId::new("gp")),
        TaskOwner::Service(OrganisationId::new("dn-team")),
        TaskOwner::Role(CareTeamRole::DistrictNurse),
    ] {
        let (kind, id) = owner.parts();
        assert_eq!(TaskOwner::from_parts(kind, id), Some(owner.clone()));
    }
}

#[test]
fn a_draft_needs_a_title_and_a_future_due_time() {
    let check = |draft: TaskDraft| {
        draft
            .check(
                ("t-1".into(), &PatientId::new("p-1")),
                TaskOwner::Person(PractitionerId::new("gp")),
                &PractitionerId::new("gp"),
                at(0),
            )
            .map_err(|e| e.field)
    };
    let good = || TaskDraft {
        title: "Review the syringe driver".into(),
        due_at: Some(at(30)),
        ..Default::default()
    };
    let made = check(good()).unwrap();
    assert_eq!(made.source, TaskSource::Other);
    assert_eq!(made.status, TaskStatus::Open);
    assert_eq!(
        check(TaskDraft {
            title: " ".into(),
            ..good()
        }),
        Err("title")
    );
    assert_eq!(
        check(TaskDraft {
            due_at: None,
            ..good()
        }),
        Err("due_at")
    );
    assert_eq!(
        check(TaskDraft {
            due_at: Some(at(0)),
            ..good()
        }),
        Err("due_at")
    );
    assert_eq!(
        check(TaskDraft {
            due_at: Some(at(60 * 24 * 400)),
            ..good()
        }),
        Err("due_at")
    );
    assert_eq!(
        check(TaskDraft {
            source: "gossip".into(),
            ..good()
        }),
        Err("source")
    );
}

#[test]
fn a_role_task_is_claimed_by_someone_holding_the_role() {
    let mut shared = task(TaskOwner::Role(CareTeamRole::DistrictNurse));
    let nurse = PractitionerId::new("nurse");
    assert!(
        shared
            .claim(&nurse, (None, &[CareTeamRole::Physiotherapist]), at(5))
            .is_err(),
        "not holding the role"
    );
    shared
        .claim(&nurse, (None, &[CareTeamRole::DistrictNurse]), at(5))
        .unwrap();
    assert_eq!(shared.owner, TaskOwner::Person(nurse.clone()));
    assert_eq!(shared.claimed, Some((nurse.clone(), at(5))));
    assert!(
        shared
            .claim(&nurse, (None, &[CareTeamRole::DistrictNurse]), at(6))
            .is_err(),
        "claimed once"
    );

    let mut service = task(TaskOwner::Service(OrganisationId::new("dn-team")));
    assert!(service.claim(&nurse, (None, &[]), at(5)).is_err());
    service
        .claim(&nurse, (Some(&OrganisationId::new("dn-team")), &[]), at(5))
        .unwrap();
}

#[test]
fn a_task_is_closed_by_its_owner_or_author_once() {
    let mut t = task(TaskOwner::Person(PractitionerId::new("nurse")));
    let stranger = PractitionerId::new("physio");
    assert!(
        t.close(TaskStatus::Done, &stranger, (None, &[]), at(10))
            .is_err()
    );
    assert!(
        t.close(
            TaskStatus::Open,
            &PractitionerId::new("nurse"),
            (None, &[]),
            at(10)
        )
        .is_err()
    );
    t.close(
        TaskStatus::Done,
        &PractitionerId::new("nurse"),
        (None, &[]),
        at(10),
    )
    .unwrap();
    assert_eq!(t.status, TaskStatus::Done);
    assert!(
        t.close(
            TaskStatus::Cancelled,
            &PractitionerId::new("gp"),
            (None, &[]),
            at(11)
        )
        .is_err()
    );
    let mut by_author = task(TaskOwner::Role(CareTeamRole::DistrictNurse));
    by_author
        .close(
            TaskStatus::Cancelled,
            &PractitionerId::new("gp"),
            (None, &[]),
            at(10),
        )
        .unwrap();
}

#[test]
fn an_open_task_past_due_escalates_once() {
    let mut t = task(TaskOwner::Role(CareTeamRole::DistrictNurse));
    assert!(!t.is_overdue(at(59)));
    assert!(t.is_overdue(at(60)) && t.escalates(at(60)));
    t.escalated_at = Some(at(61));
    assert!(t.is_overdue(at(90)) && !t.escalates(at(90)));
    let mut done = task(TaskOwner::Person(PractitionerId::new("gp")));
    done.close(
        TaskStatus::Done,
        &PractitionerId::new("gp"),
        (None, &[]),
        at(10),
    )
    .unwrap();
    assert!(!done.is_overdue(at(120)) && !done.escalates(at(120)));
}
