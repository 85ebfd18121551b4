//! The shared care plan: reading it (with readiness, staleness and who has read it), saving a
//! section without ever overwriting a colleague's change unseen, acknowledging the current
//! version, and a section's history.

use std::collections::HashMap;
use std::sync::Arc;

use hearth_domain::audit::{AccessBasis, AuditAction};
use hearth_domain::care_plan::{ReadinessItem, Section, SectionSave, SectionVersion, readiness};
use hearth_domain::care_team::{CareTeam, Member};
use hearth_domain::patient::Patient;
use hearth_domain::{PatientId, PractitionerId, ValidationError};
use hearth_store::{PlanRead, PlanSnapshot, PlanState};

use crate::access::{self, Decision};
use crate::{Actor, App, AppError};

const RESOURCE: &str = "CarePlan";

/// The plan as the plan page shows it.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub patient: Patient,
    /// The current version of each section the plan has.
    pub sections: HashMap<Section, SectionVersion>,
    pub state: Option<PlanState>,
    pub reads: Vec<PlanRead>,
    pub team: CareTeam,
    /// Names of the practitioners the plan and the team mention.
    pub names: HashMap<PractitionerId, String>,
    /// What the out-of-hours readiness check finds missing (empty: ready).
    pub missing: Vec<ReadinessItem>,
    /// The patient is on the register (a plan is kept for registered patients).
    pub registered: bool,
    /// The reader opened the record under emergency access (they read, not change).
    pub emergency: bool,
}

impl PlanView {
    /// The people in the team who have not read the latest significant change.
    pub fn unread_by(&self) -> Vec<PractitionerId> {
        let Some(state) = self.state else {
            return Vec::new();
        };
        self.team
            .active()
            .filter_map(|m| match &m.member {
                Member::Practitioner(id) => Some(id.clone()),
                Member::Service(_) => None,
            })
            .filter(|id| {
                !self
                    .reads
                    .iter()
                    .any(|r| &r.practitioner_id == id && r.version >= state.significant_version)
            })
            .collect()
    }
}

/// Reads a readable patient's plan: current sections, plan state, team, names and readiness,
/// with the active register entry. `reads` are the acknowledgements, when the caller shows them.
async fn read_plan(
    tx: &mut hearth_store::Tx,
    record: &Patient,
    reads: Vec<PlanRead>,
    basis: AccessBasis,
) -> Result<(PlanView, Option<hearth_domain::register::RegisterEntry>), AppError> {
    let patient = &record.id;
    let sections: HashMap<Section, SectionVersion> = tx
        .current_sections(patient)
        .await?
        .into_iter()
        .map(|v| (v.section, v))
        .collect();
    let state = tx.plan_state(patient).await?;
    let team = crate::care_team::load_team(tx, patient).await?;
    let register = tx
        .register_entries_of(patient)
        .await?
        .into_iter()
        .find(|e| e.leaving.is_none());
    let mut mentioned: Vec<PractitionerId> = sections
        .values()
        .map(|v| v.author.clone())
        .chain(reads.iter().map(|r| r.practitioner_id.clone()))
        .chain(team.members.iter().filter_map(|m| match &m.member {
            Member::Practitioner(id) => Some(id.clone()),
            Member::Service(_) => None,
        }))
        .collect();
    mentioned.sort();
    mentioned.dedup();
    let names = tx.practitioner_names(&mentioned).await?;
    let plan = PlanView::new(
        record.clone(),
        (sections, state),
        reads,
        team,
        names,
        register.is_some(),
        basis,
    );
    Ok((plan, register))
}

impl PlanView {
    /// The plan as read, with its out-of-hours readiness worked out.
    fn new(
        patient: Patient,
        (sections, state): (HashMap<Section, SectionVersion>, Option<PlanState>),
        reads: Vec<PlanRead>,
        team: CareTeam,
        names: HashMap<PractitionerId, String>,
        registered: bool,
        basis: AccessBasis,
    ) -> PlanView {
        let missing = readiness(
            sections.values().map(|v| &v.content),
            team.coordinator().is_some(),
        );
        PlanView {
            patient,
            sections,
            state,
            reads,
            team,
            names,
            missing,
            registered,
            emergency: basis == AccessBasis::EmergencyAccess,
        }
    }
}

