//! Storage stories of issue 8: assessments and phases read back, trigger rules are versioned
//! rows with the shipped set in force, one open suggestion per rule and patient, and referrals
//! follow their state machine with the times of every step.

use hearth_domain::assessment::{Esas, Measure, PhaseEpisode, next_phase};
use hearth_domain::organisation::NewOrganisation;
use hearth_domain::referral::{ReferralDraft, ReferralState, ReferralStep, TriagePriority};
use hearth_domain::trigger::{RuleDraft, Suggestion, Suggests};
use hearth_domain::{OrganisationId, PatientId, PractitionerId};
use hearth_testkit::{TestDatabase, on_both_backends, start_time};
use jiff::SignedDuration;

use super::{patient, service_members};

async fn region(db: &TestDatabase) -> (OrganisationId, PractitionerId) {
    let org = NewOrganisation {
        name: "Westvale Hospice".into(),
        kind: "specialist-palliative-care".into(),
        ..Default::default()
    }
    .validate(OrganisationId::new("org-spc"), start_time())
    .unwrap();
    let nurse = hearth_domain::practitioner::NewPractitioner {
        given_name: "Ruth".into(),
        family_name: "Jameson".into(),
    }
    .validate(PractitionerId::new("pr-1"), start_time())
    .unwrap();
    let mut tx = db.store.begin_write().await.unwrap();
    tx.insert_organisation(&org).await.unwrap();
    tx.insert_practitioner(&nurse).await.unwrap();
    tx.insert_patient(&patient("p-1", "Edith", "Carter", "9434765919", &org.id))
        .await
        .unwrap();
    tx.insert_care_team_members(&service_members(&["p-1"], &org.id))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (org.id, nurse.id)
}

fn esas(breath: &str) -> Measure {
    let mut scores = vec!["2".to_owned(); 9];
    scores[5] = breath.to_owned();
    Measure::Esas(Esas::check("patient", &scores, ("", "")).unwrap())
}

/// Assessments come back whole and in time order, the latest two of each instrument come
/// back for the direction, phases come back in order, and the shipped rules are in force.
async fn assessments_phases_and_rules_read_back(backend: hearth_testkit::Backend) {
    let Some(db) = TestDatabase::new(backend, "assessments_phases_and_rules_read_back").await
    else {
        return;
    };
    let (_, nurse) = region(&db).await;
    let p = PatientId::new("p-1");
    let mut tx = db.store.begin_write().await.unwrap();
    for (n, breath) in ["3", "5", "8"].iter().enumerate() {
        let at = start_time() + SignedDuration::from_hours(24 * n as i64);
        tx.insert_assessment(&hearth_domain::assessment::Assessment {
            id: format!("a-{n}"),
            patient_id: p.clone(),
            measure: esas(breath),
            assessed_at: at,
            assessor: nurse.clone(),
            recorded_at: at,
        })
        .await
        .unwrap();
    }
    tx.insert_assessment(&hearth_domain::assessment::Assessment {
        id: "a-akps".into(),
        patient_id: p.clone(),
        measure: Measure::Akps(40),
        assessed_at: start_time(),
        assessor: nurse.clone(),
        recorded_at: start_time(),
    })
    .await
    .unwrap();
    let first = next_phase(None, "deteriorating", start_time(), start_time()).unwrap();
    assert!(
        tx.insert_phase(&p, &first, &nurse, start_time())
            .await
            .unwrap()
    );
    assert!(
        !tx.insert_phase(&p, &first, &nurse, start_time())
            .await
            .unwrap(),
        "one phase per moment"
    );
    let later = start_time() + SignedDuration::from_hours(30);
    let unstable = next_phase(Some(&first), "unstable", later, later).unwrap();
    assert!(tx.insert_phase(&p, &unstable, &nurse, later).await.unwrap());
    tx.commit().await.unwrap();

    let mut tx = db.store.begin_read().await.unwrap();
    let all = tx.assessments_of(&p, start_time()).await.unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all.last().unwrap().measure, esas("8"));
    let since = tx
        .assessments_of(&p, start_time() + SignedDuration::from_hours(1))
        .await
        .unwrap();
    assert_eq!(since.len(), 2);
    let latest = tx.latest_assessments(&p).await.unwrap();
    let ids: Vec<&str> = latest.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        ["a-1", "a-2", "a-akps"],
        "previous then latest, per instrument"
    );
    assert_eq!(
        tx.phases_of(&p).await.unwrap(),
        vec![
            first,
            PhaseEpisode {
                phase: hearth_domain::assessment::Phase::Unstable,
                started_at: later
            }
        ]
    );
    assert_eq!(
        tx.current_phase(&p).await.unwrap().map(|e| e.phase),
        Some(hearth_domain::assessment::Phase::Unstable),
        "the latest phase to start"
    );
    let rules = tx.trigger_rules().await.unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "admissions",
            "akps-falling",
            "akps-low",
            "esas-severe",
            "ipos-severe",
            "phase-unstable"
        ]
    );
    assert!(
        rules
            .iter()
            .all(|r| r.version == 1 && r.active && !r.source.is_empty())
    );
}

