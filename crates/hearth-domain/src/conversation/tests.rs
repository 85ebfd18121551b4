//! Tests of the conversation rules: recipients, drafts, escalation, suggesting a call, calls.

use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::OrganisationId;

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap() + SignedDuration::from_mins(minutes)
}

fn member(id: &str, who: Member, role: CareTeamRole) -> CareTeamMember {
    crate::care_team::test_member(id, who, role)
}

fn person(id: &str) -> Member {
    Member::Practitioner(PractitionerId::new(id))
}

fn team() -> Vec<CareTeamMember> {
    let mut ended = member("m-5", person("nurse-old"), CareTeamRole::DistrictNurse);
    ended.ended_on = Some(jiff::civil::date(2026, 6, 1));
    vec![
        member("m-1", person("gp"), CareTeamRole::GeneralPractitioner),
        member("m-2", person("nurse"), CareTeamRole::DistrictNurse),
        member(
            "m-3",
            Member::Service(OrganisationId::new("dn-team")),
            CareTeamRole::DistrictNurse,
        ),
        member(
            "m-4",
            person("spc"),
            CareTeamRole::SpecialistPalliativeNurse,
        ),
        ended,
    ]
}

fn message(id: &str, author: &str, minute: i64, urgency: Urgency) -> Message {
    Message {
        id: id.to_owned(),
        conversation_id: "c-1".to_owned(),
        patient_id: PatientId::new("p-1"),
        author: PractitionerId::new(author),
        body: "Is the syringe driver running?".to_owned(),
        urgency,
        reply_by: None,
        section: None,
        task: None,
        sent_at: at(minute),
        escalated_at: None,
    }
}

#[test]
fn a_role_reaches_every_active_member_holding_it_but_not_the_sender() {
    let reached = recipients(
        &team(),
        &[Addressee::Role(CareTeamRole::DistrictNurse)],
        &PractitionerId::new("gp"),
    )
    .unwrap();
    assert_eq!(
        reached,
        [
            person("nurse"),
            Member::Service(OrganisationId::new("dn-team"))
        ],
        "the ended membership is not reached"
    );
    let from_nurse = recipients(
        &team(),
        &[
            Addressee::Role(CareTeamRole::DistrictNurse),
            Addressee::Member("m-1".to_owned()),
            Addressee::Member("m-1".to_owned()),
        ],
        &PractitionerId::new("nurse"),
    )
    .unwrap();
    assert_eq!(
        from_nurse,
        [
            Member::Service(OrganisationId::new("dn-team")),
            person("gp")
        ],
        "the sender is left out and the GP is reached once"
    );
}

#[test]
fn nobody_reached_or_a_former_member_is_refused() {
    let err = recipients(&team(), &[], &PractitionerId::new("gp")).unwrap_err();
    assert_eq!(err.field, "to");
    let err = recipients(
        &team(),
        &[Addressee::Member("m-5".to_owned())],
        &PractitionerId::new("gp"),
    )
    .unwrap_err();
    assert!(err.message.contains("no longer in the care team"), "{err}");
    let err = recipients(
        &team(),
        &[Addressee::Role(CareTeamRole::Physiotherapist)],
        &PractitionerId::new("gp"),
    )
    .unwrap_err();
    assert!(err.message.contains("Nobody else"), "{err}");
}

#[test]
fn addressees_parse_from_form_values() {
    assert_eq!(
        Addressee::parse("role:district-nurse").unwrap(),
        Addressee::Role(CareTeamRole::DistrictNurse)
    );
    assert_eq!(Addressee::parse("member:m-1").unwrap().code(), "member:m-1");
    for bad in ["", "role:wizard", "member:", "m-1", "team:x"] {
        assert!(Addressee::parse(bad).is_err(), "{bad:?} is refused");
    }
}

#[test]
fn a_draft_is_checked() {
    let patient = PatientId::new("p-1");
    let ids = || ("msg-1".to_owned(), "c-1".to_owned(), &patient);
    let author = PractitionerId::new("nurse");
    let draft = MessageDraft {
        body: "  Pain worse tonight.\r\nPlease call.  ".to_owned(),
        urgency: "urgent".to_owned(),
        reply_by: Some(at(60)),
        section: "crisis-plan".to_owned(),
        task: String::new(),
    };
    let message = draft.check(ids(), &author, at(0)).unwrap();
    assert_eq!(message.body, "Pain worse tonight.\nPlease call.");
    assert_eq!(message.urgency, Urgency::Urgent);
    assert_eq!(message.section, Some(Section::CrisisPlan));

    let refused = |draft: MessageDraft| draft.check(ids(), &author, at(0)).unwrap_err().field;
    let base = || MessageDraft {
        body: "Hello".to_owned(),
        urgency: "routine".to_owned(),
        ..Default::default()
    };
    assert_eq!(
        refused(MessageDraft {
            body: " ".to_owned(),
            ..base()
        }),
        "body"
    );
    assert_eq!(
        refused(MessageDraft {
            body: "x".repeat(MAX_BODY + 1),
            ..base()
        }),
        "body"
    );
    assert_eq!(
        refused(MessageDraft {
            body: "bell\u{7}".to_owned(),
            ..base()
        }),
        "body"
    );
    assert_eq!(
        refused(MessageDraft {
            urgency: "panic".to_owned(),
            ..base()
        }),
        "urgency"
    );
    assert_eq!(
        refused(MessageDraft {
            reply_by: Some(at(0)),
            ..base()
        }),
        "reply_by",
        "a reply-by time now or earlier"
    );
    assert_eq!(
        refused(MessageDraft {
            reply_by: Some(at(60 * 24 * 29)),
            ..base()
        }),
        "reply_by"
    );
    assert_eq!(
        refused(MessageDraft {
            section: "horoscope".to_owned(),
            ..base()
        }),
        "section"
    );
}

