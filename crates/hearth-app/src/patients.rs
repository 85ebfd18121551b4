//! Patient use cases: the register list, the patient overview, and adding a patient.

use hearth_domain::audit::{AccessBasis, AuditAction};
use hearth_domain::organisation::Organisation;
use hearth_domain::patient::{NewPatient, Patient, PatientSummary};
use std::collections::HashMap;

use hearth_domain::care_team::{CareTeam, CareTeamMember, CareTeamRole, Member};
use hearth_domain::register::{ConsentDecision, DiagnosisGroup, RegisterEntry};
use hearth_domain::{OrganisationId, PatientId, PractitionerId, ValidationError};
use hearth_store::{CoordinatorFilter, PatientQuery, PatientSort};

use crate::access::{self, Decision};
use crate::{Actor, App, AppError};

/// Patients per register page.
pub const REGISTER_PAGE_SIZE: u32 = 50;

/// What the register page asks for, as typed (codes are checked here).
#[derive(Debug, Clone, Default)]
pub struct RegisterQuery {
    /// A name (family name first, "carter" or "carter, edith") or a national number.
    pub search: String,
    /// Zero-based page number.
    pub page: u32,
    /// Everyone the actor may see, not only patients on the register.
    pub include_unregistered: bool,
    /// Only patients whose care involves this organisation (its id).
    pub organisation: Option<String>,
    /// A diagnosis group code.
    pub diagnosis_group: Option<String>,
    /// A consent decision code.
    pub consent: Option<String>,
    /// `none` (no active coordinator), `me`, or a practitioner's id.
    pub coordinator: Option<String>,
    /// `name` (default) or `identified`.
    pub sort: Option<String>,
    /// `not-ready` or `ready`: only patients on the register who are not (or are) ready for out
    /// of hours.
    pub readiness: Option<String>,
}

/// One page of the register.
#[derive(Debug, Clone)]
pub struct RegisterPage {
    pub patients: Vec<PatientSummary>,
    pub page: u32,
    pub has_more: bool,
    /// Every organisation, by name, for the page's filter (read in the same transaction).
    pub organisations: Vec<Organisation>,
    /// How many of the reader's notices are unread (the register is their start page).
    pub unread_notices: i64,
}

/// Everything the patient overview page shows.
#[derive(Debug, Clone)]
pub struct PatientOverview {
    pub patient: Patient,
    /// The organisations involved in the patient's care, by name.
    pub organisations: Vec<Organisation>,
    /// Register entries, newest first: the active one (if any) and earlier ones.
    pub register: Vec<RegisterEntry>,
    /// The care team, current members first.
    pub care_team: CareTeam,
    /// Whether a coordinator handover is waiting for acceptance.
    pub handover_pending: bool,
    /// Where the patient is now, when recorded.
    pub current_stay: Option<hearth_domain::transition::Stay>,
    /// A discharge planned and not yet done.
    pub open_discharge: Option<hearth_domain::transition::Discharge>,
    /// Names of the practitioners the register entries and the care team mention.
    pub practitioner_names: HashMap<PractitionerId, String>,
    /// Who gives specialist palliative care advice now, and next.
    pub on_call: Vec<crate::OnCallView>,
    /// The emergency access the record is open under, when the reader is not in the team.
    pub emergency: Option<hearth_store::EmergencyAccess>,
    /// The latest assessment values with their direction, and the phase of illness.
    pub needs: crate::LatestNeeds,
}

