//! The HTML pages and the operations endpoints, one module per subject.

pub mod assets;
pub mod directory;
pub mod ops;
pub mod patient;
pub mod register;
pub mod register_entry;
pub mod sign_in;
pub mod team;

use askama::Template;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::WebError;
use crate::session::CurrentUser;

/// What the page header shows about the signed-in user.
pub struct Chrome {
    pub name: String,
    /// "Profession · Organisation" of the acting role.
    pub role: String,
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
            csrf_token: user.csrf_token.clone(),
        }
    }
}

/// Renders a template into an HTML response.
pub fn render(template: &impl Template) -> Result<Response, WebError> {
    Ok(Html(template.render()?).into_response())
}

pub async fn home() -> Redirect {
    Redirect::to("/register")
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}
