//! A node-local memory of sessions checked in the last few seconds.
//!
//! Every page request checks its session, which costs three queries; a clinician clicking
//! through a record sends several requests a second. Remembering a checked session for
//! `FRESH_FOR` saves those queries without weakening the rules: expiry and idle time-out are still
//! evaluated on every request, and signing out on this node forgets the session at once. The
//! price is that signing out or disabling an account takes up to `FRESH_FOR` to reach *other*
//! nodes sharing the database.

use std::collections::HashMap;
use std::sync::Mutex;

use hearth_store::StoredSession;
use jiff::{SignedDuration, Timestamp};

use crate::Actor;

/// How long a checked session is trusted without asking the database again.
const FRESH_FOR: SignedDuration = SignedDuration::from_secs(5);

/// More entries than this and the memory is simply emptied: it refills from the database.
const MAX_ENTRIES: usize = 10_000;

#[derive(Default, Debug)]
pub(crate) struct SessionCache {
    entries: Mutex<HashMap<String, (Timestamp, StoredSession, Actor)>>,
}

impl SessionCache {
    /// The session and actor for a token hash, when checked against the database within
    /// `FRESH_FOR` of `now`.
    pub(crate) fn get(&self, token_hash: &str, now: Timestamp) -> Option<(StoredSession, Actor)> {
        let entries = self.entries.lock().ok()?;
        let (checked_at, session, actor) = entries.get(token_hash)?;
        let fresh = now >= *checked_at && now.duration_since(*checked_at) < FRESH_FOR;
        fresh.then(|| (session.clone(), actor.clone()))
    }

    pub(crate) fn put(
        &self,
        token_hash: &str,
        now: Timestamp,
        session: StoredSession,
        actor: Actor,
    ) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(token_hash.to_owned(), (now, session, actor));
        }
    }

    /// Forgets every session of one user (their account was disabled).
    pub(crate) fn forget_user(&self, user: &hearth_domain::UserId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (_, session, _)| &session.user_id != user);
        }
    }

    pub(crate) fn forget(&self, token_hash: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(token_hash);
        }
    }
}