impl App {
    /// The patients the actor may see, filtered by `query`, one page at a time.
    pub async fn register(
        &self,
        actor: &Actor,
        query: &RegisterQuery,
    ) -> Result<RegisterPage, AppError> {
        require_clinician(actor)?;
        let search = query.search.trim();
        let looks_like_number = !search.is_empty()
            && search
                .chars()
                .all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
        let born = date_of_birth(search);
        let (name_prefix, national_number) = if search.is_empty() || born.is_some() {
            (None, None)
        } else if looks_like_number {
            (
                None,
                Some(self.config.national_number_system.parse(search)?),
            )
        } else {
            (Some(name_key(search)?), None)
        };
        let acting_organisation = actor.acting_organisation();
        let page = query.page.min(10_000);
        let ready = match query.readiness.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("not-ready") => Some(false),
            Some("ready") => Some(true),
            Some(_) => {
                return Err(ValidationError::new(
                    "readiness",
                    "Choose a readiness filter from the list.",
                )
                .into());
            }
        };
        let q = PatientQuery {
            identifier_system: &self.config.national_number_system.system_uri,
            practitioner: &actor.practitioner_id,
            organisation: acting_organisation.as_ref(),
            name_prefix,
            national_number,
            date_of_birth: born,
            registered_only: !query.include_unregistered || ready.is_some(),
            involving: match query.organisation.as_deref().filter(|o| !o.is_empty()) {
                None => None,
                Some(id) => Some(OrganisationId::parse(id).ok_or_else(|| {
                    ValidationError::new("organisation", "Choose an organisation from the list.")
                })?),
            },
            diagnosis_group: filter_code(
                "diagnosis_group",
                query.diagnosis_group.as_deref(),
                DiagnosisGroup::from_code,
            )?,
            consent: filter_code(
                "consent",
                query.consent.as_deref(),
                ConsentDecision::from_code,
            )?,
            coordinator: match query
                .coordinator
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                None => CoordinatorFilter::Any,
                Some("none") => CoordinatorFilter::NoActiveCoordinator,
                Some("me") => CoordinatorFilter::CoordinatedBy(actor.practitioner_id.clone()),
                Some(id) => CoordinatorFilter::CoordinatedBy(
                    PractitionerId::parse(id).ok_or_else(|| {
                        ValidationError::new("coordinator", "Choose a coordinator from the list.")
                    })?,
                ),
            },
            ready,
            sort: match query.sort.as_deref() {
                Some("identified") => PatientSort::RecentlyIdentified,
                _ => PatientSort::Name,
            },
            limit: REGISTER_PAGE_SIZE,
            offset: page * REGISTER_PAGE_SIZE,
        };
        let mut tx = self.store.begin_read().await?;
        let (patients, has_more) = tx.search_patients(&q).await?;
        let organisations = tx.all_organisations().await?;
        let unread_notices = tx.unread_notices(&actor.practitioner_id).await?;
        drop(tx);
        let mut record = access::audit_record(
            actor,
            self.now(),
            None,
            AuditAction::Search,
            "Patient",
            None,
            &Decision::Allowed(AccessBasis::CareTeam),
        );
        record.detail = Some(format!(
            "register page {page}: {} patients listed",
            patients.len()
        ));
        self.audit.append(record).await?;
        Ok(RegisterPage {
            patients,
            page,
            has_more,
            organisations,
            unread_notices,
        })
    }

    /// One patient's overview, when the actor may see it. The data is returned only once the
    /// audit record of the read is committed; a refusal is audited too.
    pub async fn patient_overview(
        &self,
        actor: &Actor,
        id: &PatientId,
    ) -> Result<PatientOverview, AppError> {
        require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let mut tx = self.store.begin_read().await?;
        let now = self.now();
        let access = access::decide(&mut tx, actor, id, now).await?;
        let patient = tx.patient(id, system).await?;
        let mut overview = None;
        if let (Some(patient), Decision::Allowed(basis)) = (&patient, &access) {
            let emergency = match basis {
                AccessBasis::EmergencyAccess => {
                    tx.open_emergency_access(&actor.user_id, id, now).await?
                }
                _ => None,
            };
            let organisations = tx.organisations_by_ids(&patient.organisations).await?;
            let register = tx.register_entries_of(id).await?;
            let care_team = crate::care_team::load_team(&mut tx, id).await?;
            let handover_pending = tx.open_handover(id).await?.is_some();
            let current_stay = tx
                .stays_of(id)
                .await?
                .into_iter()
                .find(|s| s.ended_at.is_none());
            let open_discharge = tx
                .discharges_of(id)
                .await?
                .into_iter()
                .map(|d| d.discharge)
                .find(|d| d.state.is_open());
            let mut mentioned: Vec<PractitionerId> = register
                .iter()
                .flat_map(|e| [e.identified_by.clone(), e.consent.recorded_by.clone()])
                .chain(care_team.members.iter().filter_map(|m| match &m.member {
                    Member::Practitioner(id) => Some(id.clone()),
                    Member::Service(_) => None,
                }))
                .collect();
            mentioned.sort();
            mentioned.dedup();
            let practitioner_names = tx.practitioner_names(&mentioned).await?;
            let on_call = self.rota.on_call(&mut tx, self.now()).await?;
            let needs = crate::needs::latest_needs(&mut tx, id).await?;
            overview = Some(PatientOverview {
                patient: patient.clone(),
                organisations,
                register,
                care_team,
                handover_pending,
                current_stay,
                open_discharge,
                practitioner_names,
                on_call,
                emergency,
                needs,
            });
        }
        drop(tx);
        let version = match (&patient, &access) {
            (Some(patient), Decision::Allowed(_)) => Some((id.as_str(), patient.version)),
            _ => None,
        };
        let record = access::audit_record(
            actor,
            self.now(),
            Some(id),
            AuditAction::Read,
            "Patient",
            version,
            &access,
        );
        self.audit.append(record).await?;
        match (patient, access) {
            (None, _) => Err(AppError::NotFound(
                "There is no patient with this id.".to_owned(),
            )),
            (Some(_), Decision::Denied(denial)) => Err(access::refusal(id, denial)),
            (Some(_), Decision::Allowed(_)) => overview.ok_or_else(|| {
                AppError::Internal("the overview of a visible patient was not read".to_owned())
            }),
        }
    }

    /// Adds a patient. The actor's acting organisation is always among the organisations
    /// involved, and that organisation starts the care team as a service, so that whoever adds
    /// a patient (and their colleagues) can see them.
    pub async fn create_patient(
        &self,
        actor: &Actor,
        input: NewPatient,
    ) -> Result<Patient, AppError> {
        let mut created = self.create_patients(actor, vec![input]).await?;
        created
            .pop()
            .ok_or_else(|| AppError::Internal("a created patient was not returned".to_owned()))
    }

    /// Adds several patients in one transaction: all of them, or (when one is invalid or its
    /// national number is taken) none. A FHIR transaction Bundle and `hearth import` use it.
    pub async fn create_patients(
        &self,
        actor: &Actor,
        inputs: Vec<NewPatient>,
    ) -> Result<Vec<Patient>, AppError> {
        require_clinician(actor)?;
        let now = self.now();
        let mut patients = Vec::with_capacity(inputs.len());
        for mut input in inputs {
            if let Some(org) = actor.acting_organisation() {
                input.organisations.push(org);
            }
            patients.push(input.validate(
                PatientId::new(self.ids.new_id()),
                &self.config.national_number_system,
                self.today(),
                now,
            )?);
        }
        let mut tx = self.store.begin_write().await?;
        for patient in &patients {
            let found = tx.organisations_by_ids(&patient.organisations).await?;
            if found.len() != patient.organisations.len() {
                return Err(ValidationError::new(
                    "organisations",
                    "One of the organisations does not exist.",
                )
                .into());
            }
            // The audit record is written first: if the insert then fails, the rollback removes
            // both, so the trail never claims a change that did not happen.
            let record = access::audit_record(
                actor,
                now,
                Some(&patient.id),
                AuditAction::Create,
                "Patient",
                Some((patient.id.as_str(), patient.version)),
                &Decision::Allowed(AccessBasis::CareTeam),
            );
            tx.append_audit(&record).await?;
            tx.insert_patient(patient).await?;
            let team = self.founding_team(actor, &patient.id);
            for member in &team {
                let record = access::audit_record(
                    actor,
                    now,
                    Some(&patient.id),
                    AuditAction::Create,
                    crate::care_team::RESOURCE,
                    Some((member.id.as_str(), member.version)),
                    &Decision::Allowed(AccessBasis::CareTeam),
                );
                tx.append_audit(&record).await?;
            }
            tx.insert_care_team_members(&team).await?;
        }
        tx.commit().await?;
        Ok(patients)
    }
}

