//! What the access rule needs to know (care-team membership, the register entry's consent, an
//! open emergency access), emergency access itself, and in-app notices.

use hearth_domain::access::{AccessFacts, EmergencyReason, RegisterFacts};
use hearth_domain::register::ConsentDecision;
use hearth_domain::{OrganisationId, PatientId, PractitionerId, UserId};
use jiff::Timestamp;
use sqlx::any::AnyRow;

use crate::rows::{code, flag, millis, optional_text, optional_timestamp, text, timestamp};
use crate::{StoreError, Tx};

/// Who is asking, for [`Tx::access_facts`].
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    pub user: &'a UserId,
    pub practitioner: &'a PractitionerId,
    /// The organisation the reader acts for (`None` when they hold no role).
    pub organisation: Option<&'a OrganisationId>,
    pub clinical: bool,
}

/// One emergency access, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmergencyAccess {
    pub id: String,
    pub patient_id: PatientId,
    pub user_id: UserId,
    pub practitioner_id: PractitionerId,
    pub acting_organisation_id: Option<OrganisationId>,
    pub reason: EmergencyReason,
    pub detail: String,
    pub started_at: Timestamp,
    pub expires_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    /// `none`, or `due` until someone reviews a life-threatening override, then `done`.
    pub review: String,
}

/// One in-app notice for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: String,
    pub practitioner_id: PractitionerId,
    pub patient_id: Option<PatientId>,
    pub kind: String,
    pub text: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

/// The access facts' query, with `extra` columns (each starting with a comma) read from the same
/// row: `p` is the patient. Bind its parameters with [`bind_facts`].
pub(crate) fn facts_sql(extra: &str) -> String {
    // The members are found through the patient's index: `COALESCE` keeps SQLite, which plans
    // without statistics, from walking the practitioner's or organisation's index instead (a
    // GP is in a hundred thousand teams at a million patients; that plan took two seconds).
    format!(
        "SELECT \
         (SELECT COUNT(*) FROM care_team_members m WHERE m.patient_id = p.id \
          AND m.ended_on IS NULL AND COALESCE(m.practitioner_id, '') = $2) AS personal, \
         (SELECT COUNT(*) FROM care_team_members m WHERE m.patient_id = p.id \
          AND m.ended_on IS NULL AND COALESCE(m.organisation_id, '') = $3) AS service, \
         r.consent, r.organisation_id AS registered_by, o.name AS registered_by_name, \
         (SELECT MAX(e.expires_at) FROM emergency_access e WHERE e.user_id = $4 \
          AND e.patient_id = p.id AND e.ended_at IS NULL AND e.expires_at > $5) AS emergency_until\
         {extra} \
         FROM patients p \
         LEFT JOIN register_entries r ON r.patient_id = p.id AND r.status = 'active' \
         LEFT JOIN organisations o ON o.id = r.organisation_id \
         WHERE p.id = $1"
    )
}

/// Binds the parameters of [`facts_sql`].
pub(crate) fn bind_facts<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    patient: &PatientId,
    reader: Reader<'_>,
    now: Timestamp,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(patient.as_str().to_owned())
        .bind(reader.practitioner.as_str().to_owned())
        .bind(reader.organisation.map_or("", |o| o.as_str()).to_owned())
        .bind(reader.user.as_str().to_owned())
        .bind(millis(now))
}

/// The columns of [`facts_sql`], as read by either driver.
pub(crate) struct FactsColumns {
    pub(crate) personal: bool,
    pub(crate) service: bool,
    pub(crate) consent: Option<String>,
    pub(crate) registered_by: Option<String>,
    pub(crate) registered_by_name: Option<String>,
    /// Milliseconds since the epoch.
    pub(crate) emergency_until: Option<i64>,
}

