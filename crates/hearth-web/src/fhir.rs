//! The FHIR R4 REST API under `/fhir` (issue 9): reads and searches over the same use cases as
//! the web pages, with the same access rules and audit. Handlers parse the request, call one
//! use case, map with `hearth-fhir` and answer FHIR JSON; every failure is an OperationOutcome.
//! Clients authenticate with a bearer token (`hearth token create`); a signed-in browser's
//! session works for reads too.

use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_app::{Actor, AppError, PatientCreation, PatientRecord, RecordKind};
use hearth_domain::PatientId;
use hearth_fhir::capability::{self, SUPPORTED};
use hearth_fhir::outcome::IssueType;
use hearth_fhir::{Bundle, OperationOutcome, Resource, codes, map, parse, search};

use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// The most matches a search returns in one page.
const MAX_COUNT: usize = 100;

/// An answer of the API: a resource with a status, or an OperationOutcome.
pub struct Fhir(StatusCode, Resource, HeaderMap);

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
pub struct FhirError(StatusCode, OperationOutcome);

impl FhirError {
    fn new(status: StatusCode, code: IssueType, diagnostics: impl Into<String>) -> FhirError {
        FhirError(status, OperationOutcome::error(code, diagnostics))
    }

    fn invalid(diagnostics: impl Into<String>) -> FhirError {
        FhirError::new(StatusCode::BAD_REQUEST, IssueType::Invalid, diagnostics)
    }

    fn not_found(diagnostics: impl Into<String>) -> FhirError {
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
pub struct FhirUser(Actor, Writes);

/// Whether a request may write: only with a bearer token and no cookies. A browser's session
/// reads; a write from a page could be forged by another site, and FHIR writes carry no CSRF
/// token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Writes(bool);

impl Writes {
    fn require(self) -> Result<(), FhirError> {
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
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
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

/// The search parameters of a query string, decoded. Repeated parameters are refused: Hearth
/// supports none that combine.
fn params(query: Option<&str>, allowed: &[&str]) -> Result<Vec<(String, String)>, FhirError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(name)?;
        let value = decode(value)?;
        if name == "_pretty" {
            continue;
        }
        if name == "_format" {
            if !matches!(
                value.as_str(),
                "json" | "application/json" | "application/fhir+json"
            ) {
                return Err(FhirError::new(
                    StatusCode::NOT_ACCEPTABLE,
                    IssueType::NotSupported,
                    format!("Hearth answers in FHIR JSON only, not '{value}'."),
                ));
            }
            continue;
        }
        if !allowed.contains(&name.as_str()) {
            return Err(FhirError::invalid(format!(
                "The search parameter '{name}' is not supported here; supported: {}.",
                if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed.join(", ")
                }
            )));
        }
        if out.iter().any(|(n, _)| *n == name) {
            return Err(FhirError::invalid(format!(
                "The search parameter '{name}' is given twice; give it once."
            )));
        }
        out.push((name, value));
    }
    Ok(out)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Percent-decodes a query component (`+` is a space).
fn decode(text: &str) -> Result<String, FhirError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| FhirError::invalid("The query string has a broken %-escape."))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| FhirError::invalid("The query string is not UTF-8."))
}

/// `_count`: how many matches a page holds (default and maximum [`MAX_COUNT`]).
fn count(params: &[(String, String)]) -> Result<usize, FhirError> {
    match param(params, "_count") {
        None => Ok(MAX_COUNT),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .map(|c| c.min(MAX_COUNT))
            .ok_or_else(|| FhirError::invalid("_count must be a whole number, 0 or more.")),
    }
}

/// Which page of the matches to answer, read from `_count` and `_offset` before any use case
/// runs (so that a bad page request reads and audits nothing).
#[derive(Debug, Clone, Copy)]
struct Paging {
    count: usize,
    offset: usize,
}

