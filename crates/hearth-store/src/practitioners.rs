//! The `practitioners` and `practitioner_roles` tables.

use hearth_domain::practitioner::{Practitioner, PractitionerRole, Profession};
use hearth_domain::{OrganisationId, PractitionerId, PractitionerRoleId};
use sqlx::any::AnyRow;

use crate::rows::{code, flag, integer, millis, optional_text, text, timestamp};
use crate::{StoreError, Tx};

fn practitioner_from_row(row: &AnyRow) -> Result<Practitioner, StoreError> {
    Ok(Practitioner {
        id: PractitionerId::new(text(row, "id")?),
        given_name: text(row, "given_name")?,
        family_name: text(row, "family_name")?,
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
        version: integer(row, "version")?,
    })
}

fn role_from_row(row: &AnyRow) -> Result<PractitionerRole, StoreError> {
    Ok(PractitionerRole {
        id: PractitionerRoleId::new(text(row, "id")?),
        practitioner_id: PractitionerId::new(text(row, "practitioner_id")?),
        organisation_id: OrganisationId::new(text(row, "organisation_id")?),
        profession: code(row, "profession", Profession::from_code)?,
        specialist: flag(row, "specialist")?,
        phone: optional_text(row, "phone")?,
        email: optional_text(row, "email")?,
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
        version: integer(row, "version")?,
    })
}

impl Tx {
    pub async fn insert_practitioner(&mut self, p: &Practitioner) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO practitioners (id, given_name, family_name, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(p.id.as_str())
        .bind(&p.given_name)
        .bind(&p.family_name)
        .bind(millis(p.created_at))
        .bind(millis(p.updated_at))
        .bind(p.version)
        .execute(&mut *self.inner)
        .await
        .map_err(StoreError::on_duplicate("a practitioner with this id"))?;
        Ok(())
    }

    pub async fn practitioner(
        &mut self,
        id: &PractitionerId,
    ) -> Result<Option<Practitioner>, StoreError> {
        sqlx::query(
            "SELECT id, given_name, family_name, created_at, updated_at, version \
             FROM practitioners WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&mut *self.inner)
        .await?
        .as_ref()
        .map(practitioner_from_row)
        .transpose()
    }

    pub async fn insert_practitioner_role(
        &mut self,
        r: &PractitionerRole,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO practitioner_roles (id, practitioner_id, organisation_id, profession, specialist, \
             phone, email, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(r.id.as_str())
        .bind(r.practitioner_id.as_str())
        .bind(r.organisation_id.as_str())
        .bind(r.profession.code())
        .bind(r.specialist)
        .bind(r.phone.as_deref())
        .bind(r.email.as_deref())
        .bind(millis(r.created_at))
        .bind(millis(r.updated_at))
        .bind(r.version)
        .execute(&mut *self.inner)
        .await
        .map_err(StoreError::on_duplicate("a practitioner role with this id"))?;
        Ok(())
    }

    /// The roles a practitioner holds, in a stable order (the first is the default acting role).
    pub async fn roles_of(
        &mut self,
        practitioner: &PractitionerId,
    ) -> Result<Vec<PractitionerRole>, StoreError> {
        sqlx::query(
            "SELECT id, practitioner_id, organisation_id, profession, specialist, phone, email, \
             created_at, updated_at, version FROM practitioner_roles \
             WHERE practitioner_id = $1 ORDER BY created_at, id",
        )
        .bind(practitioner.as_str())
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(role_from_row)
        .collect()
    }
}
