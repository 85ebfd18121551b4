//! The shared care plan and the out-of-hours summary: saving sections as versions, the conflict
//! page and merging, acknowledging, readiness, history, and reading through emergency access.

use hearth_app::{NewUser, NewUserRole};
use hearth_testkit::{
    Backend, Fixture, PASSWORD, TestApp, TestClient, csrf_token_in, on_both_backends, spawn_app,
};

use crate::care_team::join;
use crate::register::{REASONS, register};

/// The fixture's patient on the register, with the GP in the team (coordinating).
pub(crate) async fn planned_patient(t: &TestApp, f: &Fixture) -> (String, TestClient) {
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let id = f.patient.id.to_string();
    join(t, f, &f.patient.id, &f.gp_actor.practitioner_id, "gp").await;
    assert_eq!(
        register(&gp, &id, "given", REASONS).await.status().as_u16(),
        303
    );
    (id, gp)
}

/// A second clinician at the fixture's practice (which is in the patient's team as a service).
async fn colleague(t: &TestApp, f: &Fixture, email: &str, profession: &str) -> TestClient {
    t.app
        .create_user(NewUser {
            email: email.into(),
            password: PASSWORD.into(),
            given_name: "Rhona".into(),
            family_name: "Baird".into(),
            roles: vec![NewUserRole {
                organisation_id: f.practice.id.clone(),
                profession: profession.into(),
                phone: String::new(),
            }],
        })
        .await
        .unwrap();
    t.signed_in(email, PASSWORD).await
}

/// Submits the crisis plan form from `base` with `what_to_do`; the status and page.
pub(crate) async fn save_crisis_plan(
    client: &TestClient,
    patient: &str,
    token: &str,
    base: &str,
    what_to_do: &str,
) -> (u16, String) {
    let response = client
        .post_form(
            &format!("/patients/{patient}/plan/crisis-plan"),
            &[
                ("csrf_token", token),
                ("base_version", base),
                ("likely", "Increasing breathlessness, especially at night"),
                ("what_to_do", what_to_do),
                ("call_first", "Ashby district nurses 01632 960 222"),
                ("admission", "no"),
                ("gp_verifies_death", "yes"),
                ("summary", "crisis plan agreed with Edith and her daughter"),
                ("review_by", ""),
            ],
        )
        .await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn sections_are_saved_as_versions_and_acknowledged(backend: Backend) {
    let Some(t) = spawn_app(backend, "plan_sections_saved").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let (patient, gp) = planned_patient(&t, &f).await;
    let (status, plan) = gp.get_text(&format!("/patients/{patient}/plan")).await;
    assert_eq!(status, 200);
    assert!(plan.contains("Not ready for out of hours"));
    assert!(plan.contains("crisis plan, CPR decision, preferred place of death"));

    let (_, form) = gp
        .get_text(&format!("/patients/{patient}/plan/crisis-plan"))
        .await;
    let token = csrf_token_in(&form).unwrap();
    let (status, page) = save_crisis_plan(
        &gp,
        &patient,
        &token,
        "0",
        "Morphine 2.5 mg s/c; sit up; fan",
    )
    .await;
    assert_eq!(status, 303, "{page}");
    t.assert_projections_current().await;
    let (_, list) = gp.get_text("/register?readiness=not-ready").await;
    assert!(
        list.contains("CARTER") && list.contains("Missing: CPR decision"),
        "the patient is listed as not ready"
    );
    assert!(
        !list.contains("Missing: crisis plan"),
        "the list's readiness follows the plan"
    );
    let (_, plan) = gp.get_text(&format!("/patients/{patient}/plan")).await;
    assert!(plan.contains("Morphine 2.5 mg s/c; sit up; fan"));
    assert!(plan.contains("(version 1: crisis plan agreed with Edith and her daughter)"));
    assert!(
        !plan.contains("Missing: crisis plan"),
        "the crisis plan is no longer missing"
    );
    assert!(
        plan.contains("Not yet read by:"),
        "a significant change asks the team to read it"
    );

    let read = gp
        .post_form(
            &format!("/patients/{patient}/plan/read"),
            &[("csrf_token", token.as_str()), ("version", "1")],
        )
        .await;
    assert_eq!(read.status().as_u16(), 303);
    let (_, plan) = gp.get_text(&format!("/patients/{patient}/plan")).await;
    assert!(plan.contains("You have read version 1"));

    // Invalid input changes nothing; a care worker does not record CPR decisions; an outsider
    // cannot read the plan at all.
    let bad = gp
        .post_form(
            &format!("/patients/{patient}/plan/resuscitation"),
            &[
                ("csrf_token", token.as_str()),
                ("base_version", "0"),
                ("cpr", "not-for-cpr"),
                ("escalation", "comfort"),
            ],
        )
        .await;
    assert_eq!(bad.status().as_u16(), 422);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("needs the date it was made and who made it")
    );
    let carer = colleague(&t, &f, "carer@test.example", "care-worker").await;
    let (_, account) = carer.get_text("/account").await;
    let carer_token = csrf_token_in(&account).unwrap();
    let refused = carer
        .post_form(
            &format!("/patients/{patient}/plan/resuscitation"),
            &[
                ("csrf_token", carer_token.as_str()),
                ("base_version", "0"),
                ("cpr", "not-for-cpr"),
                ("decided_on", "2026-11-01"),
                ("made_by", "Dr Test"),
                ("escalation", "comfort"),
            ],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 403);
    let outsider = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    assert_eq!(
        outsider
            .get_text(&format!("/patients/{patient}/plan"))
            .await
            .0,
        403
    );
    let mut tx = t.app.store().begin_read().await.unwrap();
    let current = tx.current_sections(&f.patient.id).await.unwrap();
    assert_eq!(current.len(), 1, "only the crisis plan was saved");
}

