//! The shared care plan: one per registered patient, in sections, each saved as a new version
//! by a care-team member, reviewed by a date, and read by the whole team. This module holds the
//! sections' content, the rules for saving (a save must start from the current version of its
//! section, so nobody overwrites a colleague's change unseen), staleness, and out-of-hours
//! readiness. Storage keeps every version (`hearth-store/src/care_plan.rs`).

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::{PatientId, PractitionerId, ValidationError};

mod display;
mod readiness;
mod validate;

pub use display::{Comparison, changed_labels, compare};
pub use readiness::{ReadinessItem, missing_codes, missing_from_codes, readiness};
pub use validate::{ROWS_MAX, TEXT_MAX_CHARS};

crate::coded_enum! {
    /// The sections of the plan, in the order the plan shows them.
    pub enum Section {
        WhatMatters => ("what-matters", "What matters to me and goals of care"),
        Understanding => ("understanding", "Understanding and wishes"),
        AdvanceCarePlanning => ("advance-care-planning", "Advance care planning"),
        Resuscitation => ("resuscitation", "Resuscitation and treatment escalation"),
        AnticipatoryMedicines => ("anticipatory-medicines", "Anticipatory medicines"),
        Equipment => ("equipment", "Equipment in the home"),
        CrisisPlan => ("crisis-plan", "Crisis plan for out of hours"),
        CarerFamily => ("carer-family", "Main carer and family"),
    }
}

impl Section {
    /// A change to this section asks the whole team to read the plan again: the CPR decision,
    /// the preferred place, the crisis plan and the anticipatory medicines are what an
    /// out-of-hours clinician acts on.
    pub fn significant(self) -> bool {
        matches!(
            self,
            Self::Understanding
                | Self::Resuscitation
                | Self::AnticipatoryMedicines
                | Self::CrisisPlan
        )
    }
}

crate::coded_enum! {
    /// Where someone would like to be cared for or to die.
    pub enum Place {
        Home => ("home", "Home"),
        CareHome => ("care-home", "Care home"),
        Hospice => ("hospice", "Hospice"),
        Hospital => ("hospital", "Hospital"),
        Other => ("other", "Somewhere else (see reason)"),
    }
}

crate::coded_enum! {
    /// Whether a preference was discussed.
    pub enum Discussion {
        Discussed => ("discussed", "Discussed"),
        NotDiscussed => ("not-discussed", "Not discussed yet"),
        Declined => ("declined", "The person declined to discuss it"),
    }
}

crate::coded_enum! {
    /// The decision about attempting cardiopulmonary resuscitation.
    pub enum CprDecision {
        NotDecided => ("not-decided", "No decision recorded"),
        ForCpr => ("for-cpr", "For attempted CPR"),
        NotForCpr => ("not-for-cpr", "Not for attempted CPR (DNACPR)"),
    }
}

crate::coded_enum! {
    /// How far treatment should be escalated (ReSPECT-style).
    pub enum Escalation {
        NotDecided => ("not-decided", "Not decided"),
        Full => ("full", "Full escalation, including intensive care"),
        WardBased => ("ward-based", "Ward-based treatment, not intensive care"),
        ComfortFocused => ("comfort", "Comfort-focused care, at home where possible"),
    }
}

crate::coded_enum! {
    /// Whether the person wishes to go to hospital in a crisis.
    pub enum AdmissionWish {
        NotDiscussed => ("not-discussed", "Not discussed"),
        Yes => ("yes", "Yes, if it would help"),
        OnlyIfNeeded => ("only-if-needed", "Only if symptoms cannot be controlled at home"),
        No => ("no", "No: stay at home"),
    }
}

/// A preferred place (of care or of death): first and second choice, why, and when discussed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Preference {
    pub discussion: String,
    pub first: Option<String>,
    pub second: Option<String>,
    pub reason: String,
    pub discussed_on: Option<Date>,
}

/// One discipline's goal, shown beside the others so conflicts are visible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DisciplineGoal {
    pub discipline: String,
    pub goal: String,
}

/// One anticipatory ("just in case") medicine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Medicine {
    pub drug: String,
    pub dose: String,
    pub route: String,
    pub indication: String,
    pub max_frequency: String,
    pub prescriber: String,
    pub prescribed_on: Option<Date>,
    pub dispensed: bool,
    pub kept_where: String,
}

/// One item of equipment in the home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EquipmentItem {
    pub item: String,
    pub supplied_by: String,
}

