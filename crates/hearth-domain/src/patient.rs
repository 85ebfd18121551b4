//! Patients: identity, demographics, where they live (rurality matters for equity and for how far
//! help is), and which organisations are involved in their care.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::error::{optional_text, required_text};
use crate::national_number::NationalNumberSystem;
use crate::{OrganisationId, PatientId, ValidationError};

crate::coded_enum! {
    /// Administrative sex, with FHIR's `AdministrativeGender` codes.
    pub enum Sex {
        Female => ("female", "Female"),
        Male => ("male", "Male"),
        Other => ("other", "Other"),
        Unknown => ("unknown", "Unknown"),
    }
}

/// A business identifier: the system it belongs to (a URI) and the value in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Identifier {
    pub system: String,
    pub value: String,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Address {
    pub line: String,
    pub town: String,
    pub postcode: Option<String>,
}

/// A patient as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Patient {
    pub id: PatientId,
    pub national_number: Identifier,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Date,
    pub sex: Sex,
    /// The main life-limiting diagnosis, in words (for example "Heart failure (NYHA IV)").
    pub main_diagnosis: Option<String>,
    pub address: Address,
    /// The municipality, borough or district the patient lives in.
    pub area: Option<String>,
    pub rural: bool,
    /// Usual travel time by road to the nearest hospital, in minutes, when known.
    pub travel_minutes_to_hospital: Option<u16>,
    /// The organisations involved in the patient's care (GP practice, home-care unit, …).
    pub organisations: Vec<OrganisationId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl Patient {
    /// "FAMILY, Given": the form clinicians scan lists in.
    pub fn list_name(&self) -> String {
        list_name(&self.family_name, &self.given_name)
    }

    /// Age in whole years on `today`.
    pub fn age_on(&self, today: Date) -> i16 {
        age_on(self.date_of_birth, today)
    }
}

/// A patient as a line in a list: enough to recognise the person and open their record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientSummary {
    pub id: PatientId,
    pub national_number: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Date,
    pub sex: Sex,
    pub main_diagnosis: Option<String>,
    pub town: String,
    pub rural: bool,
    /// The active register entry in brief, when the patient is on the register.
    pub register: Option<RegisterSummary>,
    /// The name of the active coordinator, if there is one.
    pub coordinator: Option<String>,
}

/// A register entry in brief, for lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterSummary {
    pub diagnosis_group: crate::register::DiagnosisGroup,
    pub consent: crate::register::ConsentDecision,
    pub identified_on: Date,
    /// What the patient lacks for out-of-hours readiness (empty: ready).
    pub out_of_hours_missing: Vec<crate::care_plan::ReadinessItem>,
}

impl PatientSummary {
    pub fn list_name(&self) -> String {
        list_name(&self.family_name, &self.given_name)
    }
}

/// "FAMILY, Given".
pub fn list_name(family_name: &str, given_name: &str) -> String {
    format!("{}, {}", family_name.to_uppercase(), given_name)
}

/// The lower-cased "family given" key that name search and sorting use.
pub fn search_name(family_name: &str, given_name: &str) -> String {
    format!("{} {}", family_name, given_name).to_lowercase()
}

