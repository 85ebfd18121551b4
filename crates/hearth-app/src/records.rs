//! Whole records for the FHIR API (issue 9): everything Hearth holds about one patient, read in
//! one transaction after one access check and audited as one read; the directory of
//! organisations and practitioners; and the look-ups that find whose record a resource is in.

use std::collections::HashMap;

use hearth_domain::access::Decision;
use hearth_domain::assessment::{Assessment, PhaseEpisode};
use hearth_domain::audit::{AccessBasis, AuditAction, AuditOutcome, AuditRecord};
use hearth_domain::care_plan::SectionVersion;
use hearth_domain::care_team::{CareTeamMember, Member};
use hearth_domain::organisation::Organisation;
use hearth_domain::patient::Patient;
use hearth_domain::practitioner::{Practitioner, PractitionerRole};
use hearth_domain::register::RegisterEntry;
use hearth_domain::{PatientId, PractitionerId};
use hearth_store::Tx;

use crate::{Actor, App, AppError, access};

/// Everything the API exposes of one patient.
#[derive(Debug, Clone)]
pub struct PatientRecord {
    pub patient: Patient,
    pub register: Vec<RegisterEntry>,
    /// Current and ended memberships.
    pub team: Vec<CareTeamMember>,
    pub names: HashMap<PractitionerId, String>,
    /// The current version of each section written.
    pub sections: Vec<SectionVersion>,
    /// Every assessment, oldest first.
    pub assessments: Vec<Assessment>,
    /// Every phase of illness, oldest first.
    pub phases: Vec<PhaseEpisode>,
    /// Referrals to specialist palliative care, newest first.
    pub referrals: Vec<hearth_domain::referral::Referral>,
    pub tasks: Vec<hearth_domain::task::Task>,
    /// Stays in hospital, hospice, care home and the like.
    pub stays: Vec<hearth_domain::transition::Stay>,
    /// Conversations about the patient, whole, the most recently active first.
    pub conversations: Vec<hearth_domain::conversation::Thread>,
    /// Discharges planned from a stay, with their letters and checklists, most recent first.
    pub discharges: Vec<hearth_domain::transition::DischargeRecord>,
    /// Calls to the specialist advice line about the patient, newest first.
    pub advice_calls: Vec<hearth_domain::advice::AdviceCall>,
    /// The superseded versions of the patient's details, newest first (read only for the
    /// history; empty otherwise).
    pub history: Vec<Patient>,
    /// Every version of every plan section, in the order saved (read only for the plan's
    /// history; empty otherwise).
    pub plan_history: Vec<hearth_domain::care_plan::SectionVersion>,
}

/// How much of a record a read takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Whole,
    Patient,
    /// The patient with the superseded versions of their details.
    History,
    /// The whole record with every version of the plan's sections.
    PlanHistory,
}

/// The region's directory: organisations, practitioners and their current roles.
#[derive(Debug, Clone)]
pub struct DirectoryRecords {
    pub organisations: Vec<Organisation>,
    pub practitioners: Vec<Practitioner>,
    /// Current roles, each with its practitioner's name.
    pub roles: Vec<(PractitionerRole, String)>,
}

impl App {
    /// The patient's whole record, for a care-team member or a reader under emergency access.
    /// The read and its refusal are audited, as every read of patient data is.
    /// `what` says, in the audit record, what the reader asked for.
    pub async fn patient_record(
        &self,
        actor: &Actor,
        patient: &PatientId,
        what: &str,
    ) -> Result<PatientRecord, AppError> {
        self.read_patient(actor, patient, what, Scope::Whole).await
    }

    /// The patient and their register entries only (a FHIR Patient read: the entries say
    /// whether they have died), with the same access check and audit as the whole record; the
    /// other parts of the returned record are empty.
    /// The patient's details with their superseded versions (FHIR vread and `_history`), one
    /// access check and one audited read.
    pub async fn patient_history(
        &self,
        actor: &Actor,
        patient: &PatientId,
        what: &str,
    ) -> Result<PatientRecord, AppError> {
        self.read_patient(actor, patient, what, Scope::History)
            .await
    }

    /// The whole record with every saved version of the plan's sections (FHIR CarePlan
    /// `_history` and vread), one access check and one audited read.
    pub async fn plan_history(
        &self,
        actor: &Actor,
        patient: &PatientId,
        what: &str,
    ) -> Result<PatientRecord, AppError> {
        self.read_patient(actor, patient, what, Scope::PlanHistory)
            .await
    }

