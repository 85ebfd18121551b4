//! Tests of the advice line log: the draft's checks, out-of-hours boundaries and the summary.

use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};

use super::*;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

const NOW: &str = "2026-12-02T15:00:00Z";

fn draft() -> AdviceCallDraft {
    AdviceCallDraft {
        caller_name: " Sam Patel ".into(),
        caller_role: "district-nurse".into(),
        caller_organisation: "North Locality Nursing".into(),
        patient: Some(PatientId::new("p-1")),
        patient_description: String::new(),
        question: "Syringe driver alarm; patient agitated.\r\nWhat should I add?".into(),
        advice: "Check the line; midazolam 2.5 mg subcut as needed, up to hourly.".into(),
        outcome: "managed-at-home".into(),
        channel: String::new(),
    }
}

fn check(d: &AdviceCallDraft) -> Result<AdviceCall, ValidationError> {
    let now = at(NOW);
    d.check(
        "c-1".into(),
        &PractitionerId::new("cns"),
        now - SignedDuration::from_mins(20),
        now,
        false,
    )
}

#[test]
fn a_checked_call_keeps_what_was_typed() {
    let call = check(&draft()).unwrap();
    assert_eq!(call.id, "c-1");
    assert_eq!(call.caller_name, "Sam Patel");
    assert_eq!(call.caller_role, CallerRole::DistrictNurse);
    assert_eq!(
        call.caller_organisation.as_deref(),
        Some("North Locality Nursing")
    );
    assert_eq!(call.patient_id, Some(PatientId::new("p-1")));
    assert_eq!(call.patient_description, None);
    assert_eq!(
        call.question,
        "Syringe driver alarm; patient agitated.\nWhat should I add?"
    );
    assert_eq!(call.outcome, AdviceOutcome::ManagedAtHome);
    // No channel given: a phone call.
    assert_eq!(call.channel, AdviceChannel::Phone);
    assert_eq!(call.logged_by, PractitionerId::new("cns"));
    assert_eq!(call.received_at, at(NOW) - SignedDuration::from_mins(20));
    assert_eq!(call.logged_at, at(NOW));
    assert!(!call.out_of_hours);
}

#[test]
fn an_unregistered_patient_is_described_and_the_organisation_is_optional() {
    let call = check(&AdviceCallDraft {
        patient: None,
        patient_description: "Man in his 80s at Elm House, lung cancer".into(),
        caller_organisation: "  ".into(),
        caller_role: "care-home-nurse".into(),
        channel: "message".into(),
        ..draft()
    })
    .unwrap();
    assert_eq!(call.patient_id, None);
    assert_eq!(
        call.patient_description.as_deref(),
        Some("Man in his 80s at Elm House, lung cancer")
    );
    assert_eq!(call.caller_organisation, None);
    assert_eq!(call.channel, AdviceChannel::Message);
}

#[test]
fn each_required_field_missing_is_named() {
    let cases = [
        (
            "caller_name",
            "caller's name",
            AdviceCallDraft {
                caller_name: " ".into(),
                ..draft()
            },
        ),
        (
            "caller_role",
            "who is calling",
            AdviceCallDraft {
                caller_role: String::new(),
                ..draft()
            },
        ),
        (
            "question",
            "question",
            AdviceCallDraft {
                question: String::new(),
                ..draft()
            },
        ),
        (
            "advice",
            "advice",
            AdviceCallDraft {
                advice: "\n ".into(),
                ..draft()
            },
        ),
        (
            "outcome",
            "came of the advice",
            AdviceCallDraft {
                outcome: String::new(),
                ..draft()
            },
        ),
    ];
    for (field, words, d) in cases {
        let err = check(&d).unwrap_err();
        assert_eq!(err.field, field, "{err}");
        assert!(err.message.contains(words), "{err}");
    }
}

#[test]
fn unknown_codes_and_over_long_text_are_refused() {
    let long = |n: usize| "a".repeat(n);
    assert!(
        check(&AdviceCallDraft {
            caller_name: long(MAX_CALLER_TEXT),
            caller_organisation: long(MAX_CALLER_TEXT),
            patient_description: long(MAX_PATIENT_DESCRIPTION),
            question: long(MAX_QUESTION),
            advice: long(MAX_ADVICE),
            ..draft()
        })
        .is_ok()
    );
    let cases = [
        (
            "caller_name",
            AdviceCallDraft {
                caller_name: long(MAX_CALLER_TEXT + 1),
                ..draft()
            },
        ),
        (
            "caller_name",
            AdviceCallDraft {
                caller_name: "Sam\nPatel".into(),
                ..draft()
            },
        ),
        (
            "caller_organisation",
            AdviceCallDraft {
                caller_organisation: long(MAX_CALLER_TEXT + 1),
                ..draft()
            },
        ),
        (
            "patient_description",
            AdviceCallDraft {
                patient_description: long(MAX_PATIENT_DESCRIPTION + 1),
                ..draft()
            },
        ),
        (
            "question",
            AdviceCallDraft {
                question: long(MAX_QUESTION + 1),
                ..draft()
            },
        ),
        (
            "advice",
            AdviceCallDraft {
                advice: long(MAX_ADVICE + 1),
                ..draft()
            },
        ),
        (
            "caller_role",
            AdviceCallDraft {
                caller_role: "astronaut".into(),
                ..draft()
            },
        ),
        (
            "outcome",
            AdviceCallDraft {
                outcome: "advice-only".into(),
                ..draft()
            },
        ),
        (
            "channel",
            AdviceCallDraft {
                channel: "fax".into(),
                ..draft()
            },
        ),
    ];
    for (field, d) in cases {
        let err = check(&d).unwrap_err();
        assert_eq!(err.field, field, "{err}");
    }
}

