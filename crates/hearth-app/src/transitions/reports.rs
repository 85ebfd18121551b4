//! The discharge letter, and the lists across patients: arrived home today, and discharged
//! without the receiving team's acceptance.

use hearth_domain::PatientId;
use hearth_domain::ValidationError;
use hearth_domain::audit::AuditAction;
use hearth_domain::transition::{self, ChecklistItem, Letter};
use hearth_store::Arrival;

use super::RESOURCE;
use crate::access;
use crate::{Actor, App, AppError};

impl App {
    /// Saves the discharge letter; `send` marks it sent to the team (once).
    pub async fn save_discharge_letter(
        &self,
        actor: &Actor,
        patient: &PatientId,
        id: &str,
        (letter, send): (Letter, bool),
    ) -> Result<(), AppError> {
        let now = self.now();
        let letter = letter.checked()?;
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let found = tx
            .discharges_of(patient)
            .await?
            .into_iter()
            .find(|d| d.discharge.id == id)
            .ok_or_else(|| {
                AppError::NotFound("There is no such discharge for this patient.".to_owned())
            })?;
        if found.discharge.state == transition::DischargeState::Cancelled {
            return Err(ValidationError::new("letter", "This discharge was cancelled.").into());
        }
        if found.letter_sent_at.is_some() {
            return Err(ValidationError::new(
                "letter",
                "The letter was sent and is part of the record: add what changed in a conversation with the team.",
            )
            .into());
        }
        tx.set_discharge_letter(id, &letter, send.then_some(now))
            .await?;
        if send {
            tx.set_checklist_item(
                id,
                ChecklistItem::Letter,
                Some((&actor.practitioner_id, now)),
            )
            .await?;
        }
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Update,
            (RESOURCE, id, found.discharge.version),
        )
        .await?;
        let keys = if send {
            let missing = letter.missing();
            let text = if missing.is_empty() {
                "The discharge letter is here, complete.".to_owned()
            } else {
                format!(
                    "The discharge letter is here; it says nothing of: {}.",
                    missing.join("; ").to_lowercase()
                )
            };
            self.tell_team(&mut tx, actor, patient, "discharge-letter", &text)
                .await?
        } else {
            Vec::new()
        };
        self.live.commit(&self.store, tx, &keys).await
    }

    /// Patients who arrived home today (local day) whose care team the actor is in: the
    /// out-of-hours view.
    pub async fn arrived_home_today(&self, actor: &Actor) -> Result<Vec<Arrival>, AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let midnight = now
            .to_zoned(self.config.time_zone.clone())
            .start_of_day()
            .map(|z| z.timestamp())
            .unwrap_or(now);
        let mut tx = self.store.begin_read().await?;
        let mut arrivals = tx
            .arrivals_since(midnight, crate::conversations::recipient_of(actor))
            .await?;
        let patients = arrivals.iter().map(|a| a.patient_id.clone()).collect();
        let readable = access::readable_in_team(&mut tx, actor, patients, now).await?;
        arrivals.retain(|a| readable.contains(&a.patient_id));
        Ok(arrivals)
    }

    /// Patients of the actor's care teams discharged home in the last 30 days without the
    /// receiving team's acceptance, most recent first: the report that keeps those visible.
    pub async fn discharged_without_acceptance(
        &self,
        actor: &Actor,
    ) -> Result<Vec<Arrival>, AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let from = now
            .checked_sub(jiff::SignedDuration::from_hours(24 * 30))
            .unwrap_or(now);
        let mut tx = self.store.begin_read().await?;
        let mut found = tx
            .arrivals_since(from, crate::conversations::recipient_of(actor))
            .await?;
        found.retain(|a| !a.accepted);
        let patients = found.iter().map(|a| a.patient_id.clone()).collect();
        let readable = access::readable_in_team(&mut tx, actor, patients, now).await?;
        found.retain(|a| readable.contains(&a.patient_id));
        Ok(found)
    }
}
