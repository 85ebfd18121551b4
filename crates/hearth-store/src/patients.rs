//! The `patients`, `patient_identifiers` and `patient_organisations` tables.

use hearth_domain::patient::{Address, Identifier, Patient, PatientSummary, RegisterSummary, Sex};
use hearth_domain::register::{ConsentDecision, DiagnosisGroup};
use hearth_domain::{OrganisationId, PatientId, PractitionerId};
use sqlx::any::AnyRow;

use crate::register::visibility;
use crate::rows::{
    code, date, flag, integer, millis, optional_integer, optional_text, text, timestamp,
};
use crate::{StoreError, Tx};

/// What to look for in a patient list. Only patients visible through one of `organisations`
/// are ever returned (see `register::visibility`): the list is already restricted to what the
/// actor may see.
#[derive(Debug, Clone)]
pub struct PatientQuery<'a> {
    pub identifier_system: &'a str,
    /// The reader: they see patients whose care team they are in, in person or through the
    /// organisation they act for (`organisation`), as `register::visibility` says.
    pub practitioner: &'a PractitionerId,
    pub organisation: Option<&'a OrganisationId>,
    /// Lower-case prefix of "family given".
    pub name_prefix: Option<String>,
    /// Exact national number, canonical form.
    pub national_number: Option<String>,
    /// Exact date of birth.
    pub date_of_birth: Option<jiff::civil::Date>,
    /// Only patients on the register (an active entry), or everyone visible.
    pub registered_only: bool,
    /// Only patients whose care involves this organisation.
    pub involving: Option<OrganisationId>,
    pub diagnosis_group: Option<DiagnosisGroup>,
    pub consent: Option<ConsentDecision>,
    pub coordinator: CoordinatorFilter,
    /// Only patients on the register who are (`Some(true)`) or are not (`Some(false)`) ready
    /// for out of hours.
    pub ready: Option<bool>,
    pub sort: PatientSort,
    pub limit: u32,
    pub offset: u32,
}

impl<'a> PatientQuery<'a> {
    /// Everyone `practitioner` acting for `organisation` may see, registered or not, by name,
    /// first 50.
    pub fn visible_to(
        identifier_system: &'a str,
        practitioner: &'a PractitionerId,
        organisation: Option<&'a OrganisationId>,
    ) -> Self {
        Self {
            identifier_system,
            practitioner,
            organisation,
            name_prefix: None,
            national_number: None,
            date_of_birth: None,
            registered_only: false,
            involving: None,
            diagnosis_group: None,
            consent: None,
            coordinator: CoordinatorFilter::Any,
            ready: None,
            sort: PatientSort::Name,
            limit: 50,
            offset: 0,
        }
    }
}

/// Filtering a patient list by coordinator.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CoordinatorFilter {
    #[default]
    Any,
    /// Patients whose care team has no active coordinator: none named, the coordinator left
    /// the team, or their account is disabled.
    NoActiveCoordinator,
    /// Patients coordinated by this practitioner.
    CoordinatedBy(PractitionerId),
}

/// The order of a patient list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PatientSort {
    /// Family name, then given name.
    #[default]
    Name,
    /// Most recently identified for the register first.
    RecentlyIdentified,
}

/// A patient list row: `id` and demographics, the national number, the active register entry's
/// group, consent and date when there is one, and the coordinator's name.
pub(crate) fn summary_from_row(row: &AnyRow) -> Result<PatientSummary, StoreError> {
    Ok(PatientSummary {
        id: PatientId::new(text(row, "id")?),
        national_number: text(row, "national_number")?,
        given_name: text(row, "given_name")?,
        family_name: text(row, "family_name")?,
        date_of_birth: date(row, "date_of_birth")?,
        sex: code(row, "sex", Sex::from_code)?,
        main_diagnosis: optional_text(row, "main_diagnosis")?,
        town: text(row, "town")?,
        rural: flag(row, "rural")?,
        register: match optional_text(row, "diagnosis_group")? {
            None => None,
            Some(group) => Some(RegisterSummary {
                diagnosis_group: DiagnosisGroup::from_code(&group).ok_or_else(|| {
                    StoreError::Corrupt(format!("diagnosis_group holds '{group}'"))
                })?,
                consent: code(row, "consent", ConsentDecision::from_code)?,
                identified_on: date(row, "identified_on")?,
                out_of_hours_missing: hearth_domain::care_plan::missing_from_codes(
                    optional_text(row, "plan_missing")?.as_deref(),
                    optional_text(row, "coordinator_name")?.is_some(),
                ),
            }),
        },
        coordinator: optional_text(row, "coordinator_name")?,
    })
}

