//! Transitions of care: where the patient is (stays at home, in hospital, a hospice, a care home
//! …), admissions, and planned discharges with the receiving team — a workflow with states, a
//! checklist with an owner per item, the risk flags that make the worst case visible, and the
//! discharge letter scored for completeness and timeliness. See `docs/design/transitions.md`.
//!
//! Everything here is pure: times, the local time zone and the public holidays are parameters.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::care_team::Member;
use crate::{OrganisationId, PatientId, PractitionerId, ValidationError};

crate::coded_enum! {
    /// Where a patient is staying.
    pub enum PlaceKind {
        Home => ("home", "Home"),
        Hospital => ("hospital", "Hospital"),
        Hospice => ("hospice", "Hospice"),
        CareHome => ("care-home", "Care home"),
        PalliativeBeds => ("palliative-beds", "Rural medical centre or nursing home with palliative beds"),
        Other => ("other", "Somewhere else"),
    }
}

crate::coded_enum! {
    /// Where a planned discharge stands.
    pub enum DischargeState {
        Planned => ("planned", "Planned"),
        Ready => ("ready", "Ready for discharge"),
        Accepted => ("accepted", "Accepted by the receiving team"),
        Discharged => ("discharged", "Discharged"),
        Cancelled => ("cancelled", "Cancelled"),
    }
}

crate::coded_enum! {
    /// The items of the discharge checklist.
    pub enum ChecklistItem {
        PlanReviewed => ("plan-reviewed", "Care plan reviewed and updated"),
        MedicinesReconciled => ("medicines-reconciled", "Medicines reconciled and prescriptions sent"),
        AnticipatoryMedicines => ("anticipatory-medicines", "Anticipatory medicines prescribed and dispensed (or supplied on discharge)"),
        Equipment => ("equipment", "Equipment delivered before arrival"),
        Letter => ("letter", "Discharge letter sent"),
        OutOfHoursInformed => ("ooh-informed", "Out-of-hours service informed"),
        CarerInformed => ("carer-informed", "Carer informed and able to care"),
        Transport => ("transport", "Transport booked"),
        PlanningMeeting => ("planning-meeting", "Discharge planning meeting held"),
    }
}

crate::coded_enum! {
    /// A risk a discharge carries, shown to both sides.
    pub enum RiskFlag {
        FridayAfternoon => ("friday-afternoon", "Discharge on a Friday afternoon"),
        Weekend => ("weekend", "Discharge at the weekend"),
        PublicHoliday => ("public-holiday", "Discharge on a public holiday"),
        Late => ("late", "Discharge late in the day"),
        ShortNotice => ("short-notice", "Less notice than the rule asks"),
        NoAnticipatoryMedicines => ("no-anticipatory-medicines", "No anticipatory medicines prescribed"),
        NoCrisisPlan => ("no-crisis-plan", "No crisis plan for out of hours"),
        NoCarer => ("no-carer", "No carer at home"),
        ChecklistOpen => ("checklist-open", "Checklist items open at the planned time"),
        NotAccepted => ("not-accepted", "Discharged without the receiving team's acceptance"),
    }
}

crate::coded_enum! {
    /// When the discharge letter reached the receiving team, against the patient's arrival.
    pub enum Timeliness {
        BeforeArrival => ("before-arrival", "Sent before the patient arrived"),
        SameDay => ("same-day", "Sent the day the patient arrived"),
        Later => ("later", "Sent after the day of arrival"),
        NotSent => ("not-sent", "Not sent"),
    }
}

impl DischargeState {
    /// Whether the discharge is still to happen (planned, ready or accepted).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Planned | Self::Ready | Self::Accepted)
    }
}

/// How long and why a patient stays somewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stay {
    pub id: String,
    pub patient_id: PatientId,
    pub place: PlaceKind,
    /// The hospital, hospice or care home, when it is in the directory.
    pub organisation_id: Option<OrganisationId>,
    /// The ward or room, in words.
    pub detail: Option<String>,
    /// An unplanned admission or an emergency presentation.
    pub emergency: bool,
    /// Why they were admitted, in words (admissions only).
    pub reason: Option<String>,
    pub started_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    pub recorded_by: PractitionerId,
}

/// An admission (or any move) as typed.
#[derive(Debug, Clone, Default)]
pub struct StayDraft {
    pub place: String,
    pub organisation_id: Option<OrganisationId>,
    pub detail: String,
    pub emergency: bool,
    pub reason: String,
    pub started_at: Option<Timestamp>,
}

/// The longest free text of a stay, in characters.
pub const MAX_STAY_TEXT: usize = 300;

