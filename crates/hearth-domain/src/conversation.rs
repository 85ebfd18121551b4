//! Talking together about a patient: conversations addressed to people, roles or whole services
//! of the care team, messages with urgency and a reply-by time, read receipts per recipient, and
//! "let's talk" requests that turn a thread into a scheduled phone or video call.
//!
//! The rules here are the ones the team relies on: who a message reaches (`recipients`), when an
//! unanswered reply-by time escalates (`unanswered`), and when Hearth suggests talking instead of
//! writing again (`suggest_talk`). See `docs/design/conversations.md`.

use jiff::{SignedDuration, Timestamp};

use crate::care_plan::Section;
use crate::care_team::{CareTeamMember, CareTeamRole, Member};
use crate::{PatientId, PractitionerId, ValidationError};

crate::coded_enum! {
    /// How soon a message needs the recipient's attention.
    pub enum Urgency {
        Routine => ("routine", "Routine"),
        Today => ("today", "Today"),
        Urgent => ("urgent", "Urgent"),
    }
}

crate::coded_enum! {
    /// How a "let's talk" conversation happens.
    pub enum TalkMode {
        Phone => ("phone", "Phone call"),
        Video => ("video", "Video call"),
    }
}

crate::coded_enum! {
    /// Where a "let's talk" request stands.
    pub enum TalkState {
        Proposed => ("proposed", "Waiting for a time to be picked"),
        Agreed => ("agreed", "Call agreed"),
        Held => ("held", "Call held"),
        Cancelled => ("cancelled", "Cancelled"),
    }
}

/// The longest message, in characters: a message, not a letter.
pub const MAX_BODY: usize = 4000;

/// The longest topic, in characters.
pub const MAX_TOPIC: usize = 120;

/// How far ahead a reply-by time or a proposed call may be.
pub const MAX_AHEAD: SignedDuration = SignedDuration::from_hours(24 * 28);

/// Author changes in a thread after which Hearth suggests a conversation: five messages that go
/// back and forth ("more than a few times").
pub const BACK_AND_FORTH: usize = 4;

/// Who a message is addressed to, as the sender chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addressee {
    /// One member of the care team (a person or a whole service), by membership id.
    Member(String),
    /// Everyone in the care team holding this role ("the district nurses").
    Role(CareTeamRole),
}

impl Addressee {
    /// Parses a form value: `member:ID` or `role:CODE`.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        let bad = || {
            ValidationError::new(
                "to",
                "Choose who the message is for from the care team's people, services and roles.",
            )
        };
        match value.split_once(':') {
            Some(("member", id)) if !id.is_empty() && id.len() <= 64 => {
                Ok(Addressee::Member(id.to_owned()))
            }
            Some(("role", code)) => CareTeamRole::from_code(code)
                .map(Addressee::Role)
                .ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    /// The form value of this addressee.
    pub fn code(&self) -> String {
        match self {
            Addressee::Member(id) => format!("member:{id}"),
            Addressee::Role(role) => format!("role:{}", role.code()),
        }
    }
}

/// The care-team members a message reaches: each addressed member, and every active member
/// holding an addressed role, once each, never the sender themself. Refused when nobody is
/// reached, or when an addressed member is not in the active team.
pub fn recipients(
    team: &[CareTeamMember],
    addressees: &[Addressee],
    sender: &PractitionerId,
) -> Result<Vec<Member>, ValidationError> {
    if addressees.is_empty() {
        return Err(ValidationError::new(
            "to",
            "Choose at least one person, service or role of the care team to send to.",
        ));
    }
    let active: Vec<&CareTeamMember> = team.iter().filter(|m| m.is_active()).collect();
    let mut reached: Vec<Member> = Vec::new();
    for addressee in addressees {
        let matching: Vec<&CareTeamMember> = match addressee {
            Addressee::Member(id) => {
                let found: Vec<_> = active.iter().copied().filter(|m| &m.id == id).collect();
                if found.is_empty() {
                    return Err(ValidationError::new(
                        "to",
                        "One of the people or services you chose is no longer in the care team; choose again.",
                    ));
                }
                found
            }
            Addressee::Role(role) => active.iter().copied().filter(|m| m.role == *role).collect(),
        };
        for member in matching {
            let is_sender = member.member == Member::Practitioner(sender.clone());
            if !is_sender && !reached.contains(&member.member) {
                reached.push(member.member.clone());
            }
        }
    }
    if reached.is_empty() {
        return Err(ValidationError::new(
            "to",
            "Nobody else in the care team holds the roles you chose; choose a person or service.",
        ));
    }
    Ok(reached)
}

