//! The domain → FHIR mapping: one function per kind of record. Ids are the domain's own; a
//! patient's one care team and one care plan take the patient's id, and resources Hearth holds
//! inside another (a plan's goals and medicines, a patient's main diagnosis) take the id of what
//! holds them with a suffix. `docs/design/fhir-mapping.md` lists every element.

use std::collections::HashMap;

use hearth_domain::PractitionerId;
use hearth_domain::assessment::{Answer, Assessment, IposSymptom, Measure, PhaseEpisode};
use hearth_domain::care_plan::{Content, Section, SectionVersion};
use hearth_domain::care_team::{CareTeamMember, Member};
use hearth_domain::organisation::{Organisation, OrganisationKind};
use hearth_domain::patient::Patient as DomainPatient;
use hearth_domain::practitioner::{Practitioner as DomainPractitioner, PractitionerRole as Role};
use hearth_domain::referral::{Referral, ReferralState, ReferralUrgency};
use hearth_domain::register::{ConsentDecision, Leaving, RegisterEntry};
use hearth_domain::task::{Task as DomainTask, TaskOwner, TaskStatus};
use hearth_domain::transition::{PlaceKind, Stay};

use crate::codes::{self, extension, system};
use crate::datatypes::{
    Address, Annotation, CodeableConcept, Coding, ContactPoint, Extension, HumanName, Identifier,
    Meta, Narrative, Period, Reference, date, instant, non_empty,
};
use crate::resources::*;

mod audit;
mod conversation;
mod directory;
mod discharge;
mod meeting;
mod needs;
mod plan;
mod workflow;

pub use audit::{AccessLine, audit_event};
pub use conversation::{ADVICE_CALL, MESSAGE, advice_medium, medium, priority, urgency};
pub use directory::{healthcare_service, organization, practitioner, practitioner_role};
pub use discharge::DISCHARGE_SUMMARY;
pub use meeting::appointment;
pub use needs::questionnaire_url;
use needs::{assessment, phase_observation, questionnaire_response};
use plan::care_plan;
pub use plan::care_plan_versions;
use workflow::{referral, stay, task};

/// Everything Hearth holds about one patient that the API exposes.
#[derive(Debug, Clone, Copy)]
pub struct PatientRecord<'a> {
    pub patient: &'a DomainPatient,
    /// Register entries, current and past.
    pub register: &'a [RegisterEntry],
    /// Care team memberships, current and ended.
    pub team: &'a [CareTeamMember],
    /// The names of the practitioners mentioned.
    pub names: &'a HashMap<PractitionerId, String>,
    /// The current version of each section of the plan.
    pub sections: &'a [SectionVersion],
    pub assessments: &'a [Assessment],
    /// The phases of illness, oldest first.
    pub phases: &'a [PhaseEpisode],
    pub referrals: &'a [Referral],
    pub tasks: &'a [DomainTask],
    /// Stays away from home (a stay at home is not an encounter and is left out).
    pub stays: &'a [Stay],
    /// Conversations about the patient, whole.
    pub conversations: &'a [hearth_domain::conversation::Thread],
    /// Discharges from stays, with their letters and checklists.
    pub discharges: &'a [hearth_domain::transition::DischargeRecord],
    /// Calls to the specialist advice line about the patient.
    pub advice_calls: &'a [hearth_domain::advice::AdviceCall],
}

fn practitioner_ref(id: &PractitionerId, names: &HashMap<PractitionerId, String>) -> Reference {
    Reference::named(
        "Practitioner",
        id.as_str(),
        names.get(id).map_or("", String::as_str),
    )
}

/// A care-team member: a person (Practitioner) or a whole service (Organization).
fn member_ref(member: &Member, names: &HashMap<PractitionerId, String>) -> Reference {
    match member {
        Member::Practitioner(id) => practitioner_ref(id, names),
        Member::Service(id) => Reference::to("Organization", id.as_str()),
    }
}

/// An extension holding a moment (`url`: its URL, or a part's name).
fn date_time(url: &str, at: jiff::Timestamp) -> Extension {
    Extension {
        url: url.to_owned(),
        value_date_time: Some(instant(at)),
        ..Extension::default()
    }
}

fn patient_ref(p: &DomainPatient) -> Reference {
    Reference::named("Patient", p.id.as_str(), &p.list_name())
}

/// The Hearth code `code` in Hearth's code system `system_id`.
fn hearth_coding(system_id: &str, code: &str, display: &str) -> CodeableConcept {
    CodeableConcept::coded(&system(system_id), code, display)
}

