//! `/register`: the patients the signed-in clinician may see, with search and paging.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hearth_app::{AppError, RegisterPage, RegisterQuery};
use serde::Deserialize;

use crate::pages::{Chrome, render};
use crate::session::{CurrentUser, encode_component};
use crate::{AppState, WebError};

/// One row of the register table, formatted for display.
pub struct Row {
    pub href: String,
    pub name: String,
    pub national_number: String,
    pub born: String,
    pub age: i16,
    pub sex: &'static str,
    pub town: String,
    pub rural: bool,
    pub diagnosis: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterView {
    chrome: Option<Chrome>,
    active: &'static str,
    search: String,
    number_label: String,
    rows: Vec<Row>,
    error: Option<String>,
    page: u32,
    previous: Option<String>,
    next: Option<String>,
    organisations: String,
}

#[derive(Deserialize, Default)]
pub struct Params {
    #[serde(default)]
    q: String,
    /// One-based page number, as shown to people. Kept as text so that a mangled number in a
    /// bookmarked link shows the first page instead of an error.
    page: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let page = params
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<u32>().ok())
        .unwrap_or(1)
        .clamp(1, 10_000);
    let query = RegisterQuery {
        search: params.q.clone(),
        page: page - 1,
    };
    let system = &app.config().national_number_system;
    let (result, error, status) = match app.register(&user.actor, &query).await {
        Ok(result) => (result, None, StatusCode::OK),
        Err(AppError::Invalid(invalid)) => (
            RegisterPage {
                patients: Vec::new(),
                page: page - 1,
                has_more: false,
            },
            Some(invalid.message),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(other) => return Err(other.into()),
    };
    let today = app.today();
    let rows = result
        .patients
        .iter()
        .map(|p| Row {
            href: format!("/patients/{}", p.id),
            name: p.list_name(),
            national_number: system.display(&p.national_number),
            born: p.date_of_birth.strftime("%-d %b %Y").to_string(),
            age: hearth_domain::patient::age_on(p.date_of_birth, today),
            sex: p.sex.label(),
            town: p.town.clone(),
            rural: p.rural,
            diagnosis: p.main_diagnosis.clone().unwrap_or_default(),
        })
        .collect();
    let link = |page: u32| {
        if params.q.is_empty() {
            format!("/register?page={page}")
        } else {
            format!("/register?q={}&page={page}", encode_component(&params.q))
        }
    };
    let organisations: Vec<&str> = user
        .actor
        .roles
        .iter()
        .filter(|r| r.profession.is_clinical())
        .map(|r| r.organisation_name.as_str())
        .collect();
    let view = RegisterView {
        chrome: Some(Chrome::of(&user)),
        active: "register",
        search: params.q.clone(),
        number_label: system.label.clone(),
        rows,
        error,
        page,
        previous: (page > 1).then(|| link(page - 1)),
        next: result.has_more.then(|| link(page + 1)),
        organisations: organisations.join(", "),
    };
    Ok((status, render(&view)?).into_response())
}
