//! Care plans for demo patients, at every stage of completeness: none yet, just begun, partly
//! done (some not out-of-hours ready because anticipatory medicines were prescribed but not
//! dispensed), and complete; with a few discipline goals that pull different ways and a few
//! sections past their review date. Drawn from their own random source (seeded per patient), so
//! adding plans does not change the rest of the region.

use hearth_domain::PractitionerId;
use hearth_domain::care_plan::{
    Content, DisciplineGoal, EquipmentItem, Medicine, Preference, SectionVersion,
};
use hearth_domain::care_team::{CareTeamMember, CareTeamRole, Member};
use hearth_domain::register::DiagnosisGroup;
use jiff::civil::Date;
use jiff::{SignedDuration, Span, Timestamp};

use super::people::DemoPatient;

/// Patients beyond this many get no plan: a million plans would make the demo database several
/// gigabytes larger without showing anything new.
pub const PLANNED_PATIENTS: u64 = 20_000;

/// How far a plan has got.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    None,
    Begun,
    Partial,
    Complete,
}

fn days(n: i64) -> Span {
    Span::new().days(n)
}

/// The versions of `patient`'s plan sections (`index`: the patient's number in the region).
pub fn plan_for(
    seed: u64,
    index: u64,
    made: &DemoPatient,
    (today, now): (Date, Timestamp),
) -> Vec<SectionVersion> {
    let mut rng = fastrand::Rng::with_seed(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let stage = match rng.u8(..100) {
        0..=14 => Stage::None,
        15..=39 => Stage::Begun,
        40..=74 => Stage::Partial,
        _ => Stage::Complete,
    };
    if stage == Stage::None || made.entry.leaving.is_some() {
        return Vec::new();
    }
    let people: Vec<(&PractitionerId, CareTeamRole)> = made
        .team
        .iter()
        .filter_map(|m: &CareTeamMember| match &m.member {
            Member::Practitioner(id) => Some((id, m.role)),
            Member::Service(_) => None,
        })
        .collect();
    let Some(&(gp, _)) = people.first() else {
        return Vec::new();
    };
    let nurse = people
        .iter()
        .find(|(_, role)| {
            matches!(
                role,
                CareTeamRole::DistrictNurse | CareTeamRole::SpecialistPalliativeNurse
            )
        })
        .map_or(gp, |(id, _)| *id);
    let physio = people
        .iter()
        .find(|(_, role)| *role == CareTeamRole::Physiotherapist)
        .map(|(id, _)| *id);
    let cancer = made.entry.diagnosis_group == DiagnosisGroup::Cancer;
    let given = made.patient.given_name.as_str();
    let family = ["daughter", "son", "wife", "husband", "niece", "partner"][rng.usize(..6)];
    let carer_name = ["Joan", "Peter", "Aisha", "Ruth", "Graham", "Sian"][rng.usize(..6)];
    let mut versions = Vec::new();
    // Saved some days ago; one section in ten is past its review date.
    let mut save =
        |rng: &mut fastrand::Rng, content: Content, author: &PractitionerId, summary: &str| {
            let ago = rng.i64(1..=60);
            let review_after = if rng.u8(..10) == 0 {
                ago - 7
            } else {
                28 + rng.i64(0..=28)
            };
            let saved_on = today.checked_sub(days(ago)).unwrap_or(today);
            let review_by = saved_on
                .checked_add(days(review_after.max(1)))
                .unwrap_or(today);
            versions.push(SectionVersion {
                patient_id: made.patient.id.clone(),
                section: content.section(),
                version: 1,
                content,
                summary: summary.to_owned(),
                author: author.clone(),
                saved_at: now - SignedDuration::from_hours(24 * ago),
                review_by,
            });
        };

    let mut goals = vec![DisciplineGoal {
        discipline: "GP".into(),
        goal: if cancer {
            "Comfort at home; prognosis likely short weeks".into()
        } else {
            "Keep well at home; avoid unplanned admissions".into()
        },
    }];
    // Some physiotherapists (the team's, or the community therapy service's) aim for walking
    // while the GP expects weeks: the mismatch the plan shows side by side.
    let aims_to_walk = rng.u8(..10) == 0;
    if physio.is_some() || aims_to_walk {
        goals.push(DisciplineGoal {
            discipline: "Physiotherapist".into(),
            goal: "Walk to the end of the garden by the spring".into(),
        });
    }
    save(
        &mut rng,
        Content::WhatMatters {
            own_words: format!(
                "\"I want to stay in my own home with my {family} and the dog. I don't want to be in pain.\""
            ),
            agreed_goals:
                "Symptom control at home; family supported; avoid admission unless needed".into(),
            discipline_goals: goals,
        },
        gp,
        "what matters, from first visit",
    );
    let discussed = stage != Stage::Begun || rng.u8(..3) == 0;
    let preference = |first: &str, second: Option<&str>| Preference {
        discussion: "discussed".into(),
        first: Some(first.into()),
        second: second.map(str::to_owned),
        reason: "Wants to be with family".into(),
        discussed_on: today.checked_sub(days(20)).ok(),
    };
    save(
        &mut rng,
        Content::Understanding {
            person_knows: format!(
                "{given} knows the illness cannot be cured and that time may be short."
            ),
            family_knows: format!("Their {family} knows; other family partly."),
            place_of_care: if discussed {
                preference("home", Some("hospice"))
            } else {
                Preference {
                    discussion: "not-discussed".into(),
                    ..Default::default()
                }
            },
            place_of_death: if discussed {
                preference("home", None)
            } else {
                Preference {
                    discussion: "not-discussed".into(),
                    ..Default::default()
                }
            },
        },
        nurse,
        "preferences discussed",
    );
    if stage == Stage::Begun {
        return versions;
    }
    save(
        &mut rng,
        Content::Resuscitation {
            cpr: "not-for-cpr".into(),
            decided_on: today.checked_sub(days(14)).ok(),
            made_by: "GP, with the patient and family".into(),
            review_on: today.checked_add(days(90)).ok(),
            person_aware: true,
            family_aware: true,
            escalation: "comfort".into(),
            recommendations:
                "Treat reversible causes at home where possible (antibiotics by mouth).".into(),
        },
        gp,
        "DNACPR and ReSPECT form completed",
    );
    let (phone, lives_with_patient) = (rng.u16(200..999), rng.u8(..3) > 0);
    save(
        &mut rng,
        Content::CarerFamily {
            name: format!("{carer_name} (their {family})"),
            relationship: family.into(),
            contact: format!("07700 900 {phone:03}"),
            lives_with_patient,
            aware_of_prognosis: true,
            carer_needs: "Tired; would value a sitting service two evenings a week".into(),
        },
        nurse,
        "carer details",
    );
    let only_if_needed = rng.u8(..4) == 0;
    save(
        &mut rng,
        Content::CrisisPlan {
            likely: if cancer {
                "Increasing pain and weakness; possible agitation in the last days".into()
            } else {
                "Worsening breathlessness, especially at night".into()
            },
            what_to_do: "Give just-in-case medicines as prescribed; sit upright, fan; call the district nurses".into(),
            call_first: "District nurses (day), out-of-hours service (night) 01632 960 999".into(),
            admission: if only_if_needed { "only-if-needed" } else { "no" }.into(),
            gp_verifies_death: true,
        },
        gp,
        "crisis plan agreed",
    );
    let dispensed = stage == Stage::Complete || rng.u8(..3) == 0;
    save(
        &mut rng,
        Content::AnticipatoryMedicines {
            medicines: vec![
                Medicine {
                    drug: "Morphine sulfate 10 mg/1 ml injection".into(),
                    dose: "2.5–5 mg".into(),
                    route: "subcutaneous".into(),
                    indication: "pain or breathlessness".into(),
                    max_frequency: "hourly, up to 6 doses in 24 hours".into(),
                    prescriber: "GP".into(),
                    prescribed_on: today.checked_sub(days(10)).ok(),
                    dispensed,
                    kept_where: if dispensed {
                        "kitchen cupboard, blue box".into()
                    } else {
                        String::new()
                    },
                },
                Medicine {
                    drug: "Midazolam 10 mg/2 ml injection".into(),
                    dose: "2.5–5 mg".into(),
                    route: "subcutaneous".into(),
                    indication: "agitation or distress".into(),
                    max_frequency: "hourly, up to 6 doses in 24 hours".into(),
                    prescriber: "GP".into(),
                    prescribed_on: today.checked_sub(days(10)).ok(),
                    dispensed,
                    kept_where: if dispensed {
                        "kitchen cupboard, blue box".into()
                    } else {
                        String::new()
                    },
                },
            ],
            syringe_driver: String::new(),
        },
        gp,
        if dispensed {
            "just-in-case medicines in the home"
        } else {
            "just-in-case medicines prescribed"
        },
    );
    if stage == Stage::Complete {
        save(
            &mut rng,
            Content::Equipment {
                items: vec![
                    EquipmentItem {
                        item: "Profiling bed".into(),
                        supplied_by: "Community equipment service".into(),
                    },
                    EquipmentItem {
                        item: "Pressure-relieving mattress".into(),
                        supplied_by: "District nurses".into(),
                    },
                    EquipmentItem {
                        item: "Commode".into(),
                        supplied_by: "Community equipment service".into(),
                    },
                ],
            },
            nurse,
            "equipment delivered",
        );
        save(
            &mut rng,
            Content::AdvanceCarePlanning {
                advance_statement: "Would like music and the window open; no more hospital tests."
                    .into(),
                refusal_of_treatment: String::new(),
                proxy_name: format!("{carer_name} (their {family})"),
                proxy_scope: "Health and welfare".into(),
                proxy_contact: "as carer".into(),
                documents_kept: "In the green folder by the bed".into(),
            },
            gp,
            "advance care plan",
        );
    }
    versions
}
