//! Out-of-hours readiness: which essentials an on-call clinician needs are missing from the
//! plan, and how that is stored for lists.

use super::{Content, CprDecision, Discussion};

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
