//! The FHIR R4 data types Hearth's resources use, as hand-written serde structs.
//!
//! FHIR JSON has no `null`s and no empty arrays or strings: every optional element is skipped
//! when absent, every list when empty. Constructors here take the shapes Hearth writes most.

use serde::{Deserialize, Serialize};

/// Whether a list is empty (for `skip_serializing_if`).
pub(crate) fn is_empty<T>(v: &[T]) -> bool {
    v.is_empty()
}

/// A resource's metadata: its version and when it last changed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
}

impl Meta {
    pub fn versioned(version: i64, updated: jiff::Timestamp) -> Meta {
        Meta {
            version_id: Some(version.to_string()),
            last_updated: Some(instant(updated)),
        }
    }
}

/// A FHIR `instant`: a UTC time to the millisecond with its offset.
pub fn instant(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A FHIR `date`.
pub fn date(d: jiff::civil::Date) -> String {
    d.strftime("%Y-%m-%d").to_string()
}

/// A code from a code system.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Coding {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Coding {
    pub fn new(system: &str, code: &str, display: &str) -> Coding {
        Coding {
            system: Some(system.to_owned()),
            code: Some(code.to_owned()),
            display: Some(display.to_owned()),
        }
    }
}

/// A concept as one or more codings and, or instead, text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CodeableConcept {
    #[serde(default, skip_serializing_if = "is_empty")]
    pub coding: Vec<Coding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl CodeableConcept {
    /// One coding, with its display as the text.
    pub fn coded(system: &str, code: &str, display: &str) -> CodeableConcept {
        CodeableConcept {
            coding: vec![Coding::new(system, code, display)],
            text: Some(display.to_owned()),
        }
    }

    /// Text alone, for concepts Hearth holds as words.
    pub fn text(text: &str) -> CodeableConcept {
        CodeableConcept {
            coding: Vec::new(),
            text: Some(text.to_owned()),
        }
    }

    /// The code of the first coding in `system`.
    pub fn code_in(&self, system: &str) -> Option<&str> {
        self.coding
            .iter()
            .find(|c| c.system.as_deref() == Some(system))
            .and_then(|c| c.code.as_deref())
    }
}

/// A reference to another resource, relative (`Patient/{id}`) or by `urn:uuid:` in a Bundle.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Reference {
    pub fn to(resource_type: &str, id: &str) -> Reference {
        Reference {
            reference: Some(format!("{resource_type}/{id}")),
            display: None,
        }
    }

    pub fn named(resource_type: &str, id: &str, display: &str) -> Reference {
        Reference {
            reference: Some(format!("{resource_type}/{id}")),
            display: (!display.is_empty()).then(|| display.to_owned()),
        }
    }

    /// The id of a relative reference to `resource_type`.
    pub fn id_of(&self, resource_type: &str) -> Option<&str> {
        self.reference
            .as_deref()?
            .strip_prefix(resource_type)?
            .strip_prefix('/')
            .filter(|id| !id.is_empty() && !id.contains('/'))
    }
}

/// An identifier in a system (a national number, Hearth's own id).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Identifier {
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Identifier {
    pub fn new(system: &str, value: &str) -> Identifier {
        Identifier {
            use_: None,
            system: Some(system.to_owned()),
            value: Some(value.to_owned()),
        }
    }
}

/// A person's name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HumanName {
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub given: Vec<String>,
}

impl HumanName {
    pub fn official(given: &str, family: &str) -> HumanName {
        HumanName {
            use_: Some("official".to_owned()),
            text: Some(format!("{given} {family}")),
            family: Some(family.to_owned()),
            given: vec![given.to_owned()],
        }
    }
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub line: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
}

/// A phone number, email address or other contact point.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContactPoint {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
}

impl ContactPoint {
    pub fn phone(number: &str) -> ContactPoint {
        ContactPoint {
            system: Some("phone".to_owned()),
            value: Some(number.to_owned()),
            use_: Some("work".to_owned()),
        }
    }

