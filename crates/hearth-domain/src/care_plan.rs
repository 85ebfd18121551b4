//! The shared care plan: one per registered patient, in sections, each saved as a new version
//! by a care-team member, reviewed by a date, and read by the whole team. This module holds the
//! sections' content, the rules for saving (a save must start from the current version of its
//! section, so nobody overwrites a colleague's change unseen), staleness, and out-of-hours
//! readiness. Storage keeps every version (`hearth-store/src/care_plan.rs`).

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::{PatientId, PractitionerId, ValidationError};

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

fn yes_no(value: bool) -> String {
    if value { "Yes" } else { "No" }.to_owned()
}

fn label_of<T: Copy>(
    code: &str,
    from_code: fn(&str) -> Option<T>,
    label: fn(T) -> &'static str,
) -> String {
    from_code(code).map_or_else(|| code.to_owned(), |v| label(v).to_owned())
}

fn date_text(date: Option<Date>) -> String {
    date.map(|d| d.strftime("%-d %b %Y").to_string())
        .unwrap_or_default()
}

fn preference_text(p: &Preference) -> String {
    let discussion = label_of(&p.discussion, Discussion::from_code, Discussion::label);
    if p.discussion != Discussion::Discussed.code() {
        return discussion;
    }
    let place = |c: &Option<String>| {
        c.as_deref()
            .map(|c| label_of(c, Place::from_code, Place::label))
            .unwrap_or_default()
    };
    let mut text = place(&p.first);
    if p.second.is_some() {
        text.push_str(&format!(", then {}", place(&p.second).to_lowercase()));
    }
    if !p.reason.is_empty() {
        text.push_str(&format!(" — {}", p.reason));
    }
    if let Some(on) = p.discussed_on {
        text.push_str(&format!(" (discussed {})", date_text(Some(on))));
    }
    text
}