/// Age in whole years on `today` of someone born on `born`.
pub fn age_on(born: Date, today: Date) -> i16 {
    let mut age = today.year() - born.year();
    if (today.month(), today.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

/// The fields of a new patient, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewPatient {
    pub national_number: String,
    pub given_name: String,
    pub family_name: String,
    /// ISO 8601 date, `YYYY-MM-DD`.
    pub date_of_birth: String,
    pub sex: String,
    pub main_diagnosis: String,
    pub address_line: String,
    pub town: String,
    pub postcode: String,
    pub area: String,
    pub rural: bool,
    pub travel_minutes_to_hospital: Option<u16>,
    pub organisations: Vec<OrganisationId>,
}

/// Nobody in a palliative care register is older than this; older dates are typing errors.
const MAX_AGE_YEARS: i16 = 125;

impl NewPatient {
    /// Validates the input against the deployment's national numbering system and `today`.
    pub fn validate(
        self,
        id: PatientId,
        system: &NationalNumberSystem,
        today: Date,
        now: Timestamp,
    ) -> Result<Patient, ValidationError> {
        let national_number = system.parse(&self.national_number)?;
        let date_of_birth: Date = self.date_of_birth.trim().parse().map_err(|_| {
            ValidationError::new("date_of_birth", "Enter the date of birth as YYYY-MM-DD.")
        })?;
        if date_of_birth > today {
            return Err(ValidationError::new(
                "date_of_birth",
                "The date of birth is in the future.",
            ));
        }
        if age_on(date_of_birth, today) > MAX_AGE_YEARS {
            return Err(ValidationError::new(
                "date_of_birth",
                format!(
                    "The date of birth makes the patient older than {MAX_AGE_YEARS}; check it."
                ),
            ));
        }
        let sex = Sex::from_code(self.sex.trim())
            .ok_or_else(|| ValidationError::new("sex", "Choose female, male, other or unknown."))?;
        if let Some(minutes) = self.travel_minutes_to_hospital
            && minutes > 24 * 60
        {
            return Err(ValidationError::new(
                "travel_minutes_to_hospital",
                "Travel time to hospital must be under 24 hours (1440 minutes).",
            ));
        }
        if self.organisations.is_empty() {
            return Err(ValidationError::new(
                "organisations",
                "Name at least one organisation involved in the patient's care (the GP practice).",
            ));
        }
        let mut organisations = self.organisations;
        organisations.sort();
        organisations.dedup();
        Ok(Patient {
            id,
            national_number: Identifier {
                system: system.system_uri.clone(),
                value: national_number,
            },
            given_name: required_text("given_name", "Given name", &self.given_name, 100)?,
            family_name: required_text("family_name", "Family name", &self.family_name, 100)?,
            date_of_birth,
            sex,
            main_diagnosis: optional_text(
                "main_diagnosis",
                "Main diagnosis",
                &self.main_diagnosis,
                200,
            )?,
            address: Address {
                line: required_text("address_line", "Address", &self.address_line, 200)?,
                town: required_text("town", "Town", &self.town, 100)?,
                postcode: optional_text("postcode", "Postcode", &self.postcode, 12)?,
            },
            area: optional_text("area", "Area", &self.area, 100)?,
            rural: self.rural,
            travel_minutes_to_hospital: self.travel_minutes_to_hospital,
            organisations,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn input() -> NewPatient {
        NewPatient {
            national_number: "943 476 5919".into(),
            given_name: "Edith".into(),
            family_name: "Carter".into(),
            date_of_birth: "1941-03-09".into(),
            sex: "female".into(),
            address_line: "4 Mill Lane".into(),
            town: "Ashby".into(),
            organisations: vec![OrganisationId::new("gp")],
            ..Default::default()
        }
    }

    fn validate(input: NewPatient) -> Result<Patient, ValidationError> {
        input.validate(
            PatientId::new("p1"),
            &NationalNumberSystem::nhs_number(),
            date(2026, 11, 22),
            Timestamp::UNIX_EPOCH,
        )
    }

    #[test]
    fn a_valid_patient_is_accepted() {
        let patient = validate(input()).unwrap();
        assert_eq!(patient.national_number.value, "9434765919");
        assert_eq!(patient.list_name(), "CARTER, Edith");
        assert_eq!(patient.age_on(date(2026, 11, 22)), 85);
        assert_eq!(patient.age_on(date(2026, 3, 8)), 84);
    }

    #[test]
    fn bad_input_names_the_field() {
        type Change = Box<dyn Fn(&mut NewPatient)>;
        let cases: Vec<(&str, Change)> = vec![
            (
                "national_number",
                Box::new(|p| p.national_number = "123".into()),
            ),
            (
                "date_of_birth",
                Box::new(|p| p.date_of_birth = "9/3/41".into()),
            ),
            (
                "date_of_birth",
                Box::new(|p| p.date_of_birth = "2027-01-01".into()),
            ),
            (
                "date_of_birth",
                Box::new(|p| p.date_of_birth = "1850-01-01".into()),
            ),
            ("sex", Box::new(|p| p.sex = "f".into())),
            ("given_name", Box::new(|p| p.given_name = " ".into())),
            ("organisations", Box::new(|p| p.organisations.clear())),
            (
                "travel_minutes_to_hospital",
                Box::new(|p| p.travel_minutes_to_hospital = Some(5000)),
            ),
        ];
        for (field, change) in cases {
            let mut patient = input();
            change(&mut patient);
            assert_eq!(validate(patient).unwrap_err().field, field);
        }
    }
}
