//! `/meetings` (the meetings one takes part in, and planning a new one) and `/meetings/{id}`
//! (participants and attendance, the agenda of patients with notes, decisions and actions).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::DirectoryEntry;
use hearth_app::{AppError, MeetingView, NewTask, PlanMeeting};
use hearth_domain::PatientId;
use hearth_domain::care_team::Member;
use hearth_domain::meeting::{Meeting, MeetingDraft, MeetingKind, MeetingMode, MeetingStatus};
use hearth_domain::task::{TaskDraft, TaskOwner};

use crate::pages::plan_form::Submitted;
use crate::pages::{Chrome, after_change, patient_id, record_id, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// A meeting in a list.
struct MeetingLine {
    href: String,
    title: String,
    kind: &'static str,
    when: String,
    mode: &'static str,
    place: String,
    status: &'static str,
    cancelled: bool,
}

/// Someone who can be invited: (role id, "Name — Profession, Organisation").
type PersonChoice = (String, String);

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    chrome: Option<Chrome>,
    active: &'static str,
    csrf_token: String,
    error: Option<String>,
    upcoming: Vec<MeetingLine>,
    recent: Vec<MeetingLine>,
    kinds: Vec<(&'static str, &'static str)>,
    modes: Vec<(&'static str, &'static str)>,
    people: Vec<PersonChoice>,
    form: MeetingForm,
}

/// The meeting form as typed, to redraw it after a mistake.
#[derive(Default, Clone)]
struct MeetingForm {
    kind: String,
    title: String,
    mode: String,
    starts_at: String,
    minutes: String,
    place: String,
    invite: Vec<String>,
}

fn line(state: &AppState, m: &Meeting) -> MeetingLine {
    MeetingLine {
        href: format!("/meetings/{}", m.id),
        title: m.title.clone(),
        kind: m.kind.label(),
        when: state.app.local_time(m.starts_at),
        mode: m.mode.label(),
        place: m.place.clone(),
        status: m.status.label(),
        cancelled: m.status == MeetingStatus::Cancelled,
    }
}

fn person_choices(
    people: &[DirectoryEntry],
    me: &hearth_domain::PractitionerId,
) -> Vec<PersonChoice> {
    people
        .iter()
        .filter(|p| &p.role.practitioner_id != me && p.role.profession.is_clinical())
        .map(|p| {
            (
                p.role.id.to_string(),
                format!(
                    "{} — {}, {}",
                    p.name,
                    p.role.profession.label(),
                    p.organisation_name
                ),
            )
        })
        .collect()
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    form: MeetingForm,
    error: Option<String>,
) -> Result<Response, WebError> {
    let list = state.app.meetings(&user.actor).await?;
    render(&MeetingsPage {
        chrome: Some(Chrome::of(user)),
        active: "meetings",
        csrf_token: user.csrf_token.clone(),
        error,
        upcoming: list.upcoming.iter().map(|m| line(state, m)).collect(),
        recent: list.recent.iter().map(|m| line(state, m)).collect(),
        kinds: MeetingKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        modes: MeetingMode::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        people: person_choices(&list.people, &user.actor.practitioner_id),
        form,
    })
}

/// `GET /meetings`
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Response, WebError> {
    let form = MeetingForm {
        kind: MeetingKind::RegisterReview.code().to_owned(),
        mode: MeetingMode::InPerson.code().to_owned(),
        ..MeetingForm::default()
    };
    list_page(&state, &user, form, None).await
}