    pub async fn patient_demographics(
        &self,
        actor: &Actor,
        patient: &PatientId,
        what: &str,
    ) -> Result<PatientRecord, AppError> {
        self.read_patient(actor, patient, what, Scope::Patient)
            .await
    }

    async fn read_patient(
        &self,
        actor: &Actor,
        patient: &PatientId,
        what: &str,
        scope: Scope,
    ) -> Result<PatientRecord, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let decision = access::decide(&mut tx, actor, patient, now).await?;
        let found = tx.patient(patient, system).await?;
        let mut record = None;
        if let (Some(p), Decision::Allowed(_)) = (&found, &decision) {
            record = Some(match scope {
                Scope::Whole => read_record(&mut tx, p.clone()).await?,
                Scope::PlanHistory => {
                    let mut record = read_record(&mut tx, p.clone()).await?;
                    record.plan_history = tx.all_section_versions(patient).await?;
                    record
                }
                Scope::Patient | Scope::History => PatientRecord {
                    history: if scope == Scope::History {
                        tx.patient_versions(patient).await?
                    } else {
                        Vec::new()
                    },
                    patient: p.clone(),
                    register: tx.register_entries_of(patient).await?,
                    team: Vec::new(),
                    names: HashMap::new(),
                    sections: Vec::new(),
                    assessments: Vec::new(),
                    phases: Vec::new(),
                    referrals: Vec::new(),
                    tasks: Vec::new(),
                    stays: Vec::new(),
                    conversations: Vec::new(),
                    discharges: Vec::new(),
                    advice_calls: Vec::new(),
                    plan_history: Vec::new(),
                },
            });
        }
        drop(tx);
        let mut audit = access::audit_record(
            actor,
            now,
            Some(patient),
            AuditAction::Read,
            "Patient",
            found.as_ref().map(|p| (patient.as_str(), p.version)),
            &decision,
        );
        audit.detail = Some(what.to_owned());
        self.audit.append(audit).await?;
        match (found, decision) {
            (None, _) => Err(AppError::NotFound(
                "There is no patient with this id.".to_owned(),
            )),
            (Some(_), Decision::Denied(denial)) => Err(access::refusal(patient, denial)),
            (Some(_), Decision::Allowed(_)) => record.ok_or_else(|| {
                AppError::Internal("the record of a visible patient was not read".to_owned())
            }),
        }
    }

    /// The patient with this national number, when the actor may read their record now (care
    /// team or open emergency access): an API search never opens emergency access, and finds
    /// nothing the reader could not open. Audited as a search.
    pub async fn find_patient(
        &self,
        actor: &Actor,
        national_number: &str,
    ) -> Result<Option<PatientId>, AppError> {
        crate::patients::require_clinician(actor)?;
        let number = self.config.national_number_system.parse(national_number)?;
        let system = &self.config.national_number_system.system_uri;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let found = tx.patient_id_by_identifier(system, &number).await?;
        let decision = match &found {
            Some(id) => Some(access::decide(&mut tx, actor, id, now).await?),
            None => None,
        };
        drop(tx);
        let visible = matches!(decision, Some(Decision::Allowed(_)));
        // A match the reader may not open is audited against that patient as refused, so it
        // shows in the patient's access report; the reader is told nothing.
        let mut record = access::audit_record(
            actor,
            now,
            found.as_ref(),
            AuditAction::Search,
            "Patient",
            None,
            decision
                .as_ref()
                .unwrap_or(&Decision::Allowed(AccessBasis::CareTeam)),
        );
        record.detail = Some(format!(
            "national number search through the FHIR API: {} found",
            usize::from(visible)
        ));
        self.audit.append(record).await?;
        Ok(found.filter(|_| visible))
    }

    /// The patient whose record holds assessment `id`, if there is one.
    pub async fn patient_of_assessment(&self, id: &str) -> Result<Option<PatientId>, AppError> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.patient_of_assessment(id).await?)
    }

    /// The patient whose record holds referral, task or stay `id` (`kind`), if there is one.
    pub async fn patient_of_record(
        &self,
        kind: hearth_store::RecordKind,
        id: &str,
    ) -> Result<Option<PatientId>, AppError> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.patient_of_record(kind, id).await?)
    }

    /// The patient whose record holds register entry `id`, if there is one.
    pub async fn patient_of_register_entry(&self, id: &str) -> Result<Option<PatientId>, AppError> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.patient_of_register_entry(id).await?)
    }

    /// The directory: every organisation, and every practitioner with a current role. Not
    /// patient data: every signed-in user may read it, as on the directory page.
    pub async fn directory_records(&self, _actor: &Actor) -> Result<DirectoryRecords, AppError> {
        read_directory(&mut self.store.begin_read().await?).await
    }
}