impl Content {
    /// The section as labelled lines, in reading order: what the plan page shows, what the
    /// out-of-hours summary quotes, and what two versions are compared by. Empty values are
    /// kept (the page says "Not recorded").
    pub fn fields(&self) -> Vec<(String, String)> {
        let f = |label: &str, value: String| (label.to_owned(), value);
        match self {
            Self::WhatMatters {
                own_words,
                agreed_goals,
                discipline_goals,
            } => {
                let mut out = vec![
                    f("In their own words", own_words.clone()),
                    f("Agreed goals of care", agreed_goals.clone()),
                ];
                out.extend(
                    discipline_goals
                        .iter()
                        .map(|g| (format!("Goal of {}", g.discipline), g.goal.clone())),
                );
                out
            }
            Self::Understanding {
                person_knows,
                family_knows,
                place_of_care,
                place_of_death,
            } => vec![
                f("What the person knows", person_knows.clone()),
                f("What the family knows", family_knows.clone()),
                f("Preferred place of care", preference_text(place_of_care)),
                f("Preferred place of death", preference_text(place_of_death)),
            ],
            Self::AdvanceCarePlanning {
                advance_statement,
                refusal_of_treatment,
                proxy_name,
                proxy_scope,
                proxy_contact,
                documents_kept,
            } => vec![
                f("Advance statement", advance_statement.clone()),
                f(
                    "Advance decision to refuse treatment",
                    refusal_of_treatment.clone(),
                ),
                f("Lasting power of attorney / proxy", proxy_name.clone()),
                f("Proxy's scope", proxy_scope.clone()),
                f("Proxy's contact", proxy_contact.clone()),
                f("Where the documents are kept", documents_kept.clone()),
            ],
            Self::Resuscitation {
                cpr,
                decided_on,
                made_by,
                review_on,
                person_aware,
                family_aware,
                escalation,
                recommendations,
            } => vec![
                f(
                    "CPR decision",
                    label_of(cpr, CprDecision::from_code, CprDecision::label),
                ),
                f("Decided on", date_text(*decided_on)),
                f("Decided by", made_by.clone()),
                f("Review the decision on", date_text(*review_on)),
                f("The person is aware", yes_no(*person_aware)),
                f("The family is aware", yes_no(*family_aware)),
                f(
                    "Treatment escalation",
                    label_of(escalation, Escalation::from_code, Escalation::label),
                ),
                f("Recommendations", recommendations.clone()),
            ],
            Self::AnticipatoryMedicines {
                medicines,
                syringe_driver,
            } => {
                let mut out: Vec<(String, String)> = medicines
                    .iter()
                    .map(|m| {
                        let mut text = format!("{} {}", m.dose, m.route);
                        for (label, value) in [
                            ("for", &m.indication),
                            ("at most", &m.max_frequency),
                            ("prescribed by", &m.prescriber),
                        ] {
                            if !value.is_empty() {
                                text.push_str(&format!(", {label} {value}"));
                            }
                        }
                        if let Some(on) = m.prescribed_on {
                            text.push_str(&format!(" on {}", date_text(Some(on))));
                        }
                        text.push_str(if m.dispensed {
                            "; dispensed"
                        } else {
                            "; NOT dispensed"
                        });
                        if !m.kept_where.is_empty() {
                            text.push_str(&format!(", kept {}", m.kept_where));
                        }
                        (m.drug.clone(), text)
                    })
                    .collect();
                out.push(f("Syringe driver", syringe_driver.clone()));
                out
            }
            Self::Equipment { items } => items
                .iter()
                .map(|i| {
                    let supplier = if i.supplied_by.is_empty() {
                        "supplier not recorded".to_owned()
                    } else {
                        format!("supplied by {}", i.supplied_by)
                    };
                    (i.item.clone(), supplier)
                })
                .collect(),
            Self::CrisisPlan {
                likely,
                what_to_do,
                call_first,
                admission,
                gp_verifies_death,
            } => vec![
                f("What is likely to happen", likely.clone()),
                f("What to do", what_to_do.clone()),
                f("Who to call first", call_first.clone()),
                f(
                    "Hospital admission",
                    label_of(admission, AdmissionWish::from_code, AdmissionWish::label),
                ),
                f(
                    "The GP will verify or certify death",
                    yes_no(*gp_verifies_death),
                ),
            ],
            Self::CarerFamily {
                name,
                relationship,
                contact,
                lives_with_patient,
                aware_of_prognosis,
                carer_needs,
            } => vec![
                f("Main carer", name.clone()),
                f("Relationship", relationship.clone()),
                f("Contact", contact.clone()),
                f("Lives with the patient", yes_no(*lives_with_patient)),
                f("Aware of the prognosis", yes_no(*aware_of_prognosis)),
                f("The carer's own needs and support", carer_needs.clone()),
            ],
        }
    }

    /// An empty section of this kind, to start a form from.
    pub fn empty(section: Section) -> Self {
        match section {
            Section::WhatMatters => Self::WhatMatters {
                own_words: String::new(),
                agreed_goals: String::new(),
                discipline_goals: Vec::new(),
            },
            Section::Understanding => Self::Understanding {
                person_knows: String::new(),
                family_knows: String::new(),
                place_of_care: Preference {
                    discussion: Discussion::NotDiscussed.code().to_owned(),
                    ..Default::default()
                },
                place_of_death: Preference {
                    discussion: Discussion::NotDiscussed.code().to_owned(),
                    ..Default::default()
                },
            },
            Section::AdvanceCarePlanning => Self::AdvanceCarePlanning {
                advance_statement: String::new(),
                refusal_of_treatment: String::new(),
                proxy_name: String::new(),
                proxy_scope: String::new(),
                proxy_contact: String::new(),
                documents_kept: String::new(),
            },
            Section::Resuscitation => Self::Resuscitation {
                cpr: CprDecision::NotDecided.code().to_owned(),
                decided_on: None,
                made_by: String::new(),
                review_on: None,
                person_aware: false,
                family_aware: false,
                escalation: Escalation::NotDecided.code().to_owned(),
                recommendations: String::new(),
            },
            Section::AnticipatoryMedicines => Self::AnticipatoryMedicines {
                medicines: Vec::new(),
                syringe_driver: String::new(),
            },
            Section::Equipment => Self::Equipment { items: Vec::new() },
            Section::CrisisPlan => Self::CrisisPlan {
                likely: String::new(),
                what_to_do: String::new(),
                call_first: String::new(),
                admission: AdmissionWish::NotDiscussed.code().to_owned(),
                gp_verifies_death: false,
            },
            Section::CarerFamily => Self::CarerFamily {
                name: String::new(),
                relationship: String::new(),
                contact: String::new(),
                lives_with_patient: false,
                aware_of_prognosis: false,
                carer_needs: String::new(),
            },
        }
    }
}

