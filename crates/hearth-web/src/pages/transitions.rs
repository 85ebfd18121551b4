//! `/patients/{id}/transitions` (where the patient is, admissions, the planned discharge with its
//! checklist, risk flags, acceptance and letter) and `/arrivals` (patients who arrived home
//! today, for the out-of-hours team).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::{AppError, DischargeView, TransitionsView};
use hearth_domain::care_team::Member;
use hearth_domain::transition::{
    Complexity, DischargeDraft, DischargeState, DischargeStep, Letter, PlaceKind, StayDraft,
    letter_parts,
};
use hearth_domain::{OrganisationId, PatientId};

use crate::pages::plan_form::Submitted;
use crate::pages::{Chrome, after_change, patient_id, record_id, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

struct StayRow {
    place: String,
    since: String,
    until: Option<String>,
    emergency: bool,
    reason: Option<String>,
}

struct CheckRow {
    code: &'static str,
    label: &'static str,
    owner: String,
    done: Option<String>,
}

struct DischargeRow {
    action: String,
    planned: String,
    state: &'static str,
    open: bool,
    ready: bool,
    accepted: Option<String>,
    notice: String,
    destination: &'static str,
    complex: bool,
    planned_by: String,
    receiving: String,
    flags: Vec<&'static str>,
    checklist: Vec<CheckRow>,
    /// (field, label, text) of each part of the letter.
    letter: Vec<(&'static str, &'static str, String)>,
    letter_sent: Option<String>,
    completeness: u8,
    missing: Vec<&'static str>,
    timeliness: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "transitions.html")]
struct TransitionsPage {
    chrome: Option<Chrome>,
    active: &'static str,
    patient_href: String,
    patient_name: String,
    csrf_token: String,
    error: Option<String>,
    may_write: bool,
    current: Option<String>,
    away: bool,
    stays: Vec<StayRow>,
    open: Option<DischargeRow>,
    past: Vec<DischargeRow>,
    places: Vec<(&'static str, &'static str)>,
    organisations: Vec<(String, String)>,
    /// Community services that can receive a patient: (id, name).
    services: Vec<(String, String)>,
    destinations: Vec<(&'static str, &'static str)>,
}