/// A patient from a row of `PATIENT_COLUMNS` with `national_number`, holding the identifier of
/// `identifier_system`, involving `organisations`.
pub(crate) fn patient_from_row(
    row: &AnyRow,
    identifier_system: &str,
    organisations: Vec<OrganisationId>,
) -> Result<Patient, StoreError> {
    let travel = optional_integer(row, "travel_minutes_to_hospital")?;
    Ok(Patient {
        id: PatientId::new(text(row, "id")?),
        national_number: Identifier {
            system: identifier_system.to_owned(),
            value: text(row, "national_number")?,
        },
        given_name: text(row, "given_name")?,
        family_name: text(row, "family_name")?,
        date_of_birth: date(row, "date_of_birth")?,
        sex: code(row, "sex", Sex::from_code)?,
        main_diagnosis: optional_text(row, "main_diagnosis")?,
        address: Address {
            line: text(row, "address_line")?,
            town: text(row, "town")?,
            postcode: optional_text(row, "postcode")?,
        },
        area: optional_text(row, "area")?,
        rural: flag(row, "rural")?,
        travel_minutes_to_hospital: travel.and_then(|m| u16::try_from(m).ok()),
        organisations,
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
        version: integer(row, "version")?,
    })
}

pub(crate) const PATIENT_COLUMNS: &str = "id, given_name, family_name, search_name, date_of_birth, sex, main_diagnosis, \
     address_line, town, postcode, area, rural, travel_minutes_to_hospital, created_at, updated_at, version";

