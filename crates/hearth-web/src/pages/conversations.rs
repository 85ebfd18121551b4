//! `/patients/{id}/conversations…`: talking together about a patient — the list of
//! conversations with a form to start one, a conversation with its receipts, replies and
//! "let's talk" calls.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::{AppError, ConversationView, NewConversation};
use hearth_domain::care_plan::Section;
use hearth_domain::care_team::Member;
use hearth_domain::conversation::{MessageDraft, TalkState, Urgency};
use hearth_domain::{PatientId, ValidationError};
use jiff::Timestamp;

use crate::pages::{Chrome, after_change, patient_id, record_id, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "conversations.html")]
struct ListPage {
    chrome: Option<Chrome>,
    active: &'static str,
    patient_href: String,
    patient_name: String,
    csrf_token: String,
    error: Option<String>,
    may_write: bool,
    rows: Vec<ListRow>,
    choices: Vec<(String, String)>,
    urgencies: Vec<(&'static str, &'static str)>,
    sections: Vec<(&'static str, &'static str)>,
    tasks: Vec<(String, String)>,
}

struct ListRow {
    href: String,
    topic: String,
    started: String,
    to: String,
    messages: i64,
    last: String,
}

#[derive(Template)]
#[template(path = "conversation.html")]
struct ThreadPage {
    chrome: Option<Chrome>,
    active: &'static str,
    patient_href: String,
    patient_name: String,
    href: String,
    conversation_id: String,
    csrf_token: String,
    error: Option<String>,
    topic: String,
    to: String,
    may_write: bool,
    messages: Vec<MessageRow>,
    suggestion: Option<String>,
    talks: Vec<TalkRow>,
    call_open: bool,
    urgencies: Vec<(&'static str, &'static str)>,
    sections: Vec<(&'static str, &'static str)>,
    tasks: Vec<(String, String)>,
}

struct MessageRow {
    id: String,
    author: String,
    sent: String,
    urgency: &'static str,
    urgency_code: &'static str,
    reply_by: Option<String>,
    section: Option<(String, &'static str)>,
    task: Option<(String, String)>,
    paragraphs: Vec<String>,
    read_by: Vec<String>,
    unread: Vec<String>,
    mine: bool,
}

struct TalkRow {
    id: String,
    mode: &'static str,
    state: &'static str,
    requested_by: String,
    /// (value in milliseconds, local time) of each proposed time.
    proposed: Vec<(i64, String)>,
    scheduled: Option<String>,
    outcome: Option<String>,
    may_pick: bool,
    may_record: bool,
}

fn urgencies() -> Vec<(&'static str, &'static str)> {
    Urgency::ALL.iter().map(|u| (u.code(), u.label())).collect()
}

/// The open tasks a message may be about: (id, title).
fn task_choices(tasks: &[hearth_domain::task::Task]) -> Vec<(String, String)> {
    tasks
        .iter()
        .map(|t| (t.id.clone(), t.title.clone()))
        .collect()
}

fn sections() -> Vec<(&'static str, &'static str)> {
    Section::ALL.iter().map(|s| (s.code(), s.label())).collect()
}

/// A `datetime-local` form value, read in the deployment's time zone; empty is `None`.
pub(crate) fn local_instant(
    state: &AppState,
    field: &'static str,
    value: &str,
) -> Result<Option<Timestamp>, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let invalid = || {
        AppError::Invalid(ValidationError::new(
            field,
            "Give the date and time as day, month, year and hours:minutes.",
        ))
    };
    let civil: jiff::civil::DateTime = value.parse().map_err(|_| invalid())?;
    let zoned = civil
        .to_zoned(state.app.config().time_zone.clone())
        .map_err(|_| invalid())?;
    Ok(Some(zoned.timestamp()))
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    error: Option<String>,
) -> Result<Response, WebError> {
    let list = state.app.conversations(&user.actor, id).await?;
    let name = |p: &hearth_domain::PractitionerId| {
        list.names
            .get(p)
            .cloned()
            .unwrap_or_else(|| "a colleague".to_owned())
    };
    let patient_href = format!("/patients/{id}");
    let rows = list
        .conversations
        .iter()
        .map(|(c, count)| ListRow {
            href: format!("{patient_href}/conversations/{}", c.id),
            topic: c.topic.clone(),
            started: format!(
                "{}, {}",
                name(&c.started_by),
                state.app.local_time(c.started_at)
            ),
            to: c.addressed_to.clone(),
            messages: *count,
            last: state.app.local_time(c.last_message_at),
        })
        .collect();
    render(&ListPage {
        chrome: Some(Chrome::of(user)),
        active: "register",
        patient_name: list.patient.list_name(),
        patient_href,
        csrf_token: user.csrf_token.clone(),
        error,
        may_write: list.may_write,
        rows,
        choices: list.choices,
        urgencies: urgencies(),
        sections: sections(),
        tasks: task_choices(&list.tasks),
    })
}

