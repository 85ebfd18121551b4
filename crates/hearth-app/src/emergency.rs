//! Emergency access: a clinician outside a patient's care team opens the record because they
//! are caring for the patient now (the out-of-hours call at 2 a.m.). They find the patient by
//! national number, confirm who it is, give a reason from a short list and a few words, and can
//! then read (not change) the record for a limited time (`AppConfig::emergency_access_duration`).
//! Every step is audited; the patient's coordinator is told at once by an in-app notice. Patients
//! not on the register and patients who declined consent can be opened this way only for a
//! life-threatening emergency, which is flagged for review.

use hearth_domain::access::{
    EmergencyReason, EmergencyRefusal, check_emergency_detail, emergency_eligibility,
};
use hearth_domain::audit::{AccessBasis, AuditAction, AuditOutcome};
use hearth_domain::patient::Patient;
use hearth_domain::{PatientId, ValidationError};
use hearth_store::{EmergencyAccess, Notice};

use crate::access::{self, Decision};
use crate::{Actor, App, AppError};

const RESOURCE: &str = "EmergencyAccess";

/// What the emergency access form shows: who the patient is (to be sure it is the right
/// person), and whether access is possible with an ordinary reason.
#[derive(Debug, Clone)]
pub struct EmergencyForm {
    pub patient: Patient,
    /// `None` when any reason will do; otherwise why only a life-threatening emergency will.
    pub restriction: Option<&'static str>,
    /// The reader already may read the record (care team, or emergency access still open).
    pub already_open: bool,
    /// How long access will last.
    pub lasts: jiff::SignedDuration,
}

/// One of a person's in-app notices.
pub type NoticeView = Notice;

impl App {
    /// Finds a patient by national number for emergency access: the one way to reach a record
    /// outside one's care team, so that nobody can browse the register. Audited as a search.
    pub async fn find_for_emergency(
        &self,
        actor: &Actor,
        national_number: &str,
    ) -> Result<PatientId, AppError> {
        crate::patients::require_clinician(actor)?;
        let number = self.config.national_number_system.parse(national_number)?;
        let system = &self.config.national_number_system.system_uri;
        let mut tx = self.store.begin_read().await?;
        let found = tx.patient_id_by_identifier(system, &number).await?;
        drop(tx);
        let mut record = access::audit_record(
            actor,
            self.now(),
            found.as_ref(),
            AuditAction::Search,
            "Patient",
            None,
            &Decision::Allowed(AccessBasis::EmergencyAccess),
        );
        record.detail = Some("national number look-up for emergency access".to_owned());
        self.audit.append(record).await?;
        found.ok_or_else(|| {
            AppError::NotFound(
                "No patient has this national number. Check the number with the caller or the patient's documents."
                    .to_owned(),
            )
        })
    }

    /// For `/ooh?identifier=`: the registered patient with this national number (the look-up is
    /// audited as for emergency access), and whether the actor may read their out-of-hours
    /// summary now (care team, or emergency access already open) — otherwise they go through
    /// emergency access first.
    pub async fn find_out_of_hours(
        &self,
        actor: &Actor,
        national_number: &str,
    ) -> Result<(PatientId, bool), AppError> {
        let patient = self.find_for_emergency(actor, national_number).await?;
        let mut tx = self.store.begin_read().await?;
        let decision = access::decide(&mut tx, actor, &patient, self.now()).await?;
        Ok((patient, matches!(decision, Decision::Allowed(_))))
    }

