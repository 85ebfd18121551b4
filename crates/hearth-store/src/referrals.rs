//! The referral tables: `referrals` (with every step's time and person) and `advice_calls`
//! (`hearth_domain::referral`, `hearth_domain::advice`).

use hearth_domain::advice::{AdviceCall, AdviceChannel, AdviceOutcome, CallerRole};
use hearth_domain::referral::{
    PatientAgreement, Referral, ReferralAsk, ReferralState, ReferralUrgency, TriagePriority,
};
use hearth_domain::{OrganisationId, PatientId, PractitionerId};
use jiff::Timestamp;
use sqlx::any::AnyRow;

use crate::rows::{
    code, flag, integer, millis, optional_text, optional_timestamp, text, timestamp,
};
use crate::{StoreError, Tx};

const REFERRAL_COLUMNS: &str = "r.id, r.patient_id, r.service_id, r.referred_by, r.referred_at, \
     r.reason, r.urgency, r.asks, r.patient_knows, r.agreement, r.evidence, r.suggestion_ids, \
     r.state, r.priority, r.triaged_at, r.triaged_by, r.accepted_at, r.accepted_by, \
     r.declined_at, r.declined_by, r.decline_advice, r.first_contact_at, r.first_contact_by, \
     r.discharged_at, r.discharged_by, r.withdrawn_at, r.withdrawn_by, r.withdrawal_reason, \
     r.version";

const ADVICE_COLUMNS: &str = "a.id, a.caller_name, a.caller_role, a.caller_organisation, \
     a.patient_id, a.patient_description, a.question, a.advice, a.outcome, a.channel, \
     a.logged_by, a.received_at, a.logged_at, a.out_of_hours, a.service_id";

/// A referral with its patient's name, for the service's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralLine {
    pub referral: Referral,
    pub patient_name: String,
}

fn person(row: &AnyRow, column: &str) -> Result<Option<PractitionerId>, StoreError> {
    Ok(optional_text(row, column)?.map(PractitionerId::new))
}