#[test]
fn an_unanswered_reply_by_escalates_once_and_an_answer_stops_it() {
    let mut asked = message("m-1", "nurse", 0, Urgency::Urgent);
    asked.reply_by = Some(at(30));
    let thread = vec![asked.clone()];
    assert!(unanswered(&thread, at(29)).is_empty(), "not yet due");
    assert_eq!(unanswered(&thread, at(30)).len(), 1, "due and unanswered");

    // The author writing again is not an answer.
    let thread = vec![asked.clone(), message("m-2", "nurse", 10, Urgency::Urgent)];
    assert_eq!(unanswered(&thread, at(31)).len(), 1);

    // A reply by someone else is, even after the reply-by time.
    let thread = vec![asked.clone(), message("m-3", "gp", 40, Urgency::Routine)];
    assert!(unanswered(&thread, at(45)).is_empty());

    // Once escalated it does not escalate again.
    let mut escalated = asked;
    escalated.escalated_at = Some(at(31));
    assert!(unanswered(&[escalated], at(60)).is_empty());
}

#[test]
fn back_and_forth_suggests_talking() {
    let authors = ["nurse", "gp", "nurse", "gp", "nurse"];
    let thread: Vec<Message> = authors
        .iter()
        .enumerate()
        .map(|(i, a)| message(&format!("m-{i}"), a, i as i64, Urgency::Routine))
        .collect();
    assert_eq!(
        suggest_talk(&thread[..4], false),
        None,
        "three turns is fine"
    );
    assert_eq!(
        suggest_talk(&thread, false),
        Some(TalkSuggestion::BackAndForth(4))
    );
    assert_eq!(
        suggest_talk(&thread, true),
        None,
        "not while a call is already proposed or agreed"
    );
    // Many messages from one person are not back and forth.
    let monologue: Vec<Message> = (0..6)
        .map(|i| message(&format!("m-{i}"), "nurse", i, Urgency::Routine))
        .collect();
    assert_eq!(suggest_talk(&monologue, false), None);
}

#[test]
fn urgent_and_complex_suggests_talking() {
    let two = vec![
        message("m-1", "nurse", 0, Urgency::Routine),
        message("m-2", "gp", 1, Urgency::Urgent),
    ];
    assert_eq!(suggest_talk(&two, false), None, "urgent but simple");
    let three = vec![
        message("m-1", "nurse", 0, Urgency::Routine),
        message("m-2", "nurse", 1, Urgency::Routine),
        message("m-3", "gp", 2, Urgency::Urgent),
    ];
    assert_eq!(
        suggest_talk(&three, false),
        Some(TalkSuggestion::UrgentAndComplex)
    );
    let routine_three = vec![
        message("m-1", "nurse", 0, Urgency::Urgent),
        message("m-2", "spc", 1, Urgency::Routine),
        message("m-3", "gp", 2, Urgency::Routine),
    ];
    assert_eq!(
        suggest_talk(&routine_three, false),
        None,
        "only when the latest message is urgent"
    );
}

#[test]
fn a_talk_request_is_agreed_by_the_other_side_and_held() {
    let ids = ("t-1".to_owned(), "c-1".to_owned(), &PatientId::new("p-1"));
    let nurse = PractitionerId::new("nurse");
    let gp = PractitionerId::new("gp");
    let mut talk =
        TalkRequest::propose(ids, &gp, "video", &[at(120), at(60), at(60)], at(0)).unwrap();
    assert_eq!(
        talk.proposed,
        [at(60), at(120)],
        "sorted, duplicates dropped"
    );
    assert_eq!(talk.state, TalkState::Proposed);

    assert!(
        talk.agree(at(60), &gp, at(1)).is_err(),
        "the requester cannot pick"
    );
    assert!(
        talk.agree(at(90), &nurse, at(1)).is_err(),
        "only a proposed time"
    );
    assert!(
        talk.record_outcome("done", &gp, at(200)).is_err(),
        "not agreed yet"
    );
    talk.agree(at(120), &nurse, at(1)).unwrap();
    assert_eq!(talk.state, TalkState::Agreed);
    assert_eq!(talk.scheduled_at, Some(at(120)));
    assert_eq!(talk.participants(), [&gp, &nurse]);
    assert!(talk.agree(at(60), &nurse, at(2)).is_err(), "agreed once");

    assert!(
        talk.record_outcome("Agreed to start midazolam", &gp, at(100))
            .is_err(),
        "not before the call"
    );
    assert!(
        talk.record_outcome("x", &PractitionerId::new("spc"), at(130))
            .is_err(),
        "only the two on the call"
    );
    talk.record_outcome("Agreed to start midazolam.", &nurse, at(130))
        .unwrap();
    assert_eq!(talk.state, TalkState::Held);
    assert_eq!(talk.outcome.as_deref(), Some("Agreed to start midazolam."));
}

