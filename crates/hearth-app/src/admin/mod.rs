//! Administration: organisations, people with their roles and accounts, and the specialist
//! advice rota. An administrator looks after the organisation of their acting role and every
//! organisation part of it (`organisation::within`); nothing here reads or links to a patient.
//! Every change is audited with basis "administration" in the same transaction as the change,
//! and every refusal is audited too (`docs/design/administration.md`).

mod organisations;
mod people;
mod rota;

pub use organisations::AdminOrganisations;
pub use people::{AdminPeople, AdminPerson, NewAccount};
pub use rota::{AdminRota, NewShift, RotaEntry};

use hearth_domain::audit::{AccessBasis, AuditAction, AuditRecord};
use hearth_domain::organisation::{self, Organisation};
use hearth_domain::practitioner::{
    NewPractitioner, NewPractitionerRole, Practitioner, PractitionerRole, Profession,
};
use hearth_domain::user::{AccountStatus, Email, UserAccount, check_new_password};
use hearth_domain::{OrganisationId, PractitionerId, PractitionerRoleId, UserId, ValidationError};
use hearth_store::Tx;

use crate::access::{self, Decision};
use crate::{Actor, App, AppError, passwords};
use hearth_domain::access::Denial;

/// A role for a new user: which organisation, which profession.
#[derive(Debug, Clone)]
pub struct NewUserRole {
    pub organisation_id: OrganisationId,
    pub profession: String,
    pub phone: String,
}

/// A new user account together with the practitioner it belongs to.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub email: String,
    pub password: String,
    pub given_name: String,
    pub family_name: String,
    pub roles: Vec<NewUserRole>,
}

/// The organisations an administrator looks after.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// Every organisation, by name (for parents' names and loop checks).
    pub all: Vec<Organisation>,
    /// The ids of the organisations in scope.
    pub ids: Vec<OrganisationId>,
}

impl Scope {
    pub fn contains(&self, id: &OrganisationId) -> bool {
        self.ids.contains(id)
    }

    /// The organisations in scope, by name.
    pub fn organisations(&self) -> Vec<Organisation> {
        self.all
            .iter()
            .filter(|o| self.contains(&o.id))
            .cloned()
            .collect()
    }

    pub fn name_of(&self, id: &OrganisationId) -> String {
        self.all
            .iter()
            .find(|o| &o.id == id)
            .map_or_else(|| id.to_string(), |o| o.name.clone())
    }
}

/// The scope of the actor's acting role: its organisation and every organisation part of it.
pub(crate) async fn scope_of(tx: &mut Tx, root: &OrganisationId) -> Result<Scope, AppError> {
    let all = tx.all_organisations().await?;
    let ids = organisation::within(&all, root);
    Ok(Scope { all, ids })
}

/// An audit record of administration: no patient, basis "administration".
fn admin_record(
    actor: &Actor,
    at: jiff::Timestamp,
    action: AuditAction,
    resource_type: &'static str,
    resource: Option<(&str, i64)>,
    access: Decision,
) -> AuditRecord {
    AuditRecord {
        basis: AccessBasis::Administration,
        ..access::audit_record(actor, at, None, action, resource_type, resource, &access)
    }
}

impl App {
    /// The organisation whose administrator the actor is acting as; anyone else is refused, and
    /// the refusal audited as an attempt to `action` a `resource_type`.
    pub(crate) async fn require_administrator(
        &self,
        actor: &Actor,
        action: AuditAction,
        resource_type: &'static str,
    ) -> Result<OrganisationId, AppError> {
        match actor.acting_role() {
            Some(role) if role.profession == Profession::Administrator => {
                Ok(role.organisation_id.clone())
            }
            acting => {
                let acting = acting.map_or_else(
                    || "no role".to_owned(),
                    |r| format!("{} at {}", r.profession.label(), r.organisation_name),
                );
                Err(self
                    .refuse(
                        None,
                        actor,
                        action,
                        resource_type,
                        None,
                        format!(
                            "Only administrators manage organisations, people and the rota. You \
                             are acting as {acting}; ask an administrator of your organisation."
                        ),
                    )
                    .await)
            }
        }
    }

    /// Ends `tx` (if any) without saving, audits the refusal and returns it as `Forbidden`. The
    /// transaction is given up first: on SQLite the audit log needs the write lock it holds.
    pub(crate) async fn refuse(
        &self,
        tx: Option<Tx>,
        actor: &Actor,
        action: AuditAction,
        resource_type: &'static str,
        resource_id: Option<&str>,
        message: String,
    ) -> AppError {
        drop(tx);
        let mut record = admin_record(
            actor,
            self.now(),
            action,
            resource_type,
            None,
            Decision::Denied(Denial::NotClinical),
        );
        record.resource_id = resource_id.map(str::to_owned);
        match self.audit.append(record).await {
            Ok(()) => AppError::Forbidden(message),
            Err(error) => error,
        }
    }

