//! Register entries for demo patients: when and why each was identified, consent, and a few who
//! have already died or left the register — in proportions a practice would recognise.

use hearth_domain::patient::Patient;
use hearth_domain::register::{
    Consent, ConsentDecision, DiagnosisGroup, GeneralIndicator, Leaving, PlaceOfDeath,
    PreferredPlaceMet, RegisterEntry, SurpriseAnswer,
};
use hearth_domain::{OrganisationId, PractitionerId};
use jiff::civil::Date;
use jiff::{Span, Timestamp};

use super::names::Diagnosis;
use super::people::PatientGenerator;

const REMOVAL_REASONS: &[&str] = &[
    "Condition stable for over a year: no longer thought to be in the last year of life",
    "Moved out of the area; care handed over to the new practice",
];

/// The register entry of a new demo patient, registered by `practice` (identified by its GP).
pub fn entry_for(
    rng: &mut fastrand::Rng,
    patient: &Patient,
    diagnosis: &Diagnosis,
    (practice, gp): (OrganisationId, PractitionerId),
    today: Date,
    now: Timestamp,
) -> RegisterEntry {
    let days_ago = |rng: &mut fastrand::Rng, max: i64| {
        today
            .checked_sub(Span::new().days(rng.i64(0..=max)))
            .unwrap_or(today)
    };
    let identified_on = days_ago(rng, 700);
    let surprise = match rng.u8(..100) {
        0..=79 => SurpriseAnswer::NotSurprised,
        80..=87 => SurpriseAnswer::Surprised,
        _ => SurpriseAnswer::NotAsked,
    };
    let mut general: Vec<GeneralIndicator> = (0..rng.usize(1..=3))
        .map(|_| GeneralIndicator::ALL[rng.usize(..GeneralIndicator::ALL.len())])
        .collect();
    general.sort();
    general.dedup();
    let frail = diagnosis.group == DiagnosisGroup::FrailtyDementia;
    let decision = match rng.u8(..100) {
        0..=2 => ConsentDecision::Declined,
        n if n < if frail { 50 } else { 6 } => ConsentDecision::BestInterests,
        _ => ConsentDecision::Given,
    };
    let leaving = match rng.u8(..100) {
        0..=3 => {
            let on = days_ago(rng, 60).max(identified_on);
            let place = match rng.u8(..100) {
                0..=44 => PlaceOfDeath::Home,
                45..=64 => PlaceOfDeath::CareHome,
                65..=74 => PlaceOfDeath::Hospice,
                75..=96 => PlaceOfDeath::Hospital,
                _ => PlaceOfDeath::Other,
            };
            let preferred_place = match (place, rng.u8(..100)) {
                (_, 0..=14) => PreferredPlaceMet::NotKnown,
                (PlaceOfDeath::Hospital, n) if n < 80 => PreferredPlaceMet::No,
                (_, n) if n < 85 => PreferredPlaceMet::Yes,
                _ => PreferredPlaceMet::No,
            };
            Some(Leaving::Died {
                on,
                place,
                preferred_place,
            })
        }
        4 => Some(Leaving::Removed {
            on: days_ago(rng, 30).max(identified_on),
            reason: REMOVAL_REASONS[rng.usize(..REMOVAL_REASONS.len())].to_owned(),
        }),
        _ => None,
    };
    RegisterEntry {
        id: PatientGenerator::uuid(rng),
        patient_id: patient.id.clone(),
        organisation_id: practice,
        identified_on,
        identified_by: gp.clone(),
        surprise,
        general_indicators: general,
        disease_indicators: vec![diagnosis.indicator],
        diagnosis_group: diagnosis.group,
        consent: Consent {
            decision,
            recorded_on: identified_on,
            recorded_by: gp,
        },
        leaving,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}
