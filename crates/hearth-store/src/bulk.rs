//! Bulk loading of patients, for the demo region and benchmarks: many rows per statement and
//! one transaction per batch, which is what makes a million patients take seconds, not hours.

use hearth_domain::patient::{Patient, search_name};

use crate::rows::{millis, placeholders};
use crate::{Backend, StoreError, Tx};

/// Rows per INSERT statement: well under both backends' limits on bound parameters
/// (SQLite 32,766; PostgreSQL 65,535) for the widest table (20 columns).
pub(crate) const ROWS_PER_STATEMENT: usize = 400;

impl Tx {
    /// Inserts patients, their national numbers and involved organisations with multi-row
    /// INSERT statements.
    pub async fn insert_patients_bulk(&mut self, patients: &[Patient]) -> Result<(), StoreError> {
        for p in patients {
            self.touch_register_list(&p.id);
        }
        for chunk in patients.chunks(ROWS_PER_STATEMENT) {
            self.insert_patient_rows(chunk).await?;
            self.insert_identifier_rows(chunk).await?;
            self.insert_involvement_rows(chunk).await?;
        }
        Ok(())
    }

    async fn insert_patient_rows(&mut self, chunk: &[Patient]) -> Result<(), StoreError> {
        let values = values_clause(self.backend, chunk.len(), 16);
        let sql = format!(
            "INSERT INTO patients (id, given_name, family_name, search_name, date_of_birth, sex, main_diagnosis, \
             address_line, town, postcode, area, rural, travel_minutes_to_hospital, created_at, updated_at, version) VALUES {values}"
        );
        let mut query = sqlx::query(&sql);
        for p in chunk {
            query = query
                .bind(p.id.as_str())
                .bind(&p.given_name)
                .bind(&p.family_name)
                .bind(search_name(&p.family_name, &p.given_name))
                .bind(p.date_of_birth.to_string())
                .bind(p.sex.code())
                .bind(p.main_diagnosis.as_deref())
                .bind(&p.address.line)
                .bind(&p.address.town)
                .bind(p.address.postcode.as_deref())
                .bind(p.area.as_deref())
                .bind(p.rural)
                .bind(p.travel_minutes_to_hospital.map(i64::from))
                .bind(millis(p.created_at))
                .bind(millis(p.updated_at))
                .bind(p.version);
        }
        query
            .execute(&mut *self.inner)
            .await
            .map_err(StoreError::on_duplicate("a patient with this id"))?;
        Ok(())
    }

    async fn insert_identifier_rows(&mut self, chunk: &[Patient]) -> Result<(), StoreError> {
        let values = values_clause(self.backend, chunk.len(), 3);
        let sql =
            format!("INSERT INTO patient_identifiers (system, value, patient_id) VALUES {values}");
        let mut query = sqlx::query(&sql);
        for p in chunk {
            query = query
                .bind(&p.national_number.system)
                .bind(&p.national_number.value)
                .bind(p.id.as_str());
        }
        query
            .execute(&mut *self.inner)
            .await
            .map_err(StoreError::on_duplicate(
                "a patient with this national number",
            ))?;
        Ok(())
    }

    async fn insert_involvement_rows(&mut self, chunk: &[Patient]) -> Result<(), StoreError> {
        let pairs: Vec<(&str, &str)> = chunk
            .iter()
            .flat_map(|p| {
                p.organisations
                    .iter()
                    .map(move |o| (p.id.as_str(), o.as_str()))
            })
            .collect();
        for pairs in pairs.chunks(ROWS_PER_STATEMENT * 4) {
            let values = values_clause(self.backend, pairs.len(), 2);
            let sql = format!(
                "INSERT INTO patient_organisations (patient_id, organisation_id) VALUES {values}"
            );
            let mut query = sqlx::query(&sql);
            for (patient, organisation) in pairs {
                query = query.bind(*patient).bind(*organisation);
            }
            query.execute(&mut *self.inner).await?;
        }
        Ok(())
    }
}

/// `($1, $2, …), ($n+1, …), …` for `rows` rows of `columns` columns.
///
/// SQLite gets anonymous `?` placeholders instead: its driver looks up each numbered parameter's
/// name with `sqlite3_bind_parameter_name`, which walks a list of every name in the statement, so
/// binding thousands of `$n` parameters costs time quadratic in their number (two thirds of the
/// demo generator's time before this change).
/// `$first, …` for a list of `count` values bound from `$first` on; on SQLite, `?, …` (see
/// `values_clause` for why), so the statement must bind nothing else.
pub(crate) fn list_placeholders(backend: Backend, first: usize, count: usize) -> String {
    match backend {
        Backend::Sqlite => vec!["?"; count].join(", "),
        Backend::Postgres => placeholders(first, count),
    }
}

pub(crate) fn values_clause(backend: Backend, rows: usize, columns: usize) -> String {
    let row = |n: usize| match backend {
        Backend::Sqlite => format!("({})", vec!["?"; columns].join(", ")),
        Backend::Postgres => format!("({})", placeholders(n * columns + 1, columns)),
    };
    (0..rows).map(row).collect::<Vec<_>>().join(", ")
}
