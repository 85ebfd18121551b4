//! Tests of the transition rules: moves, risk flags (local time, holidays), the complexity rule,
//! the discharge state machine, and letter completeness and timeliness.

use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::*;

fn london() -> TimeZone {
    TimeZone::get("Europe/London").unwrap()
}

/// A local time in London.
fn local(y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
    date(y, m, d)
        .at(h, min, 0, 0)
        .to_zoned(london())
        .unwrap()
        .timestamp()
}

fn all_in_place() -> DischargeFacts {
    DischargeFacts {
        anticipatory_medicines_prescribed: true,
        crisis_plan: true,
        carer_at_home: true,
    }
}

fn flags(planned: Timestamp, notified: Timestamp, facts: DischargeFacts) -> Vec<RiskFlag> {
    risk_flags(
        (planned, notified),
        (&london(), &england_and_wales_bank_holidays()),
        &DischargeRules::default(),
        facts,
        (None, None),
    )
}

#[test]
fn a_friday_half_past_four_discharge_is_flagged() {
    // Friday 20 November 2026, 16:30, with two days' notice.
    let planned = local(2026, 11, 20, 16, 30);
    let got = flags(
        planned,
        planned - SignedDuration::from_hours(48),
        all_in_place(),
    );
    assert_eq!(got, vec![RiskFlag::FridayAfternoon, RiskFlag::Late]);
}

