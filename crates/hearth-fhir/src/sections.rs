//! A care plan section as a FHIR extension, both ways, without loss.
//!
//! FHIR's CarePlan has no elements for Hearth's sections (what matters, wishes, resuscitation,
//! the crisis plan, …), and its notes are words for people, not data. So each section's current
//! version also travels as one complex extension, `plan-section`, on the CarePlan: the section's
//! code, version, author, time saved, review-by date and summary, and a `content` part holding
//! every field of the section by name (`own-words`, `place-of-death` with its `first` choice …,
//! one `medicines` part per medicine). The field names are the domain's own, so a field added
//! to a section travels without a change here; an imported field the section does not have is
//! refused by name. `docs/design/fhir-mapping.md` lists the fields.

use hearth_domain::care_plan::{
    Content, DisciplineGoal, EquipmentItem, Medicine, Section, SectionVersion,
};
use hearth_domain::{PatientId, PractitionerId};
use serde_json::{Map, Value};

use crate::codes::extension;
use crate::datatypes::{Extension, Reference, date, instant};

/// The extension's address.
pub fn url() -> String {
    extension("plan-section")
}

/// One section's current version as a `plan-section` extension.
pub fn encode(v: &SectionVersion, author: Reference) -> Extension {
    let mut parts = vec![
        Extension::code("section", v.section.code()),
        Extension::integer("version", v.version),
        Extension::reference("author", author),
        Extension {
            url: "saved".to_owned(),
            value_date_time: Some(instant(v.saved_at)),
            ..Extension::default()
        },
        Extension {
            url: "review-by".to_owned(),
            value_date: Some(date(v.review_by)),
            ..Extension::default()
        },
    ];
    if !v.summary.trim().is_empty() {
        parts.push(Extension::string("summary", &v.summary));
    }
    let fields = match serde_json::to_value(&v.content) {
        Ok(Value::Object(map)) => fields_of(&map),
        _ => Vec::new(),
    };
    parts.push(Extension::complex("content", fields));
    Extension::complex(&url(), parts)
}

/// The fields of an object as extension parts: text, yes/no and numbers as values, an object
/// (a preference) or each row of a list (medicines, goals, equipment) as a complex part. Empty
/// text and absent values are left out, as FHIR has no empty values.
fn fields_of(map: &Map<String, Value>) -> Vec<Extension> {
    let mut out = Vec::new();
    for (key, value) in map {
        if key == "section" {
            continue;
        }
        let name = key.replace('_', "-");
        match value {
            Value::String(s) if !s.is_empty() => out.push(Extension::string(&name, s)),
            Value::Bool(b) => out.push(Extension::boolean(&name, *b)),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    out.push(Extension::integer(&name, i));
                }
            }
            Value::Object(inner) => out.extend(complex(&name, inner)),
            Value::Array(rows) => {
                for row in rows {
                    if let Value::Object(inner) = row {
                        out.extend(complex(&name, inner));
                    }
                }
            }
            Value::String(_) | Value::Null => {}
        }
    }
    out
}

/// An object as a complex part; `None` when all its fields are empty (FHIR has no empty
/// extension).
fn complex(name: &str, map: &Map<String, Value>) -> Option<Extension> {
    let parts = fields_of(map);
    (!parts.is_empty()).then(|| Extension::complex(name, parts))
}

/// The section version a `plan-section` extension carries, for `patient`; an error names what
/// could not be read.
pub fn decode(ext: &Extension, patient: &PatientId) -> Result<SectionVersion, String> {
    let part = |name: &str| ext.extension.iter().find(|p| p.url == name);
    let code = part("section")
        .and_then(|p| p.value_code.as_deref())
        .ok_or("a plan-section extension has no section code")?;
    let section = Section::from_code(code)
        .ok_or_else(|| format!("Hearth's care plan has no section \"{code}\""))?;
    let version = part("version")
        .and_then(|p| p.value_integer)
        .filter(|v| *v >= 1)
        .ok_or_else(|| format!("the {code} section has no version (1 or more)"))?;
    let author = part("author")
        .and_then(|p| p.value_reference.as_ref())
        .and_then(|r| r.reference.as_deref())
        .and_then(|r| r.strip_prefix("Practitioner/"))
        .ok_or_else(|| format!("the {code} section names no Practitioner as its author"))?;
    let saved_at = part("saved")
        .and_then(|p| p.value_date_time.as_deref())
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .ok_or_else(|| format!("the {code} section has no time saved (an instant)"))?;
    let review_by = part("review-by")
        .and_then(|p| p.value_date.as_deref())
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        .ok_or_else(|| format!("the {code} section has no review-by date"))?;
    let summary = part("summary")
        .and_then(|p| p.value_string.clone())
        .unwrap_or_default();
    for p in &ext.extension {
        if ![
            "section",
            "version",
            "author",
            "saved",
            "review-by",
            "summary",
            "content",
        ]
        .contains(&p.url.as_str())
        {
            return Err(format!(
                "the {code} section has a part \"{}\" Hearth does not keep",
                p.url
            ));
        }
    }
    let Ok(Value::Object(mut content)) = serde_json::to_value(Content::empty(section)) else {
        return Err(format!("the {code} section cannot be read"));
    };
    if let Some(c) = part("content") {
        overlay(&mut content, &c.extension, code)?;
    }
    let content: Content = serde_json::from_value(Value::Object(content))
        .map_err(|e| format!("the {code} section cannot be read: {e}"))?;
    Ok(SectionVersion {
        patient_id: patient.clone(),
        section,
        version,
        content,
        summary,
        author: PractitionerId::new(author),
        saved_at,
        review_by,
    })
}