fn referral_from_row(row: &AnyRow) -> Result<Referral, StoreError> {
    let asks = text(row, "asks")?
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| {
            ReferralAsk::from_code(c)
                .ok_or_else(|| StoreError::Corrupt(format!("'{c}' is not a referral ask")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let evidence: Vec<String> = serde_json::from_str(&text(row, "evidence")?).map_err(|e| {
        StoreError::Corrupt(format!("a referral's evidence does not read back: {e}"))
    })?;
    let priority = match optional_text(row, "priority")? {
        None => None,
        Some(p) => Some(
            TriagePriority::from_code(&p)
                .ok_or_else(|| StoreError::Corrupt(format!("'{p}' is not a triage priority")))?,
        ),
    };
    Ok(Referral {
        id: text(row, "id")?,
        patient_id: PatientId::new(text(row, "patient_id")?),
        referred_by: PractitionerId::new(text(row, "referred_by")?),
        service: OrganisationId::new(text(row, "service_id")?),
        referred_at: timestamp(row, "referred_at")?,
        reason: text(row, "reason")?,
        urgency: code(row, "urgency", ReferralUrgency::from_code)?,
        asks,
        patient_knows: text(row, "patient_knows")?,
        agreement: code(row, "agreement", PatientAgreement::from_code)?,
        evidence,
        suggestion_ids: text(row, "suggestion_ids")?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        state: code(row, "state", ReferralState::from_code)?,
        triaged_at: optional_timestamp(row, "triaged_at")?,
        triaged_by: person(row, "triaged_by")?,
        priority,
        accepted_at: optional_timestamp(row, "accepted_at")?,
        accepted_by: person(row, "accepted_by")?,
        declined_at: optional_timestamp(row, "declined_at")?,
        declined_by: person(row, "declined_by")?,
        decline_advice: optional_text(row, "decline_advice")?,
        first_contact_at: optional_timestamp(row, "first_contact_at")?,
        first_contact_by: person(row, "first_contact_by")?,
        discharged_at: optional_timestamp(row, "discharged_at")?,
        discharged_by: person(row, "discharged_by")?,
        withdrawn_at: optional_timestamp(row, "withdrawn_at")?,
        withdrawn_by: person(row, "withdrawn_by")?,
        withdrawal_reason: optional_text(row, "withdrawal_reason")?,
        version: integer(row, "version")?,
    })
}

fn referral_line(row: &AnyRow) -> Result<ReferralLine, StoreError> {
    Ok(ReferralLine {
        referral: referral_from_row(row)?,
        patient_name: hearth_domain::patient::list_name(
            &text(row, "family_name")?,
            &text(row, "given_name")?,
        ),
    })
}

fn advice_from_row(row: &AnyRow) -> Result<AdviceCall, StoreError> {
    Ok(AdviceCall {
        id: text(row, "id")?,
        caller_name: text(row, "caller_name")?,
        caller_role: code(row, "caller_role", CallerRole::from_code)?,
        caller_organisation: optional_text(row, "caller_organisation")?,
        patient_id: optional_text(row, "patient_id")?.map(PatientId::new),
        patient_description: optional_text(row, "patient_description")?,
        question: text(row, "question")?,
        advice: text(row, "advice")?,
        outcome: code(row, "outcome", AdviceOutcome::from_code)?,
        channel: code(row, "channel", AdviceChannel::from_code)?,
        logged_by: PractitionerId::new(text(row, "logged_by")?),
        received_at: timestamp(row, "received_at")?,
        logged_at: timestamp(row, "logged_at")?,
        out_of_hours: flag(row, "out_of_hours")?,
        service: optional_text(row, "service_id")?.map(OrganisationId::new),
    })
}

fn codes<T>(values: &[T], code: impl Fn(&T) -> &str) -> String {
    values.iter().map(code).collect::<Vec<_>>().join(",")
}

impl Tx {
    /// Stores a referral, with the times of the steps it has been through; false when the
    /// patient has an open referral to the service already (nothing is written).
    pub async fn insert_referral(&mut self, r: &Referral) -> Result<bool, StoreError> {
        let evidence = serde_json::to_string(&r.evidence)
            .map_err(|e| StoreError::Corrupt(format!("evidence cannot be written: {e}")))?;
        let done = sqlx::query(
            "INSERT INTO referrals (id, patient_id, service_id, referred_by, referred_at, reason, \
             urgency, asks, patient_knows, agreement, evidence, suggestion_ids, state, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT DO NOTHING",
        )
        .bind(r.id.as_str())
        .bind(r.patient_id.as_str())
        .bind(r.service.as_str())
        .bind(r.referred_by.as_str())
        .bind(millis(r.referred_at))
        .bind(r.reason.as_str())
        .bind(r.urgency.code())
        .bind(codes(&r.asks, |a| a.code()))
        .bind(r.patient_knows.as_str())
        .bind(r.agreement.code())
        .bind(evidence)
        .bind(r.suggestion_ids.join(","))
        .bind(r.state.code())
        .bind(r.version)
        .execute(&mut *self.inner)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        // A referral stored after some steps (an import, the demo) keeps their times.
        if r.version > 1 {
            self.update_referral(r, r.version).await?;
        }
        Ok(true)
    }

    /// Writes a referral's workflow after a step, when it is still at `expected_version`;
    /// false when someone else stepped it first (nothing is written).
    pub async fn update_referral(
        &mut self,
        r: &Referral,
        expected_version: i64,
    ) -> Result<bool, StoreError> {
        let id = |p: &Option<PractitionerId>| p.as_ref().map(|p| p.to_string());
        let done = sqlx::query(
            "UPDATE referrals SET state = $3, priority = $4, triaged_at = $5, triaged_by = $6, \
             accepted_at = $7, accepted_by = $8, declined_at = $9, declined_by = $10, \
             decline_advice = $11, first_contact_at = $12, first_contact_by = $13, \
             discharged_at = $14, discharged_by = $15, withdrawn_at = $16, withdrawn_by = $17, \
             withdrawal_reason = $18, version = $19 WHERE id = $1 AND version = $2",
        )
        .bind(r.id.as_str())
        .bind(expected_version)
        .bind(r.state.code())
        .bind(r.priority.map(|p| p.code()))
        .bind(r.triaged_at.map(millis))
        .bind(id(&r.triaged_by))
        .bind(r.accepted_at.map(millis))
        .bind(id(&r.accepted_by))
        .bind(r.declined_at.map(millis))
        .bind(id(&r.declined_by))
        .bind(r.decline_advice.clone())
        .bind(r.first_contact_at.map(millis))
        .bind(id(&r.first_contact_by))
        .bind(r.discharged_at.map(millis))
        .bind(id(&r.discharged_by))
        .bind(r.withdrawn_at.map(millis))
        .bind(id(&r.withdrawn_by))
        .bind(r.withdrawal_reason.clone())
        .bind(r.version)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// One referral.
    pub async fn referral(&mut self, id: &str) -> Result<Option<Referral>, StoreError> {
        let sql = format!("SELECT {REFERRAL_COLUMNS} FROM referrals r WHERE r.id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *self.inner)
            .await?
            .as_ref()
            .map(referral_from_row)
            .transpose()
    }

    /// The patient's referrals, the newest first.
    pub async fn referrals_of(&mut self, patient: &PatientId) -> Result<Vec<Referral>, StoreError> {
        let sql = format!(
            "SELECT {REFERRAL_COLUMNS} FROM referrals r WHERE r.patient_id = $1 \
             ORDER BY r.referred_at DESC, r.id"
        );
        sqlx::query(&sql)
            .bind(patient.as_str())
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(referral_from_row)
            .collect()
    }

    /// The referrals to `services` that are open, or that were made since `from`; the oldest
    /// open first, so triage takes them in turn.
    pub async fn referrals_to(
        &mut self,
        services: &[OrganisationId],
        from: Timestamp,
    ) -> Result<Vec<ReferralLine>, StoreError> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {REFERRAL_COLUMNS}, p.given_name, p.family_name FROM referrals r \
             JOIN patients p ON p.id = r.patient_id WHERE r.service_id IN ({}) \
             AND (r.state IN ('referred', 'triaged', 'accepted', 'first-contact') \
                  OR r.referred_at >= $1) \
             ORDER BY r.referred_at, r.id LIMIT 500",
            crate::rows::placeholders(2, services.len())
        );
        let mut query = sqlx::query(&sql).bind(millis(from));
        for s in services {
            query = query.bind(s.as_str());
        }
        query
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(referral_line)
            .collect()
    }

    /// The referrals `by` made since `from` or still open, the newest first.
    pub async fn referrals_by(
        &mut self,
        by: &PractitionerId,
        from: Timestamp,
    ) -> Result<Vec<ReferralLine>, StoreError> {
        let sql = format!(
            "SELECT {REFERRAL_COLUMNS}, p.given_name, p.family_name FROM referrals r \
             JOIN patients p ON p.id = r.patient_id WHERE r.referred_by = $1 \
             AND (r.state IN ('referred', 'triaged', 'accepted', 'first-contact') \
                  OR r.referred_at >= $2) \
             ORDER BY r.referred_at DESC, r.id LIMIT 500"
        );
        sqlx::query(&sql)
            .bind(by.as_str())
            .bind(millis(from))
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(referral_line)
            .collect()
    }

    /// Stores a logged advice call.
    pub async fn insert_advice_call(&mut self, a: &AdviceCall) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO advice_calls ({}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            ADVICE_COLUMNS.replace("a.", "")
        );
        sqlx::query(&sql)
            .bind(a.id.as_str())
            .bind(a.caller_name.as_str())
            .bind(a.caller_role.code())
            .bind(a.caller_organisation.clone())
            .bind(a.patient_id.as_ref().map(|p| p.to_string()))
            .bind(a.patient_description.clone())
            .bind(a.question.as_str())
            .bind(a.advice.as_str())
            .bind(a.outcome.code())
            .bind(a.channel.code())
            .bind(a.logged_by.as_str())
            .bind(millis(a.received_at))
            .bind(millis(a.logged_at))
            .bind(a.out_of_hours)
            .bind(a.service.as_ref().map(|s| s.to_string()))
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Advice calls received from `from` on, the newest first.
    pub async fn advice_calls_since(
        &mut self,
        from: Timestamp,
    ) -> Result<Vec<AdviceCall>, StoreError> {
        let sql = format!(
            "SELECT {ADVICE_COLUMNS} FROM advice_calls a WHERE a.received_at >= $1 \
             ORDER BY a.received_at DESC, a.id LIMIT 1000"
        );
        sqlx::query(&sql)
            .bind(millis(from))
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(advice_from_row)
            .collect()
    }

    /// The advice calls about a patient, the newest first.
    pub async fn advice_calls_about(
        &mut self,
        patient: &PatientId,
    ) -> Result<Vec<AdviceCall>, StoreError> {
        let sql = format!(
            "SELECT {ADVICE_COLUMNS} FROM advice_calls a WHERE a.patient_id = $1 \
             ORDER BY a.received_at DESC, a.id"
        );
        sqlx::query(&sql)
            .bind(patient.as_str())
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(advice_from_row)
            .collect()
    }
}