    pub fn email(address: &str) -> ContactPoint {
        ContactPoint {
            system: Some("email".to_owned()),
            value: Some(address.to_owned()),
            use_: Some("work".to_owned()),
        }
    }
}

/// A time range; either end may be open.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

/// A note with its author and time.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_reference: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    pub text: String,
}

impl Annotation {
    pub fn text(text: &str) -> Annotation {
        Annotation {
            author_reference: None,
            time: None,
            text: text.to_owned(),
        }
    }
}

/// A measured amount.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Quantity {
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// An extension: Hearth's own elements where FHIR has none, with a value of one type.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_boolean: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_integer: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_date_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_reference: Option<Reference>,
    /// The parts of a complex extension (which then has no value of its own).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub extension: Vec<Extension>,
}

impl Extension {
    pub fn code(url: &str, value: &str) -> Extension {
        Extension {
            url: url.to_owned(),
            value_code: Some(value.to_owned()),
            ..Extension::default()
        }
    }

    pub fn reference(url: &str, value: Reference) -> Extension {
        Extension {
            url: url.to_owned(),
            value_reference: Some(value),
            ..Extension::default()
        }
    }

    /// A complex extension made of `parts`.
    pub fn complex(url: &str, parts: Vec<Extension>) -> Extension {
        Extension {
            url: url.to_owned(),
            extension: parts,
            ..Extension::default()
        }
    }

    pub fn string(url: &str, value: &str) -> Extension {
        Extension {
            url: url.to_owned(),
            value_string: Some(value.to_owned()),
            ..Extension::default()
        }
    }

    pub fn boolean(url: &str, value: bool) -> Extension {
        Extension {
            url: url.to_owned(),
            value_boolean: Some(value),
            ..Extension::default()
        }
    }

    pub fn integer(url: &str, value: i64) -> Extension {
        Extension {
            url: url.to_owned(),
            value_integer: Some(value),
            ..Extension::default()
        }
    }
}

/// Human-readable text of a resource: a `div` of XHTML, escaped here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Narrative {
    pub status: String,
    pub div: String,
}

impl Narrative {
    /// A narrative of plain-text paragraphs, escaped.
    pub fn paragraphs(lines: &[String]) -> Narrative {
        let mut div = String::from("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
        for line in lines.iter().filter(|l| !l.is_empty()) {
            div.push_str("<p>");
            div.push_str(&escape_xml(line));
            div.push_str("</p>");
        }
        div.push_str("</div>");
        Narrative {
            status: "generated".to_owned(),
            div,
        }
    }
}

fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// `Some(text)` unless `text` is blank: FHIR strings are never empty.
pub fn non_empty(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_elements_are_left_out_not_written_as_null() {
        let json = serde_json::to_string(&CodeableConcept::text("Breathless")).unwrap_or_default();
        assert_eq!(json, r#"{"text":"Breathless"}"#);
        let json = serde_json::to_string(&Meta::default()).unwrap_or_default();
        assert_eq!(json, "{}");
    }

    #[test]
    fn a_reference_gives_its_id_only_for_its_own_type() {
        let r = Reference::to("Patient", "abc");
        assert_eq!(r.id_of("Patient"), Some("abc"));
        assert_eq!(r.id_of("Practitioner"), None);
        assert_eq!(Reference::to("Patient", "a/b").id_of("Patient"), None);
    }

    #[test]
    fn narrative_text_is_escaped() {
        let n = Narrative::paragraphs(&["<b>Tom & Jerry</b>".to_owned()]);
        assert!(
            n.div.contains("&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;"),
            "{}",
            n.div
        );
    }

    #[test]
    fn instants_carry_milliseconds_and_utc() {
        let at: jiff::Timestamp = "2026-12-03T15:04:05.123Z".parse().unwrap_or_default();
        assert_eq!(instant(at), "2026-12-03T15:04:05.123Z");
    }
}