impl App {
    /// The care team a new patient starts with: the organisation whoever adds them acts for,
    /// as a service (people join, and the first becomes coordinator, on the care team page).
    fn founding_team(&self, actor: &Actor, patient: &PatientId) -> Vec<CareTeamMember> {
        let today = self.today();
        let now = self.now();
        let member = |member, role| CareTeamMember {
            id: self.ids.new_id(),
            patient_id: patient.clone(),
            member,
            role,
            responsibilities: Vec::new(),
            coordinator: false,
            started_on: today,
            ended_on: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        actor
            .acting_role()
            .map(|role| {
                member(
                    Member::Service(role.organisation_id.clone()),
                    CareTeamRole::Other,
                )
            })
            .into_iter()
            .collect()
    }
}

pub(crate) fn require_clinician(actor: &Actor) -> Result<(), AppError> {
    if actor.is_clinician() {
        return Ok(());
    }
    let role = actor
        .acting_role()
        .map_or("no role", |r| r.profession.label());
    Err(AppError::Forbidden(format!(
        "Your role ({role}) does not give access to patient records."
    )))
}

/// An optional filter code: empty means no filter; an unknown code is refused.
fn filter_code<T>(
    field: &'static str,
    code: Option<&str>,
    from_code: fn(&str) -> Option<T>,
) -> Result<Option<T>, ValidationError> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(code) => from_code(code)
            .map(Some)
            .ok_or_else(|| ValidationError::new(field, "Choose a value from the list.")),
    }
}

