//! Aggregate figures about the register for service managers: counts only, never identities.
//! Each figure is one grouped query, so the work stays in the database however large the
//! register (see `docs/design/administration.md`).

use hearth_domain::OrganisationId;
use hearth_domain::register::{ConsentDecision, DiagnosisGroup, PreferredPlaceMet};
use jiff::civil::Date;

use crate::rows::{code, date, flag, integer, placeholders};
use crate::{StoreError, Tx};

/// How many patients on the register share one diagnosis group, consent decision and
/// coordinator state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterTally {
    pub group: DiagnosisGroup,
    pub consent: ConsentDecision,
    /// Whether they have an active coordinator.
    pub coordinated: bool,
    pub patients: i64,
}

/// One death on the register: no identity, only what the figures need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeathOnRegister {
    pub group: DiagnosisGroup,
    pub identified_on: Date,
    pub died_on: Date,
    pub preferred_place_met: PreferredPlaceMet,
}

impl Tx {
    /// Patients on the register whose care team holds one of `organisations` as a service,
    /// counted once each,
    /// grouped by diagnosis group, consent and whether they have an active coordinator.
    pub async fn register_tallies(
        &mut self,
        organisations: &[OrganisationId],
    ) -> Result<Vec<RegisterTally>, StoreError> {
        if organisations.is_empty() {
            return Ok(Vec::new());
        }
        // The register list holds one row per patient and care-team member (a service member's
        // organisation id is the row's reader key); a patient whose team holds two services in
        // scope is counted once.
        let sql = format!(
            "SELECT diagnosis_group, consent, \
             CASE WHEN coordinator_id IS NULL THEN 0 ELSE 1 END AS coordinated, \
             COUNT(DISTINCT patient_id) AS patients FROM register_list \
             WHERE reader_id IN ({}) \
             GROUP BY diagnosis_group, consent, CASE WHEN coordinator_id IS NULL THEN 0 ELSE 1 END",
            placeholders(1, organisations.len())
        );
        let mut query = sqlx::query(&sql);
        for id in organisations {
            query = query.bind(id.as_str());
        }
        query
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(|row| {
                Ok(RegisterTally {
                    group: code(row, "diagnosis_group", DiagnosisGroup::from_code)?,
                    consent: code(row, "consent", ConsentDecision::from_code)?,
                    coordinated: flag(row, "coordinated")?,
                    patients: integer(row, "patients")?,
                })
            })
            .collect()
    }

    /// Deaths on the register on or after `since` of patients whose care involved one of
    /// `organisations`.
    pub async fn deaths_on_register(
        &mut self,
        organisations: &[OrganisationId],
        since: Date,
    ) -> Result<Vec<DeathOnRegister>, StoreError> {
        if organisations.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT e.diagnosis_group, e.identified_on, e.left_on, e.preferred_place_met \
             FROM register_entries e WHERE e.status = 'died' AND e.left_on >= $1 \
             AND EXISTS (SELECT 1 FROM patient_organisations po WHERE po.patient_id = e.patient_id \
             AND po.organisation_id IN ({}))",
            placeholders(2, organisations.len())
        );
        let mut query = sqlx::query(&sql).bind(since.to_string());
        for id in organisations {
            query = query.bind(id.as_str());
        }
        query
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(|row| {
                Ok(DeathOnRegister {
                    group: code(row, "diagnosis_group", DiagnosisGroup::from_code)?,
                    identified_on: date(row, "identified_on")?,
                    died_on: date(row, "left_on")?,
                    preferred_place_met: code(
                        row,
                        "preferred_place_met",
                        PreferredPlaceMet::from_code,
                    )?,
                })
            })
            .collect()
    }

    /// Every patient's phases of illness, in order, for patients of `organisations` with a
    /// phase that began from `from` on: no identities leave the store, only each patient's
    /// sequence.
    pub async fn phase_sequences(
        &mut self,
        organisations: &[OrganisationId],
        from: jiff::Timestamp,
    ) -> Result<Vec<Vec<hearth_domain::assessment::PhaseEpisode>>, StoreError> {
        if organisations.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT e.patient_id, e.phase, e.started_at FROM phase_episodes e \
             WHERE EXISTS (SELECT 1 FROM phase_episodes f WHERE f.patient_id = e.patient_id \
                 AND f.started_at >= $1) \
             AND EXISTS (SELECT 1 FROM patient_organisations po WHERE po.patient_id = e.patient_id \
                 AND po.organisation_id IN ({})) \
             ORDER BY e.patient_id, e.started_at",
            placeholders(2, organisations.len())
        );
        let mut query = sqlx::query(&sql).bind(crate::rows::millis(from));
        for id in organisations {
            query = query.bind(id.as_str());
        }
        let mut out: Vec<Vec<hearth_domain::assessment::PhaseEpisode>> = Vec::new();
        let mut last: Option<String> = None;
        for row in query.fetch_all(&mut *self.inner).await? {
            let patient = crate::rows::text(&row, "patient_id")?;
            let episode = hearth_domain::assessment::PhaseEpisode {
                phase: code(&row, "phase", hearth_domain::assessment::Phase::from_code)?,
                started_at: crate::rows::timestamp(&row, "started_at")?,
            };
            match out.last_mut() {
                Some(current) if last.as_deref() == Some(patient.as_str()) => current.push(episode),
                _ => out.push(vec![episode]),
            }
            last = Some(patient);
        }
        Ok(out)
    }
}
