//! `/account`: who you are signed in as, your roles, your open sessions, and "sign out
//! everywhere" — for the computer you forgot to sign out of.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::pages::sign_in::{SignOutForm, signed_out};
use crate::pages::{Chrome, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// One open session, in words.
pub struct SessionRow {
    pub started: String,
    pub last_seen: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Option<Chrome>,
    active: &'static str,
    name: String,
    /// (role id, "Profession · Organisation", acting).
    roles: Vec<(String, String, bool)>,
    sessions: Vec<SessionRow>,
    csrf_token: String,
    /// "12 hours" and "30 minutes", from the configuration.
    lifetime: String,
    idle: String,
}

/// A configured duration in words: whole hours, minutes, or (below a minute) seconds.
pub(crate) fn in_words(duration: jiff::SignedDuration) -> String {
    let seconds = duration.as_secs();
    if seconds < 60 {
        return format!("{seconds} seconds");
    }
    let minutes = seconds / 60;
    match (minutes / 60, minutes % 60) {
        (1, 0) => "1 hour".to_owned(),
        (hours, 0) if hours > 1 => format!("{hours} hours"),
        _ if minutes == 1 => "1 minute".to_owned(),
        _ => format!("{minutes} minutes"),
    }
}

/// `GET /account`
pub async fn show(State(state): State<AppState>, user: CurrentUser) -> Result<Response, WebError> {
    let sessions = state
        .app
        .my_sessions(&user.token)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            started: state.app.local_time(s.started_at),
            last_seen: state.app.local_time(s.last_seen_at),
            current: s.current,
        })
        .collect();
    render(&AccountPage {
        chrome: Some(Chrome::of(&user)),
        active: "account",
        name: user.actor.name.clone(),
        roles: user
            .actor
            .roles
            .iter()
            .enumerate()
            .map(|(n, r)| {
                (
                    r.role_id.to_string(),
                    format!("{} · {}", r.profession.label(), r.organisation_name),
                    n == 0,
                )
            })
            .collect(),
        sessions,
        csrf_token: user.csrf_token.clone(),
        lifetime: in_words(state.app.config().session_lifetime),
        idle: in_words(state.app.config().session_idle_timeout),
    })
}

/// `POST /sign-out/everywhere`: ends every session of the signed-in user, this one included.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<SignOutForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf_token)?;
    state.app.sign_out_everywhere(&user.token).await?;
    Ok(signed_out(&state, "/sign-in?signed_out=everywhere"))
}

#[derive(serde::Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    role: String,
}

/// `POST /account/acting-role`: act in another of one's roles from now on.
pub async fn switch_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<RoleForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf_token)?;
    state
        .app
        .switch_acting_role(&user.token, &form.role)
        .await?;
    Ok(axum::response::Redirect::to("/account").into_response())
}
