//! Transitions of care in the demo region: the rural study's worst case as a live scenario — a
//! patient with severe COPD admitted as an emergency, now to be sent home this afternoon at a
//! few hours' notice, with the checklist open and acceptance pending — a well-run discharge
//! this morning for contrast (two days' notice, accepted, checklist done, a complete letter before
//! arrival), and a current admission. The ward side is the demo discharge coordinator, who joins
//! those patients' care teams; the community side is the demo district nurse's.

use hearth_domain::care_plan::{ReadinessItem, missing_codes, readiness};
use hearth_domain::care_team::{CareTeamMember, CareTeamRole, Member};
use hearth_domain::register::ConsentDecision;
use hearth_domain::transition::{
    self, ChecklistItem, Discharge, DischargeState, Letter, PlaceKind, Stay,
};
use hearth_domain::{OrganisationId, PractitionerId};
use hearth_store::Tx;
use jiff::{SignedDuration, Timestamp};

use super::people::DemoPatient;
use crate::{AppError, IdGenerator};

/// The people and places the scenario needs.
pub struct Cast<'a> {
    /// The ward's discharge coordinator.
    pub ward: &'a PractitionerId,
    /// The community's district nurse.
    pub nurse: &'a PractitionerId,
    pub hospital: &'a OrganisationId,
}

/// Whether `person` is an active member of the demo patient's team.
pub(super) fn in_team(m: &DemoPatient, person: &PractitionerId) -> bool {
    m.team
        .iter()
        .any(|t| t.is_active() && t.member == Member::Practitioner(person.clone()))
}