fn paging(params: &[(String, String)]) -> Result<Paging, FhirError> {
    let count = count(params)?;
    let offset = match param(params, "_offset") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| FhirError::invalid("_offset must be a whole number, 0 or more."))?,
    };
    Ok(Paging { count, offset })
}

/// A search result page of `matches`, with self and next links.
fn page(
    base: &str,
    type_name: &str,
    params: &[(String, String)],
    Paging { count, offset }: Paging,
    matches: Vec<Resource>,
) -> Bundle {
    let total = matches.len();
    let query = |offset: usize| {
        let mut q: Vec<String> = params
            .iter()
            .filter(|(n, _)| n != "_offset" && n != "_count")
            .map(|(n, v)| format!("{n}={}", crate::session::encode_component(v)))
            .collect();
        q.push(format!("_count={count}"));
        q.push(format!("_offset={offset}"));
        format!("{base}/{type_name}?{}", q.join("&"))
    };
    let shown: Vec<Resource> = matches.into_iter().skip(offset).take(count).collect();
    let mut bundle = Bundle::searchset(base, &query(offset), shown);
    bundle.total = Some(total as u64);
    if offset.saturating_add(count) < total && count > 0 {
        bundle.link.push(hearth_fhir::bundle::BundleLink {
            relation: "next".to_owned(),
            url: query(offset.saturating_add(count)),
        });
    }
    bundle
}

fn bundle(b: Bundle) -> Fhir {
    Fhir(StatusCode::OK, Resource::Bundle(b), HeaderMap::new())
}