/// A conversation about a patient, as its list and its page show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: String,
    pub patient_id: PatientId,
    pub topic: String,
    pub started_by: PractitionerId,
    /// Who the first message was addressed to, in words ("District nurses; Dr Amelia Hughes").
    pub addressed_to: String,
    pub started_at: Timestamp,
    pub last_message_at: Timestamp,
}

/// One recipient's read receipt for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub message_id: String,
    pub recipient: Member,
    pub read_at: Option<Timestamp>,
    pub read_by: Option<PractitionerId>,
}

/// A conversation with everything said and done in it: how a record's conversations are read
/// whole (the FHIR API, `hearth export`) and written back (`hearth import`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub conversation: Conversation,
    /// In the order sent.
    pub messages: Vec<Message>,
    /// Every recipient's receipt of every message, read or not.
    pub receipts: Vec<Receipt>,
    /// The "let's talk" requests, oldest first.
    pub talks: Vec<TalkRequest>,
}

impl Thread {
    /// Everyone the conversation names: authors, recipients (people, not services), readers,
    /// and those who asked for, agreed or held a call; repeats left in.
    pub fn people(&self) -> Vec<PractitionerId> {
        let recipients = self.receipts.iter().flat_map(|r| {
            let to = match &r.recipient {
                Member::Practitioner(id) => Some(id.clone()),
                Member::Service(_) => None,
            };
            [to, r.read_by.clone()].into_iter().flatten()
        });
        let talkers = self.talks.iter().flat_map(|t| {
            [
                Some(t.requested_by.clone()),
                t.agreed_by.clone(),
                t.outcome_by.clone(),
            ]
            .into_iter()
            .flatten()
        });
        self.messages
            .iter()
            .map(|m| m.author.clone())
            .chain(recipients)
            .chain(talkers)
            .collect()
    }

    /// Checks a conversation brought whole from elsewhere (`hearth import`) by the rules a
    /// conversation written here keeps: a topic, at least one message, each message's text
    /// within bounds (trimmed as a message sent here is), one to three proposed times per call
    /// request, and every part belonging to this conversation and patient.
    pub fn checked(mut self) -> Result<Thread, ValidationError> {
        let c = &self.conversation;
        let wrong = |what: &str| {
            ValidationError::new("conversation", format!("Conversation {}: {what}", c.id))
        };
        let topic = check_topic(&c.topic).map_err(|e| wrong(&e.message))?;
        if self.messages.is_empty() {
            return Err(wrong("a conversation has at least one message."));
        }
        let mut messages = Vec::with_capacity(self.messages.len());
        for mut m in std::mem::take(&mut self.messages) {
            if m.conversation_id != c.id || m.patient_id != c.patient_id {
                return Err(wrong(&format!(
                    "message {} is in another conversation or about another patient.",
                    m.id
                )));
            }
            m.body = crate::error::required_long_text("body", "The message", &m.body, MAX_BODY)
                .map_err(|e| wrong(&format!("message {}: {}", m.id, e.message)))?;
            messages.push(m);
        }
        if let Some(r) = self
            .receipts
            .iter()
            .find(|r| !messages.iter().any(|m| m.id == r.message_id))
        {
            return Err(wrong(&format!(
                "a read receipt is for message {}, which is not in it.",
                r.message_id
            )));
        }
        if let Some(t) = self.talks.iter().find(|t| {
            t.conversation_id != c.id
                || t.patient_id != c.patient_id
                || t.proposed.is_empty()
                || t.proposed.len() > MAX_PROPOSED
        }) {
            return Err(wrong(&format!(
                "call request {} proposes one to three times, in this conversation.",
                t.id
            )));
        }
        self.conversation.topic = topic;
        self.messages = messages;
        Ok(self)
    }
}

