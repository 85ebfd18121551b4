//! Transitions of care over HTTP: an emergency admission tells the team; the ward plans a
//! Friday-afternoon discharge at short notice and the risks show; the workflow refuses steps out
//! of order; the community nurse raises a concern (an urgent conversation with the ward), then
//! accepts; the checklist, the letter scored for completeness, the discharge home, and the
//! out-of-hours list of patients who arrived home today.

use hearth_domain::organisation::NewOrganisation;
use hearth_testkit::{
    Backend, Fixture, PASSWORD, TestApp, TestClient, csrf_token_in, on_both_backends, spawn_app,
};

use crate::care_team::{join, nurse_in_team};
use crate::register::{REASONS, register};

const WARD: &str = "grace.adeyemi@test.example";

async fn ward_nurse_in_team(t: &TestApp, f: &Fixture) {
    let hospital = t
        .app
        .create_organisation(NewOrganisation {
            name: "Westvale General Hospital".into(),
            kind: "hospital-department".into(),
            area: "Ashby".into(),
            phone: "01632 960 700".into(),
            part_of: None,
        })
        .await
        .unwrap();
    t.app
        .create_user(hearth_app::NewUser {
            email: WARD.into(),
            password: PASSWORD.into(),
            given_name: "Grace".into(),
            family_name: "Adeyemi".into(),
            roles: vec![hearth_app::NewUserRole {
                organisation_id: hospital.id.clone(),
                profession: "ward-nurse".into(),
                phone: String::new(),
            }],
        })
        .await
        .unwrap();
    let ward = t.app.sign_in(WARD, PASSWORD).await.unwrap().actor;
    join(t, f, &f.patient.id, &ward.practitioner_id, "other").await;
}

/// Posts `fields` to `path` with the CSRF token of `page`; the status and the body.
pub(crate) async fn post(
    client: &TestClient,
    page: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, Option<String>) {
    let (_, html) = client.get_text(page).await;
    let token = csrf_token_in(&html).expect("the page has a form");
    let mut form = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    let response = client.post_form(path, &form).await;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, response.text().await.unwrap(), location)
}

