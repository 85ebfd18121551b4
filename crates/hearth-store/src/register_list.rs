//! The `register_list` table: a projection of the register that serves the register page.
//!
//! One row per patient on the register, active member of their care team and identifier the
//! patient holds (today exactly one, the national number), keyed by (reader, search name,
//! patient, identifier system), where the reader key is a service member's organisation id or a
//! person member's practitioner id. Each row carries everything the page shows and filters on. A
//! page of the register is then one index range scan of about fifty rows per reader key (the
//! reader's acting organisation and the reader in person), however large the region.
//!
//! It is derived data, so it must never drift from the tables it is derived from:
//! - every store function that changes something the projection shows (a patient, their
//!   register entry, a care team member, an account's status) marks
//!   the patients concerned with [`Tx::touch_register_list`];
//! - [`Tx::commit`] rewrites those patients' rows from [`PROJECTION`] in the same transaction,
//!   before committing, so readers never see the change without its projection;
//! - bulk loads defer that ([`Tx::defer_register_list`]) and rebuild the whole table once
//!   ([`Store::rebuild_register_list`]);
//! - [`Tx::register_list_drift`] compares the table with a fresh projection (tests call it after
//!   every kind of change).

use std::collections::BTreeSet;

use hearth_domain::PatientId;
use hearth_domain::patient::PatientSummary;
use hearth_domain::register::ConsentDecision;

use crate::patients::{CoordinatorFilter, PatientQuery, PatientSort};
use crate::rows::integer;
use crate::{Store, StoreError, Tx};

/// The projection's columns, in table order.
const COLUMNS: &str = "reader_id, search_name, patient_id, identifier_system, identifier, \
     registered_by, consent, \
     diagnosis_group, identified_on, coordinator_id, given_name, family_name, date_of_birth, sex, \
     main_diagnosis, town, rural, plan_missing";

/// The projection's rows, computed from the source tables; `{filter}` narrows it to some
/// patients. The active coordinator is a current member flagged as coordinator whose account,
/// if they have one, is not disabled. (Migration 0008 fills the table with the same query.)
const PROJECTION: &str = "SELECT DISTINCT COALESCE(m.organisation_id, m.practitioner_id) AS reader_id, \
     r.search_name, r.patient_id, \
     i.system AS identifier_system, i.value AS identifier, \
     r.organisation_id AS registered_by, r.consent, r.diagnosis_group, r.identified_on, \
     c.practitioner_id AS coordinator_id, p.given_name, p.family_name, p.date_of_birth, p.sex, \
     p.main_diagnosis, p.town, p.rural, cp.missing AS plan_missing \
     FROM register_entries r \
     JOIN patients p ON p.id = r.patient_id \
     JOIN care_team_members m ON m.patient_id = r.patient_id AND m.ended_on IS NULL \
     JOIN patient_identifiers i ON i.patient_id = r.patient_id \
     LEFT JOIN care_plans cp ON cp.patient_id = r.patient_id \
     LEFT JOIN care_team_members c ON c.patient_id = r.patient_id AND c.coordinator \
     AND c.ended_on IS NULL AND NOT EXISTS (SELECT 1 FROM users u \
     WHERE u.practitioner_id = c.practitioner_id AND u.status = 'disabled') \
     WHERE r.status = 'active'";

/// Patients rewritten per statement (well under both backends' limits on bound parameters).
const PATIENTS_PER_STATEMENT: usize = 500;

/// What a transaction owes the projection when it commits.
#[derive(Debug, Default)]
pub(crate) struct PendingList {
    touched: BTreeSet<String>,
    deferred: bool,
}

impl Tx {
    /// Marks a patient whose register-list rows must be rewritten before this transaction
    /// commits.
    pub(crate) fn touch_register_list(&mut self, patient: &PatientId) {
        if !self.list.deferred {
            self.list.touched.insert(patient.to_string());
        }
    }

    /// The patients touched so far, forgetting them (`commit` rewrites their projections).
    pub(crate) fn take_touched(&mut self) -> Vec<String> {
        std::mem::take(&mut self.list.touched).into_iter().collect()
    }

    /// Leaves the register list alone in this transaction: the caller is loading in bulk and
    /// will call [`Store::rebuild_register_list`] afterwards.
    pub fn defer_register_list(&mut self) {
        self.list.deferred = true;
        self.list.touched.clear();
    }