async fn a_stale_save_shows_both_versions_and_merging_saves(backend: Backend) {
    let Some(t) = spawn_app(backend, "plan_conflict_and_merge").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let (patient, gp) = planned_patient(&t, &f).await;
    let nurse = colleague(&t, &f, "dn@test.example", "district-nurse").await;
    // Both open the empty section.
    let (_, gp_form) = gp
        .get_text(&format!("/patients/{patient}/plan/crisis-plan"))
        .await;
    let (_, dn_form) = nurse
        .get_text(&format!("/patients/{patient}/plan/crisis-plan"))
        .await;
    let (gp_token, dn_token) = (
        csrf_token_in(&gp_form).unwrap(),
        csrf_token_in(&dn_form).unwrap(),
    );
    let (status, _) = save_crisis_plan(&gp, &patient, &gp_token, "0", "Morphine 2.5 mg s/c").await;
    assert_eq!(status, 303);
    let (status, page) = save_crisis_plan(
        &nurse,
        &patient,
        &dn_token,
        "0",
        "Midazolam 2.5 mg s/c for agitation",
    )
    .await;
    assert_eq!(status, 409, "a save from an older version is a conflict");
    assert!(page.contains("Someone saved this section while you were editing it"));
    assert!(
        page.contains("Morphine 2.5 mg s/c") && page.contains("Midazolam 2.5 mg s/c for agitation")
    );
    assert!(
        page.contains("name=\"base_version\" value=\"1\""),
        "the merge starts from their version"
    );
    let mut tx = t.app.store().begin_read().await.unwrap();
    assert_eq!(
        tx.current_sections(&f.patient.id).await.unwrap()[0].version,
        1,
        "nothing overwritten"
    );
    drop(tx);
    let (status, _) = save_crisis_plan(
        &nurse,
        &patient,
        &dn_token,
        "1",
        "Morphine 2.5 mg s/c; Midazolam 2.5 mg s/c for agitation",
    )
    .await;
    assert_eq!(status, 303, "the merged save succeeds");
    let (_, history) = gp
        .get_text(&format!("/patients/{patient}/plan/crisis-plan/history"))
        .await;
    assert!(history.contains("Version 1 and version 2 side by side"));
    assert!(
        history.contains("class=\"changed\""),
        "the changed line is marked"
    );
}

