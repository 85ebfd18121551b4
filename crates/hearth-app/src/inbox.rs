//! The inbox: what needs a clinician across their patients — messages to them or their service
//! that are unread or await a reply, calls to agree or coming up, coordinator handovers to
//! accept, care plans to read again, and notices. Only patients the user may still read as a
//! care-team member are listed.

use std::collections::HashMap;

use hearth_domain::PractitionerId;
use hearth_domain::conversation::TalkRequest;
use hearth_store::InboxMessage;

use crate::access;
use crate::conversations::recipient_of;
use crate::{Actor, App, AppError};

/// What needs the user, across their patients.
#[derive(Debug, Clone)]
pub struct Inbox {
    pub messages: Vec<InboxMessage>,
    /// Calls waiting for the user to pick a time, and agreed calls ahead.
    pub talks: Vec<(TalkRequest, String, String)>,
    pub notices: Vec<crate::NoticeView>,
    /// Patients whose coordination is proposed to the user, waiting for their answer.
    pub handovers: Vec<hearth_store::Waiting>,
    /// Patients whose plan changed significantly since the user last read it (with its version).
    pub to_acknowledge: Vec<hearth_store::Waiting>,
    pub names: HashMap<PractitionerId, String>,
}

impl App {
    /// What needs the user: messages to them or their service that are unread or await a
    /// reply, calls to agree or coming up, handovers to accept, plans to read again, and their
    /// notices.
    pub async fn inbox(&self, actor: &Actor) -> Result<Inbox, AppError> {
        crate::patients::require_clinician(actor)?;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let reader = recipient_of(actor);
        let mut messages = tx.inbox_messages(reader, 100).await?;
        let mut talks = tx
            .talks_for(reader, now - jiff::SignedDuration::from_hours(2))
            .await?;
        let mut handovers = tx.handovers_for(&actor.practitioner_id).await?;
        let mut to_acknowledge = tx.plans_to_acknowledge(&actor.practitioner_id).await?;
        let patients = messages
            .iter()
            .map(|m| m.message.patient_id.clone())
            .chain(talks.iter().map(|(t, _, _)| t.patient_id.clone()))
            .chain(handovers.iter().map(|(p, _, _)| p.clone()))
            .chain(to_acknowledge.iter().map(|(p, _, _)| p.clone()))
            .collect();
        let readable = access::readable_in_team(&mut tx, actor, patients, now).await?;
        handovers.retain(|(p, _, _)| readable.contains(p));
        to_acknowledge.retain(|(p, _, _)| readable.contains(p));
        messages.retain(|m| readable.contains(&m.message.patient_id));
        talks.retain(|(t, _, _)| readable.contains(&t.patient_id));
        // Urgent first, then today, then routine; newest first within each.
        messages.sort_by(|a, b| {
            b.message
                .urgency
                .cmp(&a.message.urgency)
                .then(a.read.cmp(&b.read))
                .then(b.message.sent_at.cmp(&a.message.sent_at))
        });
        let people: Vec<PractitionerId> = messages
            .iter()
            .map(|m| m.message.author.clone())
            .chain(talks.iter().map(|(t, _, _)| t.requested_by.clone()))
            .collect();
        let names = tx.practitioner_names(&people).await?;
        let notices = tx.notices_of(&actor.practitioner_id, 20).await?;
        Ok(Inbox {
            messages,
            talks,
            notices,
            handovers,
            to_acknowledge,
            names,
        })
    }
}
