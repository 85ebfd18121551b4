//! The store: connection pools for either backend, migrations, and transactions.
//!
//! SQLite allows one writer at a time. Rather than let concurrent writers spin on SQLite's busy
//! handler (which sleeps in steps of up to 100 ms and ruins tail latency), writes go through a
//! pool of one connection, so they queue fairly in async code, while reads use their own pool.
//! PostgreSQL uses one pool for both.

use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};

use hearth_domain::audit::AuditRecord;

use crate::{Backend, StoreError};

/// A handle on the database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) backend: Backend,
    pub(crate) read: AnyPool,
    write: AnyPool,
    /// On a SQLite file, the direct reader of the out-of-hours summary (`sqlite_reader.rs`).
    pub(crate) sqlite_reader: Option<std::sync::Arc<crate::sqlite_reader::SqliteReader>>,
    /// On a SQLite file, the direct writer of read audit records (`sqlite_audit.rs`).
    sqlite_audit: Option<std::sync::Arc<crate::sqlite_audit::SqliteAuditWriter>>,
    /// The plan snapshots this node decoded last (`snapshot_cache.rs`).
    pub(crate) snapshots: std::sync::Arc<crate::snapshot_cache::SnapshotCache<crate::PlanSnapshot>>,
    /// On PostgreSQL, the URL a node's live-update listener connects to (`live.rs`).
    pub(crate) postgres_url: Option<String>,
}

/// How many connections the pools hold, for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolState {
    pub size: u32,
    pub idle: u32,
}

/// A database transaction. Dropping it without `commit` rolls it back, so a use case that fails
/// halfway leaves nothing behind — neither the change nor its audit record.
pub struct Tx {
    pub(crate) inner: Transaction<'static, Any>,
    pub(crate) backend: Backend,
    /// Register-list rows to rewrite before committing (see `register_list.rs`).
    pub(crate) list: crate::register_list::PendingList,
    /// The audit chain's head once this transaction has read it (see `audit_chain.rs`).
    pub(crate) audit_head: Option<(i64, String)>,
    /// Audit records to write when this transaction commits (see `audit.rs`).
    pub(crate) pending_audit: Vec<hearth_domain::audit::AuditRecord>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Tx {
    /// Brings the register list up to date with this transaction's changes, writes its audit
    /// records, then commits.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        let touched = self.take_touched();
        self.refresh_register_list(&touched).await?;
        self.refresh_plan_snapshots(&touched).await?;
        self.write_pending_audit().await?;
        Ok(self.inner.commit().await?)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
}

/// SQLite settings applied to every connection: write-ahead logging, a full sync on commit so an
/// acknowledged write survives power loss, foreign keys enforced, a busy timeout, and a 64 MiB
/// page cache (the default 2 MiB keeps little of a large register's indexes in memory).
pub(crate) const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -65536;";

impl Store {
    /// Opens the database named by `url` (`sqlite://PATH` or `postgres://…`). A SQLite file and
    /// its directory are created when missing.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        match backend {
            Backend::Sqlite => {
                let url = sqlite_url(url)?;
                let file = sqlite_file(&url);
                let sqlite_reader = file
                    .clone()
                    .map(|path| std::sync::Arc::new(crate::sqlite_reader::SqliteReader::new(path)));
                let sqlite_audit = file.map(|path| {
                    std::sync::Arc::new(crate::sqlite_audit::SqliteAuditWriter::new(path))
                });
                let options: AnyConnectOptions = url.parse().map_err(StoreError::Connect)?;
                let read = sqlite_pool(4)
                    .connect_with(options.clone())
                    .await
                    .map_err(StoreError::Connect)?;
                let write = sqlite_pool(1)
                    .connect_with(options)
                    .await
                    .map_err(StoreError::Connect)?;
                Ok(Store {
                    backend,
                    read,
                    write,
                    sqlite_reader,
                    sqlite_audit,
                    snapshots: Default::default(),
                    postgres_url: None,
                })
            }
            Backend::Postgres => {
                let options: AnyConnectOptions = url.parse().map_err(StoreError::Connect)?;
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .map_err(StoreError::Connect)?;
                Ok(Store {
                    backend,
                    read: pool.clone(),
                    write: pool,
                    sqlite_reader: None,
                    sqlite_audit: None,
                    snapshots: Default::default(),
                    postgres_url: Some(url.to_owned()),
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies every migration not yet applied.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.backend.migrator().run(&self.write).await?;
        self.chain_unchained_audit().await
    }

    /// Starts a transaction that may write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so it can never fail later on a lock upgrade.
    pub async fn begin_write(&self) -> Result<Tx, StoreError> {
        let inner = match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        };
        Ok(Tx {
            inner,
            backend: self.backend,
            list: Default::default(),
            audit_head: None,
            pending_audit: Vec::new(),
        })
    }

    /// Appends the audit records of reads, in order, in one transaction of their own, and
    /// returns once they are committed. On a SQLite file they go through the direct writer
    /// (`sqlite_audit.rs`) during the write pool's turn; otherwise through a write transaction.
    pub async fn append_read_audit(&self, records: Vec<AuditRecord>) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let Some(writer) = &self.sqlite_audit else {
            let mut tx = self.begin_write().await?;
            for record in &records {
                tx.append_audit(record).await?;
            }
            return tx.commit().await;
        };
        // The write pool's one connection is the writers' turn: held, unused, while the direct
        // writer writes.
        let turn = self.write.acquire().await?;
        let writer = std::sync::Arc::clone(writer);
        let written = tokio::task::spawn_blocking(move || writer.append(&records))
            .await
            .map_err(|e| StoreError::Corrupt(format!("the audit writer stopped: {e}")))?;
        drop(turn);
        written
    }