/// A read's answer: the resource with its `ETag` and `Last-Modified`.
fn read(resource: Resource, last_updated: Option<jiff::Timestamp>) -> Fhir {
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
fn last_updated(resource: &Resource) -> Option<jiff::Timestamp> {
    let json = serde_json::to_value(resource).ok()?;
    json.get("meta")?.get("lastUpdated")?.as_str()?.parse().ok()
}

fn patient_id(id: &str) -> Result<PatientId, FhirError> {
    PatientId::parse(id)
        .ok_or_else(|| FhirError::not_found(format!("There is no Patient with id '{id}'.")))
}

fn resources_of(record: &PatientRecord) -> Vec<Resource> {
    map::patient_record(map::PatientRecord {
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
    })
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

/// `GET /fhir/CodeSystem`: Hearth's code systems (public, as the CapabilityStatement is).
pub async fn code_systems(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    let params = params(query.as_deref(), &["_count", "_offset"])?;
    let paging = paging(&params)?;
    let base = base_url(&state, &headers);
    let all = codes::code_systems()
        .into_iter()
        .map(Resource::CodeSystem)
        .collect();
    Ok(bundle(page(&base, "CodeSystem", &params, paging, all)))
}

/// `GET /fhir/CodeSystem/{id}`.
pub async fn code_system(
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    params(query.as_deref(), &[])?;
    codes::code_system(&id)
        .map(|cs| read(Resource::CodeSystem(cs), None))
        .ok_or_else(|| FhirError::not_found(format!("There is no CodeSystem with id '{id}'.")))
}

/// `GET /fhir/Patient/{id}`.
pub async fn patient_read(
    State(state): State<AppState>,
    FhirUser(actor, _): FhirUser,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    params(query.as_deref(), &[])?;
    let record = state
        .app
        .patient_demographics(
            &actor,
            &patient_id(&id)?,
            "the Patient, through the FHIR API",
        )
        .await?;
    let patient = map::patient(&record.patient, &record.register);
    Ok(read(
        Resource::Patient(patient),
        Some(record.patient.updated_at),
    ))
}

/// The status of a refused resource: 400 when it could not be read at all, 422 when it was read
/// but Hearth cannot keep it or its content breaks a rule.
fn refused(outcome: OperationOutcome) -> FhirError {
    let unreadable = outcome
        .issue
        .iter()
        .any(|i| matches!(i.code, IssueType::Structure | IssueType::TooCostly));
    let status = if unreadable {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    FhirError(status, outcome)
}

/// Refuses a body that is not declared as JSON.
fn json_body(headers: &HeaderMap) -> Result<(), FhirError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if matches!(media, "application/fhir+json" | "application/json") {
        Ok(())
    } else {
        Err(FhirError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            IssueType::NotSupported,
            format!(
                "Send the resource as application/fhir+json (the request said '{content_type}')."
            ),
        ))
    }
}

/// `POST /fhir/Patient`: creates a patient through the same use case as the web form; with
/// `If-None-Exist: identifier=[system|]value`, only when no patient has that national number.
pub async fn patient_create(
    State(state): State<AppState>,
    FhirUser(actor, writes): FhirUser,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, FhirError> {
    writes.require()?;
    json_body(&headers)?;
    let value = parse::json(&body).map_err(refused)?;
    let system = state.app.config().national_number_system.system_uri.clone();
    let input = parse::patient(&value, &system).map_err(refused)?;
    let base = base_url(&state, &headers);
    let invalid = |e: AppError| match e {
        AppError::Invalid(v) => refused(parse::validation(&v)),
        other => FhirError::from(other),
    };
    let condition = match headers.get("if-none-exist") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .map_err(|_| FhirError::invalid("If-None-Exist is not readable text."))?
                .to_owned(),
        ),
    };
    let patient = match condition {
        None => state
            .app
            .create_patient(&actor, input)
            .await
            .map_err(invalid)?,
        Some(condition) => {
            let params = params(Some(&condition), &["identifier"])?;
            let Some(identifier) = param(&params, "identifier") else {
                return Err(FhirError::invalid(
                    "If-None-Exist must be identifier=[system|]value: Hearth matches patients by national number.",
                ));
            };
            let value = match identifier.split_once('|') {
                Some((s, v)) if s.is_empty() || s == system => v,
                Some(_) => {
                    return Err(FhirError::invalid(format!(
                        "If-None-Exist must name the national number's system ({system})."
                    )));
                }
                None => identifier,
            };
            let wanted = state.app.config().national_number_system.parse(value);
            let given = state
                .app
                .config()
                .national_number_system
                .parse(&input.national_number);
            if wanted.is_err() || wanted.ok() != given.ok() {
                return Err(FhirError::invalid(
                    "If-None-Exist must name the same national number as the Patient sent.",
                ));
            }
            match state
                .app
                .create_patient_unless_exists(&actor, input)
                .await
                .map_err(invalid)?
            {
                PatientCreation::Created(p) => *p,
                PatientCreation::Exists { id, visible: true } => {
                    let record = state
                        .app
                        .patient_demographics(&actor, &id, "the Patient, through the FHIR API")
                        .await?;
                    let mut answer = read(
                        Resource::Patient(map::patient(&record.patient, &record.register)),
                        Some(record.patient.updated_at),
                    );
                    if let Ok(location) =
                        HeaderValue::from_str(&format!("{base}/Patient/{}", id.as_str()))
                    {
                        answer.2.insert(header::LOCATION, location);
                    }
                    return Ok(answer.into_response());
                }
                PatientCreation::Exists { visible: false, .. } => {
                    return Ok(Fhir(
                        StatusCode::OK,
                        Resource::OperationOutcome(OperationOutcome::information(
                            "A patient with this national number is already in Hearth; nothing was created. You are not in their care team: ask their GP practice to add you, or open their record under emergency access on the web.",
                        )),
                        HeaderMap::new(),
                    )
                    .into_response());
                }
            }
        }
    };
    let mut answer = read(
        Resource::Patient(map::patient(&patient, &[])),
        Some(patient.updated_at),
    );
    answer.0 = StatusCode::CREATED;
    if let Ok(location) = HeaderValue::from_str(&format!(
        "{base}/Patient/{}/_history/{}",
        patient.id.as_str(),
        patient.version
    )) {
        answer.2.insert(header::LOCATION, location);
    }
    Ok(answer.into_response())
}