/// The summary of a readable patient from their stored snapshot (see `hearth_store::PlanSnapshot`).
fn summary_from_snapshot(snapshot: &PlanSnapshot, basis: AccessBasis) -> SummaryRecord {
    let sections = snapshot
        .sections
        .iter()
        .map(|v| (v.section, v.clone()))
        .collect();
    let team = CareTeam {
        members: snapshot.members.clone(),
        disabled: snapshot.disabled_coordinators.clone(),
    };
    let plan = PlanView::new(
        snapshot.patient.clone(),
        (sections, snapshot.state),
        Vec::new(),
        team,
        snapshot.names.iter().cloned().collect(),
        snapshot.register.is_some(),
        basis,
    );
    let needs = crate::LatestNeeds::of(snapshot.assessments.clone(), snapshot.phase.as_slice());
    SummaryRecord {
        plan,
        register: snapshot.register.clone(),
        needs,
    }
}

/// The outcome of saving a section.
#[derive(Debug, Clone)]
pub enum SaveOutcome {
    Saved(SectionVersion),
    /// A colleague saved the section since the form was opened: theirs is the current version;
    /// nothing of the new save was stored.
    Conflict {
        theirs: Option<SectionVersion>,
    },
}

impl App {
    /// The patient's care plan, for care-team members and readers under emergency access.
    pub async fn care_plan(
        &self,
        actor: &Actor,
        patient: &PatientId,
    ) -> Result<PlanView, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let decision = access::decide(&mut tx, actor, patient, now).await?;
        let record = tx.patient(patient, system).await?;
        let mut view = None;
        if let (Some(record), Decision::Allowed(basis)) = (&record, &decision) {
            let reads = tx.plan_reads(patient).await?;
            let (plan, _) = read_plan(&mut tx, record, reads, *basis).await?;
            view = Some(plan);
        }
        drop(tx);
        let version = view.as_ref().and_then(|v| v.state.map(|s| s.version));
        self.finish_read(
            actor,
            patient,
            (RESOURCE, version),
            record.is_some(),
            decision,
            view,
            "plan",
        )
        .await
    }

    /// Saves a section of the plan from the version the author started from. A save from an
    /// older version stores nothing and returns the colleague's version to merge with. A save
    /// that carries out a meeting's decision (`decision`, its id) links the decision to the new
    /// section and plan versions in the same transaction.
    pub async fn save_plan_section(
        &self,
        actor: &Actor,
        patient: &PatientId,
        save: SectionSave,
        decision: Option<&str>,
    ) -> Result<SaveOutcome, AppError> {
        let section = save.content.section();
        if !actor
            .acting_role()
            .is_some_and(|r| section.may_edit(r.profession))
        {
            return Err(AppError::Forbidden(format!(
                "Your role does not record the section \"{}\": ask a colleague who does.",
                section.label()
            )));
        }
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let registered = tx
            .register_entries_of(patient)
            .await?
            .iter()
            .any(|e| e.leaving.is_none());
        if !registered {
            return Err(ValidationError::new(
                "section",
                "A care plan is kept for patients on the palliative care register: add the patient to the register first.",
            )
            .into());
        }
        let history = tx.section_versions(patient, section).await?;
        let current = history.first().map(|v| v.version);
        let checked = save.check(
            patient,
            current,
            &actor.practitioner_id,
            (self.today(), self.now()),
        )?;
        let version = match checked {
            Ok(version) => version,
            Err(_stale) => {
                return Ok(SaveOutcome::Conflict {
                    theirs: history.into_iter().next(),
                });
            }
        };
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Update,
            (RESOURCE, section.code(), version.version),
        )
        .await?;
        if !tx.insert_section_version(&version).await? {
            // A colleague's save of the same version committed between our read and our write.
            drop(tx);
            let mut tx = self.store.begin_read().await?;
            let theirs = tx
                .section_versions(patient, section)
                .await?
                .into_iter()
                .next();
            return Ok(SaveOutcome::Conflict { theirs });
        }
        if let Some(decision) = decision {
            let found = tx.decision(patient, decision).await?;
            let carried = found.as_ref().is_some_and(|d| {
                d.awaits_plan()
                    && d.plan_section == Some(section)
                    && d.recorded_by == actor.practitioner_id
            });
            let plan_version = tx.plan_state(patient).await?.map_or(0, |s| s.version);
            if !carried
                || !tx
                    .link_decision(decision, (version.version, plan_version))
                    .await?
            {
                return Err(ValidationError::new(
                    "decision",
                    "The meeting decision this save was to carry out is linked to a plan version already, or is not yours: save without it.",
                )
                .into());
            }
        }
        let current = tx.current_sections(patient).await?;
        let missing = readiness(current.iter().map(|v| &v.content), true);
        tx.set_plan_missing(patient, &hearth_domain::care_plan::missing_codes(&missing))
            .await?;
        // A significant change asks everyone in the team to read the plan again: their open
        // pages (the inbox) hear of it at once.
        let keys: Vec<String> = if section.significant() {
            tx.care_team(patient)
                .await?
                .iter()
                .filter(|m| m.is_active())
                .map(|m| crate::live::key_of(&m.member))
                .collect()
        } else {
            Vec::new()
        };
        self.live.commit(&self.store, tx, &keys).await?;
        Ok(SaveOutcome::Saved(version))
    }

    /// Records that the actor has read the plan up to `version`, which must be the current one.
    pub async fn acknowledge_plan(
        &self,
        actor: &Actor,
        patient: &PatientId,
        version: i64,
    ) -> Result<(), AppError> {
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let Some(state) = tx.plan_state(patient).await? else {
            return Err(
                ValidationError::new("version", "The plan has nothing to read yet.").into(),
            );
        };
        if state.version != version {
            return Err(AppError::Conflict(format!(
                "The plan changed while you were reading it (now version {}): read the changes, then confirm again.",
                state.version
            )));
        }
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Update,
            ("CarePlanRead", patient.as_str(), version),
        )
        .await?;
        tx.record_plan_read(patient, &actor.practitioner_id, version, self.now())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every version of one section, newest first, with the names of their authors.
    pub async fn section_history(
        &self,
        actor: &Actor,
        patient: &PatientId,
        section: Section,
    ) -> Result<(Vec<SectionVersion>, HashMap<PractitionerId, String>), AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let decision = access::decide(&mut tx, actor, patient, now).await?;
        let mut found = None;
        if decision.is_allowed() {
            let versions = tx.section_versions(patient, section).await?;
            let mut authors: Vec<PractitionerId> =
                versions.iter().map(|v| v.author.clone()).collect();
            authors.sort();
            authors.dedup();
            let names = tx.practitioner_names(&authors).await?;
            found = Some((versions, names));
        }
        drop(tx);
        self.finish_read(
            actor,
            patient,
            (RESOURCE, None),
            true,
            decision,
            found,
            "history",
        )
        .await
    }
}

