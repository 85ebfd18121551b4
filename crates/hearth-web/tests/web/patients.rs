//! The register and the patient page: who may see what, search, and refusals.

use hearth_testkit::{Backend, Fixture, new_patient, on_both_backends, spawn_app};

async fn register_lists_and_searches_only_patients_the_user_may_see(backend: Backend) {
    let Some(t) = spawn_app(backend, "register_lists_and_searches").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    t.app
        .create_patient(
            &f.gp_actor,
            new_patient("Arthur", "Ramsbottom", "999 000 0018"),
        )
        .await
        .unwrap();
    let nurse = t
        .app
        .sign_in(&f.outsider.email, &f.outsider.password)
        .await
        .unwrap()
        .actor;
    t.app
        .create_patient(&nurse, new_patient("Hidden", "Elsewhere", "999 000 0026"))
        .await
        .unwrap();

    let client = t.signed_in(&f.gp.email, &f.gp.password).await;
    let (status, page) = client.get_text("/register").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("No patients are on your organisation&#x27;s register yet")
            || page.contains("No patients are on your organisation's register yet")
    );
    let (status, page) = client.get_text("/register?show=all").await;
    assert_eq!(status, 200);
    assert!(page.contains("CARTER, Edith") && page.contains("RAMSBOTTOM, Arthur"));
    assert!(
        !page.contains("ELSEWHERE"),
        "patients of other organisations are not listed"
    );
    assert!(page.contains("943 476 5919"), "NHS numbers are shown 3-3-4");

    let (_, page) = client.get_text("/register?show=all&q=ramsb").await;
    assert!(page.contains("RAMSBOTTOM, Arthur") && !page.contains("CARTER, Edith"));
    let (_, page) = client
        .get_text("/register?show=all&q=Carter%2C+Edith")
        .await;
    assert!(page.contains("CARTER, Edith"));
    let (_, page) = client.get_text("/register?show=all&q=943+476+5919").await;
    assert!(page.contains("CARTER, Edith") && !page.contains("RAMSBOTTOM"));
    let (_, page) = client.get_text("/register?show=all&q=elsewhere").await;
    assert!(page.contains("No patient you can see matches"));

    for mangled in [
        "/register?page=abc",
        "/register?page=99999999999",
        "/register?page=-1",
    ] {
        let (status, page) = client.get_text(mangled).await;
        assert_eq!(status, 200, "{mangled} shows a page rather than an error");
        assert!(page.contains("<h1>Register</h1>"));
    }

    let (status, page) = client.get_text("/register?show=all&q=943+476+5918").await;
    assert_eq!(status, 422);
    assert!(page.contains("This is not a valid NHS number"));
}

async fn patient_page_shows_demographics_and_organisations(backend: Backend) {
    let Some(t) = spawn_app(backend, "patient_page_shows_demographics").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.signed_in(&f.gp.email, &f.gp.password).await;
    let (status, page) = client
        .get_text(&format!("/patients/{}", f.patient.id))
        .await;
    assert_eq!(status, 200);
    for expected in [
        "CARTER, Edith",
        "943 476 5919",
        "9 Mar 1941 (85)",
        "Heart failure (NYHA class IV)",
        "4 Mill Lane, Ashby, QX3 4AB",
        "Riverside Medical Practice",
        "tel:01632960111",
    ] {
        assert!(page.contains(expected), "the patient page shows {expected}");
    }
}

async fn outsiders_are_refused_and_the_refusal_is_audited(backend: Backend) {
    let Some(t) = spawn_app(backend, "outsiders_are_refused").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    let (status, page) = client
        .get_text(&format!("/patients/{}", f.patient.id))
        .await;
    assert_eq!(status, 403);
    assert!(
        page.contains("You are not in this patient&#39;s care team")
            || page.contains("You are not in this patient's care team"),
        "{page}"
    );
    assert!(
        page.contains(&format!("/patients/{}/emergency-access", f.patient.id)),
        "the refusal offers emergency access"
    );
    assert!(!page.contains("Carter") && !page.contains("CARTER"));
    let mut tx = t.app.store().begin_read().await.unwrap();
    let trail = tx.audit_of_patient(&f.patient.id, 1).await.unwrap();
    assert_eq!(trail[0].0, "read");
    assert_eq!(trail[0].1, "denied");
}

async fn administrators_do_not_read_clinical_records(backend: Backend) {
    let Some(t) = spawn_app(backend, "administrators_do_not_read_clinical_records").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.signed_in(&f.admin.email, &f.admin.password).await;
    let (status, page) = client.get_text("/register").await;
    assert_eq!(status, 403);
    assert!(page.contains("Your role (Administrator) does not give access to patient records"));
    let (status, _) = client
        .get_text(&format!("/patients/{}", f.patient.id))
        .await;
    assert_eq!(status, 403);
}

async fn unknown_and_malformed_patient_ids_are_not_found(backend: Backend) {
    let Some(t) = spawn_app(backend, "unknown_patient_ids").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.signed_in(&f.gp.email, &f.gp.password).await;
    assert_eq!(
        client
            .get("/patients/00000000-0000-4000-8000-000000000000")
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        client
            .get("/patients/..%2F..%2Fetc")
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(client.get("/no-such-page").await.status().as_u16(), 404);
}

on_both_backends!(
    register_lists_and_searches_only_patients_the_user_may_see,
    patient_page_shows_demographics_and_organisations,
    outsiders_are_refused_and_the_refusal_is_audited,
    administrators_do_not_read_clinical_records,
    unknown_and_malformed_patient_ids_are_not_found,
);