#[test]
fn calls_are_logged_once_they_came_and_within_seven_days() {
    let now = at(NOW);
    let by = PractitionerId::new("cns");
    let log = |received: Timestamp| draft().check("c-1".into(), &by, received, now, true);
    assert!(log(now).is_ok());
    assert!(log(now - MAX_LOG_DELAY).is_ok());
    let future = log(now + SignedDuration::from_secs(1)).unwrap_err();
    assert_eq!(future.field, "received_at");
    assert!(future.message.contains("future"), "{future}");
    let old = log(now - MAX_LOG_DELAY - SignedDuration::from_secs(1)).unwrap_err();
    assert_eq!(old.field, "received_at");
    assert!(old.message.contains("same day"), "{old}");
    assert!(log(now).unwrap().out_of_hours);
}

#[test]
fn core_hours_are_weekdays_from_eight_until_half_past_six() {
    // Wednesday 2 December 2026.
    let wednesday = date(2026, 12, 2);
    assert!(is_out_of_hours(wednesday.at(7, 59, 59, 999_999_999), false));
    assert!(!is_out_of_hours(wednesday.at(8, 0, 0, 0), false));
    assert!(!is_out_of_hours(wednesday.at(12, 0, 0, 0), false));
    assert!(!is_out_of_hours(
        wednesday.at(18, 29, 59, 999_999_999),
        false
    ));
    assert!(is_out_of_hours(wednesday.at(18, 30, 0, 0), false));
    assert!(is_out_of_hours(wednesday.at(23, 0, 0, 0), false));
    assert!(is_out_of_hours(wednesday.at(0, 0, 0, 0), false));
    // Monday and Friday are in hours at noon; the weekend is not.
    assert!(!is_out_of_hours(date(2026, 11, 30).at(12, 0, 0, 0), false));
    assert!(!is_out_of_hours(date(2026, 12, 4).at(12, 0, 0, 0), false));
    assert!(is_out_of_hours(date(2026, 12, 5).at(12, 0, 0, 0), false));
    assert!(is_out_of_hours(date(2026, 12, 6).at(12, 0, 0, 0), false));
    // A bank holiday Monday (31 August 2026) at noon is out of hours.
    let bank_holiday = date(2026, 8, 31).at(12, 0, 0, 0);
    assert!(is_out_of_hours(bank_holiday, true));
    assert!(!is_out_of_hours(bank_holiday, false));
}

fn call(outcome: AdviceOutcome, out_of_hours: bool) -> AdviceCall {
    let now = at(NOW);
    draft()
        .check(
            "c".into(),
            &PractitionerId::new("cns"),
            now,
            now,
            out_of_hours,
        )
        .map(|c| AdviceCall { outcome, ..c })
        .unwrap()
}

#[test]
fn the_summary_counts_every_outcome_in_order() {
    let empty = advice_week(&[]);
    assert_eq!(empty.total, 0);
    assert_eq!(empty.out_of_hours, 0);
    assert_eq!(
        empty.by_outcome,
        AdviceOutcome::ALL
            .iter()
            .map(|o| (*o, 0))
            .collect::<Vec<_>>()
    );
    let calls = [
        call(AdviceOutcome::ManagedAtHome, true),
        call(AdviceOutcome::ManagedAtHome, false),
        call(AdviceOutcome::Admission, true),
        call(AdviceOutcome::Other, false),
        call(AdviceOutcome::ManagedAtHome, true),
    ];
    let week = advice_week(&calls);
    assert_eq!(week.total, 5);
    assert_eq!(week.out_of_hours, 3);
    assert_eq!(
        week.by_outcome,
        [
            (AdviceOutcome::ManagedAtHome, 3),
            (AdviceOutcome::VisitArranged, 0),
            (AdviceOutcome::Admission, 1),
            (AdviceOutcome::Referral, 0),
            (AdviceOutcome::Other, 1),
        ]
    );
}

#[test]
fn codes_are_stable() {
    let codes = CallerRole::ALL.iter().map(|r| r.code()).collect::<Vec<_>>();
    assert_eq!(
        codes.join(","),
        "gp,district-nurse,community-nurse,care-home-nurse,ooh-doctor,paramedic,hospital-doctor,pharmacist,patient,family-carer,other"
    );
    let outcomes = AdviceOutcome::ALL
        .iter()
        .map(|o| o.code())
        .collect::<Vec<_>>();
    assert_eq!(
        outcomes.join(","),
        "managed-at-home,visit-arranged,admission,referral,other"
    );
    assert_eq!(
        AdviceChannel::from_code("phone"),
        Some(AdviceChannel::Phone)
    );
    assert_eq!(
        AdviceChannel::from_code("message"),
        Some(AdviceChannel::Message)
    );
}
