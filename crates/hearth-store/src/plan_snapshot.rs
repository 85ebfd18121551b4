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

use std::collections::BTreeSet;

use hearth_domain::care_plan::SectionVersion;
use hearth_domain::care_team::{CareTeamMember, Member};
use hearth_domain::patient::Patient;
use hearth_domain::register::RegisterEntry;
use hearth_domain::{PatientId, PractitionerId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use hearth_domain::access::AccessFacts;

use crate::access::Reader;
use crate::care_plan::PlanState;
use crate::rows::{optional_text, text};
use crate::{Store, StoreError, Tx};

/// The snapshot layout's version: a row in another format is ignored (and read from the source
/// tables) until the patient's next change rewrites it.
pub const FORMAT: u32 = 1;

/// Patients rebuilt per transaction by [`Store::rebuild_plan_snapshots`].
const PATIENTS_PER_REBUILD: usize = 500;

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
}

impl Tx {
    /// Builds the snapshot of `patient` from the source tables (`None`: no such patient).
    pub async fn build_plan_snapshot(
        &mut self,
        patient: &PatientId,
    ) -> Result<Option<PlanSnapshot>, StoreError> {
        let system = sqlx::query(
            "SELECT system FROM patient_identifiers WHERE patient_id = $1 ORDER BY system LIMIT 1",
        )
        .bind(patient.as_str())
        .fetch_optional(&mut *self.inner)
        .await?;
        let Some(system) = system else {
            return Ok(None);
        };
        let Some(record) = self.patient(patient, &text(&system, "system")?).await? else {
            return Ok(None);
        };
        let mut sections = self.current_sections(patient).await?;
        sections.sort_by_key(|v| v.section.code());
        let state = self.plan_state(patient).await?;
        let members: Vec<CareTeamMember> = self
            .care_team(patient)
            .await?
            .into_iter()
            .filter(CareTeamMember::is_active)
            .collect();
        let coordinators: Vec<PractitionerId> = members
            .iter()
            .filter(|m| m.coordinator)
            .filter_map(|m| match &m.member {
                Member::Practitioner(id) => Some(id.clone()),
                Member::Service(_) => None,
            })
            .collect();
        let disabled_coordinators = self.disabled_practitioners(&coordinators).await?;
        let register = self
            .register_entries_of(patient)
            .await?
            .into_iter()
            .find(|e| e.leaving.is_none());
        let mentioned: BTreeSet<PractitionerId> = sections
            .iter()
            .map(|v| v.author.clone())
            .chain(members.iter().filter_map(|m| match &m.member {
                Member::Practitioner(id) => Some(id.clone()),
                Member::Service(_) => None,
            }))
            .collect();
        let mentioned: Vec<PractitionerId> = mentioned.into_iter().collect();
        let names = self.practitioner_names(&mentioned).await?;
        let mut names: Vec<(PractitionerId, String)> = names.into_iter().collect();
        names.sort();
        Ok(Some(PlanSnapshot {
            format: FORMAT,
            patient: record,
            sections,
            state,
            members,
            disabled_coordinators,
            names,
            register,
        }))
    }

    /// Rewrites the snapshots of `patients` (called by `commit` with the patients it touched).
    pub(crate) async fn refresh_plan_snapshots(
        &mut self,
        patients: &[String],
    ) -> Result<(), StoreError> {
        let mut rows = Vec::with_capacity(patients.len());
        for id in patients {
            let id = PatientId::new(id.as_str());
            let snapshot = self.build_plan_snapshot(&id).await?;
            rows.push((id, snapshot.map(|s| encode(&s)).transpose()?));
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
            let values = crate::bulk::values_clause(self.backend, written.len(), 2);
            let sql = format!("INSERT INTO plan_snapshots (patient_id, body) VALUES {values}");
            let mut query = sqlx::query(&sql);
            for (id, body) in written {
                query = query.bind(id.as_str()).bind(body.as_str());
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
        for chunk in ids.chunks(PATIENTS_PER_REBUILD) {
            let mut tx = self.begin_write().await?;
            tx.refresh_plan_snapshots(chunk).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The facts the access rule needs for `reader` and `patient` at `now`, and the patient's
    /// snapshot when one is stored in the current format: one statement, so both come from the
    /// same committed state without a transaction. `None` when there is no such patient. The
    /// caller decides access before using the snapshot.
    pub async fn summary_facts(
        &self,
        patient: &PatientId,
        reader: Reader<'_>,
        now: Timestamp,
    ) -> Result<Option<(AccessFacts, Option<PlanSnapshot>)>, StoreError> {
        let sql = crate::access::facts_sql(
            ", (SELECT s.body FROM plan_snapshots s WHERE s.patient_id = p.id) AS snapshot",
        );
        let row = crate::access::bind_facts(sqlx::query(&sql), patient, reader, now)
            .fetch_optional(&self.read)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let facts = crate::access::facts_from_row(&row, reader)?;
        let snapshot = optional_text(&row, "snapshot")?.and_then(|b| decode(&b));
        Ok(Some((facts, snapshot)))
    }
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
