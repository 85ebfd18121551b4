//! Reads and searches: the CapabilityStatement's code systems, patients, `$everything`,
//! searches within a patient's record and the directory, and reads by id.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use hearth_app::{Actor, AppError, RecordKind};
use hearth_domain::PatientId;
use hearth_fhir::capability::{self, SUPPORTED};
use hearth_fhir::outcome::IssueType;
use hearth_fhir::{Resource, codes, map};

use super::query::{Filters, page, paging, param, params};
use super::{
    Fhir, FhirError, FhirUser, base_url, bundle, last_updated, patient_id, read, resources_of,
};
use crate::AppState;

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

/// `GET /fhir/Questionnaire`: the instruments' questionnaires (public, as the code systems are).
pub async fn questionnaires(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    let params = params(query.as_deref(), &["_count", "_offset"])?;
    let paging = paging(&params)?;
    let base = base_url(&state, &headers);
    let all = hearth_fhir::questionnaire::all()
        .into_iter()
        .map(Resource::Questionnaire)
        .collect();
    Ok(bundle(page(&base, "Questionnaire", &params, paging, all)))
}

/// `GET /fhir/Questionnaire/{id}`.
pub async fn questionnaire(
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    params(query.as_deref(), &[])?;
    hearth_fhir::questionnaire::by_id(&id)
        .map(|q| read(Resource::Questionnaire(q), None))
        .ok_or_else(|| FhirError::not_found(format!("There is no Questionnaire with id '{id}'.")))
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

/// `GET /fhir/Patient?identifier=…` or `?_id=…`: finds a patient the reader may open.
pub async fn patient_search(
    State(state): State<AppState>,
    FhirUser(actor, _): FhirUser,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Fhir, FhirError> {
    let params = params(
        query.as_deref(),
        &["identifier", "_id", "_count", "_offset", "_revinclude"],
    )?;
    let revinclude = params
        .iter()
        .filter(|(n, _)| n == "_revinclude")
        .map(|(_, v)| hearth_fhir::include::parse_revinclude(v).map_err(FhirError::invalid))
        .collect::<Result<Vec<String>, _>>()?;
    let what = "a Patient search, through the FHIR API";
    // With _revinclude the whole record is read (one audited read), else the details only.
    let read = |id: PatientId| {
        let state = &state;
        let actor = &actor;
        let whole = !revinclude.is_empty();
        async move {
            if whole {
                state.app.patient_record(actor, &id, what).await
            } else {
                state.app.patient_demographics(actor, &id, what).await
            }
        }
    };
    let paging = paging(&params)?;
    let base = base_url(&state, &headers);
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
                    Some(id) => Some(read(id).await?),
                    None => None,
                },
                None => None,
            }
        }
        (None, Some(id)) => match PatientId::parse(id) {
            Some(id) => match read(id).await {
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
    let added: Vec<Resource> = match &record {
        Some(r) if !revinclude.is_empty() => resources_of(r)
            .into_iter()
            .filter(|res| revinclude.iter().any(|t| t == res.type_name()))
            .collect(),
        _ => Vec::new(),
    };
    let matches = record
        .map(|r| Resource::Patient(map::patient(&r.patient, &r.register)))
        .into_iter()
        .collect();
    let mut found = page(&base, "Patient", &params, paging, matches);
    found.include(&base, added);
    Ok(bundle(found))
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
    if capability::takes_filters(supported) {
        allowed.extend(capability::RECORD_FILTERS.iter().map(|p| p.name));
    }
    allowed.extend(["_count", "_offset", "_include"]);
    let params = params(query.as_deref(), &allowed)?;
    let paging = paging(&params)?;
    let filters = Filters::read(&params)?;
    let includes = params
        .iter()
        .filter(|(n, _)| n == "_include")
        .map(|(_, v)| hearth_fhir::include::parse(&type_name, v).map_err(FhirError::invalid))
        .collect::<Result<Vec<_>, _>>()?;
    let mut record_resources = Vec::new();
    let matches = if is_directory(&type_name) {
        directory_of(&state, &actor, &type_name).await?
    } else if type_name == "Appointment" {
        filters.apply(meetings_of(&state, &actor, None).await?.into_iter())
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
        record_resources = resources_of(&record);
        let of_type = record_resources
            .iter()
            .filter(|r| r.type_name() == type_name)
            .cloned();
        filters.apply(of_type)
    };
    let mut found = page(&base, &type_name, &params, paging, matches);
    if !includes.is_empty() {
        let included = included(&state, &actor, &found, &includes, &record_resources).await?;
        found.include(&base, included);
    }
    Ok(bundle(found))
}

/// What the page's matches refer to through `includes`: from the patient's record (already
/// read and audited with the search) or the directory (read only when asked for).
async fn included(
    state: &AppState,
    actor: &Actor,
    found: &hearth_fhir::Bundle,
    includes: &[(hearth_fhir::include::Include, Option<String>)],
    record: &[Resource],
) -> Result<Vec<Resource>, FhirError> {
    let mut wanted: Vec<(String, String)> = Vec::new();
    for resource in found.entry.iter().filter_map(|e| e.resource.as_ref()) {
        for (include, target) in includes {
            for r in hearth_fhir::include::references(resource, include, target.as_deref()) {
                if !wanted.contains(&r) {
                    wanted.push(r);
                }
            }
        }
    }
    let mut out: Vec<Resource> = Vec::new();
    let mut directory: Option<Vec<Resource>> = None;
    for (kind, id) in wanted {
        let pool: &[Resource] = if is_directory(&kind) {
            if directory.is_none() {
                let d = state.app.directory_records(actor).await?;
                let mut all = directory_resources(&d, "Organization");
                all.extend(directory_resources(&d, "Practitioner"));
                all.extend(directory_resources(&d, "PractitionerRole"));
                directory = Some(all);
            }
            directory.as_deref().unwrap_or_default()
        } else {
            record
        };
        if let Some(r) = pool
            .iter()
            .find(|r| r.type_name() == kind && r.id() == Some(id.as_str()))
        {
            out.push(r.clone());
        }
    }
    Ok(out)
}

/// The meetings the reader takes part in (`only`: that one), as Appointments.
async fn meetings_of(
    state: &AppState,
    actor: &Actor,
    only: Option<&str>,
) -> Result<Vec<Resource>, FhirError> {
    let records = state.app.meeting_records(actor, only).await?;
    Ok(records
        .meetings
        .iter()
        .map(|(m, people)| Resource::Appointment(map::appointment(m, people, &records.names)))
        .collect())
}

/// Whether a type is the directory's (not patient data).
fn is_directory(type_name: &str) -> bool {
    matches!(
        type_name,
        "Organization" | "HealthcareService" | "Practitioner" | "PractitionerRole"
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
        directory_of(&state, &actor, &type_name)
            .await?
            .into_iter()
            .find(|r| r.id() == Some(id.as_str()))
    } else if type_name == "Appointment" {
        match meetings_of(&state, &actor, Some(&id)).await {
            Ok(found) => found.into_iter().next(),
            Err(FhirError(StatusCode::NOT_FOUND, _)) => None,
            Err(e) => return Err(e),
        }
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
        "QuestionnaireResponse" => state.app.patient_of_assessment(id).await?,
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
        "Communication" => match state.app.patient_of_record(RecordKind::Message, id).await? {
            Some(p) => Some(p),
            None => {
                state
                    .app
                    .patient_of_record(RecordKind::AdviceCall, id)
                    .await?
            }
        },
        "Composition" => {
            state
                .app
                .patient_of_record(RecordKind::Discharge, id)
                .await?
        }
        "CommunicationRequest" => {
            state
                .app
                .patient_of_record(RecordKind::TalkRequest, id)
                .await?
        }
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
async fn directory_of(
    state: &AppState,
    actor: &Actor,
    type_name: &str,
) -> Result<Vec<Resource>, FhirError> {
    let d = state.app.directory_records(actor).await?;
    Ok(directory_resources(&d, type_name))
}

/// The directory's resources of `type_name` (PractitionerRole for any other directory type).
fn directory_resources(d: &hearth_app::DirectoryRecords, type_name: &str) -> Vec<Resource> {
    match type_name {
        "Organization" => d
            .organisations
            .iter()
            .map(|o| Resource::Organization(map::organization(o)))
            .collect(),
        "HealthcareService" => d
            .organisations
            .iter()
            .filter_map(map::healthcare_service)
            .map(Resource::HealthcareService)
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
    }
}
