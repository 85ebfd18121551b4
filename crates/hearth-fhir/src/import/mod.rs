//! FHIR → the domain, for whole records: what `hearth import` reads from an export of Hearth (or
//! a system writing the same elements) into the domain's records, keeping their ids, so that
//! export → import into an empty database → export gives the same clinical content.
//!
//! Read: the directory (Organization with its HealthcareService, Practitioner,
//! PractitionerRole) and, per patient, Patient, its main diagnosis (Condition), register entries
//! (EpisodeOfCare with the Consent of the same id), the care team (CareTeam), the care plan's
//! sections (CarePlan with its `plan-section` extensions; its Goals and MedicationRequests are
//! views of those sections and are accepted as such), assessments and phases (Observation; an assessment's QuestionnaireResponse is a view of it,
//! accepted with it),
//! referrals (ServiceRequest), tasks (Task), stays (Encounter), conversations (Communication
//! per message, CommunicationRequest per call request), advice line calls (Communication of
//! category advice-call) and discharges with their letters
//! (Composition). What a resource holds that Hearth would
//! not keep is refused, naming the element; types not read are refused saying so. No I/O: the
//! app layer writes what this returns.

use std::collections::{BTreeMap, HashMap};

use hearth_domain::care_team::{CareTeamMember, CareTeamRole, Member, Responsibility};
use hearth_domain::organisation::{Competency, Organisation, OrganisationKind, ServiceDetails};
use hearth_domain::practitioner::{
    Practitioner as DomainPractitioner, PractitionerRole, Profession,
};
use hearth_domain::register::{
    Consent as DomainConsent, ConsentDecision, DiagnosisGroup, DiseaseIndicator, GeneralIndicator,
    Leaving, PlaceOfDeath, PreferredPlaceMet, RegisterEntry, SurpriseAnswer,
};
use hearth_domain::transfer::{Transfer as Import, TransferredRecord as RecordImport};
use hearth_domain::{OrganisationId, PatientId, PractitionerId, PractitionerRoleId};
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::Value;

use crate::codes::{self, extension, system};
use crate::datatypes::{CodeableConcept, Extension, Meta, Reference};
use crate::outcome::{IssueType, OperationOutcome};
use crate::resources::{self as fhir, Resource};

mod conversation;
mod directory;
mod discharge;
mod record;
mod workflow;

use directory::{organisation, practitioner, role};
pub use record::Observed;
use record::{Patients, record_of};
use record::{care_plan, care_team, diagnosis, observation, patient, register_entry};
use workflow::{referral, stay, task};

/// A resource that cannot be imported: its position in the input and why.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub index: usize,
    pub outcome: OperationOutcome,
}

fn refuse(issue: IssueType, text: impl Into<String>) -> OperationOutcome {
    OperationOutcome::error(issue, text.into())
}

