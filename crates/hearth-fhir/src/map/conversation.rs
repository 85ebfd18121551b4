//! Conversations about a patient: each message a Communication, each "let's talk" request a
//! CommunicationRequest. A conversation has no resource of its own: its messages carry its id
//! (the `conversation` extension) and its topic (`Communication.topic`), and answer the message
//! before them (`inResponseTo`).

use hearth_domain::advice::{AdviceCall, AdviceChannel};
use hearth_domain::conversation::Urgency;
use hearth_domain::conversation::{Message, Receipt, TalkMode, TalkRequest, TalkState, Thread};

use super::workflow::latest;
use super::*;

/// Hearth's kinds of Communication (its `communication-category` code system): a message in a
/// conversation about the patient, or a call to the specialist advice line.
pub const MESSAGE: (&str, &str) = ("message", "Message in a conversation about the patient");
pub const ADVICE_CALL: (&str, &str) = (
    "advice-call",
    "Call or message to the specialist palliative care advice line",
);

fn category((code, display): (&str, &str)) -> CodeableConcept {
    hearth_coding("communication-category", code, display)
}

/// The v3 ParticipationMode of the advice line's channel.
pub fn advice_medium(channel: AdviceChannel) -> (&'static str, &'static str) {
    match channel {
        AdviceChannel::Phone => ("PHONE", "telephone"),
        AdviceChannel::Message => ("ONLINEWRIT", "online written"),
    }
}

/// The FHIR priority of a message's urgency: routine, urgent ("today") and asap ("urgent"),
/// one to one so an import reads back the urgency sent.
pub fn priority(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::Routine => "routine",
        Urgency::Today => "urgent",
        Urgency::Urgent => "asap",
    }
}

/// The urgency of a FHIR priority (`stat` is as urgent as Hearth goes).
pub fn urgency(priority: &str) -> Option<Urgency> {
    match priority {
        "routine" => Some(Urgency::Routine),
        "urgent" => Some(Urgency::Today),
        "asap" | "stat" => Some(Urgency::Urgent),
        _ => None,
    }
}

/// The v3 ParticipationMode of a call, as the medium of a CommunicationRequest.
pub fn medium(mode: TalkMode) -> (&'static str, &'static str) {
    match mode {
        TalkMode::Phone => ("PHONE", "telephone"),
        TalkMode::Video => ("VIDEOCONF", "videoconferencing"),
    }
}

/// The FHIR status of a call request (its Hearth state is in the `talk-state` extension).
fn talk_status(state: TalkState) -> &'static str {
    match state {
        TalkState::Proposed | TalkState::Agreed => "active",
        TalkState::Held => "completed",
        TalkState::Cancelled => "revoked",
    }
}

/// The conversation a message or request belongs to; the first message also says whom it was
/// addressed to, in words.
fn conversation_extension(t: &Thread, first: bool) -> Extension {
    let mut parts = vec![Extension::string("id", &t.conversation.id)];
    if first && let Some(to) = non_empty(&t.conversation.addressed_to) {
        parts.push(Extension::string("addressed-to", &to));
    }
    Extension::complex(&extension("conversation"), parts)
}

/// Every message and call request of a conversation.
pub(super) fn conversation(
    p: &DomainPatient,
    t: &Thread,
    names: &HashMap<PractitionerId, String>,
) -> Vec<Resource> {
    let mut out: Vec<Resource> = t
        .messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let before = i.checked_sub(1).and_then(|b| t.messages.get(b));
            Resource::Communication(message(p, t, m, before, names))
        })
        .collect();
    out.extend(
        t.talks
            .iter()
            .map(|talk| Resource::CommunicationRequest(talk_request(p, t, talk, names))),
    );
    out
}

fn message(
    p: &DomainPatient,
    t: &Thread,
    m: &Message,
    before: Option<&Message>,
    names: &HashMap<PractitionerId, String>,
) -> Communication {
    let receipts: Vec<&Receipt> = t.receipts.iter().filter(|r| r.message_id == m.id).collect();
    let mut ext = vec![conversation_extension(t, before.is_none())];
    if let Some(at) = m.reply_by {
        ext.push(date_time(&extension("reply-by"), at));
    }
    if let Some(at) = m.escalated_at {
        ext.push(date_time(&extension("reply-by-escalated"), at));
    }
    if let Some(section) = m.section {
        ext.push(Extension::code(&extension("about-section"), section.code()));
    }
    for r in receipts.iter().filter(|r| r.read_at.is_some()) {
        let mut parts = vec![Extension::reference(
            "recipient",
            member_ref(&r.recipient, names),
        )];
        if let Some(at) = r.read_at {
            parts.push(date_time("read-at", at));
        }
        if let Some(by) = &r.read_by {
            parts.push(Extension::reference("read-by", practitioner_ref(by, names)));
        }
        ext.push(Extension::complex(&extension("read-receipt"), parts));
    }
    let mut about = Vec::new();
    if let Some(section) = m.section {
        about.push(Reference::named(
            "CarePlan",
            p.id.as_str(),
            &format!("Care plan: {}", section.label()),
        ));
    }
    if let Some(task) = &m.task {
        about.push(Reference::to("Task", task));
    }
    let updated = latest(
        [Some(m.sent_at), m.escalated_at]
            .into_iter()
            .chain(receipts.iter().map(|r| r.read_at)),
    )
    .unwrap_or(m.sent_at);
    Communication {
        id: m.id.clone(),
        meta: Some(Meta::versioned(1, updated)),
        extension: ext,
        in_response_to: before
            .map(|b| Reference::to("Communication", &b.id))
            .into_iter()
            .collect(),
        status: "completed".to_owned(),
        category: vec![category(MESSAGE)],
        priority: Some(priority(m.urgency).to_owned()),
        medium: Vec::new(),
        subject: patient_ref(p),
        topic: Some(CodeableConcept::text(&t.conversation.topic)),
        about,
        sent: Some(instant(m.sent_at)),
        received: None,
        recipient: receipts
            .iter()
            .map(|r| member_ref(&r.recipient, names))
            .collect(),
        sender: Some(practitioner_ref(&m.author, names)),
        payload: vec![CommunicationPayload {
            content_string: m.body.clone(),
        }],
    }
}