impl FactsColumns {
    /// The access facts for `reader` these columns hold.
    pub(crate) fn facts(self, reader: Reader<'_>) -> Result<AccessFacts, StoreError> {
        let register = match (self.consent, self.registered_by) {
            (Some(consent), Some(registered_by)) => Some(RegisterFacts {
                consent: ConsentDecision::from_code(&consent).ok_or_else(|| {
                    StoreError::Corrupt(format!("consent holds an unknown code '{consent}'"))
                })?,
                registered_by: OrganisationId::new(registered_by),
                registered_by_name: self.registered_by_name.unwrap_or_default(),
            }),
            _ => None,
        };
        let emergency_until = self
            .emergency_until
            .map(|ms| {
                Timestamp::from_millisecond(ms).map_err(|e| {
                    StoreError::Corrupt(format!(
                        "an emergency access ends at an impossible time {ms}: {e}"
                    ))
                })
            })
            .transpose()?;
        Ok(AccessFacts {
            clinical: reader.clinical,
            acting_organisation: reader.organisation.cloned(),
            personal_member: self.personal,
            service_member: reader.organisation.is_some() && self.service,
            register,
            emergency_until,
        })
    }
}

/// The access facts in a row of [`facts_sql`].
pub(crate) fn facts_from_row(row: &AnyRow, reader: Reader<'_>) -> Result<AccessFacts, StoreError> {
    FactsColumns {
        personal: flag(row, "personal")?,
        service: flag(row, "service")?,
        consent: optional_text(row, "consent")?,
        registered_by: optional_text(row, "registered_by")?,
        registered_by_name: optional_text(row, "registered_by_name")?,
        emergency_until: crate::rows::optional_integer(row, "emergency_until")?,
    }
    .facts(reader)
}

const EMERGENCY_COLUMNS: &str = "id, patient_id, user_id, practitioner_id, acting_organisation_id, reason, detail, \
     started_at, expires_at, ended_at, review";

fn emergency_from_row(row: &AnyRow) -> Result<EmergencyAccess, StoreError> {
    Ok(EmergencyAccess {
        id: text(row, "id")?,
        patient_id: PatientId::new(text(row, "patient_id")?),
        user_id: UserId::new(text(row, "user_id")?),
        practitioner_id: PractitionerId::new(text(row, "practitioner_id")?),
        acting_organisation_id: optional_text(row, "acting_organisation_id")?
            .map(OrganisationId::new),
        reason: code(row, "reason", EmergencyReason::from_code)?,
        detail: text(row, "detail")?,
        started_at: timestamp(row, "started_at")?,
        expires_at: timestamp(row, "expires_at")?,
        ended_at: optional_timestamp(row, "ended_at")?,
        review: text(row, "review")?,
    })
}

impl Tx {
    /// The facts the access rule decides on, for `reader` and `patient` at `now`; `None` when
    /// there is no such patient. One query, served by the care team's and the emergency access
    /// table's indexes.
    pub async fn access_facts(
        &mut self,
        patient: &PatientId,
        reader: Reader<'_>,
        now: Timestamp,
    ) -> Result<Option<AccessFacts>, StoreError> {
        let sql = facts_sql("");
        let row = bind_facts(sqlx::query(&sql), patient, reader, now)
            .fetch_optional(&mut *self.inner)
            .await?;
        row.map(|row| facts_from_row(&row, reader)).transpose()
    }