/// Every resource of the patient's record, the Patient first.
pub fn patient_record(record: PatientRecord<'_>) -> Vec<Resource> {
    let p = record.patient;
    let mut out = vec![Resource::Patient(patient(p, record.register))];
    if let Some(d) = p.main_diagnosis.as_deref().and_then(non_empty) {
        out.push(Resource::Condition(main_diagnosis(p, &d)));
    }
    let coordinator = record
        .team
        .iter()
        .find(|m| m.coordinator && m.ended_on.is_none());
    let died = died_on(record.register).is_some();
    for entry in record.register {
        out.push(Resource::EpisodeOfCare(register_entry(
            p,
            entry,
            coordinator,
            record.names,
        )));
        out.push(Resource::Consent(consent(p, entry, record.names)));
    }
    if !record.team.is_empty() {
        out.push(Resource::CareTeam(care_team(p, record.team, record.names)));
    }
    out.extend(care_plan(record, died));
    for a in record.assessments {
        let observation = assessment(p, a, record.names);
        let response = questionnaire_response(a, &observation);
        out.push(Resource::Observation(observation));
        out.push(Resource::QuestionnaireResponse(response));
    }
    for (i, phase) in record.phases.iter().enumerate() {
        let next = record.phases.get(i + 1).map(|n| n.started_at);
        out.push(Resource::Observation(phase_observation(p, phase, next)));
    }
    for r in record.referrals {
        out.push(Resource::ServiceRequest(referral(p, r, record.names)));
    }
    for t in record.tasks {
        out.push(Resource::Task(task(p, t, record.names)));
    }
    out.extend(
        record
            .stays
            .iter()
            .filter_map(|s| stay(s, record.names))
            .map(Resource::Encounter),
    );
    for t in record.conversations {
        out.extend(conversation::conversation(p, t, record.names));
    }
    for a in record.advice_calls {
        out.push(Resource::Communication(conversation::advice_call(
            p,
            a,
            record.names,
        )));
    }
    for d in record.discharges {
        out.push(Resource::Composition(discharge::discharge(
            p,
            d,
            record.names,
        )));
    }
    out
}

/// When the patient died, as their register entry records it.
fn died_on(register: &[RegisterEntry]) -> Option<jiff::civil::Date> {
    register.iter().find_map(|e| match &e.leaving {
        Some(Leaving::Died { on, .. }) => Some(*on),
        _ => None,
    })
}

/// A patient, with their death when the register records it (`register`: their entries).
pub fn patient(p: &DomainPatient, register: &[RegisterEntry]) -> Patient {
    let mut extensions = vec![Extension::boolean(&extension("rural"), p.rural)];
    if let Some(minutes) = p.travel_minutes_to_hospital {
        extensions.push(Extension::integer(
            &extension("travel-minutes-to-hospital"),
            i64::from(minutes),
        ));
    }
    Patient {
        id: p.id.as_str().to_owned(),
        meta: Some(Meta::versioned(p.version, p.updated_at)),
        extension: extensions,
        identifier: vec![Identifier::new(
            &p.national_number.system,
            &p.national_number.value,
        )],
        active: Some(true),
        name: vec![HumanName::official(&p.given_name, &p.family_name)],
        gender: Some(p.sex.code().to_owned()),
        birth_date: Some(date(p.date_of_birth)),
        deceased_date_time: died_on(register).map(date),
        address: vec![Address {
            use_: Some("home".to_owned()),
            text: None,
            line: non_empty(&p.address.line).into_iter().collect(),
            city: non_empty(&p.address.town),
            district: p.area.as_deref().and_then(non_empty),
            postal_code: p.address.postcode.as_deref().and_then(non_empty),
        }],
        // The organisations involved in the patient's care.
        general_practitioner: p
            .organisations
            .iter()
            .map(|o| Reference::to("Organization", o.as_str()))
            .collect(),
        managing_organization: None,
    }
}

/// The patient's main diagnosis as recorded (in words).
fn main_diagnosis(p: &DomainPatient, diagnosis: &str) -> Condition {
    Condition {
        id: format!("{}-diagnosis", p.id.as_str()),
        meta: Some(Meta::versioned(p.version, p.updated_at)),
        clinical_status: Some(CodeableConcept::coded(
            codes::CONDITION_CLINICAL,
            "active",
            "Active",
        )),
        verification_status: None,
        category: vec![CodeableConcept::coded(
            codes::CONDITION_CATEGORY,
            "problem-list-item",
            "Problem List Item",
        )],
        code: Some(CodeableConcept::text(diagnosis)),
        subject: patient_ref(p),
        recorded_date: Some(date(p.created_at.to_zoned(jiff::tz::TimeZone::UTC).date())),
    }
}

