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

/// Every version of the patient's care plan, newest first.
fn plan_versions(record: &hearth_app::PatientRecord) -> Vec<(Resource, i64, jiff::Timestamp)> {
    map::care_plan_versions(super::record_of(record), &record.plan_history)
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

/// What Hearth serves the versions of.
#[derive(Debug, Clone, Copy)]
enum Versioned {
    Patient,
    CarePlan,
}

impl Versioned {
    fn name(self) -> &'static str {
        match self {
            Versioned::Patient => "Patient",
            Versioned::CarePlan => "CarePlan",
        }
    }

    /// Which versions Hearth keeps, in words.
    fn kept(self) -> &'static str {
        match self {
            Versioned::Patient => "those made since the patient came into Hearth",
            Versioned::CarePlan => "one for each section saved in Hearth",
        }
    }

    /// Every version of the patient `id`'s resource, newest first: one audited read (`what`
    /// says what for).
    async fn versions(
        self,
        state: &AppState,
        actor: &hearth_app::Actor,
        id: &str,
        what: &str,
    ) -> Result<Vec<(Resource, i64, jiff::Timestamp)>, FhirError> {
        let patient = patient_id(id)?;
        Ok(match self {
            Versioned::Patient => {
                patient_versions(&state.app.patient_history(actor, &patient, what).await?)
            }
            Versioned::CarePlan => {
                plan_versions(&state.app.plan_history(actor, &patient, what).await?)
            }
        })
    }
}

/// `GET /fhir/{kind}/{id}/_history`: every version, newest first.
async fn history(
    kind: Versioned,
    (state, actor, headers): (AppState, hearth_app::Actor, HeaderMap),
    id: String,
    query: Option<String>,
) -> Result<Fhir, FhirError> {
    params(query.as_deref(), &[])?;
    let name = kind.name();
    let what = format!("the {name}'s history, through the FHIR API");
    let versions = kind.versions(&state, &actor, &id, &what).await?;
    // A patient always has their current version; a plan has none until a section is saved.
    if versions.is_empty() {
        return Err(FhirError::not_found(format!(
            "There is no {name} with id '{id}': no section of the patient's plan is written yet."
        )));
    }
    let base = base_url(&state, &headers);
    let self_url = format!("{base}/{name}/{id}/_history");
    Ok(bundle(hearth_fhir::Bundle::history(
        &base, &self_url, versions,
    )))
}

/// `GET /fhir/{kind}/{id}/_history/{version}`: one version, or 404 naming the versions kept.
async fn vread(
    kind: Versioned,
    (state, actor): (AppState, hearth_app::Actor),
    (id, version): (String, String),
    query: Option<String>,
) -> Result<Fhir, FhirError> {
    params(query.as_deref(), &[])?;
    let wanted = version_number(&version)?;
    let name = kind.name();
    let what = format!("a version of the {name}, through the FHIR API");
    let versions = kind.versions(&state, &actor, &id, &what).await?;
    let current = versions.first().map(|(_, v, _)| *v);
    let oldest = versions.last().map(|(_, v, _)| *v);
    let range = match (oldest, current) {
        (Some(o), Some(c)) => format!("versions {o} to {c} ({})", kind.kept()),
        _ => "no version of it".to_owned(),
    };
    versions
        .into_iter()
        .find(|(_, v, _)| *v == wanted)
        .map(|(resource, _, at)| read(resource, Some(at)))
        .ok_or_else(|| {
            FhirError::not_found(format!(
                "{name}/{id} has no version {wanted}: Hearth keeps {range}."
            ))
        })
}

/// `GET /fhir/Patient/{id}/_history`: every version of the patient's details, newest first.
pub async fn patient_history(
    State(state): State<AppState>,
    FhirUser(actor, _): FhirUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    history(Versioned::Patient, (state, actor, headers), id, query).await
}

/// `GET /fhir/Patient/{id}/_history/{version}`: one version of the patient's details.
pub async fn patient_vread(
    State(state): State<AppState>,
    FhirUser(actor, _): FhirUser,
    Path(at): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    vread(Versioned::Patient, (state, actor), at, query).await
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
    history(Versioned::CarePlan, (state, actor, headers), id, query).await
}

/// `GET /fhir/CarePlan/{id}/_history/{version}`: the care plan as it stood at one version.
pub async fn care_plan_vread(
    State(state): State<AppState>,
    FhirUser(actor, _): FhirUser,
    Path(at): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    vread(Versioned::CarePlan, (state, actor), at, query).await
}
