//! `/patients/{id}/team`: the care team with its responsibility matrix, the named coordinator,
//! a pending coordinator handover (accepted or declined by the proposed coordinator, withdrawn by
//! its proposer or the coordinator it would replace), and the forms that add, change and end
//! members.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use hearth_app::{AppError, CareTeamView};
use hearth_domain::PatientId;
use hearth_domain::care_team::{CareTeamRole, Member, NewMember, Responsibility};

use crate::pages::{Chrome, after_change, date, form_version, patient_id, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// One row of the responsibility matrix.
pub struct MemberRow {
    pub id: String,
    /// The member's entry in the directory.
    pub href: String,
    pub version: i64,
    pub name: String,
    pub role: &'static str,
    pub is_service: bool,
    pub coordinator: bool,
    pub since: String,
    /// One cell per responsibility, in `Responsibility::ALL` order.
    pub holds: Vec<bool>,
}

/// A column of the matrix.
pub struct Column {
    pub label: String,
    pub unheld: bool,
}

/// A responsibility's label with soft hyphens in its long words, so that the matrix's narrow
/// columns break them at a syllable, with a hyphen, rather than mid-syllable.
fn column_heading(responsibility: Responsibility) -> String {
    const SHY: &str = "\u{ad}";
    let mut heading = responsibility.label().to_owned();
    for (word, broken) in [
        ("Coordination", "Co-ordi-nation"),
        ("Prescribing", "Pre-scrib-ing"),
        ("Anticipatory", "Anti-cipa-tory"),
        ("medicines", "medi-cines"),
        ("management", "manage-ment"),
        ("planning", "plan-ning"),
        ("conversations", "conver-sations"),
        ("Psychological", "Psycho-logical"),
        ("spiritual", "spirit-ual"),
        ("Bereavement", "Be-reave-ment"),
        ("Equipment", "Equip-ment"),
    ] {
        heading = heading.replace(word, &broken.replace('-', SHY));
    }
    heading
}

/// A handover waiting for acceptance, and what the signed-in user may do about it.
pub struct HandoverNotice {
    pub id: String,
    pub text: String,
    /// The signed-in user is the proposed coordinator: they accept or decline.
    pub decide: bool,
    /// The signed-in user proposed it, or is the coordinator it would replace.
    pub withdraw: bool,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    chrome: Option<Chrome>,
    active: &'static str,
    patient_href: String,
    patient_name: String,
    csrf_token: String,
    error: Option<String>,
    coordinator: Option<String>,
    columns: Vec<Column>,
    members: Vec<MemberRow>,
    past: Vec<String>,
    handover: Option<HandoverNotice>,
    candidates: Vec<(String, String)>,
    practitioners: Vec<(String, String)>,
    services: Vec<(String, String)>,
    roles: Vec<(&'static str, &'static str)>,
    responsibilities: Vec<(&'static str, &'static str)>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    error: Option<String>,
) -> Result<Response, WebError> {
    let view: CareTeamView = state.app.care_team(&user.actor, id).await?;
    let team = &view.team;
    let members: Vec<MemberRow> = team
        .active()
        .map(|m| MemberRow {
            id: m.id.clone(),
            href: super::directory::entry_href(&m.member),
            version: m.version,
            name: view.member_name(&m.member),
            role: m.role.label(),
            is_service: matches!(m.member, Member::Service(_)),
            coordinator: m.coordinator,
            since: date(m.started_on),
            holds: Responsibility::ALL.iter().map(|r| m.holds(*r)).collect(),
        })
        .collect();
    let unheld = team.unheld();
    let name_of = |member_id: &str| {
        team.members.iter().find(|m| m.id == member_id).map_or_else(
            || "a former member".to_owned(),
            |m| view.member_name(&m.member),
        )
    };
    let handover = view.handover.as_ref().map(|h| {
        let me = Member::Practitioner(user.actor.practitioner_id.clone());
        let is_me = |member_id: &str| {
            team.members
                .iter()
                .any(|m| m.id == member_id && m.member == me)
        };
        let decide = is_me(&h.to_member);
        let withdraw = h.proposed_by == user.actor.practitioner_id
            || h.from_member.as_deref().is_some_and(is_me);
        let from = h
            .from_member
            .as_deref()
            .map_or_else(|| "nobody".to_owned(), name_of);
        let text = format!(
            "{} has been proposed to take over coordination from {} (proposed {} by {}).",
            name_of(&h.to_member),
            from,
            state.app.local_time(h.proposed_at),
            view.practitioner_names
                .get(&h.proposed_by)
                .cloned()
                .unwrap_or_else(|| "a colleague".to_owned()),
        );
        HandoverNotice {
            id: h.id.clone(),
            text,
            decide,
            withdraw,
        }
    });
    let page = TeamPage {
        chrome: Some(Chrome::of(user)),
        active: "register",
        patient_href: format!("/patients/{id}"),
        patient_name: view.patient.list_name(),
        csrf_token: user.csrf_token.clone(),
        error,
        coordinator: team
            .coordinator()
            .map(|m| format!("{} ({})", view.member_name(&m.member), m.role.label())),
        columns: Responsibility::ALL
            .iter()
            .map(|r| Column {
                label: column_heading(*r),
                unheld: unheld.contains(r),
            })
            .collect(),
        candidates: team
            .active()
            .filter(|m| !m.coordinator && matches!(m.member, Member::Practitioner(_)))
            .map(|m| {
                (
                    m.id.clone(),
                    format!("{} ({})", view.member_name(&m.member), m.role.label()),
                )
            })
            .collect(),
        members,
        past: team
            .members
            .iter()
            .filter_map(|m| {
                m.ended_on.map(|ended| {
                    format!(
                        "{} ({}), {} to {}",
                        view.member_name(&m.member),
                        m.role.label(),
                        date(m.started_on),
                        date(ended)
                    )
                })
            })
            .collect(),
        handover,
        practitioners: view
            .directory
            .iter()
            .map(|entry| {
                (
                    format!("practitioner:{}", entry.role.practitioner_id),
                    format!(
                        "{} — {}, {}",
                        entry.name,
                        entry.role.profession.label(),
                        entry.organisation_name
                    ),
                )
            })
            .collect(),
        services: view
            .organisations
            .iter()
            .map(|o| (format!("service:{}", o.id), o.name.clone()))
            .collect(),
        roles: CareTeamRole::ALL
            .iter()
            .map(|r| (r.code(), r.label()))
            .collect(),
        responsibilities: Responsibility::ALL
            .iter()
            .filter(|r| **r != Responsibility::Coordination)
            .map(|r| (r.code(), r.label()))
            .collect(),
    };
    render(&page)
}

/// `GET /patients/{id}/team`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    page(&state, &user, &patient_id(&id)?, None).await
}

