//! The audit trail, read-only.

use serde::{Deserialize, Serialize};

use crate::datatypes::{CodeableConcept, Reference, is_empty};

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
