//! The actor: the signed-in person on whose behalf a use case runs, with their roles.

use hearth_domain::organisation::OrganisationKind;
use hearth_domain::practitioner::Profession;
use hearth_domain::user::Email;
use hearth_domain::{OrganisationId, PractitionerId, PractitionerRoleId, UserId};

/// One role of the actor, with its organisation's name for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorRole {
    pub role_id: PractitionerRoleId,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub organisation_kind: OrganisationKind,
    pub profession: Profession,
    pub specialist: bool,
}

/// The signed-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub email: Email,
    pub practitioner_id: PractitionerId,
    pub name: String,
    /// Every role the user holds; the first is the acting one.
    pub roles: Vec<ActorRole>,
}

impl Actor {
    /// The role the user is acting in, shown in the page header and written to the audit trail.
    pub fn acting_role(&self) -> Option<&ActorRole> {
        self.roles.first()
    }

    /// The organisations in which the user holds a clinical role: the organisations through
    /// which they may see patients.
    pub fn clinical_organisations(&self) -> Vec<OrganisationId> {
        let mut orgs: Vec<OrganisationId> = self
            .roles
            .iter()
            .filter(|r| r.profession.is_clinical())
            .map(|r| r.organisation_id.clone())
            .collect();
        orgs.sort();
        orgs.dedup();
        orgs
    }

    /// Whether the acting role is clinical.
    pub fn is_clinician(&self) -> bool {
        self.acting_role()
            .is_some_and(|r| r.profession.is_clinical())
    }

    pub fn acting_organisation(&self) -> Option<OrganisationId> {
        self.acting_role().map(|r| r.organisation_id.clone())
    }
}
