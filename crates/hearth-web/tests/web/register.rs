//! The palliative care register: adding a patient with indicators and consent, consent limiting
//! sharing, leaving the register, stale edits, filters.

use hearth_app::{LeaveRegister, RegisterQuery};
use hearth_domain::register::NewRegisterEntry;
use hearth_testkit::{
    Backend, Fixture, TestClient, csrf_token_in, new_patient, on_both_backends, spawn_app,
};

/// Submits the register form for `patient` with the given consent and reasons.
pub(crate) async fn register(
    client: &TestClient,
    patient: &str,
    consent: &str,
    reasons: &[(&str, &str)],
) -> reqwest::Response {
    let (status, form) = client
        .get_text(&format!("/patients/{patient}/register/new"))
        .await;
    assert_eq!(status, 200);
    let token = csrf_token_in(&form).unwrap();
    let mut fields = vec![
        ("csrf_token", token.as_str()),
        ("identified_on", "2026-11-18"),
        ("diagnosis_group", "organ-failure"),
        ("consent", consent),
    ];
    fields.extend_from_slice(reasons);
    client
        .post_form(&format!("/patients/{patient}/register"), &fields)
        .await
}

pub(crate) const REASONS: &[(&str, &str)] = &[
    ("surprise", "not-surprised"),
    ("general", "unplanned-admissions"),
    ("general", "depends-on-others"),
    ("disease", "heart-vascular"),
];

async fn adding_a_patient_to_the_register_records_why_and_consent(backend: Backend) {
    let Some(t) = spawn_app(backend, "adding_a_patient_to_the_register").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.signed_in(&f.gp.email, &f.gp.password).await;
    let patient = f.patient.id.to_string();
    let (_, before) = client.get_text(&format!("/patients/{patient}")).await;
    assert!(before.contains("Not on the palliative care register"));

    let response = register(&client, &patient, "given", REASONS).await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, page) = client.get_text(&format!("/patients/{patient}")).await;
    for expected in [
        "On the register of Riverside Medical Practice",
        "since 18 Nov 2026",
        "No, I would not be surprised",
        "Unplanned hospital admission(s), Depends on others for care",
        "Heart / vascular disease",
        "Organ failure",
        "Consent given to share",
    ] {
        assert!(page.contains(expected), "the patient page shows {expected}");
    }
    let (_, list) = client.get_text("/register").await;
    assert!(list.contains("CARTER, Edith") && list.contains("18 Nov 2026"));
    let mut tx = t.app.store().begin_read().await.unwrap();
    let trail = tx.audit_of_patient(&f.patient.id, 10).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|(action, outcome, _)| action == "create" && outcome == "allowed")
    );

    drop(tx);
    let (status, _) = client
        .get_text(&format!("/patients/{patient}/register/new"))
        .await;
    assert_eq!(status, 303, "the form is not offered twice");
    let (_, page) = client.get_text(&format!("/patients/{patient}")).await;
    let token = csrf_token_in(&page).unwrap();
    let mut fields = vec![
        ("csrf_token", token.as_str()),
        ("identified_on", "2026-11-19"),
        ("diagnosis_group", "cancer"),
        ("consent", "given"),
    ];
    fields.extend_from_slice(REASONS);
    let again = client
        .post_form(&format!("/patients/{patient}/register"), &fields)
        .await;
    assert_eq!(
        again.status().as_u16(),
        409,
        "a patient is on the register once at a time"
    );
}

