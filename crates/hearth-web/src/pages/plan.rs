//! `/patients/{id}/plan`: the shared care plan — every section with who reviewed it and when,
//! out-of-hours readiness, who has read the latest version — and the pages that change a
//! section (with the conflict page that merges a colleague's change), acknowledge the plan, and
//! compare two versions of a section.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::{AppError, PlanView, SaveOutcome};
use hearth_domain::care_plan::{
    AdmissionWish, Content, CprDecision, Discussion, Escalation, Place, Section, SectionSave,
    SectionVersion, compare,
};
use hearth_domain::care_team::Member;
use hearth_domain::{PatientId, PractitionerId};
use jiff::civil::Date;

use crate::pages::plan_form::{FormValues, Submitted, values_of};
use crate::pages::{Chrome, date, patient_id, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// A section as the plan page shows it.
pub struct SectionCard {
    pub code: &'static str,
    pub title: &'static str,
    pub fields: Vec<(String, String)>,
    /// "Reviewed by Amelia Hughes on 3 Nov 2026 (version 2)", or `None` when never recorded.
    pub reviewed: Option<String>,
    pub review_by: String,
    pub overdue: bool,
    pub significant: bool,
    pub editable: bool,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    chrome: Option<Chrome>,
    active: &'static str,
    name: String,
    patient_href: String,
    csrf_token: String,
    sections: Vec<SectionCard>,
    missing: Vec<&'static str>,
    registered: bool,
    emergency: bool,
    version: i64,
    significant_version: i64,
    read_by: Vec<String>,
    unread_by: Vec<String>,
    i_have_read: bool,
    member: bool,
    error: Option<String>,
}

fn name_of(names: &HashMap<PractitionerId, String>, id: &PractitionerId) -> String {
    names
        .get(id)
        .cloned()
        .unwrap_or_else(|| "a colleague".to_owned())
}

fn card(
    section: Section,
    current: Option<&SectionVersion>,
    names: &HashMap<PractitionerId, String>,
    editable: bool,
    (today, local): (Date, &dyn Fn(jiff::Timestamp) -> String),
) -> SectionCard {
    SectionCard {
        code: section.code(),
        title: section.label(),
        fields: current.map(|v| v.content.fields()).unwrap_or_default(),
        reviewed: current.map(|v| {
            format!(
                "Reviewed by {} on {} (version {}: {})",
                name_of(names, &v.author),
                local(v.saved_at),
                v.version,
                v.summary
            )
        }),
        review_by: current.map(|v| date(v.review_by)).unwrap_or_default(),
        overdue: current.is_some_and(|v| v.overdue(today)),
        significant: section.significant(),
        editable,
    }
}

async fn plan_page(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    error: Option<String>,
) -> Result<Response, WebError> {
    let view: PlanView = state.app.care_plan(&user.actor, id).await?;
    let today = state.app.today();
    let me = &user.actor.practitioner_id;
    let profession = user.actor.acting_role().map(|r| r.profession);
    let member = view.team.active().any(|m| match &m.member {
        Member::Practitioner(p) => p == me,
        Member::Service(o) => user.actor.acting_organisation().as_ref() == Some(o),
    });
    let sections = Section::ALL
        .iter()
        .map(|s| {
            let editable =
                !view.emergency && view.registered && profession.is_some_and(|p| s.may_edit(p));
            let local = |at| state.app.local_time(at);
            card(
                *s,
                view.sections.get(s),
                &view.names,
                editable,
                (today, &local),
            )
        })
        .collect();
    let (version, significant_version) = view
        .state
        .map_or((0, 0), |s| (s.version, s.significant_version));
    let unread = view.unread_by();
    let read_by = view
        .reads
        .iter()
        .filter(|r| r.version >= significant_version && significant_version > 0)
        .map(|r| {
            format!(
                "{} (version {}, {})",
                name_of(&view.names, &r.practitioner_id),
                r.version,
                state.app.local_time(r.read_at)
            )
        })
        .collect();
    let i_have_read = view
        .reads
        .iter()
        .any(|r| &r.practitioner_id == me && r.version == version);
    let p = &view.patient;
    render(&PlanPage {
        chrome: Some(Chrome::of(user)),
        active: "register",
        name: p.list_name(),
        patient_href: format!("/patients/{id}"),
        csrf_token: user.csrf_token.clone(),
        sections,
        missing: view.missing.iter().map(|m| m.label()).collect(),
        registered: view.registered,
        emergency: view.emergency,
        version,
        significant_version,
        read_by,
        unread_by: unread.iter().map(|p| name_of(&view.names, p)).collect(),
        i_have_read,
        member: member && !view.emergency,
        error,
    })
}

/// `GET /patients/{id}/plan`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    plan_page(&state, &user, &patient_id(&id)?, None).await
}

#[derive(serde::Deserialize)]
pub struct ReadForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    version: String,
}

