//! The `audit_events` table: appended to, never updated or deleted.

use hearth_domain::PatientId;
use hearth_domain::audit::AuditRecord;

use crate::audit_chain::{Content, record_hash};
use crate::rows::{integer, millis, text};
use crate::{StoreError, Tx};

/// One record as written: its content and its links in the chain.
pub(crate) struct ChainedRow {
    pub(crate) content: Content,
    pub(crate) prev_hash: String,
    pub(crate) hash: String,
}

/// `records` as the next rows of the chain whose head is `head` (the last sequence number and
/// hash), in order; and the new head.
pub(crate) fn chained(
    records: &[AuditRecord],
    (mut seq, mut prev_hash): (i64, String),
) -> (Vec<ChainedRow>, (i64, String)) {
    let mut rows = Vec::with_capacity(records.len());
    for record in records {
        seq += 1;
        let content = Content {
            seq,
            at: millis(record.at),
            user_id: record.user_id.as_ref().map(|id| id.to_string()),
            acting_organisation_id: record
                .acting_organisation_id
                .as_ref()
                .map(|id| id.to_string()),
            patient_id: record.patient_id.as_ref().map(|id| id.to_string()),
            action: record.action.code().to_owned(),
            resource_type: record.resource_type.to_owned(),
            resource_id: record.resource_id.clone(),
            resource_version: record.resource_version,
            basis: record.basis.code().to_owned(),
            outcome: record.outcome.code().to_owned(),
            detail: record.detail.clone(),
        };
        let hash = record_hash(&prev_hash, &content);
        rows.push(ChainedRow {
            content,
            prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
        });
    }
    (rows, (seq, prev_hash))
}

impl Tx {
    /// Appends an audit record to this transaction, so it commits or rolls back with the change.
    /// It is written when the transaction commits, as the new head of the hash chain (see
    /// `audit_chain.rs`): taking the chain's lock last, after every other lock the transaction
    /// needs, means two transactions can never wait for each other through it.
    pub async fn append_audit(&mut self, record: &AuditRecord) -> Result<(), StoreError> {
        self.pending_audit.push(record.clone());
        Ok(())
    }

    /// Writes the audit records appended to this transaction (called by `commit`), chained in
    /// order, many rows per statement.
    pub(crate) async fn write_pending_audit(&mut self) -> Result<(), StoreError> {
        if self.pending_audit.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending_audit);
        let head = self.audit_head().await?;
        let (rows, head) = chained(&pending, head);
        for chunk in rows.chunks(crate::bulk::ROWS_PER_STATEMENT) {
            let values = crate::bulk::values_clause(self.backend, chunk.len(), 14);
            let sql = format!(
                "INSERT INTO audit_events ({}) VALUES {values}",
                crate::audit_chain::CHAINED_COLUMNS
            );
            let mut query = sqlx::query(&sql);
            for row in chunk {
                let c = &row.content;
                query = query
                    .bind(c.seq)
                    .bind(c.at)
                    .bind(c.user_id.as_deref())
                    .bind(c.acting_organisation_id.as_deref())
                    .bind(c.patient_id.as_deref())
                    .bind(c.action.as_str())
                    .bind(c.resource_type.as_str())
                    .bind(c.resource_id.as_deref())
                    .bind(c.resource_version)
                    .bind(c.basis.as_str())
                    .bind(c.outcome.as_str())
                    .bind(c.detail.as_deref())
                    .bind(row.prev_hash.as_str())
                    .bind(row.hash.as_str());
            }
            query.execute(&mut *self.inner).await?;
        }
        self.audit_head = Some(head);
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

    /// The newest audit records about no patient (administration, figures), newest first, as
    /// (action, resource type, resource id, resource version, basis, outcome).
    pub async fn audit_without_patient(
        &mut self,
        limit: u32,
    ) -> Result<Vec<NonPatientAudit>, StoreError> {
        let rows = sqlx::query(
            "SELECT action, resource_type, resource_id, resource_version, basis, outcome \
             FROM audit_events WHERE patient_id IS NULL ORDER BY seq DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&mut *self.inner)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(NonPatientAudit {
                    action: text(r, "action")?,
                    resource_type: text(r, "resource_type")?,
                    resource_id: r.try_get::<Option<String>, _>("resource_id")?,
                    resource_version: r.try_get::<Option<i64>, _>("resource_version")?,
                    basis: text(r, "basis")?,
                    outcome: text(r, "outcome")?,
                })
            })
            .collect()
    }
}

/// An audit record about no patient, as `audit_without_patient` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonPatientAudit {
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub resource_version: Option<i64>,
    pub basis: String,
    pub outcome: String,
}

use sqlx::Row;

/// One access to a patient's record, for the "who accessed this record" report: who, in which
/// role and organisation, when, what, on what ground, and whether it was allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub seq: i64,
    pub at: jiff::Timestamp,
    /// "Given Family", or `None` for the system (demo seeding, migrations).
    pub who: Option<String>,
    /// The profession code of the person's role in the acting organisation.
    pub profession: Option<String>,
    pub organisation: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub basis: String,
    pub outcome: String,
    /// The reason given, for the record that opened emergency access (its detail is written
    /// from the reason list and the clinician's words about this patient).
    pub reason: Option<String>,
}

impl Tx {
    /// The accesses to one patient's record, newest first, at most `limit` of them, older than
    /// record `before` when given. Only records about this patient are read, and no free-text
    /// detail except the reason of an emergency access, so the report cannot show anything
    /// about other patients.
    pub async fn access_report(
        &mut self,
        patient: &PatientId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AccessEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.seq, a.at, p.given_name || ' ' || p.family_name AS who, \
             (SELECT r.profession FROM practitioner_roles r WHERE r.practitioner_id = p.id \
              AND r.organisation_id = a.acting_organisation_id ORDER BY r.id LIMIT 1) AS profession, \
             o.name AS organisation, a.action, a.resource_type, a.basis, a.outcome, \
             CASE WHEN a.resource_type = 'EmergencyAccess' AND a.action = 'create' \
             AND a.outcome = 'allowed' THEN a.detail END AS reason \
             FROM audit_events a \
             LEFT JOIN users u ON u.id = a.user_id \
             LEFT JOIN practitioners p ON p.id = u.practitioner_id \
             LEFT JOIN organisations o ON o.id = a.acting_organisation_id \
             WHERE a.patient_id = $1 AND a.seq < $2 ORDER BY a.seq DESC LIMIT $3",
        )
        .bind(patient.as_str())
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.inner)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AccessEntry {
                    seq: integer(r, "seq")?,
                    at: crate::rows::timestamp(r, "at")?,
                    who: crate::rows::optional_text(r, "who")?,
                    profession: crate::rows::optional_text(r, "profession")?,
                    organisation: crate::rows::optional_text(r, "organisation")?,
                    action: text(r, "action")?,
                    resource_type: text(r, "resource_type")?,
                    basis: text(r, "basis")?,
                    outcome: text(r, "outcome")?,
                    reason: crate::rows::optional_text(r, "reason")?,
                })
            })
            .collect()
    }
}
