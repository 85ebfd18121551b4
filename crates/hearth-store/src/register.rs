//! The `register_entries` table: the palliative care register.

use hearth_domain::patient::{Patient, search_name};
use hearth_domain::register::{
    Consent, ConsentDecision, DiagnosisGroup, DiseaseIndicator, GeneralIndicator, Leaving,
    PlaceOfDeath, PreferredPlaceMet, RegisterEntry, RegisterStatus, SurpriseAnswer, join_codes,
    split_codes,
};
use hearth_domain::{OrganisationId, PatientId, PractitionerId};
use sqlx::any::AnyRow;

use crate::rows::{code, date, integer, millis, optional_text, text, timestamp};
use crate::{StoreError, Tx};

pub(crate) const COLUMNS: &str = "id, patient_id, organisation_id, status, identified_on, identified_by, surprise, \
     general_indicators, disease_indicators, diagnosis_group, consent, consent_recorded_on, consent_recorded_by, \
     left_on, place_of_death, preferred_place_met, removed_reason, created_at, updated_at, version";

const COLUMN_COUNT: usize = 20;

pub(crate) fn from_row(row: &AnyRow) -> Result<RegisterEntry, StoreError> {
    let codes = |column: &str| text(row, column);
    let general = codes("general_indicators")?;
    let disease = codes("disease_indicators")?;
    let status = code(row, "status", RegisterStatus::from_code)?;
    let left_on = optional_text(row, "left_on")?;
    let leaving = match (status, left_on) {
        (RegisterStatus::Active, _) => None,
        (_, None) => {
            return Err(StoreError::Corrupt(
                "a register entry left without a date".to_owned(),
            ));
        }
        (RegisterStatus::Died, Some(on)) => Some(Leaving::Died {
            on: on
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("left_on holds '{on}'")))?,
            place: code(row, "place_of_death", PlaceOfDeath::from_code)?,
            preferred_place: code(row, "preferred_place_met", PreferredPlaceMet::from_code)?,
        }),
        (RegisterStatus::Removed, Some(on)) => Some(Leaving::Removed {
            on: on
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("left_on holds '{on}'")))?,
            reason: optional_text(row, "removed_reason")?.unwrap_or_default(),
        }),
    };
    Ok(RegisterEntry {
        id: text(row, "id")?,
        patient_id: PatientId::new(text(row, "patient_id")?),
        organisation_id: OrganisationId::new(text(row, "organisation_id")?),
        identified_on: date(row, "identified_on")?,
        identified_by: PractitionerId::new(text(row, "identified_by")?),
        surprise: code(row, "surprise", SurpriseAnswer::from_code)?,
        general_indicators: split_codes(&general, GeneralIndicator::from_code)
            .ok_or_else(|| StoreError::Corrupt(format!("general_indicators holds '{general}'")))?,
        disease_indicators: split_codes(&disease, DiseaseIndicator::from_code)
            .ok_or_else(|| StoreError::Corrupt(format!("disease_indicators holds '{disease}'")))?,
        diagnosis_group: code(row, "diagnosis_group", DiagnosisGroup::from_code)?,
        consent: Consent {
            decision: code(row, "consent", ConsentDecision::from_code)?,
            recorded_on: date(row, "consent_recorded_on")?,
            recorded_by: PractitionerId::new(text(row, "consent_recorded_by")?),
        },
        leaving,
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
        version: integer(row, "version")?,
    })
}

/// The stored values of an entry, in `COLUMNS` order.
fn values(entry: &RegisterEntry) -> [Option<String>; 17] {
    let (left_on, place, preferred, reason) = match &entry.leaving {
        None => (None, None, None, None),
        Some(Leaving::Died {
            on,
            place,
            preferred_place,
        }) => (
            Some(on.to_string()),
            Some(place.code().to_owned()),
            Some(preferred_place.code().to_owned()),
            None,
        ),
        Some(Leaving::Removed { on, reason }) => {
            (Some(on.to_string()), None, None, Some(reason.clone()))
        }
    };
    [
        Some(entry.id.clone()),
        Some(entry.patient_id.to_string()),
        Some(entry.organisation_id.to_string()),
        Some(entry.status().code().to_owned()),
        Some(entry.identified_on.to_string()),
        Some(entry.identified_by.to_string()),
        Some(entry.surprise.code().to_owned()),
        Some(join_codes(
            &entry.general_indicators,
            GeneralIndicator::code,
        )),
        Some(join_codes(
            &entry.disease_indicators,
            DiseaseIndicator::code,
        )),
        Some(entry.diagnosis_group.code().to_owned()),
        Some(entry.consent.decision.code().to_owned()),
        Some(entry.consent.recorded_on.to_string()),
        Some(entry.consent.recorded_by.to_string()),
        left_on,
        place,
        preferred,
        reason,
    ]
}

