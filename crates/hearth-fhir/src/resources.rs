//! The FHIR R4 resources Hearth exposes, with the elements Hearth fills. Each is a plain serde
//! struct; [`Resource`] is any of them, tagged by `resourceType` as FHIR JSON is.

use serde::{Deserialize, Serialize};

use crate::datatypes::{
    Address, Annotation, CodeableConcept, ContactPoint, Extension, HumanName, Identifier, Meta,
    Narrative, Period, Quantity, Reference, is_empty,
};

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

/// A person receiving care.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub identifier: Vec<Identifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub name: Vec<HumanName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deceased_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub address: Vec<Address>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub general_practitioner: Vec<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managing_organization: Option<Reference>,
}

/// A clinician or other member of staff.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Practitioner {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub name: Vec<HumanName>,
}

/// A practitioner's role in an organisation: profession, contact, competencies and hours.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PractitionerRole {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub practitioner: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub code: Vec<CodeableConcept>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub specialty: Vec<CodeableConcept>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub telecom: Vec<ContactPoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_exceptions: Option<String>,
}

/// A GP practice, district nursing team, hospital department, hospice, specialist team, care
/// home or out-of-hours service.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, rename = "type", skip_serializing_if = "is_empty")]
    pub type_: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub telecom: Vec<ContactPoint>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub address: Vec<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_of: Option<Reference>,
}

/// What an organisation offers as a service: how to reach and refer to it, when it is open, what
/// it can do. The same organisation's id; Hearth keeps it with the Organization.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthcareService {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provided_by: Option<Reference>,
    #[serde(default, rename = "type", skip_serializing_if = "is_empty")]
    pub type_: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_details: Option<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub telecom: Vec<ContactPoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_exceptions: Option<String>,
}

/// A participant in a care team.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CareTeamParticipant {
    /// The membership's id in Hearth.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub role: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
}

/// The people and services caring for a patient, with the named coordinator.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CareTeam {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub subject: Reference,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub participant: Vec<CareTeamParticipant>,
}

/// The patient's entry on the palliative care register: identified when, by whom and why.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EpisodeOfCare {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    pub status: String,
    #[serde(default, rename = "type", skip_serializing_if = "is_empty")]
    pub type_: Vec<CodeableConcept>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub diagnosis: Vec<EpisodeDiagnosis>,
    pub patient: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managing_organization: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub care_manager: Option<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub team: Vec<Reference>,
}

/// A condition an episode of care is for.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EpisodeDiagnosis {
    pub condition: Reference,
}

/// A diagnosis or problem.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clinical_status: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_status: Option<CodeableConcept>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub category: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeableConcept>,
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_date: Option<String>,
}

/// A consent decision: here, the patient's decision about sharing their record.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    pub status: String,
    pub scope: CodeableConcept,
    pub category: Vec<CodeableConcept>,
    pub patient: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_time: Option<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub performer: Vec<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub organization: Vec<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub policy: Vec<ConsentPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provision: Option<ConsentProvision>,
}

/// The policy a consent is given under.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConsentPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

/// What a consent permits or denies.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConsentProvision {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
}

/// A measurement or assessment result (an IPOS, ESAS-r or AKPS score, the phase of illness).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    pub status: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub category: Vec<CodeableConcept>,
    pub code: CodeableConcept,
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_date_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_period: Option<Period>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued: Option<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub performer: Vec<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_integer: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_quantity: Option<Quantity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_codeable_concept: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_absent_reason: Option<CodeableConcept>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub note: Vec<Annotation>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub has_member: Vec<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub component: Vec<ObservationComponent>,
}

/// One item of a multi-item assessment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservationComponent {
    pub code: CodeableConcept,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_integer: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_codeable_concept: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_absent_reason: Option<CodeableConcept>,
}

/// The shared care plan.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CarePlan {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Narrative>,
    /// One `plan-section` per section (`sections.rs`).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    pub status: String,
    pub intent: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub category: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub care_team: Vec<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub goal: Vec<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub activity: Vec<CarePlanActivity>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub note: Vec<Annotation>,
}

/// One activity of a care plan, by reference (an anticipatory medicine's prescription).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CarePlanActivity {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<Reference>,
}