/// The empty row of a section's list, by the list's field name.
fn empty_row(field: &str) -> Option<Value> {
    match field {
        "discipline_goals" => serde_json::to_value(DisciplineGoal::default()).ok(),
        "medicines" => serde_json::to_value(Medicine::default()).ok(),
        "items" => serde_json::to_value(EquipmentItem::default()).ok(),
        _ => None,
    }
}

/// Writes the values of `parts` over the empty fields of `target`, each part by its name.
fn overlay(
    target: &mut Map<String, Value>,
    parts: &[Extension],
    section: &str,
) -> Result<(), String> {
    for p in parts {
        let key = p.url.replace('-', "_");
        let unknown = || format!("the {section} section has no field \"{}\"", p.url);
        let slot = target.get_mut(&key).ok_or_else(unknown)?;
        match slot {
            Value::Array(rows) => {
                let mut row = match empty_row(&key) {
                    Some(Value::Object(m)) => m,
                    _ => return Err(unknown()),
                };
                overlay(&mut row, &p.extension, section)?;
                rows.push(Value::Object(row));
            }
            Value::Object(inner) => overlay(inner, &p.extension, section)?,
            Value::Bool(_) => {
                *slot = Value::Bool(p.value_boolean.ok_or_else(|| {
                    format!("{} in the {section} section must be a valueBoolean", p.url)
                })?);
            }
            Value::String(_) | Value::Null => {
                *slot = Value::String(p.value_string.clone().ok_or_else(|| {
                    format!("{} in the {section} section must be a valueString", p.url)
                })?);
            }
            Value::Number(_) => {
                *slot = Value::from(p.value_integer.ok_or_else(|| {
                    format!("{} in the {section} section must be a valueInteger", p.url)
                })?);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_domain::care_plan::Preference;

    fn version(content: Content) -> SectionVersion {
        SectionVersion {
            patient_id: PatientId::new("p-1"),
            section: content.section(),
            version: 3,
            content,
            summary: "Discussed at home".to_owned(),
            author: PractitionerId::new("pr-1"),
            saved_at: "2026-11-02T10:15:00Z".parse().unwrap(),
            review_by: jiff::civil::date(2026, 11, 30),
        }
    }

    #[test]
    fn every_section_travels_there_and_back_unchanged() {
        let medicine = Medicine {
            drug: "Morphine sulfate 10 mg/ml".into(),
            dose: "2.5–5 mg".into(),
            route: "subcutaneous".into(),
            indication: "pain or breathlessness".into(),
            max_frequency: "hourly".into(),
            prescriber: "Dr A Hughes".into(),
            prescribed_on: Some(jiff::civil::date(2026, 10, 30)),
            dispensed: true,
            kept_where: "Blue box, kitchen cupboard".into(),
        };
        let contents = vec![
            Content::WhatMatters {
                own_words: "To stay at home with my cat".into(),
                agreed_goals: "Comfort at home".into(),
                discipline_goals: vec![
                    DisciplineGoal {
                        discipline: "Physiotherapy".into(),
                        goal: "Walk to the garden".into(),
                    },
                    DisciplineGoal {
                        discipline: "District nursing".into(),
                        goal: "Comfortable in bed".into(),
                    },
                ],
            },
            Content::Understanding {
                person_knows: "Knows it is weeks".into(),
                family_knows: String::new(),
                place_of_care: Preference {
                    discussion: "discussed".into(),
                    first: Some("home".into()),
                    second: None,
                    reason: "Her own bed".into(),
                    discussed_on: Some(jiff::civil::date(2026, 10, 1)),
                },
                place_of_death: Preference {
                    discussion: "declined".into(),
                    ..Preference::default()
                },
            },
            Content::AnticipatoryMedicines {
                medicines: vec![medicine.clone(), medicine],
                syringe_driver: String::new(),
            },
            Content::Equipment {
                items: vec![EquipmentItem {
                    item: "Profiling bed".into(),
                    supplied_by: "Community equipment service".into(),
                }],
            },
            Content::CrisisPlan {
                likely: "Breathlessness".into(),
                what_to_do: "Midazolam as prescribed".into(),
                call_first: "District nurses".into(),
                admission: "no".into(),
                gp_verifies_death: true,
            },
        ];
        for content in contents {
            let v = version(content);
            let ext = encode(&v, Reference::to("Practitioner", "pr-1"));
            let json = serde_json::to_string(&ext).unwrap();
            assert!(!json.contains("\"\""), "no empty values: {json}");
            assert_eq!(decode(&ext, &PatientId::new("p-1")).unwrap(), v, "{json}");
        }
    }

    #[test]
    fn a_field_hearth_does_not_have_is_refused_by_name() {
        let v = version(Content::empty(Section::CrisisPlan));
        let mut ext = encode(&v, Reference::to("Practitioner", "pr-1"));
        let content = ext
            .extension
            .iter_mut()
            .find(|p| p.url == "content")
            .unwrap();
        content
            .extension
            .push(Extension::string("favourite-colour", "blue"));
        let error = decode(&ext, &PatientId::new("p-1")).unwrap_err();
        assert!(error.contains("favourite-colour"), "{error}");

        let mut ext = encode(&v, Reference::to("Practitioner", "pr-1"));
        ext.extension.retain(|p| p.url != "author");
        assert!(
            decode(&ext, &PatientId::new("p-1"))
                .unwrap_err()
                .contains("author")
        );

        let mut ext = encode(&v, Reference::to("Practitioner", "pr-1"));
        let content = ext
            .extension
            .iter_mut()
            .find(|p| p.url == "content")
            .unwrap();
        content
            .extension
            .push(Extension::string("gp-verifies-death", "yes"));
        assert!(
            decode(&ext, &PatientId::new("p-1"))
                .unwrap_err()
                .contains("valueBoolean")
        );
    }
}
