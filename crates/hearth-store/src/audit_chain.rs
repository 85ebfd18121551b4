//! The audit trail as a hash chain. Every record carries the hash of the record before it
//! (`prev_hash`) and its own hash (`hash`) over that and its content, so a record edited,
//! deleted, inserted or moved after the fact breaks the chain at that record, and
//! `Store::verify_audit_chain` names it. What this does and does not protect against is in
//! `docs/design/audit-chain.md`.
//!
//! Appending needs the chain's head (the last record's sequence number and hash). Each write
//! transaction reads it once, under the backend's write serialisation (SQLite's single writer;
//! on PostgreSQL a transaction-scoped advisory lock held until commit), and then keeps it in the
//! `Tx` for the records it appends next.

use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows::{integer, optional_integer, optional_text, text};
use crate::{Backend, Store, StoreError, Tx};

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The PostgreSQL advisory lock key that serialises audit appends ("HEARTHAU" in ASCII).
const CHAIN_LOCK: i64 = 0x4845_4152_5448_4155;

/// The columns a record's hash covers, in hashing order, then its chain columns.
pub(crate) const CHAINED_COLUMNS: &str = "seq, at, user_id, acting_organisation_id, patient_id, \
     action, resource_type, resource_id, resource_version, basis, outcome, detail, prev_hash, hash";

/// Records read per statement while verifying or chaining.
const PAGE: i64 = 20_000;

/// One record's content, as stored and hashed.
#[derive(Debug, Clone)]
pub(crate) struct Content {
    pub seq: i64,
    pub at: i64,
    pub user_id: Option<String>,
    pub acting_organisation_id: Option<String>,
    pub patient_id: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub resource_version: Option<i64>,
    pub basis: String,
    pub outcome: String,
    pub detail: Option<String>,
}

/// The hash of a record: SHA-256 over a version tag, the previous record's hash and every
/// content field, each length-prefixed (absent fields marked as such), as lower-case hex.
pub(crate) fn record_hash(prev_hash: &str, c: &Content) -> String {
    hash_fields(
        prev_hash,
        c.seq,
        c.at,
        [
            c.user_id.as_deref(),
            c.acting_organisation_id.as_deref(),
            c.patient_id.as_deref(),
            Some(&c.action),
            Some(&c.resource_type),
            c.resource_id.as_deref(),
        ],
        c.resource_version,
        [Some(&c.basis), Some(&c.outcome), c.detail.as_deref()],
    )
}

/// The hash of a stored row, read without copying its text (verification reads millions).
fn row_hash(prev_hash: &str, row: &AnyRow) -> Result<String, StoreError> {
    let t = |column: &str| -> Result<Option<&str>, StoreError> {
        Ok(row.try_get::<Option<&str>, _>(column)?)
    };
    Ok(hash_fields(
        prev_hash,
        integer(row, "seq")?,
        integer(row, "at")?,
        [
            t("user_id")?,
            t("acting_organisation_id")?,
            t("patient_id")?,
            t("action")?,
            t("resource_type")?,
            t("resource_id")?,
        ],
        optional_integer(row, "resource_version")?,
        [t("basis")?, t("outcome")?, t("detail")?],
    ))
}

