//! Register use cases: adding a patient to the palliative care register, recording consent
//! decisions, and leaving the register (death or removal). Each change checks access, refuses an
//! edit based on an old version, and writes its audit record in the same transaction.

use hearth_domain::PatientId;
use hearth_domain::ValidationError;
use hearth_domain::audit::AuditAction;
use hearth_domain::register::{EntryContext, NewRegisterEntry, RegisterEntry};
use hearth_store::Tx;

use crate::{Actor, App, AppError};

/// The FHIR resource a register entry maps to.
const RESOURCE: &str = "EpisodeOfCare";

/// How an entry leaves the register, as typed.
#[derive(Debug, Clone)]
pub enum LeaveRegister {
    Died {
        on: String,
        place: String,
        preferred_place: String,
    },
    Removed {
        on: String,
        reason: String,
    },
}

impl App {
    /// Puts a patient on the register of the actor's acting organisation.
    pub async fn add_to_register(
        &self,
        actor: &Actor,
        patient: &PatientId,
        input: NewRegisterEntry,
    ) -> Result<RegisterEntry, AppError> {
        let organisation = actor.acting_organisation().ok_or_else(no_role)?;
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Create, RESOURCE)
            .await?;
        let system = &self.config.national_number_system.system_uri;
        let record = tx.patient(patient, system).await?.ok_or_else(not_found)?;
        if !record.organisations.contains(&organisation) {
            return Err(AppError::Forbidden(
                "Your acting organisation is not involved in this patient's care, so it cannot hold them on its register."
                    .to_owned(),
            ));
        }
        if tx
            .register_entries_of(patient)
            .await?
            .iter()
            .any(|e| e.leaving.is_none())
        {
            return Err(AppError::Duplicate(
                "This patient is already on the register.".to_owned(),
            ));
        }
        let entry = input.validate(EntryContext {
            id: self.ids.new_id(),
            patient_id: patient.clone(),
            organisation_id: organisation,
            practitioner_id: actor.practitioner_id.clone(),
            today: self.today(),
            now: self.now(),
        })?;
        self.audit_change(
            &mut tx,
            actor,
            &entry.patient_id,
            AuditAction::Create,
            (RESOURCE, &entry.id, entry.version),
        )
        .await?;
        tx.insert_register_entries(&[(&entry, &record)]).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Records a new consent decision on the patient's active entry.
    pub async fn change_register_consent(
        &self,
        actor: &Actor,
        patient: &PatientId,
        version: i64,
        decision: &str,
    ) -> Result<RegisterEntry, AppError> {
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let mut entry = active_entry(&mut tx, patient, version).await?;
        entry.change_consent(
            decision,
            actor.practitioner_id.clone(),
            self.today(),
            self.now(),
        )?;
        self.save(tx, actor, entry).await
    }

    /// Takes the patient's active entry off the register: death or removal.
    pub async fn leave_register(
        &self,
        actor: &Actor,
        patient: &PatientId,
        version: i64,
        leaving: LeaveRegister,
    ) -> Result<RegisterEntry, AppError> {
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let mut entry = active_entry(&mut tx, patient, version).await?;
        let (today, now) = (self.today(), self.now());
        match leaving {
            LeaveRegister::Died {
                on,
                place,
                preferred_place,
            } => entry.record_death(&on, &place, &preferred_place, today, now)?,
            LeaveRegister::Removed { on, reason } => entry.remove(&on, &reason, today, now)?,
        }
        self.save(tx, actor, entry).await
    }

    async fn save(
        &self,
        mut tx: Tx,
        actor: &Actor,
        entry: RegisterEntry,
    ) -> Result<RegisterEntry, AppError> {
        self.audit_change(
            &mut tx,
            actor,
            &entry.patient_id,
            AuditAction::Update,
            (RESOURCE, &entry.id, entry.version),
        )
        .await?;
        tx.update_register_entry(&entry).await?;
        tx.commit().await?;
        Ok(entry)
    }
}

/// The patient's active entry, provided it is still at `version`.
async fn active_entry(
    tx: &mut Tx,
    patient: &PatientId,
    version: i64,
) -> Result<RegisterEntry, AppError> {
    let entry = tx
        .register_entries_of(patient)
        .await?
        .into_iter()
        .find(|e| e.leaving.is_none())
        .ok_or_else(|| AppError::NotFound("This patient is not on the register.".to_owned()))?;
    if entry.version != version {
        return Err(AppError::Conflict(
            "Someone else changed this register entry since you opened it. Reload the page to see their change, then try again."
                .to_owned(),
        ));
    }
    Ok(entry)
}

fn not_found() -> AppError {
    AppError::NotFound("There is no patient with this id.".to_owned())
}

fn no_role() -> AppError {
    AppError::Invalid(ValidationError::new(
        "role",
        "You have no role in an organisation to act in.",
    ))
}
