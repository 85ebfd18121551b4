//! Which section a content is, and checking it before it is saved: codes from their lists,
//! text within its length and free of control characters, dates that cannot be in the future,
//! and the few fields a section cannot do without (a CPR decision's date and author, a
//! medicine's dose and route).

use jiff::civil::Date;

use super::{
    AdmissionWish, Content, CprDecision, Discussion, Escalation, Place, Preference, Section,
};
use crate::ValidationError;

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
