//! The FHIR R4 REST API under `/fhir` (issue 9): reads, searches and writes over the same use
//! cases as the web pages, with the same access rules and audit. Handlers parse the request,
//! call one use case, map with `hearth-fhir` and answer FHIR JSON; every failure is an
//! OperationOutcome. Clients authenticate with a bearer token (`hearth token create`); a
//! signed-in browser's session works for reads. `query` reads query strings and pages results,
//! `reads` serves reads and searches, `history` versions (vread, `_history`), `writes` the
//! Patient's creates and updates and Bundles, `clinical_writes` the Observation's create and the
//! CarePlan's update.

mod clinical_writes;
mod history;
mod query;
mod reads;
mod writes;

pub use clinical_writes::{create, update};
pub use history::{care_plan_history, care_plan_vread, patient_history, patient_vread};
pub use reads::{
    code_system, code_systems, everything, patient_read, patient_search, questionnaire,
    questionnaires, read_resource, search,
};
pub use writes::{patient_create, patient_update, transaction};

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_app::{Actor, AppError, PatientRecord};
use hearth_domain::PatientId;
use hearth_fhir::capability;
use hearth_fhir::outcome::IssueType;
use hearth_fhir::{Bundle, OperationOutcome, Resource, map};

use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// The most matches a search returns in one page.
pub(super) const MAX_COUNT: usize = 100;

/// An answer of the API: a resource with a status, or an OperationOutcome.
pub struct Fhir(
    pub(super) StatusCode,
    pub(super) Resource,
    pub(super) HeaderMap,
);

impl IntoResponse for Fhir {
    fn into_response(self) -> Response {
        let Fhir(status, resource, mut headers) = self;
        match serde_json::to_vec(&resource) {
            Ok(body) => {
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/fhir+json; charset=utf-8"),
                );
                (status, headers, body).into_response()
            }
            Err(e) => {
                tracing::error!(error = %e, "a FHIR resource could not be written");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the resource could not be written",
                )
                    .into_response()
            }
        }
    }
}

/// A failed interaction, answered with an OperationOutcome.
pub struct FhirError(pub(super) StatusCode, pub(super) OperationOutcome);

impl FhirError {
    pub(super) fn new(
        status: StatusCode,
        code: IssueType,
        diagnostics: impl Into<String>,
    ) -> FhirError {
        FhirError(status, OperationOutcome::error(code, diagnostics))
    }

    pub(super) fn invalid(diagnostics: impl Into<String>) -> FhirError {
        FhirError::new(StatusCode::BAD_REQUEST, IssueType::Invalid, diagnostics)
    }

    pub(super) fn not_found(diagnostics: impl Into<String>) -> FhirError {
        FhirError::new(StatusCode::NOT_FOUND, IssueType::NotFound, diagnostics)
    }
}

impl IntoResponse for FhirError {
    fn into_response(self) -> Response {
        let FhirError(status, outcome) = self;
        let mut headers = HeaderMap::new();
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"hearth\""),
            );
        }
        Fhir(status, Resource::OperationOutcome(outcome), headers).into_response()
    }
}

impl From<AppError> for FhirError {
    fn from(error: AppError) -> FhirError {
        let web = WebError::App(error);
        let status = web.status();
        let WebError::App(error) = web else {
            return FhirError::new(status, IssueType::Exception, "unexpected error");
        };
        let code = match &error {
            AppError::Invalid(_) => IssueType::Value,
            AppError::BadCredentials | AppError::AccountDisabled | AppError::SignedOut => {
                IssueType::Login
            }
            AppError::Throttled { .. } | AppError::AddressThrottled { .. } => IssueType::Throttled,
            AppError::Forbidden(_) | AppError::RecordClosed { .. } => IssueType::Forbidden,
            AppError::NotFound(_) => IssueType::NotFound,
            AppError::Duplicate(_) => IssueType::Duplicate,
            AppError::Conflict(_) => IssueType::Conflict,
            AppError::Store(_) | AppError::Internal(_) => IssueType::Exception,
        };
        let status = match (&error, status) {
            // A search or read that is not valid is a bad request in FHIR's terms.
            (AppError::Invalid(_), _) => StatusCode::BAD_REQUEST,
            (_, s) => s,
        };
        let diagnostics = if status.is_server_error() {
            tracing::error!(error = %error, "FHIR request failed");
            "Something went wrong inside Hearth and the request was not completed. Nothing was changed. Try again; if it keeps happening, tell your administrator the time it happened.".to_owned()
        } else {
            error.to_string()
        };
        FhirError::new(status, code, diagnostics)
    }
}

/// The actor of an API request: from its bearer token (or a browser's session). Without one the
/// answer is 401 with an OperationOutcome, never a redirect to the sign-in page.
pub struct FhirUser(pub(super) Actor, pub(super) Writes);

/// Whether a request may write: only with a bearer token and no cookies. A browser's session
/// reads; a write from a page could be forged by another site, and FHIR writes carry no CSRF
/// token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Writes(bool);

impl Writes {
    pub(super) fn require(self) -> Result<(), FhirError> {
        if self.0 {
            Ok(())
        } else {
            Err(FhirError::new(
                StatusCode::FORBIDDEN,
                IssueType::Forbidden,
                "Writes through the FHIR API need a bearer token ('hearth token create') sent without cookies; a signed-in browser can only read.",
            ))
        }
    }
}

