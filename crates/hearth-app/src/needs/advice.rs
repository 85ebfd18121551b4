//! The specialist advice line: the specialist on call logs each call or message (out of hours
//! worked out from the local time, weekends and bank holidays); a call about a registered
//! patient is part of their record — access-checked, audited — and tells the coordinator.

use std::collections::HashMap;

use hearth_domain::advice::{self, AdviceCall, AdviceCallDraft, AdviceSummary};
use hearth_domain::audit::AuditAction;
use hearth_domain::care_team::Member;
use hearth_domain::organisation::OrganisationKind;
use hearth_domain::{OrganisationId, PatientId, PractitionerId, ValidationError};
use jiff::{SignedDuration, Timestamp};

use crate::access::{self, Decision};
use crate::{Actor, App, AppError};

const RESOURCE: &str = "Communication";

/// The advice log: the last seven days.
#[derive(Debug, Clone)]
pub struct AdviceLog {
    /// Newest first.
    pub calls: Vec<AdviceLine>,
    pub summary: AdviceSummary,
    pub names: HashMap<PractitionerId, String>,
    /// Names of the linked patients the actor may read.
    pub patients: HashMap<PatientId, String>,
    /// Who is on call for specialist advice now: "Name (service), phone".
    pub on_call: Vec<String>,
}

/// One call of the log: in full, or with its content withheld (and why).
#[derive(Debug, Clone)]
pub struct AdviceLine {
    pub call: AdviceCall,
    pub withheld: Option<String>,
}

/// Whether the actor answers the advice line: a specialist role, or a role in a specialist
/// palliative care service or hospice.
pub fn answers_advice_line(actor: &Actor) -> bool {
    actor.acting_role().is_some_and(|r| {
        r.specialist
            || matches!(
                r.organisation_kind,
                OrganisationKind::SpecialistPalliativeCare | OrganisationKind::Hospice
            )
    })
}

fn refused() -> AppError {
    AppError::Forbidden(
        "The advice log is kept by the specialist palliative care team; ring the specialist on call for advice."
            .to_owned(),
    )
}

impl App {
    /// Logs an advice call received at `received_at` (now when None). A patient registered in
    /// Hearth is named by their national number (`national_number`, empty for none).
    pub async fn log_advice_call(
        &self,
        actor: &Actor,
        mut draft: AdviceCallDraft,
        national_number: &str,
        received_at: Option<Timestamp>,
    ) -> Result<AdviceCall, AppError> {
        if !answers_advice_line(actor) {
            return Err(refused());
        }
        if !national_number.trim().is_empty() {
            let system = &self.config.national_number_system;
            let number = system
                .parse(national_number)
                .map_err(|e| ValidationError::new("national_number", e.message))?;
            let mut tx = self.store.begin_read().await?;
            draft.patient = Some(
                tx.patient_id_by_identifier(&system.system_uri, &number)
                    .await?
                    .ok_or_else(|| {
                        ValidationError::new(
                            "national_number",
                            format!(
                                "No patient in Hearth has this {}: check it, or leave it empty and describe the patient.",
                                system.label
                            ),
                        )
                    })?,
            );
        }
        let now = self.now();
        let received = received_at.unwrap_or(now);
        let local = received.to_zoned(self.config.time_zone.clone());
        let holiday = self.config.public_holidays.contains(&local.date());
        let mut call = draft.check(
            self.ids.new_id(),
            &actor.practitioner_id,
            received,
            now,
            advice::is_out_of_hours(local.datetime(), holiday),
        )?;
        call.service = actor.acting_organisation();
        match &call.patient_id {
            None => {
                let mut tx = self.store.begin_write().await?;
                tx.insert_advice_call(&call).await?;
                tx.commit().await?;
            }
            Some(patient) => {
                // The call is written to the record by its care team, or by a specialist who
                // opened emergency access to it (the out-of-hours case): audited as decided.
                let mut tx = self.store.begin_write().await?;
                let decision = access::decide(&mut tx, actor, patient, now).await?;
                if let Decision::Denied(_) = decision {
                    drop(tx);
                    let mut record = access::audit_record(
                        actor,
                        now,
                        Some(patient),
                        AuditAction::Create,
                        RESOURCE,
                        None,
                        &decision,
                    );
                    record.outcome = hearth_domain::audit::AuditOutcome::Denied;
                    self.audit.append(record).await?;
                    return Err(ValidationError::new(
                        "national_number",
                        "This patient's care team does not include you or your service: open emergency access to their record (Emergency access, in the menu) to link the call, or leave the number empty and describe the patient.",
                    )
                    .into());
                }
                tx.insert_advice_call(&call).await?;
                tx.append_audit(&access::audit_record(
                    actor,
                    now,
                    Some(patient),
                    AuditAction::Create,
                    RESOURCE,
                    Some((&call.id, 1)),
                    &decision,
                ))
                .await?;
                let mut keys = self.team_keys(&mut tx, patient).await?;
                if let Some(coordinator) = tx.coordinator_of(patient).await?
                    && coordinator != actor.practitioner_id
                {
                    keys.push(crate::live::key_of(&Member::Practitioner(
                        coordinator.clone(),
                    )));
                    tx.insert_notice(&hearth_store::Notice {
                        id: self.ids.new_id(),
                        practitioner_id: coordinator,
                        patient_id: Some(patient.clone()),
                        kind: "advice-call".to_owned(),
                        text: format!(
                            "Specialist advice{} from {} ({}): {} Outcome: {}.",
                            if call.out_of_hours {
                                " out of hours"
                            } else {
                                ""
                            },
                            actor.name,
                            call.caller_role.label().to_lowercase(),
                            call.advice,
                            call.outcome.label().to_lowercase()
                        ),
                        created_at: now,
                        read_at: None,
                    })
                    .await?;
                }
                self.live.commit(&self.store, tx, &keys).await?;
            }
        }
        Ok(call)
    }