fn discharge_row(
    state: &AppState,
    view: &TransitionsView,
    d: &DischargeView,
    patient: &PatientId,
) -> DischargeRow {
    let app = &state.app;
    let name = |m: &Member| match m {
        Member::Practitioner(p) => view
            .names
            .get(p)
            .cloned()
            .unwrap_or_else(|| "a colleague".to_owned()),
        Member::Service(o) => view
            .services
            .get(o)
            .cloned()
            .unwrap_or_else(|| "a service".to_owned()),
    };
    let dis = &d.stored.discharge;
    let letter = d.stored.letter.clone().unwrap_or_default();
    DischargeRow {
        action: format!("/patients/{patient}/discharges/{}", dis.id),
        planned: app.local_time(dis.planned_at),
        state: dis.state.label(),
        open: dis.state.is_open(),
        ready: dis.state == DischargeState::Ready,
        accepted: dis.accepted.as_ref().map(|(p, at)| {
            format!(
                "{}, {}",
                name(&Member::Practitioner(p.clone())),
                app.local_time(*at)
            )
        }),
        notice: format!(
            "{} notice (told {})",
            hearth_app::notice_words(dis.planned_at.duration_since(dis.notified_at)),
            app.local_time(dis.notified_at)
        ),
        destination: dis.destination.label(),
        complex: dis.complex,
        planned_by: name(&Member::Practitioner(dis.planned_by.clone())),
        receiving: dis.receiving.as_ref().map_or_else(
            || "No coordinator named".to_owned(),
            |p| name(&Member::Practitioner(p.clone())),
        ),
        flags: d.flags.iter().map(|f| f.label()).collect(),
        checklist: d
            .checklist
            .iter()
            .map(|l| CheckRow {
                code: l.item.code(),
                label: l.item.label(),
                owner: name(&l.owner),
                done: l.done.as_ref().map(|(p, at)| {
                    format!(
                        "{}, {}",
                        name(&Member::Practitioner(p.clone())),
                        app.local_time(*at)
                    )
                }),
            })
            .collect(),
        letter: letter_parts(&letter)
            .into_iter()
            .map(|(f, l, t)| (f, l, t.to_owned()))
            .collect(),
        letter_sent: d.stored.letter_sent_at.map(|at| app.local_time(at)),
        completeness: letter.completeness(),
        missing: letter.missing(),
        timeliness: d.timeliness.map(|t| t.label()),
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    error: Option<String>,
) -> Result<Response, WebError> {
    let view = state.app.transitions(&user.actor, id).await?;
    let app = &state.app;
    let place_of = |s: &hearth_domain::transition::Stay| {
        let at = s
            .organisation_id
            .as_ref()
            .and_then(|o| view.services.get(o).cloned());
        let mut text = s.place.label().to_owned();
        if let Some(at) = at {
            text = format!("{text}: {at}");
        }
        if let Some(d) = &s.detail {
            text = format!("{text} ({d})");
        }
        text
    };
    let stays = view
        .stays
        .iter()
        .map(|s| StayRow {
            place: place_of(s),
            since: app.local_time(s.started_at),
            until: s.ended_at.map(|at| app.local_time(at)),
            emergency: s.emergency,
            reason: s.reason.clone(),
        })
        .collect();
    let current = view
        .current()
        .map(|s| format!("{} since {}", place_of(s), app.local_time(s.started_at)));
    let away = view.current().is_some_and(|s| s.place != PlaceKind::Home);
    let mut rows: Vec<DischargeRow> = view
        .discharges
        .iter()
        .map(|d| discharge_row(state, &view, d, id))
        .collect();
    let open = rows.first().is_some_and(|r| r.open).then(|| rows.remove(0));
    render(&TransitionsPage {
        chrome: Some(Chrome::of(user)),
        active: "register",
        patient_href: format!("/patients/{id}"),
        patient_name: view.patient.list_name(),
        csrf_token: user.csrf_token.clone(),
        error,
        may_write: view.may_write,
        current,
        away,
        stays,
        open,
        past: rows,
        places: PlaceKind::ALL
            .iter()
            .map(|p| (p.code(), p.label()))
            .collect(),
        organisations: view
            .places
            .iter()
            .map(|(o, n)| (o.to_string(), n.clone()))
            .collect(),
        services: view
            .community
            .iter()
            .map(|(o, n)| (o.to_string(), n.clone()))
            .collect(),
        destinations: PlaceKind::ALL
            .iter()
            .filter(|p| **p != PlaceKind::Hospital)
            .map(|p| (p.code(), p.label()))
            .collect(),
    })
}

/// `GET /patients/{id}/transitions`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    page(&state, &user, &patient_id(&id)?, None).await
}

/// `POST /patients/{id}/stays`: records a move (an admission, a transfer, back home).
pub async fn record_stay(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let f = Submitted { pairs };
    user.check_csrf(&f.one("csrf_token"))?;
    let organisation = f.one("organisation");
    let started =
        crate::pages::conversations::local_instant(&state, "started_at", &f.one("started_at"));
    let result = match (started, organisation.trim()) {
        (Err(e), _) => Err(e),
        (Ok(started_at), org) => {
            let organisation_id = match org {
                "" => Ok(None),
                o => OrganisationId::parse(o).map(Some).ok_or_else(|| {
                    AppError::Invalid(hearth_domain::ValidationError::new(
                        "organisation",
                        "Choose the place from the list.",
                    ))
                }),
            };
            match organisation_id {
                Err(e) => Err(e),
                Ok(organisation_id) => state
                    .app
                    .record_stay(
                        &user.actor,
                        &id,
                        StayDraft {
                            place: f.one("place"),
                            organisation_id,
                            detail: f.one("detail"),
                            emergency: f.one("emergency") == "yes",
                            reason: f.one("reason"),
                            started_at,
                        },
                    )
                    .await
                    .map(|_| ()),
            }
        }
    };
    let done = format!("/patients/{id}/transitions");
    after_change(result, &done, |m| page(&state, &user, &id, Some(m))).await
}

/// `POST /patients/{id}/discharges`: plans a discharge.
pub async fn plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let f = Submitted { pairs };
    user.check_csrf(&f.one("csrf_token"))?;
    let complexity = Complexity {
        unstable_or_deteriorating: f.all("complex").iter().any(|c| c == "unstable"),
        new_syringe_driver: f.all("complex").iter().any(|c| c == "syringe-driver"),
        no_carer: f.all("complex").iter().any(|c| c == "no-carer"),
    };
    let result = match crate::pages::conversations::local_instant(
        &state,
        "planned_at",
        &f.one("planned_at"),
    ) {
        Err(e) => Err(e),
        Ok(planned_at) => state
            .app
            .plan_discharge(
                &user.actor,
                &id,
                DischargeDraft {
                    planned_at,
                    destination: f.one("destination"),
                    complexity,
                },
                Some(f.one("receiving").as_str()),
            )
            .await
            .map(|_| ()),
    };
    let done = format!("/patients/{id}/transitions");
    after_change(result, &done, |m| page(&state, &user, &id, Some(m))).await
}

