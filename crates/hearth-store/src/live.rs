//! Live-update announcements between nodes sharing one PostgreSQL: `pg_notify` inside the
//! changing transaction (delivered at commit, never for a rolled-back change) and a listening
//! connection per node. SQLite has one node, so the app announces there in memory.

use crate::{Backend, Store, StoreError, Tx};

/// The channel every node listens on.
const CHANNEL: &str = "hearth_live";

impl Tx {
    /// Announces `keys` to every listening node when this transaction commits (PostgreSQL).
    pub async fn notify_live(&mut self, keys: &str) -> Result<(), StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(keys)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

/// A node's listening connection.
#[derive(Debug)]
pub struct LiveListener {
    listener: sqlx::postgres::PgListener,
}

impl LiveListener {
    /// The keys of the next announcement.
    pub async fn recv(&mut self) -> Result<String, StoreError> {
        Ok(self.listener.recv().await?.payload().to_owned())
    }
}

impl Store {
    /// Opens a listening connection for announcements (PostgreSQL only).
    pub async fn live_listener(&self) -> Result<LiveListener, StoreError> {
        let Some(url) = &self.postgres_url else {
            return Err(StoreError::Unsupported(
                "live announcements between nodes need PostgreSQL".to_owned(),
            ));
        };
        let mut listener = sqlx::postgres::PgListener::connect(url)
            .await
            .map_err(StoreError::Connect)?;
        listener.listen(CHANNEL).await?;
        Ok(LiveListener { listener })
    }
}