/// Reads `resources` (each a FHIR JSON resource). Patients' national numbers are of `system`;
/// `now` stamps records whose `meta` says nothing. Every resource is either read or refused.
pub fn read(resources: &[Value], system_uri: &str, now: Timestamp) -> (Import, Vec<Refusal>) {
    let mut import = Import::default();
    let mut refusals = Vec::new();
    let mut patients: BTreeMap<String, (usize, RecordImport)> = BTreeMap::new();
    let mut typed: Vec<(usize, Resource)> = Vec::new();
    let mut deaths = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    let is_patient = |v: &Value| v.get("resourceType").and_then(Value::as_str) == Some("Patient");
    let id_of = |v: &Value| v.get("id").and_then(Value::as_str).map(str::to_owned);
    for (index, value) in resources.iter().enumerate() {
        match typed_resource(value) {
            Ok(r) => typed.push((index, r)),
            Err(outcome) => {
                if is_patient(value) {
                    refused.extend(id_of(value));
                }
                refusals.push(Refusal { index, outcome });
            }
        }
    }
    // Patients first: everything else is theirs.
    for (index, resource) in &typed {
        if !matches!(resource, Resource::Patient(_)) {
            continue;
        }
        let value = &resources[*index];
        match patient(value, system_uri) {
            Ok((record, _)) if patients.contains_key(record.id.as_str()) => {
                refused.push(record.id.as_str().to_owned());
                refusals.push(Refusal {
                    index: *index,
                    outcome: refuse(
                        IssueType::Duplicate,
                        format!(
                            "Patient/{} is in the file twice; give each patient once.",
                            record.id
                        ),
                    ),
                });
            }
            Ok((record, died)) => {
                if let Some(on) = died {
                    deaths.push((*index, record.id.clone(), on));
                }
                patients.insert(record.id.as_str().to_owned(), (*index, record));
            }
            Err(outcome) => {
                refused.extend(id_of(value));
                refusals.push(Refusal {
                    index: *index,
                    outcome,
                });
            }
        }
    }
    // What each record names, so that the app can say which person or service is missing.
    for (_, resource) in &typed {
        let Some((_, record)) = resource.patient_id().and_then(|p| patients.get_mut(p)) else {
            continue;
        };
        for (kind, id) in crate::include::all_references(resource) {
            match kind.as_str() {
                "Practitioner" => {
                    let id = PractitionerId::new(id);
                    if !record.names_people.contains(&id) {
                        record.names_people.push(id);
                    }
                }
                "Organization" => {
                    let id = OrganisationId::new(id);
                    if !record.names_organisations.contains(&id) {
                        record.names_organisations.push(id);
                    }
                }
                _ => {}
            }
        }
    }
    let mut consents: HashMap<String, (usize, fhir::Consent)> = HashMap::new();
    let mut episodes = Vec::new();
    let mut plans = Vec::new();
    let mut views = Vec::new();
    let mut services = Vec::new();
    let mut said = Vec::new();
    let mut responses = Vec::new();
    let mut talks = Vec::new();
    for (index, resource) in typed {
        let result = match resource {
            Resource::Patient(_) => Ok(()),
            Resource::HealthcareService(h) => {
                services.push((index, h.id.clone()));
                Ok(())
            }
            Resource::Organization(o) => {
                organisation(&o, now).map(|o| import.organisations.push(o))
            }
            Resource::Practitioner(p) => {
                practitioner(&p, now).map(|p| import.practitioners.push(p))
            }
            Resource::PractitionerRole(r) => role(&r, now).map(|r| import.roles.push(r)),
            Resource::Condition(c) => diagnosis(&c, &mut patients),
            Resource::EpisodeOfCare(e) => {
                episodes.push((index, e));
                Ok(())
            }
            Resource::Consent(c) => {
                consents.insert(c.id.clone(), (index, c));
                Ok(())
            }
            Resource::CareTeam(t) => care_team(&t, now, &mut patients),
            Resource::Observation(o) => observation(&o, now, &mut patients),
            Resource::ServiceRequest(r) => referral(&r, &mut patients),
            Resource::Task(t) => task(&t, &mut patients),
            Resource::Encounter(e) => stay(&e, &mut patients),
            Resource::Communication(c)
                if hearth_code(&c.category, "communication-category")
                    == Some(crate::map::ADVICE_CALL.0) =>
            {
                conversation::advice_call(&c, &mut patients)
            }
            Resource::Communication(c) => {
                conversation::message(index, &c, &mut patients).map(|s| said.push(s))
            }
            Resource::CommunicationRequest(r) => {
                conversation::talk(&r, &mut patients).map(|t| talks.push((index, t)))
            }
            Resource::Composition(c) => discharge::discharge(&c, &mut patients),
            Resource::QuestionnaireResponse(q) => {
                responses.push((index, q.id.clone()));
                Ok(())
            }
            Resource::CarePlan(p) => {
                plans.extend(reference_id(Some(&p.subject), "Patient").map(str::to_owned));
                care_plan(&p, &mut patients)
            }
            Resource::Goal(g) => {
                views.push((index, "Goal", g.id.clone(), g.subject.reference.clone()));
                Ok(())
            }
            Resource::MedicationRequest(m) => {
                views.push((
                    index,
                    "MedicationRequest",
                    m.id.clone(),
                    m.subject.reference.clone(),
                ));
                Ok(())
            }
            other => Err(refuse(
                IssueType::NotSupported,
                format!(
                    "Hearth does not import {} resources yet (see docs/design/fhir-mapping.md); nothing of it was kept.",
                    other.type_name()
                ),
            )),
        };
        if let Err(outcome) = result {
            refusals.push(Refusal { index, outcome });
        }
    }
    conversation::gather(said, talks, &mut patients, &mut refusals);
    for (index, episode) in episodes {
        let consent = consents.remove(&episode.id);
        let result = match consent {
            None => Err(refuse(
                IssueType::Required,
                format!(
                    "EpisodeOfCare/{} is a register entry and needs the Consent of the same id (the patient's decision about sharing).",
                    episode.id
                ),
            )),
            Some((_, consent)) => register_entry(&episode, &consent, now, &mut patients),
        };
        if let Err(outcome) = result {
            refusals.push(Refusal { index, outcome });
        }
    }
    for (index, consent) in consents.into_values() {
        refusals.push(Refusal {
            index,
            outcome: refuse(
                IssueType::NotSupported,
                format!(
                    "Consent/{} is kept with the register entry of the same id (EpisodeOfCare/{}), which is not in the file.",
                    consent.id, consent.id
                ),
            ),
        });
    }
    // A service is what its organisation offers, kept with the Organization.
    for (index, id) in services {
        if !import.organisations.iter().any(|o| o.id.as_str() == id) {
            refusals.push(Refusal {
                index,
                outcome: refuse(
                    IssueType::NotSupported,
                    format!(
                        "HealthcareService/{id}: Hearth keeps a service with its organisation, so it imports it with Organization/{id}, which is not in the file."
                    ),
                ),
            });
        }
    }
    for (index, kind, id, subject) in views {
        let plan = subject.as_deref().and_then(|s| s.strip_prefix("Patient/"));
        if !plan.is_some_and(|p| plans.iter().any(|c| c == p)) {
            refusals.push(Refusal {
                index,
                outcome: refuse(
                    IssueType::NotSupported,
                    format!(
                        "{kind}/{id}: Hearth keeps goals and anticipatory medicines in the care plan's sections, so it imports them with the patient's CarePlan, which is not in the file."
                    ),
                ),
            });
        }
    }
    // An assessment's answers are a view of its Observation, kept with it.
    for (index, id) in responses {
        let kept = patients
            .values()
            .any(|(_, r)| r.assessments.iter().any(|a| a.id == id));
        if !kept {
            refusals.push(Refusal {
                index,
                outcome: refuse(
                    IssueType::NotSupported,
                    format!(
                        "QuestionnaireResponse/{id}: Hearth keeps an assessment's answers with the assessment, so it imports them with Observation/{id}, which is not in the file (or was refused)."
                    ),
                ),
            });
        }
    }
    for (index, id, on) in deaths {
        let recorded = patients.get(id.as_str()).is_some_and(|(_, r)| {
            r.register
                .iter()
                .any(|e| matches!(&e.leaving, Some(Leaving::Died { on: d, .. }) if *d == on))
        });
        if !recorded {
            refusals.push(Refusal {
                index,
                outcome: refuse(
                    IssueType::NotSupported,
                    format!(
                        "Patient/{id} has a deceasedDateTime but no register entry (EpisodeOfCare) recording the death on that date: Hearth records a death with the register entry, with the place of death."
                    ),
                ),
            });
        }
    }
    // What belongs to a refused Patient says so, not that the Patient is missing.
    for r in refusals.iter_mut() {
        for issue in r.outcome.issue.iter_mut() {
            if let Some(d) = issue.diagnostics.as_mut()
                && let Some(id) = refused
                    .iter()
                    .find(|id| d.contains(&format!("Patient/{id}, which is not in the file")))
            {
                *d = d.replace(
                    &format!("Patient/{id}, which is not in the file: a record is imported with its Patient."),
                    &format!("Patient/{id}, which was refused (see its reason): a record is imported with its Patient."),
                );
            }
        }
    }
    import.records = patients.into_values().map(|(_, r)| r).collect();
    refusals.sort_by_key(|r| r.index);
    (import, refusals)
}