/// `POST /patients/{id}/discharges/{discharge}/{what}`: `ready`, `accept`, `discharge`,
/// `cancel`, `concern` (an urgent conversation with the ward), `checklist` (an item done or
/// open again) or `letter` (saved, or sent).
pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, discharge, what)): Path<(String, String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (id, discharge) = (patient_id(&id)?, record_id(&discharge)?);
    let f = Submitted { pairs };
    user.check_csrf(&f.one("csrf_token"))?;
    let app = &state.app;
    let back = format!("/patients/{id}/transitions");
    let step = match what.as_str() {
        "ready" => Some(DischargeStep::Ready),
        "accept" => Some(DischargeStep::Accept),
        "discharge" => Some(DischargeStep::Discharge),
        "cancel" => Some(DischargeStep::Cancel),
        _ => None,
    };
    let result: Result<String, AppError> = match (step, what.as_str()) {
        (Some(s), _) => app
            .step_discharge(&user.actor, &id, &discharge, s)
            .await
            .map(|()| back.clone()),
        (None, "concern") => app
            .raise_discharge_concern(&user.actor, &id, &discharge, &f.one("concern"))
            .await
            .map(|c| format!("/patients/{id}/conversations/{c}")),
        (None, "checklist") => app
            .tick_checklist(
                &user.actor,
                &id,
                &discharge,
                (&f.one("item"), f.one("done") == "yes"),
            )
            .await
            .map(|()| back.clone()),
        (None, "letter") => {
            let letter = Letter {
                diagnosis: f.one("diagnosis"),
                what_was_told: f.one("what_was_told"),
                treatment_changes: f.one("treatment_changes"),
                medicines: f.one("medicines"),
                anticipatory_medicines: f.one("anticipatory_medicines"),
                symptom_plan: f.one("symptom_plan"),
                resuscitation: f.one("resuscitation"),
                follow_up: f.one("follow_up"),
                hospital_contact: f.one("hospital_contact"),
            };
            app.save_discharge_letter(
                &user.actor,
                &id,
                &discharge,
                (letter, f.one("send") == "yes"),
            )
            .await
            .map(|()| back.clone())
        }
        _ => return Err(WebError::NotFound),
    };
    match result {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(e) => {
            after_change(Err::<(), _>(e), &back, |m| {
                page(&state, &user, &id, Some(m))
            })
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "arrivals.html")]
struct ArrivalsPage {
    chrome: Option<Chrome>,
    active: &'static str,
    /// (patient link, name, arrived, accepted, readiness)
    rows: Vec<(String, String, String, bool, String)>,
    /// Discharged without acceptance in the last 30 days: (patient link, name, when).
    unaccepted: Vec<(String, String, String)>,
}

/// `GET /arrivals`: patients who arrived home today, with their out-of-hours readiness.
pub async fn arrivals(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let arrivals = state.app.arrived_home_today(&user.actor).await?;
    let unaccepted = state
        .app
        .discharged_without_acceptance(&user.actor)
        .await?
        .iter()
        .map(|a| {
            (
                format!("/patients/{}/transitions", a.patient_id),
                a.patient_name.clone(),
                state.app.local_time(a.discharged_at),
            )
        })
        .collect();
    let rows = arrivals
        .iter()
        .map(|a| {
            let missing: Option<Vec<&str>> = a.plan_missing.as_deref().map(|codes| {
                hearth_domain::care_plan::missing_from_codes(Some(codes), true)
                    .iter()
                    .map(|i| i.label())
                    .collect()
            });
            (
                format!("/patients/{}/summary", a.patient_id),
                a.patient_name.clone(),
                state.app.local_time(a.discharged_at),
                a.accepted,
                match missing {
                    None => "Not ready: no care plan yet".to_owned(),
                    Some(m) if m.is_empty() => "Ready for out of hours".to_owned(),
                    Some(m) => format!("Not ready: missing {}", m.join(", ")),
                },
            )
        })
        .collect();
    render(&ArrivalsPage {
        chrome: Some(Chrome::of(&user)),
        active: "arrivals",
        rows,
        unaccepted,
    })
}
