//! The `hearth` binary as people run it: `serve --demo`, PostgreSQL, `user add`, `migrate`,
//! `audit verify`, `token create|list|revoke`, and the browser journey in headless Chromium against a real `serve --demo`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use hearth_testkit::{Backend, TestClient, TestDatabase, required, tell};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

const HEARTH: &str = env!("CARGO_BIN_EXE_hearth");

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A `hearth serve` process, killed when dropped.
struct Server {
    _child: Child,
    base: String,
    /// (role, email, password) of each `demo sign-in:` line.
    sign_ins: Vec<(String, String, String)>,
}

async fn serve(database_url: &str, extra: &[&str]) -> Server {
    let mut child = Command::new(HEARTH)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .env("HEARTH_DATABASE_URL", database_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut sign_ins = Vec::new();
    let base = tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.strip_prefix("demo sign-in: ") {
                let parts: Vec<&str> = rest.split(' ').collect();
                assert_eq!(
                    parts.len(),
                    3,
                    "demo sign-in: <role> <email> <password>, got {line}"
                );
                sign_ins.push((
                    parts[0].to_owned(),
                    parts[1].to_owned(),
                    parts[2].to_owned(),
                ));
            }
            if let Some(address) = line.strip_prefix("listening on ") {
                return address.to_owned();
            }
        }
        panic!("hearth serve exited before listening");
    })
    .await
    .expect("hearth serve starts within two minutes");
    Server {
        _child: child,
        base,
        sign_ins,
    }
}

/// Signs in through the form and returns the first patient on the register, as
/// (path, "FAMILY, Given").
async fn first_patient(client: &TestClient, email: &str, password: &str) -> (String, String) {
    assert_eq!(client.sign_in(email, password).await.status().as_u16(), 303);
    let (status, page) = client.get_text("/register").await;
    assert_eq!(status, 200);
    let start = page
        .find("href=\"/patients/")
        .expect("the register lists patients")
        + "href=\"".len();
    let path = page[start..start + page[start..].find('"').unwrap()].to_owned();
    let name_start = start + page[start..].find('>').unwrap() + 1;
    let name = page[name_start..name_start + page[name_start..].find('<').unwrap()].to_owned();
    (path, name)
}

#[tokio::test]
async fn demo_mode_refuses_a_non_loopback_address() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(HEARTH)
        .args(["serve", "--demo", "--addr", "0.0.0.0:0"])
        .env(
            "HEARTH_DATABASE_URL",
            format!("sqlite://{}/hearth.db", dir.path().display()),
        )
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("demo mode refuses to listen on 0.0.0.0:0"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("hearth.db").exists(),
        "nothing was written"
    );
}

#[tokio::test]
async fn serve_demo_creates_the_region_prints_sign_ins_and_passes_the_browser_journey() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hearth.db", dir.path().display());
    // Emergency access lasts seconds here, so that the browser journey sees it expire.
    let server = serve(&url, &["--demo", "--emergency-access", "8s"]).await;
    let roles: Vec<String> = server
        .sign_ins
        .iter()
        .map(|(role, _, _)| role.clone())
        .collect();
    for role in [
        "gp",
        "district-nurse",
        "ooh-doctor",
        "specialist-nurse",
        "admin",
    ] {
        assert!(
            roles.iter().any(|r| r == role),
            "serve --demo prints a sign-in for {role}: {roles:?}"
        );
    }
    let (_, gp_email, password) = server
        .sign_ins
        .iter()
        .find(|(role, _, _)| role == "gp")
        .unwrap()
        .clone();
    let client = TestClient::new(&server.base);
    let (patient, name) = first_patient(&client, &gp_email, &password).await;
    let (status, page) = client.get_text(&patient).await;
    assert_eq!(status, 200);
    assert!(page.contains(&name));

    let family = name.split(',').next().unwrap().to_owned();
    let (_, nurse_email, _) = server
        .sign_ins
        .iter()
        .find(|(role, _, _)| role == "district-nurse")
        .unwrap()
        .clone();
    let (_, ooh_email, _) = server
        .sign_ins
        .iter()
        .find(|(role, _, _)| role == "ooh-doctor")
        .unwrap()
        .clone();
    let (_, ward_email, _) = server
        .sign_ins
        .iter()
        .find(|(role, _, _)| role == "discharge-coordinator")
        .unwrap()
        .clone();
    let (_, specialist_email, _) = server
        .sign_ins
        .iter()
        .find(|(role, _, _)| role == "specialist-nurse")
        .unwrap()
        .clone();
    let emails = JourneyEmails {
        gp: gp_email.clone(),
        nurse: nurse_email,
        ooh: ooh_email,
        ward: ward_email,
        specialist: specialist_email,
    };
    browser_journey(&server.base, &emails, &password, &family).await;
    drop(server);

    // A second start on the same database keeps the region and prints the sign-ins again.
    let again = serve(&url, &["--demo"]).await;
    assert_eq!(again.sign_ins.len(), roles.len());
    let client = TestClient::new(&again.base);
    first_patient(&client, &gp_email, &password).await;
    let (status, page) = client.get_text(&patient).await;
    assert_eq!(status, 200, "the region and its patients are kept");
    assert!(page.contains(&name));
}