async fn read_directory(tx: &mut Tx) -> Result<DirectoryRecords, AppError> {
    let organisations = tx.all_organisations().await?;
    let entries = tx.practitioner_directory().await?;
    let mut ids: Vec<PractitionerId> = entries
        .iter()
        .map(|e| e.role.practitioner_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    let practitioners = tx
        .people(&ids)
        .await?
        .into_iter()
        .map(|p| p.practitioner)
        .collect();
    Ok(DirectoryRecords {
        organisations,
        practitioners,
        roles: entries.into_iter().map(|e| (e.role, e.name)).collect(),
    })
}

/// Reads the rest of `patient`'s record in the caller's transaction (access already decided).
async fn read_record(tx: &mut Tx, patient: Patient) -> Result<PatientRecord, AppError> {
    let id = &patient.id;
    let register = tx.register_entries_of(id).await?;
    let team = tx.care_team(id).await?;
    let sections = tx.current_sections(id).await?;
    let assessments = tx.assessments_of(id, jiff::Timestamp::MIN).await?;
    let phases = tx.phases_of(id).await?;
    let referrals = tx.referrals_of(id).await?;
    let tasks = tx.tasks_of(id).await?;
    let stays = tx.stays_of(id).await?;
    let conversations = tx.threads_of(id).await?;
    let discharges = tx.discharge_records_of(id).await?;
    let advice_calls = tx.advice_calls_about(id).await?;
    let mut mentioned: Vec<PractitionerId> = register
        .iter()
        .flat_map(|e| [e.identified_by.clone(), e.consent.recorded_by.clone()])
        .chain(team.iter().filter_map(|m| match &m.member {
            Member::Practitioner(id) => Some(id.clone()),
            Member::Service(_) => None,
        }))
        .chain(sections.iter().map(|s| s.author.clone()))
        .chain(assessments.iter().map(|a| a.assessor.clone()))
        .chain(referrals.iter().flat_map(|r| {
            [
                Some(r.referred_by.clone()),
                r.triaged_by.clone(),
                r.accepted_by.clone(),
                r.declined_by.clone(),
                r.first_contact_by.clone(),
                r.discharged_by.clone(),
                r.withdrawn_by.clone(),
            ]
            .into_iter()
            .flatten()
        }))
        .chain(tasks.iter().flat_map(|t| {
            let owner = match &t.owner {
                hearth_domain::task::TaskOwner::Person(p) => Some(p.clone()),
                _ => None,
            };
            [
                Some(t.created_by.clone()),
                owner,
                t.claimed.as_ref().map(|(p, _)| p.clone()),
            ]
            .into_iter()
            .flatten()
        }))
        .chain(conversations.iter().flat_map(|t| t.people()))
        .chain(discharges.iter().flat_map(|d| d.people()))
        .chain(advice_calls.iter().map(|a| a.logged_by.clone()))
        .collect();
    mentioned.sort();
    mentioned.dedup();
    let names = tx.practitioner_names(&mentioned).await?;
    Ok(PatientRecord {
        patient,
        register,
        team,
        names,
        sections,
        assessments,
        phases,
        referrals,
        tasks,
        stays,
        conversations,
        discharges,
        advice_calls,
        history: Vec::new(),
        plan_history: Vec::new(),
    })
}

impl App {
    /// The ids of every patient, for `hearth export --all`.
    pub async fn export_patient_ids(&self) -> Result<Vec<PatientId>, AppError> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.all_patient_ids().await?)
    }

    /// Patients' records for `hearth export`: an operator's command on the server, with the
    /// authority of database access (as a backup has), each patient audited as an
    /// administrative read of the whole record. The records of a batch are read in one
    /// transaction and their audit records committed together before they are returned.
    pub async fn export_records(
        &self,
        patients: &[PatientId],
    ) -> Result<Vec<PatientRecord>, AppError> {
        let system = &self.config.national_number_system.system_uri;
        let mut records = Vec::with_capacity(patients.len());
        {
            let mut tx = self.store.begin_read().await?;
            for patient in patients {
                let Some(found) = tx.patient(patient, system).await? else {
                    return Err(AppError::NotFound(format!(
                        "There is no patient with id {patient}."
                    )));
                };
                records.push(read_record(&mut tx, found).await?);
            }
        }
        let now = self.now();
        let audit = records
            .iter()
            .map(|r| AuditRecord {
                at: now,
                user_id: None,
                acting_organisation_id: None,
                patient_id: Some(r.patient.id.clone()),
                action: AuditAction::Read,
                resource_type: "Patient",
                resource_id: Some(r.patient.id.to_string()),
                resource_version: Some(r.patient.version),
                basis: AccessBasis::Administration,
                outcome: AuditOutcome::Allowed,
                detail: Some("exported from the command line (hearth export)".to_owned()),
            })
            .collect();
        self.audit.append_all(audit).await?;
        Ok(records)
    }

    /// The directory, for `hearth export --all`.
    pub async fn export_directory(&self) -> Result<DirectoryRecords, AppError> {
        read_directory(&mut self.store.begin_read().await?).await
    }
}

