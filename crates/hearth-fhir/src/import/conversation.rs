//! Conversations (Communication for each message, CommunicationRequest for each "let's talk"
//! request), gathered into whole conversations by the `conversation` extension their messages
//! carry. A conversation's topic, first author and times are its messages'.

use hearth_domain::care_plan::Section;
use hearth_domain::care_team::Member;
use hearth_domain::conversation::{
    Conversation, Message, Receipt, TalkMode, TalkRequest, TalkState, Thread,
};

use super::workflow::instant_of;
use super::*;

/// The conversation id a message or request carries, and whom the first message was addressed
/// to.
fn conversation_of(ext: &[Extension], what: &str) -> Result<(String, String), OperationOutcome> {
    let parts = extensions(ext, "conversation")
        .next()
        .map(|e| &e.extension)
        .ok_or_else(|| {
            refuse(
                IssueType::Required,
                format!(
                    "{what} needs the conversation extension (the conversation it belongs to)."
                ),
            )
        })?;
    let part = |name: &str| {
        parts
            .iter()
            .find(|p| p.url == name)
            .and_then(|p| p.value_string.clone())
    };
    let id = part("id")
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| {
            refuse(
                IssueType::Required,
                format!("{what}: the conversation extension needs the conversation's id."),
            )
        })?;
    Ok((id, part("addressed-to").unwrap_or_default()))
}

fn date_time_of(e: &Extension, what: &str) -> Result<Timestamp, OperationOutcome> {
    instant_of(e.value_date_time.as_deref(), what)
}

/// A message read from a Communication, with the conversation it is in.
pub(super) struct Said {
    index: usize,
    conversation: String,
    addressed_to: String,
    topic: String,
    message: Message,
    receipts: Vec<Receipt>,
}

/// One message.
pub(super) fn message(
    index: usize,
    c: &fhir::Communication,
    patients: &mut Patients,
) -> Result<Said, OperationOutcome> {
    let what = format!("Communication/{}", c.id);
    let record = record_of(patients, &c.subject, &what)?;
    let required =
        |element: &str| refuse(IssueType::Required, format!("{what} needs its {element}."));
    if c.status != "completed" {
        return Err(invalid(format!(
            "{what} is {}: Hearth keeps messages that were sent (status completed).",
            c.status
        )));
    }
    if let Some(code) = hearth_code(&c.category, "communication-category")
        && code != crate::map::MESSAGE.0
    {
        return Err(invalid(format!(
            "{what}: Hearth has no kind of communication \"{code}\"."
        )));
    }
    if !c.medium.is_empty() || c.received.is_some() {
        return Err(refuse(
            IssueType::NotSupported,
            format!(
                "{what}: a message in a conversation has no medium or received time in Hearth (they are an advice call's)."
            ),
        ));
    }
    let (conversation, addressed_to) = conversation_of(&c.extension, &what)?;
    let topic = c
        .topic
        .as_ref()
        .and_then(|t| t.text.clone())
        .ok_or_else(|| required("topic (the conversation's topic, as text)"))?;
    let [payload] = c.payload.as_slice() else {
        return Err(required("payload (the message, one contentString)"));
    };
    let urgency = match c.priority.as_deref() {
        None => hearth_domain::conversation::Urgency::Routine,
        Some(p) => crate::map::urgency(p)
            .ok_or_else(|| invalid(format!("{what}: no priority \"{p}\".")))?,
    };
    let one = |name: &str| extensions(&c.extension, name).next();
    let section =
        match ext_code(&c.extension, "about-section") {
            None => None,
            Some(code) => Some(Section::from_code(code).ok_or_else(|| {
                invalid(format!("{what}: the care plan has no section \"{code}\"."))
            })?),
        };
    let message = Message {
        id: c.id.clone(),
        conversation_id: conversation.clone(),
        patient_id: record.id.clone(),
        author: PractitionerId::new(
            reference_id(c.sender.as_ref(), "Practitioner")
                .ok_or_else(|| required("sender (a Practitioner)"))?,
        ),
        body: payload.content_string.clone(),
        urgency,
        reply_by: one("reply-by")
            .map(|e| date_time_of(e, &format!("{what}: the reply-by time")))
            .transpose()?,
        section,
        task: c
            .about
            .iter()
            .find_map(|r| reference_id(Some(r), "Task"))
            .map(str::to_owned),
        sent_at: instant_of(c.sent.as_deref(), &format!("{what}.sent"))?,
        escalated_at: one("reply-by-escalated")
            .map(|e| date_time_of(e, &format!("{what}: the escalation time")))
            .transpose()?,
    };
    let mut receipts: Vec<Receipt> = c
        .recipient
        .iter()
        .map(|r| {
            member_of(Some(r))
                .map(|recipient| Receipt {
                    message_id: c.id.clone(),
                    recipient,
                    read_at: None,
                    read_by: None,
                })
                .ok_or_else(|| {
                    invalid(format!(
                        "{what}: a recipient is a Practitioner or an Organization (a service) of the care team."
                    ))
                })
        })
        .collect::<Result<_, _>>()?;
    for e in extensions(&c.extension, "read-receipt") {
        let part = |name: &str| e.extension.iter().find(|p| p.url == name);
        let recipient = part("recipient")
            .and_then(|p| p.value_reference.as_ref())
            .and_then(|r| member_of(Some(r)));
        let Some(receipt) = receipts
            .iter_mut()
            .find(|r| Some(&r.recipient) == recipient.as_ref())
        else {
            return Err(invalid(format!(
                "{what}: a read receipt is for one of the message's recipients."
            )));
        };
        receipt.read_at = Some(
            part("read-at")
                .map(|p| date_time_of(p, &format!("{what}: the time a receipt was read")))
                .transpose()?
                .ok_or_else(|| required("read-at of each read receipt"))?,
        );
        receipt.read_by = part("read-by")
            .and_then(|p| reference_id(p.value_reference.as_ref(), "Practitioner"))
            .map(PractitionerId::new);
    }
    Ok(Said {
        index,
        conversation,
        addressed_to,
        topic,
        message,
        receipts,
    })
}

