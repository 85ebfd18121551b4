//! The `sessions` and `sign_in_attempts` tables.

use hearth_domain::UserId;
use jiff::Timestamp;

use crate::rows::{integer, millis, optional_text, optional_timestamp, text, timestamp};
use crate::{StoreError, Tx};

/// A stored session, found by the hash of its cookie token.
#[derive(Debug, Clone)]
pub struct StoredSession {
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    /// The role the user acts in during this session (`None`: their first role).
    pub acting_role_id: Option<String>,
}

impl Tx {
    pub async fn insert_session(
        &mut self,
        token_hash: &str,
        session: &StoredSession,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ended_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        )
        .bind(token_hash)
        .bind(session.user_id.as_str())
        .bind(&session.csrf_token)
        .bind(millis(session.created_at))
        .bind(millis(session.last_seen_at))
        .bind(millis(session.expires_at))
        .execute(&mut *self.inner)
        .await
        .map_err(StoreError::on_duplicate("a session with this token"))?;
        Ok(())
    }

    pub async fn session(&mut self, token_hash: &str) -> Result<Option<StoredSession>, StoreError> {
        let row = sqlx::query(
            "SELECT user_id, csrf_token, created_at, last_seen_at, expires_at, ended_at, acting_role_id \
             FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&mut *self.inner)
        .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    pub async fn touch_session(
        &mut self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND ended_at IS NULL",
        )
        .bind(millis(now))
        .bind(token_hash)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Sets the role a session acts in.
    pub async fn set_acting_role(
        &mut self,
        token_hash: &str,
        role_id: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sessions SET acting_role_id = $1 WHERE token_hash = $2 AND ended_at IS NULL",
        )
        .bind(role_id)
        .bind(token_hash)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    pub async fn end_session(
        &mut self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE token_hash = $2 AND ended_at IS NULL")
            .bind(millis(now))
            .bind(token_hash)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Records a sign-in attempt for `email` from the client `address` (when known).
    pub async fn record_sign_in_attempt(
        &mut self,
        email: &str,
        address: Option<&str>,
        at: Timestamp,
        succeeded: bool,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sign_in_attempts (email, address, at, succeeded) VALUES ($1, $2, $3, $4)",
        )
        .bind(email)
        .bind(address)
        .bind(millis(at))
        .bind(succeeded)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Failed sign-ins for `email` since `since` and after its last successful sign-in (in the
    /// order they were recorded), and the time of the latest of them.
    pub async fn recent_failed_sign_ins(
        &mut self,
        email: &str,
        since: Timestamp,
    ) -> Result<(i64, Option<Timestamp>), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MAX(at) AS latest FROM sign_in_attempts \
             WHERE email = $1 AND at >= $2 AND succeeded = $3 AND id > COALESCE( \
               (SELECT MAX(id) FROM sign_in_attempts WHERE email = $1 AND succeeded = $4), 0)",
        )
        .bind(email)
        .bind(millis(since))
        .bind(false)
        .bind(true)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok((integer(&row, "n")?, optional_timestamp(&row, "latest")?))
    }

    /// Failed sign-ins from the client `address` since `since`, for any account, and the time of
    /// the latest of them. Successes do not reset this count: one address signing in to its own
    /// account now and then must not be able to keep guessing at others.
    pub async fn recent_failed_sign_ins_from(
        &mut self,
        address: &str,
        since: Timestamp,
    ) -> Result<(i64, Option<Timestamp>), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MAX(at) AS latest FROM sign_in_attempts \
             WHERE address = $1 AND at >= $2 AND succeeded = $3",
        )
        .bind(address)
        .bind(millis(since))
        .bind(false)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok((integer(&row, "n")?, optional_timestamp(&row, "latest")?))
    }
}

impl Tx {
    /// A user's sessions that have not ended or expired by `now`, newest first, each with the
    /// hash of its token.
    pub async fn open_sessions_of(
        &mut self,
        user: &UserId,
        now: Timestamp,
    ) -> Result<Vec<(String, StoredSession)>, StoreError> {
        let rows = sqlx::query(
            "SELECT token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ended_at, acting_role_id \
             FROM sessions WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 \
             ORDER BY created_at DESC",
        )
        .bind(user.as_str())
        .bind(millis(now))
        .fetch_all(&mut *self.inner)
        .await?;
        rows.iter()
            .map(|row| Ok((text(row, "token_hash")?, session_from_row(row)?)))
            .collect()
    }

    /// Ends every open session of a user (on disabling the account, or "sign out everywhere").
    pub async fn end_sessions_of(
        &mut self,
        user: &UserId,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL",
        )
        .bind(millis(now))
        .bind(user.as_str())
        .execute(&mut *self.inner)
        .await?;
        Ok(result.rows_affected())
    }
}

fn session_from_row(row: &sqlx::any::AnyRow) -> Result<StoredSession, StoreError> {
    Ok(StoredSession {
        user_id: UserId::new(text(row, "user_id")?),
        csrf_token: text(row, "csrf_token")?,
        created_at: timestamp(row, "created_at")?,
        last_seen_at: timestamp(row, "last_seen_at")?,
        expires_at: timestamp(row, "expires_at")?,
        ended_at: optional_timestamp(row, "ended_at")?,
        acting_role_id: optional_text(row, "acting_role_id")?,
    })
}