    /// The emergency access form for a patient: their identity only, no clinical content.
    /// Audited as a read of the patient's identity.
    pub async fn emergency_form(
        &self,
        actor: &Actor,
        patient: &PatientId,
    ) -> Result<EmergencyForm, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let facts = tx.access_facts(patient, access::reader(actor), now).await?;
        let record = tx.patient(patient, system).await?;
        drop(tx);
        let (Some(facts), Some(record)) = (facts, record) else {
            return Err(AppError::NotFound(
                "There is no patient with this id.".to_owned(),
            ));
        };
        let mut audit = access::audit_record(
            actor,
            now,
            Some(patient),
            AuditAction::Read,
            "Patient",
            None,
            &Decision::Allowed(AccessBasis::EmergencyAccess),
        );
        audit.detail = Some("identity shown to request emergency access".to_owned());
        self.audit.append(audit).await?;
        let restriction =
            emergency_eligibility(true, facts.register.as_ref(), EmergencyReason::UrgentCare)
                .err()
                .map(|refusal| refusal.explanation());
        Ok(EmergencyForm {
            patient: record,
            restriction,
            already_open: hearth_domain::access::decide(&facts, now).is_allowed(),
            lasts: self.config.emergency_access_duration,
        })
    }

    /// Opens emergency access to a patient's record for `actor`, with a reason from the list
    /// and a few words. Writes the access, its audit record and a notice to the patient's
    /// coordinator in one transaction.
    pub async fn open_emergency_access(
        &self,
        actor: &Actor,
        patient: &PatientId,
        reason: &str,
        detail: &str,
    ) -> Result<EmergencyAccess, AppError> {
        crate::patients::require_clinician(actor)?;
        let reason = EmergencyReason::from_code(reason.trim())
            .ok_or_else(|| ValidationError::new("reason", "Choose a reason from the list."))?;
        let detail = check_emergency_detail(detail)?;
        let now = self.now();
        let mut tx = self.store.begin_write().await?;
        let Some(facts) = tx.access_facts(patient, access::reader(actor), now).await? else {
            return Err(AppError::NotFound(
                "There is no patient with this id.".to_owned(),
            ));
        };
        let review = match emergency_eligibility(true, facts.register.as_ref(), reason) {
            Ok(review) => review,
            Err(refusal) => {
                drop(tx);
                let mut record = access::audit_record(
                    actor,
                    now,
                    Some(patient),
                    AuditAction::Create,
                    RESOURCE,
                    None,
                    &Decision::Allowed(AccessBasis::EmergencyAccess),
                );
                record.outcome = AuditOutcome::Denied;
                record.detail = Some(format!("refused: {}", refusal_code(&refusal)));
                self.audit.append(record).await?;
                return Err(ValidationError::new("reason", refusal.explanation()).into());
            }
        };
        let grant = EmergencyAccess {
            id: self.ids.new_id(),
            patient_id: patient.clone(),
            user_id: actor.user_id.clone(),
            practitioner_id: actor.practitioner_id.clone(),
            acting_organisation_id: actor.acting_organisation(),
            reason,
            detail,
            started_at: now,
            expires_at: now + self.config.emergency_access_duration,
            ended_at: None,
            review: if review { "due" } else { "none" }.to_owned(),
        };
        let mut record = access::audit_record(
            actor,
            now,
            Some(patient),
            AuditAction::Create,
            RESOURCE,
            Some((grant.id.as_str(), 1)),
            &Decision::Allowed(AccessBasis::EmergencyAccess),
        );
        record.detail = Some(reason_text(&grant));
        tx.append_audit(&record).await?;
        tx.insert_emergency_access(&grant).await?;
        if let Some(coordinator) = tx.coordinator_of(patient).await?
            && coordinator != actor.practitioner_id
        {
            let role = actor
                .acting_role()
                .map(|r| format!(" ({}, {})", r.profession.label(), r.organisation_name))
                .unwrap_or_default();
            let flag = if review {
                " This overrode the register or consent rule as a life-threatening emergency and will be reviewed."
            } else {
                ""
            };
            tx.insert_notice(&Notice {
                id: self.ids.new_id(),
                practitioner_id: coordinator,
                patient_id: Some(patient.clone()),
                kind: "emergency-access".to_owned(),
                text: format!(
                    "{}{role} opened the record of a patient you coordinate under emergency access at {}. Reason: {}.{flag}",
                    actor.name,
                    self.local_time(now),
                    reason_text(&grant),
                ),
                created_at: now,
                read_at: None,
            })
            .await?;
        }
        tx.commit().await?;
        tracing::info!(patient = %patient, review, "emergency access opened");
        Ok(grant)
    }

    /// Closes the actor's open emergency access to a patient before it expires.
    pub async fn close_emergency_access(
        &self,
        actor: &Actor,
        patient: &PatientId,
    ) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self.store.begin_write().await?;
        let Some(open) = tx
            .open_emergency_access(&actor.user_id, patient, now)
            .await?
        else {
            return Ok(());
        };
        let record = access::audit_record(
            actor,
            now,
            Some(patient),
            AuditAction::Update,
            RESOURCE,
            Some((open.id.as_str(), 2)),
            &Decision::Allowed(AccessBasis::EmergencyAccess),
        );
        tx.append_audit(&record).await?;
        tx.end_emergency_access(&open.id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The actor's latest notices, newest first.
    pub async fn notices(&self, actor: &Actor) -> Result<Vec<NoticeView>, AppError> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.notices_of(&actor.practitioner_id, 50).await?)
    }

    /// Marks one of the actor's notices read.
    pub async fn mark_notice_read(&self, actor: &Actor, id: &str) -> Result<(), AppError> {
        let mut tx = self.store.begin_write().await?;
        if !tx
            .mark_notice_read(&actor.practitioner_id, id, self.now())
            .await?
        {
            return Err(AppError::NotFound(
                "There is no unread notice of yours with this id.".to_owned(),
            ));
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The reason of an emergency access as the audit trail and the coordinator read it.
pub fn reason_text(grant: &EmergencyAccess) -> String {
    format!("{} — {}", grant.reason.label(), grant.detail)
}

fn refusal_code(refusal: &EmergencyRefusal) -> &'static str {
    match refusal {
        EmergencyRefusal::NotClinical => "not a clinician",
        EmergencyRefusal::NotRegistered => "not on the register",
        EmergencyRefusal::ConsentDeclined => "consent declined",
    }
}
