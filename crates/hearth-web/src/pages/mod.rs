//! The HTML pages and the operations endpoints, one module per subject.

pub mod access;
pub mod account;
pub mod admin;
pub mod advice;
pub mod assets;
pub mod conversations;
pub mod directory;
pub mod emergency;
pub mod figures;
pub mod inbox;
pub mod leaflet;
pub mod meetings;
pub mod my_work;
pub mod needs;
pub mod ops;
pub mod patient;
pub mod plan;
mod plan_form;
pub mod referrals;
pub mod register;
pub mod register_entry;
pub mod rota;
pub mod sign_in;
pub mod summary;
pub mod tasks;
pub mod team;
pub mod transitions;
pub mod triggers;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use hearth_app::AppError;

use crate::WebError;
use crate::session::CurrentUser;
use hearth_domain::practitioner::Profession;

/// What the page header shows about the signed-in user.
pub struct Chrome {
    pub name: String,
    /// "Profession · Organisation" of the acting role.
    pub role: String,
    /// The user holds other roles they can switch to.
    pub other_roles: bool,
    pub csrf_token: String,
    /// The acting role is an administrator's: the header links to the administration pages.
    pub admin: bool,
    /// The acting role is clinical: the header links to the register.
    pub clinician: bool,
    /// The acting role answers the specialist advice line: the header links to its log.
    pub advice_line: bool,
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
            admin: user
                .actor
                .acting_role()
                .is_some_and(|r| r.profession == Profession::Administrator),
            clinician: user.actor.is_clinician(),
            advice_line: hearth_app::answers_advice_line(&user.actor),
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

/// The id of a record without an id type of its own (a conversation, a task) from a URL; anything
/// that cannot be one is a page that does not exist.
pub fn record_id(id: &str) -> Result<String, WebError> {
    if hearth_domain::ids::is_valid(id) {
        Ok(id.to_owned())
    } else {
        Err(WebError::NotFound)
    }
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

/// What was wrong with a submitted form: the message, and the field it belongs to (shown next to
/// that field as well as in the summary at the top of the page).
#[derive(Debug, Default)]
pub struct FormErrors {
    pub field: Option<&'static str>,
    pub message: Option<String>,
}

impl FormErrors {
    /// The message, when it belongs to `field`.
    pub fn on(&self, field: &str) -> Option<&str> {
        match self.field {
            Some(f) if f == field => self.message.as_deref(),
            _ => None,
        }
    }
}

/// Like `after_change`, for forms that show errors next to their fields: a refused input redraws
/// the form (422) with the message next to its field; a conflict or duplicate (409) redraws it
/// with the message at the top; anything else goes to the one error page.
pub async fn after_form<T, Fut>(
    result: Result<T, AppError>,
    done: &str,
    redraw: impl FnOnce(FormErrors) -> Fut,
) -> Result<Response, WebError>
where
    Fut: std::future::Future<Output = Result<Response, WebError>>,
{
    let (status, errors) = match result {
        Ok(_) => return Ok(Redirect::to(done).into_response()),
        Err(AppError::Invalid(invalid)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors {
                field: Some(invalid.field),
                message: Some(invalid.message),
            },
        ),
        Err(AppError::Conflict(message) | AppError::Duplicate(message)) => (
            StatusCode::CONFLICT,
            FormErrors {
                field: None,
                message: Some(message),
            },
        ),
        Err(other) => return Err(other.into()),
    };
    let page = redraw(errors).await?;
    Ok((status, page).into_response())
}

/// `/`: where each role starts — the register for clinicians, administration for
/// administrators, the figures for everyone else.
/// `GET /`: a clinician's "my work" page; administrators and managers go to their start pages.
pub async fn home(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let chrome = Chrome::of(&user);
    if chrome.clinician {
        return my_work::page(&state, &user).await;
    }
    Ok(Redirect::to(if chrome.admin { "/admin" } else { "/figures" }).into_response())
}

pub async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path() == "/fhir" || uri.path().starts_with("/fhir/") {
        // API clients read OperationOutcomes, not the web's error page.
        return crate::fhir::unknown().await.into_response();
    }
    WebError::NotFound.into_response()
}
