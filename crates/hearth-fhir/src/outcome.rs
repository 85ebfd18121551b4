//! OperationOutcome: how the FHIR API says what went wrong and what to do about it.

use serde::{Deserialize, Serialize};

use crate::datatypes::{CodeableConcept, is_empty};

/// The outcome of an interaction: one issue or more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationOutcome {
    pub issue: Vec<Issue>,
}

/// One issue, with FHIR's severity and issue type and Hearth's explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    pub severity: Severity,
    pub code: IssueType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<String>,
    /// FHIRPath expressions of the elements concerned.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub expression: Vec<String>,
}

/// FHIR's `issue-severity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Fatal,
    Error,
    Warning,
    Information,
}

/// The FHIR `issue-type` codes Hearth uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssueType {
    Invalid,
    Structure,
    Required,
    Value,
    Security,
    Login,
    Forbidden,
    Processing,
    NotSupported,
    Duplicate,
    NotFound,
    Deleted,
    TooCostly,
    Throttled,
    Conflict,
    Exception,
    Informational,
}

impl OperationOutcome {
    /// An outcome of one error.
    pub fn error(code: IssueType, diagnostics: impl Into<String>) -> OperationOutcome {
        OperationOutcome {
            issue: vec![Issue {
                severity: Severity::Error,
                code,
                details: None,
                diagnostics: Some(diagnostics.into()),
                expression: Vec::new(),
            }],
        }
    }

    /// An outcome of one error about the element at `expression`.
    pub fn at(
        code: IssueType,
        expression: impl Into<String>,
        diagnostics: impl Into<String>,
    ) -> OperationOutcome {
        let mut outcome = OperationOutcome::error(code, diagnostics);
        if let Some(issue) = outcome.issue.first_mut() {
            issue.expression.push(expression.into());
        }
        outcome
    }

    /// An informational outcome (a successful interaction that returns no resource).
    pub fn information(diagnostics: impl Into<String>) -> OperationOutcome {
        OperationOutcome {
            issue: vec![Issue {
                severity: Severity::Information,
                code: IssueType::Informational,
                details: None,
                diagnostics: Some(diagnostics.into()),
                expression: Vec::new(),
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outcome_names_severity_code_and_what_went_wrong() {
        let o = OperationOutcome::at(
            IssueType::Value,
            "Patient.birthDate",
            "The date of birth is in the future.",
        );
        let json = serde_json::to_value(&o).unwrap();
        assert_eq!(json["issue"][0]["severity"], "error");
        assert_eq!(json["issue"][0]["code"], "value");
        assert_eq!(json["issue"][0]["expression"][0], "Patient.birthDate");
        let json = serde_json::to_value(OperationOutcome::error(IssueType::NotFound, "x")).unwrap();
        assert_eq!(json["issue"][0]["code"], "not-found");
        assert!(json["issue"][0].get("expression").is_none(), "{json}");
    }
}