/// Runs the browser journeys in headless Chromium: e2e/journey.mjs (sign in, search, open a
/// patient), e2e/team-journey.mjs (register a patient, add a team member, hand over
/// coordination and accept it as the other person) and e2e/emergency-journey.mjs (emergency
/// access by the out-of-hours doctor, the coordinator's notice and access report),
/// e2e/plan-journey.mjs (the care plan and summary) and e2e/conversation-journey.mjs (an urgent
/// message seen live, its receipt, a "let's talk" call agreed) and e2e/meeting-journey.mjs (a
/// register review held as a case conference, a decision that updates the plan, an action that
/// becomes a task, goes overdue and escalates) and e2e/discharge-journey.mjs (a discharge planned,
/// questioned, accepted and done; the patient arrived home ready) and e2e/needs-journey.mjs (an
/// ESAS-r fires a suggestion, the GP refers, the specialist triages and accepts while the GP
/// watches, a night-time advice call lands in the record). Skips, saying why, when Node, its packages
/// or Chromium are missing — unless CI=true or HEARTH_REQUIRE_BROWSER=1, when they must run.
async fn browser_journey(base: &str, emails: &JourneyEmails, password: &str, search: &str) {
    let e2e = repo_root().join("e2e");
    let chromium =
        std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let node = Command::new("node")
        .arg("--version")
        .output()
        .await
        .is_ok_and(|o| o.status.success());
    let missing = if !node {
        Some("Node.js is not installed")
    } else if !e2e.join("node_modules/playwright-core").exists() {
        Some("e2e packages are not installed (run: npm ci --prefix e2e)")
    } else if !Path::new(&chromium).exists() {
        Some("Chromium is not installed (run: apt-get install -y chromium)")
    } else {
        None
    };
    if let Some(why) = missing {
        if required("HEARTH_REQUIRE_BROWSER") {
            panic!("the browser test is required (CI=true or HEARTH_REQUIRE_BROWSER=1) but {why}");
        }
        tell(&format!("SKIPPED browser journeys: {why}."));
        return;
    }
    let screenshots = e2e.join("artifacts");
    // Every journey gets the same environment and uses what it needs.
    let envs = [
        ("HEARTH_BASE_URL", base.to_owned()),
        ("HEARTH_EMAIL", emails.gp.clone()),
        ("HEARTH_GP_EMAIL", emails.gp.clone()),
        ("HEARTH_NURSE_EMAIL", emails.nurse.clone()),
        ("HEARTH_WARD_EMAIL", emails.ward.clone()),
        ("HEARTH_OOH_EMAIL", emails.ooh.clone()),
        ("HEARTH_SPECIALIST_EMAIL", emails.specialist.clone()),
        ("HEARTH_PASSWORD", password.to_owned()),
        ("HEARTH_SEARCH", search.to_owned()),
        ("HEARTH_EMERGENCY_SECONDS", "8".to_owned()),
        ("HEARTH_SCREENSHOT_DIR", screenshots.display().to_string()),
        ("CHROMIUM_PATH", chromium.clone()),
    ];
    // Each script, and a screenshot it saves once its last step passed.
    for (script, screenshot) in [
        ("journey.mjs", "04-patient.png"),
        ("team-journey.mjs", "14-handover-accepted.png"),
        ("emergency-journey.mjs", "23-emergency-banner.png"),
        ("plan-journey.mjs", "38-who-to-call.png"),
        ("conversation-journey.mjs", "44-call-agreed.png"),
        ("meeting-journey.mjs", "53-action-overdue.png"),
        ("discharge-journey.mjs", "63-arrived-home.png"),
        ("needs-journey.mjs", "76-advice-in-record.png"),
    ] {
        let output = Command::new("node")
            .arg(e2e.join(script))
            .envs(envs.iter().cloned())
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{script} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("ok:"), "{stdout}");
        assert!(
            screenshots.join(screenshot).exists(),
            "{script} saved its screenshots"
        );
    }
}

