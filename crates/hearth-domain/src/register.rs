//! The palliative care register: who has been identified as possibly in their last year of life,
//! when, by whom and why (the surprise question and the SPICT indicators, see
//! `docs/clinical/spict.md` and `docs/clinical/surprise-question.md`), whether they consent to
//! their record being shared, and how they left the register. Entries are never deleted: leaving
//! the register is a change of status with its date and reason.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::error::required_text;
use crate::{OrganisationId, PatientId, PractitionerId, ValidationError};

crate::coded_enum! {
    /// The answer to "Would you be surprised if this person died in the next 12 months?".
    pub enum SurpriseAnswer {
        NotSurprised => ("not-surprised", "No, I would not be surprised"),
        Surprised => ("surprised", "Yes, I would be surprised"),
        NotAsked => ("not-asked", "Not asked"),
    }
}

crate::coded_enum! {
    /// SPICT general indicators of deteriorating health (SPICT 2022).
    pub enum GeneralIndicator {
        UnplannedAdmissions => ("unplanned-admissions", "Unplanned hospital admission(s)"),
        PoorPerformanceStatus => ("poor-performance-status", "Performance status poor or deteriorating"),
        DependsOnOthers => ("depends-on-others", "Depends on others for care"),
        CarerNeedsSupport => ("carer-needs-support", "Carer needs more help and support"),
        WeightLoss => ("weight-loss", "Weight loss, underweight or low muscle mass"),
        PersistentSymptoms => ("persistent-symptoms", "Persistent symptoms despite optimal treatment"),
        AsksForPalliativeCare => ("asks-for-palliative-care", "Asks for palliative care or to focus on quality of life"),
    }
}

crate::coded_enum! {
    /// SPICT clinical indicator groups: the condition(s) whose indicators are present.
    pub enum DiseaseIndicator {
        Cancer => ("cancer", "Cancer"),
        DementiaFrailty => ("dementia-frailty", "Dementia / frailty"),
        Neurological => ("neurological", "Neurological disease"),
        HeartVascular => ("heart-vascular", "Heart / vascular disease"),
        Respiratory => ("respiratory", "Respiratory disease"),
        Kidney => ("kidney", "Kidney disease"),
        Liver => ("liver", "Liver disease"),
        Other => ("other", "Other conditions"),
    }
}

crate::coded_enum! {
    /// The diagnosis group used to break down register figures (equity of access: non-cancer
    /// conditions are under-identified).
    pub enum DiagnosisGroup {
        Cancer => ("cancer", "Cancer"),
        OrganFailure => ("organ-failure", "Organ failure"),
        Neurological => ("neurological", "Neurological"),
        FrailtyDementia => ("frailty-dementia", "Frailty / dementia"),
        Other => ("other", "Other"),
    }
}

crate::coded_enum! {
    /// The person's decision about sharing their record across organisations.
    pub enum ConsentDecision {
        Given => ("given", "Consent given to share"),
        Declined => ("declined", "Consent to share declined"),
        BestInterests => ("best-interests", "Not able to consent: shared in their best interests"),
    }
}

crate::coded_enum! {
    /// Where an entry stands.
    pub enum RegisterStatus {
        Active => ("active", "On the register"),
        Died => ("died", "Died"),
        Removed => ("removed", "Removed from the register"),
    }
}

crate::coded_enum! {
    /// Where the person died.
    pub enum PlaceOfDeath {
        Home => ("home", "Home"),
        CareHome => ("care-home", "Care home"),
        Hospice => ("hospice", "Hospice"),
        Hospital => ("hospital", "Hospital"),
        Other => ("other", "Other"),
    }
}

crate::coded_enum! {
    /// Whether the person died in the place they preferred.
    pub enum PreferredPlaceMet {
        Yes => ("yes", "Yes"),
        No => ("no", "No"),
        NotKnown => ("not-known", "Not known (no preference recorded)"),
    }
}

/// Who recorded the consent decision, and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Consent {
    pub decision: ConsentDecision,
    pub recorded_on: Date,
    pub recorded_by: PractitionerId,
}

/// How an entry left the register.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Leaving {
    Died {
        on: Date,
        place: PlaceOfDeath,
        preferred_place: PreferredPlaceMet,
    },
    Removed {
        on: Date,
        reason: String,
    },
}

