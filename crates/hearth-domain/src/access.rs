//! The access rule for patient records, as a pure function of facts the app layer reads in the
//! same transaction as the access itself (`hearth-app/src/access.rs`). Keeping the rule here,
//! without I/O, lets every combination be tested directly.
//!
//! A clinician acting in organisation A may read and change a patient's record when
//! - they are an active member of the patient's care team in person, or A is an active member as
//!   a service, and
//! - the patient's consent permits sharing with A: a patient on the register who declined
//!   consent to share is seen only by their registering organisation.
//!
//! Otherwise a clinician may *read* the record under emergency access that they opened with a
//! reason and that has not expired (see [`emergency_eligibility`] for who can open it).
//! Administrators and service managers never see clinical records.

use jiff::Timestamp;

use crate::audit::AccessBasis;
use crate::register::ConsentDecision;
use crate::{OrganisationId, ValidationError};

/// What the patient's active register entry says about sharing, when they are on the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterFacts {
    pub consent: ConsentDecision,
    /// The organisation that put the patient on the register.
    pub registered_by: OrganisationId,
    pub registered_by_name: String,
}

/// Everything the rule needs to know about one actor and one patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessFacts {
    /// The actor's acting role is clinical.
    pub clinical: bool,
    /// The organisation the actor is acting for.
    pub acting_organisation: Option<OrganisationId>,
    /// The actor is an active member of the care team in person.
    pub personal_member: bool,
    /// The acting organisation is an active member of the care team as a service.
    pub service_member: bool,
    /// The active register entry, if the patient is on the register.
    pub register: Option<RegisterFacts>,
    /// The end of the actor's emergency access to this patient, if one is open now.
    pub emergency_until: Option<Timestamp>,
}

/// Why an access was refused; each says what the user can do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// The acting role is not clinical (administrator, service manager).
    NotClinical,
    /// Neither the actor nor their acting organisation is in the care team.
    NotInCareTeam,
    /// The actor is in the team but acts for an organisation the patient did not consent to
    /// share with.
    ConsentDeclined { registered_by_name: String },
}

impl Denial {
    /// The basis recorded in the audit trail for the refusal.
    pub fn basis(&self) -> AccessBasis {
        match self {
            Self::ConsentDeclined { .. } => AccessBasis::ConsentDeclined,
            Self::NotClinical | Self::NotInCareTeam => AccessBasis::NoRelationship,
        }
    }

    /// What the refused user is told.
    pub fn explanation(&self) -> String {
        match self {
            Self::NotClinical => {
                "Your acting role does not give access to patient records.".to_owned()
            }
            Self::NotInCareTeam => "You are not in this patient's care team, and neither is the organisation you are acting for. \
                 Ask the coordinator to add you, or open the record under emergency access if you are caring for the patient now."
                .to_owned(),
            Self::ConsentDeclined { registered_by_name } => format!(
                "The patient declined consent to share their record beyond {registered_by_name}, which put them on the register, \
                 so members of other organisations cannot open it, even from the care team. \
                 In a life-threatening emergency you can open it under emergency access, which is reviewed."
            ),
        }
    }
}

/// The outcome of the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allowed(AccessBasis),
    Denied(Denial),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allowed(_))
    }
}

/// Decides whether the actor described by `facts` may read the patient's record at `now`.
pub fn decide(facts: &AccessFacts, now: Timestamp) -> Decision {
    if !facts.clinical {
        return Decision::Denied(Denial::NotClinical);
    }
    let member = facts.personal_member || facts.service_member;
    let consent_refuses = facts.register.as_ref().and_then(|r| {
        let shares = r.consent != ConsentDecision::Declined
            || facts.acting_organisation.as_ref() == Some(&r.registered_by);
        (!shares).then(|| r.registered_by_name.clone())
    });
    match consent_refuses {
        None if member => return Decision::Allowed(AccessBasis::CareTeam),
        _ => {}
    }
    if facts.emergency_until.is_some_and(|until| until > now) {
        return Decision::Allowed(AccessBasis::EmergencyAccess);
    }
    match consent_refuses {
        Some(registered_by_name) if member => {
            Decision::Denied(Denial::ConsentDeclined { registered_by_name })
        }
        _ => Decision::Denied(Denial::NotInCareTeam),
    }
}

