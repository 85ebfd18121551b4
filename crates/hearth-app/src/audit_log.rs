//! Durable audit records for reads, committed in groups.
//!
//! A read changes nothing, so its audit record has no change to share a transaction with; what
//! matters is that the record is durable before the data leaves Hearth. Writing each record in
//! its own transaction would cost one disk sync per page view and cap a SQLite node at about a
//! thousand reads a second. Instead, concurrent reads hand their records to one task that writes
//! whatever has queued up — up to `MAX_BATCH` records — in one transaction with one sync, then
//! answers each waiting request. A request shows its data only after its record is committed; if
//! the commit fails, the request fails. Changes (creations, updates) still write their record in
//! their own transaction, next to the change.

use hearth_domain::audit::AuditRecord;
use hearth_store::Store;
use tokio::sync::{mpsc, oneshot};

use crate::AppError;

/// The most records written in one transaction.
const MAX_BATCH: usize = 512;

/// Records waiting for the writer beyond this make callers wait (back-pressure).
const QUEUE: usize = 8192;

struct Pending {
    record: AuditRecord,
    done: oneshot::Sender<Result<(), String>>,
}

/// The handle requests append through. Cheap to clone; the writer task stops when the last
/// handle is dropped.
#[derive(Clone, Debug)]
pub(crate) struct AuditLog {
    sender: mpsc::Sender<Pending>,
}

impl AuditLog {
    /// Starts the writer task. Must be called within a Tokio runtime.
    pub(crate) fn start(store: Store) -> Self {
        let (sender, mut receiver) = mpsc::channel::<Pending>(QUEUE);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let (records, waiting): (Vec<_>, Vec<_>) =
                    batch.drain(..).map(|p| (p.record, p.done)).unzip();
                let count = records.len();
                let result = store
                    .append_read_audit(records)
                    .await
                    .map_err(|e| e.to_string());
                if let Err(error) = &result {
                    tracing::error!(%error, records = count, "audit records could not be written");
                }
                for done in waiting {
                    let _ = done.send(result.clone());
                }
            }
        });
        Self { sender }
    }

    /// Appends a record and waits until it is committed.
    pub(crate) async fn append(&self, record: AuditRecord) -> Result<(), AppError> {
        self.append_all(vec![record]).await
    }

    /// Appends several records (one read of many patients' data) and waits until all are
    /// committed: they are queued together, so the writer commits them in one batch instead of
    /// one commit each.
    pub(crate) async fn append_all(&self, records: Vec<AuditRecord>) -> Result<(), AppError> {
        let stopped = || AppError::Internal("the audit log writer has stopped".to_owned());
        let mut waiting = Vec::with_capacity(records.len());
        for record in records {
            let (done, committed) = oneshot::channel();
            self.sender
                .send(Pending { record, done })
                .await
                .map_err(|_| stopped())?;
            waiting.push(committed);
        }
        for committed in waiting {
            committed.await.map_err(|_| stopped())?.map_err(|error| {
                AppError::Internal(format!("the audit record could not be written: {error}"))
            })?;
        }
        Ok(())
    }
}
