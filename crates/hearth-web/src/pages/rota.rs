//! `/admin/rota`: the specialist palliative care advice rota of the organisations an
//! administrator looks after, for the next two weeks — add a shift, cancel a shift.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use hearth_app::NewShift;
use serde::Deserialize;

use crate::pages::admin::{Choice, VersionForm};
use crate::pages::{Chrome, FormErrors, after_form, form_version, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// The add-a-shift form's fields, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct ShiftForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    phone: String,
}

/// A line of the rota.
pub struct ShiftLine {
    pub id: String,
    pub version: i64,
    pub when: String,
    pub name: String,
    pub service: String,
    pub phone: String,
    pub cancelled: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_rota.html")]
struct RotaPage {
    chrome: Option<Chrome>,
    active: &'static str,
    tab: &'static str,
    csrf_token: String,
    shifts: Vec<ShiftLine>,
    roles: Vec<Choice>,
    form: ShiftForm,
    errors: FormErrors,
}

async fn rota_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<ShiftForm>,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let rota = state.app.admin_rota(&user.actor).await?;
    let form = form.unwrap_or_default();
    let app = &state.app;
    render(&RotaPage {
        chrome: Some(Chrome::of(user)),
        active: "admin",
        tab: "rota",
        csrf_token: user.csrf_token.clone(),
        shifts: rota
            .shifts
            .iter()
            .map(|s| ShiftLine {
                id: s.shift.id.clone(),
                version: s.shift.version,
                when: format!(
                    "{} – {}",
                    app.local_time(s.shift.starts_at),
                    app.local_time(s.shift.ends_at)
                ),
                name: s.name.clone(),
                service: s.service.clone(),
                phone: s.shift.phone.clone(),
                cancelled: s.cancelled_at.map(|at| app.local_time(at)),
            })
            .collect(),
        roles: rota
            .roles
            .iter()
            .map(|(id, label)| Choice {
                selected: id.as_str() == form.role,
                value: id.to_string(),
                label: label.clone(),
            })
            .collect(),
        form,
        errors,
    })
}

/// `GET /admin/rota`
pub async fn page(State(state): State<AppState>, user: CurrentUser) -> Result<Response, WebError> {
    rota_page(&state, &user, None, FormErrors::default()).await
}

/// `POST /admin/rota`: a new shift.
pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ShiftForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf_token)?;
    let input = NewShift {
        role: form.role.clone(),
        starts_at: form.starts_at.clone(),
        ends_at: form.ends_at.clone(),
        phone: form.phone.clone(),
    };
    let result = state.app.admin_add_shift(&user.actor, input).await;
    after_form(result, "/admin/rota", |errors| {
        rota_page(&state, &user, Some(form.clone()), errors)
    })
    .await
}

/// `POST /admin/rota/{shift}/cancel`
pub async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(shift): Path<String>,
    Form(form): Form<VersionForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf_token)?;
    let version = form_version(&form.version)?;
    let result = state
        .app
        .admin_cancel_shift(&user.actor, &shift, version)
        .await;
    after_form(result, "/admin/rota", |errors| {
        rota_page(&state, &user, None, errors)
    })
    .await
}
