//! The `care_team_members` and `coordinator_handovers` tables.

use hearth_domain::care_team::{
    CareTeamMember, CareTeamRole, Handover, HandoverState, Member, Responsibility,
};
use hearth_domain::register::{join_codes, split_codes};
use hearth_domain::{OrganisationId, PatientId, PractitionerId};
use jiff::Timestamp;
use sqlx::any::AnyRow;

use crate::rows::{
    code, date, flag, integer, millis, optional_text, optional_timestamp, text, timestamp,
};
use crate::{StoreError, Tx};

pub(crate) const MEMBER_COLUMNS: &str = "id, patient_id, practitioner_id, organisation_id, role, responsibilities, coordinator, \
     started_on, ended_on, created_at, updated_at, version";

pub(crate) fn member_from_row(row: &AnyRow) -> Result<CareTeamMember, StoreError> {
    let member = match (
        optional_text(row, "practitioner_id")?,
        optional_text(row, "organisation_id")?,
    ) {
        (Some(practitioner), None) => Member::Practitioner(PractitionerId::new(practitioner)),
        (None, Some(organisation)) => Member::Service(OrganisationId::new(organisation)),
        _ => {
            return Err(StoreError::Corrupt(
                "a care team member is neither a person nor a service".to_owned(),
            ));
        }
    };
    let responsibilities = text(row, "responsibilities")?;
    Ok(CareTeamMember {
        id: text(row, "id")?,
        patient_id: PatientId::new(text(row, "patient_id")?),
        member,
        role: code(row, "role", CareTeamRole::from_code)?,
        responsibilities: split_codes(&responsibilities, Responsibility::from_code).ok_or_else(
            || StoreError::Corrupt(format!("responsibilities holds '{responsibilities}'")),
        )?,
        coordinator: flag(row, "coordinator")?,
        started_on: date(row, "started_on")?,
        ended_on: match optional_text(row, "ended_on")? {
            None => None,
            Some(on) => Some(
                on.parse()
                    .map_err(|_| StoreError::Corrupt(format!("ended_on holds '{on}'")))?,
            ),
        },
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
        version: integer(row, "version")?,
    })
}

fn handover_from_row(row: &AnyRow) -> Result<Handover, StoreError> {
    Ok(Handover {
        id: text(row, "id")?,
        patient_id: PatientId::new(text(row, "patient_id")?),
        from_member: optional_text(row, "from_member")?,
        to_member: text(row, "to_member")?,
        proposed_by: PractitionerId::new(text(row, "proposed_by")?),
        proposed_at: timestamp(row, "proposed_at")?,
        state: code(row, "state", HandoverState::from_code)?,
        decided_at: optional_timestamp(row, "decided_at")?,
    })
}

impl Tx {
    /// Every member the patient's care team has had, current ones first, then by start date.
    pub async fn care_team(
        &mut self,
        patient: &PatientId,
    ) -> Result<Vec<CareTeamMember>, StoreError> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM care_team_members WHERE patient_id = $1 \
             ORDER BY CASE WHEN ended_on IS NULL THEN 0 ELSE 1 END, coordinator DESC, started_on, id"
        );
        sqlx::query(&sql)
            .bind(patient.as_str())
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(member_from_row)
            .collect()
    }

    /// Stores new members (one, or a demo region's worth).
    pub async fn insert_care_team_members(
        &mut self,
        members: &[CareTeamMember],
    ) -> Result<(), StoreError> {
        for m in members {
            self.touch_register_list(&m.patient_id);
        }
        for chunk in members.chunks(crate::bulk::ROWS_PER_STATEMENT) {
            let values = crate::bulk::values_clause(self.backend, chunk.len(), 12);
            let sql = format!("INSERT INTO care_team_members ({MEMBER_COLUMNS}) VALUES {values}");
            let mut query = sqlx::query(&sql);
            for m in chunk {
                let (practitioner, organisation) = match &m.member {
                    Member::Practitioner(id) => (Some(id.as_str()), None),
                    Member::Service(id) => (None, Some(id.as_str())),
                };
                query = query
                    .bind(&m.id)
                    .bind(m.patient_id.as_str())
                    .bind(practitioner)
                    .bind(organisation)
                    .bind(m.role.code())
                    .bind(join_codes(&m.responsibilities, Responsibility::code))
                    .bind(m.coordinator)
                    .bind(m.started_on.to_string())
                    .bind(m.ended_on.map(|d| d.to_string()))
                    .bind(millis(m.created_at))
                    .bind(millis(m.updated_at))
                    .bind(m.version);
            }
            query
                .execute(&mut *self.inner)
                .await
                .map_err(StoreError::on_duplicate("a coordinator for this patient"))?;
        }
        Ok(())
    }

    /// Saves a changed member (role, responsibilities, end date, coordinator flag), provided
    /// nobody else changed it since `m.version - 1`.
    pub async fn update_care_team_member(&mut self, m: &CareTeamMember) -> Result<(), StoreError> {
        self.touch_register_list(&m.patient_id);
        let result = sqlx::query(
            "UPDATE care_team_members SET role = $1, responsibilities = $2, coordinator = $3, ended_on = $4, \
             updated_at = $5, version = $6 WHERE id = $7 AND version = $8",
        )
        .bind(m.role.code())
        .bind(join_codes(&m.responsibilities, Responsibility::code))
        .bind(m.coordinator)
        .bind(m.ended_on.map(|d| d.to_string()))
        .bind(millis(m.updated_at))
        .bind(m.version)
        .bind(&m.id)
        .bind(m.version - 1)
        .execute(&mut *self.inner)
        .await
        .map_err(StoreError::on_duplicate("a coordinator for this patient"))?;
        if result.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                what: "care team member",
            });
        }
        Ok(())
    }

    /// The handover waiting for acceptance, if any.
    pub async fn open_handover(
        &mut self,
        patient: &PatientId,
    ) -> Result<Option<Handover>, StoreError> {
        sqlx::query(
            "SELECT id, patient_id, from_member, to_member, proposed_by, proposed_at, state, decided_at \
             FROM coordinator_handovers WHERE patient_id = $1 AND state = 'proposed'",
        )
        .bind(patient.as_str())
        .fetch_optional(&mut *self.inner)
        .await?
        .as_ref()
        .map(handover_from_row)
        .transpose()
    }

    pub async fn insert_handover(&mut self, h: &Handover) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO coordinator_handovers (id, patient_id, from_member, to_member, proposed_by, proposed_at, \
             state, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&h.id)
        .bind(h.patient_id.as_str())
        .bind(h.from_member.as_deref())
        .bind(&h.to_member)
        .bind(h.proposed_by.as_str())
        .bind(millis(h.proposed_at))
        .bind(h.state.code())
        .bind(h.decided_at.map(millis))
        .execute(&mut *self.inner)
        .await
        .map_err(StoreError::on_duplicate("a coordinator handover waiting for acceptance"))?;
        Ok(())
    }

    /// Closes a proposed handover as accepted or declined. Refused (as a conflict) when it is no
    /// longer waiting, so that two people deciding at once cannot both succeed.
    pub async fn decide_handover(
        &mut self,
        id: &str,
        state: HandoverState,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let result = sqlx::query(
            "UPDATE coordinator_handovers SET state = $1, decided_at = $2 WHERE id = $3 AND state = 'proposed'",
        )
        .bind(state.code())
        .bind(millis(at))
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                what: "coordinator handover",
            });
        }
        Ok(())
    }
}