crate::coded_enum! {
    /// Why a clinician outside the care team opens a record in an emergency.
    pub enum EmergencyReason {
        UrgentCare => ("urgent-care", "Caring for the patient now (home visit, call or attendance)"),
        OutOfHoursAdvice => ("out-of-hours-advice", "Out-of-hours advice about the patient"),
        Admission => ("admission", "Admission, transfer or handover of care"),
        VerificationOfDeath => ("verification-of-death", "Verification of death"),
        LifeThreatening => ("life-threatening", "Life-threatening emergency"),
    }
}

/// The free-text part of an emergency access reason, checked.
pub const EMERGENCY_DETAIL_MIN_CHARS: usize = 10;
pub const EMERGENCY_DETAIL_MAX_CHARS: usize = 500;

/// Why a clinician cannot open a record under emergency access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmergencyRefusal {
    NotClinical,
    NotRegistered,
    ConsentDeclined,
}

impl EmergencyRefusal {
    pub fn explanation(&self) -> &'static str {
        match self {
            Self::NotClinical => "Only clinicians can open a record under emergency access.",
            Self::NotRegistered => {
                "This patient is not on the palliative care register, so emergency access is only possible \
                 for a life-threatening emergency (choose that reason; it is reviewed)."
            }
            Self::ConsentDeclined => {
                "This patient declined consent to share their record, so emergency access is only possible \
                 for a life-threatening emergency (choose that reason; it is reviewed)."
            }
        }
    }
}

/// Whether emergency access with `reason` may be opened to a patient with this register entry;
/// `Ok(true)` means it may, and must be flagged for review (a life-threatening emergency that
/// overrides the register or consent rule).
pub fn emergency_eligibility(
    clinical: bool,
    register: Option<&RegisterFacts>,
    reason: EmergencyReason,
) -> Result<bool, EmergencyRefusal> {
    if !clinical {
        return Err(EmergencyRefusal::NotClinical);
    }
    let refusal = match register {
        None => Some(EmergencyRefusal::NotRegistered),
        Some(r) if r.consent == ConsentDecision::Declined => {
            Some(EmergencyRefusal::ConsentDeclined)
        }
        Some(_) => None,
    };
    match (refusal, reason) {
        (None, EmergencyReason::LifeThreatening) => Ok(true),
        (None, _) => Ok(false),
        (Some(_), EmergencyReason::LifeThreatening) => Ok(true),
        (Some(refusal), _) => Err(refusal),
    }
}

