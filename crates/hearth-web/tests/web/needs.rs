//! Needs over time over HTTP: a district nurse records an ESAS-r with breathlessness 8, the rule
//! fires and the coordinator sees the suggestion; the GP refers with the scores attached; the
//! specialist service triages and accepts and the referrer sees it; a night-time advice call
//! about the patient lands in their record; an administrator's edit of a rule is a new version
//! that changes what fires.

use hearth_domain::organisation::NewOrganisation;
use hearth_testkit::{Backend, Fixture, PASSWORD, TestApp, on_both_backends, spawn_app};
use jiff::SignedDuration;

use crate::care_team::{join, nurse_in_team};
use crate::register::{REASONS, register};
use crate::transitions::post;

const SPECIALIST: &str = "ruth.jameson@test.example";

/// An organisation (name, kind, area, phone) with one person in it (email, names, profession).
async fn one_person_service(
    t: &TestApp,
    (name, kind, area, phone): (&str, &str, &str, &str),
    (email, (given, family), profession): (&str, (&str, &str), &str),
) {
    let organisation = t
        .app
        .create_organisation(NewOrganisation {
            name: name.into(),
            kind: kind.into(),
            area: area.into(),
            phone: phone.into(),
            part_of: None,
        })
        .await
        .unwrap();
    t.app
        .create_user(hearth_app::NewUser {
            email: email.into(),
            password: PASSWORD.into(),
            given_name: given.into(),
            family_name: family.into(),
            roles: vec![hearth_app::NewUserRole {
                organisation_id: organisation.id,
                profession: profession.into(),
                phone: String::new(),
            }],
        })
        .await
        .unwrap();
}

/// A specialist palliative care service with one specialist nurse.
async fn specialist_service(t: &TestApp) {
    one_person_service(
        t,
        (
            "Westvale Hospice Community Team",
            "specialist-palliative-care",
            "Ashby",
            "01632 960 500",
        ),
        (
            SPECIALIST,
            ("Ruth", "Jameson"),
            "specialist-palliative-nurse",
        ),
    )
    .await;
}

fn esas_fields(breath: &'static str) -> Vec<(String, String)> {
    let scores = ["3", "5", "2", "1", "4", breath, "2", "5", "5"];
    let mut fields = vec![("completed_by".to_owned(), "patient".to_owned())];
    for (n, s) in scores.iter().enumerate() {
        fields.push((format!("esas-{n}"), (*s).to_owned()));
    }
    fields.push(("other_name".into(), String::new()));
    fields.push(("other_score".into(), String::new()));
    fields.push(("assessed_at".into(), String::new()));
    fields
}

fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The value of the first `attribute="…"` after `marker` in `html`.
fn attribute_after(html: &str, marker: &str, attribute: &str) -> String {
    let from = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in {html}"));
    let rest = &html[from..];
    let start = rest.find(&format!("{attribute}=\"")).unwrap() + attribute.len() + 2;
    let end = rest[start..].find('"').unwrap();
    rest[start..start + end].to_owned()
}

