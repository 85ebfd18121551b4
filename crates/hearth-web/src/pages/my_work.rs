//! `/` for a clinician: "my work" — what needs them now (messages, calls), their tasks, and the
//! patients they coordinate who are not ready for out of hours, at a glance. Each part links to
//! its full page.

use askama::Template;
use axum::response::Response;
use hearth_app::RegisterQuery;

use crate::pages::{Chrome, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// Items shown per part; the full pages list the rest.
const SHOWN: usize = 5;

#[derive(Template)]
#[template(path = "my_work.html")]
struct MyWorkPage {
    chrome: Option<Chrome>,
    active: &'static str,
    name: String,
    messages: Vec<Line>,
    more_messages: usize,
    calls: Vec<Line>,
    tasks: Vec<Line>,
    team_tasks: usize,
    overdue: usize,
    not_ready: Vec<Line>,
    more_not_ready: bool,
    meetings: Vec<Line>,
    suggestions: Vec<Line>,
    more_suggestions: usize,
}

/// One line of a part: where it goes, what it says, a short note, and whether it is urgent.
struct Line {
    href: String,
    text: String,
    note: String,
    urgent: bool,
}

/// The clinician's start page.
pub async fn page(state: &AppState, user: &CurrentUser) -> Result<Response, WebError> {
    let app = &state.app;
    let actor = &user.actor;
    let inbox = app.inbox(actor).await?;
    let suggestions: Vec<Line> = app
        .open_suggestions(actor)
        .await?
        .iter()
        .map(|s| Line {
            href: format!("/patients/{}/needs", s.suggestion.patient_id),
            text: format!("{} · {}", s.patient_name, s.suggestion.suggests.label()),
            note: format!(
                "{} ({})",
                s.suggestion.reason,
                app.local_time(s.suggestion.fired_at)
            ),
            urgent: false,
        })
        .collect();
    let tasks = app.my_tasks(actor).await?;
    let meetings = app
        .upcoming_meetings(actor)
        .await?
        .iter()
        .map(|m| Line {
            href: format!("/meetings/{}", m.id),
            text: m.title.clone(),
            note: format!("{} · {}", app.local_time(m.starts_at), m.mode.label()),
            urgent: false,
        })
        .collect();
    let register = app
        .register(
            actor,
            &RegisterQuery {
                coordinator: Some("me".to_owned()),
                readiness: Some("not-ready".to_owned()),
                ..Default::default()
            },
        )
        .await?;
    let now = app.now();
    let name = |p: &hearth_domain::PractitionerId| {
        inbox
            .names
            .get(p)
            .cloned()
            .unwrap_or_else(|| "a colleague".to_owned())
    };
    let messages: Vec<Line> = inbox
        .messages
        .iter()
        .map(|m| Line {
            href: format!(
                "/patients/{}/conversations/{}",
                m.message.patient_id, m.message.conversation_id
            ),
            text: format!("{} · {}", m.patient_name, m.topic),
            note: format!(
                "{}{}, {}",
                name(&m.message.author),
                m.message
                    .reply_by
                    .map(|t| format!(" asks for a reply by {}", app.local_time(t)))
                    .unwrap_or_default(),
                if m.read { "read" } else { "unread" }
            ),
            urgent: m.message.urgency == hearth_domain::conversation::Urgency::Urgent,
        })
        .collect();
    let calls = inbox
        .talks
        .iter()
        .map(|(t, topic, patient)| Line {
            href: format!(
                "/patients/{}/conversations/{}",
                t.patient_id, t.conversation_id
            ),
            text: format!("{patient} · {topic}"),
            note: match t.scheduled_at {
                Some(at) => format!("{} at {}", t.mode.label(), app.local_time(at)),
                None => format!(
                    "{} asks for a {}: pick a time",
                    name(&t.requested_by),
                    t.mode.label().to_lowercase()
                ),
            },
            urgent: false,
        })
        .collect();
    let overdue = tasks.mine.iter().filter(|l| l.task.is_overdue(now)).count();
    let task_lines = tasks
        .mine
        .iter()
        .take(SHOWN)
        .map(|l| Line {
            href: format!("/patients/{}/tasks", l.task.patient_id),
            text: format!("{} · {}", l.patient_name, l.task.title),
            note: format!("due {}", app.local_time(l.task.due_at)),
            urgent: l.task.is_overdue(now),
        })
        .collect();
    let not_ready = register
        .patients
        .iter()
        .take(SHOWN)
        .map(|p| Line {
            href: format!("/patients/{}/plan", p.id),
            text: p.list_name(),
            note: p
                .register
                .as_ref()
                .map(|r| {
                    let missing: Vec<&str> =
                        r.out_of_hours_missing.iter().map(|m| m.label()).collect();
                    format!("missing: {}", missing.join(", "))
                })
                .unwrap_or_default(),
            urgent: false,
        })
        .collect();
    render(&MyWorkPage {
        chrome: Some(Chrome::of(user)),
        active: "home",
        name: actor.name.clone(),
        more_messages: messages.len().saturating_sub(SHOWN),
        messages: messages.into_iter().take(SHOWN).collect(),
        calls,
        meetings,
        tasks: task_lines,
        team_tasks: tasks.team.len(),
        overdue,
        more_suggestions: suggestions.len().saturating_sub(SHOWN),
        suggestions: suggestions.into_iter().take(SHOWN).collect(),
        more_not_ready: register.patients.len() > SHOWN || register.has_more,
        not_ready,
    })
}