/// A patient's entry on the palliative care register.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RegisterEntry {
    pub id: String,
    pub patient_id: PatientId,
    /// The organisation that put the patient on its register.
    pub organisation_id: OrganisationId,
    pub identified_on: Date,
    pub identified_by: PractitionerId,
    pub surprise: SurpriseAnswer,
    pub general_indicators: Vec<GeneralIndicator>,
    pub disease_indicators: Vec<DiseaseIndicator>,
    pub diagnosis_group: DiagnosisGroup,
    pub consent: Consent,
    pub leaving: Option<Leaving>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl RegisterEntry {
    pub fn status(&self) -> RegisterStatus {
        match self.leaving {
            None => RegisterStatus::Active,
            Some(Leaving::Died { .. }) => RegisterStatus::Died,
            Some(Leaving::Removed { .. }) => RegisterStatus::Removed,
        }
    }

    /// Whether the record may be shared beyond the registering organisation.
    pub fn shared_beyond_registering_organisation(&self) -> bool {
        self.consent.decision != ConsentDecision::Declined
    }

    fn require_active(&self) -> Result<(), ValidationError> {
        match self.status() {
            RegisterStatus::Active => Ok(()),
            status => Err(ValidationError::new(
                "status",
                format!(
                    "This entry has already left the register ({}).",
                    status.label().to_lowercase()
                ),
            )),
        }
    }

    /// Records the person's death.
    pub fn record_death(
        &mut self,
        on: &str,
        place: &str,
        preferred_place: &str,
        today: Date,
        now: Timestamp,
    ) -> Result<(), ValidationError> {
        self.require_active()?;
        let on = past_date("died_on", "The date of death", on, today)?;
        if on < self.identified_on {
            return Err(ValidationError::new(
                "died_on",
                "The date of death is before the patient was identified; check it.",
            ));
        }
        let place = parse_code(
            "place_of_death",
            "Choose where the person died.",
            place,
            PlaceOfDeath::from_code,
        )?;
        let preferred_place = parse_code(
            "preferred_place",
            "Say whether this was the person's preferred place of death.",
            preferred_place,
            PreferredPlaceMet::from_code,
        )?;
        self.leaving = Some(Leaving::Died {
            on,
            place,
            preferred_place,
        });
        self.touch(now);
        Ok(())
    }

    /// Takes the person off the register for a reason other than death.
    pub fn remove(
        &mut self,
        on: &str,
        reason: &str,
        today: Date,
        now: Timestamp,
    ) -> Result<(), ValidationError> {
        self.require_active()?;
        let on = past_date("removed_on", "The date of removal", on, today)?;
        let reason = required_text("removed_reason", "The reason for removal", reason, 500)?;
        self.leaving = Some(Leaving::Removed { on, reason });
        self.touch(now);
        Ok(())
    }

    /// Records a new consent decision.
    pub fn change_consent(
        &mut self,
        decision: &str,
        recorded_by: PractitionerId,
        today: Date,
        now: Timestamp,
    ) -> Result<(), ValidationError> {
        let decision = parse_consent(decision)?;
        self.consent = Consent {
            decision,
            recorded_on: today,
            recorded_by,
        };
        self.touch(now);
        Ok(())
    }

    fn touch(&mut self, now: Timestamp) {
        self.updated_at = now;
        self.version += 1;
    }
}

/// A new register entry, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewRegisterEntry {
    pub identified_on: String,
    pub surprise: String,
    pub general_indicators: Vec<String>,
    pub disease_indicators: Vec<String>,
    pub diagnosis_group: String,
    pub consent: String,
}

/// Who is adding the entry, for which patient, and when.
#[derive(Debug, Clone)]
pub struct EntryContext {
    pub id: String,
    pub patient_id: PatientId,
    pub organisation_id: OrganisationId,
    pub practitioner_id: PractitionerId,
    pub today: Date,
    pub now: Timestamp,
}

