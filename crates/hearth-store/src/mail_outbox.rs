//! The `mail_outbox` table: e-mails to send, as whom to tell and why
//! (`hearth_domain::notification`). Rows are written in the transaction of what they announce,
//! claimed by one node before sending, and marked sent or failed.

use hearth_domain::PractitionerId;
use hearth_domain::notification::MailReason;
use jiff::{SignedDuration, Timestamp};

use crate::rows::{code, integer, millis, optional_text, text};
use crate::{StoreError, Tx};

/// Attempts after which a mail is given up.
pub const MAX_ATTEMPTS: i64 = 5;

/// A mail claimed for sending: to whom (their account's address, when they have an active
/// account) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMail {
    pub id: String,
    pub practitioner_id: PractitionerId,
    pub address: Option<String>,
    pub reason: MailReason,
    pub attempts: i64,
}

impl Tx {
    /// Queues a mail to `person` for `reason`.
    pub async fn queue_mail(
        &mut self,
        id: &str,
        person: &PractitionerId,
        reason: MailReason,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO mail_outbox (id, practitioner_id, reason, created_at, claimed_at, \
             sent_at, attempts, last_error) VALUES ($1, $2, $3, $4, NULL, NULL, 0, NULL)",
        )
        .bind(id)
        .bind(person.as_str())
        .bind(reason.code())
        .bind(millis(now))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Claims up to `limit` unsent mails not claimed in the last `stale` (a node that claimed
    /// one and stopped leaves it to the others after that), oldest first.
    pub async fn claim_mail(
        &mut self,
        now: Timestamp,
        stale: SignedDuration,
        limit: u32,
    ) -> Result<Vec<PendingMail>, StoreError> {
        let before = millis(now.checked_sub(stale).unwrap_or(now));
        let rows = sqlx::query(
            "SELECT o.id, o.practitioner_id, o.reason, o.attempts, u.email FROM mail_outbox o \
             LEFT JOIN users u ON u.practitioner_id = o.practitioner_id AND u.status = 'active' \
             WHERE o.sent_at IS NULL AND o.attempts < $1 \
             AND (o.claimed_at IS NULL OR o.claimed_at < $2) \
             ORDER BY o.created_at, o.id LIMIT $3",
        )
        .bind(MAX_ATTEMPTS)
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&mut *self.inner)
        .await?;
        let mut claimed = Vec::new();
        for row in &rows {
            let id = text(row, "id")?;
            let done = sqlx::query(
                "UPDATE mail_outbox SET claimed_at = $2 WHERE id = $1 AND sent_at IS NULL \
                 AND (claimed_at IS NULL OR claimed_at < $3)",
            )
            .bind(id.as_str())
            .bind(millis(now))
            .bind(before)
            .execute(&mut *self.inner)
            .await?;
            if done.rows_affected() == 1 {
                claimed.push(PendingMail {
                    id,
                    practitioner_id: PractitionerId::new(text(row, "practitioner_id")?),
                    address: optional_text(row, "email")?,
                    reason: code(row, "reason", MailReason::from_code)?,
                    attempts: integer(row, "attempts")?,
                });
            }
        }
        Ok(claimed)
    }

    /// Records that a mail was sent.
    pub async fn mark_mail_sent(&mut self, id: &str, now: Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE mail_outbox SET sent_at = $2, attempts = attempts + 1 WHERE id = $1")
            .bind(id)
            .bind(millis(now))
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Records a failed attempt, retried later until `MAX_ATTEMPTS` (or never, when `give_up`);
    /// `error` says what went wrong (no clinical content: it is the mail server's answer).
    pub async fn mark_mail_failed(
        &mut self,
        id: &str,
        error: &str,
        give_up: bool,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE mail_outbox SET claimed_at = NULL, last_error = $2, \
             attempts = CASE WHEN $3 = 1 THEN $4 ELSE attempts + 1 END WHERE id = $1",
        )
        .bind(id)
        .bind(error.chars().take(300).collect::<String>())
        .bind(i64::from(give_up))
        .bind(MAX_ATTEMPTS)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Gives a claimed mail back unsent, without counting an attempt (the relay could not be
    /// reached for an earlier mail of the same run).
    pub async fn release_mail(&mut self, id: &str, why: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE mail_outbox SET claimed_at = NULL, last_error = $2 WHERE id = $1")
            .bind(id)
            .bind(why.chars().take(300).collect::<String>())
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// How many mails wait to be sent (not given up).
    pub async fn mail_waiting(&mut self) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM mail_outbox WHERE sent_at IS NULL AND attempts < $1",
        )
        .bind(MAX_ATTEMPTS)
        .fetch_one(&mut *self.inner)
        .await?;
        integer(&row, "n")
    }
}
