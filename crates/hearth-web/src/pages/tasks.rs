//! `/tasks` ("my tasks" and "my team's tasks") and `/patients/{id}/tasks` (a patient's tasks,
//! with the form to set one): every action has an owner and a due time, and overdue work shows.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::{AppError, NewTask, TaskChange};
use hearth_domain::PatientId;
use hearth_domain::care_team::Member;
use hearth_domain::task::{Task, TaskDraft, TaskOwner, TaskSource, TaskStatus};

use crate::pages::{Chrome, after_change, patient_id, record_id, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// One task as the lists show it.
struct TaskRow {
    patient: Option<(String, String)>,
    title: String,
    owner: String,
    due: String,
    overdue: bool,
    status: &'static str,
    open: bool,
    source: &'static str,
    source_href: Option<String>,
    closed: Option<String>,
    may_claim: bool,
    may_close: bool,
    action: String,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct MyTasksPage {
    chrome: Option<Chrome>,
    active: &'static str,
    csrf_token: String,
    mine: Vec<TaskRow>,
    team: Vec<TaskRow>,
}

#[derive(Template)]
#[template(path = "patient_tasks.html")]
struct PatientTasksPage {
    chrome: Option<Chrome>,
    active: &'static str,
    patient_href: String,
    patient_name: String,
    csrf_token: String,
    error: Option<String>,
    may_write: bool,
    rows: Vec<TaskRow>,
    choices: Vec<(String, String)>,
    sources: Vec<(&'static str, &'static str)>,
    from_conversation: Option<String>,
}

fn owner_label(owner: &TaskOwner, name: &dyn Fn(&Member) -> Option<String>) -> String {
    match owner {
        TaskOwner::Person(p) => {
            name(&Member::Practitioner(p.clone())).unwrap_or_else(|| "a colleague".to_owned())
        }
        TaskOwner::Service(o) => {
            name(&Member::Service(o.clone())).unwrap_or_else(|| "a service".to_owned())
        }
        TaskOwner::Role(role) => format!("Any {} in the team", role.label().to_lowercase()),
    }
}

fn row(
    state: &AppState,
    t: &Task,
    owner: String,
    patient: Option<(String, String)>,
    (may_claim, may_close): (bool, bool),
    closed_by: Option<String>,
) -> TaskRow {
    let now = state.app.now();
    let base = format!("/patients/{}", t.patient_id);
    TaskRow {
        patient,
        title: t.title.clone(),
        owner,
        due: state.app.local_time(t.due_at),
        overdue: t.is_overdue(now),
        status: t.status.label(),
        open: t.status == TaskStatus::Open,
        source: t.source.label(),
        source_href: match (t.source, &t.source_ref) {
            (TaskSource::Message, Some(c)) => Some(format!("{base}/conversations/{c}")),
            (TaskSource::Meeting, Some(m)) => {
                Some(format!("/meetings/{m}#patient-{}", t.patient_id))
            }
            _ => None,
        },
        closed: t.closed.as_ref().map(|(_, at)| {
            format!(
                "{} {}",
                closed_by.unwrap_or_default(),
                state.app.local_time(*at)
            )
        }),
        may_claim,
        may_close,
        action: format!("{base}/tasks/{}", t.id),
    }
}

/// `GET /tasks`
pub async fn mine(State(state): State<AppState>, user: CurrentUser) -> Result<Response, WebError> {
    let tasks = state.app.my_tasks(&user.actor).await?;
    let lines = |lines: &[hearth_app::TaskLine], shared: bool| -> Vec<TaskRow> {
        lines
            .iter()
            .map(|l| {
                let owner = match &l.task.owner {
                    TaskOwner::Person(_) => "You".to_owned(),
                    other => owner_label(other, &|_| None),
                };
                let patient = Some((
                    format!("/patients/{}", l.task.patient_id),
                    l.patient_name.clone(),
                ));
                row(&state, &l.task, owner, patient, (shared, !shared), None)
            })
            .collect()
    };
    let mine = lines(&tasks.mine, false);
    let team = lines(&tasks.team, true);
    render(&MyTasksPage {
        chrome: Some(Chrome::of(&user)),
        active: "tasks",
        csrf_token: user.csrf_token.clone(),
        mine,
        team,
    })
}

#[derive(serde::Deserialize, Default)]
pub struct FromQuery {
    #[serde(default)]
    conversation: Option<String>,
}

async fn patient_page(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    from_conversation: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let view = state.app.patient_tasks(&user.actor, id).await?;
    let me = &user.actor.practitioner_id;
    let acting = user.actor.acting_role().map(|r| &r.organisation_id);
    let name = |m: &Member| match m {
        Member::Practitioner(p) => view.names.get(p).cloned(),
        Member::Service(o) => view.services.get(o).cloned(),
    };
    let rows = view
        .tasks
        .iter()
        .map(|t| {
            let mine = t.owned_by(me, acting, &view.my_roles);
            let closed_by = t
                .closed
                .as_ref()
                .and_then(|(p, _)| name(&Member::Practitioner(p.clone())));
            row(
                state,
                t,
                owner_label(&t.owner, &name),
                None,
                (
                    view.may_write && mine && t.owner.is_shared(),
                    view.may_write && (mine || &t.created_by == me),
                ),
                closed_by,
            )
        })
        .collect();
    render(&PatientTasksPage {
        chrome: Some(Chrome::of(user)),
        active: "tasks",
        patient_href: format!("/patients/{id}"),
        patient_name: view.patient.list_name(),
        csrf_token: user.csrf_token.clone(),
        error,
        may_write: view.may_write,
        rows,
        choices: view.choices,
        sources: TaskSource::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        from_conversation: from_conversation.filter(|c| hearth_domain::ids::is_valid(c)),
    })
}

/// `GET /patients/{id}/tasks[?conversation=ID]`
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(from): Query<FromQuery>,
) -> Result<Response, WebError> {
    patient_page(&state, &user, &patient_id(&id)?, from.conversation, None).await
}

#[derive(serde::Deserialize)]
pub struct TaskForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due_at: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    source_ref: String,
}