/// A "let's talk" request, with the conversation it is in.
pub(super) fn talk(
    r: &fhir::CommunicationRequest,
    patients: &mut Patients,
) -> Result<TalkRequest, OperationOutcome> {
    let what = format!("CommunicationRequest/{}", r.id);
    let record = record_of(patients, &r.subject, &what)?;
    let required =
        |element: &str| refuse(IssueType::Required, format!("{what} needs its {element}."));
    let (conversation, _) = conversation_of(&r.extension, &what)?;
    let mode = r
        .medium
        .iter()
        .find_map(|m| m.code_in(codes::PARTICIPATION_MODE))
        .ok_or_else(|| required("medium (PHONE or VIDEOCONF, v3 ParticipationMode)"))?;
    let mode = [TalkMode::Phone, TalkMode::Video]
        .into_iter()
        .find(|m| crate::map::medium(*m).0 == mode)
        .ok_or_else(|| {
            invalid(format!(
                "{what}: Hearth arranges phone (PHONE) and video (VIDEOCONF) calls, not \"{mode}\"."
            ))
        })?;
    let note = r.note.first();
    Ok(TalkRequest {
        id: r.id.clone(),
        conversation_id: conversation,
        patient_id: record.id.clone(),
        requested_by: PractitionerId::new(
            reference_id(r.requester.as_ref(), "Practitioner")
                .ok_or_else(|| required("requester (a Practitioner)"))?,
        ),
        mode,
        proposed: extensions(&r.extension, "proposed-time")
            .map(|e| date_time_of(e, &format!("{what}: a proposed time")))
            .collect::<Result<_, _>>()?,
        state: coded(
            ext_code(&r.extension, "talk-state"),
            "talk state",
            TalkState::from_code,
        )?,
        scheduled_at: r
            .occurrence_date_time
            .as_deref()
            .map(|t| instant_of(Some(t), &format!("{what}.occurrenceDateTime")))
            .transpose()?,
        agreed_by: extensions(&r.extension, "agreed-by")
            .find_map(|e| reference_id(e.value_reference.as_ref(), "Practitioner"))
            .map(PractitionerId::new),
        outcome: note.map(|n| n.text.clone()),
        outcome_by: note
            .and_then(|n| reference_id(n.author_reference.as_ref(), "Practitioner"))
            .map(PractitionerId::new),
        created_at: instant_of(r.authored_on.as_deref(), &format!("{what}.authoredOn"))?,
        version: super::workflow::version_of(r.meta.as_ref()),
    })
}

