//! The `users` table.

use hearth_domain::user::{AccountStatus, Email, UserAccount};
use hearth_domain::{PractitionerId, UserId};
use sqlx::any::AnyRow;

use crate::rows::{code, integer, millis, text, timestamp};
use crate::{StoreError, Tx};

/// A user account with its password hash, which only the app layer's sign-in reads.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub account: UserAccount,
    pub password_hash: String,
}

pub(crate) fn account_from_row(row: &AnyRow) -> Result<UserAccount, StoreError> {
    let email = text(row, "email")?;
    Ok(UserAccount {
        id: UserId::new(text(row, "id")?),
        email: Email::parse(&email)
            .map_err(|_| StoreError::Corrupt(format!("users.email holds '{email}'")))?,
        practitioner_id: PractitionerId::new(text(row, "practitioner_id")?),
        status: code(row, "status", AccountStatus::from_code)?,
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
        version: integer(row, "version")?,
    })
}

fn from_row(row: &AnyRow) -> Result<StoredUser, StoreError> {
    Ok(StoredUser {
        account: account_from_row(row)?,
        password_hash: text(row, "password_hash")?,
    })
}

const COLUMNS: &str =
    "id, email, password_hash, practitioner_id, status, created_at, updated_at, version";

impl Tx {
    pub async fn insert_user(
        &mut self,
        user: &UserAccount,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, practitioner_id, status, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(user.id.as_str())
        .bind(user.email.as_str())
        .bind(password_hash)
        .bind(user.practitioner_id.as_str())
        .bind(user.status.code())
        .bind(millis(user.created_at))
        .bind(millis(user.updated_at))
        .bind(user.version)
        .execute(&mut *self.inner)
        .await
        .map_err(StoreError::on_duplicate("a user with this email"))?;
        Ok(())
    }

    pub async fn user_by_email(&mut self, email: &Email) -> Result<Option<StoredUser>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
        sqlx::query(&sql)
            .bind(email.as_str())
            .fetch_optional(&mut *self.inner)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }
}

impl Tx {
    /// Changes an account's status, provided it is still at `user.version - 1`.
    pub async fn update_user_status(&mut self, user: &UserAccount) -> Result<(), StoreError> {
        // Whether a coordinator is active depends on their account's status.
        let coordinated = sqlx::query(
            "SELECT c.patient_id FROM care_team_members c JOIN users u ON u.practitioner_id = c.practitioner_id \
             WHERE u.id = $1 AND c.coordinator AND c.ended_on IS NULL",
        )
        .bind(user.id.as_str())
        .fetch_all(&mut *self.inner)
        .await?;
        for row in &coordinated {
            self.touch_register_list(&hearth_domain::PatientId::new(crate::rows::text(
                row,
                "patient_id",
            )?));
        }
        let result = sqlx::query(
            "UPDATE users SET status = $1, updated_at = $2, version = $3 WHERE id = $4 AND version = $5",
        )
        .bind(user.status.code())
        .bind(millis(user.updated_at))
        .bind(user.version)
        .bind(user.id.as_str())
        .bind(user.version - 1)
        .execute(&mut *self.inner)
        .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                what: "user account",
            });
        }
        Ok(())
    }
}

impl Tx {
    /// Which of these practitioners have a disabled account.
    pub async fn disabled_practitioners(
        &mut self,
        practitioners: &[PractitionerId],
    ) -> Result<Vec<PractitionerId>, StoreError> {
        if practitioners.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT practitioner_id FROM users WHERE status = 'disabled' AND practitioner_id IN ({})",
            crate::rows::placeholders(1, practitioners.len())
        );
        let mut query = sqlx::query(&sql);
        for id in practitioners {
            query = query.bind(id.as_str());
        }
        query
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(|row| text(row, "practitioner_id").map(PractitionerId::new))
            .collect()
    }
}
