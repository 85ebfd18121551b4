//! Organisations: created from the command line and the demo without an actor, and by
//! administrators as sub-organisations of those they look after, with a version check on edits.

use hearth_domain::audit::AuditAction;
use hearth_domain::organisation::{self, NewOrganisation, Organisation};
use hearth_domain::{OrganisationId, ValidationError};
use hearth_store::Tx;

use super::{Scope, scope_of};
use crate::{Actor, App, AppError};

const RESOURCE: &str = "Organisation";

/// The organisations an administrator looks after.
#[derive(Debug, Clone)]
pub struct AdminOrganisations {
    /// The organisation of the administrator's acting role.
    pub root: OrganisationId,
    /// It and every organisation part of it, by name.
    pub organisations: Vec<Organisation>,
    /// Every organisation's name by id, to name parents outside the scope.
    pub names: Vec<(OrganisationId, String)>,
}

impl App {
    /// Creates an organisation (command line, demo and tests: no actor, no scope).
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

    /// The organisations the administrator looks after.
    pub async fn admin_organisations(&self, actor: &Actor) -> Result<AdminOrganisations, AppError> {
        let root = self
            .require_administrator(actor, AuditAction::Read, RESOURCE)
            .await?;
        let mut tx = self.store.begin_read().await?;
        let scope = scope_of(&mut tx, &root).await?;
        Ok(AdminOrganisations {
            root,
            organisations: scope.organisations(),
            names: scope
                .all
                .iter()
                .map(|o| (o.id.clone(), o.name.clone()))
                .collect(),
        })
    }

    /// Creates an organisation part of one the administrator looks after.
    pub async fn admin_create_organisation(
        &self,
        actor: &Actor,
        input: NewOrganisation,
    ) -> Result<Organisation, AppError> {
        let root = self
            .require_administrator(actor, AuditAction::Create, RESOURCE)
            .await?;
        let organisation = input.validate(OrganisationId::new(self.ids.new_id()), self.now())?;
        let mut tx = self.store.begin_write().await?;
        let scope = scope_of(&mut tx, &root).await?;
        let Some(parent) = &organisation.part_of else {
            return Err(ValidationError::new(
                "part_of",
                "Choose the organisation the new one is part of.",
            )
            .into());
        };
        if !scope.contains(parent) {
            let message = format!(
                "You cannot add an organisation under {}: it is not one you look after.",
                scope.name_of(parent)
            );
            return Err(self
                .refuse(
                    Some(tx),
                    actor,
                    AuditAction::Create,
                    RESOURCE,
                    None,
                    message,
                )
                .await);
        }
        tx.insert_organisation(&organisation).await?;
        self.audit_administration(
            &mut tx,
            actor,
            AuditAction::Create,
            (RESOURCE, organisation.id.as_str(), organisation.version),
        )
        .await?;
        tx.commit().await?;
        Ok(organisation)
    }

    /// Changes an organisation's name, kind, area, telephone and parent, provided nobody has
    /// changed it since `version` was read.
    pub async fn admin_update_organisation(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
        input: NewOrganisation,
    ) -> Result<Organisation, AppError> {
        let root = self
            .require_administrator(actor, AuditAction::Update, RESOURCE)
            .await?;
        let id = OrganisationId::new(id);
        let mut tx = self.store.begin_write().await?;
        let scope = scope_of(&mut tx, &root).await?;
        let current = self.organisation_in_scope(tx, &scope, actor, &id).await?;
        let (mut tx, current) = current;
        let changed = input.validate(id.clone(), self.now())?;
        if let Some(parent) = &changed.part_of
            && current.part_of.as_ref() != Some(parent)
        {
            if organisation::within(&scope.all, &id).contains(parent) {
                return Err(ValidationError::new(
                    "part_of",
                    "An organisation cannot be part of itself or of one of its own parts.",
                )
                .into());
            }
            if !scope.contains(parent) {
                return Err(ValidationError::new(
                    "part_of",
                    "Choose a parent among the organisations you look after.",
                )
                .into());
            }
        }
        if current.version != version {
            return Err(AppError::Conflict(format!(
                "Someone else changed {} since you opened it. Reload the page to see their \
                 change, then make yours again.",
                current.name
            )));
        }
        if id == root && changed.part_of != current.part_of {
            return Err(ValidationError::new(
                "part_of",
                "You cannot move the organisation you administer; ask an administrator of the \
                 organisation above it.",
            )
            .into());
        }
        let updated = Organisation {
            created_at: current.created_at,
            details: current.details.clone(),
            version: current.version + 1,
            ..changed
        };
        tx.update_organisation(&updated).await?;
        self.audit_administration(
            &mut tx,
            actor,
            AuditAction::Update,
            (RESOURCE, updated.id.as_str(), updated.version),
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// The organisation `id` when it is in scope; otherwise a refusal (audited) or "not found".
    async fn organisation_in_scope(
        &self,
        tx: Tx,
        scope: &Scope,
        actor: &Actor,
        id: &OrganisationId,
    ) -> Result<(Tx, Organisation), AppError> {
        let Some(found) = scope.all.iter().find(|o| &o.id == id).cloned() else {
            return Err(AppError::NotFound(
                "There is no such organisation. Go back to the list of organisations.".to_owned(),
            ));
        };
        if !scope.contains(id) {
            let message = format!(
                "You cannot change {}: it is not one of the organisations you look after.",
                found.name
            );
            return Err(self
                .refuse(
                    Some(tx),
                    actor,
                    AuditAction::Update,
                    RESOURCE,
                    Some(id.as_str()),
                    message,
                )
                .await);
        }
        Ok((tx, found))
    }
}