async fn the_summary_names_what_is_missing_and_opens_under_emergency_access(backend: Backend) {
    let Some(t) = spawn_app(backend, "ooh_summary").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let (patient, gp) = planned_patient(&t, &f).await;
    let (_, form) = gp
        .get_text(&format!("/patients/{patient}/plan/anticipatory-medicines"))
        .await;
    let token = csrf_token_in(&form).unwrap();
    let saved = gp
        .post_form(
            &format!("/patients/{patient}/plan/anticipatory-medicines"),
            &[
                ("csrf_token", token.as_str()),
                ("base_version", "0"),
                ("drug", "Morphine sulfate 10 mg/ml"),
                ("dose", "2.5–5 mg"),
                ("route", "subcutaneous"),
                ("indication", "pain or breathlessness"),
                ("max_frequency", "hourly"),
                ("prescriber", "Dr Test"),
                ("prescribed_on", "2026-11-10"),
                ("dispensed", "no"),
                ("kept_where", ""),
                ("summary", "just-in-case medicines prescribed"),
            ],
        )
        .await;
    assert_eq!(saved.status().as_u16(), 303);
    // Two actions from anywhere: find by date of birth, then the row's summary link.
    let (_, found) = gp.get_text("/register?q=9%2F3%2F1941").await;
    assert!(
        found.contains(&format!("href=\"/patients/{patient}/summary\"")),
        "the patient is found by date of birth with a link to the summary"
    );
    let (_, nobody) = gp.get_text("/register?q=10%2F3%2F1941").await;
    assert!(!nobody.contains("CARTER"), "another date finds nobody");
    let (status, summary) = gp.get_text(&format!("/patients/{patient}/summary")).await;
    assert_eq!(status, 200);
    assert!(summary.contains("Not ready for out of hours"));
    assert!(
        summary.contains("anticipatory medicines dispensed to the home"),
        "prescribed, not dispensed"
    );
    assert!(summary.contains("NOT dispensed"));
    assert!(
        summary.contains("never recorded"),
        "missing sections are said to be missing"
    );
    assert!(summary.contains("Allergies"));

    let nurse = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    assert_eq!(
        nurse
            .get_text(&format!("/patients/{patient}/summary"))
            .await
            .0,
        403
    );
    let (_, form) = nurse
        .get_text(&format!("/patients/{patient}/emergency-access"))
        .await;
    let token = csrf_token_in(&form).unwrap();
    let opened = nurse
        .post_form(
            &format!("/patients/{patient}/emergency-access"),
            &[
                ("csrf_token", token.as_str()),
                ("reason", "urgent-care"),
                ("detail", "Night visit: pain out of control"),
            ],
        )
        .await;
    assert_eq!(opened.status().as_u16(), 303);
    let (status, summary) = nurse
        .get_text(&format!("/patients/{patient}/summary"))
        .await;
    assert_eq!(status, 200);
    assert!(summary.contains("under emergency access"));
    assert_eq!(
        nurse
            .get_text(&format!("/patients/{patient}/plan/crisis-plan"))
            .await
            .0,
        403,
        "emergency access reads the plan, it does not change it"
    );
    let mut tx = t.app.store().begin_read().await.unwrap();
    let trail = tx.audit_of_patient(&f.patient.id, 3).await.unwrap();
    assert!(
        trail.iter().any(|r| r.0 == "read"),
        "the summary view is audited"
    );
}

/// The CSRF token of the crisis plan's form.
async fn crisis_plan_token(client: &TestClient, patient: &str) -> String {
    let (_, form) = client
        .get_text(&format!("/patients/{patient}/plan/crisis-plan"))
        .await;
    csrf_token_in(&form).unwrap()
}

/// The out-of-hours summary page (answered 200).
async fn summary_page(client: &TestClient, patient: &str) -> String {
    let (status, page) = client
        .get_text(&format!("/patients/{patient}/summary"))
        .await;
    assert_eq!(status, 200);
    page
}

