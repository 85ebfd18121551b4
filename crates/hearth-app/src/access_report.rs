//! "Who accessed this record": the audit trail of one patient, for their coordinator — the
//! person accountable for the patient's care, who can ask about any access that looks wrong.

use hearth_domain::PatientId;
use hearth_domain::audit::AuditAction;
use hearth_domain::care_team::Member;
use hearth_domain::patient::Patient;
use hearth_store::AccessEntry;

use crate::access::{self, Decision};
use crate::{Actor, App, AppError};
use hearth_domain::access::Denial;

/// Accesses shown per page of the report.
pub const ACCESS_REPORT_PAGE: u32 = 100;

/// One page of the report, newest first.
#[derive(Debug, Clone)]
pub struct AccessReport {
    pub patient: Patient,
    pub entries: Vec<AccessEntry>,
    /// The `before` value of the next (older) page, when there is one.
    pub older: Option<i64>,
    /// Life-threatening overrides of the register or consent rule waiting for the coordinator's
    /// review, with the names of who opened them.
    pub reviews_due: Vec<(hearth_store::EmergencyAccess, String)>,
}

impl App {
    /// The accesses to `patient`'s record, newest first (older than record `before` when
    /// given). Only the patient's active coordinator may read it; a refusal is audited, and so is
    /// reading the report.
    pub async fn access_report(
        &self,
        actor: &Actor,
        patient: &PatientId,
        before: Option<i64>,
    ) -> Result<AccessReport, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let mut tx = self.store.begin_read().await?;
        let mut access = access::decide(&mut tx, actor, patient, self.now()).await?;
        let record = tx.patient(patient, system).await?;
        let mut report = None;
        if let (Some(record), Decision::Allowed(_)) = (&record, &access) {
            let team = crate::care_team::load_team(&mut tx, patient).await?;
            let coordinates = team
                .coordinator()
                .is_some_and(|m| m.member == Member::Practitioner(actor.practitioner_id.clone()));
            if coordinates {
                let mut entries = tx
                    .access_report(patient, before, ACCESS_REPORT_PAGE + 1)
                    .await?;
                let older = (entries.len() > ACCESS_REPORT_PAGE as usize).then(|| {
                    entries.truncate(ACCESS_REPORT_PAGE as usize);
                    entries.last().map_or(0, |e| e.seq)
                });
                let due = tx.emergency_reviews_due(patient).await?;
                let who: Vec<hearth_domain::PractitionerId> =
                    due.iter().map(|e| e.practitioner_id.clone()).collect();
                let names = tx.practitioner_names(&who).await?;
                let reviews_due = due
                    .into_iter()
                    .map(|e| {
                        let name = names
                            .get(&e.practitioner_id)
                            .cloned()
                            .unwrap_or_else(|| "a colleague".to_owned());
                        (e, name)
                    })
                    .collect();
                report = Some(AccessReport {
                    reviews_due,
                    patient: record.clone(),
                    entries,
                    older,
                });
            } else {
                access = Decision::Denied(Denial::NotInCareTeam);
            }
        }
        drop(tx);
        let audit = access::audit_record(
            actor,
            self.now(),
            Some(patient),
            AuditAction::Read,
            "AuditEvent",
            None,
            &access,
        );
        self.audit.append(audit).await?;
        match (record, report) {
            (None, _) => Err(AppError::NotFound(
                "There is no patient with this id.".to_owned(),
            )),
            (Some(_), None) => Err(AppError::Forbidden(
                "Only the patient's coordinator can see who accessed this record; the care team page shows who coordinates."
                    .to_owned(),
            )),
            (Some(_), Some(report)) => Ok(report),
        }
    }
}

impl App {
    /// The coordinator records that they reviewed a life-threatening override of the register
    /// or consent rule (audited with the change).
    pub async fn review_emergency_access(
        &self,
        actor: &Actor,
        patient: &PatientId,
        access_id: &str,
    ) -> Result<(), AppError> {
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, "EmergencyAccess")
            .await?;
        let team = crate::care_team::load_team(&mut tx, patient).await?;
        let coordinates = team
            .coordinator()
            .is_some_and(|m| m.member == Member::Practitioner(actor.practitioner_id.clone()));
        if !coordinates {
            drop(tx);
            let mut record = access::audit_record(
                actor,
                self.now(),
                Some(patient),
                AuditAction::Update,
                "EmergencyAccess",
                None,
                &Decision::Denied(Denial::NotInCareTeam),
            );
            record.detail = Some("review refused: not the coordinator".to_owned());
            self.audit.append(record).await?;
            return Err(AppError::Forbidden(
                "Only the patient's coordinator reviews emergency access to their record."
                    .to_owned(),
            ));
        }
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Update,
            ("EmergencyAccess", access_id, 2),
        )
        .await?;
        if !tx
            .mark_emergency_reviewed(patient, access_id, &actor.practitioner_id, self.now())
            .await?
        {
            return Err(AppError::NotFound(
                "There is no emergency access waiting for review with this id.".to_owned(),
            ));
        }
        tx.commit().await?;
        Ok(())
    }
}