/// What a conditional create did.
#[derive(Debug, Clone)]
pub enum PatientCreation {
    /// No patient had the national number: this one was created.
    Created(Box<Patient>),
    /// A patient already has the national number; `visible` says whether the actor may read
    /// their record now.
    Exists { id: PatientId, visible: bool },
}

impl App {
    /// Creates a patient unless one already has the national number (FHIR's conditional create
    /// on identifier). Concurrent calls with the same number create exactly one patient: the
    /// database refuses a second holder of a national number, and the loser finds the winner.
    pub async fn create_patient_unless_exists(
        &self,
        actor: &Actor,
        input: hearth_domain::patient::NewPatient,
    ) -> Result<PatientCreation, AppError> {
        crate::patients::require_clinician(actor)?;
        let number = self
            .config
            .national_number_system
            .parse(&input.national_number)?;
        if let Some(existing) = self.holder_of(actor, &number).await? {
            return Ok(existing);
        }
        match self.create_patient(actor, input).await {
            Ok(patient) => Ok(PatientCreation::Created(Box::new(patient))),
            Err(AppError::Duplicate(message)) => match self.holder_of(actor, &number).await? {
                Some(existing) => Ok(existing),
                None => Err(AppError::Duplicate(message)),
            },
            Err(other) => Err(other),
        }
    }

    /// The patient holding national number `number`, audited as a search.
    async fn holder_of(
        &self,
        actor: &Actor,
        number: &str,
    ) -> Result<Option<PatientCreation>, AppError> {
        let system = &self.config.national_number_system.system_uri;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let Some(id) = tx.patient_id_by_identifier(system, number).await? else {
            return Ok(None);
        };
        let visible = matches!(
            access::decide(&mut tx, actor, &id, now).await?,
            Decision::Allowed(_)
        );
        drop(tx);
        let mut record = access::audit_record(
            actor,
            now,
            Some(&id),
            AuditAction::Search,
            "Patient",
            None,
            &Decision::Allowed(AccessBasis::CareTeam),
        );
        record.detail = Some("conditional create: the national number is taken".to_owned());
        self.audit.append(record).await?;
        Ok(Some(PatientCreation::Exists { id, visible }))
    }
}

impl App {
    /// The actor a command-line write (`hearth import`) acts as: the account named on the
    /// command line, which must be enabled. Its writes go through the same use cases, access
    /// rules and audit as that person's would on the web.
    pub async fn operator(&self, email: &str) -> Result<Actor, AppError> {
        let email = hearth_domain::user::Email::parse(email)?;
        let mut tx = self.store.begin_read().await?;
        let user = tx
            .user_by_email(&email)
            .await?
            .ok_or_else(|| {
                AppError::NotFound(format!(
                    "There is no account for {email}. Check the spelling, or create it with `hearth user add`."
                ))
            })?
            .account;
        crate::auth::load_actor(&mut tx, &user.id)
            .await?
            .ok_or(AppError::AccountDisabled)
    }
}

