//! A patient's register entry: the form that adds them to the palliative care register, and the
//! changes made from the patient page (consent, death, removal).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::LeaveRegister;
use hearth_domain::PatientId;
use hearth_domain::register::{
    ConsentDecision, DiagnosisGroup, DiseaseIndicator, GeneralIndicator, NewRegisterEntry,
    SurpriseAnswer,
};

use crate::pages::{Chrome, after_change, form_version, patient_id, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// A checkbox or radio button of the form.
pub struct FormChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    chosen: &[String],
) -> Vec<FormChoice> {
    all.iter()
        .map(|v| FormChoice {
            value: code(*v),
            label: label(*v),
            checked: chosen.iter().any(|c| c == code(*v)),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "register_form.html")]
struct RegisterForm {
    chrome: Option<Chrome>,
    active: &'static str,
    patient_href: String,
    patient_name: String,
    csrf_token: String,
    identified_on: String,
    error: Option<String>,
    surprise: Vec<FormChoice>,
    general: Vec<FormChoice>,
    disease: Vec<FormChoice>,
    groups: Vec<FormChoice>,
    consent: Vec<FormChoice>,
}

/// The form's fields as submitted (checkboxes repeat their name, so the body is read as pairs).
#[derive(Default)]
struct Submitted {
    csrf_token: String,
    input: NewRegisterEntry,
}

fn read(pairs: Vec<(String, String)>) -> Submitted {
    let mut submitted = Submitted::default();
    for (key, value) in pairs {
        match key.as_str() {
            "csrf_token" => submitted.csrf_token = value,
            "identified_on" => submitted.input.identified_on = value,
            "surprise" => submitted.input.surprise = value,
            "general" => submitted.input.general_indicators.push(value),
            "disease" => submitted.input.disease_indicators.push(value),
            "diagnosis_group" => submitted.input.diagnosis_group = value,
            "consent" => submitted.input.consent = value,
            _ => {}
        }
    }
    submitted
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    input: &NewRegisterEntry,
    error: Option<String>,
) -> Result<Response, WebError> {
    let overview = state.app.patient_overview(&user.actor, id).await?;
    if overview.register.iter().any(|e| e.leaving.is_none()) {
        // Already on the register: the patient page shows the entry.
        return Ok(Redirect::to(&format!("/patients/{id}")).into_response());
    }
    let one = |value: &str| vec![value.to_owned()];
    let view = RegisterForm {
        chrome: Some(Chrome::of(user)),
        active: "register",
        patient_href: format!("/patients/{id}"),
        patient_name: overview.patient.list_name(),
        csrf_token: user.csrf_token.clone(),
        identified_on: if input.identified_on.is_empty() {
            state.app.today().to_string()
        } else {
            input.identified_on.clone()
        },
        error,
        surprise: options(
            SurpriseAnswer::ALL,
            SurpriseAnswer::code,
            SurpriseAnswer::label,
            &one(&input.surprise),
        ),
        general: options(
            GeneralIndicator::ALL,
            GeneralIndicator::code,
            GeneralIndicator::label,
            &input.general_indicators,
        ),
        disease: options(
            DiseaseIndicator::ALL,
            DiseaseIndicator::code,
            DiseaseIndicator::label,
            &input.disease_indicators,
        ),
        groups: options(
            DiagnosisGroup::ALL,
            DiagnosisGroup::code,
            DiagnosisGroup::label,
            &one(&input.diagnosis_group),
        ),
        consent: options(
            ConsentDecision::ALL,
            ConsentDecision::code,
            ConsentDecision::label,
            &one(&input.consent),
        ),
    };
    render(&view)
}

/// `GET /patients/{id}/register/new`
pub async fn new(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    form_page(&state, &user, &id, &NewRegisterEntry::default(), None).await
}

/// `POST /patients/{id}/register`
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let submitted = read(pairs);
    user.check_csrf(&submitted.csrf_token)?;
    let result = state
        .app
        .add_to_register(&user.actor, &id, submitted.input.clone())
        .await;
    let done = format!("/patients/{id}");
    after_change(result, &done, |message| {
        form_page(&state, &user, &id, &submitted.input, Some(message))
    })
    .await
}

#[derive(serde::Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    consent: String,
    #[serde(default)]
    leaving: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    preferred_place: String,
    #[serde(default)]
    reason: String,
}

/// `POST /patients/{id}/register/consent` and `POST /patients/{id}/register/leave`: the result
/// is shown on the patient page, with the error (if any) at the top of the register card.
pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, what)): Path<(String, String)>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    user.check_csrf(&form.csrf_token)?;
    let version = form_version(&form.version)?;
    let app = &state.app;
    let result = match what.as_str() {
        "consent" => {
            app.change_register_consent(&user.actor, &id, version, &form.consent)
                .await
        }
        "leave" => {
            let leaving = match form.leaving.as_str() {
                "died" => LeaveRegister::Died {
                    on: form.on,
                    place: form.place,
                    preferred_place: form.preferred_place,
                },
                _ => LeaveRegister::Removed {
                    on: form.on,
                    reason: form.reason,
                },
            };
            app.leave_register(&user.actor, &id, version, leaving).await
        }
        _ => return Err(WebError::NotFound),
    };
    let done = format!("/patients/{id}");
    after_change(result, &done, |message| {
        super::patient::page(&state, &user, &id, Some(message))
    })
    .await
}