/// Writes the scenario in `tx`.
pub async fn write(
    tx: &mut Tx,
    ids: &dyn IdGenerator,
    made: &[DemoPatient],
    cast: &Cast<'_>,
    now: Timestamp,
) -> Result<(), AppError> {
    let eligible: Vec<&DemoPatient> = made
        .iter()
        .filter(|m| m.entry.leaving.is_none())
        .filter(|m| m.entry.consent.decision == ConsentDecision::Given)
        .filter(|m| in_team(m, cast.nurse))
        .collect();
    // The worst case: a patient whose plan has no anticipatory medicines prescribed (a COPD
    // patient when these teams have one), so the discharge shows what the study feared.
    let mut unprepared = Vec::new();
    for (n, m) in eligible.iter().enumerate() {
        let current = tx.current_sections(&m.patient.id).await?;
        let missing = readiness(current.iter().map(|v| &v.content), true);
        if missing.contains(&ReadinessItem::AnticipatoryMedicinesPrescribed) {
            unprepared.push(n);
        }
    }
    let copd = |n: &&usize| {
        eligible[**n]
            .patient
            .main_diagnosis
            .as_deref()
            .is_some_and(|d| d.starts_with("COPD"))
    };
    let worst_at = unprepared
        .iter()
        .find(copd)
        .or(unprepared.first())
        .copied()
        .unwrap_or(0);
    let mut chosen = eligible.clone();
    if worst_at < chosen.len() {
        let worst = chosen.remove(worst_at);
        chosen.insert(0, worst);
    }
    // The current admission is of a patient whose plan is ready for out of hours, so that a
    // discharge from it can be seen through to a ready arrival home.
    let mut admitted = None;
    for m in chosen.iter().skip(2) {
        let current = tx.current_sections(&m.patient.id).await?;
        if missing_codes(&readiness(current.iter().map(|v| &v.content), true)).is_empty() {
            admitted = Some(*m);
            break;
        }
    }
    let (Some(worst), Some(good), Some(admitted)) = (
        chosen.first().copied(),
        chosen.get(1).copied(),
        admitted.or_else(|| chosen.get(2).copied()),
    ) else {
        return Ok(());
    };
    let hours = |h: i64| SignedDuration::from_mins(h * 60);
    let at = |h: i64| now.checked_sub(hours(h)).unwrap_or(now);
    for m in [worst, good, admitted] {
        tx.insert_care_team_members(&[CareTeamMember {
            id: ids.new_id(),
            patient_id: m.patient.id.clone(),
            member: Member::Practitioner(cast.ward.clone()),
            role: CareTeamRole::Other,
            responsibilities: Vec::new(),
            coordinator: false,
            started_on: m.entry.identified_on,
            ended_on: None,
            created_at: at(24 * 3),
            updated_at: at(24 * 3),
            version: 1,
        }])
        .await?;
    }
    let hospital_stay =
        |m: &DemoPatient, (from, until): (i64, Option<i64>), detail: &str, reason: &str| Stay {
            id: ids.new_id(),
            patient_id: m.patient.id.clone(),
            place: PlaceKind::Hospital,
            organisation_id: Some(cast.hospital.clone()),
            detail: Some(detail.to_owned()),
            emergency: true,
            reason: Some(reason.to_owned()),
            started_at: at(from),
            ended_at: until.map(at),
            recorded_by: cast.ward.clone(),
        };

    // The worst case: in since three days ago, home this afternoon at four hours' notice.
    let stay = hospital_stay(
        worst,
        (24 * 3, None),
        "Ward 7",
        "Exacerbation of COPD with type 2 respiratory failure",
    );
    tx.insert_stay(&stay).await?;
    let planned_at = now
        .checked_add(hours(4))
        .unwrap_or(now)
        .round(jiff::Unit::Hour)
        .unwrap_or(now);
    let risky = Discharge {
        id: ids.new_id(),
        patient_id: worst.patient.id.clone(),
        stay_id: stay.id.clone(),
        state: DischargeState::Ready,
        planned_at,
        destination: PlaceKind::Home,
        receiving: Some(cast.nurse.clone()),
        complex: true,
        planned_by: cast.ward.clone(),
        notified_at: now,
        accepted: None,
        discharged_at: None,
        version: 2,
    };
    let checklist: Vec<(ChecklistItem, Member)> = transition::checklist_for(true)
        .into_iter()
        .map(|i| {
            let owner = if matches!(
                i,
                ChecklistItem::MedicinesReconciled
                    | ChecklistItem::AnticipatoryMedicines
                    | ChecklistItem::Letter
                    | ChecklistItem::Transport
            ) {
                cast.ward.clone()
            } else {
                cast.nurse.clone()
            };
            (i, Member::Practitioner(owner))
        })
        .collect();
    tx.insert_discharge(&risky, &checklist).await?;
    tx.set_checklist_item(&risky.id, ChecklistItem::Transport, Some((cast.ward, now)))
        .await?;
    tx.set_discharge_letter(
        &risky.id,
        &Letter {
            diagnosis: "Severe COPD, admitted with an exacerbation and type 2 respiratory failure. No more treatment to offer.".to_owned(),
            hospital_contact: "Ward 7, Westvale General Hospital, 01632 960 707".to_owned(),
            ..Letter::default()
        },
        None,
    )
    .await?;

    // For contrast: admitted six days ago, home three hours ago with two days' notice.
    let stay = hospital_stay(good, (24 * 6, Some(3)), "Bay 5", "Chest infection, treated");
    tx.insert_stay(&stay).await?;
    tx.insert_stay(&Stay {
        id: ids.new_id(),
        patient_id: good.patient.id.clone(),
        place: PlaceKind::Home,
        organisation_id: None,
        detail: None,
        emergency: false,
        reason: None,
        started_at: at(3),
        ended_at: None,
        recorded_by: cast.ward.clone(),
    })
    .await?;
    let well = Discharge {
        id: ids.new_id(),
        patient_id: good.patient.id.clone(),
        stay_id: stay.id.clone(),
        state: DischargeState::Discharged,
        planned_at: at(3),
        destination: PlaceKind::Home,
        receiving: Some(cast.nurse.clone()),
        complex: false,
        planned_by: cast.ward.clone(),
        notified_at: at(3 + 48),
        accepted: Some((cast.nurse.clone(), at(3 + 20))),
        discharged_at: Some(at(3)),
        version: 4,
    };
    let simple: Vec<(ChecklistItem, Member)> = checklist
        .iter()
        .filter(|(i, _)| *i != ChecklistItem::PlanningMeeting)
        .cloned()
        .collect();
    tx.insert_discharge(&well, &simple).await?;
    for (item, _) in &simple {
        tx.set_checklist_item(&well.id, *item, Some((cast.ward, at(5))))
            .await?;
    }
    tx.set_discharge_letter(
        &well.id,
        &Letter {
            diagnosis: "Chest infection on a background of heart failure; treated with oral antibiotics.".to_owned(),
            what_was_told: "They know the heart failure is advanced and want to be at home; daughter present.".to_owned(),
            treatment_changes: "Antibiotics completed. Furosemide reduced to 40 mg once daily.".to_owned(),
            medicines: "Furosemide 40 mg od, bisoprolol 2.5 mg od, paracetamol 1 g qds as needed.".to_owned(),
            anticipatory_medicines: "Supplied on discharge: morphine, midazolam, levomepromazine, glycopyrronium, water for injection.".to_owned(),
            symptom_plan: "Breathlessness: morphine 2.5 mg s/c up to hourly; fan; call the district nurses first.".to_owned(),
            resuscitation: "Not for attempted CPR (discussed and agreed); ward-based care, no ICU.".to_owned(),
            follow_up: "District nurse visit the day after discharge; GP review within a week.".to_owned(),
            hospital_contact: "Acute Medical Unit, 01632 960 710".to_owned(),
        },
        Some(at(4)),
    )
    .await?;

    // A current admission.
    tx.insert_stay(&hospital_stay(
        admitted,
        (20, None),
        "Bay 3",
        "Fall at home; confused and not eating",
    ))
    .await?;
    Ok(())
}