async fn a_severe_score_fires_a_suggestion_the_gp_refers_and_the_specialist_accepts(
    backend: Backend,
) {
    let Some(t) = spawn_app(backend, "needs").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    join(&t, &f, &f.patient.id, &f.gp_actor.practitioner_id, "gp").await;
    let patient = f.patient.id.to_string();
    register(&gp, &patient, "given", REASONS).await;
    nurse_in_team(&t, &f, "nia.evans@test.example", ("Nia", "Evans")).await;
    let nurse = t.signed_in("nia.evans@test.example", PASSWORD).await;
    specialist_service(&t).await;
    let needs = format!("/patients/{patient}/needs");
    let form = format!("{needs}/esas-r");

    // A score out of range is refused with the item named, and nothing is recorded.
    let mut bad = esas_fields("8");
    bad[1].1 = "11".into();
    let (status, body, _) = post(&nurse, &form, &form, &as_refs(&bad)).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("Score &#34;Pain&#34; from 0 (none) to 10 (worst possible)."),
        "{body}"
    );
    let (_, page) = gp.get_text(&needs).await;
    assert!(
        page.contains("No rule has fired for this patient."),
        "{page}"
    );

    // A first ESAS-r, then breathlessness jumps to 8 the next day: the rule fires.
    let (status, _, _) = post(&nurse, &form, &form, &as_refs(&esas_fields("4"))).await;
    assert_eq!(status, 303);
    let (_, page) = gp.get_text(&needs).await;
    assert!(
        page.contains("No rule has fired for this patient."),
        "4 is moderate: {page}"
    );
    t.clock.advance(SignedDuration::from_hours(20));
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let nurse = t.signed_in("nia.evans@test.example", PASSWORD).await;
    let (status, _, location) = post(&nurse, &form, &form, &as_refs(&esas_fields("8"))).await;
    assert_eq!((status, location.as_deref()), (303, Some(needs.as_str())));

    // The coordinator is told, and sees it in "my work" and on the patient's page.
    let (_, notices) = gp.get_text("/notices").await;
    assert!(
        notices.contains(
            "Consider referral to specialist palliative care: ESAS-r: Shortness of breath 8 (severe)"
        ),
        "{notices}"
    );
    let (_, work) = gp.get_text("/").await;
    assert!(work.contains("Suggestions to answer"), "{work}");
    assert!(work.contains("Shortness of breath 8 (severe)"), "{work}");
    let (_, page) = gp.get_text(&needs).await;
    assert!(page.contains("waiting for a response"), "{page}");
    assert!(
        page.contains("Severe symptom on ESAS-r (version 1)"),
        "{page}"
    );
    // The latest value and its direction; the chart with its text alternative and table.
    assert!(page.contains("worse (was 31)"), "{page}");
    assert!(page.contains("Severe: Breathlessness 8"), "{page}");
    assert!(page.contains("role=\"img\""), "{page}");
    assert!(
        page.contains("Breathlessness: latest 8"),
        "the chart's description: {page}"
    );
    assert!(page.contains("Table of values: ESAS-r"), "{page}");
    let (_, summary) = gp.get_text(&format!("/patients/{patient}/summary")).await;
    assert!(
        summary.contains("ESAS-r total: 35 of 90, worse (was 31)"),
        "{summary}"
    );

    // The GP refers, with the scores attached and the suggestion answered.
    let refer = attribute_after(&page, "waiting for a response", "href");
    assert!(refer.contains("/referrals/new?suggestion="), "{refer}");
    let suggestion = refer.rsplit('=').next().unwrap().to_owned();
    let (_, form_page) = gp.get_text(&refer.replace("&#38;", "&")).await;
    let evidence = attribute_after(&form_page, "name=\"evidence\"", "value");
    assert!(
        evidence.contains("Shortness of breath 8 (severe)"),
        "{evidence}"
    );
    let service = attribute_after(&form_page, "id=\"service\"", "value");
    let (status, body, location) = post(
        &gp,
        &refer,
        &format!("/patients/{patient}/referrals"),
        &[
            ("service", service.as_str()),
            (
                "reason",
                "Breathless at rest despite oramorph; frightened at night.",
            ),
            ("urgency", "soon"),
            ("ask", "assessment"),
            ("ask", "joint-visit"),
            (
                "patient_knows",
                "Knows the heart failure is advanced; agrees to a hospice nurse visit.",
            ),
            ("agreement", "agrees"),
            ("evidence", evidence.replace("&#39;", "'").as_str()),
            ("suggestion", suggestion.as_str()),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let referral = location.unwrap();
    assert!(referral.starts_with("/referrals/"), "{referral}");
    let (_, page) = gp.get_text(&needs).await;
    assert!(page.contains("Response: Referred by"), "{page}");
    let (_, view) = gp.get_text(&referral).await;
    assert!(
        view.contains("Shortness of breath 8 (severe)"),
        "the scores travel: {view}"
    );
    assert!(view.contains(">Referred<"), "{view}");

    // The referrer cannot triage their own referral.
    let (status, _, _) = post(
        &gp,
        &referral,
        &format!("{referral}/triage"),
        &[("priority", "p1"), ("version", "1")],
    )
    .await;
    assert_eq!(status, 403);

    // The specialist sees it on the service's list, must triage before accepting, and a step
    // from a stale version is refused.
    let specialist = t.signed_in(SPECIALIST, PASSWORD).await;
    let (_, list) = specialist.get_text("/referrals").await;
    assert!(
        list.contains("To Westvale Hospice Community Team"),
        "{list}"
    );
    assert!(list.contains(&referral), "{list}");
    let (status, body, _) = post(
        &specialist,
        &referral,
        &format!("{referral}/accept"),
        &[("version", "1")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("Triage the referral first"), "{body}");
    t.clock.advance(SignedDuration::from_hours(2));
    let specialist = t.signed_in(SPECIALIST, PASSWORD).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let (status, _, _) = post(
        &specialist,
        &referral,
        &format!("{referral}/triage"),
        &[("priority", "p1"), ("version", "1")],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _, _) = post(
        &specialist,
        &referral,
        &format!("{referral}/accept"),
        &[("version", "1")],
    )
    .await;
    assert_eq!(status, 409, "a step from the version before triage");
    let (status, _, _) = post(
        &specialist,
        &referral,
        &format!("{referral}/accept"),
        &[("version", "2")],
    )
    .await;
    assert_eq!(status, 303);

    // The referrer sees where it is, with the time to triage, and is told.
    let (_, view) = gp.get_text(&referral).await;
    assert!(view.contains("id=\"referral-state\">Accepted<"), "{view}");
    assert!(view.contains("Priority 1: within 24 hours"), "{view}");
    assert!(view.contains("Referral to triage: 2 h"), "{view}");
    assert!(view.contains("data-live"), "the page follows changes live");
    let (_, notices) = gp.get_text("/notices").await;
    assert!(
        notices.contains("Referral to Westvale Hospice Community Team: accepted"),
        "{notices}"
    );
    // The service joined the care team with the referral.
    let (_, team) = gp.get_text(&format!("/patients/{patient}/team")).await;
    assert!(team.contains("Westvale Hospice Community Team"), "{team}");
}

async fn a_night_time_advice_call_about_a_registered_patient_lands_in_their_record(
    backend: Backend,
) {
    let Some(t) = spawn_app(backend, "advice").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    join(&t, &f, &f.patient.id, &f.gp_actor.practitioner_id, "gp").await;
    let patient = f.patient.id.to_string();
    register(&gp, &patient, "given", REASONS).await;
    specialist_service(&t).await;
    let specialist = t.signed_in(SPECIALIST, PASSWORD).await;
    // The specialist service is in the team (as after a referral).
    let hospice = t
        .app
        .sign_in(SPECIALIST, PASSWORD)
        .await
        .unwrap()
        .actor
        .acting_organisation()
        .unwrap();
    t.app
        .add_care_team_member(
            &f.gp_actor,
            &f.patient.id,
            hearth_domain::care_team::NewMember {
                member: format!("service:{hospice}"),
                role: "specialist-palliative-nurse".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    // Only the advice line's team keeps the log.
    let (status, _) = gp.get_text("/advice").await;
    assert_eq!(status, 403);

    let call = |number: &'static str| {
        vec![
            ("caller_name", "Dr Marcus Webb"),
            ("caller_role", "ooh-doctor"),
            ("caller_organisation", "Westvale Out-of-Hours"),
            ("national_number", number),
            ("patient_description", ""),
            (
                "question",
                "Agitated and distressed at 2 a.m.; midazolam given once without effect.",
            ),
            (
                "advice",
                "Second dose of midazolam 2.5 mg subcut; consider a syringe driver in the morning; ring back if no settling in an hour.",
            ),
            ("outcome", "managed-at-home"),
            ("channel", "phone"),
            ("received_at", ""),
        ]
    };
    // An unknown number is refused, and says what to do.
    let (status, body, _) = post(&specialist, "/advice", "/advice", &call("943 476 5870")).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("No patient in Hearth has this NHS number"),
        "{body}"
    );

    // Saturday 02:10: out of hours.
    t.clock.advance(SignedDuration::from_mins(11 * 60 + 40));
    let specialist = t.signed_in(SPECIALIST, PASSWORD).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let (status, _, _) = post(&specialist, "/advice", "/advice", &call("943 476 5919")).await;
    assert_eq!(status, 303);
    let (_, log) = specialist.get_text("/advice").await;
    assert!(log.contains("1 calls, 1 out of hours"), "{log}");
    assert!(log.contains("21 Nov 2026 02:10"), "{log}");

    // It is in the patient's record, and the coordinator is told.
    let (_, needs) = gp.get_text(&format!("/patients/{patient}/needs")).await;
    assert!(needs.contains("Specialist advice calls"), "{needs}");
    assert!(
        needs.contains("Dr Marcus Webb (Out-of-hours doctor, Westvale Out-of-Hours)"),
        "{needs}"
    );
    assert!(needs.contains("out of hours"), "{needs}");
    assert!(needs.contains("Second dose of midazolam"), "{needs}");
    let (_, notices) = gp.get_text("/notices").await;
    assert!(
        notices.contains("Specialist advice out of hours from Ruth Jameson"),
        "{notices}"
    );

    // A specialist of another service, outside the patient's team, sees that a call was taken
    // but not what it said; and cannot link a call to the patient without emergency access.
    one_person_service(
        &t,
        ("Kirkby Hospice", "hospice", "Fellside", "01632 960 600"),
        (
            "lena.hart@test.example",
            ("Lena", "Hart"),
            "palliative-physician",
        ),
    )
    .await;
    let outsider = t.signed_in("lena.hart@test.example", PASSWORD).await;
    let (_, log) = outsider.get_text("/advice").await;
    assert!(
        log.contains("About a patient outside your care teams"),
        "{log}"
    );
    assert!(!log.contains("Second dose of midazolam"), "{log}");
    assert!(!log.contains(&patient), "no link to the record");
    let (status, body, _) = post(&outsider, "/advice", "/advice", &call("943 476 5919")).await;
    assert_eq!(status, 422);
    assert!(body.contains("open emergency access"), "{body}");
}

async fn an_administrators_edit_of_a_rule_is_a_new_version_that_changes_what_fires(
    backend: Backend,
) {
    let Some(t) = spawn_app(backend, "trigger_rules").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    join(&t, &f, &f.patient.id, &f.gp_actor.practitioner_id, "gp").await;
    let patient = f.patient.id.to_string();
    // A practice's administrator sees the rules but cannot change them: they apply to every
    // team in the region and belong to the specialist palliative care services.
    let practice_admin = t.signed_in(&f.admin.email, &f.admin.password).await;
    let (_, rules) = practice_admin.get_text("/admin/triggers").await;
    assert!(rules.contains("they are changed by the administrators of the specialist"));
    one_person_service(
        &t,
        ("Westvale Hospice", "hospice", "Ashby", "01632 960 403"),
        (
            "hospice.admin@test.example",
            ("Hana", "Okoro"),
            "administrator",
        ),
    )
    .await;
    let admin = t.signed_in("hospice.admin@test.example", PASSWORD).await;
    let (_, rules) = admin.get_text("/admin/triggers").await;
    assert!(rules.contains("Severe symptom on ESAS-r"), "{rules}");
    assert!(rules.contains("any ESAS-r symptom 7 or more"), "{rules}");
    assert!(
        rules.contains("Hui &#38; Bruera"),
        "the source is shown: {rules}"
    );

    let edit = "/admin/triggers/esas-severe";
    let (_, form) = admin.get_text(edit).await;
    assert!(form.contains("value=\"7\""), "{form}");
    let fields = |threshold: &'static str| {
        vec![
            ("name", "Severe symptom on ESAS-r"),
            ("kind", "esas-symptom"),
            ("threshold", threshold),
            ("phase", ""),
            ("window_days", ""),
            ("suggests", "referral"),
            ("active", "yes"),
            (
                "rationale",
                "Local audit: 7 fired too often for breathlessness in COPD.",
            ),
            (
                "source",
                "ESAS-r severity bands (Hui & Bruera 2017); local audit 2026.",
            ),
        ]
    };
    let (status, _, _) = post(&practice_admin, edit, edit, &fields("9")).await;
    assert_eq!(
        status, 403,
        "a practice administrator cannot change the region's rules"
    );
    let (status, body, _) = post(&admin, edit, edit, &fields("11")).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("The threshold is an ESAS-r score from 1 to 10."),
        "{body}"
    );
    let (status, _, _) = post(&admin, edit, edit, &fields("9")).await;
    assert_eq!(status, 303);
    let (_, rules) = admin.get_text("/admin/triggers").await;
    assert!(rules.contains("any ESAS-r symptom 9 or more"), "{rules}");
    assert!(rules.contains("2 (in force)"), "{rules}");

    // An 8 no longer fires; a 9 fires version 2.
    let form = format!("/patients/{patient}/needs/esas-r");
    let (status, _, _) = post(&gp, &form, &form, &as_refs(&esas_fields("8"))).await;
    assert_eq!(status, 303);
    let (_, page) = gp.get_text(&format!("/patients/{patient}/needs")).await;
    assert!(
        page.contains("No rule has fired for this patient."),
        "{page}"
    );
    let (status, _, _) = post(&gp, &form, &form, &as_refs(&esas_fields("9"))).await;
    assert_eq!(status, 303);
    let (_, page) = gp.get_text(&format!("/patients/{patient}/needs")).await;
    assert!(
        page.contains("Severe symptom on ESAS-r (version 2)"),
        "{page}"
    );
    // The page of rules counts it against version 2.
    let (_, rules) = admin.get_text("/admin/triggers").await;
    assert!(
        rules.contains("<td>2 (in force)</td><td>any ESAS-r symptom 9 or more</td>"),
        "{rules}"
    );
}

