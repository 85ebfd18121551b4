//! Code systems: the standard ones Hearth codes with, and Hearth's own, published under
//! `/fhir/CodeSystem/{id}` and generated from the domain's coded lists so they cannot drift.
//! The mapping is documented in `docs/design/fhir-mapping.md`.

use hearth_domain::{
    advice, assessment, care_plan, care_team, conversation, meeting, organisation, practitioner,
    referral, register, transition,
};
use serde::{Deserialize, Serialize};

/// The canonical base of Hearth's code systems and extensions. A canonical URL names, it does
/// not locate: it stays the same in every deployment.
pub const CANONICAL: &str = "https://fhir.hearth.example";

/// Hearth's own identifier of a resource (its id in the source system), for round trips.
pub const HEARTH_ID: &str = "https://fhir.hearth.example/Id/hearth";

pub const SNOMED: &str = "http://snomed.info/sct";
pub const LOINC: &str = "http://loinc.org";
pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
pub const CONDITION_CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
pub const CONDITION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/condition-category";
pub const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
pub const CONSENT_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/consentcategorycodes";
pub const DATA_ABSENT: &str = "http://terminology.hl7.org/CodeSystem/data-absent-reason";
/// FHIR's own extension saying why a value is missing (its codes are `DATA_ABSENT`'s).
pub const DATA_ABSENT_REASON_EXTENSION: &str =
    "http://hl7.org/fhir/StructureDefinition/data-absent-reason";
pub const ORGANIZATION_TYPE: &str = "http://terminology.hl7.org/CodeSystem/organization-type";
pub const AUDIT_EVENT_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-event-type";
pub const RESTFUL_INTERACTION: &str = "http://hl7.org/fhir/restful-interaction";
pub const ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
pub const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
pub const ACT_PRIORITY: &str = "http://terminology.hl7.org/CodeSystem/v3-ActPriority";
pub const PARTICIPATION_MODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode";

/// The URL of Hearth's code system `id`.
pub fn system(id: &str) -> String {
    format!("{CANONICAL}/CodeSystem/{id}")
}

/// The URL of Hearth's extension `name`.
pub fn extension(name: &str) -> String {
    format!("{CANONICAL}/StructureDefinition/{name}")
}

/// A code system resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeSystem {
    pub id: String,
    pub url: String,
    pub name: String,
    pub title: String,
    pub status: String,
    pub case_sensitive: bool,
    pub description: String,
    pub content: String,
    pub count: u32,
    pub concept: Vec<Concept>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Concept {
    pub code: String,
    pub display: String,
}

/// One of Hearth's code systems: its id, computable name, title, description and concepts.
struct Definition {
    id: &'static str,
    name: &'static str,
    title: &'static str,
    description: &'static str,
    concepts: fn() -> Vec<(&'static str, &'static str)>,
}

macro_rules! concepts {
    ($t:ty) => {
        || <$t>::ALL.iter().map(|v| (v.code(), v.label())).collect()
    };
    ($t:ty, $($extra:expr),+) => {
        || {
            let mut all: Vec<(&'static str, &'static str)> =
                <$t>::ALL.iter().map(|v| (v.code(), v.label())).collect();
            all.extend([$($extra),+]);
            all
        }
    };
}