    /// Starts a transaction that only reads: one consistent snapshot.
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        let inner = self.read.begin().await?;
        Ok(Tx {
            inner,
            backend: self.backend,
            list: Default::default(),
            audit_head: None,
            pending_audit: Vec::new(),
        })
    }

    /// Checks the database answers, for `/readyz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.read.execute("SELECT 1").await?;
        Ok(())
    }

    pub fn pool_state(&self) -> PoolState {
        let (size, idle) = if self.backend == Backend::Sqlite {
            (
                self.read.size() + self.write.size(),
                self.read.num_idle() + self.write.num_idle(),
            )
        } else {
            (self.read.size(), self.read.num_idle())
        };
        PoolState {
            size,
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
        }
    }

    /// Closes every connection (SQLite then checkpoints its write-ahead log).
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// The single writer connection gets a larger page cache (256 MiB): bulk loads and the audit
/// log's group commits touch many index pages, and one connection's cache costs little.
const SQLITE_WRITER_PRAGMAS: &str = "PRAGMA cache_size = -262144;";

fn sqlite_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                if max == 1 {
                    conn.execute(SQLITE_WRITER_PRAGMAS).await?;
                }
                Ok(())
            })
        })
}

/// Normalises a SQLite URL: creates the file's directory and asks sqlx to create the file.
/// The database file a `sqlite://PATH?…` URL (as `sqlite_url` returns it) names, unless the
/// database lives in memory (then only the pools' connections can see it).
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.trim_start_matches("sqlite://");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory = path == ":memory:" || path.is_empty() || query.contains("mode=memory");
    (!in_memory).then(|| std::path::PathBuf::from(path))
}

fn sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() {
        return Err(StoreError::UnsupportedUrl(url.to_owned()));
    }
    if path != ":memory:"
        && let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Connect(sqlx::Error::Configuration(
                format!("cannot create the directory {}: {e}", dir.display()).into(),
            ))
        })?;
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// Creates the (PostgreSQL or SQLite) database named by `url`, for installers and tests.
pub async fn create_database(url: &str) -> Result<(), StoreError> {
    use sqlx::migrate::MigrateDatabase;
    sqlx::any::install_default_drivers();
    sqlx::Any::create_database(url)
        .await
        .map_err(StoreError::Connect)
}

