//! The `patients`, `patient_identifiers` and `patient_organisations` tables.

use hearth_domain::patient::{Address, Identifier, Patient, PatientSummary, Sex};
use hearth_domain::{OrganisationId, PatientId};
use sqlx::any::AnyRow;

use crate::rows::{
    code, date, flag, integer, optional_integer, optional_text, placeholders, text, timestamp,
};
use crate::{StoreError, Tx};

/// What to look for in a patient list. Only patients involved with one of `organisations` are
/// ever returned: the list is already restricted to what the actor may see.
#[derive(Debug, Clone)]
pub struct PatientQuery<'a> {
    pub identifier_system: &'a str,
    pub organisations: &'a [OrganisationId],
    /// Lower-case prefix of "family given".
    pub name_prefix: Option<String>,
    /// Exact national number, canonical form.
    pub national_number: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

fn summary_from_row(row: &AnyRow) -> Result<PatientSummary, StoreError> {
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
    })
}

const PATIENT_COLUMNS: &str = "id, given_name, family_name, search_name, date_of_birth, sex, main_diagnosis, \
     address_line, town, postcode, area, rural, travel_minutes_to_hospital, created_at, updated_at, version";

impl Tx {
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
        let travel = optional_integer(&row, "travel_minutes_to_hospital")?;
        Ok(Some(Patient {
            id: PatientId::new(text(&row, "id")?),
            national_number: Identifier {
                system: identifier_system.to_owned(),
                value: text(&row, "national_number")?,
            },
            given_name: text(&row, "given_name")?,
            family_name: text(&row, "family_name")?,
            date_of_birth: date(&row, "date_of_birth")?,
            sex: code(&row, "sex", Sex::from_code)?,
            main_diagnosis: optional_text(&row, "main_diagnosis")?,
            address: Address {
                line: text(&row, "address_line")?,
                town: text(&row, "town")?,
                postcode: optional_text(&row, "postcode")?,
            },
            area: optional_text(&row, "area")?,
            rural: flag(&row, "rural")?,
            travel_minutes_to_hospital: travel.and_then(|m| u16::try_from(m).ok()),
            organisations,
            created_at: timestamp(&row, "created_at")?,
            updated_at: timestamp(&row, "updated_at")?,
            version: integer(&row, "version")?,
        }))
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

    /// Whether any of `organisations` is involved in the patient's care.
    pub async fn patient_involves_any(
        &mut self,
        patient: &PatientId,
        organisations: &[OrganisationId],
    ) -> Result<bool, StoreError> {
        if organisations.is_empty() {
            return Ok(false);
        }
        let sql = format!(
            "SELECT 1 AS hit FROM patient_organisations WHERE patient_id = $1 AND organisation_id IN ({}) LIMIT 1",
            placeholders(2, organisations.len())
        );
        let mut query = sqlx::query(&sql).bind(patient.as_str());
        for org in organisations {
            query = query.bind(org.as_str());
        }
        Ok(query.fetch_optional(&mut *self.inner).await?.is_some())
    }

    /// One page of patients matching `q`, ordered by name, and whether more follow.
    pub async fn search_patients(
        &mut self,
        q: &PatientQuery<'_>,
    ) -> Result<(Vec<PatientSummary>, bool), StoreError> {
        if q.organisations.is_empty() {
            return Ok((Vec::new(), false));
        }
        let mut sql = String::from(
            "SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.sex, p.main_diagnosis, p.town, p.rural, \
             i.value AS national_number FROM patients p \
             JOIN patient_identifiers i ON i.patient_id = p.id AND i.system = $1 WHERE ",
        );
        let mut next = 2;
        let orgs = placeholders(next, q.organisations.len());
        next += q.organisations.len();
        sql.push_str(&format!(
            "EXISTS (SELECT 1 FROM patient_organisations po WHERE po.patient_id = p.id \
             AND po.organisation_id IN ({orgs}))"
        ));
        if q.name_prefix.is_some() {
            sql.push_str(&format!(
                " AND p.search_name >= ${} AND p.search_name < ${}",
                next,
                next + 1
            ));
            next += 2;
        }
        if q.national_number.is_some() {
            sql.push_str(&format!(" AND i.value = ${next}"));
            next += 1;
        }
        sql.push_str(&format!(
            " ORDER BY p.search_name, p.id LIMIT ${} OFFSET ${}",
            next,
            next + 1
        ));

        let mut query = sqlx::query(&sql).bind(q.identifier_system);
        for org in q.organisations {
            query = query.bind(org.as_str());
        }
        if let Some(prefix) = &q.name_prefix {
            // Every name starting with the prefix sorts between the prefix itself and the prefix
            // followed by the highest code point (the column sorts by code point on both backends).
            query = query
                .bind(prefix.clone())
                .bind(format!("{prefix}\u{10FFFF}"));
        }
        if let Some(number) = &q.national_number {
            query = query.bind(number.clone());
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
