//! FHIR → domain: reading a resource a client sends (or a file `hearth import` reads) into the
//! domain's input types. What the domain cannot represent is refused with an OperationOutcome
//! that names the element and says why, never silently dropped: a clinician must not believe a
//! detail was shared when Hearth did not keep it.

use hearth_domain::OrganisationId;
use hearth_domain::patient::NewPatient;
use serde_json::{Map, Value};

use crate::codes::extension;
use crate::outcome::{Issue, IssueType, OperationOutcome, Severity};

/// The largest resource Hearth reads, in bytes of JSON.
pub const MAX_RESOURCE_BYTES: usize = 64 * 1024;

/// Collects the problems of one resource, so a client learns all of them at once.
#[derive(Debug, Default)]
struct Problems(Vec<Issue>);

impl Problems {
    fn add(&mut self, code: IssueType, expression: &str, diagnostics: String) {
        self.0.push(Issue {
            severity: Severity::Error,
            code,
            details: None,
            diagnostics: Some(diagnostics),
            expression: vec![expression.to_owned()],
        });
    }

    fn unsupported(&mut self, expression: &str, why: &str) {
        self.add(
            IssueType::NotSupported,
            expression,
            format!("Hearth cannot keep {expression}: {why}"),
        );
    }

    fn outcome(self) -> Option<OperationOutcome> {
        (!self.0.is_empty()).then_some(OperationOutcome { issue: self.0 })
    }
}

/// Parses JSON text into a value, refusing what is not one FHIR resource.
pub fn json(text: &[u8]) -> Result<Value, OperationOutcome> {
    if text.len() > MAX_RESOURCE_BYTES {
        return Err(OperationOutcome::error(
            IssueType::TooCostly,
            format!(
                "The resource is {} bytes; Hearth reads resources of up to {MAX_RESOURCE_BYTES} bytes.",
                text.len()
            ),
        ));
    }
    let value: Value = serde_json::from_slice(text).map_err(|e| {
        OperationOutcome::error(
            IssueType::Structure,
            format!("The body is not valid JSON ({e}). Send one FHIR resource as JSON."),
        )
    })?;
    if !value.is_object() {
        return Err(OperationOutcome::error(
            IssueType::Structure,
            "The body is JSON but not an object: send one FHIR resource.",
        ));
    }
    Ok(value)
}

/// The `resourceType` of a resource.
pub fn resource_type(value: &Value) -> Result<&str, OperationOutcome> {
    value
        .get("resourceType")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            OperationOutcome::at(
                IssueType::Required,
                "resourceType",
                "The resource has no resourceType.",
            )
        })
}

fn str_at<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
    problems: &mut Problems,
) -> Option<&'a str> {
    match obj.get(key) {
        None => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            problems.add(
                IssueType::Structure,
                &format!("{path}.{key}"),
                format!("{path}.{key} must be a string."),
            );
            None
        }
    }
}

fn array_at<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
    problems: &mut Problems,
) -> &'a [Value] {
    match obj.get(key) {
        None => &[],
        Some(Value::Array(a)) => a,
        Some(_) => {
            problems.add(
                IssueType::Structure,
                &format!("{path}.{key}"),
                format!("{path}.{key} must be an array."),
            );
            &[]
        }
    }
}

/// Refuses elements of `obj` other than `known`, naming them.
fn only(obj: &Map<String, Value>, known: &[&str], path: &str, why: &str, problems: &mut Problems) {
    for key in obj.keys() {
        // `_x` carries extensions of primitive `x`: refused with `x`'s other details.
        if !known.contains(&key.as_str()) {
            problems.unsupported(&format!("{path}.{key}"), why);
        }
    }
}

