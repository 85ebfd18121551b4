//! The FHIR R4 REST API under `/fhir` (issue 9): reads and searches over the same use cases as
//! the web pages, with the same access rules and audit. Handlers parse the request, call one
//! use case, map with `hearth-fhir` and answer FHIR JSON; every failure is an OperationOutcome.
//! Clients authenticate with a bearer token (`hearth token create`); a signed-in browser's
//! session works for reads too.

use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_app::{Actor, AppError, PatientRecord};
use hearth_domain::PatientId;
use hearth_fhir::capability::{self, SUPPORTED};
use hearth_fhir::outcome::IssueType;
use hearth_fhir::{Bundle, OperationOutcome, Resource, codes, map};

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
            AppError::Throttled { .. } | AppError::AddressThrottled { .. } => IssueType::TooCostly,
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
pub struct FhirUser(Actor);

impl FromRequestParts<AppState> for FhirUser {
    type Rejection = FhirError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match CurrentUser::from_request_parts(parts, state).await {
            Ok(user) => Ok(FhirUser(user.actor)),
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

/// A search result page of `matches`, with self and next links.
fn page(
    base: &str,
    type_name: &str,
    params: &[(String, String)],
    matches: Vec<Resource>,
) -> Result<Bundle, FhirError> {
    let count = count(params)?;
    let offset = match param(params, "_offset") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| FhirError::invalid("_offset must be a whole number, 0 or more."))?,
    };
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
    if offset + count < total && count > 0 {
        bundle.link.push(hearth_fhir::bundle::BundleLink {
            relation: "next".to_owned(),
            url: query(offset + count),
        });
    }
    Ok(bundle)
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
    let base = base_url(&state, &headers);
    let all = codes::code_systems()
        .into_iter()
        .map(Resource::CodeSystem)
        .collect();
    Ok(bundle(page(&base, "CodeSystem", &params, all)?))
}

/// `GET /fhir/CodeSystem/{id}`.
pub async fn code_system(Path(id): Path<String>) -> Result<Fhir, FhirError> {
    codes::code_system(&id)
        .map(|cs| read(Resource::CodeSystem(cs), None))
        .ok_or_else(|| FhirError::not_found(format!("There is no CodeSystem with id '{id}'.")))
}

/// `GET /fhir/Patient/{id}`.
pub async fn patient_read(
    State(state): State<AppState>,
    FhirUser(actor): FhirUser,
    Path(id): Path<String>,
) -> Result<Fhir, FhirError> {
    let record = state.app.patient_record(&actor, &patient_id(&id)?).await?;
    let patient = map::patient(&record.patient);
    Ok(read(
        Resource::Patient(patient),
        Some(record.patient.updated_at),
    ))
}

/// `GET /fhir/Patient?identifier=…`: finds a patient the reader may open by national number.
pub async fn patient_search(
    State(state): State<AppState>,
    FhirUser(actor): FhirUser,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    let params = params(
        query.as_deref(),
        &["identifier", "_id", "_count", "_offset"],
    )?;
    let base = base_url(&state, &headers);
    let id = match (param(&params, "identifier"), param(&params, "_id")) {
        (Some(identifier), None) => {
            let system = &state.app.config().national_number_system.system_uri;
            let value = match identifier.split_once('|') {
                Some((s, v)) if s.is_empty() || s == system => v,
                Some((s, _)) => {
                    // An identifier of another system matches no patient.
                    tracing::debug!(system = s, "identifier of an unknown system");
                    return Ok(bundle(page(&base, "Patient", &params, Vec::new())?));
                }
                None => identifier,
            };
            state.app.find_patient(&actor, value).await?
        }
        (None, Some(id)) => match PatientId::parse(id) {
            Some(id) => match state.app.patient_record(&actor, &id).await {
                Ok(_) => Some(id),
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
    let mut matches = Vec::new();
    if let Some(id) = id {
        let record = state.app.patient_record(&actor, &id).await?;
        matches.push(Resource::Patient(map::patient(&record.patient)));
    }
    Ok(bundle(page(&base, "Patient", &params, matches)?))
}

/// `GET /fhir/Patient/{id}/$everything`: the patient's whole record as one Bundle.
pub async fn everything(
    State(state): State<AppState>,
    FhirUser(actor): FhirUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Fhir, FhirError> {
    let record = state.app.patient_record(&actor, &patient_id(&id)?).await?;
    let base = base_url(&state, &headers);
    let resources = resources_of(&record);
    let mut b = Bundle::searchset(
        &base,
        &format!("{base}/Patient/{id}/$everything"),
        resources,
    );
    b.timestamp = Some(hearth_fhir::datatypes::instant(state.app.now()));
    Ok(bundle(b))
}

/// `GET /fhir/{type}`: a search. Patient-compartment types need `patient` (or `subject`);
/// directory types and code systems list everything, a page at a time.
pub async fn search(
    State(state): State<AppState>,
    FhirUser(actor): FhirUser,
    headers: HeaderMap,
    Path(type_name): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    let supported = supported(&type_name)?;
    let base = base_url(&state, &headers);
    let mut allowed: Vec<&str> = supported.search.iter().map(|p| p.name).collect();
    allowed.extend(["_count", "_offset"]);
    let params = params(query.as_deref(), &allowed)?;
    let matches = match type_name.as_str() {
        "Organization" | "Practitioner" | "PractitionerRole" => {
            directory(&state, &actor, &type_name).await?
        }
        "CodeSystem" => codes::code_systems()
            .into_iter()
            .map(Resource::CodeSystem)
            .collect(),
        _ => {
            let patient = match (param(&params, "patient"), param(&params, "subject")) {
                (Some(p), None) | (None, Some(p)) => p,
                _ => {
                    return Err(FhirError::invalid(format!(
                        "Search {type_name} by patient (Patient/{{id}} or {{id}}), given once."
                    )));
                }
            };
            let id = patient.strip_prefix("Patient/").unwrap_or(patient);
            let record = state.app.patient_record(&actor, &patient_id(id)?).await?;
            resources_of(&record)
                .into_iter()
                .filter(|r| r.type_name() == type_name)
                .collect()
        }
    };
    Ok(bundle(page(&base, &type_name, &params, matches)?))
}

/// `GET /fhir/{type}/{id}`: a read.
pub async fn read_resource(
    State(state): State<AppState>,
    FhirUser(actor): FhirUser,
    Path((type_name, id)): Path<(String, String)>,
) -> Result<Fhir, FhirError> {
    supported(&type_name)?;
    let missing = || FhirError::not_found(format!("There is no {type_name} with id '{id}'."));
    let found = match type_name.as_str() {
        "Organization" | "Practitioner" | "PractitionerRole" => {
            directory(&state, &actor, &type_name)
                .await?
                .into_iter()
                .find(|r| r.id() == Some(id.as_str()))
        }
        "CodeSystem" => codes::code_system(&id).map(Resource::CodeSystem),
        _ => {
            let Some(patient) = patient_of(&state, &type_name, &id).await? else {
                return Err(missing());
            };
            let record = state.app.patient_record(&actor, &patient).await?;
            resources_of(&record)
                .into_iter()
                .find(|r| r.type_name() == type_name && r.id() == Some(id.as_str()))
        }
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

/// Any other address under `/fhir`: an OperationOutcome, not the web's error page.
pub async fn unknown() -> FhirError {
    FhirError::new(
        StatusCode::NOT_FOUND,
        IssueType::NotSupported,
        "There is nothing at this address of the FHIR API. /fhir/metadata lists what is supported.",
    )
}
