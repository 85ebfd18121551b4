//! `/patients/{id}`: a patient's overview — who they are, where they live, and which
//! organisations are involved in their care, with how to reach them.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use hearth_domain::PatientId;

use crate::pages::{Chrome, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// An involved organisation, formatted for display.
pub struct OrganisationLine {
    pub name: String,
    pub kind: &'static str,
    pub phone: Option<String>,
    pub phone_href: Option<String>,
}

#[derive(Template)]
#[template(path = "patient.html")]
struct PatientView {
    chrome: Option<Chrome>,
    active: &'static str,
    name: String,
    number_label: String,
    national_number: String,
    born: String,
    age: i16,
    sex: &'static str,
    diagnosis: Option<String>,
    address: String,
    area: Option<String>,
    rural: bool,
    travel_minutes: Option<u16>,
    organisations: Vec<OrganisationLine>,
    updated: String,
    version: i64,
}

pub async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = PatientId::parse(&id).ok_or(WebError::NotFound)?;
    let app = &state.app;
    let overview = app.patient_overview(&user.actor, &id).await?;
    let p = &overview.patient;
    let system = &app.config().national_number_system;
    let mut address = vec![p.address.line.clone(), p.address.town.clone()];
    address.extend(p.address.postcode.clone());
    let view = PatientView {
        chrome: Some(Chrome::of(&user)),
        active: "register",
        name: p.list_name(),
        number_label: system.label.clone(),
        national_number: system.display(&p.national_number.value),
        born: p.date_of_birth.strftime("%-d %b %Y").to_string(),
        age: p.age_on(app.today()),
        sex: p.sex.label(),
        diagnosis: p.main_diagnosis.clone(),
        address: address.join(", "),
        area: p.area.clone(),
        rural: p.rural,
        travel_minutes: p.travel_minutes_to_hospital,
        organisations: overview
            .organisations
            .iter()
            .map(|o| OrganisationLine {
                name: o.name.clone(),
                kind: o.kind.label(),
                phone_href: o.phone.as_ref().map(|phone| {
                    format!(
                        "tel:{}",
                        phone
                            .chars()
                            .filter(|c| c.is_ascii_digit() || *c == '+')
                            .collect::<String>()
                    )
                }),
                phone: o.phone.clone(),
            })
            .collect(),
        updated: app.local_time(p.updated_at),
        version: p.version,
    };
    render(&view)
}
