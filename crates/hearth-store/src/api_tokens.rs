//! The `api_tokens` table: bearer tokens for API clients, found by the hash of their secret.

use hearth_domain::UserId;
use jiff::Timestamp;

use crate::rows::{millis, optional_timestamp, text, timestamp};
use crate::{StoreError, Tx};

/// A stored API token. The secret itself is never stored, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredApiToken {
    pub id: String,
    pub user_id: UserId,
    /// What the token is for, in the issuer's words ("" when none was given).
    pub label: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, user_id, label, created_at, expires_at, last_used_at, revoked_at";

impl Tx {
    pub async fn insert_api_token(
        &mut self,
        token_hash: &str,
        token: &StoredApiToken,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_tokens (id, token_hash, user_id, label, created_at, expires_at, last_used_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL)",
        )
        .bind(&token.id)
        .bind(token_hash)
        .bind(token.user_id.as_str())
        .bind(&token.label)
        .bind(millis(token.created_at))
        .bind(millis(token.expires_at))
        .execute(&mut *self.inner)
        .await
        .map_err(StoreError::on_duplicate("an API token with this id or secret"))?;
        Ok(())
    }

    /// The token whose secret hashes to `token_hash`, whatever its state.
    pub async fn api_token_by_hash(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<StoredApiToken>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&mut *self.inner)
        .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    pub async fn api_token(&mut self, id: &str) -> Result<Option<StoredApiToken>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM api_tokens WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.inner)
            .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    /// Every token of a user, revoked and expired ones too, newest first.
    pub async fn api_tokens_of(
        &mut self,
        user: &UserId,
    ) -> Result<Vec<StoredApiToken>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id"
        ))
        .bind(user.as_str())
        .fetch_all(&mut *self.inner)
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// Revokes a token; returns whether it was open until now (false when already revoked).
    pub async fn revoke_api_token(&mut self, id: &str, now: Timestamp) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(millis(now))
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Records that a token was used at `now`.
    pub async fn touch_api_token(&mut self, id: &str, now: Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(millis(now))
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

fn token_from_row(row: &sqlx::any::AnyRow) -> Result<StoredApiToken, StoreError> {
    Ok(StoredApiToken {
        id: text(row, "id")?,
        user_id: UserId::new(text(row, "user_id")?),
        label: text(row, "label")?,
        created_at: timestamp(row, "created_at")?,
        expires_at: timestamp(row, "expires_at")?,
        last_used_at: optional_timestamp(row, "last_used_at")?,
        revoked_at: optional_timestamp(row, "revoked_at")?,
    })
}