/// SHA-256 over the fields in the order of `CHAINED_COLUMNS`; see `record_hash`.
fn hash_fields(
    prev_hash: &str,
    seq: i64,
    at: i64,
    texts: [Option<&str>; 6],
    resource_version: Option<i64>,
    tail: [Option<&str>; 3],
) -> String {
    fn field(h: &mut Sha256, value: Option<&str>) {
        match value {
            None => h.update([0u8]),
            Some(v) => {
                h.update([1u8]);
                h.update((v.len() as u64).to_be_bytes());
                h.update(v.as_bytes());
            }
        }
    }
    let mut h = Sha256::new();
    h.update(b"hearth-audit-v1\0");
    field(&mut h, Some(prev_hash));
    field(&mut h, Some(&seq.to_string()));
    field(&mut h, Some(&at.to_string()));
    for value in texts {
        field(&mut h, value);
    }
    field(&mut h, resource_version.map(|v| v.to_string()).as_deref());
    for value in tail {
        field(&mut h, value);
    }
    let digest = h.finalize();
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn content_from_row(row: &AnyRow) -> Result<Content, StoreError> {
    Ok(Content {
        seq: integer(row, "seq")?,
        at: integer(row, "at")?,
        user_id: optional_text(row, "user_id")?,
        acting_organisation_id: optional_text(row, "acting_organisation_id")?,
        patient_id: optional_text(row, "patient_id")?,
        action: text(row, "action")?,
        resource_type: text(row, "resource_type")?,
        resource_id: optional_text(row, "resource_id")?,
        resource_version: optional_integer(row, "resource_version")?,
        basis: text(row, "basis")?,
        outcome: text(row, "outcome")?,
        detail: optional_text(row, "detail")?,
    })
}

/// The last record's sequence number and hash.
pub(crate) const HEAD_SQL: &str = "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1";

/// The chain's head from the last record's sequence number and hash (`None`: no record yet).
pub(crate) fn head_of(last: Option<(i64, Option<String>)>) -> Result<(i64, String), StoreError> {
    match last {
        None => Ok((0, GENESIS.to_owned())),
        Some((seq, Some(hash))) => Ok((seq, hash)),
        Some((_, None)) => Err(StoreError::Corrupt(
            "the last audit record is not chained; run `hearth migrate`".to_owned(),
        )),
    }
}

impl Tx {
    /// The chain's head: the last record's sequence number and hash (0 and `GENESIS` when the
    /// trail is empty). Read once per transaction, after taking the append lock on PostgreSQL.
    pub(crate) async fn audit_head(&mut self) -> Result<(i64, String), StoreError> {
        if let Some(head) = &self.audit_head {
            return Ok(head.clone());
        }
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(CHAIN_LOCK)
                .execute(&mut *self.inner)
                .await?;
        }
        let row = sqlx::query(HEAD_SQL)
            .fetch_optional(&mut *self.inner)
            .await?;
        let head = head_of(match row {
            None => None,
            Some(row) => Some((integer(&row, "seq")?, optional_text(&row, "hash")?)),
        })?;
        self.audit_head = Some(head.clone());
        Ok(head)
    }
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first record that does not verify.
    pub seq: i64,
    pub problem: String,
}

/// The result of verifying the whole audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    /// Records verified before the break (all of them when intact).
    pub records: u64,
    /// The hash of the last record verified (`GENESIS` for an empty trail).
    pub head: String,
    pub broken: Option<ChainBreak>,
}

/// How many parts of the trail are verified at once. Each record's check needs only its own row
/// and the stored hash of the record before it, so parts verify independently: reading (one
/// connection each) and hashing then use every core.
const PARTS: i64 = 4;

/// The outcome of verifying one part: records that verified, the last hash, and the first break.
type PartCheck = (u64, String, Option<ChainBreak>);

impl Store {
    /// Reads the audit trail in order and checks every link. Reports the first record that does
    /// not verify, if any.
    pub async fn verify_audit_chain(&self) -> Result<ChainCheck, StoreError> {
        let row = sqlx::query("SELECT MIN(seq) AS low, MAX(seq) AS high FROM audit_events")
            .fetch_one(&self.read)
            .await?;
        let (Some(low), Some(high)) = (
            optional_integer(&row, "low")?,
            optional_integer(&row, "high")?,
        ) else {
            return Ok(ChainCheck {
                records: 0,
                head: GENESIS.to_owned(),
                broken: None,
            });
        };
        // Parts (after, upto]: the first starts before the lowest record.
        let span = (high - low) / PARTS + 1;
        let mut parts = tokio::task::JoinSet::new();
        for n in 0..PARTS {
            let after = if n == 0 { i64::MIN } else { low - 1 + n * span };
            let upto = if n == PARTS - 1 {
                i64::MAX
            } else {
                low - 1 + (n + 1) * span
            };
            let store = self.clone();
            parts.spawn(async move { (n, store.verify_part(after, upto).await) });
        }
        let mut results: Vec<(i64, PartCheck)> = Vec::new();
        while let Some(joined) = parts.join_next().await {
            let (n, result) = joined
                .map_err(|e| StoreError::Corrupt(format!("audit verification stopped: {e}")))?;
            results.push((n, result?));
        }
        results.sort_by_key(|(n, _)| *n);
        let mut check = ChainCheck {
            records: 0,
            head: GENESIS.to_owned(),
            broken: None,
        };
        for (_, (records, head, broken)) in results {
            check.records += records;
            if broken.is_some() {
                check.broken = broken;
                return Ok(check);
            }
            if records > 0 {
                check.head = head;
            }
        }
        Ok(check)
    }

