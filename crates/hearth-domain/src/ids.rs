//! Typed identifiers. Each entity has its own id type so that a patient id can never be passed
//! where an organisation id is expected. Ids are opaque strings (UUIDs when Hearth makes them),
//! which is also what FHIR resource ids are.

use std::fmt;

/// Whether an id from outside (a URL or a form) has the shape of an id: 1 to 64 characters of
/// letters, digits and `-`, as FHIR ids allow. Records without an id type of their own
/// (conversations, tasks) are checked with this too.
pub fn is_valid(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

macro_rules! entity_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id that came from storage or from a trusted generator.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// Parses an id that came from outside (a URL or a form): 1 to 64 characters of
            /// letters, digits and `-`, as FHIR ids allow.
            pub fn parse(value: &str) -> Option<Self> {
                $crate::ids::is_valid(value).then(|| Self(value.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        /// Serialised as the bare id.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self)
            }
        }
    };
}

entity_id!(
    /// An organisation: a GP practice, a nursing team, a hospital department, a hospice, …
    OrganisationId
);
entity_id!(
    /// A practitioner: a person who gives care.
    PractitionerId
);
entity_id!(
    /// One role a practitioner holds in one organisation.
    PractitionerRoleId
);
entity_id!(
    /// A patient.
    PatientId
);
entity_id!(
    /// A user account that can sign in.
    UserId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_uuids_and_refuses_path_tricks() {
        assert!(PatientId::parse("0b6c7f0e-4a9d-4e3b-9d61-1f2a3b4c5d6e").is_some());
        assert!(PatientId::parse("").is_none());
        assert!(PatientId::parse("../etc/passwd").is_none());
        assert!(PatientId::parse("a b").is_none());
        assert!(PatientId::parse(&"a".repeat(65)).is_none());
    }
}
