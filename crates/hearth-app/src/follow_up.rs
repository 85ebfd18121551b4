//! Follow-up: what escalates when nobody acted in time — a reply-by time passed unanswered, a
//! task open past its due time. Each escalates once, as notices to the people responsible and the
//! patient's coordinator, and a live update to their open pages. Every node runs these every 30
//! seconds (`hearth serve`); the first node to mark an item escalates it.

use hearth_domain::conversation;
use hearth_domain::notification::MailReason;
use hearth_domain::task::TaskOwner;

use crate::tasks::owner_keys;
use crate::{App, AppError};

/// Items handled per run of each check.
const ESCALATIONS_PER_RUN: u32 = 200;

impl App {
    /// Escalates every unanswered reply-by time that has passed: a notice to the message's
    /// author and to the patient's coordinator, once each (several nodes may run this at
    /// once; the first to mark a message escalates it). Returns how many were escalated.
    pub async fn escalate_overdue_replies(&self) -> Result<usize, AppError> {
        let now = self.now();
        let mut tx = self.store.begin_write().await?;
        let due = tx.replies_due(now, ESCALATIONS_PER_RUN).await?;
        let mut keys = Vec::new();
        let mut escalated = 0;
        for message in due {
            // The store found it by the same rule; the domain's is the one that decides.
            let thread = tx.messages_of(&message.conversation_id).await?;
            let still_due = conversation::unanswered(&thread, now)
                .iter()
                .any(|m| m.id == message.id);
            if !still_due || !tx.mark_escalated(&message.id, now).await? {
                continue;
            }
            escalated += 1;
            let mut told = vec![message.author.clone()];
            if let Some(coordinator) = tx.coordinator_of(&message.patient_id).await?
                && coordinator != message.author
            {
                told.push(coordinator);
            }
            let when = message
                .reply_by
                .map(|t| self.local_time(t))
                .unwrap_or_default();
            for person in told {
                tx.insert_notice(&hearth_store::Notice {
                    id: self.ids.new_id(),
                    practitioner_id: person.clone(),
                    patient_id: Some(message.patient_id.clone()),
                    kind: "reply-overdue".to_owned(),
                    text: format!(
                        "A message marked \"{}\" in a conversation about this patient asked for \
                         a reply by {when} and has not been answered. Open the conversation, or \
                         phone.",
                        message.urgency.label()
                    ),
                    created_at: now,
                    read_at: None,
                })
                .await?;
                self.queue_mail(&mut tx, &person, MailReason::ReplyOverdue)
                    .await?;
                keys.push(format!("p:{person}"));
            }
        }
        self.live.commit(&self.store, tx, &keys).await?;
        if escalated > 0 {
            tracing::info!(escalated, "unanswered reply-by times escalated");
        }
        Ok(escalated)
    }

    /// Escalates every open task past its due time, once: a notice to the coordinator and, for a
    /// person's task, to that person; a service's or role's open pages hear of it live. Several
    /// nodes may run this at once; the first to mark a task escalates it.
    pub async fn escalate_overdue_tasks(&self) -> Result<usize, AppError> {
        let now = self.now();
        let mut tx = self.store.begin_write().await?;
        let due = tx
            .tasks_due_for_escalation(now, ESCALATIONS_PER_RUN)
            .await?;
        let mut keys = Vec::new();
        let mut escalated = 0;
        for overdue in due {
            if !overdue.escalates(now) || !tx.mark_task_escalated(&overdue.id, now).await? {
                continue;
            }
            escalated += 1;
            let mut told = Vec::new();
            if let TaskOwner::Person(p) = &overdue.owner {
                told.push(p.clone());
            }
            if let Some(coordinator) = tx.coordinator_of(&overdue.patient_id).await?
                && !told.contains(&coordinator)
            {
                told.push(coordinator);
            }
            for person in told {
                tx.insert_notice(&hearth_store::Notice {
                    id: self.ids.new_id(),
                    practitioner_id: person.clone(),
                    patient_id: Some(overdue.patient_id.clone()),
                    kind: "task-overdue".to_owned(),
                    text: format!(
                        "A task for this patient was due at {} and is still open: \"{}\".",
                        self.local_time(overdue.due_at),
                        overdue.title
                    ),
                    created_at: now,
                    read_at: None,
                })
                .await?;
                self.queue_mail(&mut tx, &person, MailReason::TaskOverdue)
                    .await?;
                keys.push(format!("p:{person}"));
            }
            keys.extend(owner_keys(&mut tx, &overdue).await?);
        }
        self.live.commit(&self.store, tx, &keys).await?;
        if escalated > 0 {
            tracing::info!(escalated, "overdue tasks escalated");
        }
        Ok(escalated)
    }
}