/// The demo sign-ins the browser journeys use.
struct JourneyEmails {
    gp: String,
    nurse: String,
    ooh: String,
    ward: String,
    specialist: String,
}

#[tokio::test]
async fn serve_works_the_same_against_postgres() {
    let Some(db) = TestDatabase::new(Backend::Postgres, "serve against PostgreSQL").await else {
        return;
    };
    let demo = Command::new(HEARTH)
        .args([
            "demo",
            "--patients",
            "120",
            "--seed",
            "3",
            "--database-url",
            &db.url,
        ])
        .output()
        .await
        .unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let stdout = String::from_utf8_lossy(&demo.stdout);
    let gp = stdout
        .lines()
        .find_map(|l| l.strip_prefix("demo sign-in: gp "))
        .unwrap()
        .to_owned();
    let (email, password) = gp.split_once(' ').unwrap();
    let server = serve(&db.url, &[]).await;
    let client = TestClient::new(&server.base);
    assert_eq!(client.get_text("/readyz").await.0, 200);
    let (patient, name) = first_patient(&client, email, password).await;
    let (status, page) = client.get_text(&patient).await;
    assert_eq!(status, 200);
    assert!(page.contains(&name));
}

#[tokio::test]
async fn audit_verify_passes_an_intact_chain_and_names_a_tampered_record() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hearth.db", dir.path().display());
    let demo = Command::new(HEARTH)
        .args(["demo", "--patients", "20", "--database-url", &url])
        .output()
        .await
        .unwrap();
    assert!(demo.status.success());
    let store = hearth_store::Store::connect(&url).await.unwrap();
    let mut tx = store.begin_write().await.unwrap();
    for n in 0..5 {
        tx.append_audit(&hearth_domain::audit::AuditRecord {
            at: hearth_testkit::start_time(),
            user_id: None,
            acting_organisation_id: None,
            patient_id: None,
            action: hearth_domain::audit::AuditAction::Search,
            resource_type: "Patient",
            resource_id: None,
            resource_version: None,
            basis: hearth_domain::audit::AccessBasis::Administration,
            outcome: hearth_domain::audit::AuditOutcome::Allowed,
            detail: Some(format!("search {n}")),
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let records = {
        let mut tx = store.begin_read().await.unwrap();
        tx.count_audit().await.unwrap()
    };
    store.close().await;

    let verify = || async {
        Command::new(HEARTH)
            .args(["audit", "verify", "--database-url", &url])
            .output()
            .await
            .unwrap()
    };
    let intact = verify().await;
    let stdout = String::from_utf8_lossy(&intact.stdout);
    assert!(intact.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!("audit chain intact: {records} records verified")),
        "{stdout}"
    );

    {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        sqlx::query("UPDATE audit_events SET detail = 'nothing to see' WHERE seq = 3")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    let broken = verify().await;
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert_eq!(broken.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("audit chain broken at record 3: its content does not match its hash"),
        "{stderr}"
    );
}

#[tokio::test]
async fn export_all_writes_fhir_that_three_independent_validators_accept() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hearth.db", dir.path().display());
    let demo = Command::new(HEARTH)
        .args(["demo", "--patients", "300", "--database-url", &url])
        .output()
        .await
        .unwrap();
    assert!(demo.status.success());
    let export = |args: Vec<String>| {
        let url = url.clone();
        async move {
            Command::new(HEARTH)
                .arg("export")
                .args(args)
                .args(["--database-url", &url])
                .output()
                .await
                .unwrap()
        }
    };
    let ndjson = dir.path().join("all.ndjson");
    let out = export(vec![
        "--all".into(),
        "--output".into(),
        ndjson.display().to_string(),
    ])
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("exported 300 patients"), "{stderr}");
    let text = std::fs::read_to_string(&ndjson).unwrap();
    let mut types = std::collections::BTreeMap::<String, usize>::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        *types
            .entry(v["resourceType"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    for expected in [
        "Patient",
        "Organization",
        "Practitioner",
        "PractitionerRole",
        "HealthcareService",
        "CareTeam",
        "EpisodeOfCare",
        "Condition",
        "Consent",
        "CarePlan",
        "Goal",
        "MedicationRequest",
        "Observation",
        "ServiceRequest",
        "Task",
        "Encounter",
        "Communication",
        "CommunicationRequest",
        "Composition",
        "QuestionnaireResponse",
    ] {
        assert!(types.contains_key(expected), "no {expected} in {types:?}");
    }
    assert_eq!(types["Patient"], 300);
    if let Some(report) = hearth_testkit::validate_fhir(&ndjson) {
        assert!(report.contains("0 error(s)"), "{report}");
    }

    // One patient, as a Bundle; a bad id is refused with a message and writes nothing.
    let first: serde_json::Value = serde_json::from_str(
        text.lines()
            .find(|l| l.contains(r#""resourceType":"Patient""#))
            .unwrap(),
    )
    .unwrap();
    let id = first["id"].as_str().unwrap().to_owned();
    let bundle = dir.path().join("one.json");
    let out = export(vec![
        "--patient".into(),
        id.clone(),
        "--format".into(),
        "bundle".into(),
        "--output".into(),
        bundle.display().to_string(),
    ])
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).unwrap()).unwrap();
    assert_eq!(b["type"], "collection");
    assert_eq!(b["entry"][0]["resource"]["id"], id.as_str());
    hearth_testkit::validate_fhir(&bundle);
    let bad = export(vec!["--patient".into(), "not an id".into()]).await;
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("'not an id' is not a patient id"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(bad.stdout.is_empty());
}

#[tokio::test]
async fn import_reads_what_hearth_can_keep_and_refuses_the_rest_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hearth.db", dir.path().display());
    let demo = Command::new(HEARTH)
        .args(["demo", "--patients", "20", "--database-url", &url])
        .output()
        .await
        .unwrap();
    assert!(demo.status.success());
    let signins = String::from_utf8_lossy(&demo.stdout).into_owned();
    let gp = signins
        .lines()
        .find_map(|l| l.strip_prefix("demo sign-in: gp "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    let import = |file: PathBuf| {
        let url = url.clone();
        let gp = gp.clone();
        async move {
            Command::new(HEARTH)
                .arg("import")
                .arg(&file)
                .args(["--user", &gp, "--database-url", &url])
                .output()
                .await
                .unwrap()
        }
    };
    let count = || async {
        let store = hearth_store::Store::connect(&url).await.unwrap();
        let mut tx = store.begin_read().await.unwrap();
        let n = tx.all_patient_ids().await.unwrap().len();
        drop(tx);
        store.close().await;
        n
    };
    let start = count().await;

    // Every official HL7 example: no crash; each is imported or refused with a reason.
    let examples = repo_root().join("../shared/fhir-r4-examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() > 30,
        "the shared examples are beside the checkout"
    );
    for file in &files {
        let out = import(file.clone()).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}: {stderr}",
            file.display()
        );
        assert!(!stderr.contains("panicked"), "{}: {stderr}", file.display());
        if out.status.code() == Some(1) {
            assert!(
                stderr.contains("refused ") && stderr.contains("resources were refused"),
                "{}: a refusal says why: {stderr}",
                file.display()
            );
        }
    }
    // The transaction Bundle holds what Hearth cannot keep: all of it is refused, nothing changes.
    let out = import(examples.join("Bundle-bundle-transaction.json")).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the transaction Bundle was not imported: nothing was changed"),
        "{stderr}"
    );
    assert_eq!(
        count().await,
        start,
        "no example is a patient Hearth can keep"
    );

    // Patients Hearth can keep: NDJSON imported once; again, found as already present.
    let practice = {
        let store = hearth_store::Store::connect(&url).await.unwrap();
        let mut tx = store.begin_read().await.unwrap();
        let orgs = tx.all_organisations().await.unwrap();
        drop(tx);
        store.close().await;
        orgs.into_iter()
            .find(|o| o.kind == hearth_domain::organisation::OrganisationKind::GpPractice)
            .unwrap()
            .id
    };
    let patient = |number: &str, family: &str| {
        serde_json::json!({
            "resourceType": "Patient",
            "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": number}],
            "name": [{"family": family, "given": ["Ada"]}],
            "gender": "female",
            "birthDate": "1940-05-05",
            "address": [{"line": ["1 Quay Road"], "city": "Ashby"}],
            "generalPractitioner": [{"reference": format!("Organization/{practice}")}]
        })
        .to_string()
    };
    let ndjson = dir.path().join("two.ndjson");
    std::fs::write(
        &ndjson,
        format!(
            "{}\n{}\n",
            patient("4000000039", "Quayle"),
            patient("4000000047", "Rowe")
        ),
    )
    .unwrap();
    let out = import(ndjson.clone()).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("imported 2 patients, 0 already present"),
        "{stderr}"
    );
    assert_eq!(count().await, start + 2);
    let again = import(ndjson).await;
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(
        stderr.contains("imported 0 patients, 2 already present"),
        "{stderr}"
    );
    assert_eq!(count().await, start + 2);

    // A transaction whose second entry is refused changes nothing, not even the first.
    let transaction = serde_json::json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": serde_json::from_str::<serde_json::Value>(&patient("4000000055", "Sands")).unwrap(),
             "request": {"method": "POST", "url": "Patient"}},
            {"resource": serde_json::from_str::<serde_json::Value>(&patient("4000000039", "Quayle")).unwrap(),
             "request": {"method": "POST", "url": "Patient"}}
        ]
    });
    let file = dir.path().join("transaction.json");
    std::fs::write(&file, transaction.to_string()).unwrap();
    let out = import(file).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    assert_eq!(
        count().await,
        start + 2,
        "the first entry was not kept either"
    );

    // Bad input: a clear message, nothing changed.
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{ not json").unwrap();
    let out = import(junk).await;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not FHIR JSON"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The lines of an NDJSON export, sorted (two databases may list the directory in another
/// order; every resource must be the same).
fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

#[tokio::test]
async fn a_demo_region_exported_imported_into_an_empty_database_and_exported_again_is_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let source = format!("sqlite://{}/source.db", dir.path().display());
    let demo = Command::new(HEARTH)
        .args(["demo", "--patients", "40", "--database-url", &source])
        .output()
        .await
        .unwrap();
    assert!(demo.status.success());
    let run = |args: Vec<String>| async move {
        let out = Command::new(HEARTH).args(args).output().await.unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code(), stderr)
    };
    let export = |url: &str, file: &Path, extra: &[&str]| {
        let mut args: Vec<String> = vec!["export".into()];
        args.extend(extra.iter().map(|s| s.to_string()));
        args.extend([
            "--output".into(),
            file.display().to_string(),
            "--database-url".into(),
            url.to_owned(),
        ]);
        args
    };
    let first = dir.path().join("first.ndjson");
    let (code, stderr) = run(export(&source, &first, &["--all"])).await;
    assert_eq!(code, Some(0), "{stderr}");
    let exported = std::fs::read_to_string(&first).unwrap();
    // Every kind of record the demo holds is in the file, so each must survive the trip.
    for kind in [
        "Organization",
        "HealthcareService",
        "Practitioner",
        "PractitionerRole",
        "Patient",
        "Condition",
        "EpisodeOfCare",
        "Consent",
        "CareTeam",
        "CarePlan",
        "Goal",
        "MedicationRequest",
        "Observation",
        "ServiceRequest",
        "Task",
        "Encounter",
        "Communication",
        "CommunicationRequest",
        "Composition",
        "QuestionnaireResponse",
    ] {
        assert!(
            exported.contains(&format!("{{\"resourceType\":\"{kind}\"")),
            "the demo export holds {kind}"
        );
    }

    // Into empty databases on both backends, without --user: the records bring their own
    // care teams, and the import is recorded as the operator's.
    let mut targets = vec![format!("sqlite://{}/target.db", dir.path().display())];
    let postgres = TestDatabase::new(Backend::Postgres, "the FHIR round trip").await;
    if let Some(db) = &postgres {
        targets.push(db.url.clone());
    }
    for target in &targets {
        let (code, stderr) = run(vec![
            "import".into(),
            first.display().to_string(),
            "--database-url".into(),
            target.clone(),
        ])
        .await;
        assert_eq!(code, Some(0), "{target}: {stderr}");
        assert!(stderr.contains("imported 40 patients"), "{stderr}");
        let second = dir.path().join("second.ndjson");
        let (code, stderr) = run(export(target, &second, &["--all"])).await;
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(
            sorted_lines(&std::fs::read_to_string(&second).unwrap()),
            sorted_lines(&exported),
            "{target}: the second export is the first, resource for resource"
        );

        // The import is audited, one record per patient, and a second import changes nothing.
        let store = hearth_store::Store::connect(target).await.unwrap();
        let mut tx = store.begin_read().await.unwrap();
        let patients = tx.all_patient_ids().await.unwrap();
        let imported = tx
            .access_report(&patients[0], None, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|l| {
                l.action == "create" && l.resource_type == "Patient" && l.basis == "administration"
            })
            .count();
        drop(tx);
        store.close().await;
        assert_eq!(patients.len(), 40);
        assert_eq!(imported, 1, "one audit record of the import per patient");
        let (code, stderr) = run(vec![
            "import".into(),
            first.display().to_string(),
            "--database-url".into(),
            target.clone(),
        ])
        .await;
        assert_eq!(code, Some(1));
        assert!(
            stderr.contains("is already in Hearth") && stderr.contains("nothing was changed"),
            "{stderr}"
        );
    }

    // One patient's file carries the directory it refers to, and imports on its own: the
    // first patient, and one with each kind of record that names people and services outside
    // the care team (a discharge's ward staff, a conversation's readers, the advice line).
    let store = hearth_store::Store::connect(&source).await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    let mut singles = vec![tx.all_patient_ids().await.unwrap()[0].to_string()];
    drop(tx);
    store.close().await;
    for marker in [
        "\"resourceType\":\"Composition\"",
        "\"resourceType\":\"CommunicationRequest\"",
        "\"code\":\"advice-call\"",
    ] {
        let line = exported
            .lines()
            .find(|l| l.contains(marker))
            .unwrap_or_else(|| panic!("the demo holds {marker}"));
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = v["subject"]["reference"].as_str().unwrap()["Patient/".len()..].to_owned();
        if !singles.contains(&id) {
            singles.push(id);
        }
    }
    let entries = |file: &Path| {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let mut e: Vec<String> = v["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["resource"].to_string())
            .collect();
        e.sort();
        e
    };
    for (n, one) in singles.iter().enumerate() {
        let single = dir.path().join(format!("one-{n}.json"));
        let (code, stderr) = run(export(
            &source,
            &single,
            &["--patient", one.as_str(), "--format", "bundle"],
        ))
        .await;
        assert_eq!(code, Some(0), "{stderr}");
        let alone = format!("sqlite://{}/alone-{n}.db", dir.path().display());
        let (code, stderr) = run(vec![
            "import".into(),
            single.display().to_string(),
            "--database-url".into(),
            alone.clone(),
        ])
        .await;
        assert_eq!(code, Some(0), "Patient/{one} alone: {stderr}");
        let again = dir.path().join(format!("again-{n}.json"));
        let (code, stderr) = run(export(
            &alone,
            &again,
            &["--patient", one.as_str(), "--format", "bundle"],
        ))
        .await;
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(entries(&again), entries(&single), "Patient/{one}");
    }
    // Without the people it names, a record is refused, saying who is missing.
    let mut bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("one-1.json")).unwrap())
            .unwrap();
    bundle["entry"]
        .as_array_mut()
        .unwrap()
        .retain(|e| e["resource"]["resourceType"] != "Practitioner");
    let stripped = dir.path().join("stripped.json");
    std::fs::write(&stripped, bundle.to_string()).unwrap();
    let (code, stderr) = run(vec![
        "import".into(),
        stripped.display().to_string(),
        "--database-url".into(),
        format!("sqlite://{}/stripped.db", dir.path().display()),
    ])
    .await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("who is neither in Hearth nor in the file"),
        "{stderr}"
    );
    drop(postgres);
}