/// The labels whose values differ between two versions of a section (either side may lack a
/// label, for example a medicine added or stopped).
pub fn changed_labels(a: &Content, b: &Content) -> Vec<String> {
    let (a, b) = (a.fields(), b.fields());
    let mut labels: Vec<String> = Vec::new();
    for (label, value) in &a {
        if b.iter().find(|(l, _)| l == label).map(|(_, v)| v) != Some(value) {
            labels.push(label.clone());
        }
    }
    for (label, _) in &b {
        if !a.iter().any(|(l, _)| l == label) {
            labels.push(label.clone());
        }
    }
    labels
}

/// The longest free text a field takes.
pub const TEXT_MAX_CHARS: usize = 4000;
/// The most rows a list in a section takes (medicines, equipment, goals).
pub const ROWS_MAX: usize = 30;

impl Content {
    pub fn section(&self) -> Section {
        match self {
            Self::WhatMatters { .. } => Section::WhatMatters,
            Self::Understanding { .. } => Section::Understanding,
            Self::AdvanceCarePlanning { .. } => Section::AdvanceCarePlanning,
            Self::Resuscitation { .. } => Section::Resuscitation,
            Self::AnticipatoryMedicines { .. } => Section::AnticipatoryMedicines,
            Self::Equipment { .. } => Section::Equipment,
            Self::CrisisPlan { .. } => Section::CrisisPlan,
            Self::CarerFamily { .. } => Section::CarerFamily,
        }
    }

