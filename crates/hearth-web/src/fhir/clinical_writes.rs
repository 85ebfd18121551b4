//! Writes of the record's clinical types: an Observation created (an assessment or a phase of
//! illness, alone or in a batch) and the CarePlan updated a section at a time, each through the
//! use case of its web form.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_app::AppError;
use hearth_fhir::outcome::IssueType;
use hearth_fhir::{OperationOutcome, Resource, parse};

use super::writes::{if_match, json_body, refused};
use super::{Fhir, FhirError, FhirUser, base_url, read};
use crate::AppState;

/// `POST /fhir/{type}`: creates of the types other than Patient. An Observation (an IPOS, an
/// ESAS-r or an AKPS, or a new phase of illness) goes through the use case of the web's form,
/// with its access check, the instrument's rules, the audit record and the triggers; Hearth
/// reads the other types only.
pub async fn create(
    State(state): State<AppState>,
    FhirUser(actor, writes): FhirUser,
    headers: HeaderMap,
    Path(type_name): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, FhirError> {
    writes.require()?;
    if type_name != "Observation" {
        return Err(FhirError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            IssueType::NotSupported,
            format!(
                "Hearth does not create {type_name} resources through the API (it creates Patients and Observations); /fhir/metadata lists the interactions it supports."
            ),
        ));
    }
    json_body(&headers)?;
    let value = parse::json(&body).map_err(refused)?;
    let (id, created) = record_observation(&state, &actor, &value).await?;
    let updated = super::last_updated(&created);
    let mut answer = read(created, updated);
    answer.0 = StatusCode::CREATED;
    let base = base_url(&state, &headers);
    if let Ok(location) = HeaderValue::from_str(&format!("{base}/Observation/{id}/_history/1")) {
        answer.2.insert(header::LOCATION, location);
    }
    Ok(answer.into_response())
}

