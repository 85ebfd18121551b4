//! Emergency access and the acting role: a clinician outside the care team opens a registered
//! patient's record with a reason, sees the banner, cannot change it, the coordinator is told,
//! the access report lists the reason, and the record closes again when the access expires;
//! unregistered patients and declined consent need a life-threatening reason, flagged for review.

use hearth_app::Clock;
use hearth_domain::practitioner::{PractitionerRole, Profession};
use hearth_domain::{OrganisationId, PractitionerRoleId};
use hearth_testkit::{
    Backend, Fixture, TestApp, TestClient, csrf_token_in, on_both_backends, spawn_app,
};
use jiff::SignedDuration;

use crate::care_team::join;
use crate::register::{REASONS, register};

/// Posts the emergency access form for `patient`.
async fn open(client: &TestClient, patient: &str, reason: &str, detail: &str) -> (u16, String) {
    let (status, form) = client
        .get_text(&format!("/patients/{patient}/emergency-access"))
        .await;
    assert_eq!(status, 200, "{form}");
    let token = csrf_token_in(&form).unwrap();
    let response = client
        .post_form(
            &format!("/patients/{patient}/emergency-access"),
            &[
                ("csrf_token", token.as_str()),
                ("reason", reason),
                ("detail", detail),
            ],
        )
        .await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The fixture's patient, registered by the GP (who coordinates): the outsider nurse is not in
/// the care team.
async fn registered_patient(t: &TestApp, f: &Fixture) -> String {
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let id = f.patient.id.to_string();
    join(t, f, &f.patient.id, &f.gp_actor.practitioner_id, "gp").await;
    assert_eq!(
        register(&gp, &id, "given", REASONS).await.status().as_u16(),
        303
    );
    id
}

async fn emergency_access_opens_a_registered_record_for_a_while(backend: Backend) {
    let Some(t) = spawn_app(backend, "emergency_access_opens_a_record").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let patient = registered_patient(&t, &f).await;
    let path = format!("/patients/{patient}");
    let nurse = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    assert_eq!(nurse.get_text(&path).await.0, 403);

    // Found by national number only, then the form shows who it is.
    let found = nurse.get("/emergency?number=9434765919").await;
    assert_eq!(found.status().as_u16(), 303);
    let (_, form) = nurse
        .get_text(&format!("/patients/{patient}/emergency-access"))
        .await;
    assert!(form.contains("Edith Carter") && form.contains("Why do you need the record now?"));

    let (status, page) = open(&nurse, &patient, "urgent-care", "short").await;
    assert_eq!(status, 422, "a reason needs a few words");
    assert!(page.contains("at least 10 characters"));
    assert_eq!(nurse.get_text(&path).await.0, 403, "nothing was opened");

    let (status, _) = open(
        &nurse,
        &patient,
        "urgent-care",
        "Called by daughter: increasing breathlessness at night",
    )
    .await;
    assert_eq!(status, 303);
    let (status, page) = nurse.get_text(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Emergency access — you are not in this patient"));
    assert!(page.contains("increasing breathlessness at night"));

    // Reading, not changing.
    let (_, team) = nurse.get_text(&format!("{path}/team")).await;
    let token = csrf_token_in(&team).unwrap();
    let change = nurse
        .post_form(
            &format!("{path}/team/members"),
            &[
                ("csrf_token", token.as_str()),
                ("member", &format!("service:{}", f.other_practice.id)),
                ("role", "other"),
            ],
        )
        .await;
    assert_eq!(
        change.status().as_u16(),
        403,
        "emergency access is read-only"
    );

    // The coordinator is told, and the access report lists it with the reason.
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let (_, start) = gp.get_text("/register").await;
    assert!(
        start.contains("1 new notice"),
        "the coordinator's start page says so"
    );
    let (_, notices) = gp.get_text("/notices").await;
    assert!(
        notices.contains("opened the record of a patient you coordinate under emergency access")
    );
    assert!(notices.contains("increasing breathlessness at night"));
    let (_, report) = gp.get_text(&format!("{path}/access")).await;
    assert!(report.contains("Opened the record under emergency access"));
    assert!(report.contains("Emergency access: Caring for the patient now"));

    // After the configured time the record is closed again.
    t.clock
        .advance(SignedDuration::from_hours(12) + SignedDuration::from_secs(1));
    let nurse = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    assert_eq!(nurse.get_text(&path).await.0, 403, "expired");
}

async fn unregistered_or_declined_patients_need_a_life_threatening_reason(backend: Backend) {
    let Some(t) = spawn_app(backend, "emergency_needs_life_threatening").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let patient = f.patient.id.to_string();
    let nurse = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    let (_, form) = nurse
        .get_text(&format!("/patients/{patient}/emergency-access"))
        .await;
    assert!(form.contains("not on the palliative care register"));
    let (status, page) = open(
        &nurse,
        &patient,
        "out-of-hours-advice",
        "Paramedic asking for advice on the phone",
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("only possible for a life-threatening emergency"));
    let (status, _) = open(
        &nurse,
        &patient,
        "life-threatening",
        "Collapsed at home, ambulance crew on scene",
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(nurse.get_text(&format!("/patients/{patient}")).await.0, 200);
    let mut tx = t.app.store().begin_read().await.unwrap();
    let open = tx
        .open_emergency_access(
            &t.app
                .sign_in(&f.outsider.email, &f.outsider.password)
                .await
                .unwrap()
                .actor
                .user_id,
            &f.patient.id,
            t.clock.now(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(open.review, "due", "the override is flagged for review");
    drop(tx);

    // The coordinator sees it in the access report and marks it reviewed; nobody else can.
    join(&t, &f, &f.patient.id, &f.gp_actor.practitioner_id, "gp").await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let (_, report) = gp.get_text(&format!("/patients/{patient}/access")).await;
    assert!(report.contains("Emergency access to review"));
    assert!(report.contains("Collapsed at home, ambulance crew on scene"));
    let token = csrf_token_in(&report).unwrap();
    let review = format!("/patients/{patient}/access/reviews/{}", open.id);
    let (_, page) = nurse.get_text("/account").await;
    let nurse_token = csrf_token_in(&page).unwrap();
    let refused = nurse
        .post_form(&review, &[("csrf_token", nurse_token.as_str())])
        .await;
    assert_eq!(
        refused.status().as_u16(),
        403,
        "only the coordinator reviews"
    );
    let reviewed = gp
        .post_form(&review, &[("csrf_token", token.as_str())])
        .await;
    assert_eq!(reviewed.status().as_u16(), 303);
    let (_, report) = gp.get_text(&format!("/patients/{patient}/access")).await;
    assert!(
        !report.contains("Emergency access to review"),
        "nothing left to review"
    );
    let mut tx = t.app.store().begin_read().await.unwrap();
    assert!(
        tx.emergency_reviews_due(&f.patient.id)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Gives the user of `email` a second role, as a district nurse at `organisation`; its id.
async fn second_role(t: &TestApp, email: &str, organisation: &OrganisationId) -> String {
    let actor = t
        .app
        .sign_in(email, hearth_testkit::PASSWORD)
        .await
        .unwrap()
        .actor;
    let now = t.clock.now();
    let role = PractitionerRole {
        id: PractitionerRoleId::new("role-second"),
        practitioner_id: actor.practitioner_id,
        organisation_id: organisation.clone(),
        profession: Profession::DistrictNurse,
        specialist: false,
        phone: None,
        email: None,
        competencies: Vec::new(),
        working_pattern: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let mut tx = t.app.store().begin_write().await.unwrap();
    tx.insert_practitioner_role(&role).await.unwrap();
    tx.commit().await.unwrap();
    role.id.to_string()
}

async fn a_user_with_two_roles_acts_in_one_at_a_time(backend: Backend) {
    let Some(t) = spawn_app(backend, "a_user_with_two_roles").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    // The outsider also works for the fixture's practice, listed second.
    let role = second_role(&t, &f.outsider.email, &f.practice.id).await;
    let nurse = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    let path = format!("/patients/{}", f.patient.id);
    let (_, account) = nurse.get_text("/account").await;
    assert!(account.contains("Acting as District nurse · Market Street Surgery"));
    assert_eq!(
        nurse.get_text(&path).await.0,
        403,
        "acting for the other practice"
    );

    let token = csrf_token_in(&account).unwrap();
    let switched = nurse
        .post_form(
            "/account/acting-role",
            &[("csrf_token", token.as_str()), ("role", role.as_str())],
        )
        .await;
    assert_eq!(switched.status().as_u16(), 303);
    let (_, account) = nurse.get_text("/account").await;
    assert!(account.contains("Acting as District nurse · Riverside Medical Practice"));
    assert_eq!(
        nurse.get_text(&path).await.0,
        200,
        "acting for the practice in the team"
    );

    let refused = nurse
        .post_form(
            "/account/acting-role",
            &[
                ("csrf_token", token.as_str()),
                ("role", "someone-elses-role"),
            ],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 422, "only one's own roles");
}

/// The deep link `/ooh?identifier=`: straight to the summary for the care team; through emergency
/// access, landing on the summary, for anyone else; an unknown number says so.
async fn the_ooh_link_opens_the_summary_directly_or_through_emergency_access(backend: Backend) {
    let Some(t) = spawn_app(backend, "ooh_deep_link").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let patient = registered_patient(&t, &f).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let location = |r: &reqwest::Response| r.headers()["location"].to_str().unwrap().to_owned();
    let direct = gp.get("/ooh?identifier=943%20476%205919").await;
    assert_eq!(direct.status().as_u16(), 303);
    assert_eq!(location(&direct), format!("/patients/{patient}/summary"));
    let (status, summary) = gp.get_text(&format!("/patients/{patient}/ooh")).await;
    assert_eq!(status, 200);
    assert!(
        summary.contains("Edith") && summary.contains("Crisis plan"),
        "{summary}"
    );

    let nurse = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    let through = nurse.get("/ooh?identifier=9434765919").await;
    assert_eq!(
        location(&through),
        format!("/patients/{patient}/emergency-access?then=summary")
    );
    let (_, form) = nurse.get_text(&location(&through)).await;
    assert!(form.contains(r#"name="then" value="summary""#));
    let token = csrf_token_in(&form).unwrap();
    let opened = nurse
        .post_form(
            &format!("/patients/{patient}/emergency-access"),
            &[
                ("csrf_token", token.as_str()),
                ("reason", "urgent-care"),
                (
                    "detail",
                    "Called by daughter: breathless and frightened at night",
                ),
                ("then", "summary"),
            ],
        )
        .await;
    assert_eq!(opened.status().as_u16(), 303);
    assert_eq!(location(&opened), format!("/patients/{patient}/summary"));
    assert_eq!(nurse.get_text(&location(&opened)).await.0, 200);

    let (status, page) = gp.get_text("/ooh?identifier=9999999999").await;
    assert_eq!(status, 422);
    assert!(
        page.contains("NHS number") || page.contains("national number"),
        "{page}"
    );
    let (status, _) = gp.get_text("/ooh").await;
    assert_eq!(status, 200, "without a number: the find page");
}

on_both_backends!(
    the_ooh_link_opens_the_summary_directly_or_through_emergency_access,
    emergency_access_opens_a_registered_record_for_a_while,
    unregistered_or_declined_patients_need_a_life_threatening_reason,
    a_user_with_two_roles_acts_in_one_at_a_time,
);