    /// Appends the audit record of an administrative change, inside the change's transaction.
    pub(crate) async fn audit_administration(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        action: AuditAction,
        resource: (&'static str, &str, i64),
    ) -> Result<(), AppError> {
        let (resource_type, id, version) = resource;
        let record = admin_record(
            actor,
            self.now(),
            action,
            resource_type,
            Some((id, version)),
            Decision::Allowed(AccessBasis::Administration),
        );
        tx.append_audit(&record).await?;
        Ok(())
    }
}

/// A user ready to be stored: validated, its password hashed.
struct PreparedUser {
    practitioner: Practitioner,
    roles: Vec<PractitionerRole>,
    account: UserAccount,
    password_hash: String,
}

impl App {
    /// Checks a new user's details and hashes their password, before any transaction opens
    /// (hashing takes tens of milliseconds and must not hold the write lock).
    async fn prepare_user(
        &self,
        email: &str,
        password: String,
        person: NewPractitioner,
        roles: Vec<NewPractitionerRole>,
    ) -> Result<PreparedUser, AppError> {
        let now = self.now();
        let email = Email::parse(email)?;
        let practitioner = person.validate(PractitionerId::new(self.ids.new_id()), now)?;
        check_new_password(
            &password,
            &[
                email.as_str(),
                &practitioner.given_name,
                &practitioner.family_name,
            ],
        )?;
        if roles.is_empty() {
            return Err(ValidationError::new(
                "roles",
                "Give the user at least one role in an organisation.",
            )
            .into());
        }
        let roles = roles
            .into_iter()
            .map(|role| {
                NewPractitionerRole {
                    practitioner_id: Some(practitioner.id.clone()),
                    email: if role.email.trim().is_empty() {
                        email.as_str().to_owned()
                    } else {
                        role.email
                    },
                    ..role
                }
                .validate(PractitionerRoleId::new(self.ids.new_id()), now)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let password_hash = passwords::hash(password).await?;
        let account = UserAccount {
            id: UserId::new(self.ids.new_id()),
            email,
            practitioner_id: practitioner.id.clone(),
            status: AccountStatus::Active,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        Ok(PreparedUser {
            practitioner,
            roles,
            account,
            password_hash,
        })
    }

    /// Stores a prepared user, after checking that each role's organisation exists.
    async fn store_user(&self, tx: &mut Tx, user: &PreparedUser) -> Result<(), AppError> {
        let org_ids: Vec<_> = user
            .roles
            .iter()
            .map(|r| r.organisation_id.clone())
            .collect();
        let found = tx.organisations_by_ids(&org_ids).await?;
        if let Some(missing) = org_ids
            .iter()
            .find(|id| !found.iter().any(|o| &o.id == *id))
        {
            return Err(ValidationError::new(
                "organisation",
                format!("There is no organisation with id {missing}."),
            )
            .into());
        }
        tx.insert_practitioner(&user.practitioner).await?;
        for role in &user.roles {
            tx.insert_practitioner_role(role).await?;
        }
        tx.insert_user(&user.account, &user.password_hash).await?;
        Ok(())
    }

    /// Creates a practitioner, their roles and their user account in one transaction (the
    /// command line's `hearth user add`; the web's is `admin_add_user`).
    pub async fn create_user(&self, input: NewUser) -> Result<UserAccount, AppError> {
        let roles = input
            .roles
            .into_iter()
            .map(|role| NewPractitionerRole {
                organisation_id: Some(role.organisation_id),
                profession: role.profession,
                phone: role.phone,
                ..Default::default()
            })
            .collect();
        let person = NewPractitioner {
            given_name: input.given_name,
            family_name: input.family_name,
        };
        let user = self
            .prepare_user(&input.email, input.password, person, roles)
            .await?;
        let mut tx = self.store.begin_write().await?;
        self.store_user(&mut tx, &user).await?;
        tx.commit().await?;
        Ok(user.account)
    }

    /// Disables an account: it can no longer sign in, its open sessions end at once on this
    /// node (within seconds on others), and patients it coordinates show as having no active
    /// coordinator. Nothing is deleted; the audit trail still names the account.
    pub async fn disable_user(&self, email: &str) -> Result<UserAccount, AppError> {
        let email = Email::parse(email)?;
        let mut tx = self.store.begin_write().await?;
        let user = tx
            .user_by_email(&email)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("There is no account for {email}.")))?
            .account;
        let user = self
            .change_account_status(&mut tx, user, AccountStatus::Disabled)
            .await?;
        tx.commit().await?;
        self.sessions.forget_user(&user.id);
        Ok(user)
    }

    /// Sets an account's status inside `tx`; disabling also ends its sessions and revokes its API
    /// tokens. The caller
    /// commits, then forgets the account's cached sessions.
    pub(crate) async fn change_account_status(
        &self,
        tx: &mut Tx,
        mut user: UserAccount,
        status: AccountStatus,
    ) -> Result<UserAccount, AppError> {
        if user.status == status {
            return Err(AppError::Duplicate(format!(
                "The account of {} is already {}.",
                user.email,
                status.label().to_lowercase()
            )));
        }
        let now = self.now();
        user.status = status;
        user.updated_at = now;
        user.version += 1;
        tx.update_user_status(&user).await?;
        if status == AccountStatus::Disabled {
            tx.end_sessions_of(&user.id, now).await?;
            crate::api_tokens::revoke_all_of(tx, &user.id, now).await?;
        }
        Ok(user)
    }
}
