//! Storage stories, run against SQLite and PostgreSQL alike, and the check that the two
//! migration sets stay in step.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_domain::care_team::{CareTeamMember, CareTeamRole, Member};
use hearth_domain::national_number::NationalNumberSystem;
use hearth_domain::organisation::NewOrganisation;
use hearth_domain::patient::Patient;
use hearth_domain::{OrganisationId, PatientId, PractitionerId, UserId};
use hearth_store::{Backend, PatientQuery, Reader, StoreError};
use hearth_testkit::{TestDatabase, new_patient, on_both_backends, start_time};

#[path = "store/needs.rs"]
mod needs;

#[test]
fn both_backends_have_the_same_migration_files() {
    let sqlite: Vec<_> = Backend::Sqlite
        .migrations()
        .iter()
        .map(|m| (m.version, m.file_name))
        .collect();
    let postgres: Vec<_> = Backend::Postgres
        .migrations()
        .iter()
        .map(|m| (m.version, m.file_name))
        .collect();
    assert_eq!(
        sqlite, postgres,
        "migration names differ between SQLite and PostgreSQL"
    );
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let dir = format!(
            "{}/src/{}/migrations",
            env!("CARGO_MANIFEST_DIR"),
            backend.name()
        );
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        on_disk.sort();
        let listed: Vec<String> = backend
            .migrations()
            .iter()
            .map(|m| m.file_name.to_owned())
            .collect();
        assert_eq!(
            on_disk, listed,
            "{dir} holds files the migration list does not name"
        );
        for (n, migration) in backend.migrations().iter().enumerate() {
            assert_eq!(
                migration.version,
                n as i64 + 1,
                "versions must count up from 1"
            );
            assert!(
                migration
                    .file_name
                    .starts_with(&format!("{:04}_", migration.version))
            );
        }
    }
}

#[tokio::test]
async fn both_backends_build_the_same_tables_and_columns() {
    let Some(sqlite) = TestDatabase::new(hearth_testkit::Backend::Sqlite, "schema parity").await
    else {
        return;
    };
    let Some(postgres) =
        TestDatabase::new(hearth_testkit::Backend::Postgres, "schema parity").await
    else {
        return;
    };
    let sqlite_schema = sqlite.store.schema().await.unwrap();
    let postgres_schema = postgres.store.schema().await.unwrap();
    assert!(sqlite_schema.contains_key("patients"));
    assert_eq!(sqlite_schema, postgres_schema);
    let sqlite_indexes = sqlite.store.index_names().await.unwrap();
    assert!(sqlite_indexes.contains(&"register_list_by_group".to_owned()));
    assert_eq!(
        sqlite_indexes,
        postgres.store.index_names().await.unwrap(),
        "same indexes on both"
    );
}

fn patient(id: &str, given: &str, family: &str, number: &str, org: &OrganisationId) -> Patient {
    let mut input = new_patient(given, family, number);
    input.organisations = vec![org.clone()];
    input
        .validate(
            PatientId::new(id),
            &NationalNumberSystem::nhs_number(),
            "2026-11-20".parse().unwrap(),
            start_time(),
        )
        .unwrap()
}

/// `org` as a service member of each patient's care team: what makes them visible to its staff.
fn service_members(patients: &[&str], org: &OrganisationId) -> Vec<CareTeamMember> {
    patients
        .iter()
        .map(|p| CareTeamMember {
            id: format!("m-{p}"),
            patient_id: PatientId::new(*p),
            member: Member::Service(org.clone()),
            role: CareTeamRole::Other,
            responsibilities: Vec::new(),
            coordinator: false,
            started_on: start_time().to_zoned(jiff::tz::TimeZone::UTC).date(),
            ended_on: None,
            created_at: start_time(),
            updated_at: start_time(),
            version: 1,
        })
        .collect()
}

