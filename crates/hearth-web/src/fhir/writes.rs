//! Writes: creating and updating patients, conditional creates, and transaction and batch
//! Bundles.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_app::{AppError, PatientCreation};
use hearth_fhir::outcome::IssueType;
use hearth_fhir::{Bundle, OperationOutcome, Resource, map, parse};

use super::query::{param, params};
use super::{Fhir, FhirError, FhirUser, base_url, bundle, patient_id, read};
use crate::AppState;

/// The status of a refused resource: 400 when it could not be read at all, 422 when it was read
/// but Hearth cannot keep it or its content breaks a rule.
pub(super) fn refused(outcome: OperationOutcome) -> FhirError {
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
pub(super) fn json_body(headers: &HeaderMap) -> Result<(), FhirError> {
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
pub(super) fn if_match(headers: &HeaderMap) -> Result<i64, FhirError> {
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

/// An entry of a transaction or batch, read.
enum Entry {
    Patient(Box<Create>),
    /// An assessment or phase of illness, recorded as `POST /fhir/Observation` records it
    /// (batches only).
    Observation(serde_json::Value),
}

/// Reads entry `n` of a transaction or batch: `POST Patient`, and in a batch `POST
/// Observation`.
fn read_entry(
    n: usize,
    entry: &serde_json::Value,
    batch: bool,
    system: &str,
    nns: &hearth_domain::national_number::NationalNumberSystem,
) -> Result<Entry, OperationOutcome> {
    let request = entry.get("request");
    let method = request
        .and_then(|r| r.get("method"))
        .and_then(serde_json::Value::as_str);
    let url = request
        .and_then(|r| r.get("url"))
        .and_then(serde_json::Value::as_str);
    if method == Some("POST") && url == Some("Observation") {
        if !batch {
            return Err(OperationOutcome::at(
                IssueType::NotSupported,
                format!("Bundle.entry[{n}]"),
                format!(
                    "entry {n}: a transaction creates Patients; send Observations in a batch Bundle, where each is recorded on its own (as POST /fhir/Observation does)"
                ),
            ));
        }
        let resource = entry.get("resource").cloned().unwrap_or_default();
        return Ok(Entry::Observation(resource));
    }
    create_entry(n, entry, system, nns).map(|c| Entry::Patient(Box::new(c)))
}

/// Reads a `POST Patient` entry `n` of a transaction or batch.
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
            "entry {n}: Hearth's transactions create Patients (request POST Patient), and its batches Patients and Observations, not {} {}",
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
    let batch = kind == "batch";
    let read: Vec<Result<Entry, OperationOutcome>> = entries
        .iter()
        .enumerate()
        .map(|(n, e)| read_entry(n, e, batch, &system, &nns))
        .collect();
    let responses = if kind == "transaction" {
        let mut creates = Vec::with_capacity(read.len());
        let mut problems = Vec::new();
        for r in read {
            match r {
                Ok(Entry::Patient(c)) => creates.push((c.input, c.conditional)),
                // Refused when read (`read_entry`): a transaction takes no Observation.
                Ok(Entry::Observation(_)) => {}
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
                Ok(Entry::Observation(resource)) => {
                    match super::clinical_writes::record_observation(&state, &actor, &resource)
                        .await
                    {
                        Ok((id, created)) => hearth_fhir::bundle::EntryResponse {
                            status: "201 Created".to_owned(),
                            location: Some(format!("{base}/Observation/{id}/_history/1")),
                            etag: Some("W/\"1\"".to_owned()),
                            last_modified: super::last_updated(&created)
                                .map(hearth_fhir::datatypes::instant),
                            outcome: None,
                        },
                        Err(FhirError(status, outcome)) => failed_response(status, outcome),
                    }
                }
                Ok(Entry::Patient(c)) => {
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
