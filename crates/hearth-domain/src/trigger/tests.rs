//! Tests of the trigger rules: each kind's condition, activity, versioning and responses.

use jiff::{SignedDuration, Timestamp};

use super::*;

fn now() -> Timestamp {
    "2026-12-02T10:00:00Z".parse().unwrap()
}

fn days_ago(n: i64) -> Timestamp {
    now() - SignedDuration::from_hours(24 * n)
}

fn admin() -> PractitionerId {
    PractitionerId::new("admin")
}

fn draft(kind: &str, threshold: &str, window: &str) -> RuleDraft {
    RuleDraft {
        name: "A rule".into(),
        kind: kind.into(),
        threshold: threshold.into(),
        phase: "unstable".into(),
        window_days: window.into(),
        suggests: "referral".into(),
        active: true,
        rationale: "Because".into(),
        source: "A source".into(),
    }
}

fn rule(kind: &str, threshold: &str, window: &str) -> Rule {
    draft(kind, threshold, window)
        .check(kind, None, &admin(), now())
        .unwrap()
}

fn facts(event: Event) -> Facts<'static> {
    Facts {
        event,
        ipos: None,
        esas: None,
        akps: &[],
        phase: None,
        unplanned_admissions: &[],
        now: now(),
    }
}

fn esas(scores: [&str; 9]) -> Esas {
    let scores: Vec<String> = scores.iter().map(|s| (*s).to_owned()).collect();
    Esas::check("patient", &scores, ("", "")).unwrap()
}

#[test]
fn esas_rule_fires_on_any_symptom_at_or_above_the_threshold_and_names_it() {
    let rules = [rule("esas-symptom", "7", "")];
    let breathless = esas(["2", "5", "1", "0", "3", "8", "2", "4", "5"]);
    let fired = evaluate(
        &rules,
        &Facts {
            esas: Some(&breathless),
            ..facts(Event::Esas)
        },
    );
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].rule_version, 1);
    assert_eq!(
        fired[0].reason,
        "ESAS-r: Shortness of breath 8 (severe) (rule: any ESAS-r symptom 7 or more)."
    );
    let calm = esas(["2", "6", "1", "0", "3", "6", "2", "4", "5"]);
    assert!(
        evaluate(
            &rules,
            &Facts {
                esas: Some(&calm),
                ..facts(Event::Esas)
            }
        )
        .is_empty()
    );
}

#[test]
fn ipos_rule_fires_on_any_item_including_other_symptoms() {
    let texts = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let rules = [rule("ipos-item", "3", "")];
    let low = Ipos::check(
        ("patient", "3-day"),
        &[],
        (&texts(&["1"; 10]), &[("Itch".into(), "3".into())]),
        &texts(&["0"; 7]),
    )
    .unwrap();
    let fired = evaluate(
        &rules,
        &Facts {
            ipos: Some(&low),
            ..facts(Event::Ipos)
        },
    );
    assert_eq!(fired.len(), 1);
    assert!(
        fired[0].reason.starts_with("IPOS: Itch 3"),
        "{}",
        fired[0].reason
    );
    let mut items = texts(&["0"; 7]);
    items[6] = "2".into();
    let fine = Ipos::check(("patient", "3-day"), &[], (&texts(&["2"; 10]), &[]), &items).unwrap();
    assert!(
        evaluate(
            &rules,
            &Facts {
                ipos: Some(&fine),
                ..facts(Event::Ipos)
            }
        )
        .is_empty()
    );
}

#[test]
fn phase_rule_fires_only_on_its_phase() {
    let rules = [rule("phase", "", "")];
    let on = |phase| {
        evaluate(
            &rules,
            &Facts {
                phase: Some(phase),
                ..facts(Event::Phase)
            },
        )
    };
    assert_eq!(on(Phase::Unstable).len(), 1);
    assert!(on(Phase::Deteriorating).is_empty());
    assert!(on(Phase::Stable).is_empty());
}