async fn patients_round_trip_and_search(backend: hearth_testkit::Backend) {
    let Some(db) = TestDatabase::new(backend, "patients_round_trip_and_search").await else {
        return;
    };
    let store = &db.store;
    let org = NewOrganisation {
        name: "Riverside".into(),
        kind: "gp-practice".into(),
        ..Default::default()
    }
    .validate(OrganisationId::new("org-1"), start_time())
    .unwrap();
    let mut other = NewOrganisation {
        name: "Elsewhere".into(),
        kind: "hospice".into(),
        ..Default::default()
    }
    .validate(OrganisationId::new("org-2"), start_time())
    .unwrap();
    other.details.opening_hours = Some("Every day".into());
    other.details.competencies = vec![hearth_domain::organisation::Competency::SyringeDrivers];
    other.details.how_to_refer = Some("Ring first".into());
    let mut tx = store.begin_write().await.unwrap();
    tx.insert_organisation(&org).await.unwrap();
    tx.insert_organisation(&other).await.unwrap();
    let edith = patient("p-1", "Edith", "Carter", "9434765919", &org.id);
    tx.insert_patient(&edith).await.unwrap();
    tx.insert_patients_bulk(&[
        patient("p-2", "Arthur", "Carterton", "9990000018", &org.id),
        patient("p-3", "Mary", "Ali", "9990000026", &other.id),
    ])
    .await
    .unwrap();
    tx.insert_care_team_members(&service_members(&["p-1", "p-2"], &org.id))
        .await
        .unwrap();
    let mut ali = service_members(&["p-3"], &other.id);
    ali[0].id = "m-p-3-other".into();
    tx.insert_care_team_members(&ali).await.unwrap();
    tx.commit().await.unwrap();

    let system = NationalNumberSystem::nhs_number().system_uri;
    let mut tx = store.begin_read().await.unwrap();
    let stored = tx
        .organisations_by_ids(std::slice::from_ref(&other.id))
        .await
        .unwrap();
    assert_eq!(
        stored,
        vec![other.clone()],
        "directory details read back as written"
    );
    let stored = tx
        .organisations_by_ids(std::slice::from_ref(&other.id))
        .await
        .unwrap();
    assert_eq!(
        stored,
        vec![other.clone()],
        "directory details read back as written"
    );
    let read = tx.patient(&edith.id, &system).await.unwrap().unwrap();
    assert_eq!(read, edith, "a patient reads back exactly as written");
    let (user, someone) = (UserId::new("u-1"), PractitionerId::new("pr-1"));
    let reader = |organisation| Reader {
        user: &user,
        practitioner: &someone,
        organisation,
        clinical: true,
    };
    let facts = tx
        .access_facts(&edith.id, reader(Some(&org.id)), start_time())
        .await
        .unwrap()
        .unwrap();
    assert!(facts.service_member && !facts.personal_member);
    let facts = tx
        .access_facts(&edith.id, reader(Some(&other.id)), start_time())
        .await
        .unwrap()
        .unwrap();
    assert!(!facts.service_member && !facts.personal_member);
    assert!(
        tx.access_facts(&PatientId::new("nobody"), reader(None), start_time())
            .await
            .unwrap()
            .is_none()
    );

    let query = |prefix: Option<&str>, number: Option<&str>, orgs: Vec<OrganisationId>| {
        (prefix.map(str::to_owned), number.map(str::to_owned), orgs)
    };
    for ((prefix, number, orgs), expected) in [
        (
            query(Some("carter"), None, vec![org.id.clone()]),
            vec!["p-1", "p-2"],
        ),
        (
            query(Some("carter e"), None, vec![org.id.clone()]),
            vec!["p-1"],
        ),
        (
            query(None, Some("9990000018"), vec![org.id.clone()]),
            vec!["p-2"],
        ),
        (query(None, None, vec![other.id.clone()]), vec!["p-3"]),
        (query(Some("ali"), None, vec![org.id.clone()]), vec![]),
    ] {
        let (found, more) = tx
            .search_patients(&PatientQuery {
                name_prefix: prefix,
                national_number: number,
                ..PatientQuery::visible_to(&system, &someone, orgs.first())
            })
            .await
            .unwrap();
        let ids: Vec<&str> = found.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, expected);
        assert!(!more);
    }
    drop(tx);

    let mut tx = store.begin_write().await.unwrap();
    let mut twin = patient("p-4", "Edith", "Twin", "9434765919", &org.id);
    twin.id = PatientId::new("p-4");
    let error = tx.insert_patient(&twin).await.unwrap_err();
    assert!(
        matches!(error, StoreError::Duplicate { .. }),
        "got {error:?}"
    );
}