/// The summary of one patient opened again and again (the node draws it once per stored plan,
/// day and access basis) still shows what the record, the day, the phase and the rota say at
/// each view.
async fn a_summary_opened_again_shows_the_record_day_and_rota_of_each_view(backend: Backend) {
    use hearth_domain::on_call::OnCallShift;
    use jiff::SignedDuration;
    let Some(t) = spawn_app(backend, "summary_again").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    // The rota first: a node remembers it for a few seconds once read.
    let start = t.app.now();
    let shift = |id: &str, from_hours: i64, phone: &str| OnCallShift {
        id: id.into(),
        organisation_id: f.other_practice.id.clone(),
        practitioner_id: f.gp_actor.practitioner_id.clone(),
        starts_at: start + SignedDuration::from_hours(from_hours),
        ends_at: start + SignedDuration::from_hours(from_hours + 8),
        phone: phone.into(),
        created_at: start,
        updated_at: start,
        version: 1,
    };
    let mut tx = t.app.store().begin_write().await.unwrap();
    tx.insert_on_call_shifts(&[
        shift("now", -2, "01632 960 777"),
        shift("next", 6, "01632 960 888"),
    ])
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (patient, gp) = planned_patient(&t, &f).await;
    let token = crisis_plan_token(&gp, &patient).await;
    assert_eq!(
        save_crisis_plan(&gp, &patient, &token, "0", "Morphine 2.5 mg s/c")
            .await
            .0,
        303
    );
    t.app
        .record_phase(
            &f.gp_actor,
            &f.patient.id,
            "unstable",
            Some(start - SignedDuration::from_hours(1)),
        )
        .await
        .unwrap();
    let printed = |page: &str| {
        let at = page.find("Printed from Hearth on").unwrap();
        page[at..at + 40].to_owned()
    };

    let first = summary_page(&gp, &patient).await;
    assert!(first.contains("Morphine 2.5 mg s/c"));
    assert!(first.contains("less than a day in this phase"));
    assert!(first.contains("tel:01632960777") && !first.contains("tel:01632960888"));
    assert_eq!(
        summary_page(&gp, &patient).await,
        first,
        "opened again, the same page"
    );

    // A change to the plan shows at the next view.
    let token = crisis_plan_token(&gp, &patient).await;
    assert_eq!(
        save_crisis_plan(&gp, &patient, &token, "1", "Midazolam 5 mg s/c")
            .await
            .0,
        303
    );
    let changed = summary_page(&gp, &patient).await;
    assert!(changed.contains("Midazolam 5 mg s/c") && !changed.contains("Morphine 2.5 mg s/c"));

    // The rota follows the time of the view, the phase its whole days, the printed date its day.
    // (Signed in again: a session ends after a while without use.)
    t.clock.advance(SignedDuration::from_hours(7));
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let later = summary_page(&gp, &patient).await;
    assert!(later.contains("tel:01632960888") && !later.contains("tel:01632960777"));
    assert!(later.contains("Midazolam 5 mg s/c"));
    t.clock.advance(SignedDuration::from_hours(20));
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let next_day = summary_page(&gp, &patient).await;
    assert!(next_day.contains("1 day in this phase"));
    assert_ne!(
        printed(&next_day),
        printed(&later),
        "printed on the day it is read"
    );

    // Under emergency access the summary says so; the care team's summary right after does not.
    let nurse = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    let (_, access) = nurse
        .get_text(&format!("/patients/{patient}/emergency-access"))
        .await;
    let token = csrf_token_in(&access).unwrap();
    let opened = nurse
        .post_form(
            &format!("/patients/{patient}/emergency-access"),
            &[
                ("csrf_token", token.as_str()),
                ("reason", "urgent-care"),
                ("detail", "Night visit: breathless"),
            ],
        )
        .await;
    assert_eq!(opened.status().as_u16(), 303);
    let (_, emergency) = nurse
        .get_text(&format!("/patients/{patient}/summary"))
        .await;
    assert!(emergency.contains("under emergency access"));
    assert!(
        !summary_page(&gp, &patient)
            .await
            .contains("under emergency access")
    );
}

async fn the_who_to_call_leaflet_lists_numbers_day_and_night(backend: Backend) {
    let Some(t) = spawn_app(backend, "who_to_call_leaflet").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let (patient, gp) = planned_patient(&t, &f).await;
    let (_, form) = gp
        .get_text(&format!("/patients/{patient}/plan/crisis-plan"))
        .await;
    let token = csrf_token_in(&form).unwrap();
    let (status, _) = save_crisis_plan(&gp, &patient, &token, "0", "Morphine 2.5 mg s/c").await;
    assert_eq!(status, 303);
    let (status, leaflet) = gp
        .get_text(&format!("/patients/{patient}/who-to-call"))
        .await;
    assert_eq!(status, 200);
    for expected in [
        "Who to call for Edith Carter",
        "Ashby district nurses 01632 960 222",
        "Riverside Medical Practice",
        "tel:01632960111",
        "NHS 111",
        "Call <strong>999</strong>",
    ] {
        assert!(leaflet.contains(expected), "the leaflet shows {expected}");
    }
    let outsider = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    assert_eq!(
        outsider
            .get_text(&format!("/patients/{patient}/who-to-call"))
            .await
            .0,
        403
    );
}

on_both_backends!(
    the_who_to_call_leaflet_lists_numbers_day_and_night,
    sections_are_saved_as_versions_and_acknowledged,
    a_stale_save_shows_both_versions_and_merging_saves,
    the_summary_names_what_is_missing_and_opens_under_emergency_access,
    a_summary_opened_again_shows_the_record_day_and_rota_of_each_view,
);
