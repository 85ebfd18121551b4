//! The `plan_snapshots` table: a projection that serves the out-of-hours summary.
//!
//! One row per patient, holding as JSON every stored fact the summary shows: the patient, the
//! current version of each plan section, the plan's version, the active care team (with which
//! coordinators' accounts are disabled), the names of the practitioners mentioned, and the
//! active register entry. The summary is then one indexed read, joined to the access facts in
//! the same statement ([`Store::summary_facts`]), instead of about fifteen.
//!
//! It is derived data, so it must never drift from the tables it is derived from. It follows the
//! register list's bookkeeping (`register_list.rs`): every store function that changes something
//! either projection shows marks the patient, and [`Tx::commit`] rewrites both projections for
//! the marked patients in the same transaction, before committing. Bulk loads defer that and
//! call [`Store::rebuild_plan_snapshots`]. [`Tx::plan_snapshot_drift`] compares every row with a
//! fresh build.
//!
//! A patient without a row (written before this table existed), or whose row was written in an
//! older [`FORMAT`], is read from the source tables instead: the row is an accelerator, never the
//! only copy. Practitioners' names cannot be changed today; a future use case that changes one
//! must mark the patients whose snapshots name that practitioner.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use hearth_domain::assessment::{Assessment, PhaseEpisode};
use hearth_domain::care_plan::SectionVersion;
use hearth_domain::care_team::{CareTeamMember, Member};
use hearth_domain::patient::Patient;
use hearth_domain::register::RegisterEntry;
use hearth_domain::{OrganisationId, PatientId, PractitionerId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use hearth_domain::access::AccessFacts;

use crate::access::Reader;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::care_plan::{COLUMNS as SECTION_COLUMNS, PlanState, from_row as section_from_row};
use crate::care_team::{MEMBER_COLUMNS, member_from_row};
use crate::patients::{PATIENT_COLUMNS, patient_from_row};
use crate::register::{COLUMNS as REGISTER_COLUMNS, from_row as register_from_row};
use crate::rows::{optional_text, text};
use crate::{Store, StoreError, Tx};

/// The snapshot layout's version: a row in another format is ignored (and read from the source
/// tables) until the patient's next change rewrites it.
pub const FORMAT: u32 = 1;

/// Patients whose snapshots are built by one set of statements.
const PATIENTS_PER_REBUILD: usize = 500;

/// Patients rebuilt per transaction by [`Store::rebuild_plan_snapshots`].
const PATIENTS_PER_TRANSACTION: usize = 5_000;

/// Everything stored that the out-of-hours summary shows about one patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSnapshot {
    pub format: u32,
    pub patient: Patient,
    /// The current version of each section the plan has, in section-code order.
    pub sections: Vec<SectionVersion>,
    pub state: Option<PlanState>,
    /// The active members of the care team, in the care team's order.
    pub members: Vec<CareTeamMember>,
    /// Coordinators among `members` whose accounts are disabled (they do not coordinate).
    pub disabled_coordinators: Vec<PractitionerId>,
    /// "Given Family" of every practitioner the sections and the members mention, by id.
    pub names: Vec<(PractitionerId, String)>,
    /// The active register entry, when the patient is on the register.
    pub register: Option<RegisterEntry>,
    /// The latest two assessments of each instrument, in time order per instrument (absent
    /// from rows written before assessments existed, which had none).
    #[serde(default)]
    pub assessments: Vec<Assessment>,
    /// The current phase of illness.
    #[serde(default)]
    pub phase: Option<PhaseEpisode>,
}

impl Tx {
    /// Builds the snapshot of `patient` from the source tables (`None`: no such patient).
    pub async fn build_plan_snapshot(
        &mut self,
        patient: &PatientId,
    ) -> Result<Option<PlanSnapshot>, StoreError> {
        let mut built = self
            .build_plan_snapshots(&[patient.as_str().to_owned()])
            .await?;
        Ok(built.pop().and_then(|(_, snapshot)| snapshot))
    }