const DEFINITIONS: &[Definition] = &[
    Definition {
        id: "profession",
        name: "HearthProfession",
        title: "Hearth professions",
        description: "The professions of Hearth's practitioner roles.",
        concepts: concepts!(practitioner::Profession),
    },
    Definition {
        id: "organisation-kind",
        name: "HearthOrganisationKind",
        title: "Hearth organisation kinds",
        description: "The kinds of organisation taking part in palliative care in a region.",
        concepts: concepts!(organisation::OrganisationKind),
    },
    Definition {
        id: "competency",
        name: "HearthCompetency",
        title: "Hearth competencies",
        description: "What a service or practitioner can do for a dying person at home.",
        concepts: concepts!(organisation::Competency),
    },
    Definition {
        id: "care-team-role",
        name: "HearthCareTeamRole",
        title: "Hearth care team roles",
        description: "The role a member plays in a patient's care team.",
        concepts: concepts!(care_team::CareTeamRole),
    },
    Definition {
        id: "responsibility",
        name: "HearthResponsibility",
        title: "Hearth care team responsibilities",
        description: "What a care team member is responsible for.",
        concepts: concepts!(care_team::Responsibility),
    },
    Definition {
        id: "diagnosis-group",
        name: "HearthDiagnosisGroup",
        title: "Hearth diagnosis groups",
        description: "The diagnosis groups register figures are broken down by.",
        concepts: concepts!(register::DiagnosisGroup),
    },
    Definition {
        id: "surprise-question",
        name: "HearthSurpriseQuestion",
        title: "The surprise question",
        description: "Answers to 'Would you be surprised if this person died in the next 12 months?'.",
        concepts: concepts!(register::SurpriseAnswer),
    },
    Definition {
        id: "spict-general-indicator",
        name: "HearthSpictGeneralIndicator",
        title: "SPICT general indicators",
        description: "SPICT 2022 general indicators of deteriorating health.",
        concepts: concepts!(register::GeneralIndicator),
    },
    Definition {
        id: "spict-clinical-indicator",
        name: "HearthSpictClinicalIndicator",
        title: "SPICT clinical indicator groups",
        description: "SPICT 2022 groups of clinical indicators of life-limiting conditions.",
        concepts: concepts!(register::DiseaseIndicator),
    },
    Definition {
        id: "consent-decision",
        name: "HearthConsentDecision",
        title: "Consent to share the record",
        description: "The patient's decision about sharing their record with the care team.",
        concepts: concepts!(register::ConsentDecision),
    },
    Definition {
        id: "register-status",
        name: "HearthRegisterStatus",
        title: "Register entry status",
        description: "Whether a patient is on the palliative care register, and how they left it.",
        concepts: concepts!(register::RegisterStatus),
    },
    Definition {
        id: "place-of-death",
        name: "HearthPlaceOfDeath",
        title: "Place of death",
        description: "Where a patient on the register died.",
        concepts: concepts!(register::PlaceOfDeath),
    },
    Definition {
        id: "preferred-place-met",
        name: "HearthPreferredPlaceMet",
        title: "Preferred place of death met",
        description: "Whether the patient died where they had said they would prefer.",
        concepts: concepts!(register::PreferredPlaceMet),
    },
    Definition {
        id: "referral-state",
        name: "HearthReferralState",
        title: "Referral states",
        description: "Where a referral to specialist palliative care stands.",
        concepts: concepts!(referral::ReferralState),
    },
    Definition {
        id: "referral-ask",
        name: "HearthReferralAsk",
        title: "What a referral asks for",
        description: "What the referrer asks the specialist service for.",
        concepts: concepts!(referral::ReferralAsk),
    },
    Definition {
        id: "triage-priority",
        name: "HearthTriagePriority",
        title: "Triage priorities",
        description: "How soon the specialist service will see the patient.",
        concepts: concepts!(referral::TriagePriority),
    },
    Definition {
        id: "patient-agreement",
        name: "HearthPatientAgreement",
        title: "The patient's part in a referral",
        description: "Whether the patient knows of and agrees to the referral.",
        concepts: concepts!(referral::PatientAgreement),
    },
    Definition {
        id: "place-kind",
        name: "HearthPlaceKind",
        title: "Places of care",
        description: "Where a patient stays: home, hospital, hospice, care home or palliative beds.",
        concepts: concepts!(transition::PlaceKind),
    },
    Definition {
        id: "plan-section",
        name: "HearthPlanSection",
        title: "Shared care plan sections",
        description: "The sections of Hearth's shared care plan.",
        concepts: concepts!(care_plan::Section),
    },
    Definition {
        id: "place",
        name: "HearthPlace",
        title: "Preferred places of care and death",
        description: "Where someone would like to be cared for or to die.",
        concepts: concepts!(care_plan::Place),
    },
    Definition {
        id: "cpr-decision",
        name: "HearthCprDecision",
        title: "CPR decisions",
        description: "The decision about attempting cardiopulmonary resuscitation.",
        concepts: concepts!(care_plan::CprDecision),
    },
    Definition {
        id: "escalation",
        name: "HearthEscalation",
        title: "Treatment escalation levels",
        description: "How far treatment should be escalated (ReSPECT-style).",
        concepts: concepts!(care_plan::Escalation),
    },
    Definition {
        id: "admission-wish",
        name: "HearthAdmissionWish",
        title: "Wish for hospital admission",
        description: "Whether the person wishes to go to hospital in a crisis.",
        concepts: concepts!(care_plan::AdmissionWish),
    },
    Definition {
        id: "instrument",
        name: "HearthInstrument",
        title: "Assessment instruments",
        description: "The needs assessment instruments Hearth records (IPOS, ESAS-r, AKPS).",
        concepts: concepts!(assessment::Instrument),
    },
    Definition {
        id: "ipos-symptom",
        name: "HearthIposSymptom",
        title: "IPOS physical symptoms",
        description: "The ten physical symptoms of IPOS question 2.",
        concepts: concepts!(
            assessment::IposSymptom,
            ("other", "Other symptom (named in the text)")
        ),
    },
    Definition {
        id: "ipos-item",
        name: "HearthIposItem",
        title: "IPOS items",
        description: "The items of the Integrated Palliative care Outcome Scale (IPOS).",
        concepts: concepts!(assessment::IposItem),
    },
    Definition {
        id: "esas-item",
        name: "HearthEsasItem",
        title: "ESAS-r items",
        description: "The symptoms of the revised Edmonton Symptom Assessment System (ESAS-r).",
        concepts: concepts!(
            assessment::EsasSymptom,
            ("other", "Other problem (named in the text)")
        ),
    },
    Definition {
        id: "phase",
        name: "HearthPhase",
        title: "Palliative care phase of illness",
        description: "The palliative care phases of illness (PCOC).",
        concepts: concepts!(assessment::Phase),
    },
    Definition {
        id: "talk-state",
        name: "HearthTalkState",
        title: "\"Let's talk\" request states",
        description: "Where a request for a phone or video call about a patient stands.",
        concepts: concepts!(conversation::TalkState),
    },
    Definition {
        id: "communication-category",
        name: "HearthCommunicationCategory",
        title: "Kinds of communication",
        description: "What a Communication of Hearth's is: a message in a conversation about the patient, or a call to the specialist advice line.",
        concepts: || vec![crate::map::MESSAGE, crate::map::ADVICE_CALL],
    },
    Definition {
        id: "caller-role",
        name: "HearthCallerRole",
        title: "Advice line callers",
        description: "Who contacted the specialist palliative care advice line.",
        concepts: concepts!(advice::CallerRole),
    },
    Definition {
        id: "advice-outcome",
        name: "HearthAdviceOutcome",
        title: "Advice line outcomes",
        description: "What came of the advice the specialist gave.",
        concepts: concepts!(advice::AdviceOutcome),
    },
    Definition {
        id: "meeting-kind",
        name: "HearthMeetingKind",
        title: "Meetings about patients",
        description: "The kinds of meeting Hearth plans: case conferences, MDTs, register reviews, discharge planning meetings and debriefs.",
        concepts: concepts!(meeting::MeetingKind),
    },
    Definition {
        id: "meeting-mode",
        name: "HearthMeetingMode",
        title: "How people meet",
        description: "In person, by video call or by phone conference.",
        concepts: concepts!(meeting::MeetingMode),
    },
    Definition {
        id: "discharge-state",
        name: "HearthDischargeState",
        title: "Discharge states",
        description: "Where a planned discharge from a stay stands.",
        concepts: concepts!(transition::DischargeState),
    },
    Definition {
        id: "discharge-checklist-item",
        name: "HearthDischargeChecklistItem",
        title: "Discharge checklist items",
        description: "What is done before a patient leaves a stay for home.",
        concepts: concepts!(transition::ChecklistItem),
    },
    Definition {
        id: "discharge-letter-part",
        name: "HearthDischargeLetterPart",
        title: "Discharge letter parts",
        description: "The parts of the discharge letter Hearth asks for (each one required).",
        concepts: || {
            transition::letter_parts(&transition::Letter::default())
                .into_iter()
                .map(|(code, display, _)| (code, display))
                .collect()
        },
    },
];

