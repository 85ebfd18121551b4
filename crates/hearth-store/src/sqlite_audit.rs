//! The direct SQLite writer of read audit records.
//!
//! Every page view appends an audit record and waits until it is durable (`hearth-app`'s
//! `audit_log.rs` commits them in groups). Through sqlx, a group cost five statements, each
//! handed to the connection's worker thread and back, and every row's fourteen values copied
//! twice on the way; at the out-of-hours summary's rate that was a quarter of the server's CPU
//! time (perf, 100,000 patients). On a SQLite file a group is instead written on a blocking
//! thread through this one connection: one prepared insert per record, one commit with its
//! disk sync, the same rows and chain as `Tx::write_pending_audit`.
//!
//! SQLite has one writer at a time, and Hearth's writes queue for the write pool's one
//! connection (`store.rs`). The caller holds that connection while this one writes, so the two
//! never wait on SQLite's busy handler, and the group is in the same order of writers as any
//! other transaction. Another process writing the same file (`hearth import`, say) is met by the
//! busy timeout, as before.

use std::path::PathBuf;
use std::sync::Mutex;

use hearth_domain::audit::AuditRecord;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::StoreError;
use crate::audit::chained;
use crate::audit_chain::{CHAINED_COLUMNS, HEAD_SQL, head_of};

/// One read-write connection to a SQLite file, opened on first use (after migrations ran).
#[derive(Debug)]
pub(crate) struct SqliteAuditWriter {
    path: PathBuf,
    connection: Mutex<Option<Connection>>,
}

impl SqliteAuditWriter {
    pub(crate) fn new(path: PathBuf) -> Self {
        SqliteAuditWriter {
            path,
            connection: Mutex::new(None),
        }
    }

    /// Appends `records` as the next links of the chain, in one transaction, and returns once it
    /// is committed (and synced to disk). Blocks: call it on a blocking thread, holding the
    /// store's write turn.
    pub(crate) fn append(&self, records: &[AuditRecord]) -> Result<(), StoreError> {
        let mut guard = self
            .connection
            .lock()
            .map_err(|_| StoreError::Corrupt("the audit writer's lock was poisoned".to_owned()))?;
        let connection = match guard.take() {
            Some(connection) => connection,
            None => self.open()?,
        };
        let mut connection = connection;
        let written = write(&mut connection, records);
        // A connection that failed is closed and opened again next time.
        if written.is_ok() {
            *guard = Some(connection);
        }
        written
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags).map_err(fail)?;
        connection
            .execute_batch(crate::store::SQLITE_PRAGMAS)
            .map_err(fail)?;
        Ok(connection)
    }
}

fn write(connection: &mut Connection, records: &[AuditRecord]) -> Result<(), StoreError> {
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(fail)?;
    let last = tx
        .query_row(HEAD_SQL, [], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
        .map_err(fail)?;
    let (rows, _) = chained(records, head_of(last)?);
    {
        let sql = format!(
            "INSERT INTO audit_events ({CHAINED_COLUMNS}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
        );
        let mut insert = tx.prepare_cached(&sql).map_err(fail)?;
        for row in &rows {
            let c = &row.content;
            insert
                .execute(params![
                    c.seq,
                    c.at,
                    c.user_id,
                    c.acting_organisation_id,
                    c.patient_id,
                    c.action,
                    c.resource_type,
                    c.resource_id,
                    c.resource_version,
                    c.basis,
                    c.outcome,
                    c.detail,
                    row.prev_hash,
                    row.hash,
                ])
                .map_err(fail)?;
        }
    }
    tx.commit().map_err(fail)
}

fn fail(e: rusqlite::Error) -> StoreError {
    StoreError::Sqlite(e)
}
