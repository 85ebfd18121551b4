//! The `audit_events` table: appended to, never updated or deleted.

use hearth_domain::PatientId;
use hearth_domain::audit::AuditRecord;

use crate::rows::{integer, millis, text};
use crate::{StoreError, Tx};

impl Tx {
    /// Appends an audit record in this transaction, so it commits or rolls back with the change.
    pub async fn append_audit(&mut self, record: &AuditRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_events (at, user_id, acting_organisation_id, patient_id, action, \
             resource_type, resource_id, resource_version, basis, outcome, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(millis(record.at))
        .bind(record.user_id.as_ref().map(|id| id.as_str()))
        .bind(record.acting_organisation_id.as_ref().map(|id| id.as_str()))
        .bind(record.patient_id.as_ref().map(|id| id.as_str()))
        .bind(record.action.code())
        .bind(record.resource_type)
        .bind(record.resource_id.as_deref())
        .bind(record.resource_version)
        .bind(record.basis.code())
        .bind(record.outcome.code())
        .bind(record.detail.as_deref())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// How many audit records exist in all.
    pub async fn count_audit(&mut self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_events")
            .fetch_one(&mut *self.inner)
            .await?;
        integer(&row, "n")
    }

    /// The audit records about one patient, newest first, as (action, outcome, user id) triples.
    pub async fn audit_of_patient(
        &mut self,
        patient: &PatientId,
        limit: u32,
    ) -> Result<Vec<(String, String, Option<String>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT action, outcome, user_id FROM audit_events WHERE patient_id = $1 ORDER BY seq DESC LIMIT $2",
        )
        .bind(patient.as_str())
        .bind(i64::from(limit))
        .fetch_all(&mut *self.inner)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    text(r, "action")?,
                    text(r, "outcome")?,
                    r.try_get::<Option<String>, _>("user_id")?,
                ))
            })
            .collect()
    }
}

use sqlx::Row;
