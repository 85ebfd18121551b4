//! `/patients/{id}/access`: who accessed this record — every read, search hit and change of the
//! patient's record, newest first, for the patient's coordinator.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use hearth_domain::audit::{AccessBasis, AuditAction, AuditOutcome};
use hearth_domain::practitioner::Profession;

use crate::pages::{Chrome, patient_id, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// One access, in words.
pub struct AccessLine {
    pub when: String,
    pub who: String,
    pub role: String,
    pub organisation: String,
    pub what: String,
    pub why: String,
    pub denied: bool,
}

#[derive(Template)]
#[template(path = "access.html")]
struct AccessPage {
    chrome: Option<Chrome>,
    active: &'static str,
    patient_href: String,
    patient_name: String,
    lines: Vec<AccessLine>,
    older: Option<String>,
    first_page: bool,
    csrf_token: String,
    /// (access id, who, when, reason) of overrides waiting for review.
    reviews: Vec<(String, String, String, String)>,
}

#[derive(serde::Deserialize)]
pub struct AccessParams {
    #[serde(default)]
    before: Option<String>,
}

/// What was done to what, as a clinician would say it.
fn describe(action: &str, resource: &str) -> String {
    match (action, resource) {
        ("create", "CareTeam") => return "Added a care team member".to_owned(),
        ("create", "EmergencyAccess") => {
            return "Opened the record under emergency access".to_owned();
        }
        ("update", "EmergencyAccess") => return "Closed emergency access".to_owned(),
        _ => {}
    }
    let verb = match AuditAction::from_code(action) {
        Some(AuditAction::Read) => "Opened",
        Some(AuditAction::Search) => "Found in a search:",
        Some(AuditAction::Create) => "Added",
        Some(AuditAction::Update) => "Changed",
        None => action,
    };
    let thing = match resource {
        "Patient" => "the patient record",
        "EpisodeOfCare" => "the register entry",
        "CareTeam" => "the care team",
        "Task" => "a coordinator handover",
        "AuditEvent" => "this access report",
        "EmergencyAccess" => "emergency access to the record",
        other => other,
    };
    format!("{verb} {thing}")
}

/// `GET /patients/{id}/access[?before=SEQ]`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<AccessParams>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let before = match params
        .before
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        None => None,
        Some(value) => Some(value.parse::<i64>().map_err(|_| WebError::NotFound)?),
    };
    let report = state.app.access_report(&user.actor, &id, before).await?;
    let lines = report
        .entries
        .iter()
        .map(|e| AccessLine {
            when: state.app.local_time(e.at),
            who: e
                .who
                .clone()
                .unwrap_or_else(|| "Hearth (system)".to_owned()),
            role: e
                .profession
                .as_deref()
                .and_then(Profession::from_code)
                .map_or_else(String::new, |p| p.label().to_owned()),
            organisation: e.organisation.clone().unwrap_or_default(),
            what: describe(&e.action, &e.resource_type),
            why: {
                let basis = AccessBasis::from_code(&e.basis).map_or("", AccessBasis::label);
                match &e.reason {
                    Some(reason) => format!("{basis}: {reason}"),
                    None => basis.to_owned(),
                }
            },
            denied: AuditOutcome::from_code(&e.outcome) == Some(AuditOutcome::Denied),
        })
        .collect();
    render(&AccessPage {
        chrome: Some(Chrome::of(&user)),
        active: "register",
        patient_href: format!("/patients/{id}"),
        patient_name: report.patient.list_name(),
        lines,
        older: report
            .older
            .map(|seq| format!("/patients/{id}/access?before={seq}")),
        first_page: before.is_none(),
        csrf_token: user.csrf_token.clone(),
        reviews: report
            .reviews_due
            .iter()
            .map(|(e, who)| {
                (
                    e.id.clone(),
                    who.clone(),
                    state.app.local_time(e.started_at),
                    hearth_app::reason_text(e),
                )
            })
            .collect(),
    })
}

#[derive(serde::Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf_token: String,
}

/// `POST /patients/{id}/access/reviews/{access}`: the coordinator has reviewed an override.
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, access)): Path<(String, String)>,
    axum::Form(form): axum::Form<ReviewForm>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    user.check_csrf(&form.csrf_token)?;
    state
        .app
        .review_emergency_access(&user.actor, &id, &access)
        .await?;
    Ok(axum::response::Redirect::to(&format!("/patients/{id}/access")).into_response())
}