/// Every code system Hearth publishes.
pub fn code_systems() -> Vec<CodeSystem> {
    DEFINITIONS.iter().map(build).collect()
}

/// The code system with this id.
pub fn code_system(id: &str) -> Option<CodeSystem> {
    DEFINITIONS.iter().find(|d| d.id == id).map(build)
}

fn build(d: &Definition) -> CodeSystem {
    let concept: Vec<Concept> = (d.concepts)()
        .into_iter()
        .map(|(code, display)| Concept {
            code: code.to_owned(),
            display: display.to_owned(),
        })
        .collect();
    CodeSystem {
        id: d.id.to_owned(),
        url: system(d.id),
        name: d.name.to_owned(),
        title: d.title.to_owned(),
        status: "active".to_owned(),
        case_sensitive: true,
        description: d.description.to_owned(),
        content: "complete".to_owned(),
        count: concept.len() as u32,
        concept,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_system_lists_every_code_of_its_domain_list() {
        let systems = code_systems();
        assert_eq!(systems.len(), DEFINITIONS.len());
        let phase = code_system("phase").unwrap();
        assert_eq!(phase.count as usize, assessment::Phase::ALL.len());
        assert_eq!(phase.concept[0].code, "stable");
        assert!(code_system("nonsense").is_none());
        let mut ids: Vec<_> = systems.iter().map(|s| s.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), systems.len(), "ids are unique");
    }
}