    /// Builds the snapshots of `patients` from the source tables, in order (`None` for an id
    /// with no patient): eight statements for the lot, whatever their number (callers pass up
    /// to `PATIENTS_PER_REBUILD`).
    async fn build_plan_snapshots(
        &mut self,
        patients: &[String],
    ) -> Result<Vec<(PatientId, Option<PlanSnapshot>)>, StoreError> {
        let mut records: HashMap<String, Patient> = HashMap::new();
        let mut organisations: HashMap<String, Vec<OrganisationId>> = HashMap::new();
        for row in self
            .rows_of(
                "SELECT patient_id, organisation_id FROM patient_organisations \
                 WHERE patient_id IN ({ids}) ORDER BY patient_id, organisation_id",
                patients,
            )
            .await?
        {
            organisations
                .entry(text(&row, "patient_id")?)
                .or_default()
                .push(OrganisationId::new(text(&row, "organisation_id")?));
        }
        // A patient holds one identifier today; the first by system is the one shown.
        let sql = format!(
            "SELECT {PATIENT_COLUMNS}, i.system AS identifier_system, i.value AS national_number \
             FROM patients p JOIN patient_identifiers i ON i.patient_id = p.id \
             WHERE p.id IN ({{ids}}) ORDER BY p.id, i.system"
        );
        for row in self.rows_of(&sql, patients).await? {
            if let std::collections::hash_map::Entry::Vacant(slot) =
                records.entry(text(&row, "id")?)
            {
                let orgs = organisations.remove(slot.key()).unwrap_or_default();
                let system = text(&row, "identifier_system")?;
                slot.insert(patient_from_row(&row, &system, orgs)?);
            }
        }
        let mut sections: HashMap<String, Vec<SectionVersion>> = HashMap::new();
        let sql = format!(
            "SELECT {SECTION_COLUMNS} FROM care_plan_sections s WHERE s.patient_id IN ({{ids}}) \
             AND s.version = (SELECT MAX(x.version) FROM care_plan_sections x \
             WHERE x.patient_id = s.patient_id AND x.section = s.section)"
        );
        for row in self.rows_of(&sql, patients).await? {
            let v = section_from_row(&row)?;
            sections
                .entry(v.patient_id.to_string())
                .or_default()
                .push(v);
        }
        let mut states: HashMap<String, PlanState> = HashMap::new();
        for row in self
            .rows_of(
                "SELECT patient_id, version, significant_version, updated_at FROM care_plans \
                 WHERE patient_id IN ({ids})",
                patients,
            )
            .await?
        {
            states.insert(
                text(&row, "patient_id")?,
                crate::care_plan::state_from_row(&row)?,
            );
        }
        // The active members, in the order `Tx::care_team` gives them.
        let mut members: HashMap<String, Vec<CareTeamMember>> = HashMap::new();
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM care_team_members WHERE patient_id IN ({{ids}}) \
             AND ended_on IS NULL ORDER BY patient_id, coordinator DESC, started_on, id"
        );
        for row in self.rows_of(&sql, patients).await? {
            let m = member_from_row(&row)?;
            members.entry(m.patient_id.to_string()).or_default().push(m);
        }
        // The active entry: the newest identification without a leaving.
        let mut registers: HashMap<String, RegisterEntry> = HashMap::new();
        let sql = format!(
            "SELECT {REGISTER_COLUMNS} FROM register_entries WHERE patient_id IN ({{ids}}) \
             ORDER BY patient_id, identified_on DESC, created_at DESC"
        );
        for row in self.rows_of(&sql, patients).await? {
            let entry = register_from_row(&row)?;
            if entry.leaving.is_none() {
                registers
                    .entry(entry.patient_id.to_string())
                    .or_insert(entry);
            }
        }
        let person = |m: &CareTeamMember| match &m.member {
            Member::Practitioner(id) => Some(id.clone()),
            Member::Service(_) => None,
        };
        let coordinators: BTreeSet<PractitionerId> = members
            .values()
            .flatten()
            .filter(|m| m.coordinator)
            .filter_map(person)
            .collect();
        let coordinators: Vec<PractitionerId> = coordinators.into_iter().collect();
        let disabled: BTreeSet<PractitionerId> = self
            .disabled_practitioners(&coordinators)
            .await?
            .into_iter()
            .collect();
        let mentioned: BTreeSet<PractitionerId> = sections
            .values()
            .flatten()
            .map(|v| v.author.clone())
            .chain(members.values().flatten().filter_map(person))
            .collect();
        let mentioned: Vec<PractitionerId> = mentioned.into_iter().collect();
        let names = self.practitioner_names(&mentioned).await?;
        let mut assessments = self.latest_assessments_of(patients).await?;
        let mut phases = self.current_phases_of(patients).await?;