impl Tx {
    /// The patient whose register entry `id` is, if there is one.
    pub async fn patient_of_register_entry(
        &mut self,
        id: &str,
    ) -> Result<Option<PatientId>, StoreError> {
        sqlx::query("SELECT patient_id FROM register_entries WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.inner)
            .await?
            .map(|row| text(&row, "patient_id").map(PatientId::new))
            .transpose()
    }

    /// Stores new register entries (one, or a demo region's worth), each with its patient (whose
    /// search name the entry carries so that register lists sort and filter on this table alone,
    /// which keeps them fast at a million entries).
    pub async fn insert_register_entries(
        &mut self,
        entries: &[(&RegisterEntry, &Patient)],
    ) -> Result<(), StoreError> {
        for (entry, _) in entries {
            self.touch_register_list(&entry.patient_id);
        }
        for chunk in entries.chunks(crate::bulk::ROWS_PER_STATEMENT) {
            let values_sql =
                crate::bulk::values_clause(self.backend, chunk.len(), COLUMN_COUNT + 1);
            let sql = format!(
                "INSERT INTO register_entries ({COLUMNS}, search_name) VALUES {values_sql}"
            );
            let mut query = sqlx::query(&sql);
            for (entry, patient) in chunk {
                for value in values(entry) {
                    query = query.bind(value);
                }
                query = query
                    .bind(millis(entry.created_at))
                    .bind(millis(entry.updated_at))
                    .bind(entry.version)
                    .bind(search_name(&patient.family_name, &patient.given_name));
            }
            query
                .execute(&mut *self.inner)
                .await
                .map_err(StoreError::on_duplicate(
                    "an active register entry for this patient",
                ))?;
        }
        Ok(())
    }

    /// Saves a changed entry, provided nobody else changed it since `entry.version - 1`.
    pub async fn update_register_entry(&mut self, entry: &RegisterEntry) -> Result<(), StoreError> {
        self.touch_register_list(&entry.patient_id);
        let assignments: Vec<String> = COLUMNS
            .split(", ")
            .enumerate()
            .skip(1)
            .map(|(n, column)| format!("{column} = ${}", n + 1))
            .collect();
        let sql = format!(
            "UPDATE register_entries SET {} WHERE id = $1 AND version = ${}",
            assignments.join(", "),
            COLUMN_COUNT + 1
        );
        let mut query = sqlx::query(&sql);
        for value in values(entry) {
            query = query.bind(value);
        }
        let result = query
            .bind(millis(entry.created_at))
            .bind(millis(entry.updated_at))
            .bind(entry.version)
            .bind(entry.version - 1)
            .execute(&mut *self.inner)
            .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                what: "register entry",
            });
        }
        Ok(())
    }

    /// The patient's register entries, newest identification first (the active one, if any,
    /// and the history of earlier ones).
    pub async fn register_entries_of(
        &mut self,
        patient: &PatientId,
    ) -> Result<Vec<RegisterEntry>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM register_entries WHERE patient_id = $1 ORDER BY identified_on DESC, created_at DESC"
        );
        sqlx::query(&sql)
            .bind(patient.as_str())
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }
}

/// SQL that is true when patient `{p}` is visible to the practitioner bound at `$practitioner`
/// acting for the organisation bound at `$organisation`: either is an active member of the care
/// team, and, when the patient declined consent to share, the organisation is the registering
/// one. This is the care-team part of the access rule (`hearth_domain::access::decide`) in SQL
/// form, so that lists can filter in the database; emergency access does not list patients.
/// (`COALESCE` keeps the members' look-up on the patient's index: see `Tx::access_facts`.)
pub(crate) fn visibility(patient: &str, practitioner: usize, organisation: usize) -> String {
    format!(
        "EXISTS (SELECT 1 FROM care_team_members tm WHERE tm.patient_id = {patient} \
         AND tm.ended_on IS NULL AND (COALESCE(tm.practitioner_id, '') = ${practitioner} \
         OR COALESCE(tm.organisation_id, '') = ${organisation})) \
         AND NOT EXISTS (SELECT 1 FROM register_entries rd WHERE rd.patient_id = {patient} \
         AND rd.status = 'active' AND rd.consent = 'declined' AND rd.organisation_id <> ${organisation})"
    )
}
