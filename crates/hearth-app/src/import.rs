//! Importing whole records (`hearth import` of an export): the directory they refer to and each
//! patient's record with its register entries, care team and care plan, ids kept, in one
//! transaction with one audit record per patient.

use hearth_domain::audit::{AccessBasis, AuditAction, AuditOutcome, AuditRecord};
use hearth_domain::patient::Patient;
use hearth_domain::transfer::Transfer;
use hearth_domain::{OrganisationId, PractitionerId, ValidationError};

use crate::{Actor, App, AppError};

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransferReport {
    pub patients: usize,
    pub organisations: usize,
    pub practitioners: usize,
    /// Directory entries already in Hearth, left as they are.
    pub directory_present: usize,
}

impl App {
    /// Writes `transfer` all or nothing. A patient whose id or national number Hearth already
    /// has is refused (nothing is merged into an existing record); organisations and
    /// practitioners Hearth already has are kept as they are. Every patient's demographics,
    /// register entries, care team and plan sections are checked by the domain's rules first.
    /// `actor` is the person the import is recorded under; without one it is an operator's
    /// import on the server, recorded as administration (as `hearth export` is).
    pub async fn import_records(
        &self,
        actor: Option<&Actor>,
        mut transfer: Transfer,
    ) -> Result<TransferReport, AppError> {
        if let Some(actor) = actor {
            crate::patients::require_clinician(actor)?;
        }
        let now = self.now();
        let today = self.today();
        let system = &self.config.national_number_system;
        let mut patients: Vec<Patient> = Vec::with_capacity(transfer.records.len());
        for record in &mut transfer.records {
            let mut patient = record
                .patient
                .clone()
                .validate(record.id.clone(), system, today, now)
                .map_err(|e| in_record(&record.id, e))?;
            if let Some(on) = record.recorded_on
                && let Ok(at) = on.to_zoned(jiff::tz::TimeZone::UTC)
            {
                patient.created_at = at.timestamp().min(now);
            }
            if let Some((version, at)) = record.changed {
                patient.version = version;
                patient.updated_at = at.min(now).max(patient.created_at);
            }
            // Stored as the domain's rules leave it (codes checked, text trimmed).
            for section in &mut record.sections {
                section.content = section
                    .content
                    .clone()
                    .validate(today)
                    .map_err(|e| in_record(&record.id, e))?;
            }
            record.conversations = std::mem::take(&mut record.conversations)
                .into_iter()
                .map(|t| t.checked().map_err(|e| in_record(&record.id, e)))
                .collect::<Result<_, _>>()?;
            for discharge in &record.discharges {
                discharge
                    .checked(&record.stays)
                    .map_err(|e| in_record(&record.id, e))?;
            }
            patients.push(patient);
        }
        let mut tx = self.store.begin_write().await?;
        let mut report = TransferReport::default();

        let org_ids: Vec<OrganisationId> = transfer
            .organisations
            .iter()
            .map(|o| o.id.clone())
            .collect();
        let present = tx.organisations_by_ids(&org_ids).await?;
        // Parents before the departments that are part of them.
        let mut organisations: Vec<_> = transfer
            .organisations
            .iter()
            .filter(|o| !present.iter().any(|p| p.id == o.id))
            .collect();
        organisations.sort_by_key(|o| o.part_of.is_some());
        for org in &organisations {
            tx.insert_organisation(org).await?;
        }
        report.organisations = organisations.len();
        report.directory_present += present.len();

        let people: Vec<PractitionerId> = transfer
            .practitioners
            .iter()
            .map(|p| p.id.clone())
            .collect();
        let known = tx.practitioner_names(&people).await?;
        for p in transfer
            .practitioners
            .iter()
            .filter(|p| !known.contains_key(&p.id))
        {
            tx.insert_practitioner(p).await?;
            report.practitioners += 1;
        }
        report.directory_present += known.len();
        if let Some(role) = transfer.roles.iter().find(|r| {
            !known.contains_key(&r.practitioner_id)
                && !transfer
                    .practitioners
                    .iter()
                    .any(|p| p.id == r.practitioner_id)
        }) {
            return Err(AppError::Invalid(ValidationError::new(
                "practitioners",
                format!(
                    "PractitionerRole/{} is a role of Practitioner/{}, who is neither in Hearth nor in the file: give the Practitioner with the role. Nothing was imported.",
                    role.id, role.practitioner_id
                ),
            )));
        }
        // A practitioner already in Hearth keeps the roles Hearth has for them.
        for role in transfer
            .roles
            .iter()
            .filter(|r| !known.contains_key(&r.practitioner_id))
        {
            tx.insert_practitioner_role(role).await?;
        }

        for (record, patient) in transfer.records.iter().zip(&patients) {
            if tx.patient(&record.id, &system.system_uri).await?.is_some() {
                return Err(AppError::Duplicate(format!(
                    "Patient/{} is already in Hearth; an import never merges into an existing record. Nothing was imported.",
                    record.id
                )));
            }
            let found = tx.organisations_by_ids(&patient.organisations).await?;
            if found.len() != patient.organisations.len() {
                return Err(in_record(
                    &record.id,
                    ValidationError::new(
                        "organisations",
                        "One of the organisations involved is neither in Hearth nor in the file.",
                    ),
                ));
            }
            // Everyone and every service the record names must be here by now.
            let known = tx.practitioner_names(&record.names_people).await?;
            if let Some(missing) = record.names_people.iter().find(|p| !known.contains_key(p)) {
                return Err(in_record(
                    &record.id,
                    ValidationError::new(
                        "practitioners",
                        format!(
                            "the record names Practitioner/{missing}, who is neither in Hearth nor in the file. Export a patient with `hearth export --patient`, which adds the people and services the record names. Nothing was imported."
                        ),
                    ),
                ));
            }
            let services = tx.organisations_by_ids(&record.names_organisations).await?;
            if let Some(missing) = record
                .names_organisations
                .iter()
                .find(|o| !services.iter().any(|s| &s.id == *o))
            {
                return Err(in_record(
                    &record.id,
                    ValidationError::new(
                        "organisations",
                        format!(
                            "the record names Organization/{missing}, which is neither in Hearth nor in the file. Export a patient with `hearth export --patient`, which adds the people and services the record names. Nothing was imported."
                        ),
                    ),
                ));
            }
            tx.append_audit(&AuditRecord {
                at: now,
                user_id: actor.map(|a| a.user_id.clone()),
                acting_organisation_id: actor.and_then(Actor::acting_organisation),
                patient_id: Some(record.id.clone()),
                action: AuditAction::Create,
                resource_type: "Patient",
                resource_id: Some(record.id.to_string()),
                resource_version: Some(patient.version),
                basis: AccessBasis::Administration,
                outcome: AuditOutcome::Allowed,
                detail: Some(format!(
                    "imported with its record ({} register entries, {} care team members, {} plan sections, {} assessments, {} phases, {} referrals, {} tasks, {} stays, {} conversations, {} discharges, {} advice calls)",
                    record.register.len(),
                    record.team.len(),
                    record.sections.len(),
                    record.assessments.len(),
                    record.phases.len(),
                    record.referrals.len(),
                    record.tasks.len(),
                    record.stays.len(),
                    record.conversations.len(),
                    record.discharges.len(),
                    record.advice_calls.len()
                )),
            })
            .await?;
        }
        tx.insert_patients_bulk(&patients).await?;
        for (record, patient) in transfer.records.iter().zip(&patients) {
            let entries: Vec<_> = record.register.iter().map(|e| (e, patient)).collect();
            tx.insert_register_entries(&entries).await?;
            tx.insert_care_team_members(&record.team).await?;
            for section in &record.sections {
                tx.insert_section_version(section).await?;
            }
            for assessment in &record.assessments {
                tx.insert_assessment(assessment).await?;
            }
            for referral in &record.referrals {
                if !tx.insert_referral(referral).await? {
                    return Err(AppError::Duplicate(format!(
                        "ServiceRequest/{} is already in Hearth. Nothing was imported.",
                        referral.id
                    )));
                }
            }
            for task in &record.tasks {
                tx.insert_task(task).await?;
            }
            for stay in &record.stays {
                tx.insert_stay(stay).await?;
            }
            for thread in &record.conversations {
                tx.insert_thread(thread).await?;
            }
            for call in &record.advice_calls {
                tx.insert_advice_call(call).await?;
            }
            for discharge in &record.discharges {
                if !tx.insert_discharge_record(discharge).await? {
                    return Err(in_record(
                        &record.id,
                        ValidationError::new(
                            "discharge",
                            "A patient has at most one discharge still to happen (planned, ready or accepted); the file gives two. Nothing was imported.",
                        ),
                    ));
                }
            }
            if !record.phases.is_empty() {
                let by = phase_recorder(actor, record).ok_or_else(|| {
                    in_record(
                        &record.id,
                        ValidationError::new(
                            "phase",
                            "The phases of illness need someone to record them under: import with --user, or with the register entry.",
                        ),
                    )
                })?;
                for phase in &record.phases {
                    tx.insert_phase(&record.id, phase, &by, now).await?;
                }
            }
        }
        tx.commit().await?;
        report.patients = patients.len();
        Ok(report)
    }
}

/// Who the imported phases of illness are recorded under: a phase carries no author in FHIR
/// (nor in Hearth's phase history), so the person importing, else the clinician who identified
/// the patient for the register.
fn phase_recorder(
    actor: Option<&Actor>,
    record: &hearth_domain::transfer::TransferredRecord,
) -> Option<PractitionerId> {
    actor
        .map(|a| a.practitioner_id.clone())
        .or_else(|| record.register.first().map(|e| e.identified_by.clone()))
}

/// A validation error, saying whose record it is in.
fn in_record(patient: &hearth_domain::PatientId, e: ValidationError) -> AppError {
    AppError::Invalid(ValidationError::new(
        e.field,
        format!("Patient/{patient}: {}", e.message),
    ))
}
