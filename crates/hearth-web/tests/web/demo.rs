//! The demo region: realistic, deterministic, and only written into an empty database.

use std::collections::BTreeSet;

use hearth_app::demo::DemoOptions;
use hearth_testkit::{Backend, TestApp, on_both_backends, spawn_app};

/// The signed-in actor of the demo sign-in for `role`.
pub(crate) async fn demo_actor(t: &TestApp, role: &str) -> hearth_app::Actor {
    let email = t
        .app
        .demo_sign_ins()
        .into_iter()
        .find(|s| s.role == role)
        .unwrap()
        .email;
    t.app
        .sign_in(&email, "hearth-demo-2026")
        .await
        .unwrap()
        .actor
}

async fn first_register_page(t: &TestApp) -> Vec<String> {
    let sign_in = t
        .app
        .demo_sign_ins()
        .into_iter()
        .find(|s| s.role == "gp")
        .unwrap();
    let actor = t
        .app
        .sign_in(&sign_in.email, sign_in.password)
        .await
        .unwrap()
        .actor;
    let page = t
        .app
        .register(&actor, &hearth_app::RegisterQuery::default())
        .await
        .unwrap();
    page.patients
        .iter()
        .map(|p| format!("{} {} {}", p.id, p.list_name(), p.national_number))
        .collect()
}