impl NewRegisterEntry {
    pub fn validate(self, context: EntryContext) -> Result<RegisterEntry, ValidationError> {
        let identified_on = past_date(
            "identified_on",
            "The date of identification",
            &self.identified_on,
            context.today,
        )?;
        let surprise = parse_code(
            "surprise",
            "Answer the surprise question (or say it was not asked).",
            &self.surprise,
            SurpriseAnswer::from_code,
        )?;
        let general_indicators = parse_codes(
            "general_indicators",
            &self.general_indicators,
            GeneralIndicator::from_code,
        )?;
        let disease_indicators = parse_codes(
            "disease_indicators",
            &self.disease_indicators,
            DiseaseIndicator::from_code,
        )?;
        if surprise != SurpriseAnswer::NotSurprised
            && general_indicators.is_empty()
            && disease_indicators.is_empty()
        {
            return Err(ValidationError::new(
                "indicators",
                "Say why the patient is being identified: answer the surprise question with \"No\", or tick at least one indicator.",
            ));
        }
        let diagnosis_group = parse_code(
            "diagnosis_group",
            "Choose the diagnosis group.",
            &self.diagnosis_group,
            DiagnosisGroup::from_code,
        )?;
        let decision = parse_consent(&self.consent)?;
        Ok(RegisterEntry {
            id: context.id,
            patient_id: context.patient_id,
            organisation_id: context.organisation_id,
            identified_on,
            identified_by: context.practitioner_id.clone(),
            surprise,
            general_indicators,
            disease_indicators,
            diagnosis_group,
            consent: Consent {
                decision,
                recorded_on: context.today,
                recorded_by: context.practitioner_id,
            },
            leaving: None,
            created_at: context.now,
            updated_at: context.now,
            version: 1,
        })
    }
}

fn parse_consent(code: &str) -> Result<ConsentDecision, ValidationError> {
    parse_code(
        "consent",
        "Record the consent decision: given, declined, or not able to consent (best interests).",
        code,
        ConsentDecision::from_code,
    )
}

fn parse_code<T>(
    field: &'static str,
    message: &str,
    code: &str,
    from_code: fn(&str) -> Option<T>,
) -> Result<T, ValidationError> {
    from_code(code.trim()).ok_or_else(|| ValidationError::new(field, message))
}

/// Parses a set of codes: unknown codes are refused, repeats are dropped, order is the list's.
fn parse_codes<T: Ord + Copy>(
    field: &'static str,
    codes: &[String],
    from_code: fn(&str) -> Option<T>,
) -> Result<Vec<T>, ValidationError> {
    let mut values = codes
        .iter()
        .map(|code| {
            from_code(code.trim()).ok_or_else(|| {
                ValidationError::new(
                    field,
                    format!("'{code}' is not one of the listed indicators."),
                )
            })
        })
        .collect::<Result<Vec<T>, _>>()?;
    values.sort();
    values.dedup();
    Ok(values)
}

/// Parses an ISO date that may not lie in the future.
fn past_date(
    field: &'static str,
    label: &str,
    value: &str,
    today: Date,
) -> Result<Date, ValidationError> {
    let date: Date = value.trim().parse().map_err(|_| {
        ValidationError::new(field, format!("{label} must be a date (YYYY-MM-DD)."))
    })?;
    if date > today {
        return Err(ValidationError::new(
            field,
            format!("{label} is in the future."),
        ));
    }
    Ok(date)
}