/// A Patient as Hearth can store it: the national number of `national_system`, one name, gender,
/// birth date, one home address, Hearth's own extensions, and the organisations involved
/// (`generalPractitioner` references to organisations).
pub fn patient(value: &Value, national_system: &str) -> Result<NewPatient, OperationOutcome> {
    let mut problems = Problems::default();
    let Some(obj) = value.as_object() else {
        return Err(OperationOutcome::error(
            IssueType::Structure,
            "A Patient must be a JSON object.",
        ));
    };
    if resource_type(value)? != "Patient" {
        return Err(OperationOutcome::at(
            IssueType::Invalid,
            "resourceType",
            "Expected a Patient.",
        ));
    }
    only(
        obj,
        &[
            "resourceType",
            "id",
            "meta",
            "text",
            "extension",
            "identifier",
            "active",
            "name",
            "gender",
            "birthDate",
            "address",
            "generalPractitioner",
        ],
        "Patient",
        "Hearth keeps a patient's national number, name, gender, date of birth, home address and the organisations involved; contact details and relatives belong in the care plan (main carer and family)",
        &mut problems,
    );
    let mut input = NewPatient::default();

    let mut national = None;
    for (i, identifier) in array_at(obj, "identifier", "Patient", &mut problems)
        .iter()
        .enumerate()
    {
        let path = format!("Patient.identifier[{i}]");
        let Some(id) = identifier.as_object() else {
            problems.add(
                IssueType::Structure,
                &path,
                format!("{path} must be an object."),
            );
            continue;
        };
        let system = str_at(id, "system", &path, &mut problems);
        let value = str_at(id, "value", &path, &mut problems);
        match (system, value) {
            (Some(s), Some(v)) if s == national_system => {
                if national.replace(v.to_owned()).is_some() {
                    problems.add(
                        IssueType::Invalid,
                        &path,
                        "The patient has two national numbers; send one.".to_owned(),
                    );
                }
            }
            _ => problems.unsupported(
                &path,
                &format!("Hearth keeps only the national number (system {national_system})"),
            ),
        }
    }
    match national {
        Some(n) => input.national_number = n,
        None => problems.add(
            IssueType::Required,
            "Patient.identifier",
            format!("The patient needs their national number, as an identifier of system {national_system}."),
        ),
    }

    let names = array_at(obj, "name", "Patient", &mut problems);
    match names {
        [] => problems.add(
            IssueType::Required,
            "Patient.name",
            "The patient needs a name (given and family).".to_owned(),
        ),
        [name] => match name.as_object() {
            Some(n) => {
                only(
                    n,
                    &["use", "text", "family", "given"],
                    "Patient.name[0]",
                    "Hearth keeps a given and a family name",
                    &mut problems,
                );
                input.family_name = str_at(n, "family", "Patient.name[0]", &mut problems)
                    .unwrap_or_default()
                    .to_owned();
                let given: Vec<&str> = array_at(n, "given", "Patient.name[0]", &mut problems)
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                input.given_name = given.join(" ");
            }
            None => problems.add(
                IssueType::Structure,
                "Patient.name[0]",
                "Patient.name[0] must be an object.".to_owned(),
            ),
        },
        _ => problems.unsupported(
            "Patient.name[1]",
            "Hearth keeps one name per patient (send the official one)",
        ),
    }

    input.sex = str_at(obj, "gender", "Patient", &mut problems)
        .unwrap_or_default()
        .to_owned();
    input.date_of_birth = str_at(obj, "birthDate", "Patient", &mut problems)
        .unwrap_or_default()
        .to_owned();
    if let Some(active) = obj.get("active")
        && active != &Value::Bool(true)
    {
        problems.unsupported(
            "Patient.active",
            "Hearth's patients are active; a patient leaves the register instead",
        );
    }

    match array_at(obj, "address", "Patient", &mut problems) {
        [] => problems.add(
            IssueType::Required,
            "Patient.address",
            "The patient needs their home address: the team visits them there.".to_owned(),
        ),
        [address] => match address.as_object() {
            Some(a) => {
                let path = "Patient.address[0]";
                only(
                    a,
                    &[
                        "use",
                        "type",
                        "text",
                        "line",
                        "city",
                        "district",
                        "postalCode",
                    ],
                    path,
                    "Hearth keeps the address lines, town, area and postcode",
                    &mut problems,
                );
                if let Some(u) = str_at(a, "use", path, &mut problems)
                    && u != "home"
                {
                    problems
                        .unsupported(&format!("{path}.use"), "Hearth keeps the home address only");
                }
                let lines: Vec<&str> = array_at(a, "line", path, &mut problems)
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                input.address_line = lines.join(", ");
                input.town = str_at(a, "city", path, &mut problems)
                    .unwrap_or_default()
                    .to_owned();
                input.area = str_at(a, "district", path, &mut problems)
                    .unwrap_or_default()
                    .to_owned();
                input.postcode = str_at(a, "postalCode", path, &mut problems)
                    .unwrap_or_default()
                    .to_owned();
            }
            None => problems.add(
                IssueType::Structure,
                "Patient.address[0]",
                "Patient.address[0] must be an object.".to_owned(),
            ),
        },
        _ => problems.unsupported(
            "Patient.address[1]",
            "Hearth keeps one home address per patient",
        ),
    }

    for (i, gp) in array_at(obj, "generalPractitioner", "Patient", &mut problems)
        .iter()
        .enumerate()
    {
        let path = format!("Patient.generalPractitioner[{i}]");
        let reference = gp
            .get("reference")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("Organization/"))
            .and_then(OrganisationId::parse);
        match reference {
            Some(org) => input.organisations.push(org),
            None => problems.unsupported(
                &path,
                "Hearth records the organisations involved (Organization/{id} of its directory); practitioners join the care team instead",
            ),
        }
    }

    let rural = extension("rural");
    let travel = extension("travel-minutes-to-hospital");
    for (i, ext) in array_at(obj, "extension", "Patient", &mut problems)
        .iter()
        .enumerate()
    {
        let path = format!("Patient.extension[{i}]");
        let url = ext.get("url").and_then(Value::as_str).unwrap_or_default();
        if url == rural {
            match ext.get("valueBoolean").and_then(Value::as_bool) {
                Some(b) => input.rural = b,
                None => problems.add(
                    IssueType::Value,
                    &path,
                    "The rural extension takes valueBoolean.".to_owned(),
                ),
            }
        } else if url == travel {
            match ext
                .get("valueInteger")
                .and_then(Value::as_u64)
                .and_then(|m| u16::try_from(m).ok())
            {
                Some(m) => input.travel_minutes_to_hospital = Some(m),
                None => problems.add(
                    IssueType::Value,
                    &path,
                    "The travel time extension takes valueInteger, in minutes.".to_owned(),
                ),
            }
        } else {
            problems.unsupported(
                &path,
                &format!("the extension '{url}' is not one of Hearth's"),
            );
        }
    }

    match problems.outcome() {
        Some(outcome) => Err(outcome),
        None => Ok(input),
    }
}