/// Checks the free-text detail of an emergency access reason.
pub fn check_emergency_detail(detail: &str) -> Result<String, ValidationError> {
    let detail = detail.trim();
    let chars = detail.chars().count();
    if chars < EMERGENCY_DETAIL_MIN_CHARS {
        return Err(ValidationError::new(
            "detail",
            format!(
                "Say in a few words why you need the record now (at least {EMERGENCY_DETAIL_MIN_CHARS} characters): \
                 the coordinator reads it."
            ),
        ));
    }
    if chars > EMERGENCY_DETAIL_MAX_CHARS {
        return Err(ValidationError::new(
            "detail",
            format!("Keep the reason to {EMERGENCY_DETAIL_MAX_CHARS} characters or fewer."),
        ));
    }
    if detail
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(ValidationError::new(
            "detail",
            "The reason contains control characters: type it again as plain text.",
        ));
    }
    Ok(detail.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: &str) -> OrganisationId {
        OrganisationId::new(id.to_owned())
    }

    fn facts() -> AccessFacts {
        AccessFacts {
            clinical: true,
            acting_organisation: Some(org("practice")),
            personal_member: false,
            service_member: false,
            register: Some(RegisterFacts {
                consent: ConsentDecision::Given,
                registered_by: org("practice"),
                registered_by_name: "Ashby Green Surgery".to_owned(),
            }),
            emergency_until: None,
        }
    }

    fn now() -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap()
    }

    #[test]
    fn members_in_person_or_as_a_service_are_allowed() {
        let mut f = facts();
        assert_eq!(decide(&f, now()), Decision::Denied(Denial::NotInCareTeam));
        f.personal_member = true;
        assert_eq!(decide(&f, now()), Decision::Allowed(AccessBasis::CareTeam));
        f.personal_member = false;
        f.service_member = true;
        assert_eq!(decide(&f, now()), Decision::Allowed(AccessBasis::CareTeam));
        f.register = None;
        assert_eq!(decide(&f, now()), Decision::Allowed(AccessBasis::CareTeam));
    }

    #[test]
    fn declined_consent_limits_sharing_to_the_registering_organisation() {
        let mut f = facts();
        f.personal_member = true;
        if let Some(r) = f.register.as_mut() {
            r.consent = ConsentDecision::Declined;
        }
        assert!(decide(&f, now()).is_allowed());
        f.acting_organisation = Some(org("nursing-team"));
        let decision = decide(&f, now());
        assert!(matches!(
            decision,
            Decision::Denied(Denial::ConsentDeclined { .. })
        ));
        if let Decision::Denied(denial) = decision {
            assert_eq!(denial.basis(), AccessBasis::ConsentDeclined);
            assert!(denial.explanation().contains("Ashby Green Surgery"));
        }
        if let Some(r) = f.register.as_mut() {
            r.consent = ConsentDecision::BestInterests;
        }
        assert!(decide(&f, now()).is_allowed());
    }

    #[test]
    fn emergency_access_opens_the_record_until_it_expires() {
        let mut f = facts();
        f.emergency_until = Some(now() + jiff::SignedDuration::from_secs(60));
        assert_eq!(
            decide(&f, now()),
            Decision::Allowed(AccessBasis::EmergencyAccess)
        );
        f.emergency_until = Some(now());
        assert_eq!(decide(&f, now()), Decision::Denied(Denial::NotInCareTeam));
    }

    #[test]
    fn non_clinical_roles_never_see_records() {
        let mut f = facts();
        f.clinical = false;
        f.personal_member = true;
        f.emergency_until = Some(now() + jiff::SignedDuration::from_secs(60));
        assert_eq!(decide(&f, now()), Decision::Denied(Denial::NotClinical));
    }

    #[test]
    fn emergency_access_needs_the_register_and_consent_unless_life_is_threatened() {
        let registered = facts().register;
        let declined = registered.clone().map(|mut r| {
            r.consent = ConsentDecision::Declined;
            r
        });
        let urgent = EmergencyReason::UrgentCare;
        let life = EmergencyReason::LifeThreatening;
        assert_eq!(
            emergency_eligibility(true, registered.as_ref(), urgent),
            Ok(false)
        );
        assert_eq!(
            emergency_eligibility(true, None, urgent),
            Err(EmergencyRefusal::NotRegistered)
        );
        assert_eq!(
            emergency_eligibility(true, declined.as_ref(), urgent),
            Err(EmergencyRefusal::ConsentDeclined)
        );
        assert_eq!(emergency_eligibility(true, None, life), Ok(true));
        assert_eq!(
            emergency_eligibility(true, declined.as_ref(), life),
            Ok(true)
        );
        assert_eq!(
            emergency_eligibility(true, registered.as_ref(), life),
            Ok(true)
        );
        assert_eq!(
            emergency_eligibility(false, registered.as_ref(), urgent),
            Err(EmergencyRefusal::NotClinical)
        );
    }

    #[test]
    fn emergency_reasons_need_a_few_words() {
        assert!(check_emergency_detail("pain").is_err());
        assert!(check_emergency_detail(&"x".repeat(501)).is_err());
        assert!(check_emergency_detail("bad\u{0}text here").is_err());
        assert_eq!(
            check_emergency_detail("  Called by daughter: severe breathlessness  ").unwrap(),
            "Called by daughter: severe breathlessness"
        );
    }
}
