//! The access rule, in one place. For now: a clinician may see a patient when one of the
//! organisations they hold a clinical role in is involved in the patient's care. Administrators
//! and service managers never see clinical records. Later rules (care-team membership, consent,
//! emergency access) extend this module; nothing else decides access.

use hearth_domain::PatientId;
use hearth_domain::audit::{AccessBasis, AuditAction, AuditOutcome, AuditRecord};
use hearth_store::Tx;
use jiff::Timestamp;

use crate::{Actor, App, AppError};

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

impl App {
    /// Opens a write transaction for a change to `patient`'s clinical record, after checking that
    /// `actor` may make it. A refusal is audited (as an attempt to `action` a `resource_type`)
    /// and returned as `Forbidden`.
    pub(crate) async fn begin_clinical_write(
        &self,
        actor: &Actor,
        patient: &PatientId,
        action: AuditAction,
        resource_type: &'static str,
    ) -> Result<Tx, AppError> {
        crate::patients::require_clinician(actor)?;
        let mut tx = self.store.begin_write().await?;
        let decision = decide(&mut tx, actor, patient).await?;
        if decision == Access::Denied {
            drop(tx);
            let record = audit_record(
                actor,
                self.now(),
                Some(patient),
                action,
                resource_type,
                None,
                decision,
            );
            self.audit.append(record).await?;
            return Err(AppError::Forbidden(
                "You cannot change this record: none of your organisations may see this patient."
                    .to_owned(),
            ));
        }
        Ok(tx)
    }

    /// Appends the audit record of a change, inside the change's own transaction.
    pub(crate) async fn audit_change(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        patient: &PatientId,
        action: AuditAction,
        resource: (&'static str, &str, i64),
    ) -> Result<(), AppError> {
        let (resource_type, id, version) = resource;
        let record = audit_record(
            actor,
            self.now(),
            Some(patient),
            action,
            resource_type,
            Some((id, version)),
            Access::Allowed(AccessBasis::OrganisationInvolved),
        );
        tx.append_audit(&record).await?;
        Ok(())
    }
}
