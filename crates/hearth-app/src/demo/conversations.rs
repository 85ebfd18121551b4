//! Conversations and tasks in the demo region, between a patient's GP and district nurse: an
//! urgent message waiting for the GP with a reply-by time, a thread that has gone back and forth
//! long enough for Hearth to suggest a call, and one that became an agreed call; with a task from
//! each (one for the district nurses to claim, one overdue). Written for the first
//! few patients whose teams hold the demo GP and district nurse (the people behind the demo
//! sign-ins) and who consented to sharing, so that both find them at once.

use hearth_domain::care_team::{CareTeamRole, Member};
use hearth_domain::conversation::{Message, TalkMode, TalkRequest, Urgency};
use hearth_domain::register::ConsentDecision;
use hearth_domain::task::{TaskDraft, TaskOwner};
use hearth_domain::{PatientId, PractitionerId};
use hearth_store::{Conversation, Recipient, Tx};
use jiff::{SignedDuration, Timestamp};

use super::people::DemoPatient;
use crate::{AppError, IdGenerator};

/// Whether `person` is an active member of the patient's team in `role`.
fn holds(made: &DemoPatient, person: &PractitionerId, role: CareTeamRole) -> bool {
    made.team.iter().any(|m| {
        m.is_active() && m.role == role && m.member == Member::Practitioner(person.clone())
    })
}

/// The patients the demo conversations are about: consent given, the demo GP and district
/// nurse both in the team.
fn chosen<'a>(
    made: &'a [DemoPatient],
    (gp, nurse): (&PractitionerId, &PractitionerId),
) -> Vec<&'a DemoPatient> {
    made.iter()
        .filter(|m| m.entry.leaving.is_none())
        .filter(|m| m.entry.consent.decision == ConsentDecision::Given)
        .filter(|m| holds(m, gp, CareTeamRole::GeneralPractitioner))
        .filter(|m| holds(m, nurse, CareTeamRole::DistrictNurse))
        .take(3)
        .collect()
}

struct Writer<'a> {
    tx: &'a mut Tx,
    ids: &'a dyn IdGenerator,
    patient: PatientId,
}

impl Writer<'_> {
    async fn start(
        &mut self,
        topic: &str,
        started_by: &PractitionerId,
        to: &str,
        at: Timestamp,
    ) -> Result<String, AppError> {
        let id = self.ids.new_id();
        self.tx
            .insert_conversation(&Conversation {
                id: id.clone(),
                patient_id: self.patient.clone(),
                topic: topic.to_owned(),
                started_by: started_by.clone(),
                addressed_to: to.to_owned(),
                started_at: at,
                last_message_at: at,
            })
            .await?;
        Ok(id)
    }

    /// A task from conversation `from`, set by `by` at `set`.
    async fn task(
        &mut self,
        (title, owner): (&str, TaskOwner),
        (by, set): (&PractitionerId, Timestamp),
        due_at: Timestamp,
        (source, from): (&str, &str),
    ) -> Result<(), AppError> {
        let draft = TaskDraft {
            title: title.to_owned(),
            due_at: Some(due_at),
            source: source.to_owned(),
            source_ref: Some(from.to_owned()),
        };
        let task = draft.check((self.ids.new_id(), &self.patient), owner, by, set)?;
        self.tx.insert_task(&task).await?;
        Ok(())
    }

    /// One message from `author` to `to`, read by the recipient at `read` when given.
    #[allow(clippy::too_many_arguments)]
    async fn say(
        &mut self,
        conversation: &str,
        (author, to): (&PractitionerId, &PractitionerId),
        body: &str,
        urgency: Urgency,
        reply_by: Option<Timestamp>,
        at: Timestamp,
        read: Option<Timestamp>,
    ) -> Result<(), AppError> {
        let message = Message {
            id: self.ids.new_id(),
            conversation_id: conversation.to_owned(),
            patient_id: self.patient.clone(),
            author: author.clone(),
            body: body.to_owned(),
            urgency,
            reply_by,
            section: None,
            task: None,
            sent_at: at,
            escalated_at: None,
        };
        self.tx
            .insert_message(&message, &[Member::Practitioner(to.clone())])
            .await?;
        if let Some(read) = read {
            self.tx
                .mark_conversation_read(
                    conversation,
                    Recipient {
                        practitioner: to,
                        organisation: None,
                    },
                    read,
                )
                .await?;
        }
        Ok(())
    }
}

