//! `/register`: the palliative care register as the signed-in clinician may see it, with search,
//! filters (organisation, diagnosis group, consent), sorting and paging; optionally every patient
//! they may see, registered or not.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hearth_app::{AppError, RegisterPage, RegisterQuery};
use hearth_domain::register::{ConsentDecision, DiagnosisGroup};
use serde::Deserialize;

use crate::pages::{Chrome, date, render};
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
    /// Diagnosis group, identification date and consent, when on the register.
    pub register: Option<(&'static str, String, ConsentDecision)>,
    pub coordinator: Option<String>,
    /// What the patient lacks for out-of-hours readiness, in words (empty: ready; only for
    /// patients on the register).
    pub not_ready: Option<String>,
}

/// An option of a filter's select box.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<'a>(selected: &str, all: impl Iterator<Item = (&'a str, String)>) -> Vec<Choice> {
    all.map(|(value, label)| Choice {
        selected: value == selected,
        value: value.to_owned(),
        label,
    })
    .collect()
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterView {
    chrome: Option<Chrome>,
    active: &'static str,
    params: Params,
    number_label: String,
    rows: Vec<Row>,
    unread_notices: i64,
    error: Option<String>,
    page: u32,
    previous: Option<String>,
    next: Option<String>,
    organisations: String,
    organisation_choices: Vec<Choice>,
    group_choices: Vec<Choice>,
    consent_choices: Vec<Choice>,
    filtered: bool,
}

#[derive(Deserialize, Default, Clone)]
pub struct Params {
    #[serde(default)]
    q: String,
    /// One-based page number, as shown to people. Kept as text so that a mangled number in a
    /// bookmarked link shows the first page instead of an error.
    page: Option<String>,
    /// `all` shows every patient the user may see, not only those on the register.
    #[serde(default)]
    show: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    consent: String,
    #[serde(default)]
    coordinator: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    readiness: String,
}

impl Params {
    /// The query string for another page of the same list.
    fn link(&self, page: u32) -> String {
        let mut parts = vec![];
        for (key, value) in [
            ("q", &self.q),
            ("show", &self.show),
            ("organisation", &self.organisation),
            ("group", &self.group),
            ("consent", &self.consent),
            ("coordinator", &self.coordinator),
            ("sort", &self.sort),
            ("readiness", &self.readiness),
        ] {
            if !value.is_empty() {
                parts.push(format!("{key}={}", encode_component(value)));
            }
        }
        parts.push(format!("page={page}"));
        format!("/register?{}", parts.join("&"))
    }
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
        include_unregistered: params.show == "all",
        organisation: Some(params.organisation.clone()),
        diagnosis_group: Some(params.group.clone()),
        consent: Some(params.consent.clone()),
        coordinator: Some(params.coordinator.clone()),
        sort: Some(params.sort.clone()),
        readiness: Some(params.readiness.clone()),
    };
    let system = &app.config().national_number_system;
    let (result, error, status) = match app.register(&user.actor, &query).await {
        Ok(result) => (result, None, StatusCode::OK),
        Err(AppError::Invalid(invalid)) => (
            RegisterPage {
                patients: Vec::new(),
                page: page - 1,
                has_more: false,
                // Refused searches are rare; the filter still needs its choices.
                organisations: app.organisations().await?,
                unread_notices: 0,
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
            born: date(p.date_of_birth),
            age: hearth_domain::patient::age_on(p.date_of_birth, today),
            sex: p.sex.label(),
            town: p.town.clone(),
            rural: p.rural,
            diagnosis: p.main_diagnosis.clone().unwrap_or_default(),
            coordinator: p.coordinator.clone(),
            not_ready: p
                .register
                .as_ref()
                .filter(|r| !r.out_of_hours_missing.is_empty())
                .map(|r| {
                    r.out_of_hours_missing
                        .iter()
                        .map(|m| m.label())
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
            register: p
                .register
                .as_ref()
                .map(|r| (r.diagnosis_group.label(), date(r.identified_on), r.consent)),
        })
        .collect();
    // The register follows the acting role: the reader in person, and the organisation they act
    // for.
    let organisations = user
        .actor
        .acting_role()
        .map_or_else(String::new, |r| r.organisation_name.clone());
    let view = RegisterView {
        chrome: Some(Chrome::of(&user)),
        active: "register",
        number_label: system.label.clone(),
        rows,
        unread_notices: result.unread_notices,
        error,
        page,
        previous: (page > 1).then(|| params.link(page - 1)),
        next: result.has_more.then(|| params.link(page + 1)),
        organisations,
        organisation_choices: choices(
            &params.organisation,
            result
                .organisations
                .iter()
                .map(|o| (o.id.as_str(), o.name.clone())),
        ),
        group_choices: choices(
            &params.group,
            DiagnosisGroup::ALL
                .iter()
                .map(|g| (g.code(), g.label().to_owned())),
        ),
        consent_choices: choices(
            &params.consent,
            ConsentDecision::ALL
                .iter()
                .map(|c| (c.code(), c.label().to_owned())),
        ),
        filtered: !(params.organisation.is_empty()
            && params.group.is_empty()
            && params.consent.is_empty()
            && params.coordinator.is_empty()
            && params.readiness.is_empty()),
        params,
    };
    Ok((status, render(&view)?).into_response())
}
