//! The `organisations` table.

use hearth_domain::OrganisationId;
use hearth_domain::organisation::{Competency, Organisation, OrganisationKind, ServiceDetails};
use hearth_domain::register::{join_codes, split_codes};
use sqlx::any::AnyRow;

use crate::rows::{code, integer, millis, optional_text, placeholders, text, timestamp};
use crate::{StoreError, Tx};

const COLUMNS: &str = "id, name, kind, area, part_of, phone, address, email, secure_messaging, opening_hours, \
     competencies, how_to_refer, created_at, updated_at, version";

/// The `competencies` column: space-separated codes.
pub(crate) fn competencies(row: &AnyRow) -> Result<Vec<Competency>, StoreError> {
    let stored = text(row, "competencies")?;
    split_codes(&stored, Competency::from_code)
        .ok_or_else(|| StoreError::Corrupt(format!("competencies holds '{stored}'")))
}

fn from_row(row: &AnyRow) -> Result<Organisation, StoreError> {
    Ok(Organisation {
        id: OrganisationId::new(text(row, "id")?),
        name: text(row, "name")?,
        kind: code(row, "kind", OrganisationKind::from_code)?,
        area: optional_text(row, "area")?,
        part_of: optional_text(row, "part_of")?.map(OrganisationId::new),
        phone: optional_text(row, "phone")?,
        details: ServiceDetails {
            address: optional_text(row, "address")?,
            email: optional_text(row, "email")?,
            secure_messaging: optional_text(row, "secure_messaging")?,
            opening_hours: optional_text(row, "opening_hours")?,
            competencies: competencies(row)?,
            how_to_refer: optional_text(row, "how_to_refer")?,
        },
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
        version: integer(row, "version")?,
    })
}

impl Tx {
    pub async fn insert_organisation(&mut self, org: &Organisation) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, area, part_of, phone, address, email, secure_messaging, \
             opening_hours, competencies, how_to_refer, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(org.id.as_str())
        .bind(&org.name)
        .bind(org.kind.code())
        .bind(org.area.as_deref())
        .bind(org.part_of.as_ref().map(|id| id.as_str()))
        .bind(org.phone.as_deref())
        .bind(org.details.address.as_deref())
        .bind(org.details.email.as_deref())
        .bind(org.details.secure_messaging.as_deref())
        .bind(org.details.opening_hours.as_deref())
        .bind(join_codes(&org.details.competencies, Competency::code))
        .bind(org.details.how_to_refer.as_deref())
        .bind(millis(org.created_at))
        .bind(millis(org.updated_at))
        .bind(org.version)
        .execute(&mut *self.inner)
        .await
        .map_err(StoreError::on_duplicate("an organisation with this id"))?;
        Ok(())
    }

    /// The organisations with these ids, ordered by name. Unknown ids are skipped.
    pub async fn organisations_by_ids(
        &mut self,
        ids: &[OrganisationId],
    ) -> Result<Vec<Organisation>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM organisations WHERE id IN ({}) ORDER BY name",
            placeholders(1, ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(id.as_str());
        }
        query
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// Every organisation, ordered by name.
    pub async fn all_organisations(&mut self) -> Result<Vec<Organisation>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM organisations ORDER BY name");
        sqlx::query(&sql)
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// How many organisations exist; zero means a new, empty database.
    pub async fn count_organisations(&mut self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM organisations")
            .fetch_one(&mut *self.inner)
            .await?;
        integer(&row, "n")
    }
}

impl Tx {
    /// Saves an organisation's name, kind, area, telephone and parent, provided it is still at
    /// `org.version - 1` (the caller has counted the new version up).
    pub async fn update_organisation(&mut self, org: &Organisation) -> Result<(), StoreError> {
        let result = sqlx::query(
            "UPDATE organisations SET name = $1, kind = $2, area = $3, part_of = $4, phone = $5, \
             updated_at = $6, version = $7 WHERE id = $8 AND version = $9",
        )
        .bind(&org.name)
        .bind(org.kind.code())
        .bind(org.area.as_deref())
        .bind(org.part_of.as_ref().map(|id| id.as_str()))
        .bind(org.phone.as_deref())
        .bind(millis(org.updated_at))
        .bind(org.version)
        .bind(org.id.as_str())
        .bind(org.version - 1)
        .execute(&mut *self.inner)
        .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                what: "organisation",
            });
        }
        Ok(())
    }
}