/// Shows the outcome of a change: back to the team page, or the page with the error.
async fn outcome<T>(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    result: Result<T, AppError>,
) -> Result<Response, WebError> {
    let done = format!("/patients/{id}/team");
    after_change(result, &done, |message| {
        page(state, user, id, Some(message))
    })
    .await
}

/// `POST /patients/{id}/team/members`: checkboxes repeat their name, so the body is read as pairs.
pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let mut csrf = String::new();
    let mut input = NewMember::default();
    for (key, value) in pairs {
        match key.as_str() {
            "csrf_token" => csrf = value,
            "member" => input.member = value,
            "role" => input.role = value,
            "responsibility" => input.responsibilities.push(value),
            "started_on" => input.started_on = value,
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    let result = state
        .app
        .add_care_team_member(&user.actor, &id, input)
        .await;
    outcome(&state, &user, &id, result).await
}

#[derive(Template)]
#[template(path = "team_member.html")]
struct MemberPage {
    chrome: Option<Chrome>,
    active: &'static str,
    patient_href: String,
    patient_name: String,
    csrf_token: String,
    error: Option<String>,
    member_id: String,
    member_name: String,
    since: String,
    coordinator: bool,
    version: i64,
    role_code: &'static str,
    ticked: Vec<&'static str>,
    roles: Vec<(&'static str, &'static str)>,
    responsibilities: Vec<(&'static str, &'static str)>,
}

async fn member_page(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    member_id: &str,
    error: Option<String>,
) -> Result<Response, WebError> {
    let view = state.app.care_team(&user.actor, id).await?;
    let member = view
        .team
        .active()
        .find(|m| m.id == member_id)
        .ok_or(WebError::NotFound)?;
    render(&MemberPage {
        chrome: Some(Chrome::of(user)),
        active: "register",
        patient_href: format!("/patients/{id}"),
        patient_name: view.patient.list_name(),
        csrf_token: user.csrf_token.clone(),
        error,
        member_id: member.id.clone(),
        member_name: view.member_name(&member.member),
        since: date(member.started_on),
        coordinator: member.coordinator,
        version: member.version,
        role_code: member.role.code(),
        ticked: member.responsibilities.iter().map(|r| r.code()).collect(),
        roles: CareTeamRole::ALL
            .iter()
            .map(|r| (r.code(), r.label()))
            .collect(),
        responsibilities: Responsibility::ALL
            .iter()
            .filter(|r| **r != Responsibility::Coordination)
            .map(|r| (r.code(), r.label()))
            .collect(),
    })
}

/// `GET /patients/{id}/team/members/{member}`: the form that changes a member's role and
/// responsibilities.
pub async fn member(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, member)): Path<(String, String)>,
) -> Result<Response, WebError> {
    member_page(&state, &user, &patient_id(&id)?, &member, None).await
}

