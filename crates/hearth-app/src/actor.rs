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
    /// Every role the user holds; the first is the acting one. Access to patients, the audit
    /// trail and the page header follow the acting role only: a user with roles in two
    /// organisations acts for one at a time and switches on their account page.
    pub roles: Vec<ActorRole>,
}

impl Actor {
    /// The role the user is acting in, shown in the page header and written to the audit trail.
    pub fn acting_role(&self) -> Option<&ActorRole> {
        self.roles.first()
    }

    /// Makes the role with this id the acting one; false (and no change) when the user holds
    /// no such role.
    pub fn act_as(&mut self, role_id: &str) -> bool {
        match self
            .roles
            .iter()
            .position(|r| r.role_id.as_str() == role_id)
        {
            Some(at) => {
                let role = self.roles.remove(at);
                self.roles.insert(0, role);
                true
            }
            None => false,
        }
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
