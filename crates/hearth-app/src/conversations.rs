//! Talking together about a patient: conversations, replies, read receipts, "let's talk"
//! requests and the escalation of unanswered reply-by times (`hearth_domain::conversation`).
//!
//! Reading a conversation is a read of the patient's record (access decided, audited); writing
//! in one is a change (care-team members only, audited in the same transaction). Opening a
//! conversation marks the reader's receipts read in the same transaction as its audit record.

use std::collections::HashMap;

use hearth_domain::audit::{AccessBasis, AuditAction};
use hearth_domain::care_team::{CareTeamMember, Member};
use hearth_domain::conversation::{
    self, Addressee, Message, MessageDraft, TalkRequest, TalkState, TalkSuggestion, Urgency,
};
use hearth_domain::patient::Patient;
use hearth_domain::{OrganisationId, PatientId, PractitionerId, ValidationError};
use hearth_store::{Conversation, Receipt, Recipient, Tx};
use jiff::Timestamp;

use crate::access::{self, Decision};
use crate::live::key_of;
use crate::{Actor, App, AppError};

const RESOURCE: &str = "Communication";

/// A patient's conversations, and whom a new one can be addressed to.
#[derive(Debug, Clone)]
pub struct ConversationList {
    pub patient: Patient,
    pub conversations: Vec<(Conversation, i64)>,
    pub choices: Vec<(String, String)>,
    pub names: HashMap<PractitionerId, String>,
    /// The patient's open tasks, which a new message may be about.
    pub tasks: Vec<hearth_domain::task::Task>,
    /// Whether the reader may write (care-team members; emergency access only reads).
    pub may_write: bool,
}

/// One message with its receipts, as the thread shows it.
#[derive(Debug, Clone)]
pub struct MessageLine {
    pub message: Message,
    pub receipts: Vec<Receipt>,
}

/// A conversation as its page shows it.
#[derive(Debug, Clone)]
pub struct ConversationView {
    pub patient: Patient,
    pub conversation: Conversation,
    pub messages: Vec<MessageLine>,
    pub talks: Vec<TalkRequest>,
    pub suggestion: Option<TalkSuggestion>,
    pub names: HashMap<PractitionerId, String>,
    pub services: HashMap<OrganisationId, String>,
    /// The patient's tasks: those messages are about, and the open ones a reply may be about.
    pub tasks: Vec<hearth_domain::task::Task>,
    pub may_write: bool,
}

impl ConversationView {
    /// The name of a recipient or author.
    pub fn name_of(&self, member: &Member) -> String {
        match member {
            Member::Practitioner(id) => self
                .names
                .get(id)
                .cloned()
                .unwrap_or_else(|| "a colleague".to_owned()),
            Member::Service(id) => self
                .services
                .get(id)
                .cloned()
                .unwrap_or_else(|| "a service".to_owned()),
        }
    }
}

/// A new conversation as typed.
#[derive(Debug, Clone, Default)]
pub struct NewConversation {
    pub topic: String,
    /// Addressee form values (`member:ID`, `role:CODE`).
    pub to: Vec<String>,
    pub message: MessageDraft,
}

/// The actor as a recipient: themself, and the service they act for.
pub(crate) fn recipient_of(actor: &Actor) -> Recipient<'_> {
    Recipient {
        practitioner: &actor.practitioner_id,
        organisation: actor.acting_role().map(|r| &r.organisation_id),
    }
}

/// The addressee choices for a care team: each active member, then each role held.
pub(crate) fn choices(
    team: &[CareTeamMember],
    names: &HashMap<PractitionerId, String>,
    services: &HashMap<OrganisationId, String>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for m in team.iter().filter(|m| m.is_active()) {
        let who = match &m.member {
            Member::Practitioner(id) => names.get(id).cloned().unwrap_or_default(),
            Member::Service(id) => services.get(id).cloned().unwrap_or_default(),
        };
        out.push((
            Addressee::Member(m.id.clone()).code(),
            format!("{who} ({})", m.role.label()),
        ));
    }
    let mut roles: Vec<_> = team
        .iter()
        .filter(|m| m.is_active())
        .map(|m| m.role)
        .collect();
    roles.sort();
    roles.dedup();
    for role in roles {
        out.push((
            Addressee::Role(role).code(),
            format!("Everyone in the team who is: {}", role.label()),
        ));
    }
    out
}

