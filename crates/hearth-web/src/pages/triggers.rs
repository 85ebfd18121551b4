//! `/admin/triggers`: the needs-based trigger rules as data — each rule's version in force with
//! its rationale and source, its earlier versions, and how each version's suggestions were
//! answered; editing saves a new version, and a new rule can be added.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use hearth_domain::assessment::Phase;
use hearth_domain::trigger::{Rule, RuleDraft, RuleKind, Suggests, Usefulness};

use crate::pages::plan_form::Submitted;
use crate::pages::{Chrome, FormErrors, after_form, record_id, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

struct VersionLine {
    version: i64,
    condition: String,
    active: bool,
    changed: String,
    used: Usefulness,
}

struct RuleLine {
    id: String,
    name: String,
    suggests: &'static str,
    rationale: String,
    source: String,
    versions: Vec<VersionLine>,
}

#[derive(Template)]
#[template(path = "admin_triggers.html")]
struct TriggersPage {
    chrome: Option<Chrome>,
    active: &'static str,
    tab: &'static str,
    csrf_token: String,
    errors: FormErrors,
    rules: Vec<RuleLine>,
    /// The rule being edited (None: the new-rule form).
    editing: Option<String>,
    draft: RuleDraft,
    may_edit: bool,
    kinds: Vec<(&'static str, &'static str)>,
    phases: Vec<(&'static str, &'static str)>,
    suggests: Vec<(&'static str, &'static str)>,
}

fn changed(state: &AppState, r: &Rule) -> String {
    match &r.changed_by {
        None => "as shipped with Hearth".to_owned(),
        Some(_) => format!("saved {}", state.app.local_time(r.changed_at)),
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    editing: Option<&str>,
    draft: Option<RuleDraft>,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let admin = state.app.admin_triggers(&user.actor).await?;
    let current = editing.and_then(|id| {
        admin
            .rules
            .iter()
            .find_map(|h| h.current().filter(|r| r.id == id))
    });
    if editing.is_some() && current.is_none() {
        return Err(WebError::NotFound);
    }
    let draft = draft.unwrap_or_else(|| {
        current.map_or_else(
            || RuleDraft {
                active: true,
                suggests: "referral".to_owned(),
                ..RuleDraft::default()
            },
            RuleDraft::of,
        )
    });
    let rules = admin
        .rules
        .iter()
        .filter_map(|h| {
            let r = h.current()?;
            Some(RuleLine {
                id: r.id.clone(),
                name: r.name.clone(),
                suggests: r.suggests.label(),
                rationale: r.rationale.clone(),
                source: r.source.clone(),
                versions: h
                    .versions
                    .iter()
                    .map(|(v, used)| VersionLine {
                        version: v.version,
                        condition: v.condition(),
                        active: v.active,
                        changed: changed(state, v),
                        used: *used,
                    })
                    .collect(),
            })
        })
        .collect();
    render(&TriggersPage {
        chrome: Some(Chrome::of(user)),
        active: "admin",
        tab: "triggers",
        csrf_token: user.csrf_token.clone(),
        errors,
        rules,
        editing: editing.map(str::to_owned),
        may_edit: admin.may_edit,
        draft,
        kinds: RuleKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        phases: Phase::ALL.iter().map(|p| (p.code(), p.label())).collect(),
        suggests: Suggests::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
    })
}

fn draft_of(f: &Submitted) -> RuleDraft {
    RuleDraft {
        name: f.one("name"),
        kind: f.one("kind"),
        threshold: f.one("threshold"),
        phase: f.one("phase"),
        window_days: f.one("window_days"),
        suggests: f.one("suggests"),
        active: f.one("active") == "yes",
        rationale: f.one("rationale"),
        source: f.one("source"),
    }
}

/// `GET /admin/triggers`
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Response, WebError> {
    page(&state, &user, None, None, FormErrors::default()).await
}

/// `GET /admin/triggers/{rule}`: the rule's edit form.
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(rule): Path<String>,
) -> Result<Response, WebError> {
    let rule = record_id(&rule)?;
    page(&state, &user, Some(&rule), None, FormErrors::default()).await
}

/// `POST /admin/triggers`: adds a rule.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = Submitted { pairs };
    user.check_csrf(&f.one("csrf_token"))?;
    let draft = draft_of(&f);
    let result = state
        .app
        .admin_save_rule(&user.actor, None, draft.clone())
        .await;
    after_form(result, "/admin/triggers", |errors| {
        page(&state, &user, None, Some(draft), errors)
    })
    .await
}

/// `POST /admin/triggers/{rule}`: saves an edit as the rule's next version.
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(rule): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let rule = record_id(&rule)?;
    let f = Submitted { pairs };
    user.check_csrf(&f.one("csrf_token"))?;
    let draft = draft_of(&f);
    let result = state
        .app
        .admin_save_rule(&user.actor, Some(&rule), draft.clone())
        .await;
    after_form(result, "/admin/triggers", |errors| {
        page(&state, &user, Some(&rule), Some(draft), errors)
    })
    .await
}
