//! What waits for a practitioner across their patients, beyond messages and tasks: coordinator
//! handovers proposed to them, and care plans changed significantly since they last read them.

use hearth_domain::{PatientId, PractitionerId};
use sqlx::any::AnyRow;

use crate::rows::{integer, text};
use crate::{StoreError, Tx};

/// A patient, by id and list name, with a number that says what waits (a plan's version).
pub type Waiting = (PatientId, String, i64);

fn waiting(row: &AnyRow, number: &str) -> Result<Waiting, StoreError> {
    Ok((
        PatientId::new(text(row, "patient_id")?),
        hearth_domain::patient::list_name(&text(row, "family_name")?, &text(row, "given_name")?),
        integer(row, number)?,
    ))
}

impl Tx {
    /// Patients whose coordination is proposed to `practitioner` and waits for their answer.
    pub async fn handovers_for(
        &mut self,
        practitioner: &PractitionerId,
    ) -> Result<Vec<Waiting>, StoreError> {
        sqlx::query(
            "SELECT h.patient_id, p.given_name, p.family_name, h.proposed_at FROM coordinator_handovers h \
             JOIN care_team_members m ON m.id = h.to_member \
             JOIN patients p ON p.id = h.patient_id \
             WHERE h.state = 'proposed' AND m.practitioner_id = $1 AND m.ended_on IS NULL \
             ORDER BY h.proposed_at, h.patient_id LIMIT 50",
        )
        .bind(practitioner.as_str())
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(|row| waiting(row, "proposed_at"))
        .collect()
    }

    /// Patients in whose care team `practitioner` is in person and whose plan changed
    /// significantly (CPR decision, preferred place, crisis plan, anticipatory medicines) since
    /// they last acknowledged it, with the plan's current version.
    pub async fn plans_to_acknowledge(
        &mut self,
        practitioner: &PractitionerId,
    ) -> Result<Vec<Waiting>, StoreError> {
        sqlx::query(
            "SELECT c.patient_id, p.given_name, p.family_name, c.version FROM care_plans c \
             JOIN patients p ON p.id = c.patient_id \
             WHERE EXISTS (SELECT 1 FROM care_team_members m WHERE m.patient_id = c.patient_id \
               AND m.ended_on IS NULL AND COALESCE(m.practitioner_id, '') = $1) \
             AND c.significant_version > COALESCE((SELECT r.version FROM care_plan_reads r \
               WHERE r.patient_id = c.patient_id AND r.practitioner_id = $1), 0) \
             ORDER BY c.updated_at DESC, c.patient_id LIMIT 50",
        )
        .bind(practitioner.as_str())
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(|row| waiting(row, "version"))
        .collect()
    }
}
