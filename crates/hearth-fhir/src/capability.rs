//! The CapabilityStatement at `/fhir/metadata`: exactly what the API supports, built from the
//! same table the router dispatches on ([`SUPPORTED`]), so the two cannot disagree.

use serde::{Deserialize, Serialize};

use crate::datatypes::is_empty;

/// A search parameter a resource type supports.
#[derive(Debug, Clone, Copy)]
pub struct SearchParam {
    pub name: &'static str,
    pub type_: &'static str,
    pub documentation: &'static str,
}

/// A resource type the API serves, with its interactions and search parameters.
#[derive(Debug, Clone, Copy)]
pub struct Supported {
    pub type_name: &'static str,
    pub interactions: &'static [&'static str],
    pub search: &'static [SearchParam],
    pub operations: &'static [&'static str],
}

const PATIENT_PARAM: SearchParam = SearchParam {
    name: "patient",
    type_: "reference",
    documentation: "The patient the resources are about: Patient/{id} or {id}.",
};
const SUBJECT_PARAM: SearchParam = SearchParam {
    name: "subject",
    type_: "reference",
    documentation: "The same as patient.",
};

/// The filters every patient-compartment type takes, beside `patient`.
pub const RECORD_FILTERS: &[SearchParam] = &[
    SearchParam {
        name: "status",
        type_: "token",
        documentation: "The resource's status (a Goal's lifecycleStatus), one or more separated by commas.",
    },
    SearchParam {
        name: "date",
        type_: "date",
        documentation: "When it happened (an observation's time, a stay's or episode's start, a referral's, task's or call request's authoring, a message's sending, a discharge letter's date, an assessment's answering, a meeting's start), with eq, ne, lt, le, gt or ge, compared at the precision given.",
    },
    SearchParam {
        name: "_lastUpdated",
        type_: "date",
        documentation: "When the resource last changed, with the same prefixes.",
    },
    SearchParam {
        name: "_sort",
        type_: "string",
        documentation: "date or _lastUpdated, with - for newest first.",
    },
];

