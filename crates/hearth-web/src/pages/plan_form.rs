//! The care plan's section forms: a section's content as the values a form shows, and a
//! submitted form back into content (repeated fields make the rows of lists: medicines,
//! equipment, discipline goals).

use std::collections::HashMap;

use hearth_domain::ValidationError;
use hearth_domain::care_plan::{
    Content, DisciplineGoal, EquipmentItem, Medicine, Preference, Section,
};
use jiff::civil::Date;

/// The values a section form shows: single fields by name, and rows for lists.
pub struct FormValues {
    fields: HashMap<&'static str, String>,
    pub rows: Vec<FormValues>,
}

impl FormValues {
    /// The value of field `name` ("" when empty).
    pub fn v(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// Whether a yes/no field is yes.
    pub fn on(&self, name: &str) -> bool {
        self.v(name) == "yes"
    }

    fn new() -> Self {
        Self {
            fields: HashMap::new(),
            rows: Vec::new(),
        }
    }

    fn set(&mut self, name: &'static str, value: impl Into<String>) {
        self.fields.insert(name, value.into());
    }
}

fn date_value(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn flag(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// A section's content as form values.
pub(crate) fn values_of(content: &Content) -> FormValues {
    let mut f = FormValues::new();
    match content {
        Content::WhatMatters {
            own_words,
            agreed_goals,
            discipline_goals,
        } => {
            f.set("own_words", own_words);
            f.set("agreed_goals", agreed_goals);
            for g in discipline_goals {
                let mut row = FormValues::new();
                row.set("discipline", &g.discipline);
                row.set("goal", &g.goal);
                f.rows.push(row);
            }
        }
        Content::Understanding {
            person_knows,
            family_knows,
            place_of_care,
            place_of_death,
        } => {
            f.set("person_knows", person_knows);
            f.set("family_knows", family_knows);
            for (prefix, p) in [("care", place_of_care), ("death", place_of_death)] {
                let names: [&'static str; 5] = if prefix == "care" {
                    [
                        "care_discussion",
                        "care_first",
                        "care_second",
                        "care_reason",
                        "care_on",
                    ]
                } else {
                    [
                        "death_discussion",
                        "death_first",
                        "death_second",
                        "death_reason",
                        "death_on",
                    ]
                };
                f.set(names[0], &p.discussion);
                f.set(names[1], p.first.clone().unwrap_or_default());
                f.set(names[2], p.second.clone().unwrap_or_default());
                f.set(names[3], &p.reason);
                f.set(names[4], date_value(p.discussed_on));
            }
        }
        Content::AdvanceCarePlanning {
            advance_statement,
            refusal_of_treatment,
            proxy_name,
            proxy_scope,
            proxy_contact,
            documents_kept,
        } => {
            f.set("advance_statement", advance_statement);
            f.set("refusal_of_treatment", refusal_of_treatment);
            f.set("proxy_name", proxy_name);
            f.set("proxy_scope", proxy_scope);
            f.set("proxy_contact", proxy_contact);
            f.set("documents_kept", documents_kept);
        }
        Content::Resuscitation {
            cpr,
            decided_on,
            made_by,
            review_on,
            person_aware,
            family_aware,
            escalation,
            recommendations,
        } => {
            f.set("cpr", cpr);
            f.set("decided_on", date_value(*decided_on));
            f.set("made_by", made_by);
            f.set("review_on", date_value(*review_on));
            f.set("person_aware", flag(*person_aware));
            f.set("family_aware", flag(*family_aware));
            f.set("escalation", escalation);
            f.set("recommendations", recommendations);
        }
        Content::AnticipatoryMedicines {
            medicines,
            syringe_driver,
        } => {
            f.set("syringe_driver", syringe_driver);
            for m in medicines {
                let mut row = FormValues::new();
                row.set("drug", &m.drug);
                row.set("dose", &m.dose);
                row.set("route", &m.route);
                row.set("indication", &m.indication);
                row.set("max_frequency", &m.max_frequency);
                row.set("prescriber", &m.prescriber);
                row.set("prescribed_on", date_value(m.prescribed_on));
                row.set("dispensed", flag(m.dispensed));
                row.set("kept_where", &m.kept_where);
                f.rows.push(row);
            }
        }
        Content::Equipment { items } => {
            for i in items {
                let mut row = FormValues::new();
                row.set("item", &i.item);
                row.set("supplied_by", &i.supplied_by);
                f.rows.push(row);
            }
        }
        Content::CrisisPlan {
            likely,
            what_to_do,
            call_first,
            admission,
            gp_verifies_death,
        } => {
            f.set("likely", likely);
            f.set("what_to_do", what_to_do);
            f.set("call_first", call_first);
            f.set("admission", admission);
            f.set("gp_verifies_death", flag(*gp_verifies_death));
        }
        Content::CarerFamily {
            name,
            relationship,
            contact,
            lives_with_patient,
            aware_of_prognosis,
            carer_needs,
        } => {
            f.set("name", name);
            f.set("relationship", relationship);
            f.set("contact", contact);
            f.set("lives_with_patient", flag(*lives_with_patient));
            f.set("aware_of_prognosis", flag(*aware_of_prognosis));
            f.set("carer_needs", carer_needs);
        }
    }
    // Room for new rows in lists.
    if matches!(
        content,
        Content::WhatMatters { .. }
            | Content::AnticipatoryMedicines { .. }
            | Content::Equipment { .. }
    ) {
        for _ in 0..3 {
            f.rows.push(FormValues::new());
        }
    }
    f
}

/// The submitted form: single fields, and the k-th value of each repeated field.
pub(crate) struct Submitted {
    pub(crate) pairs: Vec<(String, String)>,
}

impl Submitted {
    pub(crate) fn one(&self, name: &str) -> String {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub(crate) fn date(
        &self,
        name: &'static str,
        value: &str,
    ) -> Result<Option<Date>, ValidationError> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        value.parse().map(Some).map_err(|_| {
            ValidationError::new(name, "Give the date as a date (for example 2026-11-22).")
        })
    }

    fn optional(&self, name: &str) -> Option<String> {
        Some(self.one(name)).filter(|v| !v.trim().is_empty())
    }

    fn preference(&self, prefix: &str) -> Result<Preference, ValidationError> {
        let name = |field: &str| format!("{prefix}_{field}");
        Ok(Preference {
            discussion: self.one(&name("discussion")),
            first: self.optional(&name("first")),
            second: self.optional(&name("second")),
            reason: self.one(&name("reason")),
            discussed_on: self.date(
                if prefix == "care" {
                    "care_on"
                } else {
                    "death_on"
                },
                &self.one(&name("on")),
            )?,
        })
    }

    /// The content of `section` from the form.
    pub(crate) fn content(&self, section: Section) -> Result<Content, ValidationError> {
        let yes = |name: &str| self.one(name) == "yes";
        Ok(match section {
            Section::WhatMatters => Content::WhatMatters {
                own_words: self.one("own_words"),
                agreed_goals: self.one("agreed_goals"),
                discipline_goals: self
                    .all("discipline")
                    .into_iter()
                    .zip(self.all("goal"))
                    .map(|(discipline, goal)| DisciplineGoal { discipline, goal })
                    .collect(),
            },
            Section::Understanding => Content::Understanding {
                person_knows: self.one("person_knows"),
                family_knows: self.one("family_knows"),
                place_of_care: self.preference("care")?,
                place_of_death: self.preference("death")?,
            },
            Section::AdvanceCarePlanning => Content::AdvanceCarePlanning {
                advance_statement: self.one("advance_statement"),
                refusal_of_treatment: self.one("refusal_of_treatment"),
                proxy_name: self.one("proxy_name"),
                proxy_scope: self.one("proxy_scope"),
                proxy_contact: self.one("proxy_contact"),
                documents_kept: self.one("documents_kept"),
            },
            Section::Resuscitation => Content::Resuscitation {
                cpr: self.one("cpr"),
                decided_on: self.date("decided_on", &self.one("decided_on"))?,
                made_by: self.one("made_by"),
                review_on: self.date("review_on", &self.one("review_on"))?,
                person_aware: yes("person_aware"),
                family_aware: yes("family_aware"),
                escalation: self.one("escalation"),
                recommendations: self.one("recommendations"),
            },
            Section::AnticipatoryMedicines => {
                let column = |name: &str| self.all(name);
                let (
                    drugs,
                    doses,
                    routes,
                    indications,
                    frequencies,
                    prescribers,
                    dates,
                    dispensed,
                    kept,
                ) = (
                    column("drug"),
                    column("dose"),
                    column("route"),
                    column("indication"),
                    column("max_frequency"),
                    column("prescriber"),
                    column("prescribed_on"),
                    column("dispensed"),
                    column("kept_where"),
                );
                let at = |list: &Vec<String>, n: usize| list.get(n).cloned().unwrap_or_default();
                let mut medicines = Vec::new();
                for n in 0..drugs.len() {
                    medicines.push(Medicine {
                        drug: at(&drugs, n),
                        dose: at(&doses, n),
                        route: at(&routes, n),
                        indication: at(&indications, n),
                        max_frequency: at(&frequencies, n),
                        prescriber: at(&prescribers, n),
                        prescribed_on: self.date("medicines", &at(&dates, n))?,
                        dispensed: at(&dispensed, n) == "yes",
                        kept_where: at(&kept, n),
                    });
                }
                Content::AnticipatoryMedicines {
                    medicines,
                    syringe_driver: self.one("syringe_driver"),
                }
            }
            Section::Equipment => Content::Equipment {
                items: self
                    .all("item")
                    .into_iter()
                    .zip(self.all("supplied_by"))
                    .map(|(item, supplied_by)| EquipmentItem { item, supplied_by })
                    .collect(),
            },
            Section::CrisisPlan => Content::CrisisPlan {
                likely: self.one("likely"),
                what_to_do: self.one("what_to_do"),
                call_first: self.one("call_first"),
                admission: self.one("admission"),
                gp_verifies_death: yes("gp_verifies_death"),
            },
            Section::CarerFamily => Content::CarerFamily {
                name: self.one("name"),
                relationship: self.one("relationship"),
                contact: self.one("contact"),
                lives_with_patient: yes("lives_with_patient"),
                aware_of_prognosis: yes("aware_of_prognosis"),
                carer_needs: self.one("carer_needs"),
            },
        })
    }
}
