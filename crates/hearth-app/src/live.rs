//! Live updates: telling open pages that something for their user changed, without a reload.
//!
//! A change that needs someone (a message to them or their service, a receipt on their message,
//! a call agreed) announces the *keys* it concerns: `p:ID` for a practitioner, `o:ID` for a
//! service. Each open page (the web layer's server-sent events) waits for a key of its user and
//! then fetches its own fresh content through the usual audited use cases; an announcement
//! carries no patient data. On SQLite (one node) announcements go straight to this node's
//! subscribers after the change commits. On PostgreSQL, where several nodes share the database,
//! the change sends them with `pg_notify` inside its transaction, which PostgreSQL delivers at
//! commit to every node listening, this one included (`Store::live_listener`). See
//! `docs/design/conversations.md`.

use std::sync::Arc;

use hearth_domain::care_team::Member;
use hearth_store::{Backend, Store, Tx};
use tokio::sync::broadcast;

use crate::{Actor, AppError};

/// Announcements kept for a slow subscriber before it skips ahead (it then refreshes anyway).
const BACKLOG: usize = 256;

/// The key of a care-team member.
pub(crate) fn key_of(member: &Member) -> String {
    match member {
        Member::Practitioner(id) => format!("p:{id}"),
        Member::Service(id) => format!("o:{id}"),
    }
}

/// The keys an actor's pages listen for: their own, and their acting service's.
fn keys_of_actor(actor: &Actor) -> Vec<String> {
    let mut keys = vec![format!("p:{}", actor.practitioner_id)];
    keys.extend(
        actor
            .acting_role()
            .map(|r| format!("o:{}", r.organisation_id)),
    );
    keys
}

#[derive(Debug)]
pub(crate) struct Live {
    sender: broadcast::Sender<Arc<str>>,
}

impl Live {
    /// The hub; on PostgreSQL it also starts listening for other nodes' announcements. Must be
    /// called within a Tokio runtime.
    pub(crate) fn start(store: &Store) -> Arc<Self> {
        let (sender, _) = broadcast::channel(BACKLOG);
        let live = Arc::new(Live { sender });
        if store.backend() == Backend::Postgres {
            let store = store.clone();
            let hub = Arc::downgrade(&live);
            tokio::spawn(async move { listen(store, hub).await });
        }
        live
    }

    fn publish(&self, keys: &str) {
        // No subscriber is not an error: nobody has a page open.
        let _ = self.sender.send(Arc::from(keys));
    }

    /// Commits `tx` and announces `keys` to every node's open pages.
    pub(crate) async fn commit(
        &self,
        store: &Store,
        mut tx: Tx,
        keys: &[String],
    ) -> Result<(), AppError> {
        let joined = keys.join(" ");
        if store.backend() == Backend::Postgres {
            if !keys.is_empty() {
                tx.notify_live(&joined).await?;
            }
            tx.commit().await?;
        } else {
            tx.commit().await?;
            if !keys.is_empty() {
                self.publish(&joined);
            }
        }
        Ok(())
    }

    pub(crate) fn subscribe(&self, actor: &Actor) -> LiveUpdates {
        LiveUpdates {
            receiver: self.sender.subscribe(),
            keys: keys_of_actor(actor),
        }
    }
}

/// Relays other nodes' announcements (and this node's own, on PostgreSQL) to local subscribers,
/// reconnecting after a lost connection. Stops when the hub is gone.
async fn listen(store: Store, hub: std::sync::Weak<Live>) {
    loop {
        match store.live_listener().await {
            Ok(mut listener) => loop {
                match listener.recv().await {
                    Ok(keys) => match hub.upgrade() {
                        Some(live) => live.publish(&keys),
                        None => return,
                    },
                    Err(error) => {
                        tracing::warn!(%error, "live updates: the listening connection failed; reconnecting");
                        break;
                    }
                }
            },
            Err(error) => {
                tracing::warn!(%error, "live updates: cannot listen for other nodes' changes; retrying");
            }
        }
        if hub.strong_count() == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
}

/// One open page's subscription.
#[derive(Debug)]
pub struct LiveUpdates {
    receiver: broadcast::Receiver<Arc<str>>,
    keys: Vec<String>,
}

impl LiveUpdates {
    /// Waits for the next announcement that concerns this user; `false` when the hub has gone
    /// (the server is stopping). Missed announcements count as one.
    pub async fn changed(&mut self) -> bool {
        loop {
            match self.receiver.recv().await {
                Ok(keys) => {
                    if keys
                        .split(' ')
                        .any(|k| self.keys.iter().any(|mine| mine == k))
                    {
                        return true;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => return true,
                Err(broadcast::error::RecvError::Closed) => return false,
            }
        }
    }
}
