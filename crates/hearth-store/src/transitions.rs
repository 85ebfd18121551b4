//! The transition tables: `stays`, `discharges` (with the letter) and `discharge_checklist`
//! (`hearth_domain::transition`).

use hearth_domain::care_team::Member;
use hearth_domain::transition::{
    ChecklistItem, Discharge, DischargeRecord, DischargeState, Letter, PlaceKind, Stay,
};
pub use hearth_domain::transition::{ChecklistLine, StoredDischarge};
use hearth_domain::{OrganisationId, PatientId, PractitionerId};
use jiff::Timestamp;
use sqlx::any::AnyRow;

use crate::rows::{
    code, flag, integer, millis, optional_text, optional_timestamp, text, timestamp,
};
use crate::{StoreError, Tx};

const STAY_COLUMNS: &str = "id, patient_id, place, organisation_id, detail, emergency, reason, \
     started_at, ended_at, recorded_by";

const DISCHARGE_COLUMNS: &str = "d.id, d.patient_id, d.stay_id, d.state, d.planned_at, \
     d.destination, d.receiving, d.complex, d.planned_by, d.notified_at, d.accepted_by, \
     d.accepted_at, d.discharged_at, d.letter, d.letter_sent_at, d.completeness, d.version";

/// A patient who arrived home from a discharge, for the out-of-hours view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub patient_id: PatientId,
    pub patient_name: String,
    pub discharged_at: Timestamp,
    pub accepted: bool,
    /// What the plan lacks for out of hours (stored codes; empty: ready).
    pub plan_missing: Option<String>,
}

fn stay_from_row(row: &AnyRow) -> Result<Stay, StoreError> {
    Ok(Stay {
        id: text(row, "id")?,
        patient_id: PatientId::new(text(row, "patient_id")?),
        place: code(row, "place", PlaceKind::from_code)?,
        organisation_id: optional_text(row, "organisation_id")?.map(OrganisationId::new),
        detail: optional_text(row, "detail")?,
        emergency: flag(row, "emergency")?,
        reason: optional_text(row, "reason")?,
        started_at: timestamp(row, "started_at")?,
        ended_at: optional_timestamp(row, "ended_at")?,
        recorded_by: PractitionerId::new(text(row, "recorded_by")?),
    })
}

fn discharge_from_row(row: &AnyRow) -> Result<StoredDischarge, StoreError> {
    let accepted = match (
        optional_text(row, "accepted_by")?,
        optional_timestamp(row, "accepted_at")?,
    ) {
        (Some(p), Some(at)) => Some((PractitionerId::new(p), at)),
        _ => None,
    };
    let letter = match optional_text(row, "letter")? {
        None => None,
        Some(json) => Some(serde_json::from_str(&json).map_err(|e| {
            StoreError::Corrupt(format!("a discharge letter does not read back: {e}"))
        })?),
    };
    Ok(StoredDischarge {
        discharge: Discharge {
            id: text(row, "id")?,
            patient_id: PatientId::new(text(row, "patient_id")?),
            stay_id: text(row, "stay_id")?,
            state: code(row, "state", DischargeState::from_code)?,
            planned_at: timestamp(row, "planned_at")?,
            destination: code(row, "destination", PlaceKind::from_code)?,
            receiving: optional_text(row, "receiving")?.map(PractitionerId::new),
            complex: flag(row, "complex")?,
            planned_by: PractitionerId::new(text(row, "planned_by")?),
            notified_at: timestamp(row, "notified_at")?,
            accepted,
            discharged_at: optional_timestamp(row, "discharged_at")?,
            version: integer(row, "version")?,
        },
        letter,
        letter_sent_at: optional_timestamp(row, "letter_sent_at")?,
    })
}

fn checklist_from_row(row: &AnyRow) -> Result<ChecklistLine, StoreError> {
    let kind = text(row, "owner_kind")?;
    let id = text(row, "owner_id")?;
    Ok(ChecklistLine {
        item: code(row, "item", ChecklistItem::from_code)?,
        owner: match kind.as_str() {
            "practitioner" => Member::Practitioner(PractitionerId::new(id)),
            "service" => Member::Service(OrganisationId::new(id)),
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "a checklist owner is '{kind}:{id}'"
                )));
            }
        },
        done: match (
            optional_text(row, "done_by")?,
            optional_timestamp(row, "done_at")?,
        ) {
            (Some(p), Some(at)) => Some((PractitionerId::new(p), at)),
            _ => None,
        },
    })
}

fn member_parts(m: &Member) -> (&'static str, &str) {
    match m {
        Member::Practitioner(p) => ("practitioner", p.as_str()),
        Member::Service(o) => ("service", o.as_str()),
    }
}