/// An edit is a new row and the highest version is in force; two administrators saving the
/// same version have one winner; one open suggestion per rule and patient, answered once.
async fn trigger_rules_are_versioned_and_suggestions_answered_once(
    backend: hearth_testkit::Backend,
) {
    let Some(db) = TestDatabase::new(
        backend,
        "trigger_rules_are_versioned_and_suggestions_answered_once",
    )
    .await
    else {
        return;
    };
    let (_, nurse) = region(&db).await;
    let mut tx = db.store.begin_write().await.unwrap();
    let rules = tx.trigger_rules().await.unwrap();
    let v1 = rules
        .iter()
        .find(|r| r.id == "esas-severe")
        .unwrap()
        .clone();
    let mut edit = RuleDraft::of(&v1);
    edit.threshold = "8".into();
    let v2 = edit.check(&v1.id, Some(&v1), &nurse, start_time()).unwrap();
    assert!(tx.insert_trigger_rule(&v2).await.unwrap());
    assert!(
        !tx.insert_trigger_rule(&v2).await.unwrap(),
        "a second save of the same version loses"
    );
    let in_force = tx.trigger_rules().await.unwrap();
    let esas_rule = in_force.iter().find(|r| r.id == "esas-severe").unwrap();
    assert_eq!((esas_rule.version, esas_rule.threshold), (2, 8));
    assert_eq!(esas_rule.changed_by.as_ref(), Some(&nurse));
    assert_eq!(tx.trigger_rule_versions().await.unwrap().len(), 7);

    let fired = Suggestion {
        id: "s-1".into(),
        patient_id: PatientId::new("p-1"),
        rule_id: "esas-severe".into(),
        rule_version: 2,
        suggests: Suggests::Referral,
        reason: "ESAS-r: Shortness of breath 8 (severe)".into(),
        fired_at: start_time(),
        response: None,
    };
    assert!(tx.insert_suggestion(&fired).await.unwrap());
    let again = Suggestion {
        id: "s-2".into(),
        ..fired.clone()
    };
    assert!(
        !tx.insert_suggestion(&again).await.unwrap(),
        "one open suggestion per rule and patient"
    );
    let reader = hearth_store::Recipient {
        practitioner: &nurse,
        organisation: Some(&OrganisationId::new("org-spc")),
    };
    let open = tx.open_suggestions_for(reader, start_time()).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].patient_name, "CARTER, Edith");
    let answer = fired
        .answer(("not-needed", "Seen today", None), &nurse, start_time())
        .unwrap();
    assert!(
        tx.answer_suggestion("s-1", &answer, start_time())
            .await
            .unwrap()
    );
    assert!(
        !tx.answer_suggestion("s-1", &answer, start_time())
            .await
            .unwrap(),
        "answered once"
    );
    let stored = tx.suggestions_of(&PatientId::new("p-1")).await.unwrap();
    assert_eq!(stored[0].response.as_ref(), Some(&answer));
    assert!(
        tx.open_suggestions_for(reader, start_time())
            .await
            .unwrap()
            .is_empty()
    );
    // Answered, the rule may fire again (the app decides when, by `holds_back`).
    assert!(tx.insert_suggestion(&again).await.unwrap());
    tx.commit().await.unwrap();
}

