//! Practitioners and the roles they hold in organisations: who they are, what profession, whether
//! generalist or specialist in palliative care, and how to reach them.

use jiff::Timestamp;

use crate::error::{optional_text, required_text};
use crate::{OrganisationId, PractitionerId, PractitionerRoleId, ValidationError};

crate::coded_enum! {
    /// A profession, as it matters for palliative care. Non-clinical roles (service manager,
    /// administrator) exist so that every user has a role, but they never open clinical records.
    pub enum Profession {
        GeneralPractitioner => ("gp", "General practitioner"),
        DistrictNurse => ("district-nurse", "District nurse"),
        CommunityNurse => ("community-nurse", "Community nurse"),
        OncologyNurse => ("oncology-nurse", "Oncology / cancer nurse"),
        SpecialistPalliativeNurse => ("specialist-palliative-nurse", "Specialist palliative care nurse"),
        PalliativeMedicinePhysician => ("palliative-physician", "Palliative medicine physician"),
        Oncologist => ("oncologist", "Oncologist"),
        HospitalDoctor => ("hospital-doctor", "Hospital doctor"),
        WardNurse => ("ward-nurse", "Ward nurse"),
        DischargeCoordinator => ("discharge-coordinator", "Discharge coordinator"),
        CareHomeNurse => ("care-home-nurse", "Care-home nurse"),
        CareWorker => ("care-worker", "Care worker"),
        Physiotherapist => ("physiotherapist", "Physiotherapist"),
        OccupationalTherapist => ("occupational-therapist", "Occupational therapist"),
        OutOfHoursDoctor => ("ooh-doctor", "Out-of-hours doctor"),
        OnCallNurse => ("on-call-nurse", "On-call nurse"),
        Paramedic => ("paramedic", "Paramedic"),
        SocialWorker => ("social-worker", "Social worker"),
        Pharmacist => ("pharmacist", "Pharmacist"),
        ServiceManager => ("service-manager", "Service manager"),
        Administrator => ("administrator", "Administrator"),
    }
}

impl Profession {
    /// Whether this profession gives care and may therefore read clinical records (subject to
    /// the access rules of the app layer).
    pub fn is_clinical(self) -> bool {
        !matches!(self, Self::ServiceManager | Self::Administrator)
    }

    /// Whether the profession is specialist palliative care by definition. Others are
    /// generalists unless a role says otherwise (a GP with a palliative care special interest).
    pub fn is_palliative_specialist(self) -> bool {
        matches!(
            self,
            Self::SpecialistPalliativeNurse | Self::PalliativeMedicinePhysician
        )
    }
}

/// A person who gives care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Practitioner {
    pub id: PractitionerId,
    pub given_name: String,
    pub family_name: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl Practitioner {
    /// "Given Family", as shown in lists and signatures.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// One role of a practitioner in an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PractitionerRole {
    pub id: PractitionerRoleId,
    pub practitioner_id: PractitionerId,
    pub organisation_id: OrganisationId,
    pub profession: Profession,
    /// Specialist palliative care (true) or generalist (false).
    pub specialist: bool,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// What this person can do in this role.
    pub competencies: Vec<crate::organisation::Competency>,
    /// When they usually work, in words ("Mon–Thu 08:30–17:00").
    pub working_pattern: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// The fields of a new practitioner, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewPractitioner {
    pub given_name: String,
    pub family_name: String,
}

impl NewPractitioner {
    pub fn validate(
        self,
        id: PractitionerId,
        now: Timestamp,
    ) -> Result<Practitioner, ValidationError> {
        Ok(Practitioner {
            id,
            given_name: required_text("given_name", "Given name", &self.given_name, 100)?,
            family_name: required_text("family_name", "Family name", &self.family_name, 100)?,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }
}

/// The fields of a new practitioner role, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewPractitionerRole {
    pub practitioner_id: Option<PractitionerId>,
    pub organisation_id: Option<OrganisationId>,
    pub profession: String,
    /// `None` takes the profession's default.
    pub specialist: Option<bool>,
    pub phone: String,
    pub email: String,
}

impl NewPractitionerRole {
    pub fn validate(
        self,
        id: PractitionerRoleId,
        now: Timestamp,
    ) -> Result<PractitionerRole, ValidationError> {
        let profession = Profession::from_code(self.profession.trim()).ok_or_else(|| {
            ValidationError::new(
                "profession",
                format!("Unknown profession '{}'.", self.profession),
            )
        })?;
        let practitioner_id = self
            .practitioner_id
            .ok_or_else(|| ValidationError::new("practitioner", "Choose the practitioner."))?;
        let organisation_id = self
            .organisation_id
            .ok_or_else(|| ValidationError::new("organisation", "Choose the organisation."))?;
        let email = optional_text("email", "Email", &self.email, 254)?;
        if let Some(email) = &email {
            crate::user::Email::parse(email)?;
        }
        Ok(PractitionerRole {
            id,
            practitioner_id,
            organisation_id,
            profession,
            specialist: self
                .specialist
                .unwrap_or(profession.is_palliative_specialist()),
            phone: optional_phone("phone", &self.phone)?,
            email,
            competencies: Vec::new(),
            working_pattern: None,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }
}

/// A telephone number as dialled: digits, spaces, `+`, `-` and brackets, 3 to 30 characters.
pub fn optional_phone(field: &'static str, value: &str) -> Result<Option<String>, ValidationError> {
    let Some(phone) = optional_text(field, "Telephone", value, 30)? else {
        return Ok(None);
    };
    let allowed = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')');
    if phone.len() < 3 || !phone.chars().all(allowed) {
        return Err(ValidationError::new(
            field,
            "A telephone number may hold only digits, spaces, +, - and brackets.",
        ));
    }
    Ok(Some(phone))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specialist_defaults_follow_the_profession() {
        let role = |profession: &str| NewPractitionerRole {
            practitioner_id: Some(PractitionerId::new("p")),
            organisation_id: Some(OrganisationId::new("o")),
            profession: profession.into(),
            ..Default::default()
        };
        let now = Timestamp::UNIX_EPOCH;
        assert!(
            role("palliative-physician")
                .validate(PractitionerRoleId::new("r"), now)
                .unwrap()
                .specialist
        );
        assert!(
            !role("gp")
                .validate(PractitionerRoleId::new("r"), now)
                .unwrap()
                .specialist
        );
        assert!(
            role("dentist")
                .validate(PractitionerRoleId::new("r"), now)
                .is_err()
        );
    }

    #[test]
    fn managers_and_administrators_are_not_clinical() {
        assert!(!Profession::ServiceManager.is_clinical());
        assert!(!Profession::Administrator.is_clinical());
        assert!(Profession::OutOfHoursDoctor.is_clinical());
    }

    #[test]
    fn phone_numbers_are_checked() {
        assert_eq!(
            optional_phone("phone", " 01632 960 001 ")
                .unwrap()
                .as_deref(),
            Some("01632 960 001")
        );
        assert!(optional_phone("phone", "call me").is_err());
        assert_eq!(optional_phone("phone", "").unwrap(), None);
    }
}