#[test]
fn a_talk_request_needs_sensible_times() {
    let patient = PatientId::new("p-1");
    let ids = || ("t-1".to_owned(), "c-1".to_owned(), &patient);
    let gp = PractitionerId::new("gp");
    let field = |mode: &str, times: &[Timestamp]| {
        TalkRequest::propose(ids(), &gp, mode, times, at(0))
            .unwrap_err()
            .field
    };
    assert_eq!(field("carrier-pigeon", &[at(60)]), "mode");
    assert_eq!(field("phone", &[]), "times");
    assert_eq!(field("phone", &[at(1), at(2), at(3), at(4)]), "times");
    assert_eq!(field("phone", &[at(-5)]), "times");
    assert_eq!(field("phone", &[at(60 * 24 * 30)]), "times");
}

#[test]
fn a_mention_names_a_person_of_the_team_by_their_full_name() {
    let sarah = Member::Practitioner(PractitionerId::new("sarah"));
    let sam = Member::Practitioner(PractitionerId::new("sam"));
    let team = vec![
        (sarah.clone(), "Sarah Okafor".to_owned()),
        (sam.clone(), "Sam Lee".to_owned()),
        (
            Member::Service(crate::OrganisationId::new("dn")),
            "Ashby District Nurses".to_owned(),
        ),
    ];
    let gp = PractitionerId::new("gp");
    assert_eq!(
        mentioned("Could @sarah okafor visit tonight?", &team, &gp),
        vec![sarah.clone()]
    );
    assert_eq!(
        mentioned(
            "@Sam Lee and @Sarah Okafor: both please. @Sam Lee again.",
            &team,
            &gp
        ),
        vec![sarah.clone(), sam.clone()]
    );
    // Not a mention: no @, part of a longer name, a service, or the author themself.
    assert!(mentioned("Sarah Okafor visited.", &team, &gp).is_empty());
    assert!(mentioned("@Sam Leeming is new", &team, &gp).is_empty());
    assert!(mentioned("@Ashby District Nurses", &team, &gp).is_empty());
    assert!(mentioned("@Sarah Okafor", &team, &PractitionerId::new("sarah")).is_empty());
}

#[test]
fn a_message_links_a_task_by_its_id() {
    let draft = MessageDraft {
        body: "Done?".into(),
        urgency: "routine".into(),
        task: "task-1".into(),
        ..MessageDraft::default()
    };
    let made = draft
        .check(
            ("m".into(), "c".into(), &PatientId::new("p-1")),
            &PractitionerId::new("gp"),
            at(0),
        )
        .unwrap();
    assert_eq!(made.task.as_deref(), Some("task-1"));
    let bad = MessageDraft {
        task: "not an id!".into(),
        ..draft
    };
    assert_eq!(
        bad.check(
            ("m".into(), "c".into(), &PatientId::new("p-1")),
            &PractitionerId::new("gp"),
            at(0)
        )
        .unwrap_err()
        .field,
        "task"
    );
}

#[test]
fn a_conversation_brought_whole_keeps_the_rules_of_one_written_here() {
    let conversation = Conversation {
        id: "c1".to_owned(),
        patient_id: PatientId::new("p1"),
        topic: "  Pain at night ".to_owned(),
        started_by: PractitionerId::new("gp"),
        addressed_to: String::new(),
        started_at: at(0),
        last_message_at: at(5),
    };
    let mut thread = Thread {
        conversation,
        messages: vec![message("m1", "gp", 0, Urgency::Routine)],
        receipts: Vec::new(),
        talks: Vec::new(),
    };
    thread.messages[0].conversation_id = "c1".to_owned();
    thread.messages[0].patient_id = PatientId::new("p1");
    let checked = thread.clone().checked().unwrap();
    assert_eq!(
        checked.conversation.topic, "Pain at night",
        "trimmed as a topic typed here"
    );

    let mut empty = thread.clone();
    empty.messages.clear();
    let e = empty.checked().unwrap_err();
    assert!(e.message.contains("at least one message"), "{}", e.message);

    let mut elsewhere = thread.clone();
    elsewhere.messages[0].patient_id = PatientId::new("p2");
    let e = elsewhere.checked().unwrap_err();
    assert!(e.message.contains("about another patient"), "{}", e.message);

    let mut stray = thread;
    stray.receipts.push(Receipt {
        message_id: "m9".to_owned(),
        recipient: person("dn"),
        read_at: None,
        read_by: None,
    });
    let e = stray.checked().unwrap_err();
    assert!(
        e.message.contains("message m9, which is not in it"),
        "{}",
        e.message
    );
}
