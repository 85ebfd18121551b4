//! The `on_call_shifts` table.

use hearth_domain::on_call::OnCallShift;
use hearth_domain::{OrganisationId, PractitionerId};
use jiff::Timestamp;
use sqlx::any::AnyRow;

use crate::rows::{integer, millis, text, timestamp};
use crate::{StoreError, Tx};

const COLUMNS: &str = "id, organisation_id, practitioner_id, starts_at, ends_at, phone, created_at, updated_at, version";

fn from_row(row: &AnyRow) -> Result<OnCallShift, StoreError> {
    Ok(OnCallShift {
        id: text(row, "id")?,
        organisation_id: OrganisationId::new(text(row, "organisation_id")?),
        practitioner_id: PractitionerId::new(text(row, "practitioner_id")?),
        starts_at: timestamp(row, "starts_at")?,
        ends_at: timestamp(row, "ends_at")?,
        phone: text(row, "phone")?,
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
        version: integer(row, "version")?,
    })
}

impl Tx {
    pub async fn insert_on_call_shifts(
        &mut self,
        shifts: &[OnCallShift],
    ) -> Result<(), StoreError> {
        for chunk in shifts.chunks(crate::bulk::ROWS_PER_STATEMENT) {
            let values = crate::bulk::values_clause(self.backend, chunk.len(), 9);
            let sql = format!("INSERT INTO on_call_shifts ({COLUMNS}) VALUES {values}");
            let mut query = sqlx::query(&sql);
            for s in chunk {
                query = query
                    .bind(&s.id)
                    .bind(s.organisation_id.as_str())
                    .bind(s.practitioner_id.as_str())
                    .bind(millis(s.starts_at))
                    .bind(millis(s.ends_at))
                    .bind(&s.phone)
                    .bind(millis(s.created_at))
                    .bind(millis(s.updated_at))
                    .bind(s.version);
            }
            query
                .execute(&mut *self.inner)
                .await
                .map_err(StoreError::on_duplicate("a shift with this id"))?;
        }
        Ok(())
    }

    /// Shifts that have not ended by `at`, soonest first: those covering `at`, then the next.
    pub async fn on_call_from(
        &mut self,
        at: Timestamp,
        limit: u32,
    ) -> Result<Vec<OnCallShift>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM on_call_shifts WHERE ends_at > $1 ORDER BY starts_at, ends_at LIMIT $2"
        );
        sqlx::query(&sql)
            .bind(millis(at))
            .bind(i64::from(limit))
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }
}