/// `POST /meetings`: plans a meeting.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let submitted = Submitted { pairs };
    user.check_csrf(&submitted.one("csrf_token"))?;
    let form = MeetingForm {
        kind: submitted.one("kind"),
        title: submitted.one("title"),
        mode: submitted.one("mode"),
        starts_at: submitted.one("starts_at"),
        minutes: submitted.one("minutes"),
        place: submitted.one("place"),
        invite: submitted.all("invite"),
    };
    let starts = crate::pages::conversations::local_instant(&state, "starts_at", &form.starts_at);
    let result = match starts {
        Ok(starts_at) => {
            state
                .app
                .plan_meeting(
                    &user.actor,
                    PlanMeeting {
                        draft: MeetingDraft {
                            kind: form.kind.clone(),
                            title: form.title.clone(),
                            mode: form.mode.clone(),
                            starts_at,
                            minutes: form.minutes.clone(),
                            place: form.place.clone(),
                        },
                        invite: form.invite.clone(),
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
        Err(error) => {
            after_change(Err::<(), _>(error), "/meetings", |message| {
                list_page(&state, &user, form, Some(message))
            })
            .await
        }
    }
}

/// One participant as the page shows them.
struct ParticipantRow {
    role_id: String,
    name: String,
    profession: &'static str,
    organisation: String,
    specialist: bool,
    invited: bool,
    attended: bool,
}

struct DecisionRow {
    text: String,
    by: String,
    plan: Option<(String, String)>,
    awaiting: Option<(String, String)>,
}

struct ActionRow {
    title: String,
    owner: String,
    due: String,
    status: &'static str,
    overdue: bool,
    href: String,
}

struct AgendaRow {
    anchor: String,
    patient_href: String,
    name: String,
    notes: String,
    noted: Option<String>,
    decisions: Vec<DecisionRow>,
    actions: Vec<ActionRow>,
    owners: Vec<(String, String)>,
    action: String,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    chrome: Option<Chrome>,
    active: &'static str,
    csrf_token: String,
    error: Option<String>,
    action: String,
    title: String,
    kind: &'static str,
    status: &'static str,
    held: bool,
    planned: bool,
    when: String,
    mode: &'static str,
    place: String,
    place_link: Option<String>,
    organiser: String,
    organisation: String,
    case_conference: bool,
    shortfall: Option<&'static str>,
    participants: Vec<ParticipantRow>,
    started: bool,
    minutes_open: bool,
    is_organiser: bool,
    agenda: Vec<AgendaRow>,
    hidden: usize,
    addable: Vec<(String, String)>,
    people: Vec<PersonChoice>,
    sections: Vec<(&'static str, &'static str)>,
}

fn meeting_page(
    state: &AppState,
    user: &CurrentUser,
    view: MeetingView,
    error: Option<String>,
) -> Result<Response, WebError> {
    let now = state.app.now();
    let m = &view.meeting;
    let people_by_role =
        |role: &hearth_domain::PractitionerRoleId| view.people.iter().find(|p| &p.role.id == role);
    let participants = view
        .participants
        .iter()
        .map(|p| ParticipantRow {
            role_id: p.role_id.to_string(),
            name: view.name_of(&p.practitioner_id),
            profession: p.profession.label(),
            organisation: view
                .services
                .get(&p.organisation_id)
                .cloned()
                .or_else(|| people_by_role(&p.role_id).map(|e| e.organisation_name.clone()))
                .unwrap_or_default(),
            specialist: p.specialist,
            invited: p.invited,
            attended: p.attended,
        })
        .collect();
    let name = |member: &Member| match member {
        Member::Practitioner(p) => view.names.get(p).cloned(),
        Member::Service(o) => view.services.get(o).cloned(),
    };
    let agenda = view
        .agenda
        .iter()
        .map(|a| {
            let pid = &a.item.patient_id;
            AgendaRow {
                anchor: format!("patient-{pid}"),
                patient_href: format!("/patients/{pid}"),
                name: a.item.patient_name.clone(),
                notes: a.item.notes.clone(),
                noted: a
                    .item
                    .noted
                    .as_ref()
                    .map(|(p, at)| format!("{}, {}", view.name_of(p), state.app.local_time(*at))),
                decisions: a
                    .decisions
                    .iter()
                    .map(|d| DecisionRow {
                        text: d.text.clone(),
                        by: format!(
                            "{}, {}",
                            view.name_of(&d.recorded_by),
                            state.app.local_time(d.recorded_at)
                        ),
                        plan: match (d.plan_section, d.plan_version) {
                            (Some(s), Some((sv, pv))) => Some((
                                format!(
                                    "/patients/{pid}/plan/{}/history?a={}&b={sv}",
                                    s.code(),
                                    (sv - 1).max(1)
                                ),
                                format!("{} updated: plan version {pv}", s.label()),
                            )),
                            _ => None,
                        },
                        awaiting: match (d.plan_section, d.plan_version) {
                            (Some(s), None) if d.recorded_by == user.actor.practitioner_id => {
                                Some((
                                    format!("/patients/{pid}/plan/{}?decision={}", s.code(), d.id),
                                    s.label().to_owned(),
                                ))
                            }
                            (Some(s), None) => Some((String::new(), s.label().to_owned())),
                            _ => None,
                        },
                    })
                    .collect(),
                actions: a
                    .actions
                    .iter()
                    .map(|t| ActionRow {
                        title: t.title.clone(),
                        owner: match &t.owner {
                            TaskOwner::Person(p) => name(&Member::Practitioner(p.clone())),
                            TaskOwner::Service(o) => name(&Member::Service(o.clone())),
                            TaskOwner::Role(r) => {
                                Some(format!("Any {} in the team", r.label().to_lowercase()))
                            }
                        }
                        .unwrap_or_else(|| "a colleague".to_owned()),
                        due: state.app.local_time(t.due_at),
                        status: t.status.label(),
                        overdue: t.is_overdue(now),
                        href: format!("/patients/{pid}/tasks"),
                    })
                    .collect(),
                owners: a.owners.clone(),
                action: format!("/meetings/{}/agenda/{pid}", m.id),
            }
        })
        .collect();
    let place_link =
        (m.mode == MeetingMode::Video && m.place.starts_with("https://")).then(|| m.place.clone());
    let end = state.app.local_time(m.ends_at());
    let end_time = end.rsplit(' ').next().unwrap_or_default().to_owned();
    render(&MeetingPage {
        chrome: Some(Chrome::of(user)),
        active: "meetings",
        csrf_token: user.csrf_token.clone(),
        error,
        action: format!("/meetings/{}", m.id),
        title: m.title.clone(),
        kind: m.kind.label(),
        status: m.status.label(),
        held: m.status == MeetingStatus::Held,
        planned: m.status == MeetingStatus::Planned,
        when: format!("{} – {end_time}", state.app.local_time(m.starts_at)),
        mode: m.mode.label(),
        place: m.place.clone(),
        place_link,
        organiser: view.name_of(&m.organiser),
        organisation: view.organisation_name.clone(),
        case_conference: view.case_conference && m.status == MeetingStatus::Held,
        shortfall: view.shortfall,
        participants,
        started: m.starts_at <= now && m.status != MeetingStatus::Cancelled,
        minutes_open: m.takes_minutes(now).is_ok(),
        is_organiser: view.is_organiser,
        agenda,
        hidden: view.hidden,
        addable: view
            .addable
            .iter()
            .map(|p| {
                (
                    p.id.to_string(),
                    format!("{}, {}", p.family_name, p.given_name),
                )
            })
            .collect(),
        people: person_choices(&view.people, &user.actor.practitioner_id),
        sections: view
            .sections
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
    })
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    error: Option<String>,
) -> Result<Response, WebError> {
    let view = state.app.meeting(&user.actor, id).await?;
    meeting_page(state, user, view, error)
}

/// `GET /meetings/{id}`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    show_page(&state, &user, &record_id(&id)?, None).await
}

/// `POST /meetings/{id}/attendance`: who attended (checkboxes `attended`, and `add`).
pub async fn attendance(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = record_id(&id)?;
    let submitted = Submitted { pairs };
    user.check_csrf(&submitted.one("csrf_token"))?;
    let add = submitted.one("add");
    let result = state
        .app
        .record_attendance(
            &user.actor,
            &id,
            &submitted.all("attended"),
            Some(add.as_str()),
        )
        .await;
    let done = format!("/meetings/{id}");
    after_change(result, &done, |message| {
        show_page(&state, &user, &id, Some(message))
    })
    .await
}

#[derive(serde::Deserialize)]
pub struct PlainForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    patient: String,
}

