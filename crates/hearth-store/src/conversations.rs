//! The `conversations`, `messages`, `message_receipts` and `talk_requests` tables: talking
//! together about a patient (`hearth_domain::conversation`).

use hearth_domain::care_plan::Section;
use hearth_domain::care_team::Member;
pub use hearth_domain::conversation::{Conversation, Receipt};
use hearth_domain::conversation::{Message, TalkMode, TalkRequest, TalkState, Thread, Urgency};
use hearth_domain::{OrganisationId, PatientId, PractitionerId};
use jiff::Timestamp;
use sqlx::any::AnyRow;

use crate::rows::{code, integer, millis, optional_text, optional_timestamp, text, timestamp};
use crate::{StoreError, Tx};

/// A message waiting for someone, with what the inbox shows beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxMessage {
    pub message: Message,
    pub topic: String,
    pub patient_name: String,
    /// Whether the reader (or their service) has read it.
    pub read: bool,
}

/// Who is reading: a practitioner, and the service they act for.
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    pub practitioner: &'a PractitionerId,
    pub organisation: Option<&'a OrganisationId>,
}

const CONVERSATION_COLUMNS: &str =
    "c.id, c.patient_id, c.topic, c.started_by, c.addressed_to, c.started_at, c.last_message_at";

const MESSAGE_COLUMNS: &str = "m.id, m.conversation_id, m.patient_id, m.author_id, m.body, \
     m.urgency, m.reply_by, m.section, m.task_id, m.sent_at, m.escalated_at";

const TALK_COLUMNS: &str = "id, conversation_id, patient_id, requested_by, mode, proposed, state, \
     scheduled_at, agreed_by, outcome, outcome_by, created_at, version";

/// Receipts addressed to the reader: to them, or to the service they act for.
const TO_READER: &str = "((r.recipient_kind = 'practitioner' AND r.recipient_id = $1) \
     OR (r.recipient_kind = 'service' AND r.recipient_id = $2))";

/// The answers to message `m`: later messages in its conversation by someone else.
const ANSWERS: &str = "(SELECT 1 FROM messages later WHERE later.conversation_id = m.conversation_id \
     AND later.sent_at >= m.sent_at AND later.id <> m.id AND later.author_id <> m.author_id)";

fn conversation_from_row(row: &AnyRow) -> Result<Conversation, StoreError> {
    Ok(Conversation {
        id: text(row, "id")?,
        patient_id: PatientId::new(text(row, "patient_id")?),
        topic: text(row, "topic")?,
        started_by: PractitionerId::new(text(row, "started_by")?),
        addressed_to: text(row, "addressed_to")?,
        started_at: timestamp(row, "started_at")?,
        last_message_at: timestamp(row, "last_message_at")?,
    })
}

fn message_from_row(row: &AnyRow) -> Result<Message, StoreError> {
    Ok(Message {
        id: text(row, "id")?,
        conversation_id: text(row, "conversation_id")?,
        patient_id: PatientId::new(text(row, "patient_id")?),
        author: PractitionerId::new(text(row, "author_id")?),
        body: text(row, "body")?,
        urgency: code(row, "urgency", Urgency::from_code)?,
        reply_by: optional_timestamp(row, "reply_by")?,
        section: match optional_text(row, "section")? {
            None => None,
            Some(s) => Some(
                Section::from_code(&s)
                    .ok_or_else(|| StoreError::Corrupt(format!("section holds '{s}'")))?,
            ),
        },
        task: optional_text(row, "task_id")?,
        sent_at: timestamp(row, "sent_at")?,
        escalated_at: optional_timestamp(row, "escalated_at")?,
    })
}