/// One message in a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    pub conversation_id: String,
    pub patient_id: PatientId,
    pub author: PractitionerId,
    pub body: String,
    pub urgency: Urgency,
    pub reply_by: Option<Timestamp>,
    /// The plan section the message is about, when the author linked one.
    pub section: Option<Section>,
    /// The task (of the same patient) the message is about, when the author linked one.
    pub task: Option<String>,
    pub sent_at: Timestamp,
    /// When the unanswered reply-by time was escalated to the author and the coordinator.
    pub escalated_at: Option<Timestamp>,
}

/// A message as typed, before it is stored.
#[derive(Debug, Clone, Default)]
pub struct MessageDraft {
    pub body: String,
    pub urgency: String,
    /// The reply-by time, already read from the form in local time (`None`: none asked).
    pub reply_by: Option<Timestamp>,
    /// A plan section code, or empty.
    pub section: String,
    /// The id of one of the patient's tasks, or empty (the app checks it is the patient's).
    pub task: String,
}

impl MessageDraft {
    /// Checks the draft and makes the message `id` of conversation `conversation` by `author`
    /// at `now`.
    pub fn check(
        &self,
        (id, conversation, patient): (String, String, &PatientId),
        author: &PractitionerId,
        now: Timestamp,
    ) -> Result<Message, ValidationError> {
        let body = crate::error::required_long_text("body", "The message", &self.body, MAX_BODY)?;
        let urgency = Urgency::from_code(self.urgency.trim()).ok_or_else(|| {
            ValidationError::new(
                "urgency",
                "Choose how urgent this is: routine, today or urgent.",
            )
        })?;
        if let Some(reply_by) = self.reply_by {
            if reply_by <= now {
                return Err(ValidationError::new(
                    "reply_by",
                    "The reply-by time has already passed: choose a time later than now.",
                ));
            }
            if reply_by.duration_since(now) > MAX_AHEAD {
                return Err(ValidationError::new(
                    "reply_by",
                    "A reply-by time is at most four weeks ahead.",
                ));
            }
        }
        let section = match self.section.trim() {
            "" => None,
            code => Some(Section::from_code(code).ok_or_else(|| {
                ValidationError::new("section", "Choose a section of the care plan, or none.")
            })?),
        };
        let task = match self.task.trim() {
            "" => None,
            id if crate::ids::is_valid(id) => Some(id.to_owned()),
            _ => {
                return Err(ValidationError::new(
                    "task",
                    "Choose one of this patient's tasks, or none.",
                ));
            }
        };
        Ok(Message {
            id,
            conversation_id: conversation,
            patient_id: patient.clone(),
            author: author.clone(),
            body,
            urgency,
            reply_by: self.reply_by,
            section,
            task,
            sent_at: now,
            escalated_at: None,
        })
    }
}