/// A new assessment or phase of illness sent to the API (`POST /fhir/Observation`): the
/// patient it is about and what it records, read by the same rules as an import. Its id, if
/// any, is not kept (Hearth gives the new record its own).
pub fn new_observation(value: &Value) -> Result<(PatientId, Observed), OperationOutcome> {
    let mut value = value.clone();
    if let Some(fields) = value.as_object_mut() {
        fields
            .entry("id")
            .or_insert_with(|| Value::String("new".to_owned()));
    }
    let Resource::Observation(o) = typed_resource(&value)? else {
        return Err(refuse(
            IssueType::Invalid,
            "The body is not an Observation.",
        ));
    };
    let what = "The Observation";
    let patient = reference_id(Some(&o.subject), "Patient")
        .and_then(PatientId::parse)
        .ok_or_else(|| {
            refuse(
                IssueType::Required,
                format!("{what} needs its subject: the Patient (Patient/{{id}})."),
            )
        })?;
    if o.status != "final" {
        return Err(invalid(format!(
            "{what} is {}: Hearth records finished assessments (status final).",
            o.status
        )));
    }
    Ok((patient, record::observed(&o, what)?))
}

/// A care plan sent to the API (`PUT /fhir/CarePlan/{id}`): the patient it is for and its
/// sections as the client wants them, each with the version it was read at (`plan-section`'s
/// `version`). Refuses what Hearth would not keep, as an import does.
pub fn care_plan_update(
    value: &Value,
) -> Result<(PatientId, Vec<hearth_domain::care_plan::SectionVersion>), OperationOutcome> {
    let Resource::CarePlan(p) = typed_resource(value)? else {
        return Err(refuse(IssueType::Invalid, "The body is not a CarePlan."));
    };
    let patient = reference_id(Some(&p.subject), "Patient")
        .and_then(PatientId::parse)
        .ok_or_else(|| {
            refuse(
                IssueType::Required,
                "The CarePlan needs its subject: the Patient (Patient/{id}).",
            )
        })?;
    let url = crate::sections::url();
    let mut sections: Vec<hearth_domain::care_plan::SectionVersion> = Vec::new();
    for ext in &p.extension {
        if ext.url != url {
            return Err(refuse(
                IssueType::NotSupported,
                format!(
                    "The CarePlan: Hearth does not keep the extension {}.",
                    ext.url
                ),
            ));
        }
        let section = crate::sections::decode(ext, &patient)
            .map_err(|e| invalid(format!("The CarePlan: {e}.")))?;
        if sections.iter().any(|s| s.section == section.section) {
            return Err(invalid(format!(
                "The CarePlan gives the section \"{}\" twice.",
                section.section.label()
            )));
        }
        sections.push(section);
    }
    Ok((patient, sections))
}