impl StayDraft {
    /// Checks the move, which starts a new stay after `current` (the stay it ends, if any).
    pub fn check(
        &self,
        (id, patient): (String, &PatientId),
        current: Option<&Stay>,
        by: &PractitionerId,
        now: Timestamp,
    ) -> Result<Stay, ValidationError> {
        let place = PlaceKind::from_code(self.place.trim())
            .ok_or_else(|| ValidationError::new("place", "Choose where the patient is now."))?;
        let started_at = self.started_at.unwrap_or(now);
        if started_at > now {
            return Err(ValidationError::new(
                "started_at",
                "A move is recorded once it has happened: plan a discharge for one to come.",
            ));
        }
        if now.duration_since(started_at) > SignedDuration::from_hours(24 * 31) {
            return Err(ValidationError::new(
                "started_at",
                "Record moves within a month of them.",
            ));
        }
        if let Some(current) = current {
            if current.place == place && current.organisation_id == self.organisation_id {
                return Err(ValidationError::new(
                    "place",
                    "The patient is already there.",
                ));
            }
            if started_at < current.started_at {
                return Err(ValidationError::new(
                    "started_at",
                    "This is before the current stay began; correct the time.",
                ));
            }
        }
        let detail =
            crate::error::optional_text("detail", "The ward or room", &self.detail, MAX_STAY_TEXT)?;
        let reason =
            crate::error::optional_text("reason", "The reason", &self.reason, MAX_STAY_TEXT)?;
        if place != PlaceKind::Home && self.emergency && reason.is_none() {
            return Err(ValidationError::new(
                "reason",
                "Say why the patient was admitted, so the team knows what happened.",
            ));
        }
        Ok(Stay {
            id,
            patient_id: patient.clone(),
            place,
            organisation_id: self.organisation_id.clone(),
            detail,
            emergency: self.emergency && place != PlaceKind::Home,
            reason,
            started_at,
            ended_at: None,
            recorded_by: by.clone(),
        })
    }
}

impl Stay {
    /// Whether this is an admission the care team must hear of at once: to a hospital (or any
    /// bed away from home) in an emergency, or any hospital stay.
    pub fn notifies_team(&self) -> bool {
        self.place != PlaceKind::Home && (self.emergency || self.place == PlaceKind::Hospital)
    }
}

/// The configurable rules of discharge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DischargeRules {
    /// The least notice the receiving team should get.
    pub min_notice: SignedDuration,
    /// A discharge at or after this local hour is late.
    pub late_hour: i8,
    /// A Friday discharge at or after this local hour is a Friday-afternoon one.
    pub friday_from_hour: i8,
}

impl Default for DischargeRules {
    fn default() -> Self {
        Self {
            min_notice: SignedDuration::from_hours(24),
            late_hour: 15,
            friday_from_hour: 12,
        }
    }
}

/// What the risk rules need to know beyond the times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DischargeFacts {
    pub anticipatory_medicines_prescribed: bool,
    pub crisis_plan: bool,
    pub carer_at_home: bool,
}

/// The risk flags of a discharge planned for `planned_at`, notified at `notified_at`, in local
/// time `tz` with `holidays`; `open_at_time` says whether checklist items were still open at the
/// planned time (`None` before it), `accepted` whether the receiving team accepted before the
/// discharge happened (`None` before it).
pub fn risk_flags(
    (planned_at, notified_at): (Timestamp, Timestamp),
    (tz, holidays): (&TimeZone, &[Date]),
    rules: &DischargeRules,
    facts: DischargeFacts,
    (open_at_time, accepted): (Option<bool>, Option<bool>),
) -> Vec<RiskFlag> {
    let local = planned_at.to_zoned(tz.clone());
    let mut flags = Vec::new();
    let weekday = local.weekday();
    if weekday == Weekday::Friday && local.hour() >= rules.friday_from_hour {
        flags.push(RiskFlag::FridayAfternoon);
    }
    if matches!(weekday, Weekday::Saturday | Weekday::Sunday) {
        flags.push(RiskFlag::Weekend);
    }
    if holidays.contains(&local.date()) {
        flags.push(RiskFlag::PublicHoliday);
    }
    if local.hour() >= rules.late_hour {
        flags.push(RiskFlag::Late);
    }
    if planned_at.duration_since(notified_at) < rules.min_notice {
        flags.push(RiskFlag::ShortNotice);
    }
    if !facts.anticipatory_medicines_prescribed {
        flags.push(RiskFlag::NoAnticipatoryMedicines);
    }
    if !facts.crisis_plan {
        flags.push(RiskFlag::NoCrisisPlan);
    }
    if !facts.carer_at_home {
        flags.push(RiskFlag::NoCarer);
    }
    if open_at_time == Some(true) {
        flags.push(RiskFlag::ChecklistOpen);
    }
    if accepted == Some(false) {
        flags.push(RiskFlag::NotAccepted);
    }
    flags
}

