//! Administration: organisations and user accounts. These records are not patient data, so they
//! need no care relationship; later issues restrict them to administrators.

use hearth_domain::organisation::{NewOrganisation, Organisation};
use hearth_domain::practitioner::{NewPractitioner, NewPractitionerRole};
use hearth_domain::user::{AccountStatus, Email, UserAccount, check_new_password};
use hearth_domain::{OrganisationId, PractitionerId, PractitionerRoleId, UserId, ValidationError};

use crate::{App, AppError, passwords};

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

impl App {
    /// Creates an organisation.
    pub async fn create_organisation(
        &self,
        input: NewOrganisation,
    ) -> Result<Organisation, AppError> {
        let organisation = input.validate(OrganisationId::new(self.ids.new_id()), self.now())?;
        let mut tx = self.store.begin_write().await?;
        if let Some(parent) = &organisation.part_of
            && tx
                .organisations_by_ids(std::slice::from_ref(parent))
                .await?
                .is_empty()
        {
            return Err(
                ValidationError::new("part_of", "The parent organisation does not exist.").into(),
            );
        }
        tx.insert_organisation(&organisation).await?;
        tx.commit().await?;
        Ok(organisation)
    }

    /// Every organisation, by name.
    pub async fn organisations(&self) -> Result<Vec<Organisation>, AppError> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.all_organisations().await?)
    }

    /// Creates a practitioner, their roles and their user account in one transaction.
    pub async fn create_user(&self, input: NewUser) -> Result<UserAccount, AppError> {
        let now = self.now();
        let email = Email::parse(&input.email)?;
        check_new_password(
            &input.password,
            &[&input.email, &input.given_name, &input.family_name],
        )?;
        if input.roles.is_empty() {
            return Err(ValidationError::new(
                "roles",
                "Give the user at least one role in an organisation.",
            )
            .into());
        }
        let practitioner = NewPractitioner {
            given_name: input.given_name,
            family_name: input.family_name,
        }
        .validate(PractitionerId::new(self.ids.new_id()), now)?;
        let roles = input
            .roles
            .into_iter()
            .map(|role| {
                NewPractitionerRole {
                    practitioner_id: Some(practitioner.id.clone()),
                    organisation_id: Some(role.organisation_id),
                    profession: role.profession,
                    specialist: None,
                    phone: role.phone,
                    email: email.as_str().to_owned(),
                }
                .validate(PractitionerRoleId::new(self.ids.new_id()), now)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let password_hash = passwords::hash(input.password).await?;
        let account = UserAccount {
            id: UserId::new(self.ids.new_id()),
            email,
            practitioner_id: practitioner.id.clone(),
            status: AccountStatus::Active,
            created_at: now,
            updated_at: now,
            version: 1,
        };

        let mut tx = self.store.begin_write().await?;
        let org_ids: Vec<_> = roles.iter().map(|r| r.organisation_id.clone()).collect();
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
        tx.insert_practitioner(&practitioner).await?;
        for role in &roles {
            tx.insert_practitioner_role(role).await?;
        }
        tx.insert_user(&account, &password_hash).await?;
        tx.commit().await?;
        Ok(account)
    }
}

impl App {
    /// Disables an account: it can no longer sign in, its open sessions end at once on this
    /// node (within seconds on others), and patients it coordinates show as having no active
    /// coordinator. Nothing is deleted; the audit trail still names the account.
    pub async fn disable_user(&self, email: &str) -> Result<UserAccount, AppError> {
        let email = Email::parse(email)?;
        let now = self.now();
        let mut tx = self.store.begin_write().await?;
        let mut user = tx
            .user_by_email(&email)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("There is no account for {email}.")))?
            .account;
        if user.status == AccountStatus::Disabled {
            return Err(AppError::Duplicate(format!(
                "The account of {email} is already disabled."
            )));
        }
        user.status = AccountStatus::Disabled;
        user.updated_at = now;
        user.version += 1;
        tx.update_user_status(&user).await?;
        tx.end_sessions_of(&user.id, now).await?;
        tx.commit().await?;
        self.sessions.forget_user(&user.id);
        Ok(user)
    }
}