/// The typed resource, refusing any element the type does not hold (so nothing is dropped
/// without a word).
fn typed_resource(value: &Value) -> Result<Resource, OperationOutcome> {
    let kind = crate::parse::resource_type(value)?;
    let resource: Resource = serde_json::from_value(value.clone()).map_err(|e| {
        refuse(
            IssueType::Structure,
            format!("The {kind} cannot be read as Hearth's {kind}: {e}."),
        )
    })?;
    let kept = serde_json::to_value(&resource).unwrap_or(Value::Null);
    let mut lost = Vec::new();
    unkept(value, &kept, kind, &mut lost);
    if lost.is_empty() {
        return Ok(resource);
    }
    let issue = lost
        .into_iter()
        .flat_map(|path| {
            OperationOutcome::at(
                IssueType::NotSupported,
                path.clone(),
                format!("Hearth has nowhere to keep {path}, so nothing of the {kind} was kept."),
            )
            .issue
        })
        .collect();
    Err(OperationOutcome { issue })
}

/// The paths of `input` that `kept` lacks (`meta` and the narrative are Hearth's own).
fn unkept(input: &Value, kept: &Value, path: &str, out: &mut Vec<String>) {
    match (input, kept) {
        (Value::Object(i), Value::Object(k)) => {
            for (key, value) in i {
                if (key == "meta" || key == "text") && !path.contains('.') {
                    continue;
                }
                let here = format!("{path}.{key}");
                match k.get(key) {
                    Some(kv) => unkept(value, kv, &here, out),
                    None => out.push(here),
                }
            }
        }
        (Value::Array(i), Value::Array(k)) => {
            for (n, value) in i.iter().enumerate() {
                let here = format!("{path}[{n}]");
                match k.get(n) {
                    Some(kv) => unkept(value, kv, &here, out),
                    None => out.push(here),
                }
            }
        }
        _ => {}
    }
}