fn talk_from_row(row: &AnyRow) -> Result<TalkRequest, StoreError> {
    let proposed = text(row, "proposed")?;
    let times = proposed
        .split(',')
        .map(|t| {
            t.parse::<i64>()
                .ok()
                .and_then(|ms| Timestamp::from_millisecond(ms).ok())
                .ok_or_else(|| StoreError::Corrupt(format!("proposed holds '{proposed}'")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TalkRequest {
        id: text(row, "id")?,
        conversation_id: text(row, "conversation_id")?,
        patient_id: PatientId::new(text(row, "patient_id")?),
        requested_by: PractitionerId::new(text(row, "requested_by")?),
        mode: code(row, "mode", TalkMode::from_code)?,
        proposed: times,
        state: code(row, "state", TalkState::from_code)?,
        scheduled_at: optional_timestamp(row, "scheduled_at")?,
        agreed_by: optional_text(row, "agreed_by")?.map(PractitionerId::new),
        outcome: optional_text(row, "outcome")?,
        outcome_by: optional_text(row, "outcome_by")?.map(PractitionerId::new),
        created_at: timestamp(row, "created_at")?,
        version: integer(row, "version")?,
    })
}

fn receipt_from_row(row: &AnyRow) -> Result<Receipt, StoreError> {
    let id = text(row, "recipient_id")?;
    let recipient = match text(row, "recipient_kind")?.as_str() {
        "practitioner" => Member::Practitioner(PractitionerId::new(id)),
        "service" => Member::Service(OrganisationId::new(id)),
        other => {
            return Err(StoreError::Corrupt(format!(
                "recipient_kind holds '{other}'"
            )));
        }
    };
    Ok(Receipt {
        message_id: text(row, "message_id")?,
        recipient,
        read_at: optional_timestamp(row, "read_at")?,
        read_by: optional_text(row, "read_by")?.map(PractitionerId::new),
    })
}

fn recipient_columns(member: &Member) -> (&'static str, &str) {
    match member {
        Member::Practitioner(id) => ("practitioner", id.as_str()),
        Member::Service(id) => ("service", id.as_str()),
    }
}

impl Tx {
    /// Stores a new conversation (its first message follows with [`Tx::insert_message`]).
    pub async fn insert_conversation(&mut self, c: &Conversation) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO conversations (id, patient_id, topic, started_by, addressed_to, \
             started_at, last_message_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(c.id.as_str())
        .bind(c.patient_id.as_str())
        .bind(c.topic.as_str())
        .bind(c.started_by.as_str())
        .bind(c.addressed_to.as_str())
        .bind(millis(c.started_at))
        .bind(millis(c.last_message_at))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Stores a message with an unread receipt for each recipient, and moves its conversation to
    /// the top of the patient's list.
    pub async fn insert_message(
        &mut self,
        m: &Message,
        recipients: &[Member],
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, patient_id, author_id, body, urgency, \
             reply_by, section, task_id, sent_at, escalated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)",
        )
        .bind(m.id.as_str())
        .bind(m.conversation_id.as_str())
        .bind(m.patient_id.as_str())
        .bind(m.author.as_str())
        .bind(m.body.as_str())
        .bind(m.urgency.code())
        .bind(m.reply_by.map(millis))
        .bind(m.section.map(|s| s.code()))
        .bind(m.task.clone())
        .bind(millis(m.sent_at))
        .execute(&mut *self.inner)
        .await?;
        for recipient in recipients {
            let (kind, id) = recipient_columns(recipient);
            sqlx::query(
                "INSERT INTO message_receipts (message_id, recipient_kind, recipient_id, \
                 read_at, read_by) VALUES ($1, $2, $3, NULL, NULL)",
            )
            .bind(m.id.as_str())
            .bind(kind)
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        }
        sqlx::query("UPDATE conversations SET last_message_at = $2 WHERE id = $1")
            .bind(m.conversation_id.as_str())
            .bind(millis(m.sent_at))
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// A patient's conversations, the most recently active first, with their message counts.
    pub async fn conversations_of(
        &mut self,
        patient: &PatientId,
    ) -> Result<Vec<(Conversation, i64)>, StoreError> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS}, \
             (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) AS messages \
             FROM conversations c WHERE c.patient_id = $1 \
             ORDER BY c.last_message_at DESC, c.id"
        );
        sqlx::query(&sql)
            .bind(patient.as_str())
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(|row| Ok((conversation_from_row(row)?, integer(row, "messages")?)))
            .collect()
    }

    /// One conversation of a patient.
    pub async fn conversation(
        &mut self,
        patient: &PatientId,
        id: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = $1 AND c.patient_id = $2"
        );
        sqlx::query(&sql)
            .bind(id)
            .bind(patient.as_str())
            .fetch_optional(&mut *self.inner)
            .await?
            .as_ref()
            .map(conversation_from_row)
            .transpose()
    }

    /// The messages of a conversation, in the order sent.
    pub async fn messages_of(&mut self, conversation: &str) -> Result<Vec<Message>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = $1 \
             ORDER BY m.sent_at, m.id"
        );
        sqlx::query(&sql)
            .bind(conversation)
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(message_from_row)
            .collect()
    }

    /// The read receipts of a conversation's messages.
    pub async fn receipts_of(&mut self, conversation: &str) -> Result<Vec<Receipt>, StoreError> {
        sqlx::query(
            "SELECT r.message_id, r.recipient_kind, r.recipient_id, r.read_at, r.read_by \
             FROM message_receipts r JOIN messages m ON m.id = r.message_id \
             WHERE m.conversation_id = $1 ORDER BY m.sent_at, r.recipient_kind, r.recipient_id",
        )
        .bind(conversation)
        .fetch_all(&mut *self.inner)
        .await?
        .iter()
        .map(receipt_from_row)
        .collect()
    }

    /// Marks read every unread receipt of the conversation addressed to the reader (or their
    /// service); returns how many were marked.
    pub async fn mark_conversation_read(
        &mut self,
        conversation: &str,
        reader: Recipient<'_>,
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        let sql = format!(
            "UPDATE message_receipts AS r SET read_at = $3, read_by = $1 \
             WHERE r.read_at IS NULL AND r.message_id IN \
             (SELECT id FROM messages WHERE conversation_id = $4) \
             AND {TO_READER}"
        );
        let done = sqlx::query(&sql)
            .bind(reader.practitioner.as_str())
            .bind(reader.organisation.map_or("", |o| o.as_str()))
            .bind(millis(at))
            .bind(conversation)
            .execute(&mut *self.inner)
            .await?;
        Ok(done.rows_affected())
    }

    /// Messages addressed to the reader (or their service) that they have not read, or that
    /// ask for a reply by a time and are not answered yet, newest first, at most `limit`.
    pub async fn inbox_messages(
        &mut self,
        reader: Recipient<'_>,
        limit: u32,
    ) -> Result<Vec<InboxMessage>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS}, c.topic, p.given_name, p.family_name, \
             MAX(CASE WHEN r.read_at IS NULL THEN 0 ELSE 1 END) AS was_read \
             FROM message_receipts r \
             JOIN messages m ON m.id = r.message_id \
             JOIN conversations c ON c.id = m.conversation_id \
             JOIN patients p ON p.id = m.patient_id \
             WHERE {TO_READER} AND (r.read_at IS NULL OR (m.reply_by IS NOT NULL AND NOT EXISTS {ANSWERS})) \
             GROUP BY {MESSAGE_COLUMNS}, c.topic, p.given_name, p.family_name \
             ORDER BY m.sent_at DESC, m.id LIMIT $3"
        );
        sqlx::query(&sql)
            .bind(reader.practitioner.as_str())
            .bind(reader.organisation.map_or("", |o| o.as_str()))
            .bind(i64::from(limit))
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(|row| {
                Ok(InboxMessage {
                    message: message_from_row(row)?,
                    topic: text(row, "topic")?,
                    patient_name: hearth_domain::patient::list_name(
                        &text(row, "family_name")?,
                        &text(row, "given_name")?,
                    ),
                    read: integer(row, "was_read")? != 0,
                })
            })
            .collect()
    }

    /// The people and services a conversation has reached or heard from: every recipient of
    /// its messages and every author.
    pub async fn conversation_participants(
        &mut self,
        conversation: &str,
    ) -> Result<Vec<Member>, StoreError> {
        let mut members = Vec::new();
        for receipt in self.receipts_of(conversation).await? {
            if !members.contains(&receipt.recipient) {
                members.push(receipt.recipient);
            }
        }
        for message in self.messages_of(conversation).await? {
            let author = Member::Practitioner(message.author);
            if !members.contains(&author) {
                members.push(author);
            }
        }
        Ok(members)
    }

    /// Messages whose reply-by time has passed by `now`, not answered (no later message by
    /// someone else: `hearth_domain::conversation::answered`) and not escalated yet, oldest
    /// first, at most `limit`.
    pub async fn replies_due(
        &mut self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.reply_by IS NOT NULL \
             AND m.escalated_at IS NULL AND m.reply_by <= $1 AND NOT EXISTS {ANSWERS} \
             ORDER BY m.reply_by, m.id LIMIT $2"
        );
        sqlx::query(&sql)
            .bind(millis(now))
            .bind(i64::from(limit))
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(message_from_row)
            .collect()
    }

    /// Marks a message's unanswered reply-by time escalated; false when it already was (by
    /// another node, say), so each escalates once.
    pub async fn mark_escalated(
        &mut self,
        message: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE messages SET escalated_at = $2 WHERE id = $1 AND escalated_at IS NULL",
        )
        .bind(message)
        .bind(millis(at))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores a new "let's talk" request.
    pub async fn insert_talk(&mut self, t: &TalkRequest) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO talk_requests ({TALK_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        );
        sqlx::query(&sql)
            .bind(t.id.as_str())
            .bind(t.conversation_id.as_str())
            .bind(t.patient_id.as_str())
            .bind(t.requested_by.as_str())
            .bind(t.mode.code())
            .bind(proposed_text(&t.proposed))
            .bind(t.state.code())
            .bind(t.scheduled_at.map(millis))
            .bind(t.agreed_by.as_ref().map(|p| p.to_string()))
            .bind(t.outcome.clone())
            .bind(t.outcome_by.as_ref().map(|p| p.to_string()))
            .bind(millis(t.created_at))
            .bind(t.version)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Writes a changed request if it is still at `version - 1`; false when a colleague changed
    /// it first (nothing is written).
    pub async fn update_talk(&mut self, t: &TalkRequest) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE talk_requests SET state = $2, scheduled_at = $3, agreed_by = $4, \
             outcome = $5, outcome_by = $6, version = $7 WHERE id = $1 AND version = $8",
        )
        .bind(t.id.as_str())
        .bind(t.state.code())
        .bind(t.scheduled_at.map(millis))
        .bind(t.agreed_by.as_ref().map(|p| p.to_string()))
        .bind(t.outcome.clone())
        .bind(t.outcome_by.as_ref().map(|p| p.to_string()))
        .bind(t.version)
        .bind(t.version - 1)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The "let's talk" requests of a conversation, oldest first.
    pub async fn talks_of(&mut self, conversation: &str) -> Result<Vec<TalkRequest>, StoreError> {
        let sql = format!(
            "SELECT {TALK_COLUMNS} FROM talk_requests WHERE conversation_id = $1 \
             ORDER BY created_at, id"
        );
        sqlx::query(&sql)
            .bind(conversation)
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(talk_from_row)
            .collect()
    }

    /// Requests waiting for the reader to pick a time (proposed by someone else in a
    /// conversation that reached them or their service), and agreed calls they are on from
    /// `from` onwards, each with the conversation's topic and the patient's name.
    pub async fn talks_for(
        &mut self,
        reader: Recipient<'_>,
        from: Timestamp,
    ) -> Result<Vec<(TalkRequest, String, String)>, StoreError> {
        let columns = TALK_COLUMNS
            .split(", ")
            .map(|c| format!("t.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns}, c.topic, p.given_name, p.family_name FROM talk_requests t \
             JOIN conversations c ON c.id = t.conversation_id \
             JOIN patients p ON p.id = t.patient_id \
             WHERE (t.state = 'proposed' AND t.requested_by <> $1 AND EXISTS \
               (SELECT 1 FROM message_receipts r JOIN messages m ON m.id = r.message_id \
                WHERE m.conversation_id = t.conversation_id AND {TO_READER})) \
             OR (t.state = 'agreed' AND t.scheduled_at >= $3 \
                 AND (t.requested_by = $1 OR t.agreed_by = $1)) \
             ORDER BY COALESCE(t.scheduled_at, t.created_at), t.id"
        );
        sqlx::query(&sql)
            .bind(reader.practitioner.as_str())
            .bind(reader.organisation.map_or("", |o| o.as_str()))
            .bind(millis(from))
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(|row| {
                Ok((
                    talk_from_row(row)?,
                    text(row, "topic")?,
                    hearth_domain::patient::list_name(
                        &text(row, "family_name")?,
                        &text(row, "given_name")?,
                    ),
                ))
            })
            .collect()
    }

    /// Every conversation of a patient, whole, the most recently active first: four queries
    /// whatever the number of conversations.
    pub async fn threads_of(&mut self, patient: &PatientId) -> Result<Vec<Thread>, StoreError> {
        // The conversations alone: the list's message counts are not needed here.
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations c WHERE c.patient_id = $1 \
             ORDER BY c.last_message_at DESC, c.id"
        );
        let mut threads: Vec<Thread> = sqlx::query(&sql)
            .bind(patient.as_str())
            .fetch_all(&mut *self.inner)
            .await?
            .iter()
            .map(conversation_from_row)
            .collect::<Result<Vec<_>, StoreError>>()?
            .into_iter()
            .map(|conversation| Thread {
                conversation,
                messages: Vec::new(),
                receipts: Vec::new(),
                talks: Vec::new(),
            })
            .collect();
        if threads.is_empty() {
            return Ok(threads);
        }
        let index: std::collections::HashMap<String, usize> = threads
            .iter()
            .enumerate()
            .map(|(i, t)| (t.conversation.id.clone(), i))
            .collect();
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m \
             JOIN conversations c ON c.id = m.conversation_id WHERE c.patient_id = $1 \
             ORDER BY m.sent_at, m.id"
        );
        let rows = sqlx::query(&sql)
            .bind(patient.as_str())
            .fetch_all(&mut *self.inner)
            .await?;
        let mut conversation_of: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        for row in &rows {
            let m = message_from_row(row)?;
            let Some(&i) = index.get(&m.conversation_id) else {
                continue;
            };
            conversation_of.insert(m.id.clone(), i);
            threads[i].messages.push(m);
        }
        let rows = sqlx::query(
            "SELECT r.message_id, r.recipient_kind, r.recipient_id, r.read_at, r.read_by \
             FROM message_receipts r JOIN messages m ON m.id = r.message_id \
             JOIN conversations c ON c.id = m.conversation_id WHERE c.patient_id = $1 \
             ORDER BY m.sent_at, m.id, r.recipient_kind, r.recipient_id",
        )
        .bind(patient.as_str())
        .fetch_all(&mut *self.inner)
        .await?;
        for row in &rows {
            let r = receipt_from_row(row)?;
            if let Some(&i) = conversation_of.get(&r.message_id) {
                threads[i].receipts.push(r);
            }
        }
        let columns = TALK_COLUMNS
            .split(", ")
            .map(|c| format!("t.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns} FROM talk_requests t \
             JOIN conversations c ON c.id = t.conversation_id WHERE c.patient_id = $1 \
             ORDER BY t.created_at, t.id"
        );
        let rows = sqlx::query(&sql)
            .bind(patient.as_str())
            .fetch_all(&mut *self.inner)
            .await?;
        for row in &rows {
            let t = talk_from_row(row)?;
            if let Some(&i) = index.get(&t.conversation_id) {
                threads[i].talks.push(t);
            }
        }
        Ok(threads)
    }

    /// Stores a whole conversation as it was elsewhere (`hearth import`): its messages with
    /// their escalation, every receipt with its reading, and its "let's talk" requests.
    pub async fn insert_thread(&mut self, thread: &Thread) -> Result<(), StoreError> {
        self.insert_conversation(&thread.conversation).await?;
        for m in &thread.messages {
            self.insert_message(m, &[]).await?;
            if let Some(at) = m.escalated_at {
                self.mark_escalated(&m.id, at).await?;
            }
        }
        for r in &thread.receipts {
            let (kind, id) = recipient_columns(&r.recipient);
            sqlx::query(
                "INSERT INTO message_receipts (message_id, recipient_kind, recipient_id, \
                 read_at, read_by) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(r.message_id.as_str())
            .bind(kind)
            .bind(id)
            .bind(r.read_at.map(millis))
            .bind(r.read_by.as_ref().map(|p| p.to_string()))
            .execute(&mut *self.inner)
            .await?;
        }
        for t in &thread.talks {
            self.insert_talk(t).await?;
        }
        // The conversation's place in the list is its last message's, as it was.
        sqlx::query("UPDATE conversations SET last_message_at = $2 WHERE id = $1")
            .bind(thread.conversation.id.as_str())
            .bind(millis(thread.conversation.last_message_at))
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

fn proposed_text(times: &[Timestamp]) -> String {
    times
        .iter()
        .map(|t| millis(*t).to_string())
        .collect::<Vec<_>>()
        .join(",")
}