/// `POST /patients/{id}/plan/read`: "I have read version N".
pub async fn acknowledge(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<ReadForm>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    user.check_csrf(&form.csrf_token)?;
    let version = crate::pages::form_version(&form.version)?;
    match state.app.acknowledge_plan(&user.actor, &id, version).await {
        Ok(()) => Ok(Redirect::to(&format!("/patients/{id}/plan")).into_response()),
        Err(AppError::Invalid(invalid)) => {
            let page = plan_page(&state, &user, &id, Some(invalid.message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn section_of(code: &str) -> Result<Section, WebError> {
    Section::from_code(code).ok_or(WebError::NotFound)
}

/// A colleague's version next to the author's, for the conflict page.
pub struct ConflictView {
    pub who: String,
    pub when: String,
    pub version: i64,
    pub summary: String,
    /// (label, theirs, mine, differs)
    pub rows: Vec<(String, String, String, bool)>,
}

#[derive(Template)]
#[template(path = "plan_section.html")]
struct SectionPage {
    chrome: Option<Chrome>,
    active: &'static str,
    name: String,
    patient_href: String,
    csrf_token: String,
    code: &'static str,
    title: &'static str,
    significant: bool,
    base_version: i64,
    form: FormValues,
    summary: String,
    review_by: String,
    error: Option<String>,
    conflict: Option<ConflictView>,
    decision: Option<DecisionNote>,
    places: Vec<(&'static str, &'static str)>,
    discussions: Vec<(&'static str, &'static str)>,
    cpr_choices: Vec<(&'static str, &'static str)>,
    escalations: Vec<(&'static str, &'static str)>,
    admissions: Vec<(&'static str, &'static str)>,
}

fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (code(*v), label(*v))).collect()
}

/// What the form is drawn from: the stored section, or what the author typed.
struct Draft {
    content: Content,
    base_version: i64,
    summary: String,
    review_by: String,
}

/// The meeting decision a save carries out.
#[derive(Clone)]
pub struct DecisionNote {
    pub id: String,
    pub meeting: String,
    pub text: String,
}

async fn section_page(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    section: Section,
    draft: Option<Draft>,
    error: Option<String>,
    (conflict, decision): (Option<ConflictView>, Option<DecisionNote>),
) -> Result<Response, WebError> {
    let view = state.app.care_plan(&user.actor, id).await?;
    if view.emergency {
        return Err(AppError::Forbidden(
            "Emergency access lets you read the plan, not change it.".to_owned(),
        )
        .into());
    }
    let current = view.sections.get(&section);
    let draft = draft.unwrap_or_else(|| Draft {
        content: current.map_or_else(|| Content::empty(section), |v| v.content.clone()),
        base_version: current.map_or(0, |v| v.version),
        summary: decision.as_ref().map_or_else(String::new, |d| {
            let text: String = d.text.chars().take(180).collect();
            format!("Meeting decision: {text}")
        }),
        review_by: String::new(),
    });
    let page = render(&SectionPage {
        chrome: Some(Chrome::of(user)),
        active: "register",
        name: view.patient.list_name(),
        patient_href: format!("/patients/{id}"),
        csrf_token: user.csrf_token.clone(),
        code: section.code(),
        title: section.label(),
        significant: section.significant(),
        base_version: draft.base_version,
        form: values_of(&draft.content),
        summary: draft.summary,
        review_by: draft.review_by,
        error: error.clone(),
        conflict,
        decision,
        places: choices(Place::ALL, Place::code, Place::label),
        discussions: choices(Discussion::ALL, Discussion::code, Discussion::label),
        cpr_choices: choices(CprDecision::ALL, CprDecision::code, CprDecision::label),
        escalations: choices(Escalation::ALL, Escalation::code, Escalation::label),
        admissions: choices(
            AdmissionWish::ALL,
            AdmissionWish::code,
            AdmissionWish::label,
        ),
    })?;
    Ok(page)
}

#[derive(serde::Deserialize, Default)]
pub struct EditQuery {
    #[serde(default)]
    decision: Option<String>,
}

/// The meeting decision `decision` (an id from a form or a link) that this save carries out.
async fn decision_note(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    decision: Option<&str>,
) -> Result<Option<DecisionNote>, WebError> {
    let Some(decision) = decision.map(str::trim).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    let decision = crate::pages::record_id(decision)?;
    let found = state
        .app
        .decision_awaiting_plan(&user.actor, id, &decision)
        .await?;
    Ok(Some(DecisionNote {
        id: found.id,
        meeting: found.meeting_id,
        text: found.text,
    }))
}

/// `GET /patients/{id}/plan/{section}[?decision=ID]`: the section's form, from its current
/// version; with a meeting's decision to carry out.
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, section)): Path<(String, String)>,
    Query(query): Query<EditQuery>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let decision = decision_note(&state, &user, &id, query.decision.as_deref()).await?;
    section_page(
        &state,
        &user,
        &id,
        section_of(&section)?,
        None,
        None,
        (None, decision),
    )
    .await
}

