//! Signing in and out, and turning a session cookie back into an actor.
//!
//! Sessions live in the database (any Hearth node can serve any request). The cookie carries a
//! 256-bit random token; the database keeps only its SHA-256, so a leaked backup cannot be used
//! to take over a session. Each session has its own CSRF token for the forms it renders.

use std::net::IpAddr;

use hearth_domain::UserId;
use hearth_domain::user::{AccountStatus, Email};
use hearth_store::{StoredSession, Tx};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use crate::actor::{Actor, ActorRole};
use crate::{App, AppError, passwords};

/// A new session after a successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The secret for the session cookie. Shown to nobody else, never logged.
    pub token: String,
    pub csrf_token: String,
    pub actor: Actor,
}

/// A valid session, as seen on each request.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub actor: Actor,
    pub csrf_token: String,
}

/// One of a user's open sessions, for their account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionLine {
    pub started_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// The session this request came with.
    pub current: bool,
}

/// Sessions (and API tokens) are touched at most this often, to keep reads from turning into
/// writes.
pub(crate) const TOUCH_INTERVAL: SignedDuration = SignedDuration::from_secs(60);

impl App {
    /// Checks an email and password and opens a session, when the client's address is not
    /// known (the per-address throttle then does not apply).
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<SignedIn, AppError> {
        self.sign_in_from(email, password, None).await
    }

    /// Checks an email and password from a client at `address` and opens a session. Too many
    /// recent failures for the account, or from the address, refuse the attempt before the
    /// password is even checked.
    pub async fn sign_in_from(
        &self,
        email: &str,
        password: &str,
        address: Option<IpAddr>,
    ) -> Result<SignedIn, AppError> {
        let email = Email::parse(email)?;
        let address = address.map(throttle_address);
        let address = address.as_deref();
        let now = self.now();
        let config = &self.config;
        let since = now - config.sign_in_window;

        let mut tx = self.store.begin_read().await?;
        if let Some(address) = address {
            let (failures, latest) = tx.recent_failed_sign_ins_from(address, since).await?;
            if failures >= config.sign_in_address_max_failures {
                return Err(AppError::AddressThrottled {
                    retry_after_minutes: self.minutes_until_retry(latest),
                });
            }
        }
        let (failures, latest) = tx.recent_failed_sign_ins(email.as_str(), since).await?;
        let user = tx.user_by_email(&email).await?;
        drop(tx);
        if failures >= config.sign_in_max_failures {
            return Err(AppError::Throttled {
                retry_after_minutes: self.minutes_until_retry(latest),
            });
        }

        let stored_hash = user.as_ref().map_or_else(
            || passwords::DECOY_HASH.to_owned(),
            |u| u.password_hash.clone(),
        );
        let matches = passwords::verify(password.to_owned(), stored_hash).await?;
        let mut tx = self.store.begin_write().await?;
        let user = match user {
            Some(user) if matches => user,
            _ => {
                tx.record_sign_in_attempt(email.as_str(), address, now, false)
                    .await?;
                tx.commit().await?;
                return Err(AppError::BadCredentials);
            }
        };
        if user.account.status != AccountStatus::Active {
            return Err(AppError::AccountDisabled);
        }
        let token = random_token()?;
        let csrf_token = random_token()?;
        let session = StoredSession {
            user_id: user.account.id.clone(),
            csrf_token: csrf_token.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + config.session_lifetime,
            ended_at: None,
            acting_role_id: None,
        };
        tx.insert_session(&token_hash(&token), &session).await?;
        tx.record_sign_in_attempt(email.as_str(), address, now, true)
            .await?;
        let actor = load_actor(&mut tx, &user.account.id)
            .await?
            .ok_or_else(|| {
                AppError::Internal("the account vanished while signing in".to_owned())
            })?;
        tx.commit().await?;
        tracing::info!(user = %user.account.id, "signed in");
        Ok(SignedIn {
            token,
            csrf_token,
            actor,
        })
    }

    /// Whole minutes (rounded up) until a throttle whose latest failure was at `latest` lifts.
    fn minutes_until_retry(&self, latest: Option<Timestamp>) -> i64 {
        let now = self.now();
        let until = latest.unwrap_or(now) + self.config.sign_in_window;
        let seconds = until.duration_since(now).as_secs().max(0);
        (seconds + 59).div_euclid(60).max(1)
    }

    /// The session for a cookie token, or `None` when it is unknown, ended or expired.
    pub async fn session(&self, token: &str) -> Result<Option<SessionView>, AppError> {
        let hash = token_hash(token);
        let now = self.now();
        let (mut session, actor, from_database) = match self.sessions.get(&hash, now) {
            Some((session, actor)) => (session, actor, false),
            None => {
                let mut tx = self.store.begin_read().await?;
                let Some(session) = tx.session(&hash).await? else {
                    return Ok(None);
                };
                let Some(mut actor) = load_actor(&mut tx, &session.user_id).await? else {
                    return Ok(None);
                };
                if let Some(role) = &session.acting_role_id {
                    // A role since removed leaves the user acting in their first role.
                    actor.act_as(role);
                }
                (session, actor, true)
            }
        };
        let idle_until = session.last_seen_at + self.config.session_idle_timeout;
        if session.ended_at.is_some() || now >= session.expires_at || now >= idle_until {
            self.sessions.forget(&hash);
            return Ok(None);
        }
        let touch = now.duration_since(session.last_seen_at) >= TOUCH_INTERVAL;
        if touch {
            let mut tx = self.store.begin_write().await?;
            tx.touch_session(&hash, now).await?;
            tx.commit().await?;
            session.last_seen_at = now;
        }
        let csrf_token = session.csrf_token.clone();
        if from_database || touch {
            self.sessions.put(&hash, now, session, actor.clone());
        }
        Ok(Some(SessionView { actor, csrf_token }))
    }

