//! Emergency access: finding a patient outside one's care team by national number, the form
//! that opens their record with a reason, closing it early, and the notices that tell a
//! coordinator about it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_domain::access::EmergencyReason;

use crate::pages::{Chrome, after_change, date, patient_id, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "emergency_find.html")]
struct FindPage {
    chrome: Option<Chrome>,
    active: &'static str,
    number_label: String,
    number: String,
    error: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct FindQuery {
    #[serde(default)]
    number: String,
}

/// `GET /emergency`: find a patient by national number (and `?number=` goes to their form).
pub async fn find(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<FindQuery>,
) -> Result<Response, WebError> {
    let number = query.number.trim().to_owned();
    if number.is_empty() {
        return find_page(&state, &user, number, None);
    }
    match state.app.find_for_emergency(&user.actor, &number).await {
        Ok(patient) => {
            Ok(Redirect::to(&format!("/patients/{patient}/emergency-access")).into_response())
        }
        Err(AppError::Invalid(invalid)) => find_page(&state, &user, number, Some(invalid.message)),
        Err(AppError::NotFound(message)) => find_page(&state, &user, number, Some(message)),
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct OohQuery {
    #[serde(default)]
    identifier: String,
}

/// `GET /ooh?identifier={national number}`: the deep link a GP or out-of-hours system opens —
/// straight to the patient's out-of-hours summary, through emergency access when the user is
/// not in the care team. Without a number, the emergency find page.
pub async fn out_of_hours(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<OohQuery>,
) -> Result<Response, WebError> {
    let number = query.identifier.trim().to_owned();
    if number.is_empty() {
        if !user.actor.is_clinician() {
            return Err(AppError::Forbidden(
                "Out-of-hours summaries are for clinicians: your role does not open patient records."
                    .to_owned(),
            )
            .into());
        }
        return find_page(&state, &user, number, None);
    }
    match state.app.find_out_of_hours(&user.actor, &number).await {
        Ok((patient, true)) => {
            Ok(Redirect::to(&format!("/patients/{patient}/summary")).into_response())
        }
        Ok((patient, false)) => Ok(Redirect::to(&format!(
            "/patients/{patient}/emergency-access?then=summary"
        ))
        .into_response()),
        Err(AppError::Invalid(invalid)) => find_page(&state, &user, number, Some(invalid.message)),
        Err(AppError::NotFound(message)) => find_page(&state, &user, number, Some(message)),
        Err(other) => Err(other.into()),
    }
}

/// The find page, with the number typed and what was wrong with it (then answered 422).
fn find_page(
    state: &AppState,
    user: &CurrentUser,
    number: String,
    error: Option<String>,
) -> Result<Response, WebError> {
    let failed = error.is_some();
    let page = render(&FindPage {
        chrome: Some(Chrome::of(user)),
        active: "emergency",
        number_label: state.app.config().national_number_system.label.clone(),
        number,
        error,
    })?;
    Ok(if failed {
        (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page
    })
}

#[derive(Template)]
#[template(path = "emergency_form.html")]
struct FormPage {
    chrome: Option<Chrome>,
    active: &'static str,
    patient_href: String,
    name: String,
    born: String,
    number_label: String,
    national_number: String,
    town: String,
    restriction: Option<&'static str>,
    already_open: bool,
    lasts: String,
    reasons: Vec<(&'static str, &'static str)>,
    reason: String,
    detail: String,
    csrf_token: String,
    error: Option<String>,
    /// Where to go once the record is open: `summary` for the out-of-hours summary.
    then: String,
}

/// Where an opened record lands: the out-of-hours summary when asked for, else the overview.
fn landing(id: &hearth_domain::PatientId, then: &str) -> String {
    if then == "summary" {
        format!("/patients/{id}/summary")
    } else {
        format!("/patients/{id}")
    }
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    id: &hearth_domain::PatientId,
    typed: (&str, &str, &str),
    error: Option<String>,
) -> Result<Response, WebError> {
    let form = state.app.emergency_form(&user.actor, id).await?;
    let patient = &form.patient;
    render(&FormPage {
        chrome: Some(Chrome::of(user)),
        active: "emergency",
        patient_href: format!("/patients/{id}"),
        name: format!("{} {}", patient.given_name, patient.family_name),
        born: date(patient.date_of_birth),
        number_label: state.app.config().national_number_system.label.clone(),
        national_number: patient.national_number.value.clone(),
        town: patient.address.town.clone(),
        restriction: form.restriction,
        already_open: form.already_open,
        lasts: super::account::in_words(form.lasts),
        reasons: EmergencyReason::ALL
            .iter()
            .map(|r| (r.code(), r.label()))
            .collect(),
        reason: typed.0.to_owned(),
        detail: typed.1.to_owned(),
        csrf_token: user.csrf_token.clone(),
        error,
        then: if typed.2 == "summary" { "summary" } else { "" }.to_owned(),
    })
}

#[derive(serde::Deserialize, Default)]
pub struct ThenQuery {
    #[serde(default)]
    then: String,
}

/// `GET /patients/{id}/emergency-access[?then=summary]`: who the patient is, and the reason form.
pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<ThenQuery>,
) -> Result<Response, WebError> {
    form_page(
        &state,
        &user,
        &patient_id(&id)?,
        ("", "", &query.then),
        None,
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    then: String,
}

/// `POST /patients/{id}/emergency-access`: opens the record with the reason given.
pub async fn open(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<OpenForm>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    user.check_csrf(&form.csrf_token)?;
    let result = state
        .app
        .open_emergency_access(&user.actor, &id, &form.reason, &form.detail)
        .await;
    let done = landing(&id, &form.then);
    after_change(result, &done, |message| {
        form_page(
            &state,
            &user,
            &id,
            (&form.reason, &form.detail, &form.then),
            Some(message),
        )
    })
    .await
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

/// `POST /patients/{id}/emergency-access/close`: closes the record again before it expires.
pub async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    user.check_csrf(&form.csrf_token)?;
    state.app.close_emergency_access(&user.actor, &id).await?;
    Ok(Redirect::to("/register").into_response())
}

/// One notice, in words.
pub struct NoticeRow {
    pub id: String,
    pub text: String,
    pub when: String,
    pub unread: bool,
    pub patient_href: Option<String>,
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesPage {
    chrome: Option<Chrome>,
    active: &'static str,
    notices: Vec<NoticeRow>,
    csrf_token: String,
}

/// `GET /notices`: the signed-in person's notices, newest first.
pub async fn notices(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let notices = state
        .app
        .notices(&user.actor)
        .await?
        .into_iter()
        .map(|n| NoticeRow {
            when: state.app.local_time(n.created_at),
            unread: n.read_at.is_none(),
            patient_href: n.patient_id.map(|p| format!("/patients/{p}")),
            id: n.id,
            text: n.text,
        })
        .collect();
    render(&NoticesPage {
        chrome: Some(Chrome::of(&user)),
        active: "notices",
        notices,
        csrf_token: user.csrf_token.clone(),
    })
}

/// `POST /notices/{id}/read`
pub async fn mark_read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf_token)?;
    state.app.mark_notice_read(&user.actor, &id).await?;
    Ok(Redirect::to("/notices").into_response())
}
