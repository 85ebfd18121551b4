//! Reading where the patient is and their discharges, with the risks worked out.

use std::collections::HashMap;

use hearth_domain::audit::AccessBasis;
use hearth_domain::care_plan::{ReadinessItem, readiness};
use hearth_domain::care_team::Member;
use hearth_domain::transition::{self, DischargeFacts, RiskFlag, Stay, Timeliness};
use hearth_domain::{OrganisationId, PatientId, PractitionerId};
use hearth_store::{ChecklistLine, StoredDischarge, Tx};
use jiff::Timestamp;

use super::RESOURCE;
use crate::access::{self, Decision};
use crate::{Actor, App, AppError};

/// A discharge with its checklist and what it risks.
#[derive(Debug, Clone)]
pub struct DischargeView {
    pub stored: StoredDischarge,
    pub checklist: Vec<ChecklistLine>,
    pub flags: Vec<RiskFlag>,
    /// When the letter reached the team against the arrival, once the patient left.
    pub timeliness: Option<Timeliness>,
}

/// Where the patient is and has been, and their discharges.
#[derive(Debug, Clone)]
pub struct TransitionsView {
    pub patient: hearth_domain::patient::Patient,
    /// Current stay first.
    pub stays: Vec<Stay>,
    /// The open discharge, if any, then finished ones.
    pub discharges: Vec<DischargeView>,
    pub names: HashMap<PractitionerId, String>,
    pub services: HashMap<OrganisationId, String>,
    /// Hospitals, hospices and care homes, for the place of a move.
    pub places: Vec<(OrganisationId, String)>,
    /// Community services that can receive a patient (nursing teams, practices, care homes,
    /// specialist teams and hospices).
    pub community: Vec<(OrganisationId, String)>,
    pub may_write: bool,
}

impl TransitionsView {
    /// The current stay, when one is recorded.
    pub fn current(&self) -> Option<&Stay> {
        self.stays.iter().find(|s| s.ended_at.is_none())
    }
}

impl App {
    /// The patient's stays and discharges.
    pub async fn transitions(
        &self,
        actor: &Actor,
        patient: &PatientId,
    ) -> Result<TransitionsView, AppError> {
        crate::patients::require_clinician(actor)?;
        let system = &self.config.national_number_system.system_uri;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let decision = access::decide(&mut tx, actor, patient, now).await?;
        let record = tx.patient(patient, system).await?;
        let mut found = None;
        if let (Some(record), Decision::Allowed(basis)) = (&record, &decision) {
            let stays = tx.stays_of(patient).await?;
            let facts = self.discharge_facts(&mut tx, patient).await?;
            let mut discharges = Vec::new();
            let mut members: Vec<Member> = stays
                .iter()
                .map(|s| Member::Practitioner(s.recorded_by.clone()))
                .chain(
                    stays
                        .iter()
                        .filter_map(|s| s.organisation_id.clone().map(Member::Service)),
                )
                .collect();
            for stored in tx.discharges_of(patient).await? {
                let checklist = tx.checklist(&stored.discharge.id).await?;
                members.extend(checklist.iter().map(|l| l.owner.clone()));
                members.extend(checklist.iter().filter_map(|l| {
                    l.done
                        .as_ref()
                        .map(|(p, _)| Member::Practitioner(p.clone()))
                }));
                let d = &stored.discharge;
                members.push(Member::Practitioner(d.planned_by.clone()));
                members.extend(d.receiving.clone().map(Member::Practitioner));
                members.extend(
                    d.accepted
                        .as_ref()
                        .map(|(p, _)| Member::Practitioner(p.clone())),
                );
                discharges.push(self.discharge_view(stored, checklist, facts, now));
            }
            discharges.sort_by_key(|v| !v.stored.discharge.state.is_open());
            let (names, services) = self.names_for(&mut tx, members.into_iter()).await?;
            use hearth_domain::organisation::OrganisationKind as K;
            let all = tx.all_organisations().await?;
            let pick = |kinds: &[K]| -> Vec<(OrganisationId, String)> {
                all.iter()
                    .filter(|o| kinds.contains(&o.kind))
                    .map(|o| (o.id.clone(), o.name.clone()))
                    .collect()
            };
            let places = pick(&[K::HospitalDepartment, K::Hospice, K::CareHome]);
            let community = pick(&[
                K::HomeCare,
                K::GpPractice,
                K::CareHome,
                K::SpecialistPalliativeCare,
                K::Hospice,
            ]);
            found = Some(TransitionsView {
                patient: record.clone(),
                stays,
                discharges,
                names,
                services,
                places,
                community,
                may_write: *basis != AccessBasis::EmergencyAccess,
            });
        }
        drop(tx);
        self.finish_read(
            actor,
            patient,
            (RESOURCE, None),
            record.is_some(),
            decision,
            found,
            "stays",
        )
        .await
    }

    /// What the plan says that the risk rules need: anticipatory medicines prescribed, a crisis
    /// plan, a carer (a main carer's contact recorded).
    async fn discharge_facts(
        &self,
        tx: &mut Tx,
        patient: &PatientId,
    ) -> Result<DischargeFacts, AppError> {
        let current = tx.current_sections(patient).await?;
        let missing = readiness(current.iter().map(|v| &v.content), true);
        Ok(DischargeFacts {
            anticipatory_medicines_prescribed: !missing
                .contains(&ReadinessItem::AnticipatoryMedicinesPrescribed),
            crisis_plan: !missing.contains(&ReadinessItem::CrisisPlan),
            carer_at_home: !missing.contains(&ReadinessItem::CarerContact),
        })
    }

    fn discharge_view(
        &self,
        stored: StoredDischarge,
        checklist: Vec<ChecklistLine>,
        facts: DischargeFacts,
        now: Timestamp,
    ) -> DischargeView {
        let d = &stored.discharge;
        let open = checklist.iter().any(|l| l.done.is_none());
        let due = d.discharged_at.unwrap_or(now) >= d.planned_at;
        let flags = transition::risk_flags(
            (d.planned_at, d.notified_at),
            (&self.config.time_zone, &self.config.public_holidays),
            &self.config.discharge_rules,
            facts,
            (
                due.then_some(open),
                d.discharged_at.map(|_| d.accepted.is_some()),
            ),
        );
        let timeliness = d
            .discharged_at
            .map(|at| transition::timeliness(stored.letter_sent_at, at, &self.config.time_zone));
        DischargeView {
            stored,
            checklist,
            flags,
            timeliness,
        }
    }
}