fn invalid(text: impl Into<String>) -> OperationOutcome {
    refuse(IssueType::Value, text)
}

/// The version and time of the last change `meta` gives, else 1 and `now`.
fn stamp(meta: Option<&Meta>, now: Timestamp) -> (i64, Timestamp) {
    let version = meta
        .and_then(|m| m.version_id.as_deref())
        .and_then(|v| v.parse().ok())
        .filter(|v: &i64| *v >= 1)
        .unwrap_or(1);
    let at = meta
        .and_then(|m| m.last_updated.as_deref())
        .and_then(|t| t.parse().ok())
        .unwrap_or(now);
    (version, at)
}

/// The id in a reference to a resource of `kind` (`Kind/id`).
fn reference_id<'a>(r: Option<&'a Reference>, kind: &str) -> Option<&'a str> {
    r.and_then(|r| r.reference.as_deref())
        .and_then(|s| s.strip_prefix(kind))
        .and_then(|s| s.strip_prefix('/'))
        .filter(|s| !s.is_empty())
}

/// The care-team member a reference names: a Practitioner, or an Organization (a service).
fn member_of(r: Option<&Reference>) -> Option<Member> {
    if let Some(id) = reference_id(r, "Practitioner") {
        return Some(Member::Practitioner(PractitionerId::new(id)));
    }
    reference_id(r, "Organization").map(|id| Member::Service(OrganisationId::new(id)))
}

fn fhir_date(text: Option<&str>, what: &str) -> Result<Date, OperationOutcome> {
    text.and_then(|t| t.get(..10))
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| invalid(format!("{what} needs a date (YYYY-MM-DD).")))
}

/// The Hearth code of `concept` in Hearth's code system `system_id`.
fn hearth_code<'a>(concepts: &'a [CodeableConcept], system_id: &str) -> Option<&'a str> {
    let wanted = system(system_id);
    concepts
        .iter()
        .flat_map(|c| &c.coding)
        .find(|c| c.system.as_deref() == Some(&wanted))
        .and_then(|c| c.code.as_deref())
}

fn extensions<'a>(ext: &'a [Extension], name: &str) -> impl Iterator<Item = &'a Extension> {
    let url = extension(name);
    ext.iter().filter(move |e| e.url == url)
}

fn ext_code<'a>(ext: &'a [Extension], name: &str) -> Option<&'a str> {
    extensions(ext, name).find_map(|e| e.value_code.as_deref())
}

fn ext_string(ext: &[Extension], name: &str) -> Option<String> {
    extensions(ext, name).find_map(|e| e.value_string.clone())
}

/// Every code of the extensions named `name`, each read by `from_code`.
fn codes<T>(
    ext: &[Extension],
    name: &str,
    from_code: fn(&str) -> Option<T>,
) -> Result<Vec<T>, OperationOutcome> {
    extensions(ext, name)
        .map(|e| {
            let code = e.value_code.as_deref().unwrap_or("");
            from_code(code).ok_or_else(|| invalid(format!("Hearth has no {name} \"{code}\".")))
        })
        .collect()
}

fn coded<T>(
    code: Option<&str>,
    what: &str,
    from_code: fn(&str) -> Option<T>,
) -> Result<T, OperationOutcome> {
    let code =
        code.ok_or_else(|| refuse(IssueType::Required, format!("The {what} is missing.")))?;
    from_code(code).ok_or_else(|| invalid(format!("Hearth has no {what} \"{code}\".")))
}

fn phone_and_email(telecom: &[crate::datatypes::ContactPoint]) -> (Option<String>, Option<String>) {
    let find = |kind: &str| {
        telecom
            .iter()
            .find(|t| t.system.as_deref() == Some(kind))
            .and_then(|t| t.value.clone())
    };
    (find("phone"), find("email"))
}

#[cfg(test)]
mod tests;
