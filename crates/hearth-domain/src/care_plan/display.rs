//! The plan read by people: each section as labelled lines (the plan page, the out-of-hours
//! summary and the comparison of two versions all use the same lines), empty sections to start
//! a form from, and the comparison itself.

use jiff::civil::Date;

use super::{
    AdmissionWish, Content, CprDecision, Discussion, Escalation, Place, Preference, Section,
};

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

/// One line of two versions side by side: the label, the value in each, and whether it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub label: String,
    pub before: String,
    pub after: String,
    pub changed: bool,
}

/// Two versions of a section line by line, in the first version's order, with lines only the
/// second has (a medicine added) at the end.
pub fn compare(before: &Content, after: &Content) -> Vec<Comparison> {
    let changed = changed_labels(before, after);
    let after_fields = after.fields();
    let mut lines: Vec<Comparison> = before
        .fields()
        .into_iter()
        .map(|(label, value)| Comparison {
            after: after_fields
                .iter()
                .find(|(l, _)| *l == label)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            changed: changed.contains(&label),
            before: value,
            label,
        })
        .collect();
    for (label, value) in after_fields {
        if !lines.iter().any(|line| line.label == label) {
            lines.push(Comparison {
                label,
                before: String::new(),
                after: value,
                changed: true,
            });
        }
    }
    lines
}