        Ok(patients
            .iter()
            .map(|id| {
                let snapshot = records.remove(id).map(|patient| {
                    let mut sections = sections.remove(id).unwrap_or_default();
                    sections.sort_by_key(|v| v.section.code());
                    let members = members.remove(id).unwrap_or_default();
                    let mut disabled_coordinators: Vec<PractitionerId> = members
                        .iter()
                        .filter(|m| m.coordinator)
                        .filter_map(person)
                        .filter(|p| disabled.contains(p))
                        .collect();
                    disabled_coordinators.sort();
                    let mut named: Vec<(PractitionerId, String)> = sections
                        .iter()
                        .map(|v| v.author.clone())
                        .chain(members.iter().filter_map(person))
                        .filter_map(|p| names.get(&p).map(|n| (p, n.clone())))
                        .collect();
                    named.sort();
                    named.dedup();
                    PlanSnapshot {
                        format: FORMAT,
                        patient,
                        sections,
                        state: states.remove(id),
                        members,
                        disabled_coordinators,
                        names: named,
                        register: registers.remove(id),
                        assessments: assessments.remove(id).unwrap_or_default(),
                        phase: phases.remove(id),
                    }
                });
                (PatientId::new(id.as_str()), snapshot)
            })
            .collect())
    }

    /// The latest two assessments of each instrument of each of `patients`, oldest first.
    async fn latest_assessments_of(
        &mut self,
        patients: &[String],
    ) -> Result<HashMap<String, Vec<Assessment>>, StoreError> {
        let sql = "SELECT id, patient_id, assessed_at, assessor, answers, recorded_at FROM \
             (SELECT a.*, ROW_NUMBER() OVER (PARTITION BY patient_id, instrument \
                 ORDER BY assessed_at DESC, recorded_at DESC, id DESC) AS n \
              FROM assessments a WHERE patient_id IN ({ids})) latest \
             WHERE n <= 2 ORDER BY patient_id, instrument, assessed_at, recorded_at, id";
        let mut out: HashMap<String, Vec<Assessment>> = HashMap::new();
        for row in self.rows_of(sql, patients).await? {
            let a = crate::assessments::assessment_from_row(&row)?;
            out.entry(a.patient_id.to_string()).or_default().push(a);
        }
        Ok(out)
    }

    /// The current phase of each of `patients` that has one.
    async fn current_phases_of(
        &mut self,
        patients: &[String],
    ) -> Result<HashMap<String, PhaseEpisode>, StoreError> {
        let sql = "SELECT patient_id, phase, started_at FROM phase_episodes e \
             WHERE patient_id IN ({ids}) AND started_at = \
             (SELECT MAX(started_at) FROM phase_episodes l WHERE l.patient_id = e.patient_id)";
        let mut out = HashMap::new();
        for row in self.rows_of(sql, patients).await? {
            out.insert(
                text(&row, "patient_id")?,
                PhaseEpisode {
                    phase: crate::rows::code(
                        &row,
                        "phase",
                        hearth_domain::assessment::Phase::from_code,
                    )?,
                    started_at: crate::rows::timestamp(&row, "started_at")?,
                },
            );
        }
        Ok(out)
    }

    /// The rows of `sql`, whose `{ids}` is replaced by one placeholder per id in `ids`.
    async fn rows_of(&mut self, sql: &str, ids: &[String]) -> Result<Vec<AnyRow>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = sql.replace(
            "{ids}",
            &crate::bulk::list_placeholders(self.backend, 1, ids.len()),
        );
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(id.as_str());
        }
        Ok(query.fetch_all(&mut *self.inner).await?)
    }

    /// Rewrites the snapshots of `patients` (called by `commit` with the patients it touched).
    pub(crate) async fn refresh_plan_snapshots(
        &mut self,
        patients: &[String],
    ) -> Result<(), StoreError> {
        let mut rows = Vec::with_capacity(patients.len());
        for chunk in patients.chunks(PATIENTS_PER_REBUILD) {
            for (id, snapshot) in self.build_plan_snapshots(chunk).await? {
                rows.push((id, snapshot.map(|s| encode(&s)).transpose()?));
            }
        }
        self.write_plan_snapshots(&rows).await
    }

    /// Replaces the stored snapshots of these patients (`None`: the patient has none).
    async fn write_plan_snapshots(
        &mut self,
        rows: &[(PatientId, Option<String>)],
    ) -> Result<(), StoreError> {
        for chunk in rows.chunks(crate::bulk::ROWS_PER_STATEMENT) {
            let ids = crate::bulk::list_placeholders(self.backend, 1, chunk.len());
            let sql = format!("DELETE FROM plan_snapshots WHERE patient_id IN ({ids})");
            let mut query = sqlx::query(&sql);
            for (id, _) in chunk {
                query = query.bind(id.as_str());
            }
            query.execute(&mut *self.inner).await?;
            let written: Vec<(&PatientId, &String)> = chunk
                .iter()
                .filter_map(|(id, body)| body.as_ref().map(|b| (id, b)))
                .collect();
            if written.is_empty() {
                continue;
            }
            let values = crate::bulk::values_clause(self.backend, written.len(), 3);
            let sql =
                format!("INSERT INTO plan_snapshots (patient_id, body, digest) VALUES {values}");
            let mut query = sqlx::query(&sql);
            for (id, body) in written {
                query = query
                    .bind(id.as_str())
                    .bind(body.as_str())
                    .bind(crate::snapshot_cache::digest(body));
            }
            query.execute(&mut *self.inner).await?;
        }
        Ok(())
    }

    /// The patients whose stored snapshot is missing or differs from a fresh build of the source
    /// tables (empty when the projection is true). Reads every patient: for tests and checks.
    pub async fn plan_snapshot_drift(&mut self) -> Result<Vec<PatientId>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.id, s.body FROM patients p LEFT JOIN plan_snapshots s ON s.patient_id = p.id \
             ORDER BY p.id",
        )
        .fetch_all(&mut *self.inner)
        .await?;
        let mut drifted = Vec::new();
        for row in &rows {
            let id = PatientId::new(text(row, "id")?);
            let stored = optional_text(row, "body")?.and_then(|b| decode(&b));
            let fresh = self.build_plan_snapshot(&id).await?;
            if stored.is_none() || stored != fresh {
                drifted.push(id);
            }
        }
        Ok(drifted)
    }
}