async fn an_assessment_entered_after_a_later_one_fires_nothing(backend: Backend) {
    let Some(t) = spawn_app(backend, "late_assessment").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    join(&t, &f, &f.patient.id, &f.gp_actor.practitioner_id, "gp").await;
    let patient = f.patient.id.to_string();
    let form = format!("/patients/{patient}/needs/esas-r");
    let (status, _, _) = post(&gp, &form, &form, &as_refs(&esas_fields("2"))).await;
    assert_eq!(status, 303);
    // Yesterday's ESAS-r, entered after today's: breathlessness 9 then, 2 now.
    let mut late = esas_fields("9");
    late.last_mut().unwrap().1 = "2026-11-19T15:00".into();
    let (status, _, _) = post(&gp, &form, &form, &as_refs(&late)).await;
    assert_eq!(status, 303);
    let (_, page) = gp.get_text(&format!("/patients/{patient}/needs")).await;
    assert!(
        page.contains("No rule has fired for this patient."),
        "{page}"
    );
    assert!(
        page.contains("Table of values: ESAS-r"),
        "both are recorded"
    );
}

on_both_backends!(
    an_assessment_entered_after_a_later_one_fires_nothing,
    a_severe_score_fires_a_suggestion_the_gp_refers_and_the_specialist_accepts,
    a_night_time_advice_call_about_a_registered_patient_lands_in_their_record,
    an_administrators_edit_of_a_rule_is_a_new_version_that_changes_what_fires,
);