/// `POST /patients/{id}/team/members/{member}`: a new role and responsibilities.
pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, member)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let (mut csrf, mut version, mut role) = (String::new(), String::new(), String::new());
    let mut responsibilities = Vec::new();
    for (key, value) in pairs {
        match key.as_str() {
            "csrf_token" => csrf = value,
            "version" => version = value,
            "role" => role = value,
            "responsibility" => responsibilities.push(value),
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    let version = form_version(&version)?;
    let result = state
        .app
        .change_care_team_member(&user.actor, &id, &member, version, &role, &responsibilities)
        .await;
    let done = format!("/patients/{id}/team");
    after_change(result, &done, |message| {
        member_page(&state, &user, &id, &member, Some(message))
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
    to_member: String,
}

/// `POST /patients/{id}/team/members/{member}/end`
pub async fn end(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, member)): Path<(String, String)>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    user.check_csrf(&form.csrf_token)?;
    let version = form_version(&form.version)?;
    let result = state
        .app
        .end_care_team_membership(&user.actor, &id, &member, version)
        .await;
    outcome(&state, &user, &id, result).await
}

/// `POST /patients/{id}/team/handover`
pub async fn propose(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    user.check_csrf(&form.csrf_token)?;
    let result = state
        .app
        .propose_coordinator(&user.actor, &id, &form.to_member)
        .await;
    outcome(&state, &user, &id, result).await
}

/// `POST /patients/{id}/team/handover/{handover}/{accept|decline|withdraw}`
pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, handover, decision)): Path<(String, String, String)>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    user.check_csrf(&form.csrf_token)?;
    let app = &state.app;
    let result = match decision.as_str() {
        "accept" => app.decide_handover(&user.actor, &id, &handover, true).await,
        "decline" => {
            app.decide_handover(&user.actor, &id, &handover, false)
                .await
        }
        "withdraw" => app.withdraw_handover(&user.actor, &id, &handover).await,
        _ => return Err(WebError::NotFound),
    };
    outcome(&state, &user, &id, result).await
}
