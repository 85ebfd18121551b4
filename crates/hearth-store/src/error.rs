//! The storage error type: what went wrong in terms the app layer can act on.

/// An error from the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "unsupported database URL '{0}': use sqlite://PATH (for example sqlite://hearth-data/hearth.db) or postgres://USER@HOST/DATABASE"
    )]
    UnsupportedUrl(String),
    #[error(
        "could not open the database: {0}. Check the database URL and that the server is running."
    )]
    Connect(#[source] sqlx::Error),
    #[error("could not apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{what} already exists")]
    Duplicate { what: &'static str },
    #[error("the {what} was changed by someone else since it was read")]
    Conflict { what: &'static str },
    #[error("the stored data is not valid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Unsupported(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::Database(error)
    }
}

impl StoreError {
    /// Maps a unique-constraint violation to `Duplicate { what }`, anything else to `Database`.
    pub(crate) fn on_duplicate(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |error| match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate { what },
            _ => StoreError::Database(error),
        }
    }
}
