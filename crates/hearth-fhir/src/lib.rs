//! HL7 FHIR R4 (4.0.1) JSON for what Hearth holds: hand-written serde types for the resources
//! the API exposes ([`resources`], [`datatypes`]), the mapping from the domain ([`map`]),
//! Hearth's code systems ([`codes`]), OperationOutcome ([`outcome`]), Bundles ([`bundle`]) and
//! the CapabilityStatement ([`capability`]). No I/O: `hearth-web` serves these, the app layer
//! reads what they map. See `docs/design/fhir-mapping.md`.

pub mod bundle;
pub mod capability;
pub mod codes;
pub mod datatypes;
pub mod import;
pub mod include;
pub mod map;
pub mod outcome;
pub mod parse;
pub mod questionnaire;
pub mod resources;
pub mod search;
pub mod sections;

pub use bundle::Bundle;
pub use outcome::{IssueType, OperationOutcome};
pub use resources::Resource;

/// The FHIR version Hearth speaks.
pub const FHIR_VERSION: &str = "4.0.1";

/// The media type of FHIR JSON.
pub const FHIR_JSON: &str = "application/fhir+json";