/// Joins codes for storage: space-separated, in the list's order.
pub fn join_codes<T: Copy>(values: &[T], code: fn(T) -> &'static str) -> String {
    values
        .iter()
        .map(|v| code(*v))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splits stored codes; `None` when one is unknown.
pub fn split_codes<T>(stored: &str, from_code: fn(&str) -> Option<T>) -> Option<Vec<T>> {
    stored.split_whitespace().map(from_code).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn context() -> EntryContext {
        EntryContext {
            id: "r1".into(),
            patient_id: PatientId::new("p1"),
            organisation_id: OrganisationId::new("gp"),
            practitioner_id: PractitionerId::new("dr"),
            today: date(2026, 11, 20),
            now: Timestamp::UNIX_EPOCH,
        }
    }

    fn input() -> NewRegisterEntry {
        NewRegisterEntry {
            identified_on: "2026-11-02".into(),
            surprise: "not-surprised".into(),
            general_indicators: vec![
                "unplanned-admissions".into(),
                "weight-loss".into(),
                "weight-loss".into(),
            ],
            disease_indicators: vec!["respiratory".into()],
            diagnosis_group: "organ-failure".into(),
            consent: "given".into(),
        }
    }

    #[test]
    fn a_complete_entry_is_accepted_with_indicators_deduplicated() {
        let entry = input().validate(context()).unwrap();
        assert_eq!(entry.status(), RegisterStatus::Active);
        assert_eq!(
            entry.general_indicators,
            vec![
                GeneralIndicator::UnplannedAdmissions,
                GeneralIndicator::WeightLoss
            ]
        );
        assert_eq!(
            join_codes(&entry.general_indicators, GeneralIndicator::code),
            "unplanned-admissions weight-loss"
        );
        assert_eq!(
            split_codes("cancer liver", DiseaseIndicator::from_code)
                .unwrap()
                .len(),
            2
        );
        assert!(split_codes("cancer gout", DiseaseIndicator::from_code).is_none());
        assert!(entry.shared_beyond_registering_organisation());
    }

    #[test]
    fn identification_needs_a_reason() {
        let mut no_reason = input();
        no_reason.surprise = "surprised".into();
        no_reason.general_indicators.clear();
        no_reason.disease_indicators.clear();
        assert_eq!(
            no_reason.validate(context()).unwrap_err().field,
            "indicators"
        );
        let mut surprise_only = input();
        surprise_only.general_indicators.clear();
        surprise_only.disease_indicators.clear();
        assert!(
            surprise_only.validate(context()).is_ok(),
            "a 'No' to the surprise question is reason enough"
        );
    }

    #[test]
    fn bad_input_names_the_field() {
        type Change = fn(&mut NewRegisterEntry);
        let cases: [(&str, Change); 6] = [
            ("identified_on", |e| e.identified_on = "2026-12-01".into()),
            ("identified_on", |e| e.identified_on = "yesterday".into()),
            ("surprise", |e| e.surprise = "maybe".into()),
            ("general_indicators", |e| {
                e.general_indicators.push("gout".into())
            }),
            ("diagnosis_group", |e| e.diagnosis_group = "".into()),
            ("consent", |e| e.consent = "yes".into()),
        ];
        for (field, change) in cases {
            let mut entry = input();
            change(&mut entry);
            assert_eq!(entry.validate(context()).unwrap_err().field, field);
        }
    }

    #[test]
    fn leaving_the_register_happens_once_and_keeps_the_entry() {
        let today = date(2026, 11, 20);
        let mut entry = input().validate(context()).unwrap();
        assert_eq!(
            entry
                .record_death("2026-11-01", "home", "yes", today, Timestamp::UNIX_EPOCH)
                .unwrap_err()
                .field,
            "died_on"
        );
        assert_eq!(
            entry
                .record_death("2026-11-19", "moon", "yes", today, Timestamp::UNIX_EPOCH)
                .unwrap_err()
                .field,
            "place_of_death"
        );
        entry
            .record_death("2026-11-19", "home", "yes", today, Timestamp::UNIX_EPOCH)
            .unwrap();
        assert_eq!(entry.status(), RegisterStatus::Died);
        assert_eq!(entry.version, 2);
        assert_eq!(
            entry
                .remove("2026-11-20", "moved away", today, Timestamp::UNIX_EPOCH)
                .unwrap_err()
                .field,
            "status"
        );
    }

    #[test]
    fn removal_needs_a_reason_and_consent_can_change() {
        let today = date(2026, 11, 20);
        let mut entry = input().validate(context()).unwrap();
        assert_eq!(
            entry
                .remove("2026-11-20", "  ", today, Timestamp::UNIX_EPOCH)
                .unwrap_err()
                .field,
            "removed_reason"
        );
        entry
            .change_consent(
                "declined",
                PractitionerId::new("nurse"),
                today,
                Timestamp::UNIX_EPOCH,
            )
            .unwrap();
        assert!(!entry.shared_beyond_registering_organisation());
        assert_eq!(entry.consent.recorded_by, PractitionerId::new("nurse"));
        entry
            .remove(
                "2026-11-20",
                "Moved out of the area",
                today,
                Timestamp::UNIX_EPOCH,
            )
            .unwrap();
        assert_eq!(entry.status(), RegisterStatus::Removed);
        assert_eq!(entry.version, 3);
    }
}
