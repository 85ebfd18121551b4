//! The audit trail: every read is recorded, and a change and its record share one transaction.

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
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].0, "create");
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

on_both_backends!(
    a_read_whose_audit_record_cannot_be_written_shows_nothing,
    reading_a_patient_page_writes_an_audit_record,
    a_failed_write_leaves_neither_change_nor_audit_record,
    a_successful_write_is_audited,
);
