//! Test support: a real Hearth on port 0 with a fresh database per test (SQLite in a temporary
//! directory, or a new PostgreSQL database), a fake clock, fixtures, and a signed-in HTTP client.
//!
//! PostgreSQL tests run when the server is reachable (`HEARTH_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When `CI=true` or `HEARTH_REQUIRE_POSTGRES=1`
//! they must run: an unreachable server fails the test instead of skipping it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fixtures;
mod http;
mod smtp;

use std::io::Write;
use std::sync::{Arc, Mutex};

use hearth_app::{App, AppConfig, Clock, RandomIds, Store};
use jiff::{SignedDuration, Timestamp};

pub use fixtures::{Credentials, Fixture, PASSWORD, new_patient};
pub use http::{TestClient, csrf_token_in};
pub use smtp::{ReceivedMail, SmtpTestServer};

/// The backends a story test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A clock that stands still until told to move.
#[derive(Debug)]
pub struct FakeClock(Mutex<Timestamp>);

impl FakeClock {
    pub fn new(at: Timestamp) -> Arc<Self> {
        Arc::new(Self(Mutex::new(at)))
    }

    pub fn advance(&self, by: SignedDuration) {
        let mut now = self.0.lock().unwrap();
        *now = now.checked_add(by).unwrap();
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

/// A fresh, migrated database that is removed again when dropped.
pub struct TestDatabase {
    pub url: String,
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    drop_url: Option<String>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(url) = self.drop_url.take() {
            // Dropping runs outside any async context, so it gets a small runtime of its own.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let _ = runtime.block_on(hearth_store::drop_database(&url));
            })
            .join();
        }
    }
}

/// Whether PostgreSQL (and the browser) tests must run rather than skip.
pub fn required(variable: &str) -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
        || std::env::var(variable).is_ok_and(|v| v == "1")
}

/// Writes a line straight to the terminal, past the test harness' output capture, so that a
/// skipped test is never silent.
pub fn tell(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn postgres_server_url() -> String {
    std::env::var("HEARTH_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

impl TestDatabase {
    /// A fresh database on `backend`, or `None` when PostgreSQL is unreachable and not required
    /// (the skip is announced on the terminal).
    pub async fn new(backend: Backend, test: &str) -> Option<TestDatabase> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}/hearth.db", dir.path().display());
                let store = Store::connect(&url).await.unwrap();
                store.migrate().await.unwrap();
                Some(TestDatabase {
                    url,
                    store,
                    _dir: Some(dir),
                    drop_url: None,
                })
            }
            Backend::Postgres => {
                let server = postgres_server_url();
                let name = format!("hearth_test_{}", uuid::Uuid::new_v4().simple());
                let base = server
                    .rsplit_once('/')
                    .map_or(server.as_str(), |(base, _)| base);
                let url = format!("{base}/{name}");
                if let Err(error) = hearth_store::create_database(&url).await {
                    if required("HEARTH_REQUIRE_POSTGRES") {
                        panic!(
                            "PostgreSQL is required (CI=true or HEARTH_REQUIRE_POSTGRES=1) but unreachable at {server}: {error}"
                        );
                    }
                    tell(&format!(
                        "SKIPPED {test} on PostgreSQL: no server at {server} ({error}). \
                         Start PostgreSQL or set HEARTH_TEST_POSTGRES_URL to run it."
                    ));
                    return None;
                }
                let store = Store::connect(&url).await.unwrap();
                store.migrate().await.unwrap();
                Some(TestDatabase {
                    url: url.clone(),
                    store,
                    _dir: None,
                    drop_url: Some(url),
                })
            }
        }
    }
}