/// What a section holds. Free text is the person's and the team's own words; coded values are
/// stored by code so that the out-of-hours summary and readiness can read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "section", rename_all = "kebab-case")]
pub enum Content {
    WhatMatters {
        own_words: String,
        agreed_goals: String,
        discipline_goals: Vec<DisciplineGoal>,
    },
    Understanding {
        person_knows: String,
        family_knows: String,
        place_of_care: Preference,
        place_of_death: Preference,
    },
    AdvanceCarePlanning {
        advance_statement: String,
        refusal_of_treatment: String,
        proxy_name: String,
        proxy_scope: String,
        proxy_contact: String,
        documents_kept: String,
    },
    Resuscitation {
        cpr: String,
        decided_on: Option<Date>,
        made_by: String,
        review_on: Option<Date>,
        person_aware: bool,
        family_aware: bool,
        escalation: String,
        recommendations: String,
    },
    AnticipatoryMedicines {
        medicines: Vec<Medicine>,
        syringe_driver: String,
    },
    Equipment {
        items: Vec<EquipmentItem>,
    },
    CrisisPlan {
        likely: String,
        what_to_do: String,
        call_first: String,
        admission: String,
        gp_verifies_death: bool,
    },
    CarerFamily {
        name: String,
        relationship: String,
        contact: String,
        lives_with_patient: bool,
        aware_of_prognosis: bool,
        carer_needs: String,
    },
}

impl Section {
    /// Whether someone of this profession may change the section. Resuscitation decisions are
    /// made and recorded by doctors and specialist palliative care nurses; medicines by those who
    /// prescribe, dispense or give them; care workers record what matters, equipment and the
    /// carer's details.
    pub fn may_edit(self, profession: crate::practitioner::Profession) -> bool {
        use crate::practitioner::Profession as P;
        if !profession.is_clinical() {
            return false;
        }
        match self {
            Self::Resuscitation => matches!(
                profession,
                P::GeneralPractitioner
                    | P::PalliativeMedicinePhysician
                    | P::Oncologist
                    | P::HospitalDoctor
                    | P::OutOfHoursDoctor
                    | P::SpecialistPalliativeNurse
            ),
            Self::AnticipatoryMedicines => !matches!(
                profession,
                P::CareWorker | P::SocialWorker | P::Physiotherapist | P::OccupationalTherapist
            ),
            Self::WhatMatters | Self::Equipment | Self::CarerFamily => true,
            _ => profession != P::CareWorker,
        }
    }
}

/// One saved version of one section.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SectionVersion {
    pub patient_id: PatientId,
    pub section: Section,
    /// 1 for the first save of the section, then one more per save.
    pub version: i64,
    pub content: Content,
    /// What changed, in the author's words.
    pub summary: String,
    pub author: PractitionerId,
    pub saved_at: Timestamp,
    /// Saving is reviewing: the section was looked at as a whole and is due again then.
    pub review_by: Date,
}

impl SectionVersion {
    /// Whether the section is past its review-by date.
    pub fn overdue(&self, today: Date) -> bool {
        self.review_by < today
    }
}

/// A save of a section, as typed: the content, the version it started from (0 when the section
/// was empty), a summary, and a review-by date.
#[derive(Debug, Clone)]
pub struct SectionSave {
    pub content: Content,
    pub base_version: i64,
    pub summary: String,
    pub review_by: Option<Date>,
}

/// How long a section stays current when the author gives no review-by date.
pub const DEFAULT_REVIEW_DAYS: i64 = 28;
/// The furthest ahead a review-by date may be.
pub const LONGEST_REVIEW_DAYS: i64 = 365;

/// A save that started from an older version than the section's current one: someone saved
/// the section since the author opened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleBase {
    pub current: i64,
}