#[tokio::test]
async fn user_add_creates_an_account_that_can_sign_in_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hearth.db", dir.path().display());
    let migrate = Command::new(HEARTH)
        .args(["migrate", "--database-url", &url])
        .output()
        .await
        .unwrap();
    assert!(migrate.status.success());
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("migrations applied"));
    let demo = Command::new(HEARTH)
        .args(["demo", "--patients", "20", "--database-url", &url])
        .output()
        .await
        .unwrap();
    assert!(demo.status.success());

    let add = |profession: &'static str, email: &'static str| {
        let url = url.clone();
        async move {
            let mut child = Command::new(HEARTH)
                .args([
                    "user",
                    "add",
                    "--email",
                    email,
                    "--given-name",
                    "Nia",
                    "--family-name",
                    "Roberts",
                ])
                .args([
                    "--organisation",
                    "Riverside Medical Practice",
                    "--profession",
                    profession,
                ])
                .args(["--password-stdin", "--database-url", &url])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"a long enough password\n")
                .await
                .unwrap();
            child.wait_with_output().await.unwrap()
        }
    };
    let bad = add("wizard", "nia@test.example").await;
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Unknown profession 'wizard'"));
    let good = add("gp", "nia@test.example").await;
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(String::from_utf8_lossy(&good.stdout).contains("created user nia@test.example"));
    let again = add("gp", "nia@test.example").await;
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let server = serve(&url, &[]).await;
    let client = TestClient::new(&server.base);
    let (patient, _) = first_patient(&client, "nia@test.example", "a long enough password").await;
    assert!(patient.starts_with("/patients/"));

    let disable = || {
        Command::new(HEARTH)
            .args([
                "user",
                "disable",
                "--email",
                "nia@test.example",
                "--database-url",
                &url,
            ])
            .output()
    };
    let disabled = disable().await.unwrap();
    assert!(
        disabled.status.success(),
        "{}",
        String::from_utf8_lossy(&disabled.stderr)
    );
    assert!(String::from_utf8_lossy(&disabled.stdout).contains("disabled nia@test.example"));
    let twice = disable().await.unwrap();
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already disabled"));
    let refused = TestClient::new(&server.base)
        .sign_in("nia@test.example", "a long enough password")
        .await;
    assert_eq!(
        refused.status().as_u16(),
        401,
        "a disabled account cannot sign in"
    );
}

