//! People, their roles and their accounts, as administrators manage them: add a user with a
//! first role, add a role, end a role (never deleted), disable and re-enable an account.

use hearth_domain::audit::AuditAction;
use hearth_domain::organisation::Organisation;
use hearth_domain::practitioner::{NewPractitioner, NewPractitionerRole, Practitioner};
use hearth_domain::user::{AccountStatus, UserAccount};
use hearth_domain::{PractitionerId, PractitionerRoleId};
use hearth_store::{PersonRecord, RoleRecord, Tx};

use super::{Scope, scope_of};
use crate::{Actor, App, AppError};

/// A person as the administration pages show them.
#[derive(Debug, Clone)]
pub struct AdminPerson {
    pub practitioner: Practitioner,
    pub account: Option<UserAccount>,
    /// Their roles, current and ended: on the list only those in scope, on their own page all.
    pub roles: Vec<RoleRecord>,
    /// Whether the administrator may disable or enable the account: every current role of the
    /// person is in scope, so one organisation cannot lock someone out of another.
    pub manage_account: bool,
    /// Which of `roles` the administrator may end (in scope and current), by role id.
    pub endable: Vec<PractitionerRoleId>,
}

/// The people of the organisations an administrator looks after.
#[derive(Debug, Clone)]
pub struct AdminPeople {
    pub people: Vec<AdminPerson>,
    /// The organisations in scope, by name, for the forms.
    pub organisations: Vec<Organisation>,
}

/// A new user with their first role, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub password: String,
    /// The first role; its practitioner is the new person.
    pub role: NewPractitionerRole,
}

const ACCOUNT: &str = "UserAccount";
const ROLE: &str = "PractitionerRole";
const PRACTITIONER: &str = "Practitioner";

fn person(record: PersonRecord, roles: Vec<RoleRecord>, scope: &Scope) -> AdminPerson {
    let current: Vec<&RoleRecord> = roles.iter().filter(|r| r.ended_at.is_none()).collect();
    let manage_account = if current.is_empty() {
        roles
            .iter()
            .any(|r| scope.contains(&r.role.organisation_id))
    } else {
        current
            .iter()
            .all(|r| scope.contains(&r.role.organisation_id))
    };
    AdminPerson {
        endable: current
            .iter()
            .filter(|r| scope.contains(&r.role.organisation_id))
            .map(|r| r.role.id.clone())
            .collect(),
        practitioner: record.practitioner,
        account: record.account,
        roles,
        manage_account,
    }
}