    /// Makes `role_id`, one of the signed-in user's roles, the acting role of the session
    /// `token` belongs to. Takes effect on this node at once and on others within the session
    /// cache's few seconds.
    pub async fn switch_acting_role(&self, token: &str, role_id: &str) -> Result<(), AppError> {
        let hash = token_hash(token);
        let mut tx = self.store.begin_write().await?;
        let Some(session) = tx.session(&hash).await? else {
            return Err(AppError::SignedOut);
        };
        let Some(mut actor) = load_actor(&mut tx, &session.user_id).await? else {
            return Err(AppError::SignedOut);
        };
        if !actor.act_as(role_id) {
            return Err(hearth_domain::ValidationError::new(
                "role",
                "Choose one of your own roles from the list.",
            )
            .into());
        }
        tx.set_acting_role(&hash, role_id).await?;
        tx.commit().await?;
        self.sessions.forget(&hash);
        tracing::info!(user = %actor.user_id, "switched acting role");
        Ok(())
    }

    /// The signed-in user's open sessions (not ended, expired or idle), newest first, marking the
    /// one `token` belongs to.
    pub async fn my_sessions(&self, token: &str) -> Result<Vec<SessionLine>, AppError> {
        let hash = token_hash(token);
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let Some(current) = tx.session(&hash).await? else {
            return Ok(Vec::new());
        };
        Ok(tx
            .open_sessions_of(&current.user_id, now)
            .await?
            .into_iter()
            .filter(|(_, s)| now < s.last_seen_at + self.config.session_idle_timeout)
            .map(|(h, s)| SessionLine {
                started_at: s.created_at,
                last_seen_at: s.last_seen_at,
                current: h == hash,
            })
            .collect())
    }

    /// Ends every session of the user `token` belongs to, this one included: on this node at
    /// once, on others within the session cache's few seconds.
    pub async fn sign_out_everywhere(&self, token: &str) -> Result<u64, AppError> {
        let hash = token_hash(token);
        let now = self.now();
        let mut tx = self.store.begin_write().await?;
        let Some(current) = tx.session(&hash).await? else {
            return Ok(0);
        };
        let ended = tx.end_sessions_of(&current.user_id, now).await?;
        tx.commit().await?;
        self.sessions.forget_user(&current.user_id);
        Ok(ended)
    }

    /// Ends the session for a cookie token (signing out twice is harmless).
    pub async fn sign_out(&self, token: &str) -> Result<(), AppError> {
        let hash = token_hash(token);
        let mut tx = self.store.begin_write().await?;
        tx.end_session(&hash, self.now()).await?;
        tx.commit().await?;
        self.sessions.forget(&hash);
        Ok(())
    }
}

/// Loads a user's name and roles; `None` when the account is gone or not active.
pub(crate) async fn load_actor(tx: &mut Tx, user_id: &UserId) -> Result<Option<Actor>, AppError> {
    let Some(stored) = tx.actor(user_id).await? else {
        return Ok(None);
    };
    if stored.account.status != AccountStatus::Active {
        return Ok(None);
    }
    let roles = stored
        .roles
        .into_iter()
        .map(|row| ActorRole {
            role_id: row.role.id,
            organisation_id: row.role.organisation_id,
            organisation_name: row.organisation_name,
            organisation_kind: row.organisation_kind,
            profession: row.role.profession,
            specialist: row.role.specialist,
        })
        .collect();
    Ok(Some(Actor {
        user_id: stored.account.id,
        email: stored.account.email,
        practitioner_id: stored.account.practitioner_id,
        name: format!("{} {}", stored.given_name, stored.family_name),
        roles,
    }))
}

/// The address a sign-in attempt is counted against. IPv4 addresses count singly. An IPv6
/// client usually holds a whole /64 network (2^64 addresses), so IPv6 attempts count against
/// their /64; IPv4 addresses written as IPv6 (`::ffff:192.0.2.1`) count as IPv4.
fn throttle_address(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// 32 random bytes from the operating system, hex-encoded: for session and CSRF tokens.
pub fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(format!("the system random source failed: {e}")))?;
    Ok(hex(&bytes))
}

pub(crate) fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_by_their_network() {
        let one: IpAddr = "2001:db8:1:2::5".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(throttle_address(one), "2001:db8:1:2::/64");
        assert_eq!(throttle_address(one), throttle_address(other));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(throttle_address(mapped), "192.0.2.1");
        assert_eq!(throttle_address("192.0.2.1".parse().unwrap()), "192.0.2.1");
    }
}
