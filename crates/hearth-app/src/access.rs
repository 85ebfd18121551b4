//! Access decisions, in one place. The rule itself is `hearth_domain::access::decide`: a
//! clinician acting for an organisation sees a patient's record when they or that organisation
//! are active members of the care team and consent permits sharing with the organisation, or
//! under emergency access they opened with a reason. This module reads the facts the rule needs
//! in the caller's transaction, writes the audit records of decisions, and opens audited write
//! transactions. Nothing else decides access.

use hearth_domain::PatientId;
use hearth_domain::access::Denial;
use hearth_domain::audit::{AccessBasis, AuditAction, AuditOutcome, AuditRecord};
use hearth_store::{Reader, Tx};
use jiff::Timestamp;

pub use hearth_domain::access::Decision;

use crate::{Actor, App, AppError};

/// Decides whether `actor` may read `patient`'s record at `now`. An unknown patient is denied
/// (the caller reports it as not found).
pub async fn decide(
    tx: &mut Tx,
    actor: &Actor,
    patient: &PatientId,
    now: Timestamp,
) -> Result<Decision, AppError> {
    let reader = reader(actor);
    Ok(match tx.access_facts(patient, reader, now).await? {
        Some(facts) => hearth_domain::access::decide(&facts, now),
        None if reader.clinical => Decision::Denied(Denial::NotInCareTeam),
        None => Decision::Denied(Denial::NotClinical),
    })
}

/// Of `patients`, those `actor` may read as a care-team member at `now` (not through emergency
/// access): what lists across patients — the inbox, "my tasks" — may name.
pub(crate) async fn readable_in_team(
    tx: &mut Tx,
    actor: &Actor,
    mut patients: Vec<PatientId>,
    now: Timestamp,
) -> Result<Vec<PatientId>, AppError> {
    patients.sort();
    patients.dedup();
    let mut readable = Vec::new();
    for patient in patients {
        if matches!(
            decide(tx, actor, &patient, now).await?,
            Decision::Allowed(basis) if basis != AccessBasis::EmergencyAccess
        ) {
            readable.push(patient);
        }
    }
    Ok(readable)
}

/// Who is asking, as the store's access facts need it: the acting role's organisation only.
pub(crate) fn reader(actor: &Actor) -> Reader<'_> {
    Reader {
        user: &actor.user_id,
        practitioner: &actor.practitioner_id,
        organisation: actor.acting_role().map(|r| &r.organisation_id),
        clinical: actor.is_clinician(),
    }
}

/// An audit record of `actor` doing `action` to a patient's `resource_type`, as decided.
pub fn audit_record(
    actor: &Actor,
    at: Timestamp,
    patient: Option<&PatientId>,
    action: AuditAction,
    resource_type: &'static str,
    resource: Option<(&str, i64)>,
    decision: &Decision,
) -> AuditRecord {
    let (basis, outcome) = match decision {
        Decision::Allowed(basis) => (*basis, AuditOutcome::Allowed),
        Decision::Denied(denial) => (denial.basis(), AuditOutcome::Denied),
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

/// The error for a refused access to `patient`'s record.
pub fn refusal(patient: &PatientId, denial: Denial) -> AppError {
    AppError::RecordClosed {
        patient: patient.clone(),
        denial,
    }
}

impl App {
    /// Opens a write transaction for a change to `patient`'s clinical record, after checking that
    /// `actor` may make it: only care-team members change records (emergency access reads). A
    /// refusal is audited (as an attempt to `action` a `resource_type`) and returned.
    pub(crate) async fn begin_clinical_write(
        &self,
        actor: &Actor,
        patient: &PatientId,
        action: AuditAction,
        resource_type: &'static str,
    ) -> Result<Tx, AppError> {
        crate::patients::require_clinician(actor)?;
        let mut tx = self.store.begin_write().await?;
        let now = self.now();
        let decision = decide(&mut tx, actor, patient, now).await?;
        let refused = match &decision {
            Decision::Allowed(AccessBasis::EmergencyAccess) => Some(AppError::Forbidden(
                "Emergency access lets you read this record, not change it. Ask the patient's coordinator \
                 to add you or your service to the care team."
                    .to_owned(),
            )),
            Decision::Allowed(_) => None,
            Decision::Denied(denial) => Some(refusal(patient, denial.clone())),
        };
        if let Some(error) = refused {
            drop(tx);
            let mut record = audit_record(
                actor,
                now,
                Some(patient),
                action,
                resource_type,
                None,
                &decision,
            );
            record.outcome = AuditOutcome::Denied;
            self.audit.append(record).await?;
            return Err(error);
        }
        Ok(tx)
    }

    /// Ends a read of `patient`'s `resource_type` (at `version`, when it has one): appends its
    /// audit record, as decided, through the group commit, then returns what was read, the
    /// refusal, or "not found" when `exists` is false. `what` names the read in the internal
    /// error raised if an allowed read found nothing.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn finish_read<T>(
        &self,
        actor: &Actor,
        patient: &PatientId,
        (resource_type, version): (&'static str, Option<i64>),
        exists: bool,
        decision: Decision,
        found: Option<T>,
        what: &str,
    ) -> Result<T, AppError> {
        let record = audit_record(
            actor,
            self.now(),
            Some(patient),
            AuditAction::Read,
            resource_type,
            version.map(|v| (patient.as_str(), v)),
            &decision,
        );
        self.audit.append(record).await?;
        match (exists, decision, found) {
            (false, _, _) => Err(AppError::NotFound(
                "There is no patient with this id.".to_owned(),
            )),
            (true, Decision::Denied(denial), _) => Err(refusal(patient, denial)),
            (true, _, Some(found)) => Ok(found),
            (true, _, None) => Err(AppError::Internal(format!(
                "the {what} of a visible patient was not read"
            ))),
        }
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
            &Decision::Allowed(AccessBasis::CareTeam),
        );
        tx.append_audit(&record).await?;
        Ok(())
    }
}