    /// The advice calls of the last seven days, with their counts. A call's content is shown
    /// when it is about a patient whose care team the actor is in (an audited read of that
    /// record), or about no registered patient and logged by the actor's own service; of the
    /// others only the time, the caller's role and the outcome are shown.
    pub async fn advice_log(&self, actor: &Actor) -> Result<AdviceLog, AppError> {
        if !answers_advice_line(actor) {
            return Err(refused());
        }
        let now = self.now();
        let from = now
            .checked_sub(SignedDuration::from_hours(24 * 7))
            .unwrap_or(now);
        let mut tx = self.store.begin_read().await?;
        let calls = tx.advice_calls_since(from).await?;
        let linked: Vec<PatientId> = calls.iter().filter_map(|c| c.patient_id.clone()).collect();
        let readable = access::readable_in_team(&mut tx, actor, linked, now).await?;
        let system = &self.config.national_number_system.system_uri;
        let mut patients = HashMap::new();
        for p in &readable {
            if let Some(record) = tx.patient(p, system).await? {
                patients.insert(p.clone(), record.list_name());
            }
        }
        let own = actor.acting_organisation();
        let services: Vec<OrganisationId> =
            calls.iter().filter_map(|c| c.service.clone()).collect();
        let service_names: HashMap<OrganisationId, String> = tx
            .organisations_by_ids(&services)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let (names, _) = self
            .names_for(
                &mut tx,
                calls
                    .iter()
                    .map(|c| Member::Practitioner(c.logged_by.clone())),
            )
            .await?;
        drop(tx);
        let summary = advice::advice_week(&calls);
        let mut reads = Vec::new();
        let lines = calls
            .into_iter()
            .map(|mut call| {
                let withheld = match &call.patient_id {
                    Some(p) if readable.contains(p) => {
                        reads.push(access::audit_record(
                            actor,
                            now,
                            Some(p),
                            AuditAction::Read,
                            RESOURCE,
                            Some((&call.id, 1)),
                            &Decision::Allowed(hearth_domain::audit::AccessBasis::CareTeam),
                        ));
                        None
                    }
                    Some(_) => Some(
                        "About a patient outside your care teams: the details are in their record."
                            .to_owned(),
                    ),
                    None if call.service.is_some() && call.service == own => None,
                    None => Some(format!(
                        "Logged by {}: the details stay in that service's log.",
                        call.service
                            .as_ref()
                            .and_then(|s| service_names.get(s).cloned())
                            .unwrap_or_else(|| "another service".to_owned())
                    )),
                };
                if withheld.is_some() {
                    call.question = String::new();
                    call.advice = String::new();
                    call.patient_description = None;
                    call.caller_name = call.caller_role.label().to_owned();
                    call.caller_organisation = None;
                    call.patient_id = None;
                }
                AdviceLine { call, withheld }
            })
            .collect();
        self.audit.append_all(reads).await?;
        let on_call = self
            .on_call_now(now)
            .await?
            .into_iter()
            .filter(|v| v.now)
            .map(|v| format!("{} ({}), {}", v.name, v.service, v.shift.phone))
            .collect();
        Ok(AdviceLog {
            summary,
            calls: lines,
            names,
            patients,
            on_call,
        })
    }
}
