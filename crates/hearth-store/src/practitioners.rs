//! The `practitioners` and `practitioner_roles` tables.

use hearth_domain::organisation::{Competency, OrganisationKind};
use hearth_domain::practitioner::{Practitioner, PractitionerRole, Profession};
use hearth_domain::register::join_codes;
use hearth_domain::user::UserAccount;
use hearth_domain::{OrganisationId, PractitionerId, PractitionerRoleId, UserId};
use sqlx::any::AnyRow;

use crate::rows::{code, flag, integer, millis, optional_text, text, timestamp};
use crate::users::account_from_row;
use crate::{StoreError, Tx};

pub(crate) fn role_from_row(row: &AnyRow) -> Result<PractitionerRole, StoreError> {
    Ok(PractitionerRole {
        id: PractitionerRoleId::new(text(row, "id")?),
        practitioner_id: PractitionerId::new(text(row, "practitioner_id")?),
        organisation_id: OrganisationId::new(text(row, "organisation_id")?),
        profession: code(row, "profession", Profession::from_code)?,
        specialist: flag(row, "specialist")?,
        phone: optional_text(row, "phone")?,
        email: optional_text(row, "email")?,
        competencies: crate::organisations::competencies(row)?,
        working_pattern: optional_text(row, "working_pattern")?,
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

    pub async fn insert_practitioner_role(
        &mut self,
        r: &PractitionerRole,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO practitioner_roles (id, practitioner_id, organisation_id, profession, specialist, \
             phone, email, competencies, working_pattern, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(r.id.as_str())
        .bind(r.practitioner_id.as_str())
        .bind(r.organisation_id.as_str())
        .bind(r.profession.code())
        .bind(r.specialist)
        .bind(r.phone.as_deref())
        .bind(r.email.as_deref())
        .bind(join_codes(&r.competencies, Competency::code))
        .bind(r.working_pattern.as_deref())
        .bind(millis(r.created_at))
        .bind(millis(r.updated_at))
        .bind(r.version)
        .execute(&mut *self.inner)
        .await
        .map_err(StoreError::on_duplicate("a practitioner role with this id"))?;
        Ok(())
    }

    /// "Given Family" of each practitioner in `ids` that exists, keyed by id.
    pub async fn practitioner_names(
        &mut self,
        ids: &[PractitionerId],
    ) -> Result<std::collections::HashMap<PractitionerId, String>, StoreError> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let sql = format!(
            "SELECT id, given_name, family_name FROM practitioners WHERE id IN ({})",
            crate::rows::placeholders(1, ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(id.as_str());
        }
        query
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(|row| {
                let name = format!("{} {}", text(row, "given_name")?, text(row, "family_name")?);
                Ok((PractitionerId::new(text(row, "id")?), name))
            })
            .collect()
    }

    /// A user account with its practitioner's name and every role, each with its organisation's
    /// name and kind: all a signed-in request needs to know about its actor, in two queries.
    pub async fn actor(&mut self, user: &UserId) -> Result<Option<StoredActor>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT u.id, u.email, u.practitioner_id, u.status, u.created_at, u.updated_at, u.version, \
             p.given_name, p.family_name FROM users u JOIN practitioners p ON p.id = u.practitioner_id \
             WHERE u.id = $1",
        )
        .bind(user.as_str())
        .fetch_optional(&mut *self.inner)
        .await?
        else {
            return Ok(None);
        };
        let account = account_from_row(&row)?;
        let roles = sqlx::query(
            "SELECT r.id, r.practitioner_id, r.organisation_id, r.profession, r.specialist, r.phone, \
             r.email, r.competencies, r.working_pattern, r.created_at, r.updated_at, r.version, \
             o.name AS organisation_name, \
             o.kind AS organisation_kind FROM practitioner_roles r \
             JOIN organisations o ON o.id = r.organisation_id \
             WHERE r.practitioner_id = $1 AND r.ended_at IS NULL ORDER BY r.created_at, r.id",
        )
        .bind(account.practitioner_id.as_str())
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(|row| {
            Ok(ActorRoleRow {
                role: role_from_row(row)?,
                organisation_name: text(row, "organisation_name")?,
                organisation_kind: code(row, "organisation_kind", OrganisationKind::from_code)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
        Ok(Some(StoredActor {
            account,
            given_name: text(&row, "given_name")?,
            family_name: text(&row, "family_name")?,
            roles,
        }))
    }
}

/// One role of one practitioner, as the directory lists it.
#[derive(Debug, Clone)]
pub struct DirectoryEntry {
    /// "Given Family".
    pub name: String,
    pub role: PractitionerRole,
    pub organisation_name: String,
}

impl Tx {
    /// Every practitioner with each of their roles, by organisation, then family name.
    pub async fn practitioner_directory(&mut self) -> Result<Vec<DirectoryEntry>, StoreError> {
        sqlx::query(
            "SELECT r.id, r.practitioner_id, r.organisation_id, r.profession, r.specialist, r.phone, \
             r.email, r.competencies, r.working_pattern, r.created_at, r.updated_at, r.version, \
             p.given_name, p.family_name, o.name AS organisation_name \
             FROM practitioner_roles r JOIN practitioners p ON p.id = r.practitioner_id \
             JOIN organisations o ON o.id = r.organisation_id WHERE r.ended_at IS NULL \
             ORDER BY o.name, p.family_name, p.given_name",
        )
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(|row| {
            Ok(DirectoryEntry {
                name: format!("{} {}", text(row, "given_name")?, text(row, "family_name")?),
                role: role_from_row(row)?,
                organisation_name: text(row, "organisation_name")?,
            })
        })
        .collect()
    }
}

/// A user account, its practitioner's name and roles.
#[derive(Debug, Clone)]
pub struct StoredActor {
    pub account: UserAccount,
    pub given_name: String,
    pub family_name: String,
    pub roles: Vec<ActorRoleRow>,
}

/// One role with its organisation's name and kind.
#[derive(Debug, Clone)]
pub struct ActorRoleRow {
    pub role: PractitionerRole,
    pub organisation_name: String,
    pub organisation_kind: OrganisationKind,
}

/// A role as the administration pages show it: with its organisation's name and, once it has
/// ended, when.
#[derive(Debug, Clone)]
pub struct RoleRecord {
    pub role: PractitionerRole,
    pub organisation_name: String,
    pub ended_at: Option<jiff::Timestamp>,
}

/// A practitioner with their user account, if they have one.
#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub practitioner: Practitioner,
    pub account: Option<UserAccount>,
}

const ROLE_COLUMNS: &str = "r.id, r.practitioner_id, r.organisation_id, r.profession, r.specialist, r.phone, \
     r.email, r.competencies, r.working_pattern, r.created_at, r.updated_at, r.version, r.ended_at, \
     o.name AS organisation_name";

fn role_record(row: &AnyRow) -> Result<RoleRecord, StoreError> {
    Ok(RoleRecord {
        role: role_from_row(row)?,
        organisation_name: text(row, "organisation_name")?,
        ended_at: crate::rows::optional_timestamp(row, "ended_at")?,
    })
}

impl Tx {
    /// Every role, current and ended, held in one of `organisations`, by organisation name then
    /// practitioner.
    pub async fn roles_in(
        &mut self,
        organisations: &[OrganisationId],
    ) -> Result<Vec<RoleRecord>, StoreError> {
        if organisations.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {ROLE_COLUMNS} FROM practitioner_roles r JOIN organisations o ON o.id = r.organisation_id \
             WHERE r.organisation_id IN ({}) ORDER BY o.name, r.practitioner_id, r.created_at",
            crate::rows::placeholders(1, organisations.len())
        );
        let mut query = sqlx::query(&sql);
        for id in organisations {
            query = query.bind(id.as_str());
        }
        query
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(role_record)
            .collect()
    }

    /// Every role, current and ended, of one practitioner, oldest first.
    pub async fn roles_of(
        &mut self,
        practitioner: &PractitionerId,
    ) -> Result<Vec<RoleRecord>, StoreError> {
        let sql = format!(
            "SELECT {ROLE_COLUMNS} FROM practitioner_roles r JOIN organisations o ON o.id = r.organisation_id \
             WHERE r.practitioner_id = $1 ORDER BY r.created_at, r.id"
        );
        sqlx::query(&sql)
            .bind(practitioner.as_str())
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(role_record)
            .collect()
    }

    /// Practitioners with these ids and their accounts, by family then given name.
    pub async fn people(
        &mut self,
        ids: &[PractitionerId],
    ) -> Result<Vec<PersonRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT p.id AS p_id, p.given_name, p.family_name, p.created_at AS p_created_at, \
             p.updated_at AS p_updated_at, p.version AS p_version, u.id, u.email, u.practitioner_id, \
             u.status, u.created_at, u.updated_at, u.version \
             FROM practitioners p LEFT JOIN users u ON u.practitioner_id = p.id \
             WHERE p.id IN ({}) ORDER BY p.family_name, p.given_name, p.id",
            crate::rows::placeholders(1, ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(id.as_str());
        }
        query
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(|row| {
                let account = match optional_text(row, "id")? {
                    Some(_) => Some(account_from_row(row)?),
                    None => None,
                };
                Ok(PersonRecord {
                    practitioner: Practitioner {
                        id: PractitionerId::new(text(row, "p_id")?),
                        given_name: text(row, "given_name")?,
                        family_name: text(row, "family_name")?,
                        created_at: timestamp(row, "p_created_at")?,
                        updated_at: timestamp(row, "p_updated_at")?,
                        version: integer(row, "p_version")?,
                    },
                    account,
                })
            })
            .collect()
    }

    /// Marks a current role as ended at `at`, provided it is still at `version`.
    pub async fn end_practitioner_role(
        &mut self,
        role: &PractitionerRoleId,
        version: i64,
        at: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        let result = sqlx::query(
            "UPDATE practitioner_roles SET ended_at = $1, updated_at = $1, version = version + 1 \
             WHERE id = $2 AND version = $3 AND ended_at IS NULL",
        )
        .bind(millis(at))
        .bind(role.as_str())
        .bind(version)
        .execute(&mut *self.inner)
        .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::Conflict { what: "role" });
        }
        Ok(())
    }
}