/// A typed date of birth: day/month/year (the order people in the UK and Norway write it, with
/// `/`, `.` or `-`) or ISO year-month-day; the year must have four digits.
fn date_of_birth(typed: &str) -> Option<jiff::civil::Date> {
    let parts: Vec<&str> = typed.split(['/', '.', '-']).map(str::trim).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let number = |s: &str| {
        (!s.is_empty() && s.chars().all(|ch| ch.is_ascii_digit()))
            .then(|| s.parse::<i16>().ok())
            .flatten()
    };
    let (year, month, day) = if a.len() == 4 {
        (number(a)?, number(b)?, number(c)?)
    } else if c.len() == 4 {
        (number(c)?, number(b)?, number(a)?)
    } else {
        return None;
    };
    jiff::civil::Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// The lower-case search key for a typed name: "Carter, Edith" → "carter edith".
fn name_key(typed: &str) -> Result<String, ValidationError> {
    let key = typed
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if key.chars().count() > 100 || key.chars().any(char::is_control) {
        return Err(ValidationError::new(
            "q",
            "Search for a name or a national number of up to 100 characters.",
        ));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::name_key;

    #[test]
    fn typed_dates_of_birth_are_recognised() {
        let date = jiff::civil::date(1941, 3, 9);
        for typed in [
            "9/3/1941",
            "09/03/1941",
            "9.3.1941",
            "1941-03-09",
            "09-03-1941",
        ] {
            assert_eq!(super::date_of_birth(typed), Some(date), "{typed}");
        }
        for typed in ["943 476 5919", "carter", "31/2/1941", "9/3/41", "1941"] {
            assert_eq!(super::date_of_birth(typed), None, "{typed}");
        }
    }

    #[test]
    fn typed_names_become_search_keys() {
        assert_eq!(name_key("Carter, Edith").unwrap(), "carter edith");
        assert_eq!(name_key("  CARTER  ").unwrap(), "carter");
        assert!(name_key(&"a".repeat(101)).is_err());
    }
}