impl FromRequestParts<AppState> for FhirUser {
    type Rejection = FhirError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match CurrentUser::from_request_parts(parts, state).await {
            Ok(user) => {
                let writes = Writes(user.check_csrf("").is_ok());
                Ok(FhirUser(user.actor, writes))
            }
            Err(response) if response.status() == StatusCode::TOO_MANY_REQUESTS => {
                Err(FhirError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    IssueType::Throttled,
                    "Too many requests: wait a few minutes and try again.",
                ))
            }
            Err(response) if response.status().is_server_error() => Err(FhirError::new(
                response.status(),
                IssueType::Exception,
                "Hearth could not check who is asking. Try again shortly.",
            )),
            Err(_) => Err(FhirError::new(
                StatusCode::UNAUTHORIZED,
                IssueType::Login,
                "Authenticate with 'Authorization: Bearer <token>'; an administrator makes a token with 'hearth token create --user EMAIL'. A token that is unknown, expired or revoked is refused.",
            )),
        }
    }
}

/// The absolute URL of the API, as the client reached it.
pub(super) fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        })
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}/fhir")
}

pub(super) fn bundle(b: Bundle) -> Fhir {
    Fhir(StatusCode::OK, Resource::Bundle(b), HeaderMap::new())
}

/// A read's answer: the resource with its `ETag` and `Last-Modified`.
pub(super) fn read(resource: Resource, last_updated: Option<jiff::Timestamp>) -> Fhir {
    let mut headers = HeaderMap::new();
    if let Some(v) = resource.version()
        && let Ok(etag) = HeaderValue::from_str(&format!("W/\"{v}\""))
    {
        headers.insert(header::ETAG, etag);
    }
    if let Some(at) = last_updated
        && let Ok(value) =
            HeaderValue::from_str(&at.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        headers.insert(header::LAST_MODIFIED, value);
    }
    Fhir(StatusCode::OK, resource, headers)
}

/// When a resource last changed, from its `meta.lastUpdated`.
pub(super) fn last_updated(resource: &Resource) -> Option<jiff::Timestamp> {
    let json = serde_json::to_value(resource).ok()?;
    json.get("meta")?.get("lastUpdated")?.as_str()?.parse().ok()
}

pub(super) fn patient_id(id: &str) -> Result<PatientId, FhirError> {
    PatientId::parse(id)
        .ok_or_else(|| FhirError::not_found(format!("There is no Patient with id '{id}'.")))
}

/// Every FHIR resource of a patient's record (the API's `$everything` and `hearth export`).
pub fn resources_of(record: &PatientRecord) -> Vec<Resource> {
    map::patient_record(record_of(record))
}

/// The record as the mapping reads it.
fn record_of(record: &PatientRecord) -> map::PatientRecord<'_> {
    map::PatientRecord {
        patient: &record.patient,
        register: &record.register,
        team: &record.team,
        names: &record.names,
        sections: &record.sections,
        assessments: &record.assessments,
        phases: &record.phases,
        referrals: &record.referrals,
        tasks: &record.tasks,
        stays: &record.stays,
        conversations: &record.conversations,
        discharges: &record.discharges,
        advice_calls: &record.advice_calls,
    }
}

/// `GET /fhir/metadata`: the CapabilityStatement.
pub async fn metadata(State(state): State<AppState>, headers: HeaderMap) -> Fhir {
    let base = base_url(&state, &headers);
    let date = hearth_fhir::datatypes::date(state.app.today());
    Fhir(
        StatusCode::OK,
        Resource::CapabilityStatement(capability::capability_statement(
            &base,
            env!("CARGO_PKG_VERSION"),
            &date,
        )),
        HeaderMap::new(),
    )
}

/// A method an address of the API does not take (a delete, a patch, a write of a type Hearth
/// reads only): 405 with an OperationOutcome.
pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> FhirError {
    FhirError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        IssueType::NotSupported,
        format!(
            "Hearth does not take {method} at {}; /fhir/metadata lists the interactions it supports.",
            uri.path()
        ),
    )
}

/// Any other address under `/fhir`: an OperationOutcome, not the web's error page.
pub async fn unknown() -> FhirError {
    FhirError::new(
        StatusCode::NOT_FOUND,
        IssueType::NotSupported,
        "There is nothing at this address of the FHIR API. /fhir/metadata lists what is supported.",
    )
}

/// Outermost layer for the API: a body over the size limit is refused by the limit layer
/// before any handler runs, with a plain 413; an API client gets an OperationOutcome instead.
pub async fn too_large_as_outcome(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let fhir = request.uri().path() == "/fhir" || request.uri().path().starts_with("/fhir/");
    let response = next.run(request).await;
    if fhir && response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        let is_outcome = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/fhir+json"));
        if !is_outcome {
            return FhirError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                IssueType::TooCostly,
                format!(
                    "The request body is over {} KB, the most Hearth reads. Send fewer entries in one Bundle.",
                    crate::BODY_LIMIT_BYTES / 1024
                ),
            )
            .into_response();
        }
    }
    response
}