    /// Rewrites the rows of the touched patients (called by `commit`).
    pub(crate) async fn refresh_register_list(
        &mut self,
        touched: &[String],
    ) -> Result<(), StoreError> {
        for chunk in touched.chunks(PATIENTS_PER_STATEMENT) {
            let ids = crate::bulk::list_placeholders(self.backend, 1, chunk.len());
            let sql = format!("DELETE FROM register_list WHERE patient_id IN ({ids})");
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.as_str());
            }
            query.execute(&mut *self.inner).await?;
            let sql = format!(
                "INSERT INTO register_list ({COLUMNS}) {PROJECTION} AND r.patient_id IN ({ids})"
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.as_str());
            }
            query.execute(&mut *self.inner).await?;
        }
        Ok(())
    }

    /// How many rows differ between the register list and a fresh projection (0 when they
    /// agree): rows missing from the table plus rows it should not hold.
    pub async fn register_list_drift(&mut self) -> Result<i64, StoreError> {
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM ({PROJECTION} EXCEPT SELECT {COLUMNS} FROM register_list) AS missing) \
             + (SELECT COUNT(*) FROM (SELECT {COLUMNS} FROM register_list EXCEPT {PROJECTION}) AS extra) AS drift"
        );
        let row = sqlx::query(&sql).fetch_one(&mut *self.inner).await?;
        integer(&row, "drift")
    }
}

impl Store {
    /// Rebuilds the whole register list from the source tables, after a bulk load.
    pub async fn rebuild_register_list(&self) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM register_list")
            .execute(&mut *tx.inner)
            .await?;
        // Inserting in key order fills the table's pages one after another.
        let sql = format!(
            "INSERT INTO register_list ({COLUMNS}) {PROJECTION} \
             ORDER BY 1, 2, 3"
        );
        sqlx::query(&sql).execute(&mut *tx.inner).await?;
        tx.commit().await
    }
}

/// The columns a register page shows, as read from the list.
const PAGE_COLUMNS: &str = "l.patient_id, l.identifier AS national_number, l.search_name, l.identified_on, l.registered_by, \
     l.consent, l.diagnosis_group, l.coordinator_id, l.given_name, l.family_name, \
     l.date_of_birth, l.sex, l.main_diagnosis, l.town, l.rural, l.plan_missing";