/// Everything the out-of-hours summary shows, read in one transaction.
#[derive(Debug, Clone)]
pub struct OutOfHoursSummary {
    /// What the summary shows of the record. Made from the patient's stored snapshot, it may be
    /// shared with later summaries of the same snapshot read the same way.
    pub record: Arc<SummaryRecord>,
    /// Who gives specialist palliative care advice now, and next.
    pub on_call: Vec<crate::OnCallView>,
    /// What `record` was made from, when it was made from a stored snapshot: two summaries of
    /// one patient with the same key have the same record, so a page drawn from one may be
    /// shown for the other (with its own date and rota). `None`: read from the source tables.
    pub key: Option<SummaryKey>,
}

/// The part of the out-of-hours summary that comes from the patient's record.
#[derive(Debug, Clone)]
pub struct SummaryRecord {
    pub plan: PlanView,
    /// The active register entry, when the patient is on the register.
    pub register: Option<hearth_domain::register::RegisterEntry>,
    /// The latest assessment values with their direction, and the phase of illness.
    pub needs: crate::LatestNeeds,
}

/// What a [`SummaryRecord`] was made from: the digest of the stored snapshot, and whether it
/// is read under emergency access (which the summary says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SummaryKey {
    digest: i64,
    emergency: bool,
}

/// Summary records by patient, with the key each was made from. A node's summary of a patient
/// is made once per stored snapshot instead of once per view: the snapshot's digest is read
/// with the access facts in every summary's one statement, so a record is reused only while
/// the database still holds the snapshot it was made from.
pub(crate) type SummaryCache = hearth_store::SnapshotCache<SummaryRecord, SummaryKey>;