impl Tx {
    /// Stores a new stay.
    pub async fn insert_stay(&mut self, s: &Stay) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO stays ({STAY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        sqlx::query(&sql)
            .bind(s.id.as_str())
            .bind(s.patient_id.as_str())
            .bind(s.place.code())
            .bind(s.organisation_id.as_ref().map(|o| o.to_string()))
            .bind(s.detail.clone())
            .bind(s.emergency)
            .bind(s.reason.clone())
            .bind(millis(s.started_at))
            .bind(s.ended_at.map(millis))
            .bind(s.recorded_by.as_str())
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Ends the patient's current stay at `at`; false when there was none.
    pub async fn end_current_stay(
        &mut self,
        patient: &PatientId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE stays SET ended_at = $2 WHERE patient_id = $1 AND ended_at IS NULL",
        )
        .bind(patient.as_str())
        .bind(millis(at))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The patient's stays, the current one first, then the most recent.
    pub async fn stays_of(&mut self, patient: &PatientId) -> Result<Vec<Stay>, StoreError> {
        let sql = format!(
            "SELECT {STAY_COLUMNS} FROM stays WHERE patient_id = $1 \
             ORDER BY CASE WHEN ended_at IS NULL THEN 0 ELSE 1 END, started_at DESC, id"
        );
        sqlx::query(&sql)
            .bind(patient.as_str())
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(stay_from_row)
            .collect()
    }

    /// Stores a new discharge with its checklist; false when the patient already has an open
    /// discharge (nothing is written).
    pub async fn insert_discharge(
        &mut self,
        d: &Discharge,
        checklist: &[(ChecklistItem, Member)],
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO discharges (id, patient_id, stay_id, state, planned_at, destination, \
             receiving, complex, planned_by, notified_at, accepted_by, accepted_at, \
             discharged_at, letter, letter_sent_at, completeness, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, NULL, NULL, $14) \
             ON CONFLICT DO NOTHING",
        )
        .bind(d.id.as_str())
        .bind(d.patient_id.as_str())
        .bind(d.stay_id.as_str())
        .bind(d.state.code())
        .bind(millis(d.planned_at))
        .bind(d.destination.code())
        .bind(d.receiving.as_ref().map(|p| p.to_string()))
        .bind(d.complex)
        .bind(d.planned_by.as_str())
        .bind(millis(d.notified_at))
        .bind(d.accepted.as_ref().map(|(p, _)| p.to_string()))
        .bind(d.accepted.as_ref().map(|(_, at)| millis(*at)))
        .bind(d.discharged_at.map(millis))
        .bind(d.version)
        .execute(&mut *self.inner)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        for (item, owner) in checklist {
            let (kind, id) = member_parts(owner);
            sqlx::query(
                "INSERT INTO discharge_checklist (discharge_id, item, owner_kind, owner_id, \
                 done_at, done_by) VALUES ($1, $2, $3, $4, NULL, NULL)",
            )
            .bind(d.id.as_str())
            .bind(item.code())
            .bind(kind)
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(true)
    }

    /// Writes a discharge's new state if it is still at `version - 1`; false when a colleague
    /// changed it first (nothing is written).
    pub async fn update_discharge(&mut self, d: &Discharge) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE discharges SET state = $2, accepted_by = $3, accepted_at = $4, \
             discharged_at = $5, version = $6 WHERE id = $1 AND version = $7",
        )
        .bind(d.id.as_str())
        .bind(d.state.code())
        .bind(d.accepted.as_ref().map(|(p, _)| p.to_string()))
        .bind(d.accepted.as_ref().map(|(_, at)| millis(*at)))
        .bind(d.discharged_at.map(millis))
        .bind(d.version)
        .bind(d.version - 1)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores the letter (and, when sent, the time and its completeness score).
    pub async fn set_discharge_letter(
        &mut self,
        id: &str,
        letter: &Letter,
        sent_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(letter)
            .map_err(|e| StoreError::Corrupt(format!("a letter does not serialise: {e}")))?;
        sqlx::query(
            "UPDATE discharges SET letter = $2, letter_sent_at = COALESCE(letter_sent_at, $3), \
             completeness = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(json)
        .bind(sent_at.map(millis))
        .bind(i64::from(letter.completeness()))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// The patient's discharges, most recent first.
    pub async fn discharges_of(
        &mut self,
        patient: &PatientId,
    ) -> Result<Vec<StoredDischarge>, StoreError> {
        let sql = format!(
            "SELECT {DISCHARGE_COLUMNS} FROM discharges d WHERE d.patient_id = $1 \
             ORDER BY d.planned_at DESC, d.id"
        );
        sqlx::query(&sql)
            .bind(patient.as_str())
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(discharge_from_row)
            .collect()
    }

    /// The patient's discharges whole, with their letters and checklists, most recent first:
    /// two queries whatever the number of discharges.
    pub async fn discharge_records_of(
        &mut self,
        patient: &PatientId,
    ) -> Result<Vec<DischargeRecord>, StoreError> {
        let mut records: Vec<DischargeRecord> = self
            .discharges_of(patient)
            .await?
            .into_iter()
            .map(|stored| DischargeRecord {
                stored,
                checklist: Vec::new(),
            })
            .collect();
        if records.is_empty() {
            return Ok(records);
        }
        let rows = sqlx::query(
            "SELECT l.discharge_id, l.item, l.owner_kind, l.owner_id, l.done_at, l.done_by \
             FROM discharge_checklist l JOIN discharges d ON d.id = l.discharge_id \
             WHERE d.patient_id = $1",
        )
        .bind(patient.as_str())
        .fetch_all(&mut *self.inner)
        .await?;
        for row in &rows {
            let discharge = text(row, "discharge_id")?;
            let line = checklist_from_row(row)?;
            if let Some(r) = records
                .iter_mut()
                .find(|r| r.stored.discharge.id == discharge)
            {
                r.checklist.push(line);
            }
        }
        for r in &mut records {
            r.checklist
                .sort_by_key(|l| ChecklistItem::ALL.iter().position(|i| *i == l.item));
        }
        Ok(records)
    }

    /// Stores a discharge whole as it was elsewhere (`hearth import`): its state, its checklist
    /// with what was done, and its letter; false when the patient already has an open discharge
    /// (nothing is written).
    pub async fn insert_discharge_record(
        &mut self,
        r: &DischargeRecord,
    ) -> Result<bool, StoreError> {
        let d = &r.stored.discharge;
        let checklist: Vec<(ChecklistItem, Member)> = r
            .checklist
            .iter()
            .map(|l| (l.item, l.owner.clone()))
            .collect();
        if !self.insert_discharge(d, &checklist).await? {
            return Ok(false);
        }
        for line in &r.checklist {
            if let Some((by, at)) = &line.done {
                self.set_checklist_item(&d.id, line.item, Some((by, *at)))
                    .await?;
            }
        }
        if let Some(letter) = &r.stored.letter {
            self.set_discharge_letter(&d.id, letter, r.stored.letter_sent_at)
                .await?;
        }
        Ok(true)
    }

    /// A discharge's checklist, in the checklist's order.
    pub async fn checklist(&mut self, discharge: &str) -> Result<Vec<ChecklistLine>, StoreError> {
        let rows = sqlx::query(
            "SELECT item, owner_kind, owner_id, done_at, done_by FROM discharge_checklist \
             WHERE discharge_id = $1",
        )
        .bind(discharge)
        .fetch_all(&mut *self.inner)
        .await?;
        let mut lines = rows
            .iter()
            .map(checklist_from_row)
            .collect::<Result<Vec<_>, StoreError>>()?;
        lines.sort_by_key(|l| ChecklistItem::ALL.iter().position(|i| *i == l.item));
        Ok(lines)
    }

    /// Ticks a checklist item done (or, with `done` false, open again); false when the item is
    /// not on the discharge's checklist.
    pub async fn set_checklist_item(
        &mut self,
        discharge: &str,
        item: ChecklistItem,
        done: Option<(&PractitionerId, Timestamp)>,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE discharge_checklist SET done_by = $3, done_at = $4 \
             WHERE discharge_id = $1 AND item = $2",
        )
        .bind(discharge)
        .bind(item.code())
        .bind(done.map(|(p, _)| p.to_string()))
        .bind(done.map(|(_, at)| millis(at)))
        .execute(&mut *self.inner)
        .await?;
        Ok(changed.rows_affected() == 1)
    }

    /// Patients discharged home since `from` whose active care team holds the reader (in person,
    /// or the service they act for), most recent first.
    pub async fn arrivals_since(
        &mut self,
        from: Timestamp,
        reader: crate::conversations::Recipient<'_>,
    ) -> Result<Vec<Arrival>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.patient_id, d.discharged_at, d.accepted_at, p.given_name, p.family_name, \
             cp.missing FROM discharges d JOIN patients p ON p.id = d.patient_id \
             LEFT JOIN care_plans cp ON cp.patient_id = d.patient_id \
             WHERE d.discharged_at >= $1 AND d.state = 'discharged' AND d.destination = 'home' \
             AND EXISTS (SELECT 1 FROM care_team_members m WHERE m.patient_id = d.patient_id \
                 AND m.ended_on IS NULL AND (COALESCE(m.practitioner_id, '') = $2 \
                 OR COALESCE(m.organisation_id, '') = $3)) \
             ORDER BY d.discharged_at DESC LIMIT 500",
        )
        .bind(millis(from))
        .bind(reader.practitioner.as_str())
        .bind(reader.organisation.map_or("", |o| o.as_str()))
        .fetch_all(&mut *self.inner)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Arrival {
                    patient_id: PatientId::new(text(row, "patient_id")?),
                    patient_name: hearth_domain::patient::list_name(
                        &text(row, "family_name")?,
                        &text(row, "given_name")?,
                    ),
                    discharged_at: timestamp(row, "discharged_at")?,
                    accepted: optional_timestamp(row, "accepted_at")?.is_some(),
                    plan_missing: optional_text(row, "missing")?,
                })
            })
            .collect()
    }
}
