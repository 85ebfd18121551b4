//! Whole records moved into Hearth from another system or another Hearth (`hearth import` of an
//! export): the directory they refer to and each patient's record, with their ids kept.

use jiff::civil::Date;

use crate::advice::AdviceCall;
use crate::assessment::{Assessment, PhaseEpisode};
use crate::care_plan::SectionVersion;
use crate::care_team::CareTeamMember;
use crate::conversation::Thread;
use crate::organisation::Organisation;
use crate::patient::NewPatient;
use crate::practitioner::{Practitioner, PractitionerRole};
use crate::referral::Referral;
use crate::register::RegisterEntry;
use crate::task::Task;
use crate::transition::{DischargeRecord, Stay};
use crate::{OrganisationId, PatientId, PractitionerId};

/// Everything one import brings.
#[derive(Debug, Clone, Default)]
pub struct Transfer {
    pub organisations: Vec<Organisation>,
    pub practitioners: Vec<Practitioner>,
    pub roles: Vec<PractitionerRole>,
    pub records: Vec<TransferredRecord>,
}

/// One patient's record.
#[derive(Debug, Clone)]
pub struct TransferredRecord {
    pub id: PatientId,
    /// The demographics as given, for the domain's own validation.
    pub patient: NewPatient,
    /// When the patient (and the main diagnosis) was first recorded, when known.
    pub recorded_on: Option<Date>,
    /// The demographics' version and when they last changed, when known.
    pub changed: Option<(i64, jiff::Timestamp)>,
    pub register: Vec<RegisterEntry>,
    pub team: Vec<CareTeamMember>,
    /// The current version of each section of the care plan.
    pub sections: Vec<SectionVersion>,
    pub assessments: Vec<Assessment>,
    /// The phases of illness, in any order.
    pub phases: Vec<PhaseEpisode>,
    pub referrals: Vec<Referral>,
    pub tasks: Vec<Task>,
    /// Stays away from home.
    pub stays: Vec<Stay>,
    /// Conversations about the patient, whole.
    pub conversations: Vec<Thread>,
    /// Discharges from stays, with their letters and checklists.
    pub discharges: Vec<DischargeRecord>,
    /// Calls to the specialist advice line about the patient.
    pub advice_calls: Vec<AdviceCall>,
    /// The people and organisations the record names, each once: they must be in Hearth or
    /// in the file.
    pub names_people: Vec<PractitionerId>,
    pub names_organisations: Vec<OrganisationId>,
}

impl TransferredRecord {
    /// Whether more of the record came than the Patient alone.
    pub fn has_record(&self) -> bool {
        !self.register.is_empty()
            || !self.team.is_empty()
            || !self.sections.is_empty()
            || !self.assessments.is_empty()
            || !self.phases.is_empty()
            || !self.referrals.is_empty()
            || !self.tasks.is_empty()
            || !self.stays.is_empty()
            || !self.conversations.is_empty()
            || !self.discharges.is_empty()
            || !self.advice_calls.is_empty()
    }
}
