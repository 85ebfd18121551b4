//! Versions: `vread` and `_history` of a Patient (every version of the details kept since the
//! patient came into Hearth) and of a CarePlan (rebuilt from its sections' kept versions).

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use hearth_fhir::outcome::IssueType;
use hearth_fhir::{Resource, map};

use super::query::params;
use super::{Fhir, FhirError, FhirUser, base_url, bundle, patient_id, read};
use crate::AppState;

/// The patient's versions, newest first: the current one and those it superseded.
fn patient_versions(record: &hearth_app::PatientRecord) -> Vec<(Resource, i64, jiff::Timestamp)> {
    std::iter::once(&record.patient)
        .chain(&record.history)
        .map(|p| {
            (
                Resource::Patient(map::patient(p, &record.register)),
                p.version,
                p.updated_at,
            )
        })
        .collect()
}

/// `GET /fhir/Patient/{id}/_history`: every version of the patient's details, newest first.
pub async fn patient_history(
    State(state): State<AppState>,
    FhirUser(actor, _): FhirUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    params(query.as_deref(), &[])?;
    let record = state
        .app
        .patient_history(
            &actor,
            &patient_id(&id)?,
            "the Patient's history, through the FHIR API",
        )
        .await?;
    let base = base_url(&state, &headers);
    let self_url = format!("{base}/Patient/{id}/_history");
    Ok(bundle(hearth_fhir::Bundle::history(
        &base,
        &self_url,
        patient_versions(&record),
    )))
}

/// `GET /fhir/Patient/{id}/_history/{version}`: one version of the patient's details.
pub async fn patient_vread(
    State(state): State<AppState>,
    FhirUser(actor, _): FhirUser,
    Path((id, version)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    params(query.as_deref(), &[])?;
    let wanted = version_number(&version)?;
    let record = state
        .app
        .patient_history(
            &actor,
            &patient_id(&id)?,
            "a version of the Patient, through the FHIR API",
        )
        .await?;
    one_version(
        patient_versions(&record),
        wanted,
        &format!("Patient/{id}"),
        "those made since the patient came into Hearth",
    )
}

/// The version asked for by a vread: a whole number from 1.
fn version_number(version: &str) -> Result<i64, FhirError> {
    version.parse().ok().filter(|v| *v >= 1).ok_or_else(|| {
        FhirError(
            StatusCode::BAD_REQUEST,
            hearth_fhir::OperationOutcome::error(
                IssueType::Value,
                format!("'{version}' is not a version: versions are whole numbers from 1."),
            ),
        )
    })
}

/// Version `wanted` of `versions` (newest first), or 404 naming the versions Hearth keeps.
fn one_version(
    versions: Vec<(Resource, i64, jiff::Timestamp)>,
    wanted: i64,
    what: &str,
    kept: &str,
) -> Result<Fhir, FhirError> {
    let current = versions.first().map(|(_, v, _)| *v);
    let oldest = versions.last().map(|(_, v, _)| *v);
    let range = match (oldest, current) {
        (Some(o), Some(c)) => format!("versions {o} to {c} ({kept})"),
        _ => "no version of it".to_owned(),
    };
    versions
        .into_iter()
        .find(|(_, v, _)| *v == wanted)
        .map(|(resource, _, at)| read(resource, Some(at)))
        .ok_or_else(|| {
            FhirError::not_found(format!(
                "{what} has no version {wanted}: Hearth keeps {range}."
            ))
        })
}

/// Every version of the patient's care plan, newest first.
fn plan_versions(record: &hearth_app::PatientRecord) -> Vec<(Resource, i64, jiff::Timestamp)> {
    map::care_plan_versions(super::record_of(record), &record.plan_history)
}

/// `GET /fhir/CarePlan/{id}/_history`: every version of the care plan, one per section saved,
/// newest first.
pub async fn care_plan_history(
    State(state): State<AppState>,
    FhirUser(actor, _): FhirUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    params(query.as_deref(), &[])?;
    let record = state
        .app
        .plan_history(
            &actor,
            &patient_id(&id)?,
            "the CarePlan's history, through the FHIR API",
        )
        .await?;
    let versions = plan_versions(&record);
    if versions.is_empty() {
        return Err(FhirError::not_found(format!(
            "There is no CarePlan with id '{id}': no section of the patient's plan is written yet."
        )));
    }
    let base = base_url(&state, &headers);
    let self_url = format!("{base}/CarePlan/{id}/_history");
    Ok(bundle(hearth_fhir::Bundle::history(
        &base, &self_url, versions,
    )))
}

/// `GET /fhir/CarePlan/{id}/_history/{version}`: the care plan as it stood at one version.
pub async fn care_plan_vread(
    State(state): State<AppState>,
    FhirUser(actor, _): FhirUser,
    Path((id, version)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    params(query.as_deref(), &[])?;
    let wanted = version_number(&version)?;
    let record = state
        .app
        .plan_history(
            &actor,
            &patient_id(&id)?,
            "a version of the CarePlan, through the FHIR API",
        )
        .await?;
    one_version(
        plan_versions(&record),
        wanted,
        &format!("CarePlan/{id}"),
        "one for each section saved in Hearth",
    )
}
