//! `/patients/{id}/who-to-call`: a one-page leaflet for the patient's home with the numbers to
//! call day and night, in plain words, for the family and carers to keep by the phone.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use hearth_domain::organisation::OrganisationKind;

use crate::pages::{Chrome, patient_id, render, tel_href};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// One number on the leaflet.
pub struct Number {
    pub who: String,
    pub when: &'static str,
    pub phone: String,
    pub phone_href: String,
}

#[derive(Template)]
#[template(path = "leaflet.html")]
struct LeafletPage {
    chrome: Option<Chrome>,
    active: &'static str,
    patient_href: String,
    name: String,
    call_first: Option<String>,
    day: Vec<Number>,
    night: Vec<Number>,
    advice: Vec<Number>,
}

/// `GET /patients/{id}/who-to-call`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let leaflet = state.app.who_to_call(&user.actor, &id).await?;
    let number = |who: String, when: &'static str, phone: &str| Number {
        who,
        when,
        phone: phone.to_owned(),
        phone_href: tel_href(phone),
    };
    let day = leaflet
        .organisations
        .iter()
        .filter(|o| {
            matches!(
                o.kind,
                OrganisationKind::GpPractice
                    | OrganisationKind::HomeCare
                    | OrganisationKind::CareHome
                    | OrganisationKind::Hospice
                    | OrganisationKind::SpecialistPalliativeCare
            )
        })
        .filter_map(|o| {
            let when = match o.kind {
                OrganisationKind::GpPractice => "weekdays, daytime",
                OrganisationKind::HomeCare => "for nursing care at home",
                _ => "for advice and support",
            };
            o.phone.as_deref().map(|p| number(o.name.clone(), when, p))
        })
        .collect();
    let night = leaflet
        .out_of_hours
        .iter()
        .filter_map(|o| {
            o.phone.as_deref().map(|p| {
                number(
                    o.name.clone(),
                    "evenings, nights, weekends and bank holidays",
                    p,
                )
            })
        })
        .collect();
    let mut advice: Vec<Number> = Vec::new();
    for line in &leaflet.advice {
        if !advice.iter().any(|n| n.phone == line.shift.phone) {
            advice.push(number(
                line.service.clone(),
                "specialist palliative care advice, day and night",
                &line.shift.phone,
            ));
        }
    }
    render(&LeafletPage {
        chrome: Some(Chrome::of(&user)),
        active: "register",
        patient_href: format!("/patients/{id}"),
        name: format!(
            "{} {}",
            leaflet.patient.given_name, leaflet.patient.family_name
        ),
        call_first: leaflet.call_first,
        day,
        night,
        advice,
    })
}
