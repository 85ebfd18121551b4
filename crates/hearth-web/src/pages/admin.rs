//! `/admin/...`: administration of the organisations an administrator looks after and of their
//! people — organisations (list, add a sub-organisation, edit), people (list, add a user, add or
//! end a role, disable or re-enable an account). The rota is in `rota.rs`. Who may do what is
//! decided in `hearth-app`; these handlers extract, call one use case and render.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use hearth_app::{AdminOrganisations, AdminPeople, NewAccount, RoleRecord};
use hearth_domain::OrganisationId;
use hearth_domain::organisation::{NewOrganisation, Organisation, OrganisationKind};
use hearth_domain::practitioner::{NewPractitionerRole, Profession};
use serde::Deserialize;

use crate::pages::{Chrome, FormErrors, after_form, form_version, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// A choice in a `<select>`: value, label, whether chosen.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<'a>(items: impl Iterator<Item = (&'a str, &'a str)>, selected: &str) -> Vec<Choice> {
    items
        .map(|(value, label)| Choice {
            selected: value == selected,
            value: value.to_owned(),
            label: label.to_owned(),
        })
        .collect()
}

fn kinds(selected: &str) -> Vec<Choice> {
    choices(
        OrganisationKind::ALL.iter().map(|k| (k.code(), k.label())),
        selected,
    )
}

fn professions(selected: &str) -> Vec<Choice> {
    choices(
        Profession::ALL.iter().map(|p| (p.code(), p.label())),
        selected,
    )
}

fn organisation_choices(organisations: &[Organisation], selected: &str) -> Vec<Choice> {
    choices(
        organisations
            .iter()
            .map(|o| (o.id.as_str(), o.name.as_str())),
        selected,
    )
}

/// The organisation form's fields, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct OrganisationForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    part_of: String,
}

impl OrganisationForm {
    fn of(o: &Organisation) -> Self {
        OrganisationForm {
            version: o.version.to_string(),
            name: o.name.clone(),
            kind: o.kind.code().to_owned(),
            area: o.area.clone().unwrap_or_default(),
            phone: o.phone.clone().unwrap_or_default(),
            part_of: o
                .part_of
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            ..Default::default()
        }
    }

    fn input(&self) -> NewOrganisation {
        let part_of = self.part_of.trim();
        NewOrganisation {
            name: self.name.clone(),
            kind: self.kind.clone(),
            area: self.area.clone(),
            phone: self.phone.clone(),
            part_of: (!part_of.is_empty()).then(|| OrganisationId::new(part_of)),
        }
    }
}

/// A line of the organisations list.
pub struct OrganisationLine {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub area: String,
    pub phone: String,
    pub part_of: String,
}

#[derive(Template)]
#[template(path = "admin_organisations.html")]
struct OrganisationsPage {
    chrome: Option<Chrome>,
    active: &'static str,
    tab: &'static str,
    csrf_token: String,
    organisations: Vec<OrganisationLine>,
    form: OrganisationForm,
    kinds: Vec<Choice>,
    parents: Vec<Choice>,
    errors: FormErrors,
}

fn name_in(view: &AdminOrganisations, id: Option<&OrganisationId>) -> String {
    id.and_then(|id| view.names.iter().find(|(i, _)| i == id))
        .map(|(_, name)| name.clone())
        .unwrap_or_default()
}

async fn organisations_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<OrganisationForm>,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let view = state.app.admin_organisations(&user.actor).await?;
    let form = form.unwrap_or_else(|| OrganisationForm {
        part_of: view.root.to_string(),
        ..Default::default()
    });
    render(&OrganisationsPage {
        chrome: Some(Chrome::of(user)),
        active: "admin",
        tab: "organisations",
        csrf_token: user.csrf_token.clone(),
        organisations: view
            .organisations
            .iter()
            .map(|o| OrganisationLine {
                id: o.id.to_string(),
                name: o.name.clone(),
                kind: o.kind.label(),
                area: o.area.clone().unwrap_or_default(),
                phone: o.phone.clone().unwrap_or_default(),
                part_of: name_in(&view, o.part_of.as_ref()),
            })
            .collect(),
        kinds: kinds(&form.kind),
        parents: organisation_choices(&view.organisations, &form.part_of),
        form,
        errors,
    })
}

/// `GET /admin` and `GET /admin/organisations`
pub async fn organisations(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    organisations_page(&state, &user, None, FormErrors::default()).await
}

/// `POST /admin/organisations`: a new sub-organisation.
pub async fn create_organisation(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<OrganisationForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf_token)?;
    let result = state
        .app
        .admin_create_organisation(&user.actor, form.input())
        .await;
    after_form(result, "/admin/organisations", |errors| {
        organisations_page(&state, &user, Some(form.clone()), errors)
    })
    .await
}

