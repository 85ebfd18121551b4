//! Audit records: who read or changed which patient's data, when, why, and whether it was
//! allowed. The app layer writes one for every access to patient data, in the same transaction.

use jiff::Timestamp;

use crate::{OrganisationId, PatientId, UserId};

crate::coded_enum! {
    /// What was done.
    pub enum AuditAction {
        Read => ("read", "Read"),
        Search => ("search", "Search"),
        Create => ("create", "Create"),
        Update => ("update", "Update"),
    }
}

crate::coded_enum! {
    /// Whether the access was allowed.
    pub enum AuditOutcome {
        Allowed => ("allowed", "Allowed"),
        Denied => ("denied", "Denied"),
    }
}

crate::coded_enum! {
    /// The ground on which the access was decided.
    pub enum AccessBasis {
        /// The actor's organisation was involved in the patient's care (the rule before care
        /// teams decided access; kept for the records written under it).
        OrganisationInvolved => ("organisation-involved", "Organisation involved in care"),
        /// The actor, or the service they act for, is an active member of the care team.
        CareTeam => ("care-team", "Member of the care team"),
        /// The actor opened the record under emergency access, with a reason.
        EmergencyAccess => ("emergency-access", "Emergency access"),
        /// Refused: the patient declined consent to share with the actor's organisation.
        ConsentDeclined => ("consent-declined", "Consent to share declined"),
        /// No relationship: the access was refused.
        NoRelationship => ("no-relationship", "No care relationship"),
        /// Administration or system work (for example seeding the demo region).
        Administration => ("administration", "Administration"),
    }
}

/// One audit record, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub at: Timestamp,
    pub user_id: Option<UserId>,
    pub acting_organisation_id: Option<OrganisationId>,
    pub patient_id: Option<PatientId>,
    pub action: AuditAction,
    /// The kind of record touched, named as its FHIR resource (`Patient`, `CarePlan`, …).
    pub resource_type: &'static str,
    pub resource_id: Option<String>,
    pub resource_version: Option<i64>,
    pub basis: AccessBasis,
    pub outcome: AuditOutcome,
    /// Free text for the reviewer (never clinical content).
    pub detail: Option<String>,
}