/// `PUT /fhir/{type}/{id}`: updates of the types other than Patient. A CarePlan changes one
/// section per update, through the plan's use case (the role's right to the section, the
/// section's rules, the audit record, the readiness and the team's re-reading of a significant
/// change), and only from the plan's version the client read (`If-Match`); the other types are
/// read only.
pub async fn update(
    State(state): State<AppState>,
    FhirUser(actor, writes): FhirUser,
    headers: HeaderMap,
    Path((type_name, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Fhir, FhirError> {
    writes.require()?;
    if type_name != "CarePlan" {
        return Err(FhirError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            IssueType::NotSupported,
            format!(
                "Hearth does not update {type_name} resources through the API (it updates Patients and CarePlans); /fhir/metadata lists the interactions it supports."
            ),
        ));
    }
    let expected = if_match(&headers)?;
    json_body(&headers)?;
    let value = parse::json(&body).map_err(refused)?;
    if value.get("id").and_then(serde_json::Value::as_str) != Some(id.as_str()) {
        return Err(FhirError::invalid(format!(
            "The CarePlan's id must be the one in the address ('{id}')."
        )));
    }
    let (patient, given) = hearth_fhir::import::care_plan_update(&value).map_err(refused)?;
    if patient.as_str() != id {
        return Err(refused(OperationOutcome::error(
            IssueType::Invalid,
            format!(
                "A patient's care plan has the patient's id: this one is CarePlan/{patient}, not CarePlan/{id}."
            ),
        )));
    }
    let what = "the CarePlan, to update it through the FHIR API";
    let record = state.app.patient_record(&actor, &patient, what).await?;
    let current: i64 = record.sections.iter().map(|s| s.version).sum();
    let stale = |current: i64| {
        FhirError::new(
            StatusCode::PRECONDITION_FAILED,
            IssueType::Conflict,
            format!(
                "CarePlan/{id} is at version {current}, not {expected}: a colleague changed it since you read it. Read it again, make your change on what it says now, and send it with If-Match: W/\"{current}\". Nothing was changed."
            ),
        )
    };
    if expected != current {
        return Err(stale(current));
    }
    let now_of = |s: &hearth_domain::care_plan::SectionVersion| {
        record.sections.iter().find(|c| c.section == s.section)
    };
    if let Some(left_out) = record
        .sections
        .iter()
        .find(|c| !given.iter().any(|g| g.section == c.section))
    {
        return Err(refused(OperationOutcome::error(
            IssueType::NotSupported,
            format!(
                "The CarePlan leaves out the section \"{}\": Hearth keeps every section written, so send them all, with the one you change.",
                left_out.section.label()
            ),
        )));
    }
    let changed: Vec<_> = given
        .iter()
        .filter(|g| now_of(g).is_none_or(|c| c.content != g.content || c.review_by != g.review_by))
        .collect();
    let section = match changed.as_slice() {
        [] => {
            let plan = current_plan(&record)?;
            let updated = super::last_updated(&plan);
            return Ok(read(plan, updated));
        }
        [one] => *one,
        _ => {
            return Err(refused(OperationOutcome::error(
                IssueType::NotSupported,
                "Change one section of the care plan per update: each section is saved, reviewed and acknowledged on its own.",
            )));
        }
    };
    let before = now_of(section);
    let summary = match before {
        Some(c) if c.summary == section.summary => String::new(),
        _ => section.summary.trim().to_owned(),
    };
    let save = hearth_domain::care_plan::SectionSave {
        content: section.content.clone(),
        base_version: before.map_or(0, |c| c.version),
        summary: if summary.is_empty() {
            "Updated through the FHIR API".to_owned()
        } else {
            summary
        },
        review_by: match before {
            Some(c) if c.review_by == section.review_by => None,
            _ => Some(section.review_by),
        },
    };
    let outcome = state
        .app
        .save_plan_section(&actor, &patient, save, None)
        .await
        .map_err(|e| match e {
            AppError::Invalid(v) => refused(parse::validation(&v)),
            other => FhirError::from(other),
        })?;
    if let hearth_app::SaveOutcome::Conflict { .. } = outcome {
        return Err(stale(current + 1));
    }
    let record = state
        .app
        .patient_record(
            &actor,
            &patient,
            "the CarePlan just updated, through the FHIR API",
        )
        .await?;
    let plan = current_plan(&record)?;
    let updated = super::last_updated(&plan);
    Ok(read(plan, updated))
}

/// The patient's CarePlan as Hearth holds it now.
fn current_plan(record: &hearth_app::PatientRecord) -> Result<Resource, FhirError> {
    super::resources_of(record)
        .into_iter()
        .find(|r| r.type_name() == "CarePlan")
        .ok_or_else(|| FhirError::not_found("The patient has no care plan yet."))
}

/// Records the Observation `value` (an assessment or a phase of illness) through its use case;
/// its id and the Observation as Hearth now holds it.
pub(super) async fn record_observation(
    state: &AppState,
    actor: &hearth_app::Actor,
    value: &serde_json::Value,
) -> Result<(String, Resource), FhirError> {
    let (patient, observed) = hearth_fhir::import::new_observation(value).map_err(refused)?;
    let invalid = |e: AppError| match e {
        AppError::Invalid(v) => refused(parse::validation(&v)),
        other => FhirError::from(other),
    };
    let id = match observed {
        hearth_fhir::import::Observed::Assessment {
            measure,
            assessed_at,
            assessor,
        } => {
            if assessor.is_some_and(|a| a != actor.practitioner_id) {
                return Err(refused(OperationOutcome::error(
                    IssueType::Processing,
                    format!(
                        "Hearth records an assessment as made by the person recording it: leave performer out, or name yourself (Practitioner/{}).",
                        actor.practitioner_id
                    ),
                )));
            }
            let (recorded, _) = state
                .app
                .record_measured_assessment(actor, &patient, measure, Some(assessed_at))
                .await
                .map_err(invalid)?;
            recorded.id
        }
        hearth_fhir::import::Observed::Phase(phase) => {
            let (started, _) = state
                .app
                .record_phase(actor, &patient, phase.phase.code(), Some(phase.started_at))
                .await
                .map_err(invalid)?;
            format!(
                "{}-phase-{}",
                patient.as_str(),
                started.started_at.as_millisecond()
            )
        }
    };
    // The answer is the Observation as Hearth now holds it (one more audited read).
    let record = state
        .app
        .patient_record(
            actor,
            &patient,
            "the Observation just created, through the FHIR API",
        )
        .await?;
    let created = super::resources_of(&record)
        .into_iter()
        .find(|r| r.type_name() == "Observation" && r.id() == Some(id.as_str()))
        .ok_or_else(|| {
            FhirError::from(AppError::Internal(
                "the Observation just created is not in the record".to_owned(),
            ))
        })?;
    Ok((id, created))
}