/// The version an `If-Match` header names: `W/"3"` or `"3"`.
fn if_match(headers: &HeaderMap) -> Result<i64, FhirError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(FhirError::new(
            StatusCode::PRECONDITION_REQUIRED,
            IssueType::Required,
            "Send If-Match with the version you read (the ETag, W/\"n\"): Hearth never overwrites a change you have not seen.",
        ));
    };
    value
        .to_str()
        .ok()
        .map(str::trim)
        .map(|v| v.strip_prefix("W/").unwrap_or(v))
        .and_then(|v| v.strip_prefix('"')?.strip_suffix('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|v| *v > 0)
        .ok_or_else(|| {
            FhirError::invalid("If-Match must be the ETag you read, as W/\"n\" (n the version).")
        })
}

/// `PUT /fhir/Patient/{id}`: replaces the patient's details, only from the version the client
/// read (`If-Match`); a stale version is refused with 412 and changes nothing.
pub async fn patient_update(
    State(state): State<AppState>,
    FhirUser(actor, writes): FhirUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Fhir, FhirError> {
    writes.require()?;
    let expected = if_match(&headers)?;
    json_body(&headers)?;
    let value = parse::json(&body).map_err(refused)?;
    if value.get("id").and_then(serde_json::Value::as_str) != Some(id.as_str()) {
        return Err(FhirError::invalid(format!(
            "The Patient's id must be the one in the address ('{id}')."
        )));
    }
    let system = state.app.config().national_number_system.system_uri.clone();
    let input = parse::patient(&value, &system).map_err(refused)?;
    let patient = state
        .app
        .update_patient(&actor, &patient_id(&id)?, expected, input)
        .await
        .map_err(|e| match e {
            AppError::Invalid(v) => refused(parse::validation(&v)),
            AppError::Conflict(message) => FhirError::new(
                StatusCode::PRECONDITION_FAILED,
                IssueType::Conflict,
                message,
            ),
            other => FhirError::from(other),
        })?;
    let register = state
        .app
        .patient_demographics(
            &actor,
            &patient.id,
            "the Patient after an update, through the FHIR API",
        )
        .await?
        .register;
    Ok(read(
        Resource::Patient(map::patient(&patient, &register)),
        Some(patient.updated_at),
    ))
}

/// The most entries a transaction or batch Bundle may hold.
pub const MAX_BUNDLE_ENTRIES: usize = 100;

/// One entry of a transaction or batch: a Patient to create, conditionally or not.
struct Create {
    input: hearth_domain::patient::NewPatient,
    conditional: bool,
}

/// Reads entry `n` of a transaction or batch: only `POST Patient` is supported so far.
fn create_entry(
    n: usize,
    entry: &serde_json::Value,
    system: &str,
    nns: &hearth_domain::national_number::NationalNumberSystem,
) -> Result<Create, OperationOutcome> {
    let at = |why: String| {
        OperationOutcome::at(IssueType::NotSupported, format!("Bundle.entry[{n}]"), why)
    };
    let request = entry.get("request");
    let method = request
        .and_then(|r| r.get("method"))
        .and_then(serde_json::Value::as_str);
    let url = request
        .and_then(|r| r.get("url"))
        .and_then(serde_json::Value::as_str);
    if method != Some("POST") || url != Some("Patient") {
        return Err(at(format!(
            "entry {n}: Hearth's transactions and batches create Patients (request POST Patient) so far, not {} {}",
            method.unwrap_or("(no method)"),
            url.unwrap_or("(no url)")
        )));
    }
    let resource = entry.get("resource").unwrap_or(&serde_json::Value::Null);
    let input = parse::patient(resource, system).map_err(|mut o| {
        for issue in &mut o.issue {
            if let Some(d) = issue.diagnostics.as_mut() {
                *d = format!("entry {n}: {d}");
            }
        }
        o
    })?;
    let conditional = match request
        .and_then(|r| r.get("ifNoneExist"))
        .and_then(serde_json::Value::as_str)
    {
        None => false,
        Some(condition) => {
            let value = condition
                .strip_prefix("identifier=")
                .map(|v| v.rsplit('|').next().unwrap_or(v));
            let same = value.is_some_and(|v| {
                nns.parse(v).ok().is_some()
                    && nns.parse(v).ok() == nns.parse(&input.national_number).ok()
            });
            if !same {
                return Err(at(format!(
                    "entry {n}: ifNoneExist must be identifier=[system|]value with the Patient's national number"
                )));
            }
            true
        }
    };
    Ok(Create { input, conditional })
}

fn created_response(base: &str, outcome: &PatientCreation) -> hearth_fhir::bundle::EntryResponse {
    match outcome {
        PatientCreation::Created(p) => hearth_fhir::bundle::EntryResponse {
            status: "201 Created".to_owned(),
            location: Some(format!("{base}/Patient/{}/_history/{}", p.id, p.version)),
            etag: Some(format!("W/\"{}\"", p.version)),
            last_modified: Some(hearth_fhir::datatypes::instant(p.updated_at)),
            outcome: None,
        },
        PatientCreation::Exists { id, visible } => hearth_fhir::bundle::EntryResponse {
            status: "200 OK".to_owned(),
            location: visible.then(|| format!("{base}/Patient/{id}")),
            etag: None,
            last_modified: None,
            outcome: None,
        },
    }
}

fn failed_response(
    status: StatusCode,
    outcome: OperationOutcome,
) -> hearth_fhir::bundle::EntryResponse {
    hearth_fhir::bundle::EntryResponse {
        status: format!(
            "{} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        ),
        location: None,
        etag: None,
        last_modified: None,
        outcome: Some(Box::new(Resource::OperationOutcome(outcome))),
    }
}

/// `POST /fhir`: a transaction Bundle (all entries or none) or a batch Bundle (each entry on
/// its own). Entries create Patients (`POST Patient`, with `ifNoneExist` for a conditional
/// create); a transaction with an entry Hearth cannot carry out changes nothing.
pub async fn transaction(
    State(state): State<AppState>,
    FhirUser(actor, writes): FhirUser,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Fhir, FhirError> {
    writes.require()?;
    json_body(&headers)?;
    let value = parse::json(&body).map_err(refused)?;
    let kind = match (
        parse::resource_type(&value).map_err(refused)?,
        value.get("type").and_then(serde_json::Value::as_str),
    ) {
        ("Bundle", Some(kind @ ("transaction" | "batch"))) => kind.to_owned(),
        _ => {
            return Err(FhirError::invalid(
                "POST /fhir takes a Bundle of type transaction or batch.",
            ));
        }
    };
    let entries = value
        .get("entry")
        .and_then(serde_json::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if entries.len() > MAX_BUNDLE_ENTRIES {
        return Err(FhirError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            IssueType::TooCostly,
            format!(
                "The Bundle has {} entries; Hearth takes at most {MAX_BUNDLE_ENTRIES} in one {kind}. Split it.",
                entries.len()
            ),
        ));
    }
    let system = state.app.config().national_number_system.system_uri.clone();
    let nns = state.app.config().national_number_system.clone();
    let base = base_url(&state, &headers);
    let read: Vec<Result<Create, OperationOutcome>> = entries
        .iter()
        .enumerate()
        .map(|(n, e)| create_entry(n, e, &system, &nns))
        .collect();
    let responses = if kind == "transaction" {
        let mut creates = Vec::with_capacity(read.len());
        let mut problems = Vec::new();
        for r in read {
            match r {
                Ok(c) => creates.push((c.input, c.conditional)),
                Err(o) => problems.extend(o.issue),
            }
        }
        if !problems.is_empty() {
            return Err(refused(OperationOutcome { issue: problems }));
        }
        let outcomes = state
            .app
            .create_patients_in_transaction(&actor, creates)
            .await
            .map_err(|e| match e {
                AppError::Invalid(v) => refused(parse::validation(&v)),
                other => FhirError::from(other),
            })?;
        outcomes
            .iter()
            .map(|o| created_response(&base, o))
            .collect()
    } else {
        let mut responses = Vec::with_capacity(read.len());
        for r in read {
            responses.push(match r {
                Err(o) => failed_response(StatusCode::UNPROCESSABLE_ENTITY, o),
                Ok(c) => {
                    let done = if c.conditional {
                        state
                            .app
                            .create_patient_unless_exists(&actor, c.input)
                            .await
                    } else {
                        state
                            .app
                            .create_patient(&actor, c.input)
                            .await
                            .map(|p| PatientCreation::Created(Box::new(p)))
                    };
                    match done {
                        Ok(o) => created_response(&base, &o),
                        Err(AppError::Invalid(v)) => {
                            failed_response(StatusCode::UNPROCESSABLE_ENTITY, parse::validation(&v))
                        }
                        Err(e) => {
                            let FhirError(status, outcome) = FhirError::from(e);
                            failed_response(status, outcome)
                        }
                    }
                }
            });
        }
        responses
    };
    Ok(bundle(Bundle::responses(&kind, responses, state.app.now())))
}

/// `GET /fhir/Patient?identifier=…` or `?_id=…`: finds a patient the reader may open.
pub async fn patient_search(
    State(state): State<AppState>,
    FhirUser(actor, _): FhirUser,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    let params = params(
        query.as_deref(),
        &["identifier", "_id", "_count", "_offset"],
    )?;
    let paging = paging(&params)?;
    let base = base_url(&state, &headers);
    let what = "a Patient search, through the FHIR API";
    let record = match (param(&params, "identifier"), param(&params, "_id")) {
        (Some(identifier), None) => {
            let system = &state.app.config().national_number_system.system_uri;
            let value = match identifier.split_once('|') {
                Some((s, v)) if s == system => Some(v),
                // Another system, or none ("|value"): no national number matches.
                Some(_) => None,
                None => Some(identifier),
            };
            match value {
                Some(value) => match state.app.find_patient(&actor, value).await? {
                    Some(id) => Some(state.app.patient_demographics(&actor, &id, what).await?),
                    None => None,
                },
                None => None,
            }
        }
        (None, Some(id)) => match PatientId::parse(id) {
            Some(id) => match state.app.patient_demographics(&actor, &id, what).await {
                Ok(record) => Some(record),
                // A search finds nothing the reader may not open; the refusal is audited.
                Err(AppError::NotFound(_) | AppError::RecordClosed { .. }) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        },
        _ => {
            return Err(FhirError::invalid(
                "Search Patient by identifier (the national number, as system|value or value) or by _id. Hearth does not list patients through the API: the register is on the web.",
            ));
        }
    };
    let matches = record
        .map(|r| Resource::Patient(map::patient(&r.patient, &r.register)))
        .into_iter()
        .collect();
    Ok(bundle(page(&base, "Patient", &params, paging, matches)))
}

/// `GET /fhir/Patient/{id}/$everything`: the patient's whole record, a page at a time.
pub async fn everything(
    State(state): State<AppState>,
    FhirUser(actor, _): FhirUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    let params = params(query.as_deref(), &["_count", "_offset"])?;
    let paging = paging(&params)?;
    let record = state
        .app
        .patient_record(
            &actor,
            &patient_id(&id)?,
            "the whole record ($everything), through the FHIR API",
        )
        .await?;
    let base = base_url(&state, &headers);
    let mut b = page(
        &base,
        &format!("Patient/{id}/$everything"),
        &params,
        paging,
        resources_of(&record),
    );
    b.timestamp = Some(hearth_fhir::datatypes::instant(state.app.now()));
    Ok(bundle(b))
}

/// `GET /fhir/{type}`: a search. Patient-compartment types need `patient` (or `subject`);
/// directory types list everything, a page at a time.
pub async fn search(
    State(state): State<AppState>,
    FhirUser(actor, _): FhirUser,
    headers: HeaderMap,
    Path(type_name): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    let supported = supported(&type_name)?;
    let base = base_url(&state, &headers);
    let mut allowed: Vec<&str> = supported.search.iter().map(|p| p.name).collect();
    if capability::is_record_type(supported) {
        allowed.extend(capability::RECORD_FILTERS.iter().map(|p| p.name));
    }
    allowed.extend(["_count", "_offset"]);
    let params = params(query.as_deref(), &allowed)?;
    let paging = paging(&params)?;
    let filters = Filters::read(&params)?;
    let matches = if is_directory(&type_name) {
        directory(&state, &actor, &type_name).await?
    } else {
        let patient = match (param(&params, "patient"), param(&params, "subject")) {
            (Some(p), None) | (None, Some(p)) => p,
            _ => {
                return Err(FhirError::invalid(format!(
                    "Search {type_name} by patient (Patient/{{id}} or {{id}}), given once."
                )));
            }
        };
        let id = patient.strip_prefix("Patient/").unwrap_or(patient);
        if type_name == "AuditEvent" {
            let pid = patient_id(id)?;
            let report = state.app.access_report(&actor, &pid, None).await?;
            let events = report.entries.iter().map(|e| {
                Resource::AuditEvent(map::audit_event(
                    &pid,
                    map::AccessLine {
                        seq: e.seq,
                        at: e.at,
                        who: e.who.as_deref(),
                        organisation: e.organisation.as_deref(),
                        action: &e.action,
                        resource_type: &e.resource_type,
                        basis: &e.basis,
                        outcome: &e.outcome,
                        reason: e.reason.as_deref(),
                    },
                ))
            });
            let matches = filters.apply(events);
            return Ok(bundle(page(&base, &type_name, &params, paging, matches)));
        }
        let record = state
            .app
            .patient_record(
                &actor,
                &patient_id(id)?,
                "a search of the record, through the FHIR API",
            )
            .await?;
        let of_type = resources_of(&record)
            .into_iter()
            .filter(|r| r.type_name() == type_name);
        filters.apply(of_type)
    };
    Ok(bundle(page(&base, &type_name, &params, paging, matches)))
}

/// The record filters of a search (`status`, `date`, `_lastUpdated`, `_sort`), read before
/// anything is read or audited.
struct Filters {
    status: Option<String>,
    date: Option<search::DateFilter>,
    last_updated: Option<search::DateFilter>,
    sort: Option<search::Sort>,
}

impl Filters {
    fn read(params: &[(String, String)]) -> Result<Filters, FhirError> {
        let bad = |o: OperationOutcome| FhirError(StatusCode::BAD_REQUEST, o);
        Ok(Filters {
            status: param(params, "status").map(str::to_owned),
            date: param(params, "date")
                .map(|d| search::DateFilter::parse("date", d))
                .transpose()
                .map_err(bad)?,
            last_updated: param(params, "_lastUpdated")
                .map(|d| search::DateFilter::parse("_lastUpdated", d))
                .transpose()
                .map_err(bad)?,
            sort: param(params, "_sort")
                .map(search::Sort::parse)
                .transpose()
                .map_err(bad)?,
        })
    }

    fn apply(&self, resources: impl Iterator<Item = Resource>) -> Vec<Resource> {
        let mut kept: Vec<(serde_json::Value, Resource)> = resources
            .filter_map(|r| serde_json::to_value(&r).ok().map(|v| (v, r)))
            .filter(|(v, _)| {
                self.status
                    .as_deref()
                    .is_none_or(|s| search::status_is(v, s))
                    && self
                        .date
                        .as_ref()
                        .is_none_or(|f| search::date_of(v).is_some_and(|d| f.accepts(d)))
                    && self
                        .last_updated
                        .as_ref()
                        .is_none_or(|f| search::last_updated_of(v).is_some_and(|d| f.accepts(d)))
            })
            .collect();
        if let Some(sort) = self.sort {
            sort.apply(&mut kept);
        }
        kept.into_iter().map(|(_, r)| r).collect()
    }
}

/// Whether a type is the directory's (not patient data).
fn is_directory(type_name: &str) -> bool {
    matches!(
        type_name,
        "Organization" | "Practitioner" | "PractitionerRole"
    )
}

/// `GET /fhir/{type}/{id}`: a read.
pub async fn read_resource(
    State(state): State<AppState>,
    FhirUser(actor, _): FhirUser,
    Path((type_name, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    let supported = supported(&type_name)?;
    if !supported.interactions.contains(&"read") {
        return Err(FhirError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            IssueType::NotSupported,
            format!("{type_name} resources are searched, not read by id."),
        ));
    }
    params(query.as_deref(), &[])?;
    let missing = || FhirError::not_found(format!("There is no {type_name} with id '{id}'."));
    let found = if is_directory(&type_name) {
        directory(&state, &actor, &type_name)
            .await?
            .into_iter()
            .find(|r| r.id() == Some(id.as_str()))
    } else {
        let Some(patient) = patient_of(&state, &type_name, &id).await? else {
            return Err(missing());
        };
        let record = state
            .app
            .patient_record(
                &actor,
                &patient,
                "one resource of the record, through the FHIR API",
            )
            .await?;
        resources_of(&record)
            .into_iter()
            .find(|r| r.type_name() == type_name && r.id() == Some(id.as_str()))
    };
    let resource = found.ok_or_else(missing)?;
    let updated = last_updated(&resource);
    Ok(read(resource, updated))
}

/// The patient whose record holds resource `type_name/id`: a patient's care team and plan take
/// the patient's id, what Hearth keeps inside a record takes the patient's id with a suffix
/// (`hearth_fhir::map`), and assessments and register entries have their own ids.
async fn patient_of(
    state: &AppState,
    type_name: &str,
    id: &str,
) -> Result<Option<PatientId>, FhirError> {
    let before = |marker: &str| id.rfind(marker).and_then(|i| PatientId::parse(&id[..i]));
    Ok(match type_name {
        "CareTeam" | "CarePlan" => PatientId::parse(id),
        "Condition" => id.strip_suffix("-diagnosis").and_then(PatientId::parse),
        "Goal" => before("-goal-"),
        "MedicationRequest" => before("-medicine-"),
        "Observation" => match state.app.patient_of_assessment(id).await? {
            Some(p) => Some(p),
            None => before("-phase-"),
        },
        "EpisodeOfCare" | "Consent" => state.app.patient_of_register_entry(id).await?,
        "ServiceRequest" => {
            state
                .app
                .patient_of_record(RecordKind::Referral, id)
                .await?
        }
        "Task" => state.app.patient_of_record(RecordKind::Task, id).await?,
        "Encounter" => state.app.patient_of_record(RecordKind::Stay, id).await?,
        _ => None,
    })
}

fn supported(type_name: &str) -> Result<&'static capability::Supported, FhirError> {
    capability::supported(type_name).ok_or_else(|| {
        let names: Vec<&str> = SUPPORTED.iter().map(|s| s.type_name).collect();
        FhirError::new(
            StatusCode::NOT_FOUND,
            IssueType::NotSupported,
            format!(
                "Hearth does not serve {type_name} resources. It serves: {}.",
                names.join(", ")
            ),
        )
    })
}

/// The directory's resources of one type.
async fn directory(
    state: &AppState,
    actor: &Actor,
    type_name: &str,
) -> Result<Vec<Resource>, FhirError> {
    let d = state.app.directory_records(actor).await?;
    Ok(match type_name {
        "Organization" => d
            .organisations
            .iter()
            .map(|o| Resource::Organization(map::organization(o)))
            .collect(),
        "Practitioner" => d
            .practitioners
            .iter()
            .map(|p| Resource::Practitioner(map::practitioner(p)))
            .collect(),
        _ => d
            .roles
            .iter()
            .map(|(r, name)| Resource::PractitionerRole(map::practitioner_role(r, name)))
            .collect(),
    })
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