#[test]
fn akps_rules_fire_on_a_low_level_and_on_a_fall_within_the_period() {
    let low = [rule("akps-low", "40", "")];
    let fall = [rule("akps-fall", "20", "30")];
    let series = [(days_ago(40), 70), (days_ago(20), 60), (now(), 40)];
    let akps = Facts {
        akps: &series,
        ..facts(Event::Akps)
    };
    assert_eq!(
        evaluate(&low, &akps)[0].reason,
        "AKPS 40 (rule: AKPS 40 or less)."
    );
    // 70 is outside the 30 days; 60 → 40 is a fall of 20 within them.
    assert_eq!(
        evaluate(&fall, &akps)[0].reason,
        "AKPS fell from 60 to 40 within 30 days (rule: AKPS falls by 20 or more within 30 days)."
    );
    let slow = [(days_ago(40), 70), (days_ago(20), 50), (now(), 50)];
    let steady = Facts {
        akps: &slow,
        ..facts(Event::Akps)
    };
    assert!(evaluate(&fall, &steady).is_empty());
    assert!(evaluate(&low, &steady).is_empty());
}

#[test]
fn admissions_rule_counts_unplanned_admissions_within_the_period() {
    let rules = [rule("admissions", "2", "90")];
    let two = [days_ago(100), days_ago(60), days_ago(3)];
    let fired = evaluate(
        &rules,
        &Facts {
            unplanned_admissions: &two,
            ..facts(Event::Admission)
        },
    );
    assert_eq!(
        fired[0].reason,
        "2 unplanned admissions within 90 days (rule: 2 or more unplanned admissions within 90 days)."
    );
    let one = [days_ago(100), days_ago(3)];
    assert!(
        evaluate(
            &rules,
            &Facts {
                unplanned_admissions: &one,
                ..facts(Event::Admission)
            }
        )
        .is_empty()
    );
}

#[test]
fn only_active_rules_about_the_arriving_data_run() {
    let mut off = rule("esas-symptom", "7", "");
    off.active = false;
    let severe = esas(["9"; 9]);
    let with = Facts {
        esas: Some(&severe),
        ..facts(Event::Esas)
    };
    assert!(evaluate(&[off], &with).is_empty());
    // An ESAS-r rule does not run when an AKPS arrives, even with a severe ESAS-r on record.
    let on = rule("esas-symptom", "7", "");
    assert!(
        evaluate(
            std::slice::from_ref(&on),
            &Facts {
                event: Event::Akps,
                ..with
            }
        )
        .is_empty()
    );
    assert_eq!(evaluate(&[on], &with).len(), 1);
}

#[test]
fn an_edit_is_a_new_version_that_keeps_the_kind_and_must_change_something() {
    let v1 = rule("esas-symptom", "7", "");
    let mut edit = RuleDraft::of(&v1);
    assert!(edit.check(&v1.id, Some(&v1), &admin(), now()).is_err());
    edit.threshold = "8".into();
    let v2 = edit.check(&v1.id, Some(&v1), &admin(), now()).unwrap();
    assert_eq!(
        (v2.id.as_str(), v2.version, v2.threshold),
        ("esas-symptom", 2, 8)
    );
    edit.kind = "ipos-item".into();
    let err = edit.check(&v1.id, Some(&v2), &admin(), now()).unwrap_err();
    assert_eq!(err.field, "kind");
    // Fired suggestions name the version that fired them.
    let severe = esas(["1", "1", "1", "1", "1", "7", "1", "1", "1"]);
    let f = Facts {
        esas: Some(&severe),
        ..facts(Event::Esas)
    };
    assert_eq!(evaluate(std::slice::from_ref(&v1), &f)[0].rule_version, 1);
    assert!(evaluate(&[v2], &f).is_empty());
}