/// An OperationOutcome for a domain validation error, pointing at the FHIR element.
pub fn validation(error: &hearth_domain::ValidationError) -> OperationOutcome {
    let expression = match error.field {
        "national_number" => "Patient.identifier",
        "given_name" | "family_name" => "Patient.name",
        "date_of_birth" => "Patient.birthDate",
        "sex" => "Patient.gender",
        "address_line" | "town" | "postcode" | "area" => "Patient.address",
        "organisations" => "Patient.generalPractitioner",
        "travel_minutes_to_hospital" => "Patient.extension",
        other => other,
    };
    OperationOutcome::at(IssueType::Value, expression, error.message.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NHS: &str = "https://fhir.nhs.uk/Id/nhs-number";

    fn edith() -> Value {
        serde_json::json!({
            "resourceType": "Patient",
            "identifier": [{"system": NHS, "value": "9434765919"}],
            "name": [{"use": "official", "family": "Carter", "given": ["Edith", "May"]}],
            "gender": "female",
            "birthDate": "1941-03-09",
            "address": [{"use": "home", "line": ["4 Mill Lane"], "city": "Ashby", "postalCode": "AB1 2CD"}],
            "generalPractitioner": [{"reference": "Organization/practice-1"}],
            "extension": [{"url": extension("rural"), "valueBoolean": true}]
        })
    }

    #[test]
    fn a_patient_hearth_can_keep_reads_into_the_domain_input() {
        let p = patient(&edith(), NHS).unwrap();
        assert_eq!(p.national_number, "9434765919");
        assert_eq!(p.given_name, "Edith May");
        assert_eq!(p.family_name, "Carter");
        assert_eq!(p.date_of_birth, "1941-03-09");
        assert_eq!(p.town, "Ashby");
        assert_eq!(p.postcode, "AB1 2CD");
        assert!(p.rural);
        assert_eq!(p.organisations, vec![OrganisationId::new("practice-1")]);
    }

    #[test]
    fn what_hearth_cannot_keep_is_refused_naming_every_element() {
        let mut v = edith();
        v["telecom"] = serde_json::json!([{"system": "phone", "value": "01234"}]);
        v["identifier"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"system": "urn:mrn", "value": "1"}));
        v["name"][0]["prefix"] = serde_json::json!(["Mrs"]);
        let outcome = patient(&v, NHS).unwrap_err();
        let paths: Vec<&str> = outcome
            .issue
            .iter()
            .map(|i| i.expression[0].as_str())
            .collect();
        assert!(paths.contains(&"Patient.telecom"), "{paths:?}");
        assert!(paths.contains(&"Patient.identifier[1]"), "{paths:?}");
        assert!(paths.contains(&"Patient.name[0].prefix"), "{paths:?}");
        assert!(
            outcome
                .issue
                .iter()
                .all(|i| i.code == IssueType::NotSupported)
        );
    }

    #[test]
    fn missing_essentials_and_wrong_types_are_named() {
        let v = serde_json::json!({"resourceType": "Patient", "gender": 3, "name": "Edith"});
        let outcome = patient(&v, NHS).unwrap_err();
        let text = serde_json::to_string(&outcome).unwrap();
        assert!(text.contains("national number"), "{text}");
        assert!(text.contains("Patient.gender must be a string"), "{text}");
        assert!(text.contains("Patient.name must be an array"), "{text}");
        assert!(text.contains("home address"), "{text}");
        assert!(patient(&serde_json::json!({"resourceType": "Observation"}), NHS).is_err());
        assert!(patient(&serde_json::json!([1, 2]), NHS).is_err());
    }

    #[test]
    fn bodies_that_are_not_one_json_object_are_refused() {
        assert!(json(b"{").is_err());
        assert!(json(b"[]").is_err());
        assert!(json(&vec![b' '; MAX_RESOURCE_BYTES + 1]).is_err());
        assert!(json(br#"{"resourceType":"Patient"}"#).is_ok());
    }
}