impl App {
    /// The out-of-hours summary: the one screen an on-call clinician needs at 2 a.m. Reached
    /// through the care team or emergency access, and audited either way.
    pub async fn out_of_hours_summary(
        &self,
        actor: &Actor,
        patient: &PatientId,
    ) -> Result<OutOfHoursSummary, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let now = self.now();
        // The access facts and the patient's stored snapshot, in one statement: the summary is
        // the 2 a.m. page and must not wait. Without a current snapshot it is read from the
        // source tables below.
        let fast = self
            .store
            .summary_facts(patient, access::reader(actor), now)
            .await?;
        if let Some((facts, Some(found))) = fast
            && found.snapshot.patient.national_number.system == *system
        {
            let decision = hearth_domain::access::decide(&facts, now);
            let version = found.snapshot.state.map(|s| s.version);
            let summary = match &decision {
                Decision::Allowed(basis) => {
                    let on_call = self.on_call_now(now).await?;
                    Some(self.summary_of(patient, &found, *basis, on_call))
                }
                Decision::Denied(_) => None,
            };
            return self
                .finish_read(
                    actor,
                    patient,
                    ("Composition", version),
                    true,
                    decision,
                    summary,
                    "summary",
                )
                .await;
        }
        let mut tx = self.store.begin_read().await?;
        let decision = access::decide(&mut tx, actor, patient, now).await?;
        let record = tx.patient(patient, system).await?;
        let mut summary = None;
        if let (Some(record), Decision::Allowed(basis)) = (&record, &decision) {
            let (plan, register) = read_plan(&mut tx, record, Vec::new(), *basis).await?;
            let on_call = self.rota.on_call(&mut tx, now).await?;
            let needs = crate::needs::latest_needs(&mut tx, patient).await?;
            summary = Some(OutOfHoursSummary {
                record: Arc::new(SummaryRecord {
                    plan,
                    register,
                    needs,
                }),
                on_call,
                key: None,
            });
        }
        drop(tx);
        let version = summary
            .as_ref()
            .and_then(|s| s.record.plan.state.map(|st| st.version));
        self.finish_read(
            actor,
            patient,
            ("Composition", version),
            record.is_some(),
            decision,
            summary,
            "summary",
        )
        .await
    }
}

impl App {
    /// The summary made from a readable patient's stored snapshot: the one this node made
    /// before from the same snapshot, read the same way, or a new one.
    fn summary_of(
        &self,
        patient: &PatientId,
        found: &hearth_store::FoundSnapshot,
        basis: AccessBasis,
        on_call: Vec<crate::OnCallView>,
    ) -> OutOfHoursSummary {
        let key = found.digest.map(|digest| SummaryKey {
            digest,
            emergency: basis == AccessBasis::EmergencyAccess,
        });
        let remembered = key.and_then(|key| self.summaries.get(patient.as_str(), &key));
        let record = remembered.unwrap_or_else(|| {
            let made = Arc::new(summary_from_snapshot(&found.snapshot, basis));
            if let Some(key) = key {
                self.summaries.put(patient.as_str(), key, Arc::clone(&made));
            }
            made
        });
        OutOfHoursSummary {
            record,
            on_call,
            key,
        }
    }
}

/// What the "who to call" leaflet for the patient's home shows.
#[derive(Debug, Clone)]
pub struct WhoToCall {
    pub patient: Patient,
    /// The organisations involved in the patient's care, with their numbers.
    pub organisations: Vec<hearth_domain::organisation::Organisation>,
    /// Out-of-hours services for the patient's area (all of them when none names the area).
    pub out_of_hours: Vec<hearth_domain::organisation::Organisation>,
    /// "Who to call first" from the crisis plan, when recorded.
    pub call_first: Option<String>,
    /// Specialist palliative care advice: who is on call now and next.
    pub advice: Vec<crate::OnCallView>,
}

impl App {
    /// The printable leaflet of numbers to call, day and night, for the patient's home.
    pub async fn who_to_call(
        &self,
        actor: &Actor,
        patient: &PatientId,
    ) -> Result<WhoToCall, AppError> {
        use hearth_domain::organisation::OrganisationKind;
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let decision = access::decide(&mut tx, actor, patient, now).await?;
        let record = tx.patient(patient, system).await?;
        let mut found = None;
        if let (Some(record), Decision::Allowed(_)) = (&record, &decision) {
            let organisations = tx.organisations_by_ids(&record.organisations).await?;
            let every = tx.all_organisations().await?;
            let ooh: Vec<_> = every
                .into_iter()
                .filter(|o| o.kind == OrganisationKind::OutOfHours)
                .collect();
            let local: Vec<_> = ooh
                .iter()
                .filter(|o| o.area.is_some() && o.area == record.area)
                .cloned()
                .collect();
            let call_first = tx
                .section_versions(patient, Section::CrisisPlan)
                .await?
                .into_iter()
                .next()
                .and_then(|v| match v.content {
                    hearth_domain::care_plan::Content::CrisisPlan { call_first, .. } => {
                        Some(call_first).filter(|c| !c.is_empty())
                    }
                    _ => None,
                });
            let advice = self.rota.on_call(&mut tx, now).await?;
            found = Some(WhoToCall {
                patient: record.clone(),
                organisations,
                out_of_hours: if local.is_empty() { ooh } else { local },
                call_first,
                advice,
            });
        }
        drop(tx);
        self.finish_read(
            actor,
            patient,
            ("DocumentReference", None),
            record.is_some(),
            decision,
            found,
            "leaflet",
        )
        .await
    }
}