#[tokio::test]
async fn token_create_prints_a_token_that_works_until_revoked_and_list_never_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hearth.db", dir.path().display());
    let demo = Command::new(HEARTH)
        .args(["demo", "--patients", "20", "--database-url", &url])
        .output()
        .await
        .unwrap();
    assert!(demo.status.success());
    let stdout = String::from_utf8_lossy(&demo.stdout);
    let email = stdout
        .lines()
        .find_map(|l| l.strip_prefix("demo sign-in: gp "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .to_owned();
    let hearth = |args: Vec<&str>| {
        let url = url.clone();
        let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        async move {
            Command::new(HEARTH)
                .args(&args)
                .args(["--database-url", &url])
                .output()
                .await
                .unwrap()
        }
    };

    let created = hearth(vec![
        "token",
        "create",
        "--user",
        &email,
        "--name",
        "ward dashboard",
    ])
    .await;
    let out = String::from_utf8_lossy(&created.stdout).into_owned();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let secret = out
        .lines()
        .find_map(|l| l.strip_prefix("token: "))
        .expect("the token is printed once")
        .to_owned();
    assert!(secret.starts_with("hearth_pat_"));
    let id = out
        .lines()
        .find_map(|l| l.strip_prefix("created API token "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .to_owned();

    let server = serve(&url, &[]).await;
    let get = |token: String| {
        let base = server.base.clone();
        async move {
            let client = TestClient::new(&base);
            client
                .http
                .get(client.url("/register"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(get(secret.clone()).await.status().as_u16(), 200);

    let listed = hearth(vec!["token", "list", "--user", &email]).await;
    let list = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(listed.status.success());
    assert!(
        list.contains(&id) && list.contains("ward dashboard"),
        "{list}"
    );
    assert!(
        list.contains("active") && !list.contains("last used never"),
        "{list}"
    );
    assert!(!list.contains(&secret[11..]), "list never shows the secret");

    let revoked = hearth(vec!["token", "revoke", &id]).await;
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    let refused = get(secret.clone()).await;
    assert_eq!(
        refused.status().as_u16(),
        401,
        "a revoked token stops working"
    );
    let list = hearth(vec!["token", "list", "--user", &email]).await;
    assert!(String::from_utf8_lossy(&list.stdout).contains("revoked"));
    let twice = hearth(vec!["token", "revoke", &id]).await;
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already revoked"));
    let bad = hearth(vec!["token", "create", "--user", &email, "--expires", "3y"]).await;
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("at most a year"));
}

/// House style: every Rust file opens with a `//!` line saying what it is for.
#[test]
fn every_rust_file_says_what_it_is_for() {
    fn visit(dir: &Path, missing: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(&path, missing);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                if !text.lines().take(3).any(|line| line.starts_with("//!")) {
                    missing.push(path);
                }
            }
        }
    }
    let mut missing = Vec::new();
    visit(&repo_root().join("crates"), &mut missing);
    assert!(missing.is_empty(), "files without a //! line: {missing:?}");
}
