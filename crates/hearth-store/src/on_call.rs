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

    /// Standing shifts that have not ended by `at`, soonest first: those covering `at`, then
    /// the next. Cancelled shifts are left out: nobody should ring them.
    pub async fn on_call_from(
        &mut self,
        at: Timestamp,
        limit: u32,
    ) -> Result<Vec<OnCallShift>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM on_call_shifts WHERE ends_at > $1 AND cancelled_at IS NULL ORDER BY starts_at, ends_at LIMIT $2"
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

/// A rota shift with its cancellation, as the administration pages show it.
#[derive(Debug, Clone)]
pub struct RotaShift {
    pub shift: OnCallShift,
    pub cancelled_at: Option<Timestamp>,
}

impl Tx {
    /// Shifts of `organisations` that have not ended by `from` and start before `until`,
    /// cancelled ones included, soonest first.
    pub async fn rota_between(
        &mut self,
        organisations: &[OrganisationId],
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<RotaShift>, StoreError> {
        if organisations.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS}, cancelled_at FROM on_call_shifts WHERE ends_at > $1 AND starts_at < $2 \
             AND organisation_id IN ({}) ORDER BY starts_at, ends_at, id",
            crate::rows::placeholders(3, organisations.len())
        );
        let mut query = sqlx::query(&sql).bind(millis(from)).bind(millis(until));
        for id in organisations {
            query = query.bind(id.as_str());
        }
        query
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(rota_shift)
            .collect()
    }

    /// One shift by id.
    pub async fn rota_shift(&mut self, id: &str) -> Result<Option<RotaShift>, StoreError> {
        let sql = format!("SELECT {COLUMNS}, cancelled_at FROM on_call_shifts WHERE id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *self.inner)
            .await?
            .as_ref()
            .map(rota_shift)
            .transpose()
    }

    /// A standing (not cancelled) shift of `practitioner` that overlaps `starts_at..ends_at`.
    pub async fn overlapping_shift(
        &mut self,
        practitioner: &PractitionerId,
        starts_at: Timestamp,
        ends_at: Timestamp,
    ) -> Result<Option<OnCallShift>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM on_call_shifts WHERE practitioner_id = $1 AND starts_at < $2 \
             AND ends_at > $3 AND cancelled_at IS NULL ORDER BY starts_at LIMIT 1"
        );
        sqlx::query(&sql)
            .bind(practitioner.as_str())
            .bind(millis(ends_at))
            .bind(millis(starts_at))
            .fetch_optional(&mut *self.inner)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// Marks a standing shift cancelled at `at`, provided it is still at `version`.
    pub async fn cancel_shift(
        &mut self,
        id: &str,
        version: i64,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let result = sqlx::query(
            "UPDATE on_call_shifts SET cancelled_at = $1, updated_at = $1, version = version + 1 \
             WHERE id = $2 AND version = $3 AND cancelled_at IS NULL",
        )
        .bind(millis(at))
        .bind(id)
        .bind(version)
        .execute(&mut *self.inner)
        .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::Conflict { what: "shift" });
        }
        Ok(())
    }
}

fn rota_shift(row: &AnyRow) -> Result<RotaShift, StoreError> {
    Ok(RotaShift {
        shift: from_row(row)?,
        cancelled_at: crate::rows::optional_timestamp(row, "cancelled_at")?,
    })
}
