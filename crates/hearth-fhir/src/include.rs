//! `_include`: the resources a search's matches refer to, added to the result. Hearth answers
//! the includes a clinician's system needs in one request instead of one read per reference: a
//! plan with its goals and medicines, a care team with its people and services, a register
//! entry with its coordinator and organisation. The table below is what the API accepts and what
//! the CapabilityStatement lists; anything else is refused rather than ignored.

use serde_json::Value;

use crate::resources::Resource;

/// One include: `source:param` follows the references at `path` (dot-separated, through
/// arrays) to resources of `targets`.
#[derive(Debug, Clone, Copy)]
pub struct Include {
    pub source: &'static str,
    pub param: &'static str,
    pub path: &'static str,
    pub targets: &'static [&'static str],
}

/// Every include Hearth answers.
pub const INCLUDES: &[Include] = &[
    Include {
        source: "CarePlan",
        param: "goal",
        path: "goal",
        targets: &["Goal"],
    },
    Include {
        source: "CarePlan",
        param: "activity-reference",
        path: "activity.reference",
        targets: &["MedicationRequest"],
    },
    Include {
        source: "CarePlan",
        param: "care-team",
        path: "careTeam",
        targets: &["CareTeam"],
    },
    Include {
        source: "CareTeam",
        param: "participant",
        path: "participant.member",
        targets: &["Practitioner", "Organization"],
    },
    Include {
        source: "EpisodeOfCare",
        param: "care-manager",
        path: "careManager",
        targets: &["Practitioner"],
    },
    Include {
        source: "EpisodeOfCare",
        param: "organization",
        path: "managingOrganization",
        targets: &["Organization"],
    },
    Include {
        source: "EpisodeOfCare",
        param: "condition",
        path: "diagnosis.condition",
        targets: &["Condition"],
    },
    Include {
        source: "Observation",
        param: "performer",
        path: "performer",
        targets: &["Practitioner"],
    },
    Include {
        source: "ServiceRequest",
        param: "performer",
        path: "performer",
        targets: &["Organization"],
    },
    Include {
        source: "ServiceRequest",
        param: "requester",
        path: "requester",
        targets: &["Practitioner"],
    },
    Include {
        source: "Task",
        param: "owner",
        path: "owner",
        targets: &["Practitioner", "Organization", "CareTeam"],
    },
    Include {
        source: "Task",
        param: "requester",
        path: "requester",
        targets: &["Practitioner"],
    },
    Include {
        source: "Communication",
        param: "sender",
        path: "sender",
        targets: &["Practitioner"],
    },
    Include {
        source: "Communication",
        param: "recipient",
        path: "recipient",
        targets: &["Practitioner", "Organization"],
    },
    Include {
        source: "CommunicationRequest",
        param: "requester",
        path: "requester",
        targets: &["Practitioner"],
    },
    Include {
        source: "Composition",
        param: "author",
        path: "author",
        targets: &["Practitioner"],
    },
    Include {
        source: "Composition",
        param: "encounter",
        path: "encounter",
        targets: &["Encounter"],
    },
    Include {
        source: "QuestionnaireResponse",
        param: "author",
        path: "author",
        targets: &["Practitioner"],
    },
    Include {
        source: "Appointment",
        param: "actor",
        path: "participant.actor",
        targets: &["PractitionerRole", "Practitioner"],
    },
    Include {
        source: "Encounter",
        param: "service-provider",
        path: "serviceProvider",
        targets: &["Organization"],
    },
];

/// The includes of `source`, as the CapabilityStatement writes them (`CarePlan:goal`).
pub fn of_type(source: &str) -> Vec<String> {
    INCLUDES
        .iter()
        .filter(|i| i.source == source)
        .map(|i| format!("{}:{}", i.source, i.param))
        .collect()
}

/// The include an `_include` value names for a search of `source`, or why it cannot be
/// answered. `Type:param:Target` narrows the targets to one type.
pub fn parse(source: &str, value: &str) -> Result<(Include, Option<String>), String> {
    let mut parts = value.splitn(3, ':');
    let (kind, param, target) = (parts.next(), parts.next(), parts.next());
    let known = || {
        let list = of_type(source);
        if list.is_empty() {
            format!("a search of {source} includes nothing")
        } else {
            format!("a search of {source} can include {}", list.join(", "))
        }
    };
    let include = INCLUDES
        .iter()
        .find(|i| Some(i.source) == kind && Some(i.param) == param && i.source == source)
        .ok_or_else(|| format!("Hearth cannot answer _include={value}: {}.", known()))?;
    if let Some(t) = target
        && !include.targets.contains(&t)
    {
        return Err(format!(
            "_include={value}: {}:{} refers to {}, not {t}.",
            include.source,
            include.param,
            include.targets.join(" or ")
        ));
    }
    Ok((*include, target.map(str::to_owned)))
}