/// `GET /patients/{id}/conversations`
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    list_page(&state, &user, &patient_id(&id)?, None).await
}

/// Reads a message's fields from form pairs (addressees repeat their name).
fn draft_from(
    state: &AppState,
    pairs: Vec<(String, String)>,
) -> (String, Vec<String>, String, Result<MessageDraft, AppError>) {
    let mut csrf = String::new();
    let mut to = Vec::new();
    let mut topic = String::new();
    let mut draft = MessageDraft::default();
    let mut reply_by = String::new();
    for (key, value) in pairs {
        match key.as_str() {
            "csrf_token" => csrf = value,
            "to" => to.push(value),
            "topic" => topic = value,
            "body" => draft.body = value,
            "urgency" => draft.urgency = value,
            "reply_by" => reply_by = value,
            "section" => draft.section = value,
            "task" => draft.task = value,
            _ => {}
        }
    }
    let draft = local_instant(state, "reply_by", &reply_by).map(|at| MessageDraft {
        reply_by: at,
        ..draft
    });
    (csrf, to, topic, draft)
}

/// `POST /patients/{id}/conversations`: starts a conversation.
pub async fn start(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let (csrf, to, topic, draft) = draft_from(&state, pairs);
    user.check_csrf(&csrf)?;
    let result = match draft {
        Ok(message) => {
            state
                .app
                .start_conversation(&user.actor, &id, NewConversation { topic, to, message })
                .await
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(conversation) => Ok(Redirect::to(&format!(
            "/patients/{id}/conversations/{conversation}"
        ))
        .into_response()),
        Err(error) => {
            after_change(Err::<(), _>(error), "", |message| {
                list_page(&state, &user, &id, Some(message))
            })
            .await
        }
    }
}

fn thread_page(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    view: ConversationView,
    error: Option<String>,
) -> Result<Response, WebError> {
    let me = &user.actor.practitioner_id;
    let patient_href = format!("/patients/{id}");
    let href = format!("{patient_href}/conversations/{}", view.conversation.id);
    let messages = view
        .messages
        .iter()
        .map(|line| {
            let m = &line.message;
            let mut read_by = Vec::new();
            let mut unread = Vec::new();
            for r in &line.receipts {
                let who = view.name_of(&r.recipient);
                match (r.read_at, &r.read_by, &r.recipient) {
                    (Some(at), Some(reader), Member::Service(_)) => read_by.push(format!(
                        "{who} ({}, {})",
                        view.name_of(&Member::Practitioner(reader.clone())),
                        state.app.local_time(at)
                    )),
                    (Some(at), _, _) => {
                        read_by.push(format!("{who} ({})", state.app.local_time(at)))
                    }
                    (None, _, _) => unread.push(who),
                }
            }
            MessageRow {
                id: m.id.clone(),
                author: view.name_of(&Member::Practitioner(m.author.clone())),
                sent: state.app.local_time(m.sent_at),
                urgency: m.urgency.label(),
                urgency_code: m.urgency.code(),
                reply_by: m.reply_by.map(|t| state.app.local_time(t)),
                section: m
                    .section
                    .map(|s| (format!("{patient_href}/plan#{}", s.code()), s.label())),
                task: m.task.as_ref().map(|id| {
                    let title = view
                        .tasks
                        .iter()
                        .find(|t| &t.id == id)
                        .map_or_else(|| "a task".to_owned(), |t| t.title.clone());
                    (format!("{patient_href}/tasks"), title)
                }),
                paragraphs: m.body.split('\n').map(str::to_owned).collect(),
                read_by,
                unread,
                mine: &m.author == me,
            }
        })
        .collect();
    let talks = view
        .talks
        .iter()
        .map(|t| TalkRow {
            id: t.id.clone(),
            mode: t.mode.label(),
            state: t.state.label(),
            requested_by: view.name_of(&Member::Practitioner(t.requested_by.clone())),
            proposed: t
                .proposed
                .iter()
                .map(|at| (at.as_millisecond(), state.app.local_time(*at)))
                .collect(),
            scheduled: t.scheduled_at.map(|at| state.app.local_time(at)),
            outcome: t.outcome.clone(),
            may_pick: view.may_write && t.state == TalkState::Proposed && &t.requested_by != me,
            may_record: view.may_write
                && t.state == TalkState::Agreed
                && t.participants().contains(&me),
        })
        .collect();
    let call_open = view
        .talks
        .iter()
        .any(|t| matches!(t.state, TalkState::Proposed | TalkState::Agreed));
    render(&ThreadPage {
        chrome: Some(Chrome::of(user)),
        active: "register",
        patient_name: view.patient.list_name(),
        patient_href,
        href,
        conversation_id: view.conversation.id.clone(),
        csrf_token: user.csrf_token.clone(),
        error,
        topic: view.conversation.topic.clone(),
        to: view.conversation.addressed_to.clone(),
        may_write: view.may_write,
        messages,
        suggestion: view.suggestion.map(|s| s.text()),
        talks,
        call_open,
        urgencies: urgencies(),
        sections: sections(),
        tasks: task_choices(
            &view
                .tasks
                .iter()
                .filter(|t| t.status == hearth_domain::task::TaskStatus::Open)
                .cloned()
                .collect::<Vec<_>>(),
        ),
    })
}

async fn thread(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    conversation: &str,
    error: Option<String>,
) -> Result<Response, WebError> {
    let view = state
        .app
        .conversation(&user.actor, id, conversation)
        .await?;
    thread_page(state, user, id, view, error)
}

/// `GET /patients/{id}/conversations/{conversation}`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, conversation)): Path<(String, String)>,
) -> Result<Response, WebError> {
    thread(
        &state,
        &user,
        &patient_id(&id)?,
        &record_id(&conversation)?,
        None,
    )
    .await
}

