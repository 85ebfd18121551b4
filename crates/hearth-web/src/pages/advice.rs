//! `/advice`: the specialist advice line's log — the last seven days of calls and messages with
//! their counts, who is on call now, and the form that logs a call (linked to a registered
//! patient by national number, when there is one).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_domain::advice::{AdviceCallDraft, AdviceChannel, AdviceOutcome, CallerRole};

use crate::pages::plan_form::Submitted;
use crate::pages::{Chrome, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

struct CallLine {
    received: String,
    out_of_hours: bool,
    channel: &'static str,
    caller: String,
    patient: Option<(String, String)>,
    patient_description: Option<String>,
    /// Why the call's content is not shown to this reader.
    withheld: Option<String>,
    question: String,
    advice: String,
    outcome: &'static str,
    logged_by: String,
}

#[derive(Template)]
#[template(path = "advice.html")]
struct AdvicePage {
    chrome: Option<Chrome>,
    active: &'static str,
    csrf_token: String,
    error: Option<String>,
    on_call: Vec<String>,
    total: usize,
    out_of_hours: usize,
    by_outcome: Vec<(&'static str, usize)>,
    calls: Vec<CallLine>,
    roles: Vec<(&'static str, &'static str, bool)>,
    outcomes: Vec<(&'static str, &'static str, bool)>,
    channels: Vec<(&'static str, &'static str, bool)>,
    number_label: String,
    form: Submitted,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    form: Submitted,
    error: Option<String>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let log = app.advice_log(&user.actor).await?;
    let calls = log
        .calls
        .iter()
        .map(|line| {
            let c = &line.call;
            CallLine {
                received: app.local_time(c.received_at),
                out_of_hours: c.out_of_hours,
                channel: c.channel.label(),
                caller: match &c.caller_organisation {
                    Some(o) => format!("{}, {} ({o})", c.caller_name, c.caller_role.label()),
                    None if line.withheld.is_some() => c.caller_name.clone(),
                    None => format!("{}, {}", c.caller_name, c.caller_role.label()),
                },
                patient: c.patient_id.as_ref().map(|p| {
                    (
                        format!("/patients/{p}/needs"),
                        log.patients.get(p).cloned().unwrap_or_default(),
                    )
                }),
                patient_description: c.patient_description.clone(),
                withheld: line.withheld.clone(),
                question: c.question.clone(),
                advice: c.advice.clone(),
                outcome: c.outcome.label(),
                logged_by: log
                    .names
                    .get(&c.logged_by)
                    .cloned()
                    .unwrap_or_else(|| "a colleague".to_owned()),
            }
        })
        .collect();
    let pick = |field: &str, code: &str, default: bool| {
        let v = form.one(field);
        if v.is_empty() { default } else { v == code }
    };
    render(&AdvicePage {
        chrome: Some(Chrome::of(user)),
        active: "advice",
        csrf_token: user.csrf_token.clone(),
        error,
        on_call: log.on_call.clone(),
        total: log.summary.total,
        out_of_hours: log.summary.out_of_hours,
        by_outcome: log
            .summary
            .by_outcome
            .iter()
            .map(|(o, n)| (o.label(), *n))
            .collect(),
        calls,
        roles: CallerRole::ALL
            .iter()
            .map(|r| (r.code(), r.label(), pick("caller_role", r.code(), false)))
            .collect(),
        outcomes: AdviceOutcome::ALL
            .iter()
            .map(|o| (o.code(), o.label(), pick("outcome", o.code(), false)))
            .collect(),
        channels: AdviceChannel::ALL
            .iter()
            .map(|c| {
                (
                    c.code(),
                    c.label(),
                    pick("channel", c.code(), *c == AdviceChannel::Phone),
                )
            })
            .collect(),
        number_label: app.config().national_number_system.label.clone(),
        form,
    })
}

/// `GET /advice`
pub async fn show(State(state): State<AppState>, user: CurrentUser) -> Result<Response, WebError> {
    page(&state, &user, Submitted { pairs: Vec::new() }, None).await
}

/// `POST /advice`: logs a call.
pub async fn log(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Submitted { pairs };
    user.check_csrf(&f.one("csrf_token"))?;
    let received =
        crate::pages::conversations::local_instant(&state, "received_at", &f.one("received_at"));
    let result = match received {
        Err(e) => Err(e),
        Ok(at) => {
            state
                .app
                .log_advice_call(
                    &user.actor,
                    AdviceCallDraft {
                        caller_name: f.one("caller_name"),
                        caller_role: f.one("caller_role"),
                        caller_organisation: f.one("caller_organisation"),
                        patient: None,
                        patient_description: f.one("patient_description"),
                        question: f.one("question"),
                        advice: f.one("advice"),
                        outcome: f.one("outcome"),
                        channel: f.one("channel"),
                    },
                    &f.one("national_number"),
                    at,
                )
                .await
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to("/advice").into_response()),
        Err(AppError::Invalid(e)) => {
            let response = page(&state, &user, f, Some(e.message)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, response).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