#[derive(Template)]
#[template(path = "admin_organisation.html")]
struct OrganisationPage {
    chrome: Option<Chrome>,
    active: &'static str,
    tab: &'static str,
    csrf_token: String,
    id: String,
    name: String,
    form: OrganisationForm,
    kinds: Vec<Choice>,
    parents: Vec<Choice>,
    errors: FormErrors,
}

async fn organisation_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    form: Option<OrganisationForm>,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let view = state.app.admin_organisations(&user.actor).await?;
    let organisation = view
        .organisations
        .iter()
        .find(|o| o.id.as_str() == id)
        .ok_or(WebError::NotFound)?;
    let form = form.unwrap_or_else(|| OrganisationForm::of(organisation));
    // The current parent stays choosable even when it is outside the administrator's scope.
    let mut parents = organisation_choices(
        &view
            .organisations
            .iter()
            .filter(|o| o.id != organisation.id)
            .cloned()
            .collect::<Vec<_>>(),
        &form.part_of,
    );
    if let Some(parent) = &organisation.part_of
        && !parents.iter().any(|c| c.value == parent.as_str())
    {
        parents.insert(
            0,
            Choice {
                selected: form.part_of == parent.as_str(),
                value: parent.to_string(),
                label: name_in(&view, Some(parent)),
            },
        );
    }
    render(&OrganisationPage {
        chrome: Some(Chrome::of(user)),
        active: "admin",
        tab: "organisations",
        csrf_token: user.csrf_token.clone(),
        id: organisation.id.to_string(),
        name: organisation.name.clone(),
        kinds: kinds(&form.kind),
        parents,
        form,
        errors,
    })
}

/// `GET /admin/organisations/{id}`
pub async fn organisation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    organisation_page(&state, &user, &id, None, FormErrors::default()).await
}

/// `POST /admin/organisations/{id}`: new details, checked against the version the form showed.
pub async fn update_organisation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<OrganisationForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf_token)?;
    let version = form_version(&form.version)?;
    let result = state
        .app
        .admin_update_organisation(&user.actor, &id, version, form.input())
        .await;
    // After a conflict the form shows the organisation as it now is, so that the administrator
    // makes their change again on top of their colleague's rather than over it.
    let keep = matches!(result, Err(hearth_app::AppError::Invalid(_)));
    after_form(result, "/admin/organisations", |errors| {
        organisation_page(&state, &user, &id, keep.then(|| form.clone()), errors)
    })
    .await
}

/// The add-a-user and add-a-role forms' fields, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct PersonForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    profession: String,
    #[serde(default)]
    specialist: Option<String>,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    role_email: String,
}

impl PersonForm {
    fn role(&self) -> NewPractitionerRole {
        let organisation = self.organisation.trim();
        NewPractitionerRole {
            practitioner_id: None,
            organisation_id: (!organisation.is_empty()).then(|| OrganisationId::new(organisation)),
            profession: self.profession.clone(),
            // An unticked box sends nothing: the profession's own default applies.
            specialist: self.specialist.as_ref().map(|_| true),
            phone: self.phone.clone(),
            email: self.role_email.clone(),
        }
    }
}

/// A line of the people list.
pub struct PersonLine {
    pub id: String,
    pub name: String,
    pub email: String,
    pub status: &'static str,
    pub disabled: bool,
    pub roles: Vec<String>,
}

/// One role on a person's page.
pub struct RoleLine {
    pub id: String,
    pub version: i64,
    pub text: String,
    pub ended: Option<String>,
    pub endable: bool,
}

#[derive(Template)]
#[template(path = "admin_people.html")]
struct PeoplePage {
    chrome: Option<Chrome>,
    active: &'static str,
    tab: &'static str,
    csrf_token: String,
    people: Vec<PersonLine>,
    form: PersonForm,
    organisations: Vec<Choice>,
    professions: Vec<Choice>,
    errors: FormErrors,
}

fn role_text(r: &RoleRecord) -> String {
    let specialist = if r.role.specialist {
        " (specialist palliative care)"
    } else {
        ""
    };
    let phone = r
        .role
        .phone
        .as_deref()
        .map(|p| format!(" · {p}"))
        .unwrap_or_default();
    format!(
        "{}{specialist} · {}{phone}",
        r.role.profession.label(),
        r.organisation_name
    )
}