/// The resource types served and how.
pub const SUPPORTED: &[Supported] = &[
    Supported {
        type_name: "Patient",
        interactions: &[
            "read",
            "vread",
            "history-instance",
            "search-type",
            "create",
            "update",
        ],
        search: &[
            SearchParam {
                name: "identifier",
                type_: "token",
                documentation: "The national number, as system|value or value: finds a registered patient.",
            },
            SearchParam {
                name: "_id",
                type_: "token",
                documentation: "The patient's id.",
            },
        ],
        operations: &["everything"],
    },
    Supported {
        type_name: "Practitioner",
        interactions: &["read", "search-type"],
        search: &[],
        operations: &[],
    },
    Supported {
        type_name: "PractitionerRole",
        interactions: &["read", "search-type"],
        search: &[],
        operations: &[],
    },
    Supported {
        type_name: "Organization",
        interactions: &["read", "search-type"],
        search: &[],
        operations: &[],
    },
    Supported {
        type_name: "HealthcareService",
        interactions: &["read", "search-type"],
        search: &[],
        operations: &[],
    },
    Supported {
        type_name: "CareTeam",
        interactions: &["read", "search-type"],
        search: &[PATIENT_PARAM, SUBJECT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "EpisodeOfCare",
        interactions: &["read", "search-type"],
        search: &[PATIENT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "Condition",
        interactions: &["read", "search-type"],
        search: &[PATIENT_PARAM, SUBJECT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "Consent",
        interactions: &["read", "search-type"],
        search: &[PATIENT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "Observation",
        interactions: &["read", "search-type", "create"],
        search: &[PATIENT_PARAM, SUBJECT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "CarePlan",
        interactions: &["read", "vread", "history-instance", "search-type", "update"],
        search: &[PATIENT_PARAM, SUBJECT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "Goal",
        interactions: &["read", "search-type"],
        search: &[PATIENT_PARAM, SUBJECT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "MedicationRequest",
        interactions: &["read", "search-type"],
        search: &[PATIENT_PARAM, SUBJECT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "ServiceRequest",
        interactions: &["read", "search-type"],
        search: &[PATIENT_PARAM, SUBJECT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "Task",
        interactions: &["read", "search-type"],
        search: &[PATIENT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "Encounter",
        interactions: &["read", "search-type"],
        search: &[PATIENT_PARAM, SUBJECT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "Communication",
        interactions: &["read", "search-type"],
        search: &[PATIENT_PARAM, SUBJECT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "CommunicationRequest",
        interactions: &["read", "search-type"],
        search: &[PATIENT_PARAM, SUBJECT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "Composition",
        interactions: &["read", "search-type"],
        search: &[PATIENT_PARAM, SUBJECT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "QuestionnaireResponse",
        interactions: &["read", "search-type"],
        search: &[PATIENT_PARAM, SUBJECT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "Appointment",
        interactions: &["read", "search-type"],
        search: &[],
        operations: &[],
    },
    Supported {
        type_name: "AuditEvent",
        interactions: &["search-type"],
        search: &[PATIENT_PARAM],
        operations: &[],
    },
    Supported {
        type_name: "CodeSystem",
        interactions: &["read", "search-type"],
        search: &[],
        operations: &[],
    },
    Supported {
        type_name: "Questionnaire",
        interactions: &["read", "search-type"],
        search: &[],
        operations: &[],
    },
];

/// Whether a type takes the filters of [`RECORD_FILTERS`]: the record's types, and meetings.
pub fn takes_filters(s: &Supported) -> bool {
    is_record_type(s) || s.type_name == "Appointment"
}

/// Whether a type is searched within one patient's record (it takes `patient`).
pub fn is_record_type(s: &Supported) -> bool {
    s.search.iter().any(|p| p.name == "patient")
}

/// The entry of `type_name` in [`SUPPORTED`].
pub fn supported(type_name: &str) -> Option<&'static Supported> {
    SUPPORTED.iter().find(|s| s.type_name == type_name)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityStatement {
    pub status: String,
    pub date: String,
    pub publisher: String,
    pub kind: String,
    pub software: Software,
    pub implementation: Implementation,
    pub fhir_version: String,
    pub format: Vec<String>,
    pub rest: Vec<Rest>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Software {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Implementation {
    pub description: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rest {
    pub mode: String,
    pub documentation: String,
    pub security: RestSecurity,
    pub resource: Vec<RestResource>,
    /// Interactions of the whole system: transaction and batch Bundles.
    pub interaction: Vec<Interaction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestSecurity {
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestResource {
    #[serde(rename = "type")]
    pub type_: String,
    pub interaction: Vec<Interaction>,
    pub versioning: String,
    pub read_history: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditional_create: Option<bool>,
    /// The `_include` values answered (`include.rs`).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub search_include: Vec<String>,
    /// The `_revinclude` values answered (on Patient: the types of the record).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub search_rev_include: Vec<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub search_param: Vec<RestSearchParam>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub operation: Vec<RestOperation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestSearchParam {
    pub name: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub documentation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestOperation {
    pub name: String,
    pub definition: String,
}

/// Search parameters every type takes.
const COMMON_PARAMS: &[SearchParam] = &[
    SearchParam {
        name: "_count",
        type_: "number",
        documentation: "At most this many matches a page (default and maximum 100).",
    },
    SearchParam {
        name: "_offset",
        type_: "number",
        documentation: "Skip this many matches (the next link carries it).",
    },
];

/// The statement for the server at `base` (its absolute FHIR URL), software `version`,
/// published at `date`.
pub fn capability_statement(base: &str, version: &str, date: &str) -> CapabilityStatement {
    let resource = SUPPORTED
        .iter()
        .map(|s| RestResource {
            type_: s.type_name.to_owned(),
            interaction: s
                .interactions
                .iter()
                .map(|c| Interaction {
                    code: (*c).to_owned(),
                })
                .collect(),
            versioning: "versioned".to_owned(),
            read_history: s.interactions.contains(&"vread"),
            // Conditional creates are on the national number: patients only.
            conditional_create: (s.type_name == "Patient").then_some(true),
            search_include: crate::include::of_type(s.type_name),
            search_rev_include: if s.type_name == "Patient" {
                crate::include::revincludes()
            } else {
                Vec::new()
            },
            search_param: s
                .search
                .iter()
                .chain(if takes_filters(s) {
                    RECORD_FILTERS
                } else {
                    &[]
                })
                .chain(COMMON_PARAMS)
                .map(|p| RestSearchParam {
                    name: p.name.to_owned(),
                    type_: p.type_.to_owned(),
                    documentation: p.documentation.to_owned(),
                })
                .collect(),
            operation: s
                .operations
                .iter()
                .map(|o| RestOperation {
                    name: (*o).to_owned(),
                    definition: format!("http://hl7.org/fhir/OperationDefinition/Patient-{o}"),
                })
                .collect(),
        })
        .collect();
    CapabilityStatement {
        status: "active".to_owned(),
        date: date.to_owned(),
        publisher: "Hearth".to_owned(),
        kind: "instance".to_owned(),
        software: Software {
            name: "Hearth".to_owned(),
            version: version.to_owned(),
        },
        implementation: Implementation {
            description: "Hearth: integrated palliative care".to_owned(),
            url: base.to_owned(),
        },
        fhir_version: "4.0.1".to_owned(),
        format: vec!["json".to_owned(), "application/fhir+json".to_owned()],
        rest: vec![Rest {
            mode: "server".to_owned(),
            documentation: "Reads and searches of what Hearth holds, the creation of patients (conditional on the national number, If-None-Exist: identifier=...) and their update (If-Match required) with every version kept (vread, _history), with the access rules and audit of the web interface. Transaction and batch Bundles (POST /fhir) of Patient creates, at most 100 entries. Other writes, and the history of other types, are not supported yet.".to_owned(),
            security: RestSecurity {
                description: "Authorization: Bearer with a token from 'hearth token create'. A clinician sees the patients whose care team they (or their organisation) are in.".to_owned(),
            },
            resource,
            interaction: ["transaction", "batch"]
                .into_iter()
                .map(|code| Interaction {
                    code: code.to_owned(),
                })
                .collect(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_lists_every_supported_type_with_its_interactions_and_paging() {
        let cs = capability_statement("http://h/fhir", "1", "2026-12-03");
        let json = serde_json::to_value(&cs).unwrap();
        assert_eq!(json["fhirVersion"], "4.0.1");
        let resources = json["rest"][0]["resource"].as_array().unwrap();
        assert_eq!(resources.len(), SUPPORTED.len());
        let observation = resources
            .iter()
            .find(|r| r["type"] == "Observation")
            .unwrap();
        let interactions: Vec<&str> = observation["interaction"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap())
            .collect();
        assert_eq!(interactions, ["read", "search-type", "create"]);
        assert!(
            observation.get("conditionalCreate").is_none(),
            "conditional creates are on the national number, patients only"
        );
        let params: Vec<&str> = observation["searchParam"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert!(
            params.contains(&"patient") && params.contains(&"_offset"),
            "{params:?}"
        );
        assert!(supported("Spaceship").is_none());
    }
}