/// The care-team members a message mentions: each person of the team whose name follows an `@`
/// in the body ("@Sarah Okafor"), matched without regard to case, once each, never the author.
/// `named` pairs each active person of the team with their name. A mentioned person becomes a
/// recipient of the message (they get it in their inbox and a read receipt).
pub fn mentioned(body: &str, named: &[(Member, String)], author: &PractitionerId) -> Vec<Member> {
    let body = body.to_lowercase();
    let mut found: Vec<Member> = Vec::new();
    for (member, name) in named {
        let Member::Practitioner(person) = member else {
            continue;
        };
        let name = name.trim().to_lowercase();
        if name.is_empty() || person == author || found.contains(member) {
            continue;
        }
        let at = format!("@{name}");
        let mentions = body.match_indices(&at).any(|(start, _)| {
            // The name ends there: "@Sam Lee" does not mention "Sam Leeming".
            body[start + at.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
        });
        if mentions {
            found.push(member.clone());
        }
    }
    found
}

/// Checks a conversation's topic.
pub fn check_topic(topic: &str) -> Result<String, ValidationError> {
    crate::error::required_text("topic", "The topic", topic, MAX_TOPIC)
}

/// Whether `message` has been answered: a later message in its thread by someone else.
pub fn answered(message: &Message, thread: &[Message]) -> bool {
    thread
        .iter()
        .any(|m| m.sent_at >= message.sent_at && m.id != message.id && m.author != message.author)
}

/// The messages of `thread` whose reply-by time has passed at `now` without an answer and that
/// have not been escalated yet: each escalates once, to its author and the coordinator.
pub fn unanswered(thread: &[Message], now: Timestamp) -> Vec<&Message> {
    thread
        .iter()
        .filter(|m| m.escalated_at.is_none())
        .filter(|m| m.reply_by.is_some_and(|by| by <= now))
        .filter(|m| !answered(m, thread))
        .collect()
}

/// Why Hearth suggests talking rather than writing again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TalkSuggestion {
    /// The thread has gone back and forth this many times.
    BackAndForth(usize),
    /// The latest message is urgent and the thread is complex: three or more messages, or three
    /// or more people writing.
    UrgentAndComplex,
}

impl TalkSuggestion {
    /// The suggestion as the thread shows it.
    pub fn text(self) -> String {
        match self {
            TalkSuggestion::BackAndForth(turns) => format!(
                "This conversation has gone back and forth {turns} times. A phone or video call \
                 may settle it faster: suggest one with \"Let's talk\"."
            ),
            TalkSuggestion::UrgentAndComplex => "This is urgent and involves several messages or \
                 people. Talking may be safer than writing: suggest a call with \"Let's talk\"."
                .to_owned(),
        }
    }
}

/// Whether to suggest a conversation instead of another message (`thread` in the order sent).
/// Never while a call is already proposed or agreed in the thread.
pub fn suggest_talk(thread: &[Message], call_open: bool) -> Option<TalkSuggestion> {
    if call_open {
        return None;
    }
    let turns = thread
        .windows(2)
        .filter(|pair| pair[0].author != pair[1].author)
        .count();
    if turns >= BACK_AND_FORTH {
        return Some(TalkSuggestion::BackAndForth(turns));
    }
    let latest_urgent = thread.last().is_some_and(|m| m.urgency == Urgency::Urgent);
    let mut authors: Vec<&PractitionerId> = thread.iter().map(|m| &m.author).collect();
    authors.sort();
    authors.dedup();
    if latest_urgent && (thread.len() >= 3 || authors.len() >= 3) {
        return Some(TalkSuggestion::UrgentAndComplex);
    }
    None
}

/// A "let's talk" request: a call proposed at one of a few times, agreed by the other side,
/// then held with a short outcome note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TalkRequest {
    pub id: String,
    pub conversation_id: String,
    pub patient_id: PatientId,
    pub requested_by: PractitionerId,
    pub mode: TalkMode,
    /// The times proposed, earliest first (one to three).
    pub proposed: Vec<Timestamp>,
    pub state: TalkState,
    /// The time picked, once agreed.
    pub scheduled_at: Option<Timestamp>,
    pub agreed_by: Option<PractitionerId>,
    pub outcome: Option<String>,
    pub outcome_by: Option<PractitionerId>,
    pub created_at: Timestamp,
    pub version: i64,
}

/// The most times a request may propose.
pub const MAX_PROPOSED: usize = 3;

