//! Meetings: planning one (a register review puts the practice's register on the agenda, most
//! pressing first), inviting people across organisations, recording who attended (which decides
//! whether it was a case conference), and per patient on the agenda the discussion notes,
//! decisions (which may update the shared plan, linked to the version that carries them) and
//! actions (which become tasks with the meeting as their source). See
//! `docs/design/meetings.md`.
//!
//! A meeting itself (kind, time, place, who takes part) is seen by its organiser, its
//! participants and the staff of its organisation. What it holds about a patient is part of
//! that patient's record: it is shown only to care-team members of that patient, every read of
//! it is audited, and every change goes through `begin_clinical_write`.

use std::collections::HashMap;

use hearth_domain::audit::AuditAction;
use hearth_domain::care_plan::Section;
use hearth_domain::meeting::{
    self, Decision, Meeting, MeetingDraft, MeetingKind, MeetingStatus, Participant,
};
use hearth_domain::patient::PatientSummary;
use hearth_domain::task::{Task, TaskSource};
use hearth_domain::{OrganisationId, PatientId, PractitionerId, PractitionerRoleId};
use hearth_domain::{ValidationError, care_team::Member};
use hearth_store::{AgendaItem, DirectoryEntry, PatientQuery, Tx};

use crate::access;
use crate::conversations::recipient_of;
use crate::tasks::NewTask;
use crate::{Actor, App, AppError};

const RESOURCE: &str = "Meeting";

/// How long after its start a meeting stays among the upcoming ones.
const STILL_UPCOMING: jiff::SignedDuration = jiff::SignedDuration::from_hours(3);

/// A meeting as planned: what, when and where, and the roles invited (practitioner role ids).
#[derive(Debug, Clone, Default)]
pub struct PlanMeeting {
    pub draft: MeetingDraft,
    pub invite: Vec<String>,
}

/// The meetings a clinician takes part in.
#[derive(Debug, Clone)]
pub struct MeetingList {
    pub upcoming: Vec<Meeting>,
    /// Held or cancelled in the last month, most recent first.
    pub recent: Vec<Meeting>,
    /// Everyone who can be invited, by organisation.
    pub people: Vec<DirectoryEntry>,
}

/// One patient on the agenda, as a care-team member of theirs sees it.
#[derive(Debug, Clone)]
pub struct AgendaView {
    pub item: AgendaItem,
    pub decisions: Vec<Decision>,
    pub actions: Vec<Task>,
    /// Whom an action can be given to (value, label), from the patient's care team.
    pub owners: Vec<(String, String)>,
}

/// A meeting with everything the reader may see of it.
#[derive(Debug, Clone)]
pub struct MeetingView {
    pub meeting: Meeting,
    pub organisation_name: String,
    pub participants: Vec<Participant>,
    /// Whether the attendance makes it a case conference.
    pub case_conference: bool,
    /// What a held meeting planned as a case conference lacked.
    pub shortfall: Option<&'static str>,
    pub agenda: Vec<AgendaView>,
    /// Patients on the agenda whose care teams the reader is not in (not named).
    pub hidden: usize,
    pub names: HashMap<PractitionerId, String>,
    pub services: HashMap<OrganisationId, String>,
    /// The reader's patients that are not on the agenda yet, to add.
    pub addable: Vec<PatientSummary>,
    /// Everyone who can be added as a participant.
    pub people: Vec<DirectoryEntry>,
    /// The plan sections the reader's role records (a decision may update one of them).
    pub sections: Vec<Section>,
    pub is_organiser: bool,
}

impl MeetingView {
    /// A practitioner's name, or a placeholder for someone no longer known.
    pub fn name_of(&self, id: &PractitionerId) -> String {
        self.names
            .get(id)
            .cloned()
            .unwrap_or_else(|| "a former colleague".to_owned())
    }
}

/// Meetings as the FHIR API serves them (Appointments): what, when and who, without their
/// agendas (which are patient data, shown only to each patient's care team).
#[derive(Debug, Clone, Default)]
pub struct MeetingRecords {
    /// Each meeting with its participants.
    pub meetings: Vec<(Meeting, Vec<Participant>)>,
    /// The names of the organisers and the participants.
    pub names: HashMap<PractitionerId, String>,
}

/// Whether `actor` takes part in `m`: organiser, participant, or staff of its organisation.
fn takes_part(actor: &Actor, m: &Meeting, participants: &[Participant]) -> bool {
    m.organiser == actor.practitioner_id
        || participants
            .iter()
            .any(|p| p.practitioner_id == actor.practitioner_id)
        || actor.acting_organisation().as_ref() == Some(&m.organisation_id)
}

