//! `/inbox`: what needs the signed-in clinician now — messages unread or awaiting their reply,
//! calls to agree or coming up, and notices — and `/live`, the server-sent events that tell an
//! open page its content changed, so the inbox and a conversation update without a reload.

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use hearth_domain::conversation::TalkState;

use crate::pages::{Chrome, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Option<Chrome>,
    active: &'static str,
    messages: Vec<InboxRow>,
    to_agree: Vec<CallRow>,
    calls: Vec<CallRow>,
    notices: Vec<NoticeRow>,
    /// (href, text) of each handover to accept and plan to read again.
    to_do: Vec<(String, String)>,
}

struct InboxRow {
    href: String,
    patient: String,
    topic: String,
    author: String,
    sent: String,
    urgency: &'static str,
    urgency_code: &'static str,
    reply_by: Option<String>,
    unread: bool,
    excerpt: String,
}

struct CallRow {
    href: String,
    patient: String,
    topic: String,
    mode: &'static str,
    when: String,
    with: String,
}

struct NoticeRow {
    text: String,
    when: String,
    href: Option<String>,
    unread: bool,
}

/// The first line of a message, cut to a glance.
fn excerpt(body: &str) -> String {
    let line = body.lines().next().unwrap_or_default();
    if line.chars().count() > 140 {
        let cut: String = line.chars().take(140).collect();
        format!("{cut}…")
    } else {
        line.to_owned()
    }
}

/// `GET /inbox`
pub async fn page(State(state): State<AppState>, user: CurrentUser) -> Result<Response, WebError> {
    let app = &state.app;
    let inbox = app.inbox(&user.actor).await?;
    let name = |p: &hearth_domain::PractitionerId| {
        inbox
            .names
            .get(p)
            .cloned()
            .unwrap_or_else(|| "a colleague".to_owned())
    };
    let messages = inbox
        .messages
        .iter()
        .map(|item| {
            let m = &item.message;
            InboxRow {
                href: format!(
                    "/patients/{}/conversations/{}",
                    m.patient_id, m.conversation_id
                ),
                patient: item.patient_name.clone(),
                topic: item.topic.clone(),
                author: name(&m.author),
                sent: app.local_time(m.sent_at),
                urgency: m.urgency.label(),
                urgency_code: m.urgency.code(),
                reply_by: m.reply_by.map(|t| app.local_time(t)),
                unread: !item.read,
                excerpt: excerpt(&m.body),
            }
        })
        .collect();
    let mut to_agree = Vec::new();
    let mut calls = Vec::new();
    for (talk, topic, patient) in &inbox.talks {
        let row = CallRow {
            href: format!(
                "/patients/{}/conversations/{}",
                talk.patient_id, talk.conversation_id
            ),
            patient: patient.clone(),
            topic: topic.clone(),
            mode: talk.mode.label(),
            when: match talk.scheduled_at {
                Some(at) => app.local_time(at),
                None => talk
                    .proposed
                    .iter()
                    .map(|t| app.local_time(*t))
                    .collect::<Vec<_>>()
                    .join(" or "),
            },
            with: name(&talk.requested_by),
        };
        if talk.state == TalkState::Proposed {
            to_agree.push(row);
        } else {
            calls.push(row);
        }
    }
    let notices = inbox
        .notices
        .iter()
        .map(|n| NoticeRow {
            text: n.text.clone(),
            when: app.local_time(n.created_at),
            href: n.patient_id.as_ref().map(|p| format!("/patients/{p}")),
            unread: n.read_at.is_none(),
        })
        .collect();
    let to_do = inbox
        .handovers
        .iter()
        .map(|(p, name, _)| {
            (
                format!("/patients/{p}/team"),
                format!("{name}: you are asked to take over as coordinator. Accept or decline."),
            )
        })
        .chain(inbox.to_acknowledge.iter().map(|(p, name, version)| {
            (
                format!("/patients/{p}/plan"),
                format!(
                    "{name}: the care plan changed (version {version}). Read it and acknowledge."
                ),
            )
        }))
        .collect();
    render(&InboxPage {
        chrome: Some(Chrome::of(&user)),
        active: "inbox",
        to_do,
        messages,
        to_agree,
        calls,
        notices,
    })
}

/// `GET /live`: one `change` event whenever something for the signed-in user changed. The event
/// says nothing about what changed; the page fetches its own content again (`hearth.js`). Its
/// data is not empty because browsers do not dispatch an event without data.
pub async fn events(State(state): State<AppState>, user: CurrentUser) -> Response {
    let updates = state.app.live_updates(&user.actor);
    let stream = futures_util::stream::unfold(updates, |mut updates| async move {
        if updates.changed().await {
            Some((
                Ok::<_, Infallible>(Event::default().event("change").data("changed")),
                updates,
            ))
        } else {
            None
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response()
}