impl SectionSave {
    /// Checks the save against the section's current version (`None` when empty) and turns it
    /// into the new version, or says the base is stale (a conflict to merge). The database enforces the same rule (one row per
    /// section and version), so two saves racing from the same version cannot both win.
    pub fn check(
        self,
        patient: &PatientId,
        current: Option<i64>,
        author: &PractitionerId,
        (today, now): (Date, Timestamp),
    ) -> Result<Result<SectionVersion, StaleBase>, ValidationError> {
        let content = self.content.validate(today)?;
        let summary = self.summary.trim().to_owned();
        if summary.chars().count() > 200 {
            return Err(ValidationError::new(
                "summary",
                "Keep the summary of the change to 200 characters or fewer.",
            ));
        }
        let review_by = match self.review_by {
            None => today
                .checked_add(jiff::Span::new().days(DEFAULT_REVIEW_DAYS))
                .map_err(|_| ValidationError::new("review_by", "Give a review-by date."))?,
            Some(d) if d < today => {
                return Err(ValidationError::new(
                    "review_by",
                    "The review-by date has passed: give a date from today on.",
                ));
            }
            Some(d) => {
                let latest = today
                    .checked_add(jiff::Span::new().days(LONGEST_REVIEW_DAYS))
                    .unwrap_or(d);
                if d > latest {
                    return Err(ValidationError::new(
                        "review_by",
                        "Review the section within a year: give an earlier date.",
                    ));
                }
                d
            }
        };
        let current = current.unwrap_or(0);
        if self.base_version != current {
            return Ok(Err(StaleBase { current }));
        }
        Ok(Ok(SectionVersion {
            patient_id: patient.clone(),
            section: content.section(),
            version: current + 1,
            summary: if summary.is_empty() {
                "Updated".to_owned()
            } else {
                summary
            },
            content,
            author: author.clone(),
            saved_at: now,
            review_by,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        jiff::civil::date(2026, 11, 22)
    }

    fn now() -> Timestamp {
        Timestamp::from_second(1_795_000_000).unwrap()
    }

    fn crisis() -> Content {
        Content::CrisisPlan {
            likely: "Increasing breathlessness".into(),
            what_to_do: "Morphine 2.5 mg s/c, fan, sit up".into(),
            call_first: "District nurses 01632 960 222".into(),
            admission: "no".into(),
            gp_verifies_death: true,
        }
    }

    fn save(content: Content, base: i64) -> SectionSave {
        SectionSave {
            content,
            base_version: base,
            summary: "  first plan ".into(),
            review_by: None,
        }
    }

    #[test]
    fn a_save_from_the_current_version_becomes_the_next() {
        let (p, a) = (PatientId::new("p"), PractitionerId::new("a"));
        let first = save(crisis(), 0)
            .check(&p, None, &a, (today(), now()))
            .unwrap()
            .unwrap();
        assert_eq!(first.version, 1);
        assert_eq!(first.summary, "first plan");
        assert_eq!(first.review_by, jiff::civil::date(2026, 12, 20));
        let second = save(crisis(), 1)
            .check(&p, Some(1), &a, (today(), now()))
            .unwrap()
            .unwrap();
        assert_eq!(second.version, 2);
    }

    #[test]
    fn a_save_from_an_older_version_is_a_conflict() {
        let (p, a) = (PatientId::new("p"), PractitionerId::new("a"));
        let outcome = save(crisis(), 1)
            .check(&p, Some(2), &a, (today(), now()))
            .unwrap();
        assert_eq!(outcome, Err(StaleBase { current: 2 }));
        let outcome = save(crisis(), 0)
            .check(&p, Some(1), &a, (today(), now()))
            .unwrap();
        assert_eq!(outcome, Err(StaleBase { current: 1 }));
    }

    #[test]
    fn invalid_content_is_refused_with_the_field() {
        let cpr = Content::Resuscitation {
            cpr: "not-for-cpr".into(),
            decided_on: None,
            made_by: String::new(),
            review_on: None,
            person_aware: true,
            family_aware: true,
            escalation: "comfort".into(),
            recommendations: String::new(),
        };
        assert_eq!(cpr.validate(today()).unwrap_err().field, "decided_on");
        let place = Content::Understanding {
            person_knows: String::new(),
            family_knows: String::new(),
            place_of_care: Preference {
                discussion: "discussed".into(),
                first: None,
                ..Default::default()
            },
            place_of_death: Preference::default(),
        };
        assert_eq!(place.validate(today()).unwrap_err().field, "place_of_care");
        let bad_code = Content::CrisisPlan {
            likely: String::new(),
            what_to_do: String::new(),
            call_first: String::new(),
            admission: "maybe".into(),
            gp_verifies_death: false,
        };
        assert_eq!(bad_code.validate(today()).unwrap_err().field, "admission");
        let future = save(crisis(), 0);
        let future = SectionSave {
            review_by: Some(jiff::civil::date(2026, 11, 1)),
            ..future
        };
        assert_eq!(
            future
                .check(
                    &PatientId::new("p"),
                    None,
                    &PractitionerId::new("a"),
                    (today(), now())
                )
                .unwrap_err()
                .field,
            "review_by"
        );
    }

    #[test]
    fn sections_are_overdue_after_their_review_date() {
        let version = save(crisis(), 0)
            .check(
                &PatientId::new("p"),
                None,
                &PractitionerId::new("a"),
                (today(), now()),
            )
            .unwrap()
            .unwrap();
        assert!(!version.overdue(today()));
        assert!(!version.overdue(jiff::civil::date(2026, 12, 20)));
        assert!(version.overdue(jiff::civil::date(2026, 12, 21)));
    }

    #[test]
    fn readiness_names_what_is_missing() {
        assert_eq!(readiness([], false).len(), 6, "{:?}", readiness([], false));
        let medicines = |dispensed| Content::AnticipatoryMedicines {
            medicines: vec![Medicine {
                drug: "Morphine sulfate 10 mg/ml".into(),
                dose: "2.5–5 mg".into(),
                route: "subcutaneous".into(),
                dispensed,
                ..Default::default()
            }],
            syringe_driver: String::new(),
        };
        let complete = vec![
            crisis(),
            Content::Resuscitation {
                cpr: "not-for-cpr".into(),
                decided_on: Some(today()),
                made_by: "Dr Hughes".into(),
                review_on: None,
                person_aware: true,
                family_aware: true,
                escalation: "comfort".into(),
                recommendations: String::new(),
            },
            Content::Understanding {
                person_knows: String::new(),
                family_knows: String::new(),
                place_of_care: Preference::default(),
                place_of_death: Preference {
                    discussion: "declined".into(),
                    ..Default::default()
                },
            },
            medicines(true),
            Content::CarerFamily {
                name: "Joan".into(),
                relationship: "wife".into(),
                contact: "07700 900 123".into(),
                lives_with_patient: true,
                aware_of_prognosis: true,
                carer_needs: String::new(),
            },
        ];
        assert!(readiness(&complete, true).is_empty());
        assert_eq!(
            readiness(&complete, false),
            vec![ReadinessItem::Coordinator]
        );
        let mut not_dispensed = complete.clone();
        not_dispensed[3] = medicines(false);
        assert_eq!(
            readiness(&not_dispensed, true),
            vec![ReadinessItem::AnticipatoryMedicinesDispensed],
            "prescribed but not dispensed is not ready"
        );
    }

    #[test]
    fn changes_between_versions_are_named_by_label() {
        let before = crisis();
        let mut after = crisis();
        if let Content::CrisisPlan { what_to_do, .. } = &mut after {
            *what_to_do = "Midazolam 2.5 mg s/c".into();
        }
        assert_eq!(
            changed_labels(&before, &after),
            vec!["What to do".to_owned()]
        );
        assert!(changed_labels(&before, &before).is_empty());
        let none = Content::empty(Section::AnticipatoryMedicines);
        let one = Content::AnticipatoryMedicines {
            medicines: vec![Medicine {
                drug: "Midazolam".into(),
                dose: "2.5 mg".into(),
                route: "s/c".into(),
                ..Default::default()
            }],
            syringe_driver: String::new(),
        };
        assert_eq!(changed_labels(&none, &one), vec!["Midazolam".to_owned()]);
    }

    #[test]
    fn only_some_professions_record_resuscitation_decisions() {
        use crate::practitioner::Profession as P;
        assert!(Section::Resuscitation.may_edit(P::GeneralPractitioner));
        assert!(!Section::Resuscitation.may_edit(P::CareWorker));
        assert!(!Section::Resuscitation.may_edit(P::Physiotherapist));
        assert!(Section::WhatMatters.may_edit(P::CareWorker));
        assert!(Section::AnticipatoryMedicines.may_edit(P::DistrictNurse));
        assert!(!Section::CrisisPlan.may_edit(P::Administrator));
    }

    #[test]
    fn readiness_is_stored_as_codes_and_read_back_for_lists() {
        let missing = vec![
            ReadinessItem::CprDecision,
            ReadinessItem::AnticipatoryMedicinesDispensed,
            ReadinessItem::Coordinator,
        ];
        let codes = missing_codes(&missing);
        assert_eq!(codes, "cpr-decision,medicines-dispensed");
        assert_eq!(missing_from_codes(Some(&codes), false), missing);
        assert!(missing_from_codes(Some(""), true).is_empty());
        assert_eq!(
            missing_from_codes(None, true).len(),
            5,
            "no plan: every plan item"
        );
    }

    #[test]
    fn content_round_trips_through_json() {
        let json = serde_json::to_string(&crisis()).unwrap();
        assert!(json.contains("\"section\":\"crisis-plan\""));
        let back: Content = serde_json::from_str(&json).unwrap();
        assert_eq!(back, crisis());
    }
}