    /// Checks codes, lengths and dates; trims text. `today` bounds dates that cannot be in the
    /// future (a decision, a prescription, a discussion).
    pub fn validate(mut self, today: Date) -> Result<Self, ValidationError> {
        fn text(field: &'static str, value: &mut String) -> Result<(), ValidationError> {
            *value = value.trim().to_owned();
            if value.chars().count() > TEXT_MAX_CHARS {
                return Err(ValidationError::new(
                    field,
                    format!("Keep this to {TEXT_MAX_CHARS} characters or fewer."),
                ));
            }
            if value
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
            {
                return Err(ValidationError::new(
                    field,
                    "This contains control characters: type it again as plain text.",
                ));
            }
            Ok(())
        }
        fn code<T>(
            field: &'static str,
            value: &str,
            from_code: fn(&str) -> Option<T>,
        ) -> Result<(), ValidationError> {
            from_code(value)
                .map(|_| ())
                .ok_or_else(|| ValidationError::new(field, "Choose a value from the list."))
        }
        fn past(
            field: &'static str,
            date: Option<Date>,
            today: Date,
        ) -> Result<(), ValidationError> {
            match date {
                Some(d) if d > today => Err(ValidationError::new(
                    field,
                    "This date is in the future: give the date it happened.",
                )),
                _ => Ok(()),
            }
        }
        fn rows<T>(field: &'static str, rows: &[T]) -> Result<(), ValidationError> {
            if rows.len() > ROWS_MAX {
                return Err(ValidationError::new(
                    field,
                    format!("A section takes at most {ROWS_MAX} rows."),
                ));
            }
            Ok(())
        }
        fn preference(
            field: &'static str,
            p: &mut Preference,
            today: Date,
        ) -> Result<(), ValidationError> {
            code(field, &p.discussion, Discussion::from_code)?;
            for place in [&p.first, &p.second].into_iter().flatten() {
                code(field, place, Place::from_code)?;
            }
            if p.discussion == Discussion::Discussed.code() && p.first.is_none() {
                return Err(ValidationError::new(
                    field,
                    "Give the first choice, or say it was not discussed or declined.",
                ));
            }
            text(field, &mut p.reason)?;
            past(field, p.discussed_on, today)
        }
        match &mut self {
            Self::WhatMatters {
                own_words,
                agreed_goals,
                discipline_goals,
            } => {
                text("own_words", own_words)?;
                text("agreed_goals", agreed_goals)?;
                rows("discipline_goals", discipline_goals)?;
                for g in discipline_goals.iter_mut() {
                    text("discipline_goals", &mut g.discipline)?;
                    text("discipline_goals", &mut g.goal)?;
                }
                discipline_goals.retain(|g| !g.goal.is_empty());
            }
            Self::Understanding {
                person_knows,
                family_knows,
                place_of_care,
                place_of_death,
            } => {
                text("person_knows", person_knows)?;
                text("family_knows", family_knows)?;
                preference("place_of_care", place_of_care, today)?;
                preference("place_of_death", place_of_death, today)?;
            }
            Self::AdvanceCarePlanning {
                advance_statement,
                refusal_of_treatment,
                proxy_name,
                proxy_scope,
                proxy_contact,
                documents_kept,
            } => {
                for (field, value) in [
                    ("advance_statement", advance_statement),
                    ("refusal_of_treatment", refusal_of_treatment),
                    ("proxy_name", proxy_name),
                    ("proxy_scope", proxy_scope),
                    ("proxy_contact", proxy_contact),
                    ("documents_kept", documents_kept),
                ] {
                    text(field, value)?;
                }
            }
            Self::Resuscitation {
                cpr,
                decided_on,
                made_by,
                review_on: _,
                escalation,
                recommendations,
                ..
            } => {
                code("cpr", cpr, CprDecision::from_code)?;
                code("escalation", escalation, Escalation::from_code)?;
                text("made_by", made_by)?;
                text("recommendations", recommendations)?;
                past("decided_on", *decided_on, today)?;
                if cpr.as_str() != CprDecision::NotDecided.code()
                    && (decided_on.is_none() || made_by.is_empty())
                {
                    return Err(ValidationError::new(
                        "decided_on",
                        "A CPR decision needs the date it was made and who made it.",
                    ));
                }
            }
            Self::AnticipatoryMedicines {
                medicines,
                syringe_driver,
            } => {
                rows("medicines", medicines)?;
                text("syringe_driver", syringe_driver)?;
                for m in medicines.iter_mut() {
                    for value in [
                        &mut m.drug,
                        &mut m.dose,
                        &mut m.route,
                        &mut m.indication,
                        &mut m.max_frequency,
                        &mut m.prescriber,
                        &mut m.kept_where,
                    ] {
                        text("medicines", value)?;
                    }
                    past("medicines", m.prescribed_on, today)?;
                }
                medicines.retain(|m| !m.drug.is_empty());
                if let Some(m) = medicines
                    .iter()
                    .find(|m| m.dose.is_empty() || m.route.is_empty())
                {
                    return Err(ValidationError::new(
                        "medicines",
                        format!("Give the dose and route of {}.", m.drug),
                    ));
                }
            }
            Self::Equipment { items } => {
                rows("items", items)?;
                for i in items.iter_mut() {
                    text("items", &mut i.item)?;
                    text("items", &mut i.supplied_by)?;
                }
                items.retain(|i| !i.item.is_empty());
            }
            Self::CrisisPlan {
                likely,
                what_to_do,
                call_first,
                admission,
                ..
            } => {
                text("likely", likely)?;
                text("what_to_do", what_to_do)?;
                text("call_first", call_first)?;
                code("admission", admission, AdmissionWish::from_code)?;
            }
            Self::CarerFamily {
                name,
                relationship,
                contact,
                carer_needs,
                ..
            } => {
                text("name", name)?;
                text("relationship", relationship)?;
                text("contact", contact)?;
                text("carer_needs", carer_needs)?;
            }
        }
        Ok(self)
    }
}