/// A goal of care: agreed, or one discipline's.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Goal {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    pub lifecycle_status: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub category: Vec<CodeableConcept>,
    pub description: CodeableConcept,
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expressed_by: Option<Reference>,
}

/// An anticipatory ("just in case") medicine as prescribed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationRequest {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    pub status: String,
    pub intent: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub category: Vec<CodeableConcept>,
    pub medication_codeable_concept: CodeableConcept,
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authored_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requester: Option<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub reason_code: Vec<CodeableConcept>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub note: Vec<Annotation>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub dosage_instruction: Vec<Dosage>,
}

/// How a medicine is to be given.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dosage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_needed_boolean: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<CodeableConcept>,
}

/// A referral to a specialist palliative care service.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRequest {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    pub status: String,
    pub intent: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub category: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeableConcept>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub order_detail: Vec<CodeableConcept>,
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authored_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requester: Option<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub performer: Vec<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub reason_code: Vec<CodeableConcept>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub note: Vec<Annotation>,
}

/// A task agreed about a patient.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_status: Option<CodeableConcept>,
    pub intent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authored_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requester: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restriction: Option<TaskRestriction>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub note: Vec<Annotation>,
}

/// When a task must be done by.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TaskRestriction {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
}

/// A stay in hospital, a hospice, a care home or palliative beds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Encounter {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    pub status: String,
    pub class: crate::datatypes::Coding,
    #[serde(default, rename = "type", skip_serializing_if = "is_empty")]
    pub type_: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<CodeableConcept>,
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub reason_code: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_provider: Option<Reference>,
}

/// One message of a conversation about a patient.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Communication {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub in_response_to: Vec<Reference>,
    pub status: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub category: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub medium: Vec<CodeableConcept>,
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<CodeableConcept>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub about: Vec<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub recipient: Vec<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub payload: Vec<CommunicationPayload>,
}

/// What a message says.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationPayload {
    pub content_string: String,
}

/// A "let's talk" request: a phone or video call asked for in a conversation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationRequest {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    pub status: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub medium: Vec<CodeableConcept>,
    pub subject: Reference,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub about: Vec<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub payload: Vec<CommunicationPayload>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrence_date_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authored_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requester: Option<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub note: Vec<Annotation>,
}

/// A discharge from a stay, with its letter: the letter's parts are the sections.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Composition {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    pub status: String,
    #[serde(rename = "type")]
    pub type_: CodeableConcept,
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encounter: Option<Reference>,
    pub date: String,
    pub author: Vec<Reference>,
    pub title: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub section: Vec<CompositionSection>,
}

/// One part of a letter.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositionSection {
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Narrative>,
}

/// An assessment's answers, item by item, as the instrument asks them (a view of the
/// assessment's Observation).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireResponse {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    pub questionnaire: String,
    pub status: String,
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authored: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Reference>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub item: Vec<QuestionnaireResponseItem>,
}

/// One answered item.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireResponseItem {
    /// `data-absent-reason` on an item that could not be assessed (it has no answer).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    pub link_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub answer: Vec<QuestionnaireResponseAnswer>,
}

/// An item's answer: a score.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireResponseAnswer {
    pub value_integer: i64,
}

/// A meeting about patients (case conference, MDT, register review, discharge planning,
/// debrief): when, where, who; not its agenda, which is patient data.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Appointment {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
    pub status: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub service_type: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes_duration: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub participant: Vec<AppointmentParticipant>,
}

/// Someone taking part in a meeting, in the role they were invited in.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentParticipant {
    #[serde(default, rename = "type", skip_serializing_if = "is_empty")]
    pub type_: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<String>,
    pub status: String,
}

/// One access to a patient's record, from the audit trail (read-only).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub type_: crate::datatypes::Coding,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub subtype: Vec<crate::datatypes::Coding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    pub recorded: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome_desc: Option<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub purpose_of_event: Vec<CodeableConcept>,
    pub agent: Vec<AuditAgent>,
    pub source: AuditSource,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub entity: Vec<AuditEntity>,
}

/// Who accessed the record.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditAgent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub who: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub requestor: bool,
}

/// The system that recorded the access.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AuditSource {
    pub observer: Reference,
}

/// What was accessed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AuditEntity {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