impl Tx {
    /// Replaces a patient's details, provided they are still at `expected_version`: false (and
    /// nothing changed) when a colleague changed them since. The version rises by one; the
    /// national number of the patient's system and the organisations involved are replaced too.
    pub async fn update_patient(
        &mut self,
        p: &Patient,
        expected_version: i64,
    ) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "UPDATE patients SET given_name = $1, family_name = $2, search_name = $3, \
             date_of_birth = $4, sex = $5, main_diagnosis = $6, address_line = $7, town = $8, \
             postcode = $9, area = $10, rural = $11, travel_minutes_to_hospital = $12, \
             updated_at = $13, version = $14 WHERE id = $15 AND version = $16",
        )
        .bind(&p.given_name)
        .bind(&p.family_name)
        .bind(hearth_domain::patient::search_name(
            &p.family_name,
            &p.given_name,
        ))
        .bind(p.date_of_birth.to_string())
        .bind(p.sex.code())
        .bind(p.main_diagnosis.as_deref())
        .bind(&p.address.line)
        .bind(&p.address.town)
        .bind(p.address.postcode.as_deref())
        .bind(p.area.as_deref())
        .bind(p.rural)
        .bind(p.travel_minutes_to_hospital.map(i64::from))
        .bind(millis(p.updated_at))
        .bind(expected_version + 1)
        .bind(p.id.as_str())
        .bind(expected_version)
        .execute(&mut *self.inner)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE patient_identifiers SET value = $1 WHERE patient_id = $2 AND system = $3",
        )
        .bind(&p.national_number.value)
        .bind(p.id.as_str())
        .bind(&p.national_number.system)
        .execute(&mut *self.inner)
        .await
        .map_err(StoreError::on_duplicate(
            "a patient with this national number",
        ))?;
        sqlx::query("DELETE FROM patient_organisations WHERE patient_id = $1")
            .bind(p.id.as_str())
            .execute(&mut *self.inner)
            .await?;
        for organisation in &p.organisations {
            sqlx::query(
                "INSERT INTO patient_organisations (patient_id, organisation_id) VALUES ($1, $2)",
            )
            .bind(p.id.as_str())
            .bind(organisation.as_str())
            .execute(&mut *self.inner)
            .await?;
        }
        self.touch_register_list(&p.id);
        Ok(true)
    }

    /// The patient a referral, task or stay belongs to, if it exists.
    pub async fn patient_of_record(
        &mut self,
        kind: RecordKind,
        id: &str,
    ) -> Result<Option<PatientId>, StoreError> {
        let sql = match kind {
            RecordKind::Referral => "SELECT patient_id FROM referrals WHERE id = $1",
            RecordKind::Task => "SELECT patient_id FROM tasks WHERE id = $1",
            RecordKind::Stay => "SELECT patient_id FROM stays WHERE id = $1",
            RecordKind::Message => "SELECT patient_id FROM messages WHERE id = $1",
            RecordKind::TalkRequest => "SELECT patient_id FROM talk_requests WHERE id = $1",
            RecordKind::Discharge => "SELECT patient_id FROM discharges WHERE id = $1",
            RecordKind::AdviceCall => {
                "SELECT patient_id FROM advice_calls WHERE id = $1 AND patient_id IS NOT NULL"
            }
        };
        sqlx::query(sql)
            .bind(id)
            .fetch_optional(&mut *self.inner)
            .await?
            .map(|row| text(&row, "patient_id").map(PatientId::new))
            .transpose()
    }

    /// The id of every patient, in id order (for a whole export).
    pub async fn all_patient_ids(&mut self) -> Result<Vec<PatientId>, StoreError> {
        sqlx::query("SELECT id FROM patients ORDER BY id")
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(|row| text(row, "id").map(PatientId::new))
            .collect()
    }

    /// Stores a new patient with their national number and involved organisations.
    pub async fn insert_patient(&mut self, p: &Patient) -> Result<(), StoreError> {
        self.insert_patients_bulk(std::slice::from_ref(p)).await
    }

    /// The patient with this id and the national number of `identifier_system`.
    pub async fn patient(
        &mut self,
        id: &PatientId,
        identifier_system: &str,
    ) -> Result<Option<Patient>, StoreError> {
        let sql = format!(
            "SELECT {PATIENT_COLUMNS}, i.value AS national_number FROM patients p \
             JOIN patient_identifiers i ON i.patient_id = p.id AND i.system = $2 WHERE p.id = $1"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(id.as_str())
            .bind(identifier_system)
            .fetch_optional(&mut *self.inner)
            .await?
        else {
            return Ok(None);
        };
        let organisations = sqlx::query(
            "SELECT organisation_id FROM patient_organisations WHERE patient_id = $1 ORDER BY organisation_id",
        )
        .bind(id.as_str())
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(|r| text(r, "organisation_id").map(OrganisationId::new))
        .collect::<Result<Vec<_>, _>>()?;
        patient_from_row(&row, identifier_system, organisations).map(Some)
    }

    /// The id of the patient holding this identifier, if any.
    pub async fn patient_id_by_identifier(
        &mut self,
        system: &str,
        value: &str,
    ) -> Result<Option<PatientId>, StoreError> {
        let row = sqlx::query(
            "SELECT patient_id FROM patient_identifiers WHERE system = $1 AND value = $2",
        )
        .bind(system)
        .bind(value)
        .fetch_optional(&mut *self.inner)
        .await?;
        row.map(|r| text(&r, "patient_id").map(PatientId::new))
            .transpose()
    }

    /// One page of patients matching `q`, and whether more follow.
    pub async fn search_patients(
        &mut self,
        q: &PatientQuery<'_>,
    ) -> Result<(Vec<PatientSummary>, bool), StoreError> {
        if q.registered_only {
            return self.search_register_list(q).await;
        }
        // Everyone visible, registered or not, driven by the patients' name index so that the
        // first page reads a few hundred rows rather than sorting them all.
        let (from, patient, name) = (
            "patients p LEFT JOIN register_entries r ON r.patient_id = p.id AND r.status = 'active' WHERE 1 = 1",
            "p.id",
            "p.search_name",
        );
        let mut sql = format!(
            "SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.sex, p.main_diagnosis, p.town, \
             p.rural, (SELECT i.value FROM patient_identifiers i WHERE i.patient_id = p.id AND i.system = $1) \
             AS national_number, r.diagnosis_group, r.consent, r.identified_on, \
             (SELECT cp.missing FROM care_plans cp WHERE cp.patient_id = p.id) AS plan_missing, \
             (SELECT cp.given_name || ' ' || cp.family_name FROM care_team_members c \
              JOIN practitioners cp ON cp.id = c.practitioner_id \
              WHERE c.patient_id = p.id AND c.coordinator AND c.ended_on IS NULL \
              AND NOT EXISTS (SELECT 1 FROM users cu WHERE cu.practitioner_id = cp.id AND cu.status = 'disabled')) \
             AS coordinator_name FROM {from} AND {}",
            visibility(patient, 2, 3)
        );
        let mut next = 4;
        let mut text_params: Vec<String> = Vec::new();
        let mut param = |sql: &mut String, clause: &str, value: String| {
            sql.push_str(&clause.replace("$?", &format!("${next}")));
            next += 1;
            text_params.push(value);
        };
        if let Some(prefix) = &q.name_prefix {
            // Every name starting with the prefix sorts between the prefix itself and the prefix
            // followed by the highest code point (the column sorts by code point on both backends).
            param(&mut sql, &format!(" AND {name} >= $?"), prefix.clone());
            param(
                &mut sql,
                &format!(" AND {name} < $?"),
                format!("{prefix}\u{10FFFF}"),
            );
        }
        if let Some(number) = &q.national_number {
            let clause = format!(
                " AND {patient} IN (SELECT n.patient_id FROM patient_identifiers n WHERE n.system = $1 AND n.value = $?)"
            );
            param(&mut sql, &clause, number.clone());
        }
        if let Some(born) = q.date_of_birth {
            param(&mut sql, " AND p.date_of_birth = $?", born.to_string());
        }
        if let Some(org) = &q.involving {
            let clause = format!(
                " AND EXISTS (SELECT 1 FROM patient_organisations pi WHERE pi.patient_id = {patient} \
                 AND pi.organisation_id = $?)"
            );
            param(&mut sql, &clause, org.to_string());
        }
        if let Some(group) = q.diagnosis_group {
            param(
                &mut sql,
                " AND r.diagnosis_group = $?",
                group.code().to_owned(),
            );
        }
        if let Some(consent) = q.consent {
            param(&mut sql, " AND r.consent = $?", consent.code().to_owned());
        }
        // An active coordinator: a current member flagged as coordinator whose account, if
        // they have one, is not disabled. (`c.coordinator` is a boolean on PostgreSQL and 0/1
        // on SQLite; both read it as a condition.)
        let active_coordinator = format!(
            "SELECT 1 FROM care_team_members c WHERE c.patient_id = {patient} AND c.coordinator \
             AND c.ended_on IS NULL AND NOT EXISTS (SELECT 1 FROM users cu \
             WHERE cu.practitioner_id = c.practitioner_id AND cu.status = 'disabled')"
        );
        match &q.coordinator {
            CoordinatorFilter::Any => {}
            CoordinatorFilter::NoActiveCoordinator => {
                sql.push_str(&format!(" AND NOT EXISTS ({active_coordinator})"));
            }
            CoordinatorFilter::CoordinatedBy(practitioner) => {
                let clause =
                    format!(" AND EXISTS ({active_coordinator} AND c.practitioner_id = $?)");
                param(&mut sql, &clause, practitioner.to_string());
            }
        }
        let order = match q.sort {
            PatientSort::Name => format!("{name}, {patient}"),
            PatientSort::RecentlyIdentified => format!("r.identified_on DESC, {name}, {patient}"),
        };
        sql.push_str(&format!(
            " ORDER BY {order} LIMIT ${} OFFSET ${}",
            next,
            next + 1
        ));

        let mut query = sqlx::query(&sql)
            .bind(q.identifier_system)
            .bind(q.practitioner.as_str())
            .bind(q.organisation.map_or("", |o| o.as_str()));
        for value in text_params {
            query = query.bind(value);
        }
        query = query.bind(i64::from(q.limit) + 1).bind(i64::from(q.offset));
        let mut rows: Vec<PatientSummary> = query
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(summary_from_row)
            .collect::<Result<_, _>>()?;
        let more = rows.len() > q.limit as usize;
        rows.truncate(q.limit as usize);
        Ok((rows, more))
    }
}