fn person_line(person: &hearth_app::AdminPerson) -> PersonLine {
    let (email, status, disabled) = match &person.account {
        Some(a) => (
            a.email.to_string(),
            a.status.label(),
            a.status == hearth_domain::user::AccountStatus::Disabled,
        ),
        None => (String::new(), "No account", false),
    };
    PersonLine {
        id: person.practitioner.id.to_string(),
        name: person.practitioner.display_name(),
        email,
        status,
        disabled,
        roles: person
            .roles
            .iter()
            .filter(|r| r.ended_at.is_none())
            .map(role_text)
            .collect(),
    }
}

async fn people_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<PersonForm>,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let view: AdminPeople = state.app.admin_people(&user.actor).await?;
    let form = form.unwrap_or_default();
    render(&PeoplePage {
        chrome: Some(Chrome::of(user)),
        active: "admin",
        tab: "users",
        csrf_token: user.csrf_token.clone(),
        people: view.people.iter().map(person_line).collect(),
        organisations: organisation_choices(&view.organisations, &form.organisation),
        professions: professions(&form.profession),
        form: PersonForm {
            password: String::new(),
            ..form
        },
        errors,
    })
}

/// `GET /admin/users`
pub async fn people(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    people_page(&state, &user, None, FormErrors::default()).await
}

/// `POST /admin/users`: a new person with an account and a first role.
pub async fn add_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<PersonForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf_token)?;
    let input = NewAccount {
        given_name: form.given_name.clone(),
        family_name: form.family_name.clone(),
        email: form.email.clone(),
        password: form.password.clone(),
        role: form.role(),
    };
    let result = state.app.admin_add_user(&user.actor, input).await;
    after_form(result, "/admin/users", |errors| {
        people_page(&state, &user, Some(form.clone()), errors)
    })
    .await
}

#[derive(Template)]
#[template(path = "admin_person.html")]
struct PersonPage {
    chrome: Option<Chrome>,
    active: &'static str,
    tab: &'static str,
    csrf_token: String,
    person: PersonLine,
    account_version: i64,
    has_account: bool,
    manage_account: bool,
    roles: Vec<RoleLine>,
    form: PersonForm,
    organisations: Vec<Choice>,
    professions: Vec<Choice>,
    errors: FormErrors,
}

async fn person_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    form: Option<PersonForm>,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let view = state.app.admin_person(&user.actor, id).await?;
    let person = view.people.first().ok_or(WebError::NotFound)?;
    let form = form.unwrap_or_default();
    render(&PersonPage {
        chrome: Some(Chrome::of(user)),
        active: "admin",
        tab: "users",
        csrf_token: user.csrf_token.clone(),
        person: person_line(person),
        account_version: person.account.as_ref().map_or(0, |a| a.version),
        has_account: person.account.is_some(),
        manage_account: person.manage_account,
        roles: person
            .roles
            .iter()
            .map(|r| RoleLine {
                id: r.role.id.to_string(),
                version: r.role.version,
                text: role_text(r),
                ended: r.ended_at.map(|at| state.app.local_time(at)),
                endable: person.endable.contains(&r.role.id),
            })
            .collect(),
        organisations: organisation_choices(&view.organisations, &form.organisation),
        professions: professions(&form.profession),
        form,
        errors,
    })
}

/// `GET /admin/users/{id}`
pub async fn person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    person_page(&state, &user, &id, None, FormErrors::default()).await
}

/// `POST /admin/users/{id}/roles`
pub async fn add_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<PersonForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf_token)?;
    let result = state
        .app
        .admin_add_role(&user.actor, &id, form.role())
        .await;
    let done = format!("/admin/users/{id}");
    after_form(result, &done, |errors| {
        person_page(&state, &user, &id, Some(form.clone()), errors)
    })
    .await
}

/// A form that changes one versioned record.
#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub version: String,
}

/// `POST /admin/users/{id}/roles/{role}/end`
pub async fn end_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, role)): Path<(String, String)>,
    Form(form): Form<VersionForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf_token)?;
    let version = form_version(&form.version)?;
    let result = state
        .app
        .admin_end_role(&user.actor, &id, &role, version)
        .await;
    let done = format!("/admin/users/{id}");
    after_form(result, &done, |errors| {
        person_page(&state, &user, &id, None, errors)
    })
    .await
}

/// `POST /admin/users/{id}/{disable|enable}`
pub async fn account(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, change)): Path<(String, String)>,
    Form(form): Form<VersionForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf_token)?;
    let active = match change.as_str() {
        "enable" => true,
        "disable" => false,
        _ => return Err(WebError::NotFound),
    };
    let version = form_version(&form.version)?;
    let result = state
        .app
        .admin_set_account(&user.actor, &id, version, active)
        .await;
    let done = format!("/admin/users/{id}");
    after_form(result, &done, |errors| {
        person_page(&state, &user, &id, None, errors)
    })
    .await
}