/// A referral moves referred → triaged → accepted → first contact → discharged, each step
/// stored with its time; a step from a stale version is refused; the times are computed.
async fn referrals_follow_the_state_machine_with_timing(backend: hearth_testkit::Backend) {
    let Some(db) =
        TestDatabase::new(backend, "referrals_follow_the_state_machine_with_timing").await
    else {
        return;
    };
    let (service, nurse) = region(&db).await;
    let p = PatientId::new("p-1");
    let referred = ReferralDraft {
        reason: "Breathlessness at rest despite opioid.".into(),
        urgency: "soon".into(),
        asks: vec!["assessment".into(), "joint-visit".into()],
        patient_knows: "Knows the illness is advancing; agrees to a hospice nurse visit.".into(),
        agreement: "agrees".into(),
        evidence: vec!["ESAS-r 21 Nov: Shortness of breath 8 (severe)".into()],
        suggestion_ids: vec!["s-1".into()],
    }
    .check("r-1".into(), &p, &service, &nurse, start_time())
    .unwrap();
    let mut tx = db.store.begin_write().await.unwrap();
    assert!(tx.insert_referral(&referred).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = db.store.begin_read().await.unwrap();
    assert_eq!(tx.referral("r-1").await.unwrap().as_ref(), Some(&referred));
    drop(tx);

    let mut r = referred.clone();
    assert!(r.step(ReferralStep::Accept, &nurse, start_time()).is_err());
    assert_eq!(r, referred, "a refused step changes nothing");
    let triage = start_time() + SignedDuration::from_hours(3);
    r.step(
        ReferralStep::Triage {
            priority: TriagePriority::P1,
        },
        &nurse,
        triage,
    )
    .unwrap();
    let mut tx = db.store.begin_write().await.unwrap();
    assert!(tx.update_referral(&r, 1).await.unwrap());
    let mut stale = referred.clone();
    stale
        .step(
            ReferralStep::Withdraw {
                reason: "Moved away".into(),
            },
            &nurse,
            triage,
        )
        .unwrap();
    assert!(
        !tx.update_referral(&stale, 1).await.unwrap(),
        "a step from a stale version is refused"
    );
    let accepted = triage + SignedDuration::from_hours(1);
    r.step(ReferralStep::Accept, &nurse, accepted).unwrap();
    assert!(tx.update_referral(&r, 2).await.unwrap());
    let contact = start_time() + SignedDuration::from_hours(20);
    r.step(ReferralStep::FirstContact { at: contact }, &nurse, contact)
        .unwrap();
    assert!(tx.update_referral(&r, 3).await.unwrap());
    tx.commit().await.unwrap();

    let mut tx = db.store.begin_read().await.unwrap();
    let stored = tx.referral("r-1").await.unwrap().unwrap();
    assert_eq!(stored, r);
    assert_eq!(stored.state, ReferralState::FirstContact);
    assert_eq!(stored.time_to_triage(), Some(SignedDuration::from_hours(3)));
    assert_eq!(
        stored.time_to_first_contact(),
        Some(SignedDuration::from_hours(20))
    );
    let listed = tx
        .referrals_to(std::slice::from_ref(&service), start_time())
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(tx.referrals_of(&p).await.unwrap(), vec![r]);
    let t = hearth_domain::referral::timeliness(&[stored]);
    assert_eq!((t.with_first_contact, t.first_contact_within_a_day), (1, 1));
    drop(tx);

    // A referral stored after some steps keeps their times and people.
    let mut later = referred.clone();
    later.id = "r-2".into();
    later
        .step(
            ReferralStep::Triage {
                priority: TriagePriority::P2,
            },
            &nurse,
            triage,
        )
        .unwrap();
    later
        .step(
            ReferralStep::Decline {
                advice: "Manage at home: laxatives and GP review.".into(),
            },
            &nurse,
            triage,
        )
        .unwrap();
    let mut tx = db.store.begin_write().await.unwrap();
    assert!(tx.insert_referral(&later).await.unwrap());
    let mut twin = referred.clone();
    twin.id = "r-3".into();
    assert!(
        !tx.insert_referral(&twin).await.unwrap(),
        "one open referral per patient and service"
    );
    tx.commit().await.unwrap();
    let mut tx = db.store.begin_read().await.unwrap();
    assert_eq!(tx.referral("r-2").await.unwrap(), Some(later));
}

on_both_backends!(
    assessments_phases_and_rules_read_back,
    trigger_rules_are_versioned_and_suggestions_answered_once,
    referrals_follow_the_state_machine_with_timing,
);
