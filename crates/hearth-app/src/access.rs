//! The access rule, in one place. For now: a clinician may see a patient when one of the
//! organisations they hold a clinical role in is involved in the patient's care. Administrators
//! and service managers never see clinical records. Later rules (care-team membership, consent,
//! emergency access) extend this module; nothing else decides access.

use hearth_domain::PatientId;
use hearth_domain::audit::{AccessBasis, AuditAction, AuditOutcome, AuditRecord};
use hearth_store::Tx;
use jiff::Timestamp;

use crate::{Actor, AppError};

/// The outcome of an access decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Allowed(AccessBasis),
    Denied,
}

/// Decides whether `actor` may see `patient`.
pub async fn decide(tx: &mut Tx, actor: &Actor, patient: &PatientId) -> Result<Access, AppError> {
    let organisations = actor.clinical_organisations();
    if tx.patient_visible_to(patient, &organisations).await? {
        Ok(Access::Allowed(AccessBasis::OrganisationInvolved))
    } else {
        Ok(Access::Denied)
    }
}

/// An audit record of `actor` doing `action` to a patient's `resource_type`.
pub fn audit_record(
    actor: &Actor,
    at: Timestamp,
    patient: Option<&PatientId>,
    action: AuditAction,
    resource_type: &'static str,
    resource: Option<(&str, i64)>,
    access: Access,
) -> AuditRecord {
    let (basis, outcome) = match access {
        Access::Allowed(basis) => (basis, AuditOutcome::Allowed),
        Access::Denied => (AccessBasis::NoRelationship, AuditOutcome::Denied),
    };
    AuditRecord {
        at,
        user_id: Some(actor.user_id.clone()),
        acting_organisation_id: actor.acting_organisation(),
        patient_id: patient.cloned(),
        action,
        resource_type,
        resource_id: resource.map(|(id, _)| id.to_owned()),
        resource_version: resource.map(|(_, version)| version),
        basis,
        outcome,
        detail: None,
    }
}