    /// Verifies the records with `after < seq <= upto`, starting from the stored hash of the
    /// record before them (which the part before verifies).
    async fn verify_part(&self, after: i64, upto: i64) -> Result<PartCheck, StoreError> {
        let before =
            sqlx::query("SELECT hash FROM audit_events WHERE seq <= $1 ORDER BY seq DESC LIMIT 1")
                .bind(after)
                .fetch_optional(&self.read)
                .await?;
        let mut head = match before {
            None => GENESIS.to_owned(),
            // An unchained record there is reported by the part that holds it.
            Some(row) => optional_text(&row, "hash")?.unwrap_or_default(),
        };
        let sql = format!(
            "SELECT {CHAINED_COLUMNS} FROM audit_events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3"
        );
        let mut records = 0;
        let mut from = after;
        loop {
            let rows = sqlx::query(&sql)
                .bind(from)
                .bind(upto)
                .bind(PAGE)
                .fetch_all(&self.read)
                .await?;
            for row in &rows {
                let seq = integer(row, "seq")?;
                let prev_hash = row.try_get::<Option<&str>, _>("prev_hash")?;
                let hash = row.try_get::<Option<&str>, _>("hash")?;
                let problem = match (prev_hash, hash) {
                    (None, _) | (_, None) => Some("it is not chained (no hash)"),
                    (Some(prev), _) if prev != head => Some(
                        "it does not follow the record before it: a record was deleted, inserted \
                         or moved here",
                    ),
                    (Some(prev), Some(hash)) if row_hash(prev, row)? != hash => Some(
                        "its content does not match its hash: it was changed after it was written",
                    ),
                    (_, Some(hash)) => {
                        hash.clone_into(&mut head);
                        None
                    }
                };
                if let Some(problem) = problem {
                    let broken = ChainBreak {
                        seq,
                        problem: problem.to_owned(),
                    };
                    return Ok((records, head, Some(broken)));
                }
                records += 1;
                from = seq;
            }
            if (rows.len() as i64) < PAGE {
                return Ok((records, head, None));
            }
        }
    }

    /// Chains the records written before the chain existed (migration 0007), in order. Does
    /// nothing when every record is chained, which one key lookup tells: every append is
    /// chained, and unchained records can only precede them, so the trail is fully chained
    /// exactly when its last record is (this runs at every start).
    pub(crate) async fn chain_unchained_audit(&self) -> Result<(), StoreError> {
        let last = sqlx::query("SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.read)
            .await?;
        match last {
            None => return Ok(()),
            Some(row) if optional_text(&row, "hash")?.is_some() => return Ok(()),
            Some(_) => {}
        }
        let sql = format!(
            "SELECT {CHAINED_COLUMNS} FROM audit_events WHERE hash IS NULL ORDER BY seq LIMIT $1"
        );
        loop {
            let mut tx = self.begin_write().await?;
            if self.backend == Backend::Postgres {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(CHAIN_LOCK)
                    .execute(&mut *tx.inner)
                    .await?;
            }
            let rows = sqlx::query(&sql)
                .bind(PAGE)
                .fetch_all(&mut *tx.inner)
                .await?;
            let Some(first) = rows.first() else {
                return Ok(());
            };
            let first_seq = integer(first, "seq")?;
            let before = sqlx::query(
                "SELECT hash FROM audit_events WHERE seq < $1 ORDER BY seq DESC LIMIT 1",
            )
            .bind(first_seq)
            .fetch_optional(&mut *tx.inner)
            .await?;
            let mut prev = match before {
                None => GENESIS.to_owned(),
                Some(row) => optional_text(&row, "hash")?.ok_or_else(|| {
                    StoreError::Corrupt("an unchained audit record precedes a chained one".into())
                })?,
            };
            for row in &rows {
                let content = content_from_row(row)?;
                let hash = record_hash(&prev, &content);
                sqlx::query("UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE seq = $3")
                    .bind(&prev)
                    .bind(&hash)
                    .bind(content.seq)
                    .execute(&mut *tx.inner)
                    .await?;
                prev = hash;
            }
            tx.commit().await?;
        }
    }
}