/// Gathers the messages and requests read into conversations, each kept with its patient's
/// record; a request whose conversation has no message in the file, or a conversation whose
/// messages disagree on whose it is, is refused.
pub(super) fn gather(
    said: Vec<Said>,
    talks: Vec<(usize, TalkRequest)>,
    patients: &mut Patients,
    refusals: &mut Vec<Refusal>,
) {
    let mut threads: BTreeMap<String, Thread> = BTreeMap::new();
    let mut topics: HashMap<String, String> = HashMap::new();
    for s in said {
        let thread = threads
            .entry(s.conversation.clone())
            .or_insert_with(|| Thread {
                conversation: Conversation {
                    id: s.conversation.clone(),
                    patient_id: s.message.patient_id.clone(),
                    topic: s.topic.clone(),
                    started_by: s.message.author.clone(),
                    addressed_to: String::new(),
                    started_at: s.message.sent_at,
                    last_message_at: s.message.sent_at,
                },
                messages: Vec::new(),
                receipts: Vec::new(),
                talks: Vec::new(),
            });
        if thread.conversation.patient_id != s.message.patient_id {
            refusals.push(Refusal {
                index: s.index,
                outcome: invalid(format!(
                    "Communication/{} is in conversation {} of Patient/{}, but is about Patient/{}: a conversation is about one patient.",
                    s.message.id, s.conversation, thread.conversation.patient_id, s.message.patient_id
                )),
            });
            continue;
        }
        if topics.contains_key(&s.message.id) {
            refusals.push(Refusal {
                index: s.index,
                outcome: refuse(
                    IssueType::Duplicate,
                    format!(
                        "Communication/{} is in the file twice; give each message once.",
                        s.message.id
                    ),
                ),
            });
            continue;
        }
        if !s.addressed_to.is_empty() {
            thread.conversation.addressed_to = s.addressed_to;
        }
        topics.insert(s.message.id.clone(), s.topic);
        thread.receipts.extend(s.receipts);
        thread.messages.push(s.message);
    }
    for (index, talk) in talks {
        match threads.get_mut(&talk.conversation_id) {
            Some(t) if t.conversation.patient_id == talk.patient_id => t.talks.push(talk),
            _ => refusals.push(Refusal {
                index,
                outcome: refuse(
                    IssueType::NotFound,
                    format!(
                        "CommunicationRequest/{} belongs to conversation {} of Patient/{}, none of whose messages (Communication) are in the file: a call request is imported with its conversation.",
                        talk.id, talk.conversation_id, talk.patient_id
                    ),
                ),
            }),
        }
    }
    for mut thread in threads.into_values() {
        thread
            .messages
            .sort_by(|a, b| (a.sent_at, &a.id).cmp(&(b.sent_at, &b.id)));
        thread
            .talks
            .sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        // As Hearth lists them: by message, then recipient.
        let position = |id: &str| thread.messages.iter().position(|m| m.id == id);
        let mut receipts = std::mem::take(&mut thread.receipts);
        receipts.sort_by_key(|r| {
            let (kind, id) = match &r.recipient {
                Member::Practitioner(p) => ("practitioner", p.as_str().to_owned()),
                Member::Service(o) => ("service", o.as_str().to_owned()),
            };
            (position(&r.message_id), kind, id)
        });
        thread.receipts = receipts;
        if let Some(first) = thread.messages.first() {
            thread.conversation.started_by = first.author.clone();
            thread.conversation.started_at = first.sent_at;
            if let Some(topic) = topics.get(&first.id) {
                thread.conversation.topic = topic.clone();
            }
        }
        if let Some(last) = thread.messages.last() {
            thread.conversation.last_message_at = last.sent_at;
        }
        if let Some((_, record)) = patients.get_mut(thread.conversation.patient_id.as_str()) {
            record.conversations.push(thread);
        }
    }
}

/// A call to the specialist advice line about the patient.
pub(super) fn advice_call(
    c: &fhir::Communication,
    patients: &mut Patients,
) -> Result<(), OperationOutcome> {
    use hearth_domain::advice::{AdviceCall, AdviceChannel, AdviceOutcome, CallerRole};
    let what = format!("Communication/{}", c.id);
    let record = record_of(patients, &c.subject, &what)?;
    let required =
        |element: &str| refuse(IssueType::Required, format!("{what} needs its {element}."));
    let [question, advice] = c.payload.as_slice() else {
        return Err(required(
            "payload: the question asked, then the advice given (two contentStrings)",
        ));
    };
    let channel = c
        .medium
        .iter()
        .find_map(|m| m.code_in(codes::PARTICIPATION_MODE))
        .ok_or_else(|| required("medium (PHONE or ONLINEWRIT, v3 ParticipationMode)"))?;
    let channel = [AdviceChannel::Phone, AdviceChannel::Message]
        .into_iter()
        .find(|ch| crate::map::advice_medium(*ch).0 == channel)
        .ok_or_else(|| {
            invalid(format!(
                "{what}: the advice line is called (PHONE) or written to (ONLINEWRIT), not \"{channel}\"."
            ))
        })?;
    let received_at = instant_of(c.sent.as_deref(), &format!("{what}.sent"))?;
    record.advice_calls.push(AdviceCall {
        id: c.id.clone(),
        caller_name: ext_string(&c.extension, "caller-name")
            .ok_or_else(|| required("caller-name extension"))?,
        caller_role: coded(
            ext_code(&c.extension, "caller-role"),
            "caller role",
            CallerRole::from_code,
        )?,
        caller_organisation: ext_string(&c.extension, "caller-organisation"),
        patient_id: Some(record.id.clone()),
        patient_description: ext_string(&c.extension, "patient-description"),
        question: question.content_string.clone(),
        advice: advice.content_string.clone(),
        outcome: coded(
            ext_code(&c.extension, "advice-outcome"),
            "advice outcome",
            AdviceOutcome::from_code,
        )?,
        channel,
        logged_by: PractitionerId::new(
            extensions(&c.extension, "logged-by")
                .find_map(|e| reference_id(e.value_reference.as_ref(), "Practitioner"))
                .ok_or_else(|| required("logged-by extension (a Practitioner)"))?,
        ),
        received_at,
        logged_at: stamp(c.meta.as_ref(), received_at).1,
        out_of_hours: extensions(&c.extension, "out-of-hours")
            .find_map(|e| e.value_boolean)
            .ok_or_else(|| required("out-of-hours extension"))?,
        service: c
            .recipient
            .iter()
            .find_map(|r| reference_id(Some(r), "Organization"))
            .map(OrganisationId::new),
    });
    Ok(())
}