/// What makes a discharge complex enough for a discharge planning meeting (the configurable rule
/// of issue 7: unstable or deteriorating, a new syringe driver, or no carer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Complexity {
    pub unstable_or_deteriorating: bool,
    pub new_syringe_driver: bool,
    pub no_carer: bool,
}

/// Which of the complexity conditions call for a planning meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComplexityRule {
    pub unstable_or_deteriorating: bool,
    pub new_syringe_driver: bool,
    pub no_carer: bool,
}

impl Default for ComplexityRule {
    fn default() -> Self {
        Self {
            unstable_or_deteriorating: true,
            new_syringe_driver: true,
            no_carer: true,
        }
    }
}

impl ComplexityRule {
    /// Whether a discharge with these facts needs a discharge planning meeting.
    pub fn needs_meeting(&self, c: Complexity) -> bool {
        (self.unstable_or_deteriorating && c.unstable_or_deteriorating)
            || (self.new_syringe_driver && c.new_syringe_driver)
            || (self.no_carer && c.no_carer)
    }
}

/// The checklist a discharge starts with: every item, the planning meeting only when the
/// discharge is complex.
pub fn checklist_for(needs_meeting: bool) -> Vec<ChecklistItem> {
    ChecklistItem::ALL
        .iter()
        .copied()
        .filter(|i| needs_meeting || *i != ChecklistItem::PlanningMeeting)
        .collect()
}

/// A planned discharge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discharge {
    pub id: String,
    pub patient_id: PatientId,
    /// The stay it ends.
    pub stay_id: String,
    pub state: DischargeState,
    pub planned_at: Timestamp,
    /// Where the patient goes (usually home).
    pub destination: PlaceKind,
    /// The receiving team's lead: the coordinator, or a newly named team's contact.
    pub receiving: Option<PractitionerId>,
    pub complex: bool,
    pub planned_by: PractitionerId,
    pub notified_at: Timestamp,
    pub accepted: Option<(PractitionerId, Timestamp)>,
    pub discharged_at: Option<Timestamp>,
    pub version: i64,
}

/// A discharge with its letter, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDischarge {
    pub discharge: Discharge,
    pub letter: Option<Letter>,
    pub letter_sent_at: Option<Timestamp>,
}

/// One checklist item with its owner and, once done, who did it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistLine {
    pub item: ChecklistItem,
    pub owner: Member,
    pub done: Option<(PractitionerId, Timestamp)>,
}

/// A discharge whole, with its letter and checklist: how a record's discharges are read for
/// the FHIR API and `hearth export`, and written back by `hearth import`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DischargeRecord {
    pub stored: StoredDischarge,
    /// In the checklist's order.
    pub checklist: Vec<ChecklistLine>,
}

impl DischargeRecord {
    /// Everyone the discharge names: who planned it, the receiving lead, who accepted, the
    /// checklist's owners (people, not services) and who ticked each item; repeats left in.
    pub fn people(&self) -> Vec<PractitionerId> {
        let d = &self.stored.discharge;
        let checklist = self.checklist.iter().flat_map(|l| {
            let owner = match &l.owner {
                Member::Practitioner(id) => Some(id.clone()),
                Member::Service(_) => None,
            };
            [owner, l.done.as_ref().map(|(by, _)| by.clone())]
                .into_iter()
                .flatten()
        });
        [
            Some(d.planned_by.clone()),
            d.receiving.clone(),
            d.accepted.as_ref().map(|(by, _)| by.clone()),
        ]
        .into_iter()
        .flatten()
        .chain(checklist)
        .collect()
    }

    /// Checks a discharge brought whole from elsewhere (`hearth import`): its state has the
    /// step that reached it (an accepted discharge its acceptance, a discharged one its time),
    /// it is about its own patient, and its checklist names each item once.
    pub fn checked(&self, stays: &[Stay]) -> Result<(), ValidationError> {
        let d = &self.stored.discharge;
        let wrong =
            |what: &str| ValidationError::new("discharge", format!("Discharge {}: {what}", d.id));
        if !stays
            .iter()
            .any(|s| s.id == d.stay_id && s.patient_id == d.patient_id)
        {
            return Err(wrong(
                "the stay it ends is not in the patient's record (give the Encounter).",
            ));
        }
        if d.state == DischargeState::Accepted && d.accepted.is_none() {
            return Err(wrong("it is accepted but says by whom and when nowhere."));
        }
        if (d.state == DischargeState::Discharged) != d.discharged_at.is_some() {
            return Err(wrong(
                "a discharge that happened has the time the patient left, and only then.",
            ));
        }
        for (i, line) in self.checklist.iter().enumerate() {
            if self.checklist[..i].iter().any(|l| l.item == line.item) {
                return Err(wrong(&format!(
                    "the checklist names \"{}\" twice.",
                    line.item.label()
                )));
            }
        }
        Ok(())
    }
}

