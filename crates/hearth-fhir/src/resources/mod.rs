//! The FHIR R4 resources Hearth exposes, with the elements Hearth fills. Each is a plain serde
//! struct; [`Resource`] is any of them, tagged by `resourceType` as FHIR JSON is. By what they
//! hold: `record` (the patient and their record), `workflow` (referrals, tasks, stays,
//! conversations, discharges, meetings), `directory` (people and organisations) and `audit`.

use serde::{Deserialize, Serialize};

mod audit;
mod directory;
mod record;
mod workflow;

pub use audit::*;
pub use directory::*;
pub use record::*;
pub use workflow::*;

/// Any resource Hearth reads or writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resourceType")]
pub enum Resource {
    Patient(Patient),
    Practitioner(Practitioner),
    PractitionerRole(PractitionerRole),
    Organization(Organization),
    HealthcareService(HealthcareService),
    CareTeam(CareTeam),
    EpisodeOfCare(EpisodeOfCare),
    Condition(Condition),
    Consent(Consent),
    Observation(Observation),
    CarePlan(CarePlan),
    Goal(Goal),
    MedicationRequest(MedicationRequest),
    ServiceRequest(ServiceRequest),
    Task(Task),
    Encounter(Encounter),
    Communication(Communication),
    CommunicationRequest(CommunicationRequest),
    Composition(Composition),
    QuestionnaireResponse(QuestionnaireResponse),
    Appointment(Appointment),
    AuditEvent(AuditEvent),
    OperationOutcome(crate::outcome::OperationOutcome),
    CapabilityStatement(crate::capability::CapabilityStatement),
    CodeSystem(crate::codes::CodeSystem),
    Questionnaire(crate::questionnaire::Questionnaire),
    Bundle(crate::bundle::Bundle),
}

impl Resource {
    /// The resource's type name, as in `resourceType`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Resource::Patient(_) => "Patient",
            Resource::Practitioner(_) => "Practitioner",
            Resource::PractitionerRole(_) => "PractitionerRole",
            Resource::Organization(_) => "Organization",
            Resource::HealthcareService(_) => "HealthcareService",
            Resource::CareTeam(_) => "CareTeam",
            Resource::EpisodeOfCare(_) => "EpisodeOfCare",
            Resource::Condition(_) => "Condition",
            Resource::Consent(_) => "Consent",
            Resource::Observation(_) => "Observation",
            Resource::CarePlan(_) => "CarePlan",
            Resource::Goal(_) => "Goal",
            Resource::MedicationRequest(_) => "MedicationRequest",
            Resource::ServiceRequest(_) => "ServiceRequest",
            Resource::Task(_) => "Task",
            Resource::Encounter(_) => "Encounter",
            Resource::Communication(_) => "Communication",
            Resource::CommunicationRequest(_) => "CommunicationRequest",
            Resource::Composition(_) => "Composition",
            Resource::QuestionnaireResponse(_) => "QuestionnaireResponse",
            Resource::Appointment(_) => "Appointment",
            Resource::AuditEvent(_) => "AuditEvent",
            Resource::OperationOutcome(_) => "OperationOutcome",
            Resource::CapabilityStatement(_) => "CapabilityStatement",
            Resource::CodeSystem(_) => "CodeSystem",
            Resource::Questionnaire(_) => "Questionnaire",
            Resource::Bundle(_) => "Bundle",
        }
    }

    /// The resource's id, when it has one.
    pub fn id(&self) -> Option<&str> {
        match self {
            Resource::Patient(r) => Some(&r.id),
            Resource::Practitioner(r) => Some(&r.id),
            Resource::PractitionerRole(r) => Some(&r.id),
            Resource::Organization(r) => Some(&r.id),
            Resource::HealthcareService(r) => Some(&r.id),
            Resource::CareTeam(r) => Some(&r.id),
            Resource::EpisodeOfCare(r) => Some(&r.id),
            Resource::Condition(r) => Some(&r.id),
            Resource::Consent(r) => Some(&r.id),
            Resource::Observation(r) => Some(&r.id),
            Resource::CarePlan(r) => Some(&r.id),
            Resource::Goal(r) => Some(&r.id),
            Resource::MedicationRequest(r) => Some(&r.id),
            Resource::ServiceRequest(r) => Some(&r.id),
            Resource::Task(r) => Some(&r.id),
            Resource::Encounter(r) => Some(&r.id),
            Resource::Communication(r) => Some(&r.id),
            Resource::CommunicationRequest(r) => Some(&r.id),
            Resource::Composition(r) => Some(&r.id),
            Resource::QuestionnaireResponse(r) => Some(&r.id),
            Resource::Appointment(r) => Some(&r.id),
            Resource::AuditEvent(r) => Some(&r.id),
            Resource::CodeSystem(r) => Some(&r.id),
            Resource::Questionnaire(r) => Some(&r.id),
            Resource::OperationOutcome(_)
            | Resource::CapabilityStatement(_)
            | Resource::Bundle(_) => None,
        }
    }

    /// The resource's version (`meta.versionId`), when it has one.
    pub fn version(&self) -> Option<&str> {
        let meta = match self {
            Resource::Patient(r) => &r.meta,
            Resource::Practitioner(r) => &r.meta,
            Resource::PractitionerRole(r) => &r.meta,
            Resource::Organization(r) => &r.meta,
            Resource::HealthcareService(r) => &r.meta,
            Resource::CareTeam(r) => &r.meta,
            Resource::EpisodeOfCare(r) => &r.meta,
            Resource::Condition(r) => &r.meta,
            Resource::Consent(r) => &r.meta,
            Resource::Observation(r) => &r.meta,
            Resource::CarePlan(r) => &r.meta,
            Resource::Goal(r) => &r.meta,
            Resource::MedicationRequest(r) => &r.meta,
            Resource::ServiceRequest(r) => &r.meta,
            Resource::Task(r) => &r.meta,
            Resource::Encounter(r) => &r.meta,
            Resource::Communication(r) => &r.meta,
            Resource::CommunicationRequest(r) => &r.meta,
            Resource::Composition(r) => &r.meta,
            Resource::QuestionnaireResponse(r) => &r.meta,
            Resource::Appointment(r) => &r.meta,
            _ => return None,
        };
        meta.as_ref()?.version_id.as_deref()
    }

    /// The patient the resource is about, as a relative reference's id.
    pub fn patient_id(&self) -> Option<&str> {
        let subject = match self {
            Resource::Patient(r) => return Some(&r.id),
            Resource::CareTeam(r) => &r.subject,
            Resource::EpisodeOfCare(r) => &r.patient,
            Resource::Condition(r) => &r.subject,
            Resource::Consent(r) => &r.patient,
            Resource::Observation(r) => &r.subject,
            Resource::CarePlan(r) => &r.subject,
            Resource::Goal(r) => &r.subject,
            Resource::MedicationRequest(r) => &r.subject,
            Resource::ServiceRequest(r) => &r.subject,
            Resource::Task(r) => r.for_.as_ref()?,
            Resource::Encounter(r) => &r.subject,
            Resource::Communication(r) => &r.subject,
            Resource::CommunicationRequest(r) => &r.subject,
            Resource::Composition(r) => &r.subject,
            Resource::QuestionnaireResponse(r) => &r.subject,
            _ => return None,
        };
        subject.id_of("Patient")
    }
}