impl Tx {
    /// On SQLite, the index that yields a page's rows in order with the fewest rows skipped.
    /// SQLite plans without statistics (sampled statistics misjudge these indexes badly), and on
    /// its own it walks the whole organisation in name order for any filter; PostgreSQL keeps
    /// statistics and chooses well by itself.
    fn register_list_index(&self, q: &PatientQuery<'_>) -> &'static str {
        if self.backend != crate::Backend::Sqlite {
            return "";
        }
        if q.name_prefix.is_some() || q.national_number.is_some() {
            // A name or number narrows the primary key's range to a handful of rows.
            return "";
        }
        if q.date_of_birth.is_some() {
            return " INDEXED BY register_list_by_birth";
        }
        // The sharpest filter first: one coordinator's patients, then a consent decision other
        // than the usual "given"; otherwise the wanted order, with a diagnosis group (a fifth
        // of the register) read in name order.
        let rare_consent = q.consent.is_some_and(|c| c != ConsentDecision::Given);
        if q.coordinator != CoordinatorFilter::Any {
            " INDEXED BY register_list_by_coordinator"
        } else if rare_consent {
            " INDEXED BY register_list_by_consent"
        } else if q.sort == PatientSort::RecentlyIdentified {
            " INDEXED BY register_list_by_identified"
        } else if q.diagnosis_group.is_some() {
            " INDEXED BY register_list_by_group"
        } else {
            ""
        }
    }

    /// One page of the register (patients with an active entry) matching `q`, and whether more
    /// follow. Reads the register list: for each of the reader's organisations, the first
    /// `offset + limit + 1` matching rows in the wanted order (one index range scan each), then
    /// merges them, dropping the same patient seen through two organisations.
    pub(crate) async fn search_register_list(
        &mut self,
        q: &PatientQuery<'_>,
    ) -> Result<(Vec<PatientSummary>, bool), StoreError> {
        // $1 is the identifier system, $2 the reader in person, $3 the organisation they act
        // for; the rest follow.
        let mut binds: Vec<String> = Vec::new();
        let mut next = 4;
        let mut param = |value: String| {
            binds.push(value);
            next += 1;
            format!("${}", next - 1)
        };
        // The reader's keys: their acting organisation (as a service member) and themselves.
        let readers: &[usize] = if q.organisation.is_some() {
            &[3, 2]
        } else {
            &[2]
        };
        // The national number's row (a patient has one row per identifier they hold).
        let mut filters = " AND k.identifier_system = $1".to_owned();
        // A patient who declined consent is seen only by the registering organisation. (Written
        // out only where the consent filter leaves it open: testing it needs the table row,
        // which a filter's index does not hold.)
        match q.consent {
            None => filters.push_str(" AND (k.consent <> 'declined' OR k.registered_by = $3)"),
            Some(ConsentDecision::Declined) => filters.push_str(" AND k.registered_by = $3"),
            Some(_) => {}
        }
        if let Some(prefix) = &q.name_prefix {
            // Every name starting with the prefix sorts between the prefix itself and the prefix
            // followed by the highest code point (the column sorts by code point on both backends).
            let from = param(prefix.clone());
            let to = param(format!("{prefix}\u{10FFFF}"));
            filters.push_str(&format!(
                " AND k.search_name >= {from} AND k.search_name < {to}"
            ));
        }
        if let Some(number) = &q.national_number {
            // Found through the patient's search name, so that the scan is a key lookup.
            let value = param(number.clone());
            filters.push_str(&format!(
                " AND k.identifier = {value} AND k.search_name = (SELECT r.search_name \
                 FROM patient_identifiers n JOIN register_entries r ON r.patient_id = n.patient_id \
                 AND r.status = 'active' WHERE n.system = $1 AND n.value = {value})"
            ));
        }
        if let Some(org) = &q.involving {
            let org = param(org.to_string());
            filters.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM patient_organisations pi WHERE pi.patient_id = k.patient_id \
                 AND pi.organisation_id = {org})"
            ));
        }
        if let Some(born) = q.date_of_birth {
            let born = param(born.to_string());
            filters.push_str(&format!(" AND k.date_of_birth = {born}"));
        }
        if let Some(group) = q.diagnosis_group {
            let group = param(group.code().to_owned());
            filters.push_str(&format!(" AND k.diagnosis_group = {group}"));
        }
        if let Some(consent) = q.consent {
            let consent = param(consent.code().to_owned());
            filters.push_str(&format!(" AND k.consent = {consent}"));
        }
        match &q.coordinator {
            CoordinatorFilter::Any => {}
            CoordinatorFilter::NoActiveCoordinator => {
                filters.push_str(" AND k.coordinator_id IS NULL")
            }
            CoordinatorFilter::CoordinatedBy(practitioner) => {
                let practitioner = param(practitioner.to_string());
                filters.push_str(&format!(" AND k.coordinator_id = {practitioner}"));
            }
        }
        match q.ready {
            // No plan, something missing from it, or no active coordinator.
            Some(false) => filters.push_str(
                " AND (k.plan_missing IS NULL OR k.plan_missing <> '' OR k.coordinator_id IS NULL)",
            ),
            Some(true) => {
                filters.push_str(" AND k.plan_missing = '' AND k.coordinator_id IS NOT NULL");
            }
            None => {}
        }
        let order = |alias: &str| match q.sort {
            PatientSort::Name => format!("{alias}search_name, {alias}patient_id"),
            PatientSort::RecentlyIdentified => {
                format!("{alias}identified_on DESC, {alias}search_name, {alias}patient_id")
            }
        };
        let index = self.register_list_index(q);
        let wanted = i64::from(q.offset) + i64::from(q.limit) + 1;
        let branches: Vec<String> = readers
            .iter()
            .enumerate()
            .map(|(n, reader)| {
                let page_columns = PAGE_COLUMNS.replace("l.", "k.");
                if index.is_empty() {
                    // Read in key order: the table is its own index.
                    return format!(
                        "SELECT * FROM (SELECT {page_columns} FROM register_list k \
                         WHERE k.reader_id = ${reader}{filters} ORDER BY {} LIMIT {wanted}) AS k{n}",
                        order("k.")
                    );
                }
                // Through another index: the keys first, from the index alone, then the rows
                // they name. (SQLite reads a row of a table without row ids before testing a
                // filter the index could answer, so selecting every column in the scan would
                // read every row it skips.)
                format!(
                    "SELECT {PAGE_COLUMNS} FROM (SELECT k.reader_id, k.search_name, k.patient_id, \
                     k.identifier_system FROM register_list k{index} WHERE k.reader_id = ${reader}{} \
                     ORDER BY {} LIMIT {wanted}) AS k{n} CROSS JOIN register_list l \
                     WHERE l.reader_id = k{n}.reader_id AND l.search_name = k{n}.search_name \
                     AND l.patient_id = k{n}.patient_id AND l.identifier_system = k{n}.identifier_system",
                    filters,
                    order("k.")
                )
            })
            .collect();
        // UNION drops a patient listed under both of the reader's keys (the rows agree on every
        // column selected).
        let sql = format!(
            "SELECT x.*, x.patient_id AS id, (SELECT cp.given_name || ' ' || cp.family_name \
             FROM practitioners cp WHERE cp.id = x.coordinator_id) AS coordinator_name \
             FROM ({}) AS x ORDER BY {} LIMIT {} OFFSET {}",
            branches.join(" UNION "),
            order("x."),
            i64::from(q.limit) + 1,
            q.offset
        );
        let mut query = sqlx::query(&sql)
            .bind(q.identifier_system)
            .bind(q.practitioner.as_str())
            .bind(q.organisation.map_or("", |o| o.as_str()));
        for value in binds {
            query = query.bind(value);
        }
        let mut rows: Vec<PatientSummary> = query
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(crate::patients::summary_from_row)
            .collect::<Result<_, _>>()?;
        let more = rows.len() > q.limit as usize;
        rows.truncate(q.limit as usize);
        Ok((rows, more))
    }
}