/// `POST /patients/{id}/tasks`
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<TaskForm>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    user.check_csrf(&form.csrf_token)?;
    let due = crate::pages::conversations::local_instant(&state, "due_at", &form.due_at);
    let source_ref = Some(form.source_ref.trim().to_owned()).filter(|r| !r.is_empty());
    let result = match due {
        Ok(due_at) => {
            state
                .app
                .create_task(
                    &user.actor,
                    &id,
                    NewTask {
                        owner: form.owner,
                        draft: TaskDraft {
                            title: form.title,
                            due_at,
                            source: form.source,
                            source_ref: source_ref.clone(),
                        },
                    },
                )
                .await
        }
        Err(error) => Err(error),
    };
    let done = format!("/patients/{id}/tasks");
    after_change(result, &done, |message| {
        patient_page(&state, &user, &id, source_ref, Some(message))
    })
    .await
}

#[derive(serde::Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf_token: String,
    /// Where to go back to: the patient's tasks (default) or `/tasks`.
    #[serde(default)]
    back: String,
}

/// `POST /patients/{id}/tasks/{task}/{change}`: claim, done or cancel.
pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, task, change)): Path<(String, String, String)>,
    Form(form): Form<ChangeForm>,
) -> Result<Response, WebError> {
    let (id, task) = (patient_id(&id)?, record_id(&task)?);
    user.check_csrf(&form.csrf_token)?;
    let change = match change.as_str() {
        "claim" => TaskChange::Claim,
        "done" => TaskChange::Done,
        "cancel" => TaskChange::Cancel,
        _ => return Err(WebError::NotFound),
    };
    let result = state.app.change_task(&user.actor, &id, &task, change).await;
    let back = if form.back == "/tasks" {
        "/tasks".to_owned()
    } else {
        format!("/patients/{id}/tasks")
    };
    match result {
        Ok(()) => Ok(Redirect::to(&back).into_response()),
        Err(AppError::Invalid(invalid)) => {
            after_change(Err::<(), _>(AppError::Invalid(invalid)), &back, |message| {
                patient_page(&state, &user, &id, None, Some(message))
            })
            .await
        }
        Err(other) => Err(other.into()),
    }
}
