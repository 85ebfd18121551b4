//! `/directory`: who gives specialist palliative care advice now and next, and the services and
//! people of the region with how to reach them, searchable by name.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use hearth_app::OnCallView;
use hearth_domain::organisation::ServiceDetails;
use serde::Deserialize;

use crate::pages::{Chrome, render, tel_href};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// The directory entry of a care team member: people and services have anchors on the
/// directory page.
pub fn entry_href(member: &hearth_domain::care_team::Member) -> String {
    match member {
        hearth_domain::care_team::Member::Practitioner(id) => format!("/directory#person-{id}"),
        hearth_domain::care_team::Member::Service(id) => format!("/directory#service-{id}"),
    }
}

/// A rota line for display.
pub struct RotaLine {
    pub name: String,
    pub service: String,
    pub phone: String,
    pub phone_href: String,
    pub when: String,
    pub now: bool,
}

/// Formats the rota for display in local time.
pub fn rota_lines(state: &AppState, rota: &[OnCallView]) -> Vec<RotaLine> {
    rota.iter()
        .map(|line| RotaLine {
            name: line.name.clone(),
            service: line.service.clone(),
            phone_href: tel_href(&line.shift.phone),
            phone: line.shift.phone.clone(),
            when: format!(
                "{} – {}",
                state.app.local_time(line.shift.starts_at),
                state.app.local_time(line.shift.ends_at)
            ),
            now: line.now,
        })
        .collect()
}

/// A service line.
pub struct ServiceLine {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub area: String,
    pub phone: Option<String>,
    pub details: ServiceDetails,
    pub competencies: Vec<&'static str>,
}

/// A person line.
pub struct PersonLine {
    pub id: String,
    pub name: String,
    pub profession: String,
    pub organisation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub working_pattern: Option<String>,
    pub competencies: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    chrome: Option<Chrome>,
    active: &'static str,
    search: String,
    rota: Vec<RotaLine>,
    services: Vec<ServiceLine>,
    people: Vec<PersonLine>,
}

#[derive(Deserialize, Default)]
pub struct Params {
    #[serde(default)]
    q: String,
}

/// `GET /directory`
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let directory = state.app.directory(&user.actor, &params.q).await?;
    let page = DirectoryPage {
        chrome: Some(Chrome::of(&user)),
        active: "directory",
        rota: rota_lines(&state, &directory.on_call),
        services: directory
            .organisations
            .iter()
            .map(|o| ServiceLine {
                id: o.id.to_string(),
                name: o.name.clone(),
                kind: o.kind.label(),
                area: o.area.clone().unwrap_or_default(),
                phone: o.phone.clone(),
                competencies: o.details.competencies.iter().map(|c| c.label()).collect(),
                details: o.details.clone(),
            })
            .collect(),
        people: directory
            .people
            .into_iter()
            .map(|p| PersonLine {
                id: p.id.to_string(),
                name: p.name,
                profession: p.profession,
                organisation: p.organisation,
                phone: p.phone,
                email: p.email,
                working_pattern: p.working_pattern,
                competencies: p.competencies,
            })
            .collect(),
        search: params.q,
    };
    render(&page)
}