/// Back to the conversation after a change, or the conversation with the error.
async fn outcome(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    conversation: &str,
    result: Result<(), AppError>,
) -> Result<Response, WebError> {
    let done = format!("/patients/{id}/conversations/{conversation}");
    after_change(result, &done, |message| {
        thread(state, user, id, conversation, Some(message))
    })
    .await
}

/// `POST /patients/{id}/conversations/{conversation}`: a reply.
pub async fn reply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, conversation)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (id, conversation) = (patient_id(&id)?, record_id(&conversation)?);
    let (csrf, _, _, draft) = draft_from(&state, pairs);
    user.check_csrf(&csrf)?;
    let result = match draft {
        Ok(draft) => {
            state
                .app
                .reply(&user.actor, &id, &conversation, draft)
                .await
        }
        Err(error) => Err(error),
    };
    outcome(&state, &user, &id, &conversation, result).await
}

#[derive(serde::Deserialize)]
pub struct TalkForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    time_1: String,
    #[serde(default)]
    time_2: String,
    #[serde(default)]
    time_3: String,
}

/// `POST /patients/{id}/conversations/{conversation}/talk`: "let's talk".
pub async fn request_talk(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, conversation)): Path<(String, String)>,
    Form(form): Form<TalkForm>,
) -> Result<Response, WebError> {
    let (id, conversation) = (patient_id(&id)?, record_id(&conversation)?);
    user.check_csrf(&form.csrf_token)?;
    let mut times = Vec::new();
    let mut result = Ok(());
    for value in [&form.time_1, &form.time_2, &form.time_3] {
        match local_instant(&state, "times", value) {
            Ok(Some(at)) => times.push(at),
            Ok(None) => {}
            Err(error) => result = Err(error),
        }
    }
    if result.is_ok() {
        result = state
            .app
            .request_talk(&user.actor, &id, &conversation, &form.mode, &times)
            .await;
    }
    outcome(&state, &user, &id, &conversation, result).await
}

#[derive(serde::Deserialize)]
pub struct AgreeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    time: String,
}

/// `POST /patients/{id}/conversations/{conversation}/talk/{talk}/agree`: pick a time.
pub async fn agree_talk(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, conversation, talk)): Path<(String, String, String)>,
    Form(form): Form<AgreeForm>,
) -> Result<Response, WebError> {
    let (id, conversation) = (patient_id(&id)?, record_id(&conversation)?);
    user.check_csrf(&form.csrf_token)?;
    let chosen = form
        .time
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|ms| Timestamp::from_millisecond(ms).ok());
    let result = state
        .app
        .agree_talk(&user.actor, &id, &conversation, &talk, chosen)
        .await;
    outcome(&state, &user, &id, &conversation, result).await
}

#[derive(serde::Deserialize)]
pub struct OutcomeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    outcome: String,
}

/// `POST /patients/{id}/conversations/{conversation}/talk/{talk}/outcome`
pub async fn talk_outcome(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, conversation, talk)): Path<(String, String, String)>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, WebError> {
    let (id, conversation) = (patient_id(&id)?, record_id(&conversation)?);
    user.check_csrf(&form.csrf_token)?;
    let result = state
        .app
        .record_talk_outcome(&user.actor, &id, &conversation, &talk, &form.outcome)
        .await;
    outcome(&state, &user, &id, &conversation, result).await
}