/// The references (`Type`, `id`) `include` follows in `resource`, in order, without repeats,
/// only to `target` when given.
/// Every relative reference anywhere in `resource` (elements, extensions, contained parts), as
/// (type, id): what a file must also hold for the resource to be imported on its own.
pub fn all_references(resource: &Resource) -> Vec<(String, String)> {
    fn collect(v: &Value, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(fields) => {
                if let Some(Value::String(r)) = fields.get("reference")
                    && let Some((kind, id)) = r.split_once('/')
                    && !id.is_empty()
                    && !id.contains('/')
                {
                    let pair = (kind.to_owned(), id.to_owned());
                    if !out.contains(&pair) {
                        out.push(pair);
                    }
                }
                fields.values().for_each(|f| collect(f, out));
            }
            Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(json) = serde_json::to_value(resource) {
        collect(&json, &mut out);
    }
    out
}

/// The references at `include`'s path in `resource` (to `target`, or to any of its targets).
pub fn references(
    resource: &Resource,
    include: &Include,
    target: Option<&str>,
) -> Vec<(String, String)> {
    let Ok(json) = serde_json::to_value(resource) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    walk(
        &json,
        &include.path.split('.').collect::<Vec<_>>(),
        &mut found,
    );
    let mut out: Vec<(String, String)> = Vec::new();
    for reference in found {
        let Some((kind, id)) = reference.split_once('/') else {
            continue;
        };
        let wanted = match target {
            Some(t) => kind == t,
            None => include.targets.contains(&kind),
        };
        let pair = (kind.to_owned(), id.to_owned());
        if wanted && !id.is_empty() && !out.contains(&pair) {
            out.push(pair);
        }
    }
    out
}

fn walk(value: &Value, path: &[&str], out: &mut Vec<String>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| walk(v, path, out)),
        Value::Object(map) => match path.split_first() {
            Some((first, rest)) => {
                if let Some(v) = map.get(*first) {
                    walk(v, rest, out);
                }
            }
            None => {
                if let Some(Value::String(r)) = map.get("reference") {
                    out.push(r.clone());
                }
            }
        },
        _ => {}
    }
}

/// The `_revinclude` values a Patient search answers: every type of the patient's record, by
/// `patient` (the types' own search parameter), so `CareTeam:patient` adds the patient's care
/// team. The audit trail is not among them (it is the coordinator's, through its own search).
pub fn revincludes() -> Vec<String> {
    crate::capability::SUPPORTED
        .iter()
        .filter(|s| crate::capability::is_record_type(s) && s.type_name != "AuditEvent")
        .map(|s| format!("{}:patient", s.type_name))
        .collect()
}

/// The type a Patient search's `_revinclude` value adds, or why it cannot be answered.
pub fn parse_revinclude(value: &str) -> Result<String, String> {
    let all = revincludes();
    if all.iter().any(|r| r == value) {
        Ok(value.trim_end_matches(":patient").to_owned())
    } else {
        Err(format!(
            "Hearth cannot answer _revinclude={value}: a Patient search can add {}.",
            all.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_include_is_read_from_the_table_or_refused_saying_what_is_possible() {
        let (i, t) = parse("CareTeam", "CareTeam:participant:Practitioner").unwrap();
        assert_eq!(i.path, "participant.member");
        assert_eq!(t.as_deref(), Some("Practitioner"));
        let e = parse("CareTeam", "CareTeam:subject").unwrap_err();
        assert!(e.contains("CareTeam:participant"), "{e}");
        let e = parse("CarePlan", "CareTeam:participant").unwrap_err();
        assert!(e.contains("CarePlan:goal"), "{e}");
        let e = parse("CareTeam", "CareTeam:participant:Patient").unwrap_err();
        assert!(e.contains("Practitioner or Organization"), "{e}");
        assert!(
            parse("Patient", "Patient:link")
                .unwrap_err()
                .contains("includes nothing")
        );
    }

    #[test]
    fn a_patient_search_adds_the_types_of_the_record_only() {
        assert_eq!(parse_revinclude("CareTeam:patient").unwrap(), "CareTeam");
        assert!(revincludes().contains(&"Observation:patient".to_owned()));
        let e = parse_revinclude("AuditEvent:patient").unwrap_err();
        assert!(e.contains("CarePlan:patient"), "{e}");
        assert!(parse_revinclude("Practitioner:patient").is_err());
    }

    #[test]
    fn references_are_followed_through_arrays_once_each() {
        let team: Resource = serde_json::from_value(serde_json::json!({
            "resourceType": "CareTeam", "id": "t", "subject": {"reference": "Patient/p"},
            "participant": [
                {"member": {"reference": "Practitioner/a"}},
                {"member": {"reference": "Organization/o"}},
                {"member": {"reference": "Practitioner/a"}}
            ]
        }))
        .unwrap();
        let (i, _) = parse("CareTeam", "CareTeam:participant").unwrap();
        assert_eq!(
            references(&team, &i, None),
            [
                ("Practitioner".to_owned(), "a".to_owned()),
                ("Organization".to_owned(), "o".to_owned())
            ]
        );
        assert_eq!(references(&team, &i, Some("Organization")).len(), 1);
    }
}
