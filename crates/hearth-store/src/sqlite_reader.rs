//! A direct SQLite reader for the out-of-hours summary's one statement.
//!
//! sqlx's SQLite driver runs every statement on the connection's own worker thread and hands
//! each row back through a channel: two thread switches per statement at least, which cost more
//! than the statement itself when the page is in the cache. The summary is the hot path of the
//! 2 a.m. call, and its read is one statement (`Store::summary_facts`), so on SQLite it runs on
//! the calling thread through these connections instead: read-only, on the same database file,
//! with the same SQL and parameters as the PostgreSQL path. The statement is one primary-key
//! read of a few pages, which SQLite answers in microseconds; a worker thread is held no longer
//! than that. See `docs/design/plan-snapshots.md`.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::StoreError;

/// Connections kept: one per thread that may read at once (Tokio runs one worker per core).
const CONNECTIONS: usize = 4;

/// Read-only connections to one SQLite file, opened on first use (after migrations ran).
#[derive(Debug)]
pub(crate) struct SqliteReader {
    path: PathBuf,
    connections: OnceLock<Vec<Mutex<Connection>>>,
}

/// The values of one row, by column, as the summary's statement returns them.
pub(crate) type Values = Vec<rusqlite::types::Value>;

impl SqliteReader {
    pub(crate) fn new(path: PathBuf) -> Self {
        SqliteReader {
            path,
            connections: OnceLock::new(),
        }
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags).map_err(fail)?;
        connection
            .execute_batch("PRAGMA busy_timeout = 5000; PRAGMA cache_size = -65536;")
            .map_err(fail)?;
        Ok(connection)
    }

    /// A free connection, or the first one once it is free.
    fn connection(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        let connections = match self.connections.get() {
            Some(c) => c,
            None => {
                let opened = (0..CONNECTIONS)
                    .map(|_| self.open().map(Mutex::new))
                    .collect::<Result<Vec<_>, _>>()?;
                // Another thread may have opened them first; either set serves.
                let _ = self.connections.set(opened);
                self.connections.get().ok_or_else(|| {
                    StoreError::Corrupt("the SQLite reader's connections are missing".to_owned())
                })?
            }
        };
        for connection in connections {
            if let Ok(guard) = connection.try_lock() {
                return Ok(guard);
            }
        }
        connections
            .first()
            .ok_or_else(|| StoreError::Corrupt("the SQLite reader has no connection".to_owned()))?
            .lock()
            .map_err(|_| StoreError::Corrupt("a SQLite reader connection was poisoned".to_owned()))
    }

    /// The one row of `sql` with named parameters `params` (`$1`, `$2`, … as the SQL writes
    /// them), as values by column; `None` when there is no row.
    pub(crate) fn row(
        &self,
        sql: &str,
        params: &[(&str, &dyn rusqlite::ToSql)],
    ) -> Result<Option<Values>, StoreError> {
        let connection = self.connection()?;
        let mut statement = connection.prepare_cached(sql).map_err(fail)?;
        let columns = statement.column_count();
        statement
            .query_row(params, |row| {
                (0..columns)
                    .map(|i| row.get::<_, rusqlite::types::Value>(i))
                    .collect()
            })
            .optional()
            .map_err(fail)
    }
}

fn fail(e: rusqlite::Error) -> StoreError {
    StoreError::Sqlite(e)
}
