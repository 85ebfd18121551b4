//! The audit trail: every read is recorded, a change and its record share one transaction, and
//! the patient's coordinator sees who accessed the record.

use hearth_app::AppError;
use hearth_testkit::{Backend, Fixture, new_patient, on_both_backends, spawn_app};

async fn reading_a_patient_page_writes_an_audit_record(backend: Backend) {
    let Some(t) = spawn_app(backend, "reading_a_patient_page_writes_an_audit_record").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.client();
    client.sign_in(&f.gp.email, &f.gp.password).await;
    let before = t
        .app
        .store()
        .begin_read()
        .await
        .unwrap()
        .count_audit()
        .await
        .unwrap();
    let (status, _) = client
        .get_text(&format!("/patients/{}", f.patient.id))
        .await;
    assert_eq!(status, 200);
    let mut tx = t.app.store().begin_read().await.unwrap();
    assert_eq!(tx.count_audit().await.unwrap(), before + 1);
    let trail = tx.audit_of_patient(&f.patient.id, 1).await.unwrap();
    assert_eq!(
        trail[0],
        (
            "read".to_owned(),
            "allowed".to_owned(),
            Some(f.gp_actor.user_id.to_string())
        )
    );
}

async fn a_failed_write_leaves_neither_change_nor_audit_record(backend: Backend) {
    let Some(t) = spawn_app(backend, "a_failed_write_leaves_neither").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let audit_before = t
        .app
        .store()
        .begin_read()
        .await
        .unwrap()
        .count_audit()
        .await
        .unwrap();
    // Same NHS number as the fixture's patient: the insert fails after the audit record of the
    // creation has been written in the same transaction.
    let result = t
        .app
        .create_patient(&f.gp_actor, new_patient("Edna", "Copy", "943 476 5919"))
        .await;
    assert!(
        matches!(result, Err(AppError::Duplicate(_))),
        "got {result:?}"
    );
    let mut tx = t.app.store().begin_read().await.unwrap();
    assert_eq!(
        tx.count_audit().await.unwrap(),
        audit_before,
        "the audit record was rolled back with the change"
    );
    let system = &t.app.config().national_number_system.system_uri;
    let holder = tx
        .patient_id_by_identifier(system, "9434765919")
        .await
        .unwrap();
    assert_eq!(
        holder,
        Some(f.patient.id.clone()),
        "the original patient is untouched"
    );
}

async fn a_successful_write_is_audited(backend: Backend) {
    let Some(t) = spawn_app(backend, "a_successful_write_is_audited").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let created = t
        .app
        .create_patient(&f.gp_actor, new_patient("Arthur", "Dodd", "999 000 0018"))
        .await
        .unwrap();
    let mut tx = t.app.store().begin_read().await.unwrap();
    let trail = tx.audit_of_patient(&created.id, 5).await.unwrap();
    // The patient, and their practice joining the care team as a service.
    assert_eq!(trail.len(), 2);
    assert!(trail.iter().all(|record| record.0 == "create"));
}

/// Makes every insert into `audit_events` fail, behind Hearth's back (test only).
async fn break_the_audit_table(t: &hearth_testkit::TestApp, backend: Backend) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&t.db.url).await.unwrap();
    let statements: &[&str] = match backend {
        Backend::Sqlite => &["CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events \
             BEGIN SELECT RAISE(ABORT, 'audit disabled by the test'); END"],
        Backend::Postgres => &[
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'audit disabled by the test'; END $$",
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events \
             FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
        ],
    };
    for statement in statements {
        sqlx::query(statement).execute(&mut conn).await.unwrap();
    }
}

async fn a_read_whose_audit_record_cannot_be_written_shows_nothing(backend: Backend) {
    let Some(t) = spawn_app(
        backend,
        "a_read_whose_audit_record_cannot_be_written_shows_nothing",
    )
    .await
    else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.client();
    client.sign_in(&f.gp.email, &f.gp.password).await;
    break_the_audit_table(&t, backend).await;
    let (status, page) = client
        .get_text(&format!("/patients/{}", f.patient.id))
        .await;
    assert_eq!(status, 500);
    assert!(
        !page.contains("CARTER") && !page.contains("943 476 5919"),
        "no patient data without its audit record"
    );
    assert!(page.contains("Nothing was changed"));
    let (status, page) = client.get_text("/register").await;
    assert_eq!(status, 500);
    assert!(!page.contains("CARTER"));
}

async fn the_coordinator_sees_who_accessed_the_record(backend: Backend) {
    let Some(t) = spawn_app(backend, "the_coordinator_sees_who_accessed").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let edith = f.patient.id.clone();
    f.gp_joins_the_team(&t.app).await;
    t.app
        .create_user(hearth_app::NewUser {
            email: "colleague@test.example".into(),
            password: hearth_testkit::PASSWORD.into(),
            given_name: "Priya".into(),
            family_name: "Colleague".into(),
            roles: vec![hearth_app::NewUserRole {
                organisation_id: f.practice.id.clone(),
                profession: "district-nurse".into(),
                phone: String::new(),
            }],
        })
        .await
        .unwrap();
    let colleague = t
        .signed_in("colleague@test.example", hearth_testkit::PASSWORD)
        .await;
    let (status, page) = colleague.get_text(&format!("/patients/{edith}")).await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("see who accessed this record"),
        "not the coordinator"
    );
    let (status, refused) = colleague
        .get_text(&format!("/patients/{edith}/access"))
        .await;
    assert_eq!(status, 403, "only the coordinator reads the report");
    assert!(refused.contains("Only the patient"));
    let outsider = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    let (status, _) = outsider.get_text(&format!("/patients/{edith}")).await;
    assert_eq!(status, 403);
    // Another patient's accesses never appear in Edith's report.
    let joan = t
        .app
        .create_patient(&f.gp_actor, new_patient("Joan", "Thwaite", "999 000 0018"))
        .await
        .unwrap();
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let (_, _) = gp.get_text(&format!("/patients/{}", joan.id)).await;

    let (status, page) = gp.get_text(&format!("/patients/{edith}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("see who accessed this record"));
    let (status, report) = gp.get_text(&format!("/patients/{edith}/access")).await;
    assert_eq!(status, 200, "{report}");
    assert!(report.contains("Priya Colleague <span class=\"muted\">District nurse</span>"));
    assert!(report.contains("Opened the patient record"));
    assert!(
        report.contains("Market Street Surgery"),
        "the refused attempt names its organisation"
    );
    assert_eq!(
        report.matches("tag--warn\">Refused").count(),
        2,
        "the outsider's and the colleague's report attempt"
    );
    assert!(
        report.contains("Added a care team member"),
        "the GP joining the team"
    );
    assert!(!report.contains(joan.id.as_str()) && !report.contains("Thwaite"));
    let (_, again) = gp.get_text(&format!("/patients/{edith}/access")).await;
    assert!(
        again.contains("Opened this access report"),
        "reading the report is audited too"
    );
    let (status, _) = gp
        .get_text(&format!("/patients/{edith}/access?before=zzz"))
        .await;
    assert_eq!(status, 404);
}

on_both_backends!(
    the_coordinator_sees_who_accessed_the_record,
    a_read_whose_audit_record_cannot_be_written_shows_nothing,
    reading_a_patient_page_writes_an_audit_record,
    a_failed_write_leaves_neither_change_nor_audit_record,
    a_successful_write_is_audited,
);