/// `POST /patients/{id}/plan/{section}`: saves the section from the version the form showed.
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, section)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let section = section_of(&section)?;
    let submitted = Submitted { pairs };
    user.check_csrf(&submitted.one("csrf_token"))?;
    let base_version = crate::pages::form_version(&submitted.one("base_version"))?;
    let summary = submitted.one("summary");
    let review_by_text = submitted.one("review_by");
    let decision_id = Some(submitted.one("decision")).filter(|d| !d.trim().is_empty());
    let decision = decision_note(&state, &user, &id, decision_id.as_deref()).await?;
    let parsed = submitted
        .content(section)
        .and_then(|content| Ok((content, submitted.date("review_by", &review_by_text)?)));
    let (content, review_by) = match parsed {
        Ok(parsed) => parsed,
        Err(invalid) => {
            let draft = Draft {
                content: submitted
                    .content(section)
                    .unwrap_or_else(|_| Content::empty(section)),
                base_version,
                summary,
                review_by: review_by_text,
            };
            let page = section_page(
                &state,
                &user,
                &id,
                section,
                Some(draft),
                Some(invalid.message),
                (None, decision.clone()),
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let draft = Draft {
        content: content.clone(),
        base_version,
        summary: summary.clone(),
        review_by: review_by_text.clone(),
    };
    let result = state
        .app
        .save_plan_section(
            &user.actor,
            &id,
            SectionSave {
                content: content.clone(),
                base_version,
                summary,
                review_by,
            },
            decision.as_ref().map(|d| d.id.as_str()),
        )
        .await;
    match result {
        Ok(SaveOutcome::Saved(_)) => Ok(Redirect::to(&match &decision {
            Some(d) => format!("/meetings/{}#patient-{id}", d.meeting),
            None => format!("/patients/{id}/plan#{}", section.code()),
        })
        .into_response()),
        Ok(SaveOutcome::Conflict { theirs }) => {
            let names = state
                .app
                .section_history(&user.actor, &id, section)
                .await
                .map(|(_, names)| names)
                .unwrap_or_default();
            let conflict = theirs.as_ref().map(|t| {
                let rows = compare(&t.content, &content)
                    .into_iter()
                    .map(|line| (line.label, line.before, line.after, line.changed))
                    .collect();
                ConflictView {
                    who: name_of(&names, &t.author),
                    when: state.app.local_time(t.saved_at),
                    version: t.version,
                    summary: t.summary.clone(),
                    rows,
                }
            });
            // The form keeps the author's words and now starts from the colleague's version:
            // saving it again is the merge.
            let draft = Draft {
                base_version: theirs.as_ref().map_or(0, |t| t.version),
                ..draft
            };
            let page = section_page(
                &state,
                &user,
                &id,
                section,
                Some(draft),
                Some("Someone saved this section while you were editing it. Nothing of yours was lost and nothing was saved yet: compare the two versions below, change the form so it says what both of you meant, and save again.".to_owned()),
                (conflict, decision.clone()),
            )
            .await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(AppError::Invalid(invalid)) => {
            let page = section_page(
                &state,
                &user,
                &id,
                section,
                Some(draft),
                Some(invalid.message),
                (None, decision.clone()),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct CompareQuery {
    a: Option<i64>,
    b: Option<i64>,
}

/// One saved version in the history list.
pub struct VersionLine {
    pub version: i64,
    pub who: String,
    pub when: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "plan_history.html")]
struct HistoryPage {
    chrome: Option<Chrome>,
    active: &'static str,
    patient_href: String,
    code: &'static str,
    title: &'static str,
    versions: Vec<VersionLine>,
    a: i64,
    b: i64,
    /// (label, value in a, value in b, differs)
    rows: Vec<(String, String, String, bool)>,
}

/// `GET /patients/{id}/plan/{section}/history[?a=N&b=M]`: every version, and two side by side
/// with the differences marked (the latest two unless chosen).
pub async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, section)): Path<(String, String)>,
    Query(query): Query<CompareQuery>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let section = section_of(&section)?;
    let (versions, names) = state.app.section_history(&user.actor, &id, section).await?;
    let latest = versions.first().map_or(0, |v| v.version);
    let b = query.b.unwrap_or(latest);
    let a = query.a.unwrap_or(b - 1);
    let find = |n: i64| versions.iter().find(|v| v.version == n);
    let empty = Content::empty(section);
    let (ca, cb) = (
        find(a).map_or(&empty, |v| &v.content),
        find(b).map_or(&empty, |v| &v.content),
    );
    let rows = compare(ca, cb)
        .into_iter()
        .map(|line| (line.label, line.before, line.after, line.changed))
        .collect();
    render(&HistoryPage {
        chrome: Some(Chrome::of(&user)),
        active: "register",
        patient_href: format!("/patients/{id}"),
        code: section.code(),
        title: section.label(),
        versions: versions
            .iter()
            .map(|v| VersionLine {
                version: v.version,
                who: name_of(&names, &v.author),
                when: state.app.local_time(v.saved_at),
                summary: v.summary.clone(),
            })
            .collect(),
        a,
        b,
        rows,
    })
}