/// Drops the database named by `url`, closing other sessions on it first (tests only: Hearth
/// itself never deletes data).
pub async fn drop_database(url: &str) -> Result<(), StoreError> {
    use sqlx::migrate::MigrateDatabase;
    sqlx::any::install_default_drivers();
    sqlx::Any::force_drop_database(url)
        .await
        .map_err(StoreError::Connect)
}

impl Store {
    /// Every table (except sqlx's own bookkeeping) with its column names in order — used to
    /// prove that the SQLite and PostgreSQL migrations produce the same schema.
    pub async fn schema(
        &self,
    ) -> Result<std::collections::BTreeMap<String, Vec<String>>, StoreError> {
        use crate::rows::text;
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
                 AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' ORDER BY m.name, p.cid"
            }
            Backend::Postgres => {
                "SELECT table_name::text AS table_name, column_name::text AS column_name \
                 FROM information_schema.columns WHERE table_schema = 'public' \
                 AND table_name <> '_sqlx_migrations' ORDER BY table_name, ordinal_position"
            }
        };
        let mut schema = std::collections::BTreeMap::<String, Vec<String>>::new();
        for row in sqlx::query(sql).fetch_all(&self.read).await? {
            schema
                .entry(text(&row, "table_name")?)
                .or_default()
                .push(text(&row, "column_name")?);
        }
        Ok(schema)
    }
}

/// Secondary indexes set aside for a bulk load (see `Store::suspend_indexes`).
#[derive(Debug, Default)]
pub struct SuspendedIndexes {
    definitions: Vec<String>,
}

impl Store {
    /// Drops the non-unique secondary indexes of `tables` before a bulk load into a new
    /// database, and returns their definitions so that `restore_indexes` rebuilds them exactly.
    /// Building an index once from sorted data is many times faster than maintaining it row by
    /// row with random keys. SQLite only: on PostgreSQL this does nothing.
    pub async fn suspend_indexes(&self, tables: &[&str]) -> Result<SuspendedIndexes, StoreError> {
        use crate::rows::text;
        if self.backend != Backend::Sqlite || tables.is_empty() {
            return Ok(SuspendedIndexes::default());
        }
        let sql = format!(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ({})",
            crate::rows::placeholders(1, tables.len())
        );
        let mut query = sqlx::query(&sql);
        for table in tables {
            query = query.bind(*table);
        }
        let rows = query.fetch_all(&self.write).await?;
        let mut definitions = Vec::with_capacity(rows.len());
        for row in &rows {
            let name = text(row, "name")?;
            sqlx::query(&format!("DROP INDEX \"{name}\""))
                .execute(&self.write)
                .await?;
            definitions.push(text(row, "sql")?);
        }
        Ok(SuspendedIndexes { definitions })
    }

    /// Rebuilds indexes set aside by `suspend_indexes`.
    pub async fn restore_indexes(&self, suspended: SuspendedIndexes) -> Result<(), StoreError> {
        for definition in &suspended.definitions {
            sqlx::query(definition).execute(&self.write).await?;
        }
        Ok(())
    }
}

impl Store {
    /// After a bulk load, gives PostgreSQL's planner statistics for the new rows (until
    /// autovacuum gets round to it, it plans with none and can pick a whole-table index for a
    /// one-patient look-up: 5 ms instead of 0.2). SQLite is left without statistics on purpose:
    /// sampled statistics misjudge the register list's indexes (`register-list.md`).
    pub async fn analyze(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query("ANALYZE").execute(&self.write).await?;
        }
        Ok(())
    }

    /// The names of the indexes the migrations create (not those behind primary keys and
    /// unique constraints, which each engine names its own way), sorted.
    pub async fn index_names(&self) -> Result<Vec<String>, StoreError> {
        use crate::rows::text;
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = 'public' \
                 AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY name"
            }
        };
        sqlx::query(sql)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|row| text(row, "name"))
            .collect()
    }
}
