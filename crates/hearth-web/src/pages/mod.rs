//! The HTML pages and the operations endpoints, one module per subject.

pub mod access;
pub mod account;
pub mod assets;
pub mod directory;
pub mod emergency;
pub mod ops;
pub mod patient;
pub mod register;
pub mod register_entry;
pub mod sign_in;
pub mod team;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use hearth_app::AppError;

use crate::WebError;
use crate::session::CurrentUser;

/// What the page header shows about the signed-in user.
pub struct Chrome {
    pub name: String,
    /// "Profession · Organisation" of the acting role.
    pub role: String,
    /// The user holds other roles they can switch to.
    pub other_roles: bool,
    pub csrf_token: String,
}

impl Chrome {
    pub fn of(user: &CurrentUser) -> Self {
        let role = user.actor.acting_role().map_or_else(
            || "No role".to_owned(),
            |r| format!("{} · {}", r.profession.label(), r.organisation_name),
        );
        Chrome {
            name: user.actor.name.clone(),
            role,
            other_roles: user.actor.roles.len() > 1,
            csrf_token: user.csrf_token.clone(),
        }
    }
}

/// A date as people read it in lists and letters: `9 Mar 1941`.
pub fn date(d: jiff::civil::Date) -> String {
    d.strftime("%-d %b %Y").to_string()
}

/// A `tel:` link for a number as written ("01632 960 401" → "tel:01632960401"), so that a tap
/// on a phone or tablet rings it.
pub fn tel_href(phone: &str) -> String {
    let digits: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{digits}")
}

/// A patient id from a URL; anything that cannot be one is a page that does not exist.
pub fn patient_id(id: &str) -> Result<hearth_domain::PatientId, WebError> {
    hearth_domain::PatientId::parse(id).ok_or(WebError::NotFound)
}

/// The record version a form says it changes (its hidden `version` field).
pub fn form_version(version: &str) -> Result<i64, WebError> {
    version.trim().parse().map_err(|_| {
        WebError::App(AppError::Conflict(
            "The form did not say which version it changes; reload the page and try again."
                .to_owned(),
        ))
    })
}

/// Renders a template into an HTML response.
pub fn render(template: &impl Template) -> Result<Response, WebError> {
    Ok(Html(template.render()?).into_response())
}

/// The response to a form that changes something: on success, back to `done` (303); when the
/// input was refused, the form's page again with the message (422), drawn by `redraw`; any other
/// failure goes to the one error page.
pub async fn after_change<T, Fut>(
    result: Result<T, AppError>,
    done: &str,
    redraw: impl FnOnce(String) -> Fut,
) -> Result<Response, WebError>
where
    Fut: std::future::Future<Output = Result<Response, WebError>>,
{
    match result {
        Ok(_) => Ok(Redirect::to(done).into_response()),
        Err(AppError::Invalid(invalid)) => {
            let page = redraw(invalid.message).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn home() -> Redirect {
    Redirect::to("/register")
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}