fn talk_request(
    p: &DomainPatient,
    t: &Thread,
    talk: &TalkRequest,
    names: &HashMap<PractitionerId, String>,
) -> CommunicationRequest {
    let mut ext = vec![
        conversation_extension(t, false),
        Extension::code(&extension("talk-state"), talk.state.code()),
    ];
    for at in &talk.proposed {
        ext.push(date_time(&extension("proposed-time"), *at));
    }
    if let Some(by) = &talk.agreed_by {
        ext.push(Extension::reference(
            &extension("agreed-by"),
            practitioner_ref(by, names),
        ));
    }
    let (code, display) = medium(talk.mode);
    CommunicationRequest {
        id: talk.id.clone(),
        meta: Some(Meta::versioned(talk.version, talk.created_at)),
        extension: ext,
        status: talk_status(talk.state).to_owned(),
        medium: vec![CodeableConcept::coded(
            codes::PARTICIPATION_MODE,
            code,
            display,
        )],
        subject: patient_ref(p),
        about: t
            .messages
            .first()
            .map(|m| Reference::named("Communication", &m.id, &t.conversation.topic))
            .into_iter()
            .collect(),
        payload: vec![CommunicationPayload {
            content_string: format!("{} about {}", talk.mode.label(), t.conversation.topic),
        }],
        occurrence_date_time: talk.scheduled_at.map(instant),
        authored_on: Some(instant(talk.created_at)),
        requester: Some(practitioner_ref(&talk.requested_by, names)),
        note: talk
            .outcome
            .as_deref()
            .and_then(non_empty)
            .map(|text| Annotation {
                author_reference: talk
                    .outcome_by
                    .as_ref()
                    .map(|by| practitioner_ref(by, names)),
                time: None,
                text,
            })
            .into_iter()
            .collect(),
    }
}

/// A call (or message) to the specialist advice line about the patient: who called, what they
/// asked (the first payload) and what was advised (the second), and what came of it.
pub(super) fn advice_call(
    p: &DomainPatient,
    a: &AdviceCall,
    names: &HashMap<PractitionerId, String>,
) -> Communication {
    let url = |name: &str| extension(name);
    let mut ext = vec![
        Extension::string(&url("caller-name"), &a.caller_name),
        Extension::code(&url("caller-role"), a.caller_role.code()),
    ];
    if let Some(org) = a.caller_organisation.as_deref().and_then(non_empty) {
        ext.push(Extension::string(&url("caller-organisation"), &org));
    }
    if let Some(words) = a.patient_description.as_deref().and_then(non_empty) {
        ext.push(Extension::string(&url("patient-description"), &words));
    }
    ext.push(Extension::code(&url("advice-outcome"), a.outcome.code()));
    ext.push(Extension::boolean(&url("out-of-hours"), a.out_of_hours));
    ext.push(Extension::reference(
        &url("logged-by"),
        practitioner_ref(&a.logged_by, names),
    ));
    let caller = match a.caller_organisation.as_deref().and_then(non_empty) {
        Some(org) => format!("{} ({}, {org})", a.caller_name, a.caller_role.label()),
        None => format!("{} ({})", a.caller_name, a.caller_role.label()),
    };
    let (code, display) = advice_medium(a.channel);
    Communication {
        id: a.id.clone(),
        meta: Some(Meta::versioned(1, a.logged_at)),
        extension: ext,
        in_response_to: Vec::new(),
        status: "completed".to_owned(),
        category: vec![category(ADVICE_CALL)],
        priority: None,
        medium: vec![CodeableConcept::coded(
            codes::PARTICIPATION_MODE,
            code,
            display,
        )],
        subject: patient_ref(p),
        topic: Some(CodeableConcept::text(&format!(
            "Advice line: {}",
            a.outcome.label()
        ))),
        about: Vec::new(),
        sent: Some(instant(a.received_at)),
        received: Some(instant(a.received_at)),
        recipient: a
            .service
            .iter()
            .map(|s| Reference::to("Organization", s.as_str()))
            .collect(),
        sender: Some(Reference {
            reference: None,
            display: Some(caller),
        }),
        payload: [&a.question, &a.advice]
            .into_iter()
            .map(|text| CommunicationPayload {
                content_string: text.clone(),
            })
            .collect(),
    }
}
