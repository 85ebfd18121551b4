//! Organisations: the services that share a patient's care, from GP practices to hospices.

use jiff::Timestamp;

use crate::error::{optional_text, required_text};
use crate::{OrganisationId, ValidationError};

crate::coded_enum! {
    /// What kind of service an organisation is. The kind decides what it can do in Hearth (for
    /// example only out-of-hours services work on a rota of the whole region).
    pub enum OrganisationKind {
        GpPractice => ("gp-practice", "GP practice"),
        HomeCare => ("home-care", "Home care / district nursing"),
        HospitalDepartment => ("hospital-department", "Hospital department"),
        SpecialistPalliativeCare => ("specialist-palliative-care", "Specialist palliative care team"),
        Hospice => ("hospice", "Hospice"),
        CareHome => ("care-home", "Care home"),
        OutOfHours => ("out-of-hours", "Out-of-hours service"),
        /// An umbrella over other services (an integrated care partnership, a health board):
        /// its administrators and managers look after every organisation part of it.
        Partnership => ("partnership", "Care partnership / health board"),
    }
}

impl OrganisationKind {
    /// Whether the kind is a specialist palliative care provider.
    pub fn is_specialist_palliative(self) -> bool {
        matches!(self, Self::SpecialistPalliativeCare | Self::Hospice)
    }
}

crate::coded_enum! {
    /// What a service or person can do, as the directory lists it.
    pub enum Competency {
        SpecialistAdvice => ("specialist-advice", "Specialist palliative care advice"),
        PalliativePrescribing => ("palliative-prescribing", "Palliative prescribing"),
        SyringeDrivers => ("syringe-drivers", "Syringe drivers"),
        SubcutaneousFluids => ("subcutaneous-fluids", "Subcutaneous fluids"),
        Visits24x7 => ("visits-24-7", "Home visits day and night"),
        VerificationOfDeath => ("verification-of-death", "Verification of expected death"),
        AdvanceCarePlanning => ("advance-care-planning", "Advance care planning"),
        BereavementSupport => ("bereavement-support", "Bereavement support"),
    }
}

/// What the directory says about a service beyond its name and number.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceDetails {
    pub address: Option<String>,
    pub email: Option<String>,
    /// The secure messaging address (for example an NHSmail or Norwegian Helsenett address).
    pub secure_messaging: Option<String>,
    /// When the service is open, in words ("Mon–Fri 08:00–18:30").
    pub opening_hours: Option<String>,
    pub competencies: Vec<Competency>,
    /// How to refer a patient to the service, in words.
    pub how_to_refer: Option<String>,
}

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    /// The municipality, borough or district it serves.
    pub area: Option<String>,
    /// The organisation it is part of (a hospital department's hospital).
    pub part_of: Option<OrganisationId>,
    /// The main telephone number, as dialled.
    pub phone: Option<String>,
    pub details: ServiceDetails,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// The fields of a new organisation, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewOrganisation {
    pub name: String,
    pub kind: String,
    pub area: String,
    pub phone: String,
    pub part_of: Option<OrganisationId>,
}

impl NewOrganisation {
    /// Validates the input and builds the organisation with the given id and creation time.
    pub fn validate(
        self,
        id: OrganisationId,
        now: Timestamp,
    ) -> Result<Organisation, ValidationError> {
        let kind = OrganisationKind::from_code(self.kind.trim()).ok_or_else(|| {
            let codes: Vec<&str> = OrganisationKind::ALL.iter().map(|k| k.code()).collect();
            ValidationError::new(
                "kind",
                format!(
                    "Unknown organisation kind '{}'; use one of: {}.",
                    self.kind,
                    codes.join(", ")
                ),
            )
        })?;
        Ok(Organisation {
            id,
            name: required_text("name", "Name", &self.name, 200)?,
            kind,
            area: optional_text("area", "Area", &self.area, 100)?,
            part_of: self.part_of,
            phone: crate::practitioner::optional_phone("phone", &self.phone)?,
            details: ServiceDetails::default(),
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }
}

/// `root` and every organisation part of it, directly or through others: the organisations an
/// administrator or manager of `root` looks after. A loop in the `part_of` links (which Hearth
/// refuses to make) cannot make this run for ever.
pub fn within(organisations: &[Organisation], root: &OrganisationId) -> Vec<OrganisationId> {
    let mut found = vec![root.clone()];
    let mut next = 0;
    while let Some(parent) = found.get(next).cloned() {
        next += 1;
        for org in organisations {
            if org.part_of.as_ref() == Some(&parent) && !found.contains(&org.id) {
                found.push(org.id.clone());
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_code() {
        for kind in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::from_code(kind.code()), Some(*kind));
        }
        assert_eq!(OrganisationKind::ALL.len(), 8);
    }

    #[test]
    fn unknown_kind_is_refused_with_the_list_of_kinds() {
        let input = NewOrganisation {
            name: "X".into(),
            kind: "pharmacy".into(),
            ..Default::default()
        };
        let err = input
            .validate(OrganisationId::new("o"), Timestamp::UNIX_EPOCH)
            .unwrap_err();
        assert_eq!(err.field, "kind");
        assert!(err.message.contains("gp-practice"));
    }

    #[test]
    fn within_follows_part_of_through_every_level_and_survives_loops() {
        let org = |id: &str, parent: Option<&str>| Organisation {
            id: OrganisationId::new(id),
            name: id.into(),
            kind: OrganisationKind::Partnership,
            area: None,
            part_of: parent.map(OrganisationId::new),
            phone: None,
            details: ServiceDetails::default(),
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            version: 1,
        };
        let all = [
            org("region", None),
            org("hospital", Some("region")),
            org("ward", Some("hospital")),
            org("elsewhere", None),
            org("a", Some("b")),
            org("b", Some("a")),
        ];
        let ids = |v: Vec<OrganisationId>| v.into_iter().map(|i| i.to_string()).collect::<Vec<_>>();
        assert_eq!(
            ids(within(&all, &OrganisationId::new("region"))),
            ["region", "hospital", "ward"]
        );
        assert_eq!(ids(within(&all, &OrganisationId::new("ward"))), ["ward"]);
        assert_eq!(ids(within(&all, &OrganisationId::new("a"))), ["a", "b"]);
    }
}