/// A discharge as typed by the ward.
#[derive(Debug, Clone, Default)]
pub struct DischargeDraft {
    pub planned_at: Option<Timestamp>,
    pub destination: String,
    pub complexity: Complexity,
}

impl DischargeDraft {
    /// Checks a planned discharge from `stay` (which must be a current stay away from home).
    pub fn check(
        &self,
        (id, stay): (String, &Stay),
        receiving: Option<PractitionerId>,
        (rule, by): (&ComplexityRule, &PractitionerId),
        now: Timestamp,
    ) -> Result<Discharge, ValidationError> {
        if stay.ended_at.is_some() || stay.place == PlaceKind::Home {
            return Err(ValidationError::new(
                "stay",
                "A discharge is planned from a current stay away from home.",
            ));
        }
        let planned_at = self.planned_at.ok_or_else(|| {
            ValidationError::new("planned_at", "Give the planned date and time of discharge.")
        })?;
        if planned_at <= now {
            return Err(ValidationError::new(
                "planned_at",
                "The planned time has passed: give a time to come (record a discharge that has happened as the patient's move).",
            ));
        }
        if planned_at.duration_since(now) > SignedDuration::from_hours(24 * 60) {
            return Err(ValidationError::new(
                "planned_at",
                "A discharge is planned at most two months ahead.",
            ));
        }
        let destination = match self.destination.trim() {
            "" => PlaceKind::Home,
            code => PlaceKind::from_code(code)
                .filter(|p| *p != PlaceKind::Hospital)
                .ok_or_else(|| {
                    ValidationError::new("destination", "Choose where the patient is going.")
                })?,
        };
        Ok(Discharge {
            id,
            patient_id: stay.patient_id.clone(),
            stay_id: stay.id.clone(),
            state: DischargeState::Planned,
            planned_at,
            destination,
            receiving,
            complex: rule.needs_meeting(self.complexity),
            planned_by: by.clone(),
            notified_at: now,
            accepted: None,
            discharged_at: None,
            version: 1,
        })
    }
}

/// A change of a discharge's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DischargeStep {
    /// The ward says the patient is ready.
    Ready,
    /// The receiving team accepts.
    Accept,
    /// The patient leaves.
    Discharge,
    Cancel,
}

impl Discharge {
    /// Moves the workflow on, or refuses an invalid transition (nothing changes).
    pub fn step(
        &mut self,
        step: DischargeStep,
        by: &PractitionerId,
        now: Timestamp,
    ) -> Result<(), ValidationError> {
        use DischargeState as S;
        let refused = |why: &str| Err(ValidationError::new("state", why.to_owned()));
        let next = match (self.state, step) {
            (S::Discharged | S::Cancelled, _) => {
                return refused("This discharge is finished: nothing more can change.");
            }
            (S::Planned, DischargeStep::Ready) => S::Ready,
            (_, DischargeStep::Ready) => return refused("The patient is already marked ready."),
            (S::Ready, DischargeStep::Accept) => S::Accepted,
            (S::Planned, DischargeStep::Accept) => {
                return refused("The ward has not said the patient is ready yet.");
            }
            (S::Accepted, DischargeStep::Accept) => {
                return refused("The receiving team has accepted already.");
            }
            // Patients cannot be held: discharge without acceptance is possible, and flagged.
            (S::Planned | S::Ready | S::Accepted, DischargeStep::Discharge) => S::Discharged,
            (S::Planned | S::Ready | S::Accepted, DischargeStep::Cancel) => S::Cancelled,
        };
        match step {
            DischargeStep::Accept => self.accepted = Some((by.clone(), now)),
            DischargeStep::Discharge => self.discharged_at = Some(now),
            _ => {}
        }
        self.state = next;
        self.version += 1;
        Ok(())
    }

    /// Whether the patient left without the receiving team's acceptance.
    pub fn without_acceptance(&self) -> bool {
        self.state == DischargeState::Discharged && self.accepted.is_none()
    }
}