impl App {
    /// Replaces a patient's details (a FHIR update), provided they are still at
    /// `expected_version`: otherwise nothing changes and the answer is a conflict, so that a
    /// colleague's change is never silently overwritten. Only care-team members may; the
    /// organisations involved are kept and any named in `input` added (who is involved is the
    /// care team's business, not the demographics').
    pub async fn update_patient(
        &self,
        actor: &Actor,
        id: &PatientId,
        expected_version: i64,
        input: hearth_domain::patient::NewPatient,
    ) -> Result<Patient, AppError> {
        let system = self.config.national_number_system.system_uri.clone();
        let mut tx = self
            .begin_clinical_write(actor, id, AuditAction::Update, "Patient")
            .await?;
        let Some(current) = tx.patient(id, &system).await? else {
            return Err(AppError::NotFound(
                "There is no patient with this id.".to_owned(),
            ));
        };
        let stale = |now_at: i64| {
            AppError::Conflict(format!(
                "Someone else changed this patient's details since you read them (they are now at version {now_at}). Read the patient again, make your change to that version, and send it again."
            ))
        };
        if current.version != expected_version {
            return Err(stale(current.version));
        }
        let now = self.now();
        let mut input = input;
        input
            .organisations
            .extend(current.organisations.iter().cloned());
        let mut updated = input.validate(
            id.clone(),
            &self.config.national_number_system,
            self.today(),
            now,
        )?;
        let found = tx.organisations_by_ids(&updated.organisations).await?;
        if found.len() != updated.organisations.len() {
            return Err(hearth_domain::ValidationError::new(
                "organisations",
                "One of the organisations does not exist.",
            )
            .into());
        }
        updated.created_at = current.created_at;
        updated.version = expected_version + 1;
        let record = access::audit_record(
            actor,
            now,
            Some(id),
            AuditAction::Update,
            "Patient",
            Some((id.as_str(), updated.version)),
            &Decision::Allowed(AccessBasis::CareTeam),
        );
        tx.append_audit(&record).await?;
        if !tx.update_patient(&updated, expected_version).await? {
            // A colleague's update committed between our read and our write.
            let now_at = tx
                .patient(id, &system)
                .await?
                .map_or(expected_version + 1, |p| p.version);
            return Err(stale(now_at));
        }
        // The version replaced, for vread and _history (after the guarded update, so a lost
        // race writes nothing).
        tx.insert_patient_version(&current).await?;
        tx.commit().await?;
        Ok(updated)
    }
}

impl App {
    /// Conditional creates of many patients, for `hearth import`: the national numbers already
    /// taken are found first, then every other patient is created in one transaction. Any
    /// refusal (an invalid patient, a number taken meanwhile) fails the whole call and changes
    /// nothing; the caller then goes one by one to say which.
    pub async fn create_patients_unless_exist(
        &self,
        actor: &Actor,
        inputs: Vec<hearth_domain::patient::NewPatient>,
    ) -> Result<Vec<PatientCreation>, AppError> {
        let conditional = inputs.into_iter().map(|i| (i, true)).collect();
        self.create_patients_in_transaction(actor, conditional)
            .await
    }
}

impl App {
    /// A FHIR transaction of patient creates: all of them or none. Each input says whether its
    /// create is conditional on the national number; a conditional one whose number is taken
    /// finds that patient, an unconditional one fails the whole transaction.
    pub async fn create_patients_in_transaction(
        &self,
        actor: &Actor,
        inputs: Vec<(hearth_domain::patient::NewPatient, bool)>,
    ) -> Result<Vec<PatientCreation>, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = self.config.national_number_system.system_uri.clone();
        let mut numbers = Vec::with_capacity(inputs.len());
        for (input, _) in &inputs {
            numbers.push(
                self.config
                    .national_number_system
                    .parse(&input.national_number)?,
            );
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = numbers.iter().find(|n| !seen.insert(n.as_str())) {
            return Err(AppError::Duplicate(format!(
                "Two entries of the transaction have the national number {twice}."
            )));
        }
        let mut taken = Vec::with_capacity(inputs.len());
        {
            let mut tx = self.store.begin_read().await?;
            for number in &numbers {
                taken.push(
                    tx.patient_id_by_identifier(&system, number)
                        .await?
                        .is_some(),
                );
            }
        }
        let mut fresh = Vec::new();
        for (((input, conditional), number), taken) in inputs.into_iter().zip(&numbers).zip(&taken)
        {
            match (taken, conditional) {
                (true, true) => {}
                (true, false) => {
                    return Err(AppError::Duplicate(format!(
                        "A patient with the national number {number} already exists."
                    )));
                }
                (false, _) => fresh.push(input),
            }
        }
        let mut created = self.create_patients(actor, fresh).await?.into_iter();
        let mut out = Vec::with_capacity(numbers.len());
        for (number, taken) in numbers.iter().zip(taken) {
            if taken {
                match self.holder_of(actor, number).await? {
                    Some(existing) => out.push(existing),
                    None => {
                        return Err(AppError::Internal(
                            "a patient found by national number was not found again".to_owned(),
                        ));
                    }
                }
            } else if let Some(p) = created.next() {
                out.push(PatientCreation::Created(Box::new(p)));
            }
        }
        Ok(out)
    }
}