async fn paging_reports_more(backend: hearth_testkit::Backend) {
    let Some(db) = TestDatabase::new(backend, "paging_reports_more").await else {
        return;
    };
    let org = NewOrganisation {
        name: "Riverside".into(),
        kind: "gp-practice".into(),
        ..Default::default()
    }
    .validate(OrganisationId::new("org-1"), start_time())
    .unwrap();
    let mut tx = db.store.begin_write().await.unwrap();
    tx.insert_organisation(&org).await.unwrap();
    let numbers = ["9990000018", "9990000026", "9990000034"];
    let many: Vec<Patient> = numbers
        .iter()
        .enumerate()
        .map(|(n, number)| {
            patient(
                &format!("p-{n}"),
                "Ann",
                &format!("Smith{n}"),
                number,
                &org.id,
            )
        })
        .collect();
    tx.insert_patients_bulk(&many).await.unwrap();
    tx.insert_care_team_members(&service_members(&["p-0", "p-1", "p-2"], &org.id))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let system = NationalNumberSystem::nhs_number().system_uri;
    let someone = PractitionerId::new("pr-1");
    let mut tx = db.store.begin_read().await.unwrap();
    let page = |offset| PatientQuery {
        limit: 2,
        offset,
        ..PatientQuery::visible_to(&system, &someone, Some(&org.id))
    };
    let (first, more) = tx.search_patients(&page(0)).await.unwrap();
    assert_eq!((first.len(), more), (2, true));
    let (second, more) = tx.search_patients(&page(2)).await.unwrap();
    assert_eq!((second.len(), more), (1, false));
    assert_eq!(second[0].family_name, "Smith2");
}

fn audit_record(n: usize) -> hearth_domain::audit::AuditRecord {
    use hearth_domain::audit::{AccessBasis, AuditAction, AuditOutcome, AuditRecord};
    AuditRecord {
        at: start_time(),
        user_id: Some(hearth_domain::UserId::new(format!("user-{n}"))),
        acting_organisation_id: Some(OrganisationId::new("org-1")),
        patient_id: Some(PatientId::new("p-1")),
        action: AuditAction::Read,
        resource_type: "Patient",
        resource_id: Some("p-1".into()),
        resource_version: Some(1),
        basis: AccessBasis::OrganisationInvolved,
        outcome: AuditOutcome::Allowed,
        detail: n.is_multiple_of(2).then(|| format!("record {n}")),
    }
}

/// Six records in three transactions (two each, so a transaction appends after its own record
/// and the next one reads the head again).
async fn six_audit_records(db: &TestDatabase) {
    for n in 0..3 {
        let mut tx = db.store.begin_write().await.unwrap();
        tx.append_audit(&audit_record(2 * n)).await.unwrap();
        tx.append_audit(&audit_record(2 * n + 1)).await.unwrap();
        tx.commit().await.unwrap();
    }
}

async fn raw(db: &TestDatabase, statements: &[&str]) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    for statement in statements {
        sqlx::query(statement).execute(&mut conn).await.unwrap();
    }
}

async fn the_audit_chain_names_the_record_tampered_with(backend: hearth_testkit::Backend) {
    let forged = "INSERT INTO audit_events (seq, at, user_id, action, resource_type, basis, outcome, prev_hash, hash) \
        SELECT 4, at, 'intruder', 'read', 'Patient', 'administration', 'allowed', hash, \
        'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' FROM audit_events WHERE seq = 3";
    let cases: [(&str, Vec<&str>, i64); 4] = [
        (
            "edit",
            vec!["UPDATE audit_events SET user_id = 'someone-else' WHERE seq = 3"],
            3,
        ),
        ("delete", vec!["DELETE FROM audit_events WHERE seq = 3"], 4),
        (
            "insert",
            vec![
                "UPDATE audit_events SET seq = seq + 10 WHERE seq >= 4",
                forged,
            ],
            4,
        ),
        (
            "reorder",
            vec![
                "UPDATE audit_events SET seq = -1 WHERE seq = 3",
                "UPDATE audit_events SET seq = 3 WHERE seq = 4",
                "UPDATE audit_events SET seq = 4 WHERE seq = -1",
            ],
            3,
        ),
    ];
    for (tamper, statements, expected) in cases {
        let Some(db) = TestDatabase::new(backend, &format!("audit_chain_{tamper}")).await else {
            return;
        };
        let empty = db.store.verify_audit_chain().await.unwrap();
        assert_eq!((empty.records, empty.broken), (0, None));
        six_audit_records(&db).await;
        let intact = db.store.verify_audit_chain().await.unwrap();
        assert_eq!(intact.records, 6, "{tamper}: an untouched chain verifies");
        assert!(intact.broken.is_none());
        assert_ne!(intact.head, hearth_store::GENESIS);

        raw(&db, &statements).await;
        let check = db.store.verify_audit_chain().await.unwrap();
        let broken = check
            .broken
            .unwrap_or_else(|| panic!("{tamper}: the chain still verifies"));
        assert_eq!(broken.seq, expected, "{tamper}: {}", broken.problem);
        let verified_before = if tamper == "delete" { 2 } else { expected - 1 };
        assert_eq!(check.records, verified_before as u64, "{tamper}");
    }
}