fn not_found() -> AppError {
    AppError::NotFound("There is no such meeting, or you are not taking part in it.".to_owned())
}

impl App {
    /// The meetings the actor takes part in, and the people they could invite.
    pub async fn meetings(&self, actor: &Actor) -> Result<MeetingList, AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let month_ago = now
            .checked_sub(meeting::MAX_BEHIND)
            .unwrap_or(jiff::Timestamp::MIN);
        let all = tx.meetings_for(recipient_of(actor), month_ago, 300).await?;
        let people = tx.practitioner_directory().await?;
        let cutoff = now.checked_sub(STILL_UPCOMING).unwrap_or(now);
        let (mut recent, upcoming): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|m| m.status != MeetingStatus::Planned || m.starts_at < cutoff);
        recent.reverse();
        Ok(MeetingList {
            upcoming,
            recent,
            people,
        })
    }

    /// The meetings the actor takes part in, from a month ago on, soonest first (`only`: just
    /// that one, refused as not found when the actor does not take part in it), each with its
    /// participants. Not patient data: the agendas are left out, so no patient's record is read.
    pub async fn meeting_records(
        &self,
        actor: &Actor,
        only: Option<&str>,
    ) -> Result<MeetingRecords, AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let mut found = Vec::new();
        match only {
            Some(id) => found.push(self.meeting_taken_part_in(&mut tx, actor, id).await?),
            None => {
                let month_ago = now
                    .checked_sub(meeting::MAX_BEHIND)
                    .unwrap_or(jiff::Timestamp::MIN);
                for m in tx.meetings_for(recipient_of(actor), month_ago, 300).await? {
                    let participants = tx.participants(&m.id).await?;
                    found.push((m, participants));
                }
            }
        }
        let mut people: Vec<PractitionerId> = found
            .iter()
            .flat_map(|(m, ps)| {
                std::iter::once(m.organiser.clone())
                    .chain(ps.iter().map(|p| p.practitioner_id.clone()))
            })
            .collect();
        people.sort();
        people.dedup();
        let names = tx.practitioner_names(&people).await?;
        Ok(MeetingRecords {
            meetings: found,
            names,
        })
    }

    /// The actor's next planned meetings, for "My work".
    pub async fn upcoming_meetings(&self, actor: &Actor) -> Result<Vec<Meeting>, AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let from = now.checked_sub(STILL_UPCOMING).unwrap_or(now);
        let mut found = tx.meetings_for(recipient_of(actor), from, 20).await?;
        found.retain(|m| m.status == MeetingStatus::Planned);
        found.truncate(5);
        Ok(found)
    }

    /// Plans a meeting for the organisation the actor acts for, inviting the chosen roles (the
    /// organiser takes part too). A register review puts on its agenda every patient on that
    /// organisation's register whose care team the organiser is in: not ready for out of hours
    /// first, then deteriorating. Returns the meeting's id.
    pub async fn plan_meeting(&self, actor: &Actor, plan: PlanMeeting) -> Result<String, AppError> {
        crate::patients::require_clinician(actor)?;
        let role = actor.acting_role().ok_or_else(|| {
            AppError::Forbidden("Choose the role you act in before planning a meeting.".to_owned())
        })?;
        let now = self.now();
        let made = plan.draft.check(
            self.ids.new_id(),
            (&actor.practitioner_id, &role.organisation_id),
            now,
        )?;
        if plan.invite.len() > meeting::MAX_PARTICIPANTS {
            return Err(ValidationError::new(
                "invite",
                "Invite at most 60 people; the rest can read the notes afterwards.",
            )
            .into());
        }
        let mut tx = self.store.begin_write().await?;
        tx.insert_meeting(&made).await?;
        let mut invited = vec![role.role_id.to_string()];
        invited.extend(plan.invite.iter().map(|r| r.trim().to_owned()));
        let mut keys = Vec::new();
        for id in invited {
            let p = participant(&mut tx, &id, true).await?;
            if tx.insert_participant(&made.id, &p).await? {
                keys.push(format!("p:{}", p.practitioner_id));
            }
        }
        if made.kind == MeetingKind::RegisterReview {
            let candidates = tx.review_candidates(&role.organisation_id).await?;
            let ids = candidates.iter().map(|c| c.patient_id.clone()).collect();
            let readable = access::readable_in_team(&mut tx, actor, ids, now).await?;
            let ordered = meeting::review_order(
                candidates
                    .into_iter()
                    .filter(|c| readable.contains(&c.patient_id))
                    .collect(),
            );
            for (position, c) in ordered.iter().take(meeting::MAX_AGENDA).enumerate() {
                let position = i64::try_from(position).unwrap_or(i64::MAX);
                tx.insert_agenda_item(
                    &made.id,
                    &c.patient_id,
                    position,
                    (&actor.practitioner_id, now),
                )
                .await?;
                self.audit_change(
                    &mut tx,
                    actor,
                    &c.patient_id,
                    AuditAction::Create,
                    (RESOURCE, &made.id, made.version),
                )
                .await?;
            }
        }
        self.live.commit(&self.store, tx, &keys).await?;
        Ok(made.id)
    }

    /// A meeting with its participants and, for each patient on the agenda whose care team the
    /// actor is in, the notes, decisions and actions (each such patient's read is audited).
    pub async fn meeting(&self, actor: &Actor, id: &str) -> Result<MeetingView, AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let (found, participants) = self.meeting_taken_part_in(&mut tx, actor, id).await?;
        let items = tx.agenda(id).await?;
        let patients = items.iter().map(|i| i.patient_id.clone()).collect();
        let readable = access::readable_in_team(&mut tx, actor, patients, now).await?;
        let mut decisions = tx.decisions(id).await?;
        let mut tasks = tx.meeting_tasks(id).await?;
        let mut agenda = Vec::new();
        let mut members: Vec<Member> = participants
            .iter()
            .map(|p| Member::Practitioner(p.practitioner_id.clone()))
            .chain([
                Member::Practitioner(found.organiser.clone()),
                Member::Service(found.organisation_id.clone()),
            ])
            .collect();
        let mut teams = Vec::new();
        let hidden = items.len() - readable.len();
        for item in items {
            if !readable.contains(&item.patient_id) {
                continue;
            }
            let team = tx.care_team(&item.patient_id).await?;
            members.extend(team.iter().map(|m| m.member.clone()));
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut decisions)
                .into_iter()
                .partition(|d| d.patient_id == item.patient_id);
            decisions = rest;
            members.extend(
                mine.iter()
                    .map(|d| Member::Practitioner(d.recorded_by.clone())),
            );
            if let Some((p, _)) = &item.noted {
                members.push(Member::Practitioner(p.clone()));
            }
            let (actions, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut tasks)
                .into_iter()
                .partition(|t| t.patient_id == item.patient_id);
            tasks = rest;
            for t in &actions {
                members.push(Member::Practitioner(t.created_by.clone()));
                match &t.owner {
                    hearth_domain::task::TaskOwner::Person(p) => {
                        members.push(Member::Practitioner(p.clone()))
                    }
                    hearth_domain::task::TaskOwner::Service(o) => {
                        members.push(Member::Service(o.clone()))
                    }
                    hearth_domain::task::TaskOwner::Role(_) => {}
                }
            }
            teams.push(team);
            agenda.push(AgendaView {
                item,
                decisions: mine,
                actions,
                owners: Vec::new(),
            });
        }
        let (names, services) = self.names_for(&mut tx, members.into_iter()).await?;
        for (view, team) in agenda.iter_mut().zip(&teams) {
            view.owners = crate::conversations::choices(team, &names, &services);
        }
        let on_agenda: Vec<PatientId> = agenda.iter().map(|a| a.item.patient_id.clone()).collect();
        let system = &self.config.national_number_system.system_uri;
        let organisation = actor.acting_organisation();
        let mut query =
            PatientQuery::visible_to(system, &actor.practitioner_id, organisation.as_ref());
        query.registered_only = true;
        query.limit = 300;
        let (mut addable, _) = tx.search_patients(&query).await?;
        addable.retain(|p| !on_agenda.contains(&p.id));
        let people = tx.practitioner_directory().await?;
        drop(tx);
        // The patients offered for the agenda are a list of names, audited like a register page.
        let mut listed = access::audit_record(
            actor,
            now,
            None,
            AuditAction::Search,
            "Patient",
            None,
            &access::Decision::Allowed(hearth_domain::audit::AccessBasis::CareTeam),
        );
        listed.detail = Some(format!(
            "meeting {id}: {} patients offered for the agenda",
            addable.len()
        ));
        let mut records = vec![listed];
        records.extend(on_agenda.iter().map(|patient| {
            access::audit_record(
                actor,
                now,
                Some(patient),
                AuditAction::Read,
                RESOURCE,
                Some((id, found.version)),
                &access::Decision::Allowed(hearth_domain::audit::AccessBasis::CareTeam),
            )
        }));
        self.audit.append_all(records).await?;
        let sections = actor
            .acting_role()
            .map(|r| {
                Section::ALL
                    .iter()
                    .copied()
                    .filter(|s| s.may_edit(r.profession))
                    .collect()
            })
            .unwrap_or_default();
        Ok(MeetingView {
            organisation_name: services
                .get(&found.organisation_id)
                .cloned()
                .unwrap_or_default(),
            case_conference: meeting::is_case_conference(&participants),
            shortfall: match found.status {
                MeetingStatus::Held => {
                    meeting::case_conference_shortfall(found.kind, &participants)
                }
                _ => None,
            },
            is_organiser: found.organiser == actor.practitioner_id,
            meeting: found,
            participants,
            agenda,
            hidden,
            names,
            services,
            addable,
            people,
            sections,
        })
    }

    /// Records who attended (participants' role ids), adding anyone who attended uninvited
    /// (`add`, a role id). The meeting is then held.
    pub async fn record_attendance(
        &self,
        actor: &Actor,
        id: &str,
        attended: &[String],
        add: Option<&str>,
    ) -> Result<(), AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let mut tx = self.store.begin_write().await?;
        let (mut found, mut participants) = self.meeting_taken_part_in(&mut tx, actor, id).await?;
        let mut attended: Vec<PractitionerRoleId> = attended
            .iter()
            .map(|a| PractitionerRoleId::new(a.trim()))
            .collect();
        if let Some(add) = add.map(str::trim).filter(|a| !a.is_empty()) {
            let extra = participant(&mut tx, add, false).await?;
            attended.push(extra.role_id.clone());
            if !participants.iter().any(|p| p.role_id == extra.role_id) {
                tx.insert_participant(id, &extra).await?;
                participants.push(extra);
            }
        }
        found.record_attendance(&mut participants, &attended, now)?;
        if !tx.update_meeting(&found).await? {
            return Err(AppError::Conflict(
                "A colleague changed this meeting at the same moment: reload to see it.".to_owned(),
            ));
        }
        tx.set_attendance(id, &participants).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Cancels a planned meeting (its organiser only).
    pub async fn cancel_meeting(&self, actor: &Actor, id: &str) -> Result<(), AppError> {
        crate::patients::require_clinician(actor)?;
        let mut tx = self.store.begin_write().await?;
        let (mut found, participants) = self.meeting_taken_part_in(&mut tx, actor, id).await?;
        found.cancel(&actor.practitioner_id)?;
        if !tx.update_meeting(&found).await? {
            return Err(AppError::Conflict(
                "A colleague changed this meeting at the same moment: reload to see it.".to_owned(),
            ));
        }
        let keys: Vec<String> = participants
            .iter()
            .map(|p| format!("p:{}", p.practitioner_id))
            .collect();
        self.live.commit(&self.store, tx, &keys).await
    }

    /// Puts one of the actor's patients on a meeting's agenda, at the end.
    pub async fn add_to_agenda(
        &self,
        actor: &Actor,
        id: &str,
        patient: &PatientId,
    ) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let (found, _) = self.meeting_taken_part_in(&mut tx, actor, id).await?;
        if found.status == MeetingStatus::Cancelled {
            return Err(ValidationError::new("patient", "This meeting was cancelled.").into());
        }
        let agenda = tx.agenda(id).await?;
        if agenda.len() >= meeting::MAX_AGENDA {
            return Err(ValidationError::new(
                "patient",
                "The agenda is full (400 patients): plan another meeting.",
            )
            .into());
        }
        let next = agenda.iter().map(|i| i.position + 1).max().unwrap_or(0);
        if !tx
            .insert_agenda_item(id, patient, next, (&actor.practitioner_id, now))
            .await?
        {
            return Err(
                ValidationError::new("patient", "This patient is on the agenda already.").into(),
            );
        }
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Update,
            (RESOURCE, id, found.version),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the discussion notes about a patient on the agenda.
    pub async fn save_agenda_notes(
        &self,
        actor: &Actor,
        id: &str,
        patient: &PatientId,
        notes: &str,
    ) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Update, RESOURCE)
            .await?;
        let found = self.minutes_of(&mut tx, actor, id, patient).await?;
        let notes = hearth_domain::error::required_long_text(
            "notes",
            "The discussion notes",
            notes,
            meeting::MAX_NOTE,
        )?;
        tx.set_agenda_notes(id, patient, &notes, (&actor.practitioner_id, now))
            .await?;
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Update,
            (RESOURCE, id, found.version),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a decision about a patient on the agenda. When it changes the plan (`section`, a
    /// section code), the actor's role must record that section; the decision then waits for
    /// the section's save, which links it to the new version.
    pub async fn record_decision(
        &self,
        actor: &Actor,
        id: &str,
        patient: &PatientId,
        (text, section): (&str, &str),
    ) -> Result<Decision, AppError> {
        let now = self.now();
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Create, RESOURCE)
            .await?;
        self.minutes_of(&mut tx, actor, id, patient).await?;
        let decision = Decision::check(
            (self.ids.new_id(), id, patient),
            text,
            section,
            &actor.practitioner_id,
            now,
        )?;
        if let Some(section) = decision.plan_section
            && !actor
                .acting_role()
                .is_some_and(|r| section.may_edit(r.profession))
        {
            return Err(ValidationError::new(
                "section",
                format!(
                    "Your role does not record \"{}\": record the decision without a plan change and give the change to a colleague as an action.",
                    section.label()
                ),
            )
            .into());
        }
        tx.insert_decision(&decision).await?;
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Create,
            (RESOURCE, &decision.id, 1),
        )
        .await?;
        tx.commit().await?;
        Ok(decision)
    }

    /// The decision a plan save carries out, when it is still waiting for it.
    pub async fn decision_awaiting_plan(
        &self,
        actor: &Actor,
        patient: &PatientId,
        decision: &str,
    ) -> Result<Decision, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let mut tx = self.store.begin_read().await?;
        let access = access::decide(&mut tx, actor, patient, self.now()).await?;
        let exists = tx.patient(patient, system).await?.is_some();
        let found = match access {
            access::Decision::Allowed(_) => tx.decision(patient, decision).await?,
            access::Decision::Denied(_) => None,
        };
        drop(tx);
        let found = self
            .finish_read(
                actor,
                patient,
                (RESOURCE, None),
                exists,
                access,
                Some(found),
                "meeting decision",
            )
            .await?;
        match found {
            Some(d) if d.awaits_plan() && d.recorded_by == actor.practitioner_id => Ok(d),
            Some(_) => Err(ValidationError::new(
                "decision",
                "That decision is already linked to a plan version, or was recorded by a colleague.",
            )
            .into()),
            None => Err(AppError::NotFound(
                "There is no such decision for this patient.".to_owned(),
            )),
        }
    }

    /// Sets an action agreed in the meeting: a task for a person, service or role in the
    /// patient's care team, with the meeting as its source. Returns the task's id.
    pub async fn add_meeting_action(
        &self,
        actor: &Actor,
        id: &str,
        patient: &PatientId,
        mut new: NewTask,
    ) -> Result<String, AppError> {
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Create, "Task")
            .await?;
        self.minutes_of(&mut tx, actor, id, patient).await?;
        new.draft.source = TaskSource::Meeting.code().to_owned();
        new.draft.source_ref = Some(id.to_owned());
        let (made, keys) = self.insert_task(&mut tx, actor, patient, new).await?;
        self.live.commit(&self.store, tx, &keys).await?;
        Ok(made.id)
    }

    /// The meeting and its participants, when the actor takes part in it.
    async fn meeting_taken_part_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: &str,
    ) -> Result<(Meeting, Vec<Participant>), AppError> {
        let found = tx.meeting(id).await?.ok_or_else(not_found)?;
        let participants = tx.participants(id).await?;
        if !takes_part(actor, &found, &participants) {
            return Err(not_found());
        }
        Ok((found, participants))
    }

    /// The meeting, when the actor takes part in it, it takes minutes now and `patient` is on
    /// its agenda.
    async fn minutes_of(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: &str,
        patient: &PatientId,
    ) -> Result<Meeting, AppError> {
        let (found, _) = self.meeting_taken_part_in(tx, actor, id).await?;
        found.takes_minutes(self.now())?;
        if !tx.is_on_agenda(id, patient).await? {
            return Err(AppError::NotFound(
                "This patient is not on the meeting's agenda.".to_owned(),
            ));
        }
        Ok(found)
    }
}

/// A participant in the role with id `role` (a current role of anyone in the directory).
async fn participant(tx: &mut Tx, role: &str, invited: bool) -> Result<Participant, AppError> {
    let bad = || {
        AppError::from(ValidationError::new(
            "invite",
            "Choose the people to invite from the list.",
        ))
    };
    let id = PractitionerRoleId::parse(role).ok_or_else(bad)?;
    let (role, kind) = tx.role_to_invite(&id).await?.ok_or_else(bad)?;
    if !role.profession.is_clinical() {
        return Err(ValidationError::new(
            "invite",
            "Meetings about patients are for clinicians: choose people in clinical roles.",
        )
        .into());
    }
    Ok(Participant::in_role(&role, kind, invited))
}