/// Writes the demo conversations in `tx`.
pub async fn write(
    tx: &mut Tx,
    ids: &dyn IdGenerator,
    (made, people): (&[DemoPatient], (&PractitionerId, &PractitionerId)),
    now: Timestamp,
    local: impl Fn(Timestamp) -> String,
) -> Result<(), AppError> {
    let hours = |h: i64| SignedDuration::from_mins(h * 60);
    let mins = SignedDuration::from_mins;
    let (gp, nurse) = people;
    for (index, patient) in chosen(made, people).into_iter().enumerate() {
        let mut w = Writer {
            tx: &mut *tx,
            ids,
            patient: patient.patient.id.clone(),
        };
        match index {
            // An urgent question waiting for the GP, due within the hour.
            0 => {
                let c = w
                    .start(
                        "Breathless at rest since this morning",
                        nurse,
                        "the GP",
                        now - mins(25),
                    )
                    .await?;
                w.say(
                    &c,
                    (nurse, gp),
                    "Visited at 10:40. Breathless at rest and anxious; the oral morphine is not \
                     settling it. Anticipatory medicines are in the house but midazolam was not \
                     dispensed.\nCould you review today, and prescribe midazolam so the pharmacy \
                     can dispense before the evening?",
                    Urgency::Urgent,
                    Some(now + mins(35)),
                    now - mins(25),
                    None,
                )
                .await?;
                w.task(
                    (
                        "Prescribe midazolam so the pharmacy can dispense it before the evening",
                        TaskOwner::Person(gp.clone()),
                    ),
                    (nurse, now - mins(20)),
                    now + hours(3),
                    ("message", &c),
                )
                .await?;
            }
            // Back and forth: Hearth suggests a call.
            1 => {
                let c = w
                    .start(
                        "Syringe driver and the family",
                        gp,
                        "the district nurses",
                        now - hours(28),
                    )
                    .await?;
                let lines = [
                    (
                        gp,
                        nurse,
                        "Can the syringe driver start tomorrow? The family are worried about needles.",
                        28,
                    ),
                    (
                        nurse,
                        gp,
                        "Yes, from the morning visit. Which drugs and doses?",
                        27,
                    ),
                    (
                        gp,
                        nurse,
                        "Morphine 10 mg and midazolam 5 mg over 24 hours, as on the chart.",
                        26,
                    ),
                    (
                        nurse,
                        gp,
                        "The daughter asked whether it means he is dying now. Have you spoken with her?",
                        6,
                    ),
                    (gp, nurse, "Not yet. I can see her on Thursday.", 5),
                ];
                for (author, to, body, ago) in lines {
                    w.say(
                        &c,
                        (author, to),
                        body,
                        Urgency::Today,
                        None,
                        now - hours(ago),
                        Some(now - hours(ago) + mins(40)),
                    )
                    .await?;
                }
            }
            // A call agreed for tomorrow morning.
            _ => {
                let c = w
                    .start("Preferred place of death", nurse, "the GP", now - hours(20))
                    .await?;
                w.say(
                    &c,
                    (nurse, gp),
                    "She told me she would rather stay at home now, not the hospice. Can we talk \
                     about the plan and who to tell?",
                    Urgency::Routine,
                    None,
                    now - hours(20),
                    Some(now - hours(19)),
                )
                .await?;
                let call = now + hours(20);
                let mut talk = TalkRequest::propose(
                    (ids.new_id(), c.clone(), &patient.patient.id),
                    gp,
                    TalkMode::Phone.code(),
                    &[call, call + hours(2)],
                    now - hours(18),
                )?;
                talk.agree(call, nurse, now - hours(17))?;
                w.tx.insert_talk(&talk).await?;
                let asked = format!(
                    "Let's talk: I would rather discuss this by phone call. Could you do {}, or {}?",
                    local(call),
                    local(call + hours(2))
                );
                w.say(
                    &c,
                    (gp, nurse),
                    &asked,
                    Urgency::Routine,
                    None,
                    now - hours(18),
                    Some(now - hours(17)),
                )
                .await?;
                w.say(
                    &c,
                    (nurse, gp),
                    &format!("Call agreed: Phone call at {}.", local(call)),
                    Urgency::Routine,
                    None,
                    now - hours(17),
                    Some(now - hours(16)),
                )
                .await?;
                w.task(
                    (
                        "Tell the out-of-hours service she now wishes to die at home",
                        TaskOwner::Person(gp.clone()),
                    ),
                    (nurse, now - hours(19)),
                    now - hours(2),
                    ("message", &c),
                )
                .await?;
            }
        }
    }
    Ok(())
}