/// A register entry: an episode of palliative care.
fn register_entry(
    p: &DomainPatient,
    e: &RegisterEntry,
    coordinator: Option<&CareTeamMember>,
    names: &HashMap<PractitionerId, String>,
) -> EpisodeOfCare {
    let code = |name: &str, value: &str| Extension::code(&extension(name), value);
    let mut ext = vec![
        Extension::reference(
            &extension("identified-by"),
            practitioner_ref(&e.identified_by, names),
        ),
        code("surprise-question", e.surprise.code()),
    ];
    ext.extend(
        e.general_indicators
            .iter()
            .map(|i| code("spict-general-indicator", i.code())),
    );
    ext.extend(
        e.disease_indicators
            .iter()
            .map(|i| code("spict-clinical-indicator", i.code())),
    );
    ext.push(code("register-status", e.status().code()));
    let end = match &e.leaving {
        None => None,
        Some(Leaving::Died {
            on,
            place,
            preferred_place,
        }) => {
            ext.push(code("place-of-death", place.code()));
            ext.push(code("preferred-place-of-death-met", preferred_place.code()));
            Some(date(*on))
        }
        Some(Leaving::Removed { on, reason }) => {
            if let Some(r) = non_empty(reason) {
                ext.push(Extension::string(&extension("removal-reason"), &r));
            }
            Some(date(*on))
        }
    };
    let care_manager = coordinator
        .filter(|_| e.leaving.is_none())
        .and_then(|m| match &m.member {
            Member::Practitioner(id) => Some(practitioner_ref(id, names)),
            Member::Service(_) => None,
        });
    EpisodeOfCare {
        id: e.id.clone(),
        meta: Some(Meta::versioned(e.version, e.updated_at)),
        extension: ext,
        status: if e.leaving.is_some() {
            "finished"
        } else {
            "active"
        }
        .to_owned(),
        type_: vec![
            CodeableConcept::text("Palliative care register"),
            hearth_coding(
                "diagnosis-group",
                e.diagnosis_group.code(),
                e.diagnosis_group.label(),
            ),
        ],
        diagnosis: if p.main_diagnosis.as_deref().and_then(non_empty).is_some() {
            vec![EpisodeDiagnosis {
                condition: Reference::to("Condition", &format!("{}-diagnosis", p.id.as_str())),
            }]
        } else {
            Vec::new()
        },
        patient: patient_ref(p),
        managing_organization: Some(Reference::to("Organization", e.organisation_id.as_str())),
        period: Some(Period {
            start: Some(date(e.identified_on)),
            end,
        }),
        care_manager,
        team: vec![Reference::to("CareTeam", p.id.as_str())],
    }
}

/// The patient's decision about sharing their record, recorded with their register entry.
fn consent(
    p: &DomainPatient,
    e: &RegisterEntry,
    names: &HashMap<PractitionerId, String>,
) -> Consent {
    let decision = e.consent.decision;
    Consent {
        id: e.id.clone(),
        meta: Some(Meta::versioned(e.version, e.updated_at)),
        extension: vec![
            Extension::code(&extension("consent-decision"), decision.code()),
            Extension::reference(
                &extension("recorded-by"),
                practitioner_ref(&e.consent.recorded_by, names),
            ),
        ],
        status: if e.leaving.is_some() {
            "inactive"
        } else {
            "active"
        }
        .to_owned(),
        scope: CodeableConcept::coded(codes::CONSENT_SCOPE, "patient-privacy", "Privacy Consent"),
        category: vec![CodeableConcept::coded(
            codes::LOINC,
            "59284-0",
            "Patient Consent",
        )],
        patient: patient_ref(p),
        date_time: Some(date(e.consent.recorded_on)),
        // The grantor: the patient, or for a best-interests decision the clinician who made it.
        performer: vec![match decision {
            ConsentDecision::BestInterests => practitioner_ref(&e.consent.recorded_by, names),
            ConsentDecision::Given | ConsentDecision::Declined => patient_ref(p),
        }],
        organization: vec![Reference::to("Organization", e.organisation_id.as_str())],
        policy: vec![ConsentPolicy {
            authority: None,
            uri: Some(format!("{}/policy/share-with-care-team", codes::CANONICAL)),
        }],
        provision: Some(ConsentProvision {
            type_: Some(
                match decision {
                    ConsentDecision::Declined => "deny",
                    ConsentDecision::Given | ConsentDecision::BestInterests => "permit",
                }
                .to_owned(),
            ),
        }),
    }
}

/// The patient's care team, current and past members.
fn care_team(
    p: &DomainPatient,
    members: &[CareTeamMember],
    names: &HashMap<PractitionerId, String>,
) -> CareTeam {
    let updated = members.iter().map(|m| m.updated_at).max();
    let version = members.iter().map(|m| m.version).sum::<i64>();
    CareTeam {
        id: p.id.as_str().to_owned(),
        meta: updated.map(|u| Meta::versioned(version.max(1), u)),
        status: Some("active".to_owned()),
        name: Some(format!("Care team of {} {}", p.given_name, p.family_name)),
        subject: patient_ref(p),
        participant: members
            .iter()
            .map(|m| {
                let mut ext: Vec<Extension> = m
                    .responsibilities
                    .iter()
                    .map(|r| Extension {
                        url: extension("responsibility"),
                        value_code: Some(r.code().to_owned()),
                        ..Extension::default()
                    })
                    .collect();
                if m.coordinator && m.ended_on.is_none() {
                    ext.push(Extension::boolean(&extension("coordinator"), true));
                }
                CareTeamParticipant {
                    id: Some(m.id.clone()),
                    extension: ext,
                    role: vec![hearth_coding(
                        "care-team-role",
                        m.role.code(),
                        m.role.label(),
                    )],
                    member: Some(match &m.member {
                        Member::Practitioner(id) => practitioner_ref(id, names),
                        Member::Service(id) => Reference::to("Organization", id.as_str()),
                    }),
                    period: Some(Period {
                        start: Some(date(m.started_on)),
                        end: m.ended_on.map(date),
                    }),
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