/// One saved version of one section.
#[derive(Debug, Clone, PartialEq, Eq)]
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

crate::coded_enum! {
    /// One item the out-of-hours readiness check looks for.
    pub enum ReadinessItem {
        CrisisPlan => ("crisis-plan", "crisis plan"),
        CprDecision => ("cpr-decision", "CPR decision"),
        PreferredPlace => ("preferred-place", "preferred place of death"),
        AnticipatoryMedicinesPrescribed => ("medicines-prescribed", "anticipatory medicines prescribed"),
        AnticipatoryMedicinesDispensed => ("medicines-dispensed", "anticipatory medicines dispensed to the home"),
        CarerContact => ("carer-contact", "main carer's contact"),
        Coordinator => ("coordinator", "coordinator"),
    }
}

/// The stored form of what a plan lacks (every item but the coordinator, which the care team
/// decides): codes joined by commas, empty when nothing is missing.
pub fn missing_codes(missing: &[ReadinessItem]) -> String {
    missing
        .iter()
        .filter(|m| **m != ReadinessItem::Coordinator)
        .map(|m| m.code())
        .collect::<Vec<_>>()
        .join(",")
}

/// What a list row lacks for out-of-hours readiness, from the stored plan codes (`None`: no plan
/// yet, so every plan item) and whether the patient has an active coordinator.
pub fn missing_from_codes(codes: Option<&str>, has_coordinator: bool) -> Vec<ReadinessItem> {
    let mut missing: Vec<ReadinessItem> = match codes {
        None => readiness([], true),
        Some(codes) => codes
            .split(',')
            .filter_map(ReadinessItem::from_code)
            .collect(),
    };
    if !has_coordinator {
        missing.push(ReadinessItem::Coordinator);
    }
    missing
}

/// Which out-of-hours essentials are missing from the current sections (empty: ready).
pub fn readiness<'a>(
    sections: impl IntoIterator<Item = &'a Content>,
    has_coordinator: bool,
) -> Vec<ReadinessItem> {
    let (mut crisis, mut cpr, mut place, mut prescribed, mut dispensed, mut carer) =
        (false, false, false, false, false, false);
    for content in sections {
        match content {
            Content::CrisisPlan {
                what_to_do,
                call_first,
                ..
            } => crisis = !what_to_do.is_empty() && !call_first.is_empty(),
            Content::Resuscitation { cpr: decision, .. } => {
                cpr = decision.as_str() != CprDecision::NotDecided.code();
            }
            Content::Understanding { place_of_death, .. } => {
                place = place_of_death.discussion != Discussion::NotDiscussed.code();
            }
            Content::AnticipatoryMedicines { medicines, .. } => {
                prescribed = !medicines.is_empty();
                dispensed = prescribed && medicines.iter().all(|m| m.dispensed);
            }
            Content::CarerFamily { contact, .. } => carer = !contact.is_empty(),
            _ => {}
        }
    }
    let mut missing = Vec::new();
    for (present, item) in [
        (crisis, ReadinessItem::CrisisPlan),
        (cpr, ReadinessItem::CprDecision),
        (place, ReadinessItem::PreferredPlace),
        (prescribed, ReadinessItem::AnticipatoryMedicinesPrescribed),
        (
            !prescribed || dispensed,
            ReadinessItem::AnticipatoryMedicinesDispensed,
        ),
        (carer, ReadinessItem::CarerContact),
        (has_coordinator, ReadinessItem::Coordinator),
    ] {
        if !present {
            missing.push(item);
        }
    }
    missing
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