impl TalkRequest {
    /// A new request for a call at one of `proposed` (one to three distinct future times).
    pub fn propose(
        (id, conversation, patient): (String, String, &PatientId),
        requested_by: &PractitionerId,
        mode: &str,
        proposed: &[Timestamp],
        now: Timestamp,
    ) -> Result<Self, ValidationError> {
        let mode = TalkMode::from_code(mode.trim())
            .ok_or_else(|| ValidationError::new("mode", "Choose a phone call or a video call."))?;
        let mut times: Vec<Timestamp> = proposed.to_vec();
        times.sort();
        times.dedup();
        if times.is_empty() || times.len() > MAX_PROPOSED {
            return Err(ValidationError::new(
                "times",
                "Propose one, two or three different times for the call.",
            ));
        }
        if times.iter().any(|t| *t <= now) {
            return Err(ValidationError::new(
                "times",
                "A proposed time has already passed: propose times later than now.",
            ));
        }
        if times.iter().any(|t| t.duration_since(now) > MAX_AHEAD) {
            return Err(ValidationError::new(
                "times",
                "Propose times within the next four weeks.",
            ));
        }
        Ok(TalkRequest {
            id,
            conversation_id: conversation,
            patient_id: patient.clone(),
            requested_by: requested_by.clone(),
            mode,
            proposed: times,
            state: TalkState::Proposed,
            scheduled_at: None,
            agreed_by: None,
            outcome: None,
            outcome_by: None,
            created_at: now,
            version: 1,
        })
    }

    /// The other side picks one of the proposed times; the call is then on both calendars.
    pub fn agree(
        &mut self,
        chosen: Timestamp,
        by: &PractitionerId,
        now: Timestamp,
    ) -> Result<(), ValidationError> {
        if self.state != TalkState::Proposed {
            return Err(ValidationError::new(
                "time",
                "A time has already been agreed for this call, or it was cancelled.",
            ));
        }
        if by == &self.requested_by {
            return Err(ValidationError::new(
                "time",
                "You proposed these times: the colleague you asked picks one.",
            ));
        }
        if !self.proposed.contains(&chosen) {
            return Err(ValidationError::new(
                "time",
                "Pick one of the proposed times.",
            ));
        }
        if chosen <= now {
            return Err(ValidationError::new(
                "time",
                "That time has passed: ask for new times in the conversation.",
            ));
        }
        self.state = TalkState::Agreed;
        self.scheduled_at = Some(chosen);
        self.agreed_by = Some(by.clone());
        self.version += 1;
        Ok(())
    }

    /// Records the short outcome note after the call, by one of the two people on it.
    pub fn record_outcome(
        &mut self,
        note: &str,
        by: &PractitionerId,
        now: Timestamp,
    ) -> Result<(), ValidationError> {
        let Some(at) = self
            .scheduled_at
            .filter(|_| self.state == TalkState::Agreed)
        else {
            return Err(ValidationError::new(
                "outcome",
                "The outcome is recorded once a time has been agreed and the call has happened.",
            ));
        };
        if by != &self.requested_by && Some(by) != self.agreed_by.as_ref() {
            return Err(ValidationError::new(
                "outcome",
                "Only the two people on the call record its outcome.",
            ));
        }
        if now < at {
            return Err(ValidationError::new(
                "outcome",
                "The call has not happened yet: record its outcome afterwards.",
            ));
        }
        self.outcome = Some(crate::error::required_long_text(
            "outcome",
            "The outcome",
            note,
            MAX_BODY,
        )?);
        self.outcome_by = Some(by.clone());
        self.state = TalkState::Held;
        self.version += 1;
        Ok(())
    }

    /// The people the call is between: the requester and, once agreed, who agreed.
    pub fn participants(&self) -> Vec<&PractitionerId> {
        let mut people = vec![&self.requested_by];
        people.extend(self.agreed_by.as_ref());
        people
    }
}

#[cfg(test)]
mod tests;