impl App {
    /// Everyone who holds or held a role in an organisation the administrator looks after.
    pub async fn admin_people(&self, actor: &Actor) -> Result<AdminPeople, AppError> {
        let root = self
            .require_administrator(actor, AuditAction::Read, PRACTITIONER)
            .await?;
        let mut tx = self.store.begin_read().await?;
        let scope = scope_of(&mut tx, &root).await?;
        let roles = tx.roles_in(&scope.ids).await?;
        let mut ids: Vec<PractitionerId> = roles
            .iter()
            .map(|r| r.role.practitioner_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        let people = tx
            .people(&ids)
            .await?
            .into_iter()
            .map(|record| {
                let theirs = roles
                    .iter()
                    .filter(|r| r.role.practitioner_id == record.practitioner.id)
                    .cloned()
                    .collect();
                person(record, theirs, &scope)
            })
            .collect();
        Ok(AdminPeople {
            people,
            organisations: scope.organisations(),
        })
    }

    /// One person with every role they hold or held, if they hold or held one in scope.
    pub async fn admin_person(&self, actor: &Actor, id: &str) -> Result<AdminPeople, AppError> {
        let root = self
            .require_administrator(actor, AuditAction::Read, PRACTITIONER)
            .await?;
        let mut tx = self.store.begin_read().await?;
        let scope = scope_of(&mut tx, &root).await?;
        let found = self.person_in_scope(&mut tx, &scope, id).await?;
        Ok(AdminPeople {
            people: found.into_iter().collect(),
            organisations: scope.organisations(),
        })
    }

    /// The person `id` with all their roles, or `None` when they hold no role in scope (the
    /// administrator may not know of them) or do not exist.
    async fn person_in_scope(
        &self,
        tx: &mut Tx,
        scope: &Scope,
        id: &str,
    ) -> Result<Option<AdminPerson>, AppError> {
        let id = PractitionerId::new(id);
        let roles = tx.roles_of(&id).await?;
        if !roles
            .iter()
            .any(|r| scope.contains(&r.role.organisation_id))
        {
            return Ok(None);
        }
        Ok(tx
            .people(std::slice::from_ref(&id))
            .await?
            .into_iter()
            .next()
            .map(|record| person(record, roles, scope)))
    }

    /// Adds a person with a user account and a first role in an organisation in scope.
    pub async fn admin_add_user(
        &self,
        actor: &Actor,
        input: NewAccount,
    ) -> Result<UserAccount, AppError> {
        let root = self
            .require_administrator(actor, AuditAction::Create, ACCOUNT)
            .await?;
        let person = NewPractitioner {
            given_name: input.given_name,
            family_name: input.family_name,
        };
        let user = self
            .prepare_user(&input.email, input.password, person, vec![input.role])
            .await?;
        let mut tx = self.store.begin_write().await?;
        let scope = scope_of(&mut tx, &root).await?;
        if let Some(outside) = user
            .roles
            .iter()
            .find(|r| !scope.contains(&r.organisation_id))
        {
            let message = format!(
                "You cannot give a role in {}: it is not one of the organisations you look after.",
                scope.name_of(&outside.organisation_id)
            );
            return Err(self
                .refuse(Some(tx), actor, AuditAction::Create, ACCOUNT, None, message)
                .await);
        }
        self.store_user(&mut tx, &user).await?;
        let p = &user.practitioner;
        self.audit_administration(
            &mut tx,
            actor,
            AuditAction::Create,
            (PRACTITIONER, p.id.as_str(), p.version),
        )
        .await?;
        for role in &user.roles {
            self.audit_administration(
                &mut tx,
                actor,
                AuditAction::Create,
                (ROLE, role.id.as_str(), role.version),
            )
            .await?;
        }
        let account = &user.account;
        self.audit_administration(
            &mut tx,
            actor,
            AuditAction::Create,
            (ACCOUNT, account.id.as_str(), account.version),
        )
        .await?;
        tx.commit().await?;
        Ok(user.account)
    }

    /// Gives a person a new role in an organisation in scope.
    pub async fn admin_add_role(
        &self,
        actor: &Actor,
        practitioner: &str,
        input: NewPractitionerRole,
    ) -> Result<(), AppError> {
        let root = self
            .require_administrator(actor, AuditAction::Create, ROLE)
            .await?;
        let role = NewPractitionerRole {
            practitioner_id: Some(PractitionerId::new(practitioner)),
            ..input
        }
        .validate(PractitionerRoleId::new(self.ids.new_id()), self.now())?;
        let mut tx = self.store.begin_write().await?;
        let scope = scope_of(&mut tx, &root).await?;
        let Some(person) = self.person_in_scope(&mut tx, &scope, practitioner).await? else {
            return Err(not_found());
        };
        if !scope.contains(&role.organisation_id) {
            let message = format!(
                "You cannot give a role in {}: it is not one of the organisations you look after.",
                scope.name_of(&role.organisation_id)
            );
            return Err(self
                .refuse(Some(tx), actor, AuditAction::Create, ROLE, None, message)
                .await);
        }
        if let Some(same) = person.roles.iter().find(|r| {
            r.ended_at.is_none()
                && r.role.organisation_id == role.organisation_id
                && r.role.profession == role.profession
        }) {
            return Err(AppError::Duplicate(format!(
                "{} already works as {} at {}.",
                person.practitioner.display_name(),
                same.role.profession.label(),
                same.organisation_name
            )));
        }
        tx.insert_practitioner_role(&role).await?;
        self.audit_administration(
            &mut tx,
            actor,
            AuditAction::Create,
            (ROLE, role.id.as_str(), role.version),
        )
        .await?;
        tx.commit().await?;
        self.forget_sessions_of(&person);
        Ok(())
    }

    /// Ends a current role in scope. The role stays on record with the time it ended.
    pub async fn admin_end_role(
        &self,
        actor: &Actor,
        practitioner: &str,
        role: &str,
        version: i64,
    ) -> Result<(), AppError> {
        let root = self
            .require_administrator(actor, AuditAction::Update, ROLE)
            .await?;
        if actor
            .acting_role()
            .is_some_and(|r| r.role_id.as_str() == role)
        {
            return Err(AppError::Conflict(
                "You cannot end the role you are acting in; ask another administrator.".to_owned(),
            ));
        }
        let mut tx = self.store.begin_write().await?;
        let scope = scope_of(&mut tx, &root).await?;
        let Some(person) = self.person_in_scope(&mut tx, &scope, practitioner).await? else {
            return Err(not_found());
        };
        let Some(found) = person.roles.iter().find(|r| r.role.id.as_str() == role) else {
            return Err(not_found());
        };
        if !scope.contains(&found.role.organisation_id) {
            let message = format!(
                "You cannot end a role at {}: it is not one of the organisations you look after.",
                found.organisation_name
            );
            return Err(self
                .refuse(
                    Some(tx),
                    actor,
                    AuditAction::Update,
                    ROLE,
                    Some(role),
                    message,
                )
                .await);
        }
        if found.ended_at.is_some() {
            return Err(AppError::Duplicate(
                "This role has already ended.".to_owned(),
            ));
        }
        tx.end_practitioner_role(&found.role.id, version, self.now())
            .await?;
        self.audit_administration(
            &mut tx,
            actor,
            AuditAction::Update,
            (ROLE, role, version + 1),
        )
        .await?;
        tx.commit().await?;
        self.forget_sessions_of(&person);
        Ok(())
    }

    /// Disables (`active` false) or re-enables a person's account. Disabling ends their
    /// sessions, as `hearth user disable` does.
    pub async fn admin_set_account(
        &self,
        actor: &Actor,
        practitioner: &str,
        version: i64,
        active: bool,
    ) -> Result<UserAccount, AppError> {
        let root = self
            .require_administrator(actor, AuditAction::Update, ACCOUNT)
            .await?;
        if !active && actor.practitioner_id.as_str() == practitioner {
            return Err(AppError::Conflict(
                "You cannot disable your own account; ask another administrator.".to_owned(),
            ));
        }
        let mut tx = self.store.begin_write().await?;
        let scope = scope_of(&mut tx, &root).await?;
        let Some(person) = self.person_in_scope(&mut tx, &scope, practitioner).await? else {
            return Err(not_found());
        };
        let Some(account) = person.account.clone() else {
            return Err(AppError::NotFound(format!(
                "{} has no user account.",
                person.practitioner.display_name()
            )));
        };
        if !person.manage_account {
            let message = format!(
                "You cannot change the account of {}: they also work for organisations you do not \
                 look after. Ask an administrator who looks after all of them.",
                person.practitioner.display_name()
            );
            return Err(self
                .refuse(
                    Some(tx),
                    actor,
                    AuditAction::Update,
                    ACCOUNT,
                    Some(account.id.as_str()),
                    message,
                )
                .await);
        }
        if account.version != version {
            return Err(AppError::Conflict(format!(
                "Someone else changed the account of {} since you opened the page. Reload it and \
                 try again.",
                person.practitioner.display_name()
            )));
        }
        let status = if active {
            AccountStatus::Active
        } else {
            AccountStatus::Disabled
        };
        let account = self.change_account_status(&mut tx, account, status).await?;
        self.audit_administration(
            &mut tx,
            actor,
            AuditAction::Update,
            (ACCOUNT, account.id.as_str(), account.version),
        )
        .await?;
        tx.commit().await?;
        self.sessions.forget_user(&account.id);
        Ok(account)
    }

    /// A change of roles shows at the person's next request, not after the session cache's
    /// few seconds.
    fn forget_sessions_of(&self, person: &AdminPerson) {
        if let Some(account) = &person.account {
            self.sessions.forget_user(&account.id);
        }
    }
}

fn not_found() -> AppError {
    AppError::NotFound(
        "There is no such person among the organisations you look after. Go back to the list of \
         people."
            .to_owned(),
    )
}
