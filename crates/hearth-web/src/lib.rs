//! Hearth's HTTP surface: the axum router with the HTML pages, the operations endpoints and the
//! cross-cutting layers (security headers, compression, time-outs, body limits, metrics). Only
//! this crate knows HTTP. Handlers are thin: extract, call one use case, render.

pub mod charts;
mod error;
mod fhir;
mod metrics;
mod pages;
mod security;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use hearth_app::App;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use error::WebError;
pub use fhir::resources_of as fhir_resources;
pub use metrics::Metrics;

/// How the web layer behaves in this deployment.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (only sent over HTTPS). On whenever Hearth is reached over HTTPS,
    /// which is every deployment except a developer's own machine.
    pub secure_cookies: bool,
    /// Demo sign-ins shown on the sign-in page (demo mode only): (role, email, password).
    pub demo_sign_ins: Vec<(String, String, String)>,
    /// Hearth runs behind a reverse proxy it trusts, which appends the client's address to
    /// `X-Forwarded-For`: sign-in throttling then counts that last address instead of the
    /// proxy's own. Off by default, because without such a proxy any client could write the
    /// header and pick the address it is counted under.
    pub trusted_proxy: bool,
}

/// What every handler can reach. Axum clones the state for every extractor and middleware
/// layer of every request, so it is one shared pointer: cloning the parts one by one cost about
/// 6 % of the server's time under load (a dozen reference counts bounced between the cores).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The parts of [`AppState`], reached through it.
pub struct Shared {
    pub app: App,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
    /// Out-of-hours summaries as drawn, by what they were drawn from (`pages/summary.rs`).
    pub summaries: pages::summary::DrawnSummaries,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The largest request body accepted: forms are small, and a limit stops memory exhaustion.
pub(crate) const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// Declares every route once: the router is built from this list, and `ROUTES` names each
/// pattern, so that the access-matrix test (`tests/web/access_matrix.rs`) fails for a route it
/// does not cover.
macro_rules! routes {
    ($($path:literal => $handler:expr,)*) => {
        /// Every route pattern the router serves.
        pub const ROUTES: &[&str] = &[$($path,)*];

        fn with_routes(router: Router<AppState>) -> Router<AppState> {
            router $(.route($path, $handler))*
        }
    };
}

routes! {
    "/" => get(pages::home),
    "/sign-in" => get(pages::sign_in::form).post(pages::sign_in::submit),
    "/sign-out" => post(pages::sign_in::sign_out),
    "/sign-out/everywhere" => post(pages::account::sign_out_everywhere),
    "/account" => get(pages::account::show),
    "/register" => get(pages::register::page),
    "/directory" => get(pages::directory::page),
    "/patients/{id}" => get(pages::patient::overview),
    "/patients/{id}/register/new" => get(pages::register_entry::new),
    "/patients/{id}/register" => post(pages::register_entry::create),
    "/patients/{id}/register/{change}" => post(pages::register_entry::change),
    "/emergency" => get(pages::emergency::find),
    "/patients/{id}/emergency-access" => get(pages::emergency::form).post(pages::emergency::open),
    "/patients/{id}/emergency-access/close" => post(pages::emergency::close),
    "/notices" => get(pages::emergency::notices),
    "/notices/{id}/read" => post(pages::emergency::mark_read),
    "/account/acting-role" => post(pages::account::switch_role),
    "/patients/{id}/access" => get(pages::access::show),
    "/patients/{id}/access/reviews/{access}" => post(pages::access::review),
    "/patients/{id}/summary" => get(pages::summary::show),
    "/patients/{id}/ooh" => get(pages::summary::show),
    "/ooh" => get(pages::emergency::out_of_hours),
    "/patients/{id}/conversations" => get(pages::conversations::list).post(pages::conversations::start),
    "/patients/{id}/conversations/{conversation}" => get(pages::conversations::show).post(pages::conversations::reply),
    "/patients/{id}/conversations/{conversation}/talk" => post(pages::conversations::request_talk),
    "/patients/{id}/conversations/{conversation}/talk/{talk}/agree" => post(pages::conversations::agree_talk),
    "/patients/{id}/conversations/{conversation}/talk/{talk}/outcome" => post(pages::conversations::talk_outcome),
    "/patients/{id}/tasks" => get(pages::tasks::list).post(pages::tasks::create),
    "/patients/{id}/tasks/{task}/{change}" => post(pages::tasks::change),
    "/tasks" => get(pages::tasks::mine),
    "/patients/{id}/transitions" => get(pages::transitions::show),
    "/patients/{id}/stays" => post(pages::transitions::record_stay),
    "/patients/{id}/discharges" => post(pages::transitions::plan),
    "/patients/{id}/discharges/{discharge}/{what}" => post(pages::transitions::change),
    "/arrivals" => get(pages::transitions::arrivals),
    "/patients/{id}/needs" => get(pages::needs::show),
    "/patients/{id}/needs/{instrument}" => get(pages::needs::form).post(pages::needs::record),
    "/patients/{id}/needs/suggestions/{suggestion}" => post(pages::needs::respond),
    "/patients/{id}/referrals/new" => get(pages::referrals::new),
    "/patients/{id}/referrals" => post(pages::referrals::create),
    "/referrals" => get(pages::referrals::list),
    "/referrals/{id}" => get(pages::referrals::show),
    "/referrals/{id}/{step}" => post(pages::referrals::step),
    "/advice" => get(pages::advice::show).post(pages::advice::log),
    "/meetings" => get(pages::meetings::list).post(pages::meetings::create),
    "/meetings/{id}" => get(pages::meetings::show),
    "/meetings/{id}/attendance" => post(pages::meetings::attendance),
    "/meetings/{id}/cancel" => post(pages::meetings::cancel),
    "/meetings/{id}/agenda" => post(pages::meetings::add_patient),
    "/meetings/{id}/agenda/{patient}/{what}" => post(pages::meetings::minutes),
    "/inbox" => get(pages::inbox::page),
    "/live" => get(pages::inbox::events),
    "/patients/{id}/who-to-call" => get(pages::leaflet::show),
    "/patients/{id}/plan" => get(pages::plan::show),
    "/patients/{id}/plan/read" => post(pages::plan::acknowledge),
    "/patients/{id}/plan/{section}" => get(pages::plan::edit).post(pages::plan::save),
    "/patients/{id}/plan/{section}/history" => get(pages::plan::history),
    "/patients/{id}/team" => get(pages::team::show),
    "/patients/{id}/team/members" => post(pages::team::add),
    "/patients/{id}/team/members/{member}" => get(pages::team::member).post(pages::team::change),
    "/patients/{id}/team/members/{member}/end" => post(pages::team::end),
    "/patients/{id}/team/handover" => post(pages::team::propose),
    "/patients/{id}/team/handover/{handover}/{decision}" => post(pages::team::decide),
    "/figures" => get(pages::figures::page),
    "/admin" => get(pages::admin::organisations),
    "/admin/organisations" => get(pages::admin::organisations).post(pages::admin::create_organisation),
    "/admin/organisations/{id}" => get(pages::admin::organisation).post(pages::admin::update_organisation),
    "/admin/users" => get(pages::admin::people).post(pages::admin::add_user),
    "/admin/users/{id}" => get(pages::admin::person),
    "/admin/users/{id}/roles" => post(pages::admin::add_role),
    "/admin/users/{id}/roles/{role}/end" => post(pages::admin::end_role),
    "/admin/users/{id}/{change}" => post(pages::admin::account),
    "/admin/rota" => get(pages::rota::page).post(pages::rota::add),
    "/admin/rota/{shift}/cancel" => post(pages::rota::cancel),
    "/admin/triggers" => get(pages::triggers::list).post(pages::triggers::create),
    "/admin/triggers/{rule}" => get(pages::triggers::edit).post(pages::triggers::save),
    "/fhir" => get(fhir::unknown).post(fhir::transaction).fallback(fhir::method_not_allowed),
    "/fhir/metadata" => get(fhir::metadata).fallback(fhir::method_not_allowed),
    "/fhir/CodeSystem" => get(fhir::code_systems).fallback(fhir::method_not_allowed),
    "/fhir/CodeSystem/{id}" => get(fhir::code_system).fallback(fhir::method_not_allowed),
    "/fhir/Questionnaire" => get(fhir::questionnaires).fallback(fhir::method_not_allowed),
    "/fhir/Questionnaire/{id}" => get(fhir::questionnaire).fallback(fhir::method_not_allowed),
    "/fhir/Patient" => get(fhir::patient_search).post(fhir::patient_create).fallback(fhir::method_not_allowed),
    "/fhir/Patient/{id}" => get(fhir::patient_read).put(fhir::patient_update).fallback(fhir::method_not_allowed),
    "/fhir/Patient/{id}/$everything" => get(fhir::everything).fallback(fhir::method_not_allowed),
    "/fhir/Patient/{id}/_history" => get(fhir::patient_history).fallback(fhir::method_not_allowed),
    "/fhir/Patient/{id}/_history/{version}" => get(fhir::patient_vread).fallback(fhir::method_not_allowed),
    "/fhir/CarePlan/{id}/_history" => get(fhir::care_plan_history).fallback(fhir::method_not_allowed),
    "/fhir/CarePlan/{id}/_history/{version}" => get(fhir::care_plan_vread).fallback(fhir::method_not_allowed),
    "/fhir/{type}" => get(fhir::search).post(fhir::create).fallback(fhir::method_not_allowed),
    "/fhir/{type}/{id}" => get(fhir::read_resource).put(fhir::update).fallback(fhir::method_not_allowed),
    "/fhir/{type}/{id}/{*rest}" => get(fhir::unknown).fallback(fhir::method_not_allowed),
    "/healthz" => get(pages::ops::healthz),
    "/readyz" => get(pages::ops::readyz),
    "/metrics" => get(pages::ops::metrics),
    "/static/{file}" => get(pages::assets::file),
}

/// Builds the whole router.
pub fn router(app: App, config: WebConfig) -> Router {
    let state = AppState(Arc::new(Shared {
        app,
        config: Arc::new(config),
        metrics: Arc::new(Metrics::default()),
        summaries: Default::default(),
    }));
    with_routes(Router::new())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn(fhir::too_large_as_outcome))
        .with_state(state)
}

/// Serves Hearth on `listener` until `shutdown` resolves; requests in flight then finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    config: WebConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer's address reaches handlers as `ConnectInfo`, for per-address sign-in throttling.
    let service = router(app, config).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
}
