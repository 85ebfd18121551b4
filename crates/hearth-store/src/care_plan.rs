//! The shared care plan's tables: every saved version of every section (`care_plan_sections`),
//! the plan's version counter (`care_plans`) and who has read which version (`care_plan_reads`).
//! Section content is stored as JSON text (`hearth_domain::care_plan::Content`), the same on both
//! backends.

use hearth_domain::care_plan::{Content, Section, SectionVersion};
use hearth_domain::{PatientId, PractitionerId};
use jiff::Timestamp;
use sqlx::any::AnyRow;

use crate::rows::{code, date, integer, millis, text, timestamp};
use crate::{StoreError, Tx};

pub(crate) const COLUMNS: &str =
    "patient_id, section, version, content, summary, author, saved_at, review_by";

/// The plan's state in a row of `version, significant_version, updated_at`.
pub(crate) fn state_from_row(row: &AnyRow) -> Result<PlanState, StoreError> {
    Ok(PlanState {
        version: integer(row, "version")?,
        significant_version: integer(row, "significant_version")?,
        updated_at: timestamp(row, "updated_at")?,
    })
}

pub(crate) fn from_row(row: &AnyRow) -> Result<SectionVersion, StoreError> {
    let json = text(row, "content")?;
    let content: Content = serde_json::from_str(&json)
        .map_err(|e| StoreError::Corrupt(format!("a care plan section does not read back: {e}")))?;
    Ok(SectionVersion {
        patient_id: PatientId::new(text(row, "patient_id")?),
        section: code(row, "section", Section::from_code)?,
        version: integer(row, "version")?,
        content,
        summary: text(row, "summary")?,
        author: PractitionerId::new(text(row, "author")?),
        saved_at: timestamp(row, "saved_at")?,
        review_by: date(row, "review_by")?,
    })
}

/// The plan as a whole: its version, and the version of its last significant change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PlanState {
    pub version: i64,
    pub significant_version: i64,
    pub updated_at: Timestamp,
}

/// Who read which version of a plan, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRead {
    pub practitioner_id: PractitionerId,
    pub version: i64,
    pub read_at: Timestamp,
}

impl Tx {
    /// Stores a new version of a section, unless that version exists already (someone saved the
    /// section first, from the same version): then nothing is written and `false` returned. The
    /// plan's version goes up with every section stored.
    pub async fn insert_section_version(&mut self, v: &SectionVersion) -> Result<bool, StoreError> {
        let json = serde_json::to_string(&v.content).map_err(|e| {
            StoreError::Corrupt(format!("a care plan section cannot be written: {e}"))
        })?;
        let inserted = sqlx::query(&format!(
            "INSERT INTO care_plan_sections ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (patient_id, section, version) DO NOTHING"
        ))
        .bind(v.patient_id.as_str())
        .bind(v.section.code())
        .bind(v.version)
        .bind(json)
        .bind(v.summary.as_str())
        .bind(v.author.as_str())
        .bind(millis(v.saved_at))
        .bind(v.review_by.to_string())
        .execute(&mut *self.inner)
        .await?
        .rows_affected()
            == 1;
        if !inserted {
            return Ok(false);
        }
        let significant = i64::from(v.section.significant());
        sqlx::query(
            "INSERT INTO care_plans (patient_id, version, significant_version, updated_at) \
             VALUES ($1, 1, $2, $3) \
             ON CONFLICT (patient_id) DO UPDATE SET version = care_plans.version + 1, \
             significant_version = CASE WHEN $2 = 1 THEN care_plans.version + 1 \
             ELSE care_plans.significant_version END, updated_at = $3",
        )
        .bind(v.patient_id.as_str())
        .bind(significant)
        .bind(millis(v.saved_at))
        .execute(&mut *self.inner)
        .await?;
        self.touch_register_list(&v.patient_id);
        Ok(true)
    }

    /// Records what the plan lacks for out-of-hours readiness (`missing_codes`), for lists.
    pub async fn set_plan_missing(
        &mut self,
        patient: &PatientId,
        codes: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE care_plans SET missing = $2 WHERE patient_id = $1")
            .bind(patient.as_str())
            .bind(codes)
            .execute(&mut *self.inner)
            .await?;
        self.touch_register_list(patient);
        Ok(())
    }

    /// The current (latest) version of each section the plan has, in no particular order.
    pub async fn current_sections(
        &mut self,
        patient: &PatientId,
    ) -> Result<Vec<SectionVersion>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM care_plan_sections s WHERE s.patient_id = $1 \
             AND s.version = (SELECT MAX(x.version) FROM care_plan_sections x \
             WHERE x.patient_id = s.patient_id AND x.section = s.section)"
        ))
        .bind(patient.as_str())
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    /// Every version of every section of the plan, in the order they were saved.
    pub async fn all_section_versions(
        &mut self,
        patient: &PatientId,
    ) -> Result<Vec<SectionVersion>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM care_plan_sections WHERE patient_id = $1 \
             ORDER BY saved_at, section, version"
        ))
        .bind(patient.as_str())
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    /// Every version of one section, newest first.
    pub async fn section_versions(
        &mut self,
        patient: &PatientId,
        section: Section,
    ) -> Result<Vec<SectionVersion>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM care_plan_sections WHERE patient_id = $1 AND section = $2 \
             ORDER BY version DESC"
        ))
        .bind(patient.as_str())
        .bind(section.code())
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    /// The plan's version counter, when the plan has any section.
    pub async fn plan_state(
        &mut self,
        patient: &PatientId,
    ) -> Result<Option<PlanState>, StoreError> {
        let row = sqlx::query(
            "SELECT version, significant_version, updated_at FROM care_plans WHERE patient_id = $1",
        )
        .bind(patient.as_str())
        .fetch_optional(&mut *self.inner)
        .await?;
        row.as_ref().map(state_from_row).transpose()
    }

    /// Records that a person has read the plan up to `version` (a later read replaces it).
    pub async fn record_plan_read(
        &mut self,
        patient: &PatientId,
        practitioner: &PractitionerId,
        version: i64,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO care_plan_reads (patient_id, practitioner_id, version, read_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (patient_id, practitioner_id) \
             DO UPDATE SET version = $3, read_at = $4",
        )
        .bind(patient.as_str())
        .bind(practitioner.as_str())
        .bind(version)
        .bind(millis(at))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Who has read which version of the plan.
    pub async fn plan_reads(&mut self, patient: &PatientId) -> Result<Vec<PlanRead>, StoreError> {
        sqlx::query(
            "SELECT practitioner_id, version, read_at FROM care_plan_reads WHERE patient_id = $1",
        )
        .bind(patient.as_str())
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(|r| {
            Ok(PlanRead {
                practitioner_id: PractitionerId::new(text(r, "practitioner_id")?),
                version: integer(r, "version")?,
                read_at: timestamp(r, "read_at")?,
            })
        })
        .collect()
    }
}