#[test]
fn drafts_out_of_range_are_refused_with_the_field_named() {
    for (kind, threshold, window, field) in [
        ("esas-symptom", "11", "", "threshold"),
        ("esas-symptom", "0", "", "threshold"),
        ("ipos-item", "5", "", "threshold"),
        ("akps-low", "45", "", "threshold"),
        ("akps-fall", "20", "", "window_days"),
        ("admissions", "2", "400", "window_days"),
        ("nonsense", "2", "", "kind"),
    ] {
        let err = draft(kind, threshold, window)
            .check("r", None, &admin(), now())
            .unwrap_err();
        assert_eq!(err.field, field, "{kind} {threshold} {window}");
    }
    let mut no_source = draft("akps-low", "40", "");
    no_source.source = " ".into();
    assert_eq!(
        no_source
            .check("r", None, &admin(), now())
            .unwrap_err()
            .field,
        "source"
    );
    let mut no_phase = draft("phase", "", "");
    no_phase.phase = "calm".into();
    assert_eq!(
        no_phase
            .check("r", None, &admin(), now())
            .unwrap_err()
            .field,
        "phase"
    );
}

fn suggestion() -> Suggestion {
    Suggestion {
        id: "s".into(),
        patient_id: crate::PatientId::new("p"),
        rule_id: "esas-symptom".into(),
        rule_version: 1,
        suggests: Suggests::Referral,
        reason: "ESAS-r".into(),
        fired_at: days_ago(1),
        response: None,
    }
}

#[test]
fn responses_are_checked_and_hold_the_rule_back_as_they_say() {
    let s = suggestion();
    let by = PractitionerId::new("gp");
    assert!(s.holds_back(now()));
    assert_eq!(
        s.answer(("maybe", "", None), &by, now()).unwrap_err().field,
        "response"
    );
    assert_eq!(
        s.answer(("not-needed", "", None), &by, now())
            .unwrap_err()
            .field,
        "note"
    );
    assert_eq!(
        s.answer(("deferred", "", None), &by, now())
            .unwrap_err()
            .field,
        "until"
    );
    assert_eq!(
        s.answer(("deferred", "", Some(days_ago(1))), &by, now())
            .unwrap_err()
            .field,
        "until"
    );
    let later = now() + SignedDuration::from_hours(24 * 7);
    let deferred = s.answer(("deferred", "", Some(later)), &by, now()).unwrap();
    let mut answered = Suggestion {
        response: Some(deferred),
        ..s.clone()
    };
    assert!(answered.holds_back(now()));
    assert!(!answered.holds_back(later));
    assert!(answered.answer(("referred", "", None), &by, now()).is_err());
    // When the date comes, the team is asked again and may answer.
    assert!(!answered.is_due(now()));
    assert!(answered.is_due(later));
    assert!(answered.answer(("referred", "", None), &by, later).is_ok());
    answered.response = Some(
        s.answer(("not-needed", "Seen yesterday", None), &by, now())
            .unwrap(),
    );
    assert!(answered.holds_back(now() + SignedDuration::from_hours(24 * 13)));
    assert!(!answered.holds_back(now() + QUIET_AFTER_NOT_NEEDED));
    answered.response = Some(s.answer(("referred", "", None), &by, now()).unwrap());
    assert!(!answered.holds_back(now()));
}

#[test]
fn usefulness_counts_each_response() {
    let by = PractitionerId::new("gp");
    let open = suggestion();
    let referred = Suggestion {
        response: Some(open.answer(("referred", "", None), &by, now()).unwrap()),
        ..suggestion()
    };
    let not_needed = Suggestion {
        response: Some(
            open.answer(("not-needed", "Known", None), &by, now())
                .unwrap(),
        ),
        ..suggestion()
    };
    let u = usefulness([&open, &referred, &referred, &not_needed]);
    assert_eq!(
        u,
        Usefulness {
            fired: 4,
            referred: 2,
            not_needed: 1,
            deferred: 0,
            open: 1
        }
    );
}