async fn a_risky_discharge_is_planned_questioned_accepted_and_arrives_home(backend: Backend) {
    let Some(t) = spawn_app(backend, "transitions").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    join(&t, &f, &f.patient.id, &f.gp_actor.practitioner_id, "gp").await;
    let patient = f.patient.id.to_string();
    register(&gp, &patient, "given", REASONS).await;
    nurse_in_team(&t, &f, "nia.evans@test.example", ("Nia", "Evans")).await;
    let nurse = t.signed_in("nia.evans@test.example", PASSWORD).await;
    ward_nurse_in_team(&t, &f).await;
    let ward = t.signed_in(WARD, PASSWORD).await;
    let page = format!("/patients/{patient}/transitions");

    // An emergency admission tells the team at once.
    let (status, _, _) = post(
        &ward,
        &page,
        &format!("/patients/{patient}/stays"),
        &[
            ("place", "hospital"),
            ("organisation", ""),
            ("detail", "Ward 7"),
            ("emergency", "yes"),
            ("reason", "COPD exacerbation, breathless at rest"),
            ("started_at", ""),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, notices) = nurse.get_text("/notices").await;
    assert!(
        notices.contains("Admitted as an emergency to Hospital (Ward 7): COPD exacerbation"),
        "{notices}"
    );
    let (_, overview) = gp.get_text(&format!("/patients/{patient}")).await;
    assert!(
        overview.contains("Hospital (Ward 7) since 20 Nov 2026 14:30"),
        "{overview}"
    );

    // The ward plans a discharge for this Friday at 16:30 — two hours' notice.
    let (status, body, _) = post(
        &ward,
        &page,
        &format!("/patients/{patient}/discharges"),
        &[
            ("planned_at", "2026-11-20T16:30"),
            ("destination", "home"),
            ("complex", "no-carer"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let (_, view) = nurse.get_text(&page).await;
    for flag in [
        "Discharge on a Friday afternoon",
        "Discharge late in the day",
        "Less notice than the rule asks",
        "No anticipatory medicines prescribed",
        "No crisis plan for out of hours",
        "No carer at home",
    ] {
        assert!(view.contains(flag), "{flag}: {view}");
    }
    assert!(
        view.contains("Discharge planning meeting held"),
        "complex: a meeting on the checklist"
    );
    let action = {
        let at = view.find("/discharges/").unwrap();
        let start = view[..at].rfind('"').unwrap() + 1;
        let end = view[at..].find("/checklist").unwrap() + at;
        view[start..end].to_owned()
    };
    let (_, notices) = nurse.get_text("/notices").await;
    assert!(
        notices.contains("Discharge planned for 20 Nov 2026 16:30"),
        "{notices}"
    );

    // Out of order: accepting before the ward says ready is refused.
    let (status, body, _) = post(&nurse, &page, &format!("{action}/accept"), &[]).await;
    assert_eq!(status, 422);
    assert!(body.contains("has not said the patient is ready"));

    // The community nurse raises a concern: an urgent conversation with the ward.
    let (status, _, to) = post(
        &nurse,
        &page,
        &format!("{action}/concern"),
        &[(
            "concern",
            "No anticipatory medicines prescribed: please prescribe before discharge.",
        )],
    )
    .await;
    assert_eq!(status, 303);
    assert!(to.unwrap().contains("/conversations/"));
    let (_, inbox) = ward.get_text("/inbox").await;
    assert!(inbox.contains("Concern about the discharge"), "{inbox}");
    assert!(inbox.contains("Urgent"));

    // The ward ticks the medicines, says the patient is ready; the ward cannot accept.
    let (status, _, _) = post(
        &ward,
        &page,
        &format!("{action}/checklist"),
        &[("item", "anticipatory-medicines"), ("done", "yes")],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        post(&ward, &page, &format!("{action}/ready"), &[]).await.0,
        303
    );
    assert_eq!(
        post(&ward, &page, &format!("{action}/ready"), &[]).await.0,
        422
    );
    let (status, body, _) = post(&ward, &page, &format!("{action}/accept"), &[]).await;
    assert_eq!(status, 422);
    assert!(body.contains("The receiving team accepts"));
    // The community nurse accepts.
    assert_eq!(
        post(&nurse, &page, &format!("{action}/accept"), &[])
            .await
            .0,
        303
    );
    assert_eq!(
        post(&nurse, &page, &format!("{action}/accept"), &[])
            .await
            .0,
        422
    );
    let (_, view) = ward.get_text(&page).await;
    assert!(view.contains("Accepted by Nia Evans"), "{view}");
    assert!(view.contains("✓ Grace Adeyemi"));

    // The letter, sent with only the diagnosis: scored, what it lacks listed.
    let (status, _, _) = post(
        &ward,
        &page,
        &format!("{action}/letter"),
        &[
            (
                "diagnosis",
                "COPD with type 2 respiratory failure. No more treatment to offer.",
            ),
            ("hospital_contact", "Ward 7, 01632 960 707"),
            ("send", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, view) = nurse.get_text(&page).await;
    assert!(view.contains("22% complete"), "{view}");
    assert!(view.contains("Says nothing yet of: What the patient and family were told"));
    let (_, notices) = nurse.get_text("/notices").await;
    assert!(notices.contains("it says nothing of"), "{notices}");
    // Sent, the letter is part of the record: it is not rewritten.
    let (status, body, _) = post(
        &ward,
        &page,
        &format!("{action}/letter"),
        &[("diagnosis", "Something else"), ("send", "no")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("The letter was sent"));

    // The patient leaves: home now, and on the out-of-hours list of today's arrivals.
    assert_eq!(
        post(&ward, &page, &format!("{action}/discharge"), &[])
            .await
            .0,
        303
    );
    let (_, view) = nurse.get_text(&page).await;
    assert!(view.contains("Home since 20 Nov 2026 14:30"), "{view}");
    assert!(view.contains("Sent before the patient arrived"));
    let (_, arrivals) = nurse.get_text("/arrivals").await;
    assert!(arrivals.contains("CARTER, Edith"), "{arrivals}");
    assert!(
        arrivals.contains("Not ready: no care plan yet"),
        "{arrivals}"
    );
    assert!(
        arrivals.contains("Discharged without the community team") && arrivals.contains("None.")
    );
    // Finished: nothing more changes.
    let (status, body, _) = post(&ward, &page, &format!("{action}/cancel"), &[]).await;
    assert_eq!(status, 422);
    assert!(body.contains("This discharge is finished"));

    // Someone outside the team neither sees nor records.
    let outsider = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    assert_eq!(outsider.get_text(&page).await.0, 403);
    let (_, arrivals) = outsider.get_text("/arrivals").await;
    assert!(!arrivals.contains("CARTER"));
}

async fn moves_and_plans_with_bad_input_are_refused(backend: Backend) {
    let Some(t) = spawn_app(backend, "transitions_refused").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    join(&t, &f, &f.patient.id, &f.gp_actor.practitioner_id, "gp").await;
    let patient = f.patient.id.to_string();
    let page = format!("/patients/{patient}/transitions");
    // No stay away from home: no discharge to plan.
    let (status, body, _) = post(
        &gp,
        &page,
        &format!("/patients/{patient}/discharges"),
        &[("planned_at", "2026-11-24T10:00")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("Record the admission first"));
    for (fields, message) in [
        (vec![("place", "moon")], "Choose where the patient is now."),
        (
            vec![("place", "hospital"), ("emergency", "yes")],
            "Say why the patient was admitted",
        ),
        (
            vec![("place", "hospital"), ("started_at", "2026-11-21T10:00")],
            "A move is recorded once it has happened",
        ),
        (
            vec![("place", "hospital"), ("organisation", "not an id!")],
            "Choose the place",
        ),
    ] {
        let (status, body, _) =
            post(&gp, &page, &format!("/patients/{patient}/stays"), &fields).await;
        assert_eq!(status, 422, "{message}");
        assert!(body.contains(message), "{message}: {body}");
    }
    let (_, view) = gp.get_text(&page).await;
    assert!(view.contains("no stay recorded yet."));

    // Admitted, then sent home before anyone accepted: flagged and reported.
    let (status, _, _) = post(
        &gp,
        &page,
        &format!("/patients/{patient}/stays"),
        &[("place", "hospice"), ("reason", "Respite")],
    )
    .await;
    assert_eq!(status, 303);
    // Going to a community service new to the patient: it is named, and joins the team.
    let community = t
        .app
        .create_organisation(NewOrganisation {
            name: "Fellside Community Nursing".into(),
            kind: "home-care".into(),
            area: "Fellside".into(),
            phone: "01632 960 333".into(),
            part_of: None,
        })
        .await
        .unwrap();
    let (status, body, _) = post(
        &gp,
        &page,
        &format!("/patients/{patient}/discharges"),
        &[
            ("planned_at", "2026-11-24T10:00"),
            ("receiving", "not an id!"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("Choose the community service"));
    let (status, _, _) = post(
        &gp,
        &page,
        &format!("/patients/{patient}/discharges"),
        &[
            ("planned_at", "2026-11-24T10:00"),
            ("receiving", community.id.as_str()),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, team) = gp.get_text(&format!("/patients/{patient}/team")).await;
    assert!(team.contains("Fellside Community Nursing"), "{team}");
    let (_, view) = gp.get_text(&page).await;
    assert!(
        view.contains("<td>Fellside Community Nursing</td>"),
        "owns the community's items"
    );
    let at = view.find("/discharges/").unwrap();
    let start = view[..at].rfind('"').unwrap() + 1;
    let end = view[at..].find("/checklist").unwrap() + at;
    let action = view[start..end].to_owned();
    // Only the receiving side accepts: not a ward colleague in the team.
    ward_nurse_in_team(&t, &f).await;
    let ward = t.signed_in(WARD, PASSWORD).await;
    let (status, body, _) = post(&ward, &page, &format!("{action}/ready"), &[]).await;
    assert_eq!(status, 303, "{body}");
    let (status, body, _) = post(&ward, &page, &format!("{action}/accept"), &[]).await;
    assert_eq!(status, 422);
    assert!(body.contains("The receiving team accepts"));
    // Home cannot be recorded as a plain move while a discharge is planned.
    let (status, body, _) = post(
        &gp,
        &page,
        &format!("/patients/{patient}/stays"),
        &[("place", "home")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("record the discharge there"));
    assert_eq!(
        post(&gp, &page, &format!("{action}/discharge"), &[])
            .await
            .0,
        303
    );
    let (_, view) = gp.get_text(&page).await;
    assert!(
        view.contains("Discharged without the receiving team"),
        "{view}"
    );
    let (_, arrivals) = gp.get_text("/arrivals").await;
    let report = arrivals
        .split("Discharged without the community team")
        .nth(1)
        .unwrap();
    assert!(report.contains("CARTER, Edith"), "{arrivals}");
}

on_both_backends!(
    a_risky_discharge_is_planned_questioned_accepted_and_arrives_home,
    moves_and_plans_with_bad_input_are_refused,
);