/// The discharge letter's parts; the required ones are scored.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Letter {
    pub diagnosis: String,
    pub what_was_told: String,
    pub treatment_changes: String,
    pub medicines: String,
    pub anticipatory_medicines: String,
    pub symptom_plan: String,
    pub resuscitation: String,
    pub follow_up: String,
    pub hospital_contact: String,
}

/// The letter's parts, in order: (field, label, text).
pub fn letter_parts(l: &Letter) -> [(&'static str, &'static str, &str); 9] {
    [
        (
            "diagnosis",
            "Diagnosis and what happened in hospital",
            &l.diagnosis,
        ),
        (
            "what_was_told",
            "What the patient and family were told",
            &l.what_was_told,
        ),
        (
            "treatment_changes",
            "Treatment stopped or started",
            &l.treatment_changes,
        ),
        ("medicines", "Medicines on discharge", &l.medicines),
        (
            "anticipatory_medicines",
            "Anticipatory medicines",
            &l.anticipatory_medicines,
        ),
        ("symptom_plan", "Symptom plan", &l.symptom_plan),
        (
            "resuscitation",
            "Resuscitation and escalation decisions",
            &l.resuscitation,
        ),
        ("follow_up", "Follow-up arranged, and by whom", &l.follow_up),
        (
            "hospital_contact",
            "Who to contact in the hospital",
            &l.hospital_contact,
        ),
    ]
}

/// The longest part of a letter, in characters.
pub const MAX_LETTER_PART: usize = 4000;

impl Letter {
    /// Checks the letter's text (each part optional, limited, no control characters beyond
    /// line breaks).
    pub fn checked(self) -> Result<Letter, ValidationError> {
        let part = |field: &'static str, label: &str, text: &str| {
            if text.trim().is_empty() {
                Ok(String::new())
            } else {
                crate::error::required_long_text(field, label, text, MAX_LETTER_PART)
            }
        };
        Ok(Letter {
            diagnosis: part("diagnosis", "The diagnosis", &self.diagnosis)?,
            what_was_told: part("what_was_told", "What they were told", &self.what_was_told)?,
            treatment_changes: part(
                "treatment_changes",
                "Treatment changes",
                &self.treatment_changes,
            )?,
            medicines: part("medicines", "The medicines", &self.medicines)?,
            anticipatory_medicines: part(
                "anticipatory_medicines",
                "The anticipatory medicines",
                &self.anticipatory_medicines,
            )?,
            symptom_plan: part("symptom_plan", "The symptom plan", &self.symptom_plan)?,
            resuscitation: part(
                "resuscitation",
                "The resuscitation decisions",
                &self.resuscitation,
            )?,
            follow_up: part("follow_up", "The follow-up", &self.follow_up)?,
            hospital_contact: part(
                "hospital_contact",
                "The hospital contact",
                &self.hospital_contact,
            )?,
        })
    }

    /// The required parts left empty, by label (every part is required: the rural study's worst
    /// case was a letter that said "no more treatment to offer" and nothing about painkillers).
    pub fn missing(&self) -> Vec<&'static str> {
        letter_parts(self)
            .into_iter()
            .filter(|(_, _, text)| text.trim().is_empty())
            .map(|(_, label, _)| label)
            .collect()
    }

    /// Completeness as a percentage of the required parts present.
    pub fn completeness(&self) -> u8 {
        let total = letter_parts(self).len();
        let present = total - self.missing().len();
        u8::try_from(present * 100 / total).unwrap_or(100)
    }
}

/// When a letter sent at `sent` reached the team against an arrival at `arrived` (local dates in
/// `tz`).
pub fn timeliness(sent: Option<Timestamp>, arrived: Timestamp, tz: &TimeZone) -> Timeliness {
    match sent {
        None => Timeliness::NotSent,
        Some(at) if at <= arrived => Timeliness::BeforeArrival,
        Some(at) if at.to_zoned(tz.clone()).date() == arrived.to_zoned(tz.clone()).date() => {
            Timeliness::SameDay
        }
        Some(_) => Timeliness::Later,
    }
}

/// England and Wales bank holidays of 2026 and 2027 (gov.uk/bank-holidays), the default list of
/// public holidays; deployments elsewhere configure their own.
pub fn england_and_wales_bank_holidays() -> Vec<Date> {
    use jiff::civil::date;
    vec![
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),
        date(2027, 1, 1),
        date(2027, 3, 26),
        date(2027, 3, 29),
        date(2027, 5, 3),
        date(2027, 5, 31),
        date(2027, 8, 30),
        date(2027, 12, 27),
        date(2027, 12, 28),
    ]
}

#[cfg(test)]
mod tests;