/// Groups of read audit records (on a SQLite file, written by the direct writer) and changes'
/// records (in their write transactions) appended at once form one unbroken chain with every
/// record in it once.
async fn read_audit_groups_and_changes_appended_at_once_keep_one_chain(
    backend: hearth_testkit::Backend,
) {
    let Some(db) = TestDatabase::new(backend, "audit_groups_at_once").await else {
        return;
    };
    let mut tasks = Vec::new();
    for task in 0..8 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0..10 {
                let n = 1000 * task + 10 * round;
                if task % 2 == 0 {
                    let group = (0..5).map(|i| audit_record(n + i)).collect();
                    store.append_read_audit(group).await.unwrap();
                } else {
                    let mut tx = store.begin_write().await.unwrap();
                    tx.append_audit(&audit_record(n)).await.unwrap();
                    tx.append_audit(&audit_record(n + 1)).await.unwrap();
                    tx.commit().await.unwrap();
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    // Four tasks of ten groups of five, four tasks of ten changes with two records each.
    let check = db.store.verify_audit_chain().await.unwrap();
    assert_eq!((check.records, check.broken), (280, None));
    let mut tx = db.store.begin_read().await.unwrap();
    assert_eq!(tx.count_audit().await.unwrap(), 280);
    let details = tx
        .audit_of_patient(&PatientId::new("p-1"), 1000)
        .await
        .unwrap();
    let mut users: Vec<_> = details
        .into_iter()
        .filter_map(|(_, _, user)| user)
        .collect();
    users.sort();
    users.dedup();
    assert_eq!(users.len(), 280, "every record is in the trail once");
}

async fn records_written_before_the_chain_are_chained_by_migrate(backend: hearth_testkit::Backend) {
    let Some(db) = TestDatabase::new(backend, "audit_chain_backfill").await else {
        return;
    };
    // Records as migration 0006 left them: no hashes.
    raw(
        &db,
        &[
            "INSERT INTO audit_events (seq, at, action, resource_type, basis, outcome) \
             VALUES (1, 1, 'read', 'Patient', 'administration', 'allowed')",
            "INSERT INTO audit_events (seq, at, action, resource_type, basis, outcome) \
             VALUES (3, 2, 'search', 'Patient', 'administration', 'allowed')",
        ],
    )
    .await;
    let unchained = db.store.verify_audit_chain().await.unwrap();
    assert_eq!(unchained.broken.map(|b| b.seq), Some(1));
    db.store.migrate().await.unwrap();
    six_audit_records(&db).await;
    let check = db.store.verify_audit_chain().await.unwrap();
    assert_eq!((check.records, check.broken), (8, None));
}

fn crisis_plan(version: i64, what_to_do: &str) -> hearth_domain::care_plan::SectionVersion {
    use hearth_domain::care_plan::{Content, Section, SectionVersion};
    SectionVersion {
        patient_id: PatientId::new("p-1"),
        section: Section::CrisisPlan,
        version,
        content: Content::CrisisPlan {
            likely: "Breathlessness at night".into(),
            what_to_do: what_to_do.into(),
            call_first: "District nurses".into(),
            admission: "no".into(),
            gp_verifies_death: true,
        },
        summary: format!("save {version}"),
        author: PractitionerId::new("pr-1"),
        saved_at: start_time(),
        review_by: jiff::civil::date(2026, 12, 20),
    }
}

/// Saves one section version in its own transaction; whether it was stored.
async fn save_section(
    store: &hearth_store::Store,
    version: hearth_domain::care_plan::SectionVersion,
) -> bool {
    let mut tx = store.begin_write().await.unwrap();
    let stored = tx.insert_section_version(&version).await.unwrap();
    tx.commit().await.unwrap();
    stored
}

async fn racing_saves_of_one_section_have_one_winner(backend: hearth_testkit::Backend) {
    use hearth_domain::care_plan::{Content, Section};
    let Some(db) = TestDatabase::new(backend, "racing_section_saves").await else {
        return;
    };
    let org = NewOrganisation {
        name: "Riverside".into(),
        kind: "gp-practice".into(),
        ..Default::default()
    }
    .validate(OrganisationId::new("org-1"), start_time())
    .unwrap();
    let mut tx = db.store.begin_write().await.unwrap();
    tx.insert_organisation(&org).await.unwrap();
    tx.insert_patient(&patient("p-1", "Edith", "Carter", "9434765919", &org.id))
        .await
        .unwrap();
    tx.insert_practitioner(&hearth_domain::practitioner::Practitioner {
        id: PractitionerId::new("pr-1"),
        given_name: "Amelia".into(),
        family_name: "Hughes".into(),
        created_at: start_time(),
        updated_at: start_time(),
        version: 1,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Two clinicians save the same section, both from the empty section: one wins.
    let (a, b) = tokio::join!(
        save_section(&db.store, crisis_plan(1, "Morphine 2.5 mg s/c")),
        save_section(&db.store, crisis_plan(1, "Call 999")),
    );
    assert!(a ^ b, "exactly one of two racing saves wins (got {a}, {b})");
    // A different section saved at the same time succeeds as well.
    let mut other = crisis_plan(1, "");
    other.section = Section::CarerFamily;
    other.content = Content::CarerFamily {
        name: "Joan".into(),
        relationship: "wife".into(),
        contact: "07700 900 123".into(),
        lives_with_patient: true,
        aware_of_prognosis: true,
        carer_needs: String::new(),
    };
    let carer = other.clone();
    let (c, d) = tokio::join!(
        save_section(&db.store, crisis_plan(2, "Morphine 5 mg s/c")),
        save_section(&db.store, other),
    );
    assert!(c && d, "saves of different sections both succeed");
    // A later change that everyone need not read again leaves the significant version alone.
    let mut carer = carer;
    carer.version = 2;
    carer.summary = "new mobile number".into();
    assert!(save_section(&db.store, carer).await);

    let mut tx = db.store.begin_read().await.unwrap();
    let current = tx.current_sections(&PatientId::new("p-1")).await.unwrap();
    assert_eq!(current.len(), 2);
    let crisis = current
        .iter()
        .find(|v| v.section == Section::CrisisPlan)
        .unwrap();
    assert_eq!(crisis.version, 2);
    assert_eq!(
        crisis,
        &crisis_plan(2, "Morphine 5 mg s/c"),
        "content reads back as written"
    );
    let history = tx
        .section_versions(&PatientId::new("p-1"), Section::CrisisPlan)
        .await
        .unwrap();
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        [2, 1]
    );
    let state = tx
        .plan_state(&PatientId::new("p-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.version, 4, "four section versions saved");
    assert!(
        [2, 3].contains(&state.significant_version),
        "the last significant change is the second crisis plan (plan version 2 or 3, whichever \
         of the racing saves committed first), not the carer's new number: {state:?}"
    );
    drop(tx);

    // The summary's snapshot followed every save: the access facts and the snapshot come back
    // from one statement, and the snapshot equals a fresh read of the plan.
    let reader = hearth_store::Reader {
        user: &hearth_domain::UserId::new("u-1"),
        practitioner: &PractitionerId::new("pr-1"),
        organisation: Some(&org.id),
        clinical: true,
    };
    let (_, snapshot) = db
        .store
        .summary_facts(&PatientId::new("p-1"), reader, start_time())
        .await
        .unwrap()
        .expect("the patient exists");
    let snapshot = snapshot
        .expect("every commit that changes the plan writes its snapshot")
        .snapshot;
    let mut tx = db.store.begin_read().await.unwrap();
    assert_eq!(
        Some(&*snapshot),
        tx.build_plan_snapshot(&PatientId::new("p-1"))
            .await
            .unwrap()
            .as_ref()
    );
    assert_eq!(snapshot.state.map(|s| s.version), Some(4));
    assert_eq!(
        snapshot.names,
        [(PractitionerId::new("pr-1"), "Amelia Hughes".to_owned())]
    );
    assert_eq!(
        tx.plan_snapshot_drift().await.unwrap(),
        Vec::<PatientId>::new()
    );
    drop(tx);

    // A second node on the same database remembers the snapshot it decoded, and still sees a
    // change made through the first node at its very next read.
    let node_b = hearth_store::Store::connect(&db.url).await.unwrap();
    let summary = |store: hearth_store::Store| async move {
        let (_, snapshot) = store
            .summary_facts(&PatientId::new("p-1"), reader, start_time())
            .await
            .unwrap()
            .expect("the patient exists");
        snapshot.expect("the snapshot is stored").snapshot
    };
    let first = summary(node_b.clone()).await;
    let again = summary(node_b.clone()).await;
    assert!(
        std::sync::Arc::ptr_eq(&first, &again),
        "an unchanged snapshot is not decoded again"
    );
    assert!(save_section(&db.store, crisis_plan(3, "Midazolam 2.5 mg s/c")).await);
    let changed = summary(node_b.clone()).await;
    assert_eq!(changed.state.map(|s| s.version), Some(5));
    let crisis = changed
        .sections
        .iter()
        .find(|v| v.section == Section::CrisisPlan)
        .unwrap();
    assert_eq!(crisis, &crisis_plan(3, "Midazolam 2.5 mg s/c"));
}

/// The discharge workflow as stored: one current stay and one open discharge per patient, the
/// state machine's refusals change nothing, a stale version is refused, the checklist and the
/// letter read back.
async fn discharges_follow_the_state_machine(backend: hearth_testkit::Backend) {
    use hearth_domain::transition::*;
    let Some(db) = TestDatabase::new(backend, "discharges_follow_the_state_machine").await else {
        return;
    };
    let store = &db.store;
    let org = NewOrganisation {
        name: "Westvale Hospital".into(),
        kind: "hospital-department".into(),
        ..Default::default()
    }
    .validate(OrganisationId::new("org-h"), start_time())
    .unwrap();
    let ward = hearth_domain::practitioner::NewPractitioner {
        given_name: "Grace".into(),
        family_name: "Adeyemi".into(),
    }
    .validate(PractitionerId::new("pr-ward"), start_time())
    .unwrap();
    let mut tx = store.begin_write().await.unwrap();
    tx.insert_organisation(&org).await.unwrap();
    tx.insert_practitioner(&ward).await.unwrap();
    tx.insert_patient(&patient("p-1", "Edith", "Carter", "9434765919", &org.id))
        .await
        .unwrap();
    tx.insert_care_team_members(&service_members(&["p-1"], &org.id))
        .await
        .unwrap();
    let admitted = StayDraft {
        place: "hospital".into(),
        organisation_id: Some(org.id.clone()),
        detail: "Ward 7".into(),
        emergency: true,
        reason: "COPD exacerbation".into(),
        started_at: None,
    }
    .check(
        ("s-1".into(), &PatientId::new("p-1")),
        None,
        &ward.id,
        start_time(),
    )
    .unwrap();
    tx.insert_stay(&admitted).await.unwrap();
    tx.commit().await.unwrap();

    // A second current stay is refused by the database itself.
    let mut tx = store.begin_write().await.unwrap();
    let mut twice = admitted.clone();
    twice.id = "s-2".into();
    assert!(tx.insert_stay(&twice).await.is_err());
    drop(tx);

    let now = start_time();
    let draft = DischargeDraft {
        planned_at: Some(now + jiff::SignedDuration::from_hours(26)),
        destination: String::new(),
        complexity: Complexity::default(),
    };
    let rule = ComplexityRule::default();
    let planned = draft
        .check(("d-1".into(), &admitted), None, (&rule, &ward.id), now)
        .unwrap();
    let checklist: Vec<(ChecklistItem, Member)> = checklist_for(planned.complex)
        .into_iter()
        .map(|i| (i, Member::Practitioner(ward.id.clone())))
        .collect();
    let mut tx = store.begin_write().await.unwrap();
    assert!(tx.insert_discharge(&planned, &checklist).await.unwrap());
    let mut second = planned.clone();
    second.id = "d-2".into();
    assert!(
        !tx.insert_discharge(&second, &checklist).await.unwrap(),
        "one open discharge per patient"
    );
    tx.commit().await.unwrap();

    let read = |store: &hearth_store::Store| {
        let store = store.clone();
        async move {
            let mut tx = store.begin_read().await.unwrap();
            tx.discharges_of(&PatientId::new("p-1")).await.unwrap()
        }
    };
    let stored = read(store).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].discharge, planned);

    // Accepting before the ward says ready is refused; nothing is written.
    let mut d = stored[0].discharge.clone();
    assert!(d.step(DischargeStep::Accept, &ward.id, now).is_err());
    d.step(DischargeStep::Ready, &ward.id, now).unwrap();
    let mut tx = store.begin_write().await.unwrap();
    assert!(tx.update_discharge(&d).await.unwrap());
    // A change from the old version is refused.
    let mut stale = stored[0].discharge.clone();
    stale.step(DischargeStep::Cancel, &ward.id, now).unwrap();
    assert!(!tx.update_discharge(&stale).await.unwrap());
    d.step(DischargeStep::Accept, &ward.id, now).unwrap();
    assert!(tx.update_discharge(&d).await.unwrap());
    assert!(
        tx.set_checklist_item("d-1", ChecklistItem::Letter, Some((&ward.id, now)))
            .await
            .unwrap()
    );
    assert!(
        !tx.set_checklist_item("d-1", ChecklistItem::PlanningMeeting, Some((&ward.id, now)))
            .await
            .unwrap(),
        "not on a simple discharge's checklist"
    );
    let letter = Letter {
        diagnosis: "COPD".into(),
        anticipatory_medicines: "Morphine 2.5 mg s/c".into(),
        ..Letter::default()
    };
    tx.set_discharge_letter("d-1", &letter, Some(now))
        .await
        .unwrap();
    d.step(DischargeStep::Discharge, &ward.id, now).unwrap();
    assert!(tx.update_discharge(&d).await.unwrap());
    tx.commit().await.unwrap();

    let stored = read(store).await;
    assert_eq!(stored[0].discharge.state, DischargeState::Discharged);
    assert_eq!(stored[0].letter.as_ref(), Some(&letter));
    assert_eq!(stored[0].letter_sent_at, Some(now));
    let mut tx = store.begin_read().await.unwrap();
    let lines = tx.checklist("d-1").await.unwrap();
    assert_eq!(lines.len(), ChecklistItem::ALL.len() - 1);
    assert_eq!(lines[0].item, ChecklistItem::PlanReviewed);
    assert!(
        lines
            .iter()
            .any(|l| l.item == ChecklistItem::Letter && l.done.is_some())
    );
    let in_team = hearth_store::Recipient {
        practitioner: &ward.id,
        organisation: Some(&org.id),
    };
    let arrivals = tx.arrivals_since(now, in_team).await.unwrap();
    assert_eq!(arrivals.len(), 1);
    assert!(arrivals[0].accepted);
    let stranger = PractitionerId::new("pr-stranger");
    let outside = hearth_store::Recipient {
        practitioner: &stranger,
        organisation: None,
    };
    assert!(
        tx.arrivals_since(now, outside).await.unwrap().is_empty(),
        "only the reader's care teams' arrivals"
    );
    drop(tx);
    // The finished discharge frees the patient for a new one.
    let mut tx = store.begin_write().await.unwrap();
    assert!(tx.insert_discharge(&second, &checklist).await.unwrap());
}

on_both_backends!(
    discharges_follow_the_state_machine,
    patients_round_trip_and_search,
    paging_reports_more,
    the_audit_chain_names_the_record_tampered_with,
    records_written_before_the_chain_are_chained_by_migrate,
    read_audit_groups_and_changes_appended_at_once_keep_one_chain,
    racing_saves_of_one_section_have_one_winner,
);