async fn identification_without_a_reason_is_refused_and_changes_nothing(backend: Backend) {
    let Some(t) = spawn_app(backend, "identification_without_a_reason").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.signed_in(&f.gp.email, &f.gp.password).await;
    let patient = f.patient.id.to_string();
    let response = register(&client, &patient, "given", &[("surprise", "surprised")]).await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("Say why the patient is being identified"));
    assert!(
        page.contains("value=\"surprised\" checked"),
        "the form keeps what was entered"
    );
    let (_, page) = client.get_text(&format!("/patients/{patient}")).await;
    assert!(page.contains("Not on the palliative care register"));

    let (_, form) = client
        .get_text(&format!("/patients/{patient}/register/new"))
        .await;
    assert!(csrf_token_in(&form).is_some());
    let forged = client
        .post_form(
            &format!("/patients/{patient}/register"),
            &[
                ("surprise", "not-surprised"),
                ("diagnosis_group", "cancer"),
                ("consent", "given"),
            ],
        )
        .await;
    assert_eq!(forged.status().as_u16(), 403, "no CSRF token, no change");
}

async fn declined_consent_limits_sharing_to_the_registering_organisation(backend: Backend) {
    let Some(t) = spawn_app(backend, "declined_consent_limits_sharing").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let mut shared = new_patient("Joan", "Thwaite", "999 000 0018");
    shared.organisations = vec![f.other_practice.id.clone()];
    let shared = t.app.create_patient(&f.gp_actor, shared).await.unwrap();
    let path = format!("/patients/{}", shared.id);
    let outsider = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    assert_eq!(
        outsider.get_text(&path).await.0,
        403,
        "involved, but not in the care team"
    );
    t.app
        .add_care_team_member(
            &f.gp_actor,
            &shared.id,
            hearth_domain::care_team::NewMember {
                member: format!("service:{}", f.other_practice.id),
                role: "district-nurse".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        outsider.get_text(&path).await.0,
        200,
        "the other practice is in the care team as a service"
    );

    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    assert_eq!(
        register(&gp, shared.id.as_str(), "declined", REASONS)
            .await
            .status()
            .as_u16(),
        303
    );
    let (_, page) = gp.get_text(&path).await;
    assert!(page.contains(
        "Consent to share declined: this record is shared only with Riverside Medical Practice"
    ));

    let (status, refusal) = outsider.get_text(&path).await;
    assert_eq!(
        status, 403,
        "declined consent: only the registering organisation"
    );
    assert!(
        refusal
            .contains("declined consent to share their record beyond Riverside Medical Practice"),
        "the refusal says why: {refusal}"
    );
    let (_, list) = outsider.get_text("/register?show=all").await;
    assert!(!list.contains("THWAITE"));

    let (_, page) = gp.get_text(&path).await;
    let token = csrf_token_in(&page).unwrap();
    let response = gp
        .post_form(
            &format!("{path}/register/consent"),
            &[
                ("csrf_token", &token),
                ("version", "1"),
                ("consent", "given"),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        outsider.get_text(&path).await.0,
        200,
        "shared again once consent is given"
    );
}

async fn leaving_the_register_keeps_the_entry_and_stale_edits_are_refused(backend: Backend) {
    let Some(t) = spawn_app(backend, "leaving_the_register").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.signed_in(&f.gp.email, &f.gp.password).await;
    let patient = f.patient.id.to_string();
    register(&client, &patient, "given", REASONS).await;
    let path = format!("/patients/{patient}");
    let (_, page) = client.get_text(&path).await;
    let token = csrf_token_in(&page).unwrap();

    let future = client
        .post_form(
            &format!("{path}/register/leave"),
            &[
                ("csrf_token", &token),
                ("version", "1"),
                ("leaving", "died"),
                ("on", "2030-01-01"),
                ("place", "home"),
                ("preferred_place", "yes"),
            ],
        )
        .await;
    assert_eq!(future.status().as_u16(), 422);
    assert!(
        future
            .text()
            .await
            .unwrap()
            .contains("The date of death is in the future")
    );

    let died = client
        .post_form(
            &format!("{path}/register/leave"),
            &[
                ("csrf_token", &token),
                ("version", "1"),
                ("leaving", "died"),
                ("on", "2026-11-19"),
                ("place", "home"),
                ("preferred_place", "yes"),
            ],
        )
        .await;
    assert_eq!(died.status().as_u16(), 303);
    let (_, page) = client.get_text(&path).await;
    assert!(page.contains("Died on 19 Nov 2026 (home; preferred place of death: yes)"));
    assert!(page.contains("Not on the palliative care register"));

    let stale = client
        .post_form(
            &format!("{path}/register/consent"),
            &[
                ("csrf_token", &token),
                ("version", "1"),
                ("consent", "declined"),
            ],
        )
        .await;
    assert_eq!(
        stale.status().as_u16(),
        404,
        "nothing active to change any more"
    );

    let (_, list) = client.get_text("/register").await;
    assert!(!list.contains("CARTER"), "no longer on the register");
}

async fn an_edit_based_on_an_old_version_is_refused(backend: Backend) {
    let Some(t) = spawn_app(backend, "an_edit_based_on_an_old_version").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.signed_in(&f.gp.email, &f.gp.password).await;
    let patient = f.patient.id.to_string();
    register(&client, &patient, "given", REASONS).await;
    let path = format!("/patients/{patient}");
    let (_, page) = client.get_text(&path).await;
    let token = csrf_token_in(&page).unwrap();
    let first = client
        .post_form(
            &format!("{path}/register/consent"),
            &[
                ("csrf_token", &token),
                ("version", "1"),
                ("consent", "best-interests"),
            ],
        )
        .await;
    assert_eq!(first.status().as_u16(), 303);
    let second = client
        .post_form(
            &format!("{path}/register/consent"),
            &[
                ("csrf_token", &token),
                ("version", "1"),
                ("consent", "declined"),
            ],
        )
        .await;
    assert_eq!(second.status().as_u16(), 409);
    assert!(
        second
            .text()
            .await
            .unwrap()
            .contains("Someone else changed this register entry")
    );
    let (_, page) = client.get_text(&path).await;
    assert!(
        page.contains("Not able to consent: shared in their best interests"),
        "the first change stands"
    );
}

async fn register_filters_by_diagnosis_group_and_consent(backend: Backend) {
    let Some(t) = spawn_app(backend, "register_filters").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let other = t
        .app
        .create_patient(&f.gp_actor, new_patient("Arthur", "Dodd", "999 000 0018"))
        .await
        .unwrap();
    let client = t.signed_in(&f.gp.email, &f.gp.password).await;
    register(&client, f.patient.id.as_str(), "given", REASONS).await;
    let (_, form) = client
        .get_text(&format!("/patients/{}/register/new", other.id))
        .await;
    let token = csrf_token_in(&form).unwrap();
    client
        .post_form(
            &format!("/patients/{}/register", other.id),
            &[
                ("csrf_token", &token),
                ("identified_on", "2026-11-19"),
                ("surprise", "not-surprised"),
                ("diagnosis_group", "cancer"),
                ("consent", "best-interests"),
            ],
        )
        .await;
    let (_, page) = client.get_text("/register?group=cancer").await;
    assert!(page.contains("DODD") && !page.contains("CARTER"));
    let (_, page) = client.get_text("/register?consent=given").await;
    assert!(page.contains("CARTER") && !page.contains("DODD"));
    let (_, page) = client.get_text("/register?sort=identified").await;
    assert!(
        page.find("DODD").unwrap() < page.find("CARTER").unwrap(),
        "most recently identified first"
    );
    let (_, page) = client
        .get_text(&format!("/register?organisation={}", f.other_practice.id))
        .await;
    assert!(page.contains("No patient you can see matches these filters"));
    let (status, page) = client.get_text("/register?group=gout").await;
    assert_eq!(status, 422);
    assert!(page.contains("Choose a value from the list"));
}

/// The register page reads a projection of the register (`register_list`); after every kind of
/// change it must agree with the tables it is derived from, and the page must show the change.
async fn the_register_list_follows_every_change(backend: Backend) {
    let Some(t) = spawn_app(backend, "the_register_list_follows_every_change").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = &f.gp_actor;
    let listed = |query: RegisterQuery| {
        let app = t.app.clone();
        let gp = gp.clone();
        async move {
            let page = app.register(&gp, &query).await.unwrap();
            page.patients
                .iter()
                .map(|p| (p.family_name.clone(), p.coordinator.clone()))
                .collect::<Vec<_>>()
        }
    };
    let coordinator = |c: &str| RegisterQuery {
        coordinator: Some(c.to_owned()),
        ..RegisterQuery::default()
    };
    // Joan involves both practices, so the outside nurse can join her team.
    let mut input = new_patient("Joan", "Thwaite", "999 000 0018");
    input.organisations = vec![f.other_practice.id.clone()];
    let joan = t.app.create_patient(gp, input).await.unwrap().id;
    assert!(listed(RegisterQuery::default()).await.is_empty());

    let entry = t
        .app
        .add_to_register(
            gp,
            &joan,
            NewRegisterEntry {
                identified_on: "2026-11-18".into(),
                surprise: "not-surprised".into(),
                general_indicators: vec!["unplanned-admissions".into()],
                disease_indicators: vec!["heart-vascular".into()],
                diagnosis_group: "organ-failure".into(),
                consent: "given".into(),
            },
        )
        .await
        .unwrap();
    t.assert_projections_current().await;
    assert_eq!(
        listed(coordinator("none")).await,
        vec![("Thwaite".to_owned(), None)],
        "on the register, and nobody coordinates yet"
    );

    let nurse = t
        .app
        .sign_in(&f.outsider.email, &f.outsider.password)
        .await
        .unwrap()
        .actor;
    let member = hearth_domain::care_team::NewMember {
        member: format!("practitioner:{}", nurse.practitioner_id),
        role: "district-nurse".into(),
        ..Default::default()
    };
    t.app.add_care_team_member(gp, &joan, member).await.unwrap();
    t.assert_projections_current().await;
    assert!(listed(coordinator("none")).await.is_empty());
    let by_nurse = listed(coordinator(nurse.practitioner_id.as_str())).await;
    assert_eq!(by_nurse.len(), 1);
    assert!(by_nurse[0].1.is_some(), "the coordinator's name is shown");

    let entry = t
        .app
        .change_register_consent(gp, &joan, entry.version, "declined")
        .await
        .unwrap();
    t.assert_projections_current().await;
    let declined = RegisterQuery {
        consent: Some("declined".into()),
        ..RegisterQuery::default()
    };
    assert_eq!(
        listed(declined.clone()).await.len(),
        1,
        "still seen by the registering practice"
    );
    let nurse_sees = t
        .app
        .register(&nurse, &RegisterQuery::default())
        .await
        .unwrap();
    assert!(
        nurse_sees.patients.is_empty(),
        "the other practice no longer sees her"
    );

    t.app.disable_user(&f.outsider.email).await.unwrap();
    t.assert_projections_current().await;
    assert_eq!(
        listed(coordinator("none")).await.len(),
        1,
        "a disabled account coordinates nobody"
    );

    t.app
        .leave_register(
            gp,
            &joan,
            entry.version,
            LeaveRegister::Removed {
                on: "2026-11-19".into(),
                reason: "Recovered well".into(),
            },
        )
        .await
        .unwrap();
    t.assert_projections_current().await;
    assert!(listed(RegisterQuery::default()).await.is_empty());
    assert!(listed(declined).await.is_empty());
}

on_both_backends!(
    the_register_list_follows_every_change,
    adding_a_patient_to_the_register_records_why_and_consent,
    identification_without_a_reason_is_refused_and_changes_nothing,
    declined_consent_limits_sharing_to_the_registering_organisation,
    leaving_the_register_keeps_the_entry_and_stale_edits_are_refused,
    an_edit_based_on_an_old_version_is_refused,
    register_filters_by_diagnosis_group_and_consent,
);