    /// Stores a new emergency access.
    pub async fn insert_emergency_access(&mut self, e: &EmergencyAccess) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO emergency_access ({EMERGENCY_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(e.id.as_str())
        .bind(e.patient_id.as_str())
        .bind(e.user_id.as_str())
        .bind(e.practitioner_id.as_str())
        .bind(e.acting_organisation_id.as_ref().map(|o| o.to_string()))
        .bind(e.reason.code())
        .bind(e.detail.as_str())
        .bind(millis(e.started_at))
        .bind(millis(e.expires_at))
        .bind(e.ended_at.map(millis))
        .bind(e.review.as_str())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// The user's emergency access to the patient that is open at `now`, if any (the latest).
    pub async fn open_emergency_access(
        &mut self,
        user: &UserId,
        patient: &PatientId,
        now: Timestamp,
    ) -> Result<Option<EmergencyAccess>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {EMERGENCY_COLUMNS} FROM emergency_access WHERE user_id = $1 AND patient_id = $2 \
             AND ended_at IS NULL AND expires_at > $3 ORDER BY expires_at DESC LIMIT 1"
        ))
        .bind(user.as_str())
        .bind(patient.as_str())
        .bind(millis(now))
        .fetch_optional(&mut *self.inner)
        .await?;
        row.as_ref().map(emergency_from_row).transpose()
    }

    /// A patient's emergency accesses that overrode the register or consent rule and wait for
    /// review, oldest first.
    pub async fn emergency_reviews_due(
        &mut self,
        patient: &PatientId,
    ) -> Result<Vec<EmergencyAccess>, StoreError> {
        sqlx::query(&format!(
            "SELECT {EMERGENCY_COLUMNS} FROM emergency_access WHERE patient_id = $1 \
             AND review = 'due' ORDER BY started_at"
        ))
        .bind(patient.as_str())
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(emergency_from_row)
        .collect()
    }

    /// Records that an override was reviewed; false when it was not waiting for review.
    pub async fn mark_emergency_reviewed(
        &mut self,
        patient: &PatientId,
        id: &str,
        reviewer: &PractitionerId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE emergency_access SET review = 'done', reviewed_by = $3, reviewed_at = $4 \
             WHERE id = $1 AND patient_id = $2 AND review = 'due'",
        )
        .bind(id)
        .bind(patient.as_str())
        .bind(reviewer.as_str())
        .bind(millis(at))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Closes an emergency access before it expires.
    pub async fn end_emergency_access(
        &mut self,
        id: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE emergency_access SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL")
            .bind(id)
            .bind(millis(at))
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// The active coordinator of a patient (a current member flagged as coordinator).
    pub async fn coordinator_of(
        &mut self,
        patient: &PatientId,
    ) -> Result<Option<PractitionerId>, StoreError> {
        let row = sqlx::query(
            "SELECT practitioner_id FROM care_team_members WHERE patient_id = $1 \
             AND coordinator AND ended_on IS NULL",
        )
        .bind(patient.as_str())
        .fetch_optional(&mut *self.inner)
        .await?;
        row.map(|r| text(&r, "practitioner_id").map(PractitionerId::new))
            .transpose()
    }

    /// Stores a notice.
    pub async fn insert_notice(&mut self, n: &Notice) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO notices (id, practitioner_id, patient_id, kind, text, created_at, read_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(n.id.as_str())
        .bind(n.practitioner_id.as_str())
        .bind(n.patient_id.as_ref().map(|p| p.to_string()))
        .bind(n.kind.as_str())
        .bind(n.text.as_str())
        .bind(millis(n.created_at))
        .bind(n.read_at.map(millis))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// A person's notices, newest first, at most `limit`.
    pub async fn notices_of(
        &mut self,
        practitioner: &PractitionerId,
        limit: u32,
    ) -> Result<Vec<Notice>, StoreError> {
        sqlx::query(
            "SELECT id, practitioner_id, patient_id, kind, text, created_at, read_at FROM notices \
             WHERE practitioner_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(practitioner.as_str())
        .bind(i64::from(limit))
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(|row| {
            Ok(Notice {
                id: text(row, "id")?,
                practitioner_id: PractitionerId::new(text(row, "practitioner_id")?),
                patient_id: optional_text(row, "patient_id")?.map(PatientId::new),
                kind: text(row, "kind")?,
                text: text(row, "text")?,
                created_at: timestamp(row, "created_at")?,
                read_at: optional_timestamp(row, "read_at")?,
            })
        })
        .collect()
    }

    /// How many of a person's notices are unread.
    pub async fn unread_notices(
        &mut self,
        practitioner: &PractitionerId,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS unread FROM notices WHERE practitioner_id = $1 AND read_at IS NULL",
        )
        .bind(practitioner.as_str())
        .fetch_one(&mut *self.inner)
        .await?;
        crate::rows::integer(&row, "unread")
    }

    /// Marks a person's notice read; false when they have no such unread notice.
    pub async fn mark_notice_read(
        &mut self,
        practitioner: &PractitionerId,
        id: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE notices SET read_at = $3 WHERE id = $1 AND practitioner_id = $2 AND read_at IS NULL",
        )
        .bind(id)
        .bind(practitioner.as_str())
        .bind(millis(at))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