async fn demo_region_is_deterministic_and_realistic(backend: Backend) {
    let Some(first) = spawn_app(backend, "demo_region_is_deterministic").await else {
        return;
    };
    let Some(second) = spawn_app(Backend::Sqlite, "demo_region_is_deterministic").await else {
        return;
    };
    let options = DemoOptions {
        patients: 400,
        seed: 7,
    };
    let indexes = second.app.store().index_names().await.unwrap();
    let report = first
        .app
        .create_demo_region(options, &mut |_, _| {})
        .await
        .unwrap();
    second
        .app
        .create_demo_region(options, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(report.patients, 400);
    first.assert_projections_current().await;
    assert_eq!(
        second.app.store().index_names().await.unwrap(),
        indexes,
        "the bulk load restores every index"
    );
    assert_eq!(
        first_register_page(&first).await,
        first_register_page(&second).await,
        "same seed, same region"
    );

    let roles: BTreeSet<&str> = report.sign_ins.iter().map(|s| s.role).collect();
    for role in [
        "gp",
        "district-nurse",
        "ooh-doctor",
        "specialist-nurse",
        "palliative-physician",
        "admin",
        "manager",
    ] {
        assert!(roles.contains(role), "a demo sign-in for {role}");
    }

    let sign_in = report.sign_ins.iter().find(|s| s.role == "gp").unwrap();
    let actor = first
        .app
        .sign_in(&sign_in.email, sign_in.password)
        .await
        .unwrap()
        .actor;
    let mut patients = Vec::new();
    for page in 0..10 {
        let query = hearth_app::RegisterQuery {
            page,
            ..Default::default()
        };
        patients.extend(first.app.register(&actor, &query).await.unwrap().patients);
    }
    assert!(patients.len() > 40, "the GP's practice has patients");
    let today = first.app.today();
    let over_65 = patients
        .iter()
        .filter(|p| hearth_domain::patient::age_on(p.date_of_birth, today) >= 65)
        .count();
    assert!(
        over_65 * 100 / patients.len() >= 65,
        "most patients are over 65"
    );
    let cancer = patients
        .iter()
        .filter(|p| {
            p.main_diagnosis
                .as_deref()
                .is_some_and(|d| d.contains("cancer"))
        })
        .count();
    assert!(
        cancer > 0 && cancer < patients.len(),
        "cancer and non-cancer diagnoses"
    );
    let nhs = &first.app.config().national_number_system;
    assert!(
        patients
            .iter()
            .all(|p| p.national_number.starts_with("999") && nhs.parse(&p.national_number).is_ok())
    );

    // Care plans at every stage: none, begun, not ready (medicines prescribed, not dispensed),
    // ready; some sections overdue; discipline goals that pull different ways.
    let (mut none, mut ready, mut undispensed, mut overdue, mut conflicting) = (0, 0, 0, 0, 0);
    for p in &patients {
        let plan = first.app.care_plan(&actor, &p.id).await.unwrap();
        let listed = &p.register.as_ref().unwrap().out_of_hours_missing;
        assert_eq!(
            listed, &plan.missing,
            "the register list's readiness agrees with the plan's"
        );
        if plan.sections.is_empty() {
            none += 1;
        } else if plan.missing.is_empty() {
            ready += 1;
        }
        if plan
            .missing
            .contains(&hearth_domain::care_plan::ReadinessItem::AnticipatoryMedicinesDispensed)
        {
            undispensed += 1;
        }
        if plan.sections.values().any(|v| v.overdue(today)) {
            overdue += 1;
        }
        if plan.sections.values().any(|v| {
            v.content
                .fields()
                .iter()
                .any(|(label, _)| label == "Goal of Physiotherapist")
        }) {
            conflicting += 1;
        }
    }
    assert!(
        none > 0 && ready > 0 && undispensed > 0 && overdue > 0 && conflicting > 0,
        "plans at every stage (none {none}, ready {ready}, not dispensed {undispensed}, \
         overdue {overdue}, physiotherapy goals beside the GP's {conflicting})"
    );

    let not_ready = first
        .app
        .register(
            &actor,
            &hearth_app::RegisterQuery {
                readiness: Some("not-ready".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .patients;
    assert!(!not_ready.is_empty());
    assert!(
        not_ready
            .iter()
            .all(|p| !p.register.as_ref().unwrap().out_of_hours_missing.is_empty()),
        "the not-ready filter lists only patients who are not ready"
    );
    let ready_only = first
        .app
        .register(
            &actor,
            &hearth_app::RegisterQuery {
                readiness: Some("ready".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .patients;
    assert!(
        !ready_only.is_empty()
            && ready_only.iter().all(|p| p
                .register
                .as_ref()
                .unwrap()
                .out_of_hours_missing
                .is_empty()),
        "the ready filter lists only patients who are ready"
    );

    let directory = first.app.directory(&actor, "").await.unwrap();
    assert!(
        directory.on_call.iter().any(|line| line.now),
        "the demo rota covers now"
    );
    use hearth_domain::organisation::Competency;
    assert!(
        directory
            .organisations
            .iter()
            .any(|o| o.details.opening_hours.is_some()
                && o.details.competencies.contains(&Competency::SyringeDrivers)
                && o.details.how_to_refer.is_some()),
        "services say when they are open, what they can do and how to refer"
    );
    assert!(
        directory
            .people
            .iter()
            .any(|p| p.working_pattern.is_some() && !p.competencies.is_empty()),
        "people say when they work and what they can do"
    );
    // The GP has an urgent message waiting, with a reply-by time; a thread that went back and
    // forth suggests a call; another became an agreed call.
    let inbox = first.app.inbox(&actor).await.unwrap();
    let urgent = inbox
        .messages
        .iter()
        .find(|m| m.topic == "Breathless at rest since this morning")
        .expect("the demo GP has the nurse's urgent message");
    assert!(!urgent.read && urgent.message.reply_by.is_some());
    assert!(
        inbox.talks.iter().any(|(t, _, _)| t.scheduled_at.is_some()),
        "an agreed call is on the GP's calendar"
    );
    let patient = &urgent.message.patient_id;
    let list = first.app.conversations(&actor, patient).await.unwrap();
    assert!(!list.conversations.is_empty());
    let mut suggested = false;
    for line in first_register_page(&first).await {
        let id = hearth_domain::PatientId::new(line.split(' ').next().unwrap());
        for (c, _) in first
            .app
            .conversations(&actor, &id)
            .await
            .unwrap()
            .conversations
        {
            let view = first.app.conversation(&actor, &id, &c.id).await.unwrap();
            suggested |= view.suggestion.is_some();
        }
    }
    assert!(
        suggested,
        "a thread that went back and forth suggests a call"
    );
    // Last week's register review was a case conference, with the not-ready patients first,
    // decisions and actions; a case conference is coming up.
    let meetings = first.app.meetings(&actor).await.unwrap();
    let review = meetings
        .recent
        .iter()
        .find(|m| m.kind == hearth_domain::meeting::MeetingKind::RegisterReview)
        .expect("the demo GP's practice held a register review");
    assert!(
        meetings
            .upcoming
            .iter()
            .any(|m| m.kind == hearth_domain::meeting::MeetingKind::CaseConference)
    );
    let view = first.app.meeting(&actor, &review.id).await.unwrap();
    assert!(
        view.case_conference,
        "the GP and the specialist nurse attended"
    );
    assert!(view.agenda.len() >= 3);
    assert!(view.agenda[0].item.patient_name.contains(", "));
    assert!(
        view.agenda
            .iter()
            .take(3)
            .all(|a| !a.decisions.is_empty() && !a.actions.is_empty())
    );
    assert!(
        view.agenda
            .iter()
            .any(|a| a.decisions.iter().any(|d| d.awaits_plan())),
        "a decision waits to be carried into the plan"
    );
    // The worst case is live: a discharge at short notice, ready, not accepted, flagged; a
    // well-run one arrived home today; someone is in hospital now.
    let nurse = demo_actor(&first, "district-nurse").await;
    let arrivals = first.app.arrived_home_today(&nurse).await.unwrap();
    assert_eq!(arrivals.len(), 1, "a well-run discharge arrived home today");
    assert!(arrivals[0].accepted);
    let mut worst = None;
    let mut in_hospital = 0;
    let mut nurse_patients = Vec::new();
    for page in 0..20 {
        let found = first
            .app
            .register(
                &nurse,
                &hearth_app::RegisterQuery {
                    page,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        nurse_patients.extend(found.patients.iter().map(|p| p.id.clone()));
        if !found.has_more {
            break;
        }
    }
    for id in nurse_patients {
        let Ok(view) = first.app.transitions(&nurse, &id).await else {
            continue;
        };
        if view
            .current()
            .is_some_and(|s| s.place == hearth_domain::transition::PlaceKind::Hospital)
        {
            in_hospital += 1;
        }
        if let Some(d) = view
            .discharges
            .iter()
            .find(|d| d.stored.discharge.state == hearth_domain::transition::DischargeState::Ready)
        {
            worst = Some(d.clone());
        }
    }
    let worst = worst.expect("the COPD worst case is in the demo");
    assert!(
        worst
            .flags
            .contains(&hearth_domain::transition::RiskFlag::ShortNotice)
    );
    assert!(
        worst
            .flags
            .contains(&hearth_domain::transition::RiskFlag::NoAnticipatoryMedicines)
    );
    assert!(worst.checklist.iter().any(|l| l.done.is_none()));
    assert!(
        worst
            .stored
            .letter
            .as_ref()
            .is_some_and(|l| !l.missing().is_empty())
    );
    assert!(in_hospital >= 2, "the worst case and a current admission");

    // Needs over time: breathlessness 8 with a referral waiting for triage, a patient stuck in
    // an unstable phase, accepted and declined referrals, a week of advice calls.
    let specialist = demo_actor(&first, "specialist-nurse").await;
    let referrals = first.app.referral_list(&specialist).await.unwrap();
    use hearth_domain::referral::ReferralState as R;
    let waiting = referrals
        .to_service
        .iter()
        .find(|l| l.referral.state == R::Referred)
        .expect("a referral waits for triage");
    assert!(
        waiting
            .referral
            .evidence
            .iter()
            .any(|e| e.contains("Shortness of breath 8 (severe)"))
    );
    assert_eq!(
        waiting.referral.suggestion_ids.len(),
        1,
        "it answers the fired rule"
    );
    for state in [R::FirstContact, R::Declined, R::Discharged] {
        assert!(
            referrals
                .to_service
                .iter()
                .any(|l| l.referral.state == state),
            "a referral {state:?}"
        );
    }
    assert!(
        referrals
            .to_service
            .iter()
            .filter_map(|l| l.referral.decline_advice.as_ref())
            .all(|a| !a.is_empty())
    );
    let breathless = first
        .app
        .needs(&specialist, &waiting.referral.patient_id)
        .await
        .unwrap();
    let esas = breathless.latest.esas.as_ref().unwrap();
    assert_eq!(
        esas.direction(),
        Some(hearth_domain::assessment::Direction::Worse)
    );
    assert!(
        breathless.assessments.len() >= 6,
        "weeks of scores to chart"
    );
    let unstable = referrals
        .to_service
        .iter()
        .find(|l| l.referral.state == R::FirstContact)
        .unwrap();
    let stuck = first
        .app
        .needs(&specialist, &unstable.referral.patient_id)
        .await
        .unwrap();
    let phase = stuck.latest.phase.unwrap();
    assert_eq!(phase.phase, hearth_domain::assessment::Phase::Unstable);
    assert!(
        first.app.now().duration_since(phase.started_at).as_hours() > 72,
        "unstable for more than three days"
    );
    assert!(stuck.suggestions.iter().any(|s| s.is_open()));
    let log = first.app.advice_log(&specialist).await.unwrap();
    assert!(log.summary.total >= 7, "a week of advice calls");
    assert!(log.summary.out_of_hours >= 3, "several out of hours");
    assert!(
        log.calls
            .iter()
            .any(|c| c.call.patient_id.is_some() && c.withheld.is_none()),
        "calls about the specialist's patients are shown"
    );
    assert!(
        log.calls
            .iter()
            .filter(|c| c.withheld.is_some())
            .all(|c| c.call.question.is_empty() && c.call.advice.is_empty()),
        "the content of the others is withheld"
    );
    assert!(log.calls.iter().any(|c| c.withheld.is_some()));
    let again = first.app.create_demo_region(options, &mut |_, _| {}).await;
    assert!(
        again.is_err(),
        "the demo region is only written into an empty database"
    );
}

on_both_backends!(demo_region_is_deterministic_and_realistic);
