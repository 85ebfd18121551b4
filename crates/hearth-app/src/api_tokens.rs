//! API bearer tokens: issuing, listing and revoking them (administration, from the command
//! line), and turning a presented token back into an actor on each API request.
//!
//! A token is `hearth_pat_` followed by 256 random bits in hex. It is shown once, when issued;
//! the database keeps only its SHA-256, like a session's. Issuing and revoking are audited.

use hearth_domain::api_token::{API_TOKEN_PREFIX, TokenExpiry, check_label, looks_like_api_token};
use hearth_domain::audit::{AccessBasis, AuditAction, AuditOutcome, AuditRecord};
use hearth_domain::user::{AccountStatus, Email};
use hearth_store::{StoredApiToken, Tx};
use jiff::Timestamp;

use crate::actor::Actor;
use crate::auth::{TOUCH_INTERVAL, load_actor, random_token, token_hash};
use crate::{App, AppError};

/// A newly issued token, with its secret: the only time the secret is ever available.
#[derive(Debug, Clone)]
pub struct IssuedApiToken {
    pub id: String,
    /// The bearer token. Print it once; never log it.
    pub secret: String,
    pub email: Email,
    pub label: String,
    pub expires_at: Timestamp,
}

/// One of a user's tokens as listed for an administrator: never with its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenLine {
    pub token: StoredApiToken,
    /// Whether it had expired when listed.
    pub expired: bool,
}

/// The resource type API tokens are audited under.
const RESOURCE_TYPE: &str = "ApiToken";

impl App {
    /// Issues a token that acts as the user with this email until `expiry`.
    pub async fn create_api_token(
        &self,
        email: &str,
        label: &str,
        expiry: TokenExpiry,
    ) -> Result<IssuedApiToken, AppError> {
        let email = Email::parse(email)?;
        let label = check_label(label)?;
        let now = self.now();
        let expires_at = expiry.expires_at(now, &self.config.time_zone)?;
        let secret = format!("{API_TOKEN_PREFIX}{}", random_token()?);
        let mut tx = self.store.begin_write().await?;
        let user = tx
            .user_by_email(&email)
            .await?
            .ok_or_else(|| no_account(&email))?
            .account;
        if user.status != AccountStatus::Active {
            return Err(AppError::AccountDisabled);
        }
        let token = StoredApiToken {
            id: self.ids.new_id(),
            user_id: user.id.clone(),
            label: label.clone(),
            created_at: now,
            expires_at,
            last_used_at: None,
            revoked_at: None,
        };
        tx.insert_api_token(&token_hash(&secret), &token).await?;
        audit(&mut tx, &token, AuditAction::Create, now, "issued").await?;
        tx.commit().await?;
        tracing::info!(user = %user.id, token = %token.id, "API token issued");
        Ok(IssuedApiToken {
            id: token.id,
            secret,
            email,
            label,
            expires_at,
        })
    }

    /// Revokes a token by its id: it stops working at once, on every node.
    pub async fn revoke_api_token(&self, id: &str) -> Result<StoredApiToken, AppError> {
        let id = id.trim();
        let now = self.now();
        let mut tx = self.store.begin_write().await?;
        let mut token = tx.api_token(id).await?.ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no API token with id '{id}'. `hearth token list --user EMAIL` shows a user's tokens."
            ))
        })?;
        if !tx.revoke_api_token(id, now).await? {
            return Err(AppError::Duplicate(format!(
                "The API token {id} is already revoked."
            )));
        }
        token.revoked_at = Some(now);
        audit(&mut tx, &token, AuditAction::Update, now, "revoked").await?;
        tx.commit().await?;
        tracing::info!(user = %token.user_id, token = %token.id, "API token revoked");
        Ok(token)
    }

    /// Every token of the user with this email, revoked and expired ones too, newest first.
    /// Secrets are not stored, so they cannot be listed.
    pub async fn api_tokens_of(&self, email: &str) -> Result<Vec<ApiTokenLine>, AppError> {
        let email = Email::parse(email)?;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let user = tx
            .user_by_email(&email)
            .await?
            .ok_or_else(|| no_account(&email))?
            .account;
        Ok(tx
            .api_tokens_of(&user.id)
            .await?
            .into_iter()
            .map(|token| ApiTokenLine {
                expired: now >= token.expires_at,
                token,
            })
            .collect())
    }

    /// The actor a bearer token acts as, or `None` when the token is malformed, unknown,
    /// revoked or expired, or its account is disabled. Revocation takes effect at once: tokens
    /// are not cached.
    pub async fn bearer(&self, secret: &str) -> Result<Option<Actor>, AppError> {
        if !looks_like_api_token(secret) {
            return Ok(None);
        }
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let Some(token) = tx.api_token_by_hash(&token_hash(secret)).await? else {
            return Ok(None);
        };
        if token.revoked_at.is_some() || now >= token.expires_at {
            return Ok(None);
        }
        let Some(actor) = load_actor(&mut tx, &token.user_id).await? else {
            return Ok(None);
        };
        drop(tx);
        let stale = token
            .last_used_at
            .is_none_or(|at| now.duration_since(at) >= TOUCH_INTERVAL);
        if stale {
            let mut tx = self.store.begin_write().await?;
            tx.touch_api_token(&token.id, now).await?;
            tx.commit().await?;
        }
        Ok(Some(actor))
    }
}

fn no_account(email: &Email) -> AppError {
    AppError::NotFound(format!(
        "There is no account for {email}. Check the spelling, or create it with `hearth user add`."
    ))
}

/// Revokes every open token of a user whose account is being disabled, in the caller's
/// transaction, auditing each: a re-enabled account starts without the old tokens.
pub(crate) async fn revoke_all_of(
    tx: &mut Tx,
    user: &hearth_domain::UserId,
    now: Timestamp,
) -> Result<(), AppError> {
    for mut token in tx.api_tokens_of(user).await? {
        if token.revoked_at.is_none() && tx.revoke_api_token(&token.id, now).await? {
            token.revoked_at = Some(now);
            audit(
                tx,
                &token,
                AuditAction::Update,
                now,
                "revoked with its account",
            )
            .await?;
        }
    }
    Ok(())
}

/// Audits an administrative change to a token. The record names the token and its owner, never
/// the secret, and no patient.
async fn audit(
    tx: &mut Tx,
    token: &StoredApiToken,
    action: AuditAction,
    at: Timestamp,
    what: &str,
) -> Result<(), AppError> {
    tx.append_audit(&AuditRecord {
        at,
        user_id: None,
        acting_organisation_id: None,
        patient_id: None,
        action,
        resource_type: RESOURCE_TYPE,
        resource_id: Some(token.id.clone()),
        resource_version: None,
        basis: AccessBasis::Administration,
        outcome: AuditOutcome::Allowed,
        detail: Some(format!(
            "API token {what} for user {}, expiring {}",
            token.user_id, token.expires_at
        )),
    })
    .await?;
    Ok(())
}