/// Records of a patient that have ids of their own, for finding whose record one is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Referral,
    Task,
    Stay,
    Message,
    TalkRequest,
    Discharge,
    AdviceCall,
}

impl Tx {
    /// Keeps `p` as a superseded version (called by an update, with the version it replaces).
    pub async fn insert_patient_version(&mut self, p: &Patient) -> Result<(), StoreError> {
        let body = serde_json::to_string(p).map_err(|e| {
            StoreError::Corrupt(format!(
                "a patient's earlier version cannot be written: {e}"
            ))
        })?;
        sqlx::query(
            "INSERT INTO patient_versions (patient_id, version, updated_at, body) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(p.id.as_str())
        .bind(p.version)
        .bind(millis(p.updated_at))
        .bind(body)
        .execute(&mut *self.inner)
        .await
        .map_err(StoreError::on_duplicate("this version of the patient"))?;
        Ok(())
    }

    /// The superseded versions of a patient's details, newest first.
    pub async fn patient_versions(&mut self, id: &PatientId) -> Result<Vec<Patient>, StoreError> {
        sqlx::query("SELECT body FROM patient_versions WHERE patient_id = $1 ORDER BY version DESC")
            .bind(id.as_str())
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(|row| {
                serde_json::from_str(&text(row, "body")?).map_err(|e| {
                    StoreError::Corrupt(format!("a patient's earlier version cannot be read: {e}"))
                })
            })
            .collect()
    }
}