impl App {
    /// Names of practitioners and services mentioned by a team and a thread.
    pub(crate) async fn names_for(
        &self,
        tx: &mut Tx,
        members: impl Iterator<Item = Member>,
    ) -> Result<
        (
            HashMap<PractitionerId, String>,
            HashMap<OrganisationId, String>,
        ),
        AppError,
    > {
        let mut people = Vec::new();
        let mut services = Vec::new();
        for m in members {
            match m {
                Member::Practitioner(id) => people.push(id),
                Member::Service(id) => services.push(id),
            }
        }
        people.sort();
        people.dedup();
        services.sort();
        services.dedup();
        let names = tx.practitioner_names(&people).await?;
        let services = tx
            .organisations_by_ids(&services)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        Ok((names, services))
    }

    /// A patient's conversations and the addressee choices for a new one.
    pub async fn conversations(
        &self,
        actor: &Actor,
        patient: &PatientId,
    ) -> Result<ConversationList, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let decision = access::decide(&mut tx, actor, patient, now).await?;
        let record = tx.patient(patient, system).await?;
        let mut found = None;
        if let (Some(record), Decision::Allowed(basis)) = (&record, &decision) {
            let team = tx.care_team(patient).await?;
            let conversations = tx.conversations_of(patient).await?;
            let members = team
                .iter()
                .map(|m| m.member.clone())
                .chain(
                    conversations
                        .iter()
                        .map(|(c, _)| Member::Practitioner(c.started_by.clone())),
                )
                .collect::<Vec<_>>();
            let (names, services) = self.names_for(&mut tx, members.into_iter()).await?;
            let mut tasks = tx.tasks_of(patient).await?;
            tasks.retain(|t| t.status == hearth_domain::task::TaskStatus::Open);
            found = Some(ConversationList {
                patient: record.clone(),
                choices: choices(&team, &names, &services),
                conversations,
                names,
                tasks,
                may_write: *basis != AccessBasis::EmergencyAccess,
            });
        }
        drop(tx);
        self.finish_read(
            actor,
            patient,
            (RESOURCE, None),
            record.is_some(),
            decision,
            found,
            "conversations",
        )
        .await
    }

    /// Starts a conversation with its first message; returns the conversation's id.
    pub async fn start_conversation(
        &self,
        actor: &Actor,
        patient: &PatientId,
        new: NewConversation,
    ) -> Result<String, AppError> {
        let now = self.now();
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Create, RESOURCE)
            .await?;
        let topic = conversation::check_topic(&new.topic)?;
        let addressees = new
            .to
            .iter()
            .map(|v| Addressee::parse(v))
            .collect::<Result<Vec<_>, _>>()?;
        let team = tx.care_team(patient).await?;
        let reached = conversation::recipients(&team, &addressees, &actor.practitioner_id)?;
        let id = self.ids.new_id();
        let message = new.message.check(
            (self.ids.new_id(), id.clone(), patient),
            &actor.practitioner_id,
            now,
        )?;
        let (names, services) = self.names_for(&mut tx, reached.iter().cloned()).await?;
        let addressed_to = addressees
            .iter()
            .map(|a| match a {
                Addressee::Role(role) => format!("everyone who is: {}", role.label()),
                Addressee::Member(member) => team
                    .iter()
                    .find(|m| &m.id == member)
                    .map(|m| match &m.member {
                        Member::Practitioner(p) => names.get(p).cloned().unwrap_or_default(),
                        Member::Service(o) => services.get(o).cloned().unwrap_or_default(),
                    })
                    .unwrap_or_default(),
            })
            .collect::<Vec<_>>()
            .join("; ");
        tx.insert_conversation(&Conversation {
            id: id.clone(),
            patient_id: patient.clone(),
            topic,
            started_by: actor.practitioner_id.clone(),
            addressed_to,
            started_at: now,
            last_message_at: now,
        })
        .await?;
        self.post(tx, actor, patient, &message, &reached).await?;
        Ok(id)
    }

    /// Stores `message` for `recipients`, audits it and announces it; commits `tx`.
    async fn post(
        &self,
        mut tx: Tx,
        actor: &Actor,
        patient: &PatientId,
        message: &Message,
        addressed: &[Member],
    ) -> Result<(), AppError> {
        if let Some(task) = &message.task
            && tx.task(patient, task).await?.is_none()
        {
            return Err(ValidationError::new(
                "task",
                "Choose one of this patient's tasks, or none.",
            )
            .into());
        }
        // Whoever the message mentions ("@Sarah Okafor") receives it too.
        let team = tx.care_team(patient).await?;
        let people: Vec<Member> = team
            .iter()
            .filter(|m| m.is_active() && matches!(m.member, Member::Practitioner(_)))
            .map(|m| m.member.clone())
            .collect();
        let (names, _) = self.names_for(&mut tx, people.iter().cloned()).await?;
        let named: Vec<(Member, String)> = people
            .into_iter()
            .filter_map(|m| match &m {
                Member::Practitioner(p) => names.get(p).cloned().map(|n| (m.clone(), n)),
                Member::Service(_) => None,
            })
            .collect();
        let mut reached = addressed.to_vec();
        for member in conversation::mentioned(&message.body, &named, &actor.practitioner_id) {
            if !reached.contains(&member) {
                reached.push(member);
            }
        }
        let recipients = reached.as_slice();
        tx.insert_message(message, recipients).await?;
        self.audit_change(
            &mut tx,
            actor,
            patient,
            AuditAction::Create,
            (RESOURCE, &message.id, 1),
        )
        .await?;
        if message.urgency == hearth_domain::conversation::Urgency::Urgent {
            // People addressed in person are told by e-mail too (when configured); a service's
            // shared inbox is watched in Hearth.
            for recipient in recipients {
                if let Member::Practitioner(person) = recipient
                    && person != &actor.practitioner_id
                {
                    self.queue_mail(
                        &mut tx,
                        person,
                        hearth_domain::notification::MailReason::UrgentMessage,
                    )
                    .await?;
                }
            }
        }
        let mut keys: Vec<String> = recipients.iter().map(key_of).collect();
        keys.push(format!("p:{}", actor.practitioner_id));
        self.live.commit(&self.store, tx, &keys).await
    }

    /// The conversation, with the reader's receipts marked read.
    pub async fn conversation(
        &self,
        actor: &Actor,
        patient: &PatientId,
        id: &str,
    ) -> Result<ConversationView, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let now = self.now();
        let mut tx = self.store.begin_write().await?;
        let decision = access::decide(&mut tx, actor, patient, now).await?;
        let record = tx.patient(patient, system).await?;
        let basis = match (&record, &decision) {
            (Some(_), Decision::Allowed(basis)) => Some(*basis),
            _ => None,
        };
        let found = match basis {
            Some(_) => tx.conversation(patient, id).await?,
            None => None,
        };
        let audit = access::audit_record(
            actor,
            now,
            Some(patient),
            AuditAction::Read,
            RESOURCE,
            found.as_ref().map(|c| (c.id.as_str(), 1)),
            &decision,
        );
        let (Some(record), Some(basis), Some(conversation)) = (record, basis, found) else {
            drop(tx);
            self.audit.append(audit).await?;
            return match decision {
                Decision::Denied(denial) => Err(access::refusal(patient, denial)),
                Decision::Allowed(_) => Err(AppError::NotFound(
                    "There is no such conversation about this patient.".to_owned(),
                )),
            };
        };
        let may_write = basis != AccessBasis::EmergencyAccess;
        // Someone reading under emergency access is not a recipient: no receipt changes.
        let marked = if may_write {
            tx.mark_conversation_read(&conversation.id, recipient_of(actor), now)
                .await?
        } else {
            0
        };
        let messages = tx.messages_of(&conversation.id).await?;
        let receipts = tx.receipts_of(&conversation.id).await?;
        let talks = tx.talks_of(&conversation.id).await?;
        let tasks = tx.tasks_of(patient).await?;
        let members = messages
            .iter()
            .map(|m| Member::Practitioner(m.author.clone()))
            .chain(receipts.iter().map(|r| r.recipient.clone()))
            .chain(
                receipts
                    .iter()
                    .filter_map(|r| r.read_by.clone().map(Member::Practitioner)),
            )
            .chain(talks.iter().flat_map(|t| {
                t.participants()
                    .into_iter()
                    .map(|p| Member::Practitioner(p.clone()))
                    .collect::<Vec<_>>()
            }))
            .collect::<Vec<_>>();
        let (names, services) = self.names_for(&mut tx, members.into_iter()).await?;
        tx.append_audit(&audit).await?;
        // The authors whose messages were just read see the receipts appear.
        let keys: Vec<String> = if marked > 0 {
            let mut authors: Vec<String> =
                messages.iter().map(|m| format!("p:{}", m.author)).collect();
            authors.sort();
            authors.dedup();
            authors
        } else {
            Vec::new()
        };
        self.live.commit(&self.store, tx, &keys).await?;
        let call_open = talks
            .iter()
            .any(|t| matches!(t.state, TalkState::Proposed | TalkState::Agreed));
        let suggestion = conversation::suggest_talk(&messages, call_open);
        let mut by_message: HashMap<String, Vec<Receipt>> = HashMap::new();
        for receipt in receipts {
            by_message
                .entry(receipt.message_id.clone())
                .or_default()
                .push(receipt);
        }
        Ok(ConversationView {
            patient: record,
            messages: messages
                .into_iter()
                .map(|message| MessageLine {
                    receipts: by_message.remove(&message.id).unwrap_or_default(),
                    message,
                })
                .collect(),
            conversation,
            talks,
            suggestion,
            names,
            services,
            tasks,
            may_write,
        })
    }

    /// Opens a change to a conversation: access checked, the conversation read.
    async fn begin_conversation_write(
        &self,
        actor: &Actor,
        patient: &PatientId,
        id: &str,
    ) -> Result<(Tx, Conversation), AppError> {
        let mut tx = self
            .begin_clinical_write(actor, patient, AuditAction::Create, RESOURCE)
            .await?;
        let conversation = tx.conversation(patient, id).await?.ok_or_else(|| {
            AppError::NotFound("There is no such conversation about this patient.".to_owned())
        })?;
        Ok((tx, conversation))
    }

    /// The people a new message in `conversation` reaches: everyone it has reached or heard
    /// from, except the writer.
    async fn thread_recipients(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        conversation: &str,
    ) -> Result<Vec<Member>, AppError> {
        let me = Member::Practitioner(actor.practitioner_id.clone());
        Ok(tx
            .conversation_participants(conversation)
            .await?
            .into_iter()
            .filter(|m| m != &me)
            .collect())
    }

    /// Replies in a conversation, to everyone in it.
    pub async fn reply(
        &self,
        actor: &Actor,
        patient: &PatientId,
        id: &str,
        draft: MessageDraft,
    ) -> Result<(), AppError> {
        let now = self.now();
        let (mut tx, conversation) = self.begin_conversation_write(actor, patient, id).await?;
        let message = draft.check(
            (self.ids.new_id(), conversation.id.clone(), patient),
            &actor.practitioner_id,
            now,
        )?;
        let recipients = self
            .thread_recipients(&mut tx, actor, &conversation.id)
            .await?;
        self.post(tx, actor, patient, &message, &recipients).await
    }

    /// Asks for a phone or video call at one of `times` instead of another message. The request
    /// is also a message in the thread, so everyone in it sees it in their inbox.
    pub async fn request_talk(
        &self,
        actor: &Actor,
        patient: &PatientId,
        id: &str,
        mode: &str,
        times: &[Timestamp],
    ) -> Result<(), AppError> {
        let now = self.now();
        let (mut tx, conversation) = self.begin_conversation_write(actor, patient, id).await?;
        let talk = TalkRequest::propose(
            (self.ids.new_id(), conversation.id.clone(), patient),
            &actor.practitioner_id,
            mode,
            times,
            now,
        )?;
        let open = tx
            .talks_of(&conversation.id)
            .await?
            .iter()
            .any(|t| matches!(t.state, TalkState::Proposed | TalkState::Agreed));
        if open {
            return Err(AppError::Conflict(
                "A call is already proposed or agreed in this conversation.".to_owned(),
            ));
        }
        tx.insert_talk(&talk).await?;
        let times = talk
            .proposed
            .iter()
            .map(|t| self.local_time(*t))
            .collect::<Vec<_>>()
            .join(", or ");
        let body = format!(
            "Let's talk: I would rather discuss this by {}. Could you do {times}? Pick a time \
             below.",
            talk.mode.label().to_lowercase()
        );
        self.post_note(tx, actor, patient, &conversation.id, body, now)
            .await
    }

    /// Posts a note written by Hearth on the actor's behalf (a call proposed, agreed or held).
    async fn post_note(
        &self,
        mut tx: Tx,
        actor: &Actor,
        patient: &PatientId,
        conversation: &str,
        body: String,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let draft = MessageDraft {
            body,
            urgency: Urgency::Routine.code().to_owned(),
            reply_by: None,
            section: String::new(),
            task: String::new(),
        };
        let message = draft.check(
            (self.ids.new_id(), conversation.to_owned(), patient),
            &actor.practitioner_id,
            now,
        )?;
        let recipients = self.thread_recipients(&mut tx, actor, conversation).await?;
        self.post(tx, actor, patient, &message, &recipients).await
    }

    /// Loads a call of a conversation for a change.
    async fn talk_for_change(
        tx: &mut Tx,
        conversation: &str,
        talk: &str,
    ) -> Result<TalkRequest, AppError> {
        tx.talks_of(conversation)
            .await?
            .into_iter()
            .find(|t| t.id == talk)
            .ok_or_else(|| AppError::NotFound("There is no such call in this conversation.".into()))
    }

    /// Picks one of the proposed times (`None`: the form named none): the call is then on both
    /// people's calendars.
    pub async fn agree_talk(
        &self,
        actor: &Actor,
        patient: &PatientId,
        id: &str,
        talk: &str,
        chosen: Option<Timestamp>,
    ) -> Result<(), AppError> {
        let now = self.now();
        let (mut tx, conversation) = self.begin_conversation_write(actor, patient, id).await?;
        let mut request = Self::talk_for_change(&mut tx, &conversation.id, talk).await?;
        let chosen = chosen.ok_or_else(|| {
            hearth_domain::ValidationError::new("time", "Pick one of the proposed times.")
        })?;
        request.agree(chosen, &actor.practitioner_id, now)?;
        if !tx.update_talk(&request).await? {
            return Err(AppError::Conflict(
                "A colleague answered this request at the same moment: reload to see it.".into(),
            ));
        }
        let body = format!(
            "Call agreed: {} at {}.",
            request.mode.label(),
            self.local_time(chosen)
        );
        self.post_note(tx, actor, patient, &conversation.id, body, now)
            .await
    }

    /// Records the short outcome of a held call.
    pub async fn record_talk_outcome(
        &self,
        actor: &Actor,
        patient: &PatientId,
        id: &str,
        talk: &str,
        note: &str,
    ) -> Result<(), AppError> {
        let now = self.now();
        let (mut tx, conversation) = self.begin_conversation_write(actor, patient, id).await?;
        let mut request = Self::talk_for_change(&mut tx, &conversation.id, talk).await?;
        request.record_outcome(note, &actor.practitioner_id, now)?;
        if !tx.update_talk(&request).await? {
            return Err(AppError::Conflict(
                "A colleague recorded this call's outcome at the same moment: reload to see it."
                    .into(),
            ));
        }
        let body = format!(
            "Outcome of the call: {}",
            request.outcome.clone().unwrap_or_default()
        );
        self.post_note(tx, actor, patient, &conversation.id, body, now)
            .await
    }

    /// A subscription to the live updates for `actor`'s open pages.
    pub fn live_updates(&self, actor: &Actor) -> crate::LiveUpdates {
        self.live.subscribe(actor)
    }
}