impl Store {
    /// Rebuilds every patient's snapshot from the source tables, after a bulk load.
    pub async fn rebuild_plan_snapshots(&self) -> Result<(), StoreError> {
        let mut tx = self.begin_read().await?;
        let ids: Vec<String> = sqlx::query("SELECT id FROM patients ORDER BY id")
            .fetch_all(&mut *tx.inner)
            .await?
            .iter()
            .map(|row| text(row, "id"))
            .collect::<Result<_, _>>()?;
        drop(tx);
        for chunk in ids.chunks(PATIENTS_PER_TRANSACTION) {
            let mut tx = self.begin_write().await?;
            tx.refresh_plan_snapshots(chunk).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The facts the access rule needs for `reader` and `patient` at `now`, and the patient's
    /// snapshot when one is stored in the current format: one statement, so both come from the
    /// same committed state without a transaction. `None` when there is no such patient. The
    /// caller decides access before using the snapshot. The statement returns the snapshot's
    /// body only when its digest differs from the one this node remembers
    /// (`snapshot_cache.rs`), so a summary opened again is not decoded again.
    pub async fn summary_facts(
        &self,
        patient: &PatientId,
        reader: Reader<'_>,
        now: Timestamp,
    ) -> Result<Option<(AccessFacts, Option<FoundSnapshot>)>, StoreError> {
        let sql = crate::access::facts_sql(
            ", (SELECT s.digest FROM plan_snapshots s WHERE s.patient_id = p.id) AS digest, \
             (SELECT CASE WHEN s.digest = $6 THEN NULL ELSE s.body END \
              FROM plan_snapshots s WHERE s.patient_id = p.id) AS snapshot",
        );
        let remembered = self.snapshots.key_of(patient.as_str());
        let (facts, digest, body) = if let Some(direct) = &self.sqlite_reader {
            match summary_facts_direct(direct, &sql, patient, reader, now, remembered)? {
                Some(found) => found,
                None => return Ok(None),
            }
        } else {
            let row = crate::access::bind_facts(sqlx::query(&sql), patient, reader, now)
                .bind(remembered)
                .fetch_optional(&self.read)
                .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            (
                crate::access::facts_from_row(&row, reader)?,
                row.try_get::<Option<i64>, _>("digest")?,
                optional_text(&row, "snapshot")?,
            )
        };
        let snapshot =
            crate::snapshot_cache::resolve(&self.snapshots, patient.as_str(), digest, body, decode)
                .map(|snapshot| FoundSnapshot { snapshot, digest });
        Ok(Some((facts, snapshot)))
    }
}

/// A patient's stored snapshot as the summary's statement found it.
#[derive(Debug, Clone)]
pub struct FoundSnapshot {
    /// Possibly shared with later reads of the same stored body.
    pub snapshot: Arc<PlanSnapshot>,
    /// The digest of the stored body it was decoded from (`None` for a row written before
    /// digests were stored): the same digest means the same snapshot, so the layers above may
    /// remember what they make of it by this key.
    pub digest: Option<i64>,
}

/// The access facts, the snapshot's digest and (when asked for) its body.
type SummaryColumns = (AccessFacts, Option<i64>, Option<String>);

/// [`Store::summary_facts`] through the direct SQLite reader: the same statement and parameters.
fn summary_facts_direct(
    direct: &crate::sqlite_reader::SqliteReader,
    sql: &str,
    patient: &PatientId,
    reader: Reader<'_>,
    now: Timestamp,
    remembered: Option<i64>,
) -> Result<Option<SummaryColumns>, StoreError> {
    use rusqlite::types::Value;
    let organisation = reader.organisation.map_or("", |o| o.as_str());
    let now = crate::rows::millis(now);
    let params: [(&str, &dyn rusqlite::ToSql); 6] = [
        ("$1", &patient.as_str()),
        ("$2", &reader.practitioner.as_str()),
        ("$3", &organisation),
        ("$4", &reader.user.as_str()),
        ("$5", &now),
        ("$6", &remembered),
    ];
    let Some(values) = direct.row(sql, &params)? else {
        return Ok(None);
    };
    let mut values = values.into_iter();
    let mut next = || values.next().unwrap_or(Value::Null);
    let integer = |v: Value| match v {
        Value::Integer(i) => Some(i),
        _ => None,
    };
    let text = |v: Value| match v {
        Value::Text(t) => Some(t),
        _ => None,
    };
    let columns = crate::access::FactsColumns {
        personal: integer(next()).unwrap_or(0) != 0,
        service: integer(next()).unwrap_or(0) != 0,
        consent: text(next()),
        registered_by: text(next()),
        registered_by_name: text(next()),
        emergency_until: integer(next()),
    };
    let digest = integer(next());
    let body = text(next());
    Ok(Some((columns.facts(reader)?, digest, body)))
}

fn encode(snapshot: &PlanSnapshot) -> Result<String, StoreError> {
    serde_json::to_string(snapshot)
        .map_err(|e| StoreError::Corrupt(format!("a plan snapshot could not be written: {e}")))
}

/// The snapshot in `body`, or `None` when it is in another format or cannot be read (the caller
/// then reads the source tables).
fn decode(body: &str) -> Option<PlanSnapshot> {
    // `format` is the first field written.
    if !body.starts_with(&format!("{{\"format\":{FORMAT},")) {
        return None;
    }
    match serde_json::from_str::<PlanSnapshot>(body) {
        Ok(snapshot) => Some(snapshot),
        Err(e) => {
            tracing::warn!(
                "a stored plan snapshot could not be read ({e}); reading the source tables"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_in_another_format_or_unreadable_is_not_used() {
        assert_eq!(
            decode(r#"{"format":0,"patient":{}}"#),
            None,
            "an older format"
        );
        assert_eq!(decode(r#"{"format":1,"patient":"#), None, "cut short");
        assert_eq!(decode(""), None, "empty");
        assert_eq!(
            decode(r#"{"patient":{},"format":1}"#),
            None,
            "format not first"
        );
    }
}
