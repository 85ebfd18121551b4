//! `/patients/{id}`: a patient's overview — who they are, where they live, and which
//! organisations are involved in their care, with how to reach them.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::HashMap;

use hearth_domain::care_team::Member;
use hearth_domain::organisation::Organisation;
use hearth_domain::register::{
    ConsentDecision, Leaving, PlaceOfDeath, PreferredPlaceMet, RegisterEntry,
};
use hearth_domain::{PatientId, PractitionerId};

use crate::pages::{Chrome, date, render, tel_href};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// An involved organisation, formatted for display.
pub struct OrganisationLine {
    pub name: String,
    pub kind: &'static str,
    pub phone: Option<String>,
    pub phone_href: Option<String>,
}

/// The patient's register entry, formatted for display.
pub struct RegisterView {
    pub version: i64,
    pub identified_on: String,
    pub identified_by: String,
    pub registering_organisation: String,
    pub surprise: &'static str,
    pub general: Vec<&'static str>,
    pub disease: Vec<&'static str>,
    pub diagnosis_group: &'static str,
    pub consent: &'static str,
    pub consent_declined: bool,
    pub consent_recorded: String,
    /// "Died on 3 Nov 2026 at home (preferred place: yes)" or "Removed on … : reason".
    pub leaving: Option<String>,
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
    patient_href: String,
    csrf_token: String,
    today: String,
    register: Option<RegisterView>,
    earlier_entries: Vec<String>,
    register_error: Option<String>,
    coordinator: Option<String>,
    on_call: Vec<super::directory::RotaLine>,
    team_size: usize,
    handover_pending: bool,
    /// Where the patient is now and since when ("In hospital (Ward 7) since …").
    place: Option<String>,
    /// A discharge planned: when, and its state.
    discharge: Option<String>,
    /// The signed-in user coordinates this patient, so may see who accessed the record.
    viewer_coordinates: bool,
    place_choices: Vec<(&'static str, &'static str)>,
    preferred_choices: Vec<(&'static str, &'static str)>,
    consent_choices: Vec<(&'static str, &'static str, bool)>,
    /// The record is open under emergency access: until when, and the reason given.
    emergency: Option<(String, String)>,
    /// The latest assessment values and the phase of illness.
    latest: Vec<super::needs::LatestLine>,
}

fn describe(
    entry: &RegisterEntry,
    names: &HashMap<PractitionerId, String>,
    organisations: &[Organisation],
) -> RegisterView {
    let name = |id: &PractitionerId| {
        names
            .get(id)
            .cloned()
            .unwrap_or_else(|| "a former colleague".to_owned())
    };
    RegisterView {
        version: entry.version,
        identified_on: date(entry.identified_on),
        identified_by: name(&entry.identified_by),
        registering_organisation: organisations
            .iter()
            .find(|o| o.id == entry.organisation_id)
            .map_or_else(|| "another organisation".to_owned(), |o| o.name.clone()),
        surprise: entry.surprise.label(),
        general: entry.general_indicators.iter().map(|g| g.label()).collect(),
        disease: entry.disease_indicators.iter().map(|d| d.label()).collect(),
        diagnosis_group: entry.diagnosis_group.label(),
        consent: entry.consent.decision.label(),
        consent_declined: entry.consent.decision == ConsentDecision::Declined,
        consent_recorded: format!(
            "{} by {}",
            date(entry.consent.recorded_on),
            name(&entry.consent.recorded_by)
        ),
        leaving: entry.leaving.as_ref().map(|leaving| match leaving {
            Leaving::Died {
                on,
                place,
                preferred_place,
            } => format!(
                "Died on {} ({}; preferred place of death: {})",
                date(*on),
                place.label().to_lowercase(),
                preferred_place.label().to_lowercase()
            ),
            Leaving::Removed { on, reason } => format!("Removed on {}: {reason}", date(*on)),
        }),
    }
}

/// `GET /patients/{id}`
pub async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = super::patient_id(&id)?;
    page(&state, &user, &id, None).await
}

/// The patient page, with an error from a register change shown in the register card.
pub async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    register_error: Option<String>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let overview = app.patient_overview(&user.actor, id).await?;
    let p = &overview.patient;
    let system = &app.config().national_number_system;
    let mut address = vec![p.address.line.clone(), p.address.town.clone()];
    address.extend(p.address.postcode.clone());
    let view = PatientView {
        chrome: Some(Chrome::of(user)),
        active: "register",
        name: p.list_name(),
        number_label: system.label.clone(),
        national_number: system.display(&p.national_number.value),
        born: date(p.date_of_birth),
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
                phone_href: o.phone.as_deref().map(tel_href),
                phone: o.phone.clone(),
            })
            .collect(),
        updated: app.local_time(p.updated_at),
        version: p.version,
        patient_href: format!("/patients/{id}"),
        csrf_token: user.csrf_token.clone(),
        today: app.today().to_string(),
        register: overview
            .register
            .iter()
            .find(|e| e.leaving.is_none())
            .map(|e| describe(e, &overview.practitioner_names, &overview.organisations)),
        earlier_entries: overview
            .register
            .iter()
            .filter(|e| e.leaving.is_some())
            .filter_map(|e| {
                describe(e, &overview.practitioner_names, &overview.organisations)
                    .leaving
                    .map(|l| format!("Identified {} — {l}", date(e.identified_on)))
            })
            .collect(),
        register_error,
        viewer_coordinates: overview
            .care_team
            .coordinator()
            .is_some_and(|m| m.member == Member::Practitioner(user.actor.practitioner_id.clone())),
        coordinator: overview.care_team.coordinator().map(|m| {
            let name = match &m.member {
                Member::Practitioner(id) => overview
                    .practitioner_names
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| "a colleague".to_owned()),
                Member::Service(_) => "a service".to_owned(),
            };
            format!("{name} ({})", m.role.label())
        }),
        team_size: overview.care_team.active().count(),
        on_call: super::directory::rota_lines(state, &overview.on_call)
            .into_iter()
            .filter(|l| l.now)
            .collect(),
        handover_pending: overview.handover_pending,
        place: overview.current_stay.as_ref().map(|s| {
            format!(
                "{}{} since {}",
                s.place.label(),
                s.detail
                    .as_ref()
                    .map_or_else(String::new, |d| format!(" ({d})")),
                app.local_time(s.started_at)
            )
        }),
        discharge: overview.open_discharge.as_ref().map(|d| {
            format!(
                "Discharge planned for {}: {}",
                app.local_time(d.planned_at),
                d.state.label().to_lowercase()
            )
        }),
        emergency: overview
            .emergency
            .as_ref()
            .map(|e| (app.local_time(e.expires_at), hearth_app::reason_text(e))),
        latest: super::needs::latest_lines(state, &overview.needs),
        place_choices: PlaceOfDeath::ALL
            .iter()
            .map(|p| (p.code(), p.label()))
            .collect(),
        preferred_choices: PreferredPlaceMet::ALL
            .iter()
            .map(|p| (p.code(), p.label()))
            .collect(),
        consent_choices: ConsentDecision::ALL
            .iter()
            .map(|c| {
                let current = overview
                    .register
                    .iter()
                    .any(|e| e.leaving.is_none() && e.consent.decision == *c);
                (c.code(), c.label(), current)
            })
            .collect(),
    };
    render(&view)
}