#[test]
fn a_tuesday_morning_discharge_with_notice_and_everything_in_place_is_not() {
    // Tuesday 24 November 2026, 10:00, 48 hours' notice, checklist complete.
    let planned = local(2026, 11, 24, 10, 0);
    let got = risk_flags(
        (planned, planned - SignedDuration::from_hours(48)),
        (&london(), &england_and_wales_bank_holidays()),
        &DischargeRules::default(),
        all_in_place(),
        (Some(false), Some(true)),
    );
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn weekends_holidays_short_notice_and_missing_things_are_flagged() {
    let saturday = local(2026, 11, 21, 10, 0);
    assert_eq!(
        flags(
            saturday,
            saturday - SignedDuration::from_hours(30),
            all_in_place()
        ),
        vec![RiskFlag::Weekend]
    );
    let boxing_day_observed = local(2026, 12, 28, 11, 0);
    assert_eq!(
        flags(
            boxing_day_observed,
            boxing_day_observed - SignedDuration::from_hours(30),
            all_in_place()
        ),
        vec![RiskFlag::PublicHoliday]
    );
    let tuesday = local(2026, 11, 24, 10, 0);
    assert_eq!(
        flags(
            tuesday,
            tuesday - SignedDuration::from_hours(3),
            DischargeFacts::default()
        ),
        vec![
            RiskFlag::ShortNotice,
            RiskFlag::NoAnticipatoryMedicines,
            RiskFlag::NoCrisisPlan,
            RiskFlag::NoCarer,
        ]
    );
    let open_and_unaccepted = risk_flags(
        (tuesday, tuesday - SignedDuration::from_hours(48)),
        (&london(), &[]),
        &DischargeRules::default(),
        all_in_place(),
        (Some(true), Some(false)),
    );
    assert_eq!(
        open_and_unaccepted,
        vec![RiskFlag::ChecklistOpen, RiskFlag::NotAccepted]
    );
}

#[test]
fn the_rules_read_local_time_and_are_configurable() {
    // 14:30 UTC in July is 15:30 in London (summer time): late there, not in UTC.
    let summer = "2026-07-14T14:30:00Z".parse::<Timestamp>().unwrap();
    let notified = summer - SignedDuration::from_hours(48);
    assert!(flags(summer, notified, all_in_place()).contains(&RiskFlag::Late));
    let utc = risk_flags(
        (summer, notified),
        (&TimeZone::UTC, &[]),
        &DischargeRules::default(),
        all_in_place(),
        (None, None),
    );
    assert!(utc.is_empty());
    // A rule of 72 hours' notice flags 48; holidays come from the configuration.
    let strict = DischargeRules {
        min_notice: SignedDuration::from_hours(72),
        ..DischargeRules::default()
    };
    let tuesday = local(2026, 11, 24, 10, 0);
    let got = risk_flags(
        (tuesday, tuesday - SignedDuration::from_hours(48)),
        (&london(), &[date(2026, 11, 24)]),
        &strict,
        all_in_place(),
        (None, None),
    );
    assert_eq!(got, vec![RiskFlag::PublicHoliday, RiskFlag::ShortNotice]);
}

#[test]
fn a_complex_discharge_needs_a_planning_meeting() {
    let rule = ComplexityRule::default();
    assert!(!rule.needs_meeting(Complexity::default()));
    for c in [
        Complexity {
            unstable_or_deteriorating: true,
            ..Complexity::default()
        },
        Complexity {
            new_syringe_driver: true,
            ..Complexity::default()
        },
        Complexity {
            no_carer: true,
            ..Complexity::default()
        },
    ] {
        assert!(rule.needs_meeting(c), "{c:?}");
    }
    let lenient = ComplexityRule {
        no_carer: false,
        ..ComplexityRule::default()
    };
    assert!(!lenient.needs_meeting(Complexity {
        no_carer: true,
        ..Complexity::default()
    }));
    assert!(checklist_for(true).contains(&ChecklistItem::PlanningMeeting));
    assert!(!checklist_for(false).contains(&ChecklistItem::PlanningMeeting));
    assert_eq!(checklist_for(false).len(), ChecklistItem::ALL.len() - 1);
}

fn hospital_stay() -> Stay {
    StayDraft {
        place: "hospital".into(),
        detail: "Ward 7".into(),
        emergency: true,
        reason: "Breathless, COPD exacerbation".into(),
        ..StayDraft::default()
    }
    .check(
        ("s-1".into(), &PatientId::new("p-1")),
        None,
        &PractitionerId::new("ward"),
        local(2026, 11, 18, 9, 0),
    )
    .unwrap()
}

#[test]
fn an_emergency_admission_needs_a_reason_and_tells_the_team() {
    let stay = hospital_stay();
    assert!(stay.notifies_team());
    let no_reason = StayDraft {
        place: "hospital".into(),
        emergency: true,
        ..StayDraft::default()
    }
    .check(
        ("s-2".into(), &PatientId::new("p-1")),
        None,
        &PractitionerId::new("w"),
        local(2026, 11, 18, 9, 0),
    );
    assert_eq!(no_reason.unwrap_err().field, "reason");
    let same = StayDraft {
        place: "hospital".into(),
        ..StayDraft::default()
    }
    .check(
        ("s-3".into(), &PatientId::new("p-1")),
        Some(&stay),
        &PractitionerId::new("w"),
        local(2026, 11, 18, 10, 0),
    );
    assert_eq!(same.unwrap_err().field, "place");
    let future = StayDraft {
        place: "home".into(),
        started_at: Some(local(2026, 11, 19, 10, 0)),
        ..StayDraft::default()
    }
    .check(
        ("s-4".into(), &PatientId::new("p-1")),
        Some(&stay),
        &PractitionerId::new("w"),
        local(2026, 11, 18, 10, 0),
    );
    assert_eq!(future.unwrap_err().field, "started_at");
    let home = StayDraft {
        place: "home".into(),
        emergency: true,
        ..StayDraft::default()
    }
    .check(
        ("s-5".into(), &PatientId::new("p-1")),
        Some(&stay),
        &PractitionerId::new("w"),
        local(2026, 11, 18, 10, 0),
    )
    .unwrap();
    assert!(!home.emergency && !home.notifies_team());
}

fn planned() -> Discharge {
    DischargeDraft {
        planned_at: Some(local(2026, 11, 24, 10, 0)),
        destination: String::new(),
        complexity: Complexity {
            no_carer: true,
            ..Complexity::default()
        },
    }
    .check(
        ("d-1".into(), &hospital_stay()),
        Some(PractitionerId::new("dn")),
        (&ComplexityRule::default(), &PractitionerId::new("ward")),
        local(2026, 11, 20, 10, 0),
    )
    .unwrap()
}

#[test]
fn a_discharge_goes_planned_ready_accepted_discharged() {
    let mut d = planned();
    assert!(d.complex);
    assert_eq!(d.destination, PlaceKind::Home);
    let (ward, dn) = (PractitionerId::new("ward"), PractitionerId::new("dn"));
    let at = local(2026, 11, 23, 12, 0);
    assert!(
        d.step(DischargeStep::Accept, &dn, at).is_err(),
        "not ready yet"
    );
    d.step(DischargeStep::Ready, &ward, at).unwrap();
    assert!(d.step(DischargeStep::Ready, &ward, at).is_err());
    d.step(DischargeStep::Accept, &dn, at).unwrap();
    assert!(d.step(DischargeStep::Accept, &dn, at).is_err());
    d.step(DischargeStep::Discharge, &ward, at).unwrap();
    assert_eq!(d.state, DischargeState::Discharged);
    assert!(!d.without_acceptance());
    assert_eq!(d.version, 4);
    for step in [
        DischargeStep::Ready,
        DischargeStep::Accept,
        DischargeStep::Discharge,
        DischargeStep::Cancel,
    ] {
        let before = d.clone();
        assert!(d.step(step, &ward, at).is_err());
        assert_eq!(d, before, "a refused step changes nothing");
    }
}

#[test]
fn a_patient_can_leave_without_acceptance_and_that_is_flagged() {
    let mut d = planned();
    d.step(
        DischargeStep::Discharge,
        &PractitionerId::new("ward"),
        local(2026, 11, 24, 10, 0),
    )
    .unwrap();
    assert!(d.without_acceptance());
    let mut c = planned();
    c.step(
        DischargeStep::Cancel,
        &PractitionerId::new("ward"),
        local(2026, 11, 21, 10, 0),
    )
    .unwrap();
    assert_eq!(c.state, DischargeState::Cancelled);
}

#[test]
fn a_discharge_is_planned_ahead_from_a_stay_away_from_home() {
    let stay = hospital_stay();
    let plan = |at: Option<Timestamp>, destination: &str| {
        DischargeDraft {
            planned_at: at,
            destination: destination.into(),
            complexity: Complexity::default(),
        }
        .check(
            ("d".into(), &stay),
            None,
            (&ComplexityRule::default(), &PractitionerId::new("w")),
            local(2026, 11, 20, 10, 0),
        )
    };
    assert_eq!(plan(None, "").unwrap_err().field, "planned_at");
    assert_eq!(
        plan(Some(local(2026, 11, 20, 9, 0)), "").unwrap_err().field,
        "planned_at"
    );
    assert_eq!(
        plan(Some(local(2026, 11, 21, 9, 0)), "hospital")
            .unwrap_err()
            .field,
        "destination"
    );
    assert_eq!(
        plan(Some(local(2026, 11, 21, 9, 0)), "hospice")
            .unwrap()
            .destination,
        PlaceKind::Hospice
    );
}

#[test]
fn letter_completeness_lists_what_is_missing() {
    let empty = Letter::default();
    assert_eq!(empty.completeness(), 0);
    assert_eq!(empty.missing().len(), 9);
    // The worst case: "no more treatment to offer", nothing about painkillers.
    let worst = Letter {
        diagnosis: "COPD, type 2 respiratory failure. No more treatment to offer.".into(),
        hospital_contact: "Ward 7, 01632 960 700".into(),
        ..Letter::default()
    };
    assert_eq!(worst.completeness(), 22);
    assert!(worst.missing().contains(&"Anticipatory medicines"));
    assert!(worst.missing().contains(&"Symptom plan"));
    let full = Letter {
        diagnosis: "d".into(),
        what_was_told: "w".into(),
        treatment_changes: "t".into(),
        medicines: "m".into(),
        anticipatory_medicines: "a".into(),
        symptom_plan: "s".into(),
        resuscitation: "r".into(),
        follow_up: "f".into(),
        hospital_contact: "h".into(),
    };
    assert_eq!(full.completeness(), 100);
    assert!(full.missing().is_empty());
    let bad = Letter {
        medicines: "a\u{7}b".into(),
        ..Letter::default()
    };
    assert_eq!(bad.checked().unwrap_err().field, "medicines");
}

#[test]
fn timeliness_compares_the_letter_with_the_arrival_in_local_days() {
    let arrived = local(2026, 11, 24, 10, 0);
    let tz = london();
    assert_eq!(timeliness(None, arrived, &tz), Timeliness::NotSent);
    assert_eq!(
        timeliness(Some(arrived - SignedDuration::from_mins(1)), arrived, &tz),
        Timeliness::BeforeArrival
    );
    assert_eq!(
        timeliness(Some(local(2026, 11, 24, 23, 0)), arrived, &tz),
        Timeliness::SameDay
    );
    assert_eq!(
        timeliness(Some(local(2026, 11, 25, 0, 30)), arrived, &tz),
        Timeliness::Later
    );
}

#[test]
fn a_discharge_brought_whole_has_its_stay_and_the_steps_its_state_needs() {
    let stay = hospital_stay();
    let record = |d: Discharge| DischargeRecord {
        stored: StoredDischarge {
            discharge: d,
            letter: None,
            letter_sent_at: None,
        },
        checklist: Vec::new(),
    };
    let good = record(planned());
    assert!(good.checked(std::slice::from_ref(&stay)).is_ok());
    let e = good.checked(&[]).unwrap_err();
    assert!(e.message.contains("the stay it ends"), "{}", e.message);

    let mut gone = planned();
    gone.state = DischargeState::Discharged;
    let e = record(gone)
        .checked(std::slice::from_ref(&stay))
        .unwrap_err();
    assert!(
        e.message.contains("the time the patient left"),
        "{}",
        e.message
    );

    let mut twice = record(planned());
    let line = ChecklistLine {
        item: ChecklistItem::Transport,
        owner: Member::Practitioner(PractitionerId::new("ward")),
        done: None,
    };
    twice.checklist = vec![line.clone(), line];
    let e = twice.checked(std::slice::from_ref(&stay)).unwrap_err();
    assert!(e.message.contains("twice"), "{}", e.message);
}