/// `POST /meetings/{id}/cancel`
pub async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<PlainForm>,
) -> Result<Response, WebError> {
    let id = record_id(&id)?;
    user.check_csrf(&form.csrf_token)?;
    let result = state.app.cancel_meeting(&user.actor, &id).await;
    let done = format!("/meetings/{id}");
    after_change(result, &done, |message| {
        show_page(&state, &user, &id, Some(message))
    })
    .await
}

/// `POST /meetings/{id}/agenda`: puts a patient on the agenda.
pub async fn add_patient(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<PlainForm>,
) -> Result<Response, WebError> {
    let id = record_id(&id)?;
    user.check_csrf(&form.csrf_token)?;
    let patient = PatientId::parse(form.patient.trim()).ok_or_else(|| {
        AppError::Invalid(hearth_domain::ValidationError::new(
            "patient",
            "Choose a patient from the list.",
        ))
    });
    let result = match patient {
        Ok(patient) => state
            .app
            .add_to_agenda(&user.actor, &id, &patient)
            .await
            .map(|()| patient),
        Err(e) => Err(e),
    };
    let done = match &result {
        Ok(p) => format!("/meetings/{id}#patient-{p}"),
        Err(_) => format!("/meetings/{id}"),
    };
    after_change(result, &done, |message| {
        show_page(&state, &user, &id, Some(message))
    })
    .await
}

#[derive(serde::Deserialize)]
pub struct MinutesForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    section: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due_at: String,
}

/// `POST /meetings/{id}/agenda/{patient}/{what}`: `notes`, `decisions` or `actions` about a
/// patient on the agenda. A decision that changes the plan goes on to the section's form.
pub async fn minutes(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, patient, what)): Path<(String, String, String)>,
    Form(form): Form<MinutesForm>,
) -> Result<Response, WebError> {
    let (id, patient) = (record_id(&id)?, patient_id(&patient)?);
    user.check_csrf(&form.csrf_token)?;
    let back = format!("/meetings/{id}#patient-{patient}");
    let result: Result<String, AppError> = match what.as_str() {
        "notes" => state
            .app
            .save_agenda_notes(&user.actor, &id, &patient, &form.notes)
            .await
            .map(|()| back.clone()),
        "decisions" => state
            .app
            .record_decision(&user.actor, &id, &patient, (&form.decision, &form.section))
            .await
            .map(|d| match d.plan_section {
                Some(s) => format!("/patients/{patient}/plan/{}?decision={}", s.code(), d.id),
                None => back.clone(),
            }),
        "actions" => {
            match crate::pages::conversations::local_instant(&state, "due_at", &form.due_at) {
                Ok(due_at) => state
                    .app
                    .add_meeting_action(
                        &user.actor,
                        &id,
                        &patient,
                        NewTask {
                            owner: form.owner.clone(),
                            draft: TaskDraft {
                                title: form.title.clone(),
                                due_at,
                                ..TaskDraft::default()
                            },
                        },
                    )
                    .await
                    .map(|_| back.clone()),
                Err(e) => Err(e),
            }
        }
        _ => return Err(WebError::NotFound),
    };
    match result {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(error) => {
            after_change(Err::<(), _>(error), &back, |message| {
                show_page(&state, &user, &id, Some(message))
            })
            .await
        }
    }
}