/// A running Hearth for one test.
pub struct TestApp {
    pub address: String,
    pub app: App,
    pub clock: Arc<FakeClock>,
    pub db: TestDatabase,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The moment every test starts at: a Friday afternoon.
pub fn start_time() -> Timestamp {
    "2026-11-20T14:30:00Z".parse().unwrap()
}

/// Starts Hearth on port 0 with a fresh database and a fake clock.
pub async fn spawn_app(backend: Backend, test: &str) -> Option<TestApp> {
    spawn_app_with(
        backend,
        test,
        AppConfig::default(),
        hearth_web::WebConfig::default(),
    )
    .await
}

/// Starts Hearth like `spawn_app`, with the given app and web configuration.
pub async fn spawn_app_with(
    backend: Backend,
    test: &str,
    config: AppConfig,
    web: hearth_web::WebConfig,
) -> Option<TestApp> {
    let db = TestDatabase::new(backend, test).await?;
    let clock = FakeClock::new(start_time());
    let app = App::with(db.store.clone(), config, clock.clone(), Arc::new(RandomIds));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let served = app.clone();
    let server = tokio::spawn(async move {
        hearth_web::serve(listener, served, web, std::future::pending())
            .await
            .unwrap();
    });
    Some(TestApp {
        address,
        app,
        clock,
        db,
        server,
    })
}

/// A second Hearth node on a test's database, as when several nodes share one PostgreSQL: its
/// own store connections, caches and live-update hub; the same clock.
pub struct SecondNode {
    pub address: String,
    pub app: App,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for SecondNode {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl SecondNode {
    /// An HTTP client for this node, not signed in.
    pub fn client(&self) -> TestClient {
        TestClient::new(&self.address)
    }
}

impl TestApp {
    /// Starts a second node on this test's database.
    pub async fn second_node(&self) -> SecondNode {
        let store = Store::connect(&self.db.url).await.unwrap();
        let app = App::with(
            store,
            self.app.config().clone(),
            self.clock.clone(),
            Arc::new(RandomIds),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let served = app.clone();
        let server = tokio::spawn(async move {
            hearth_web::serve(
                listener,
                served,
                hearth_web::WebConfig::default(),
                std::future::pending(),
            )
            .await
            .unwrap();
        });
        SecondNode {
            address,
            app,
            server,
        }
    }

    /// Fails unless the projections (the register list the register page reads, and the plan
    /// snapshots the out-of-hours summary reads) agree with the tables they are derived from.
    pub async fn assert_projections_current(&self) {
        let mut tx = self.db.store.begin_read().await.unwrap();
        assert_eq!(
            tx.register_list_drift().await.unwrap(),
            0,
            "the register list has drifted from the register, patients and care teams"
        );
        assert_eq!(
            tx.plan_snapshot_drift().await.unwrap(),
            Vec::<hearth_domain::PatientId>::new(),
            "these patients' plan snapshots have drifted from their records, plans and teams"
        );
    }

    /// An HTTP client for this app, not signed in.
    pub fn client(&self) -> TestClient {
        TestClient::new(&self.address)
    }

    /// An HTTP client signed in through the form (the sign-in must succeed).
    pub async fn signed_in(&self, email: &str, password: &str) -> TestClient {
        let client = self.client();
        assert_eq!(
            client.sign_in(email, password).await.status().as_u16(),
            303,
            "sign-in as {email}"
        );
        client
    }
}

/// Declares one test per backend for a story `async fn(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($story:ident),+ $(,)?) => {
        $(
            mod $story {
                #[tokio::test]
                async fn sqlite() {
                    super::$story($crate::Backend::Sqlite).await;
                }
                #[tokio::test]
                async fn postgres() {
                    super::$story($crate::Backend::Postgres).await;
                }
            }
        )+
    };
}

/// Runs the three independent FHIR validators (`tools/fhir-validate`) on `file` and returns
/// their report; `None` when they are not set up and not required (CI=true or
/// HEARTH_REQUIRE_FHIR_VALIDATORS=1 make them required). Fails the test on any error.
pub fn validate_fhir(file: &std::path::Path) -> Option<String> {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tools/fhir-validate/validate.sh");
    let out = std::process::Command::new("bash")
        .arg(script)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the FHIR validators: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.code() == Some(3) {
        if required("HEARTH_REQUIRE_FHIR_VALIDATORS") {
            panic!("the FHIR validators are required but not set up: {stderr}");
        }
        tell("SKIPPED FHIR validation: run tools/fhir-validate/setup.sh");
        return None;
    }
    assert_eq!(
        out.status.code(),
        Some(0),
        "the validators found errors in {}:\n{stdout}\n{stderr}",
        file.display()
    );
    Some(stdout)
}
