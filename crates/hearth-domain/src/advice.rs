//! The specialist advice line log: who called (or wrote) and about whom, what they asked, what
//! the specialist advised and what came of it, and whether the call came out of hours — so the
//! service can show what its advice line does, week by week.
//!
//! Everything here is pure: ids, "now", the local time and public holidays are parameters.

use jiff::civil::{self, DateTime, Time, Weekday};
use jiff::{SignedDuration, Timestamp};

use crate::{PatientId, PractitionerId, ValidationError};

crate::coded_enum! {
    /// Who contacted the advice line.
    pub enum CallerRole {
        Gp => ("gp", "GP"),
        DistrictNurse => ("district-nurse", "District nurse"),
        CommunityNurse => ("community-nurse", "Community nurse"),
        CareHomeNurse => ("care-home-nurse", "Care home nurse"),
        OohDoctor => ("ooh-doctor", "Out-of-hours doctor"),
        Paramedic => ("paramedic", "Paramedic"),
        HospitalDoctor => ("hospital-doctor", "Hospital doctor"),
        Pharmacist => ("pharmacist", "Pharmacist"),
        Patient => ("patient", "The patient"),
        FamilyCarer => ("family-carer", "Family member or carer"),
        Other => ("other", "Someone else"),
    }
}

crate::coded_enum! {
    /// How the advice line was contacted.
    pub enum AdviceChannel {
        Phone => ("phone", "Phone call"),
        Message => ("message", "Message"),
    }
}

crate::coded_enum! {
    /// What came of the advice.
    pub enum AdviceOutcome {
        ManagedAtHome => ("managed-at-home", "Managed at home"),
        VisitArranged => ("visit-arranged", "Visit arranged"),
        Admission => ("admission", "Admitted"),
        Referral => ("referral", "Referred to specialist palliative care"),
        Other => ("other", "Something else"),
    }
}

/// The longest caller name or organisation, in characters.
pub const MAX_CALLER_TEXT: usize = 200;
/// The longest description of a patient not registered in Hearth, in characters.
pub const MAX_PATIENT_DESCRIPTION: usize = 300;
/// The longest question, in characters.
pub const MAX_QUESTION: usize = 2000;
/// The longest advice, in characters.
pub const MAX_ADVICE: usize = 4000;
/// How far back a call may be logged.
pub const MAX_LOG_DELAY: SignedDuration = SignedDuration::from_hours(24 * 7);

/// One call (or message) to the advice line, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdviceCall {
    pub id: String,
    pub caller_name: String,
    pub caller_role: CallerRole,
    pub caller_organisation: Option<String>,
    /// The patient the call was about, when they are registered in Hearth.
    pub patient_id: Option<PatientId>,
    /// Who the patient is, in words, when they are not registered (or to add to the record).
    pub patient_description: Option<String>,
    /// What the caller asked (paragraphs kept).
    pub question: String,
    /// What the specialist advised (paragraphs kept).
    pub advice: String,
    pub outcome: AdviceOutcome,
    pub channel: AdviceChannel,
    /// Who logged the call.
    pub logged_by: PractitionerId,
    /// When the call came in.
    pub received_at: Timestamp,
    /// When it was logged.
    pub logged_at: Timestamp,
    /// Whether it came outside core hours (see [`is_out_of_hours`]).
    pub out_of_hours: bool,
    /// The service the person who logged it acted for (set by the use case; its log).
    pub service: Option<crate::OrganisationId>,
}

/// A call as typed into the log form.
#[derive(Debug, Clone, Default)]
pub struct AdviceCallDraft {
    pub caller_name: String,
    /// A [`CallerRole`] code.
    pub caller_role: String,
    pub caller_organisation: String,
    /// The patient, when registered in Hearth.
    pub patient: Option<PatientId>,
    /// Who the patient is, in words, for a patient not registered (optional).
    pub patient_description: String,
    pub question: String,
    pub advice: String,
    /// An [`AdviceOutcome`] code.
    pub outcome: String,
    /// An [`AdviceChannel`] code; empty means a phone call.
    pub channel: String,
}

impl AdviceCallDraft {
    /// Checks a call received at `received_at`, logged by `logged_by` at `now`. `out_of_hours`
    /// is the caller's [`is_out_of_hours`] of `received_at` in local time.
    pub fn check(
        &self,
        id: String,
        logged_by: &PractitionerId,
        received_at: Timestamp,
        now: Timestamp,
        out_of_hours: bool,
    ) -> Result<AdviceCall, ValidationError> {
        let caller_name = crate::error::required_text(
            "caller_name",
            "The caller's name",
            &self.caller_name,
            MAX_CALLER_TEXT,
        )?;
        let caller_role = CallerRole::from_code(self.caller_role.trim()).ok_or_else(|| {
            ValidationError::new(
                "caller_role",
                "Say who is calling: choose their role, or \"Someone else\".",
            )
        })?;
        let caller_organisation = crate::error::optional_text(
            "caller_organisation",
            "The caller's organisation",
            &self.caller_organisation,
            MAX_CALLER_TEXT,
        )?;
        let patient_description = crate::error::optional_text(
            "patient_description",
            "The description of the patient",
            &self.patient_description,
            MAX_PATIENT_DESCRIPTION,
        )?;
        let question = crate::error::required_long_text(
            "question",
            "The question",
            &self.question,
            MAX_QUESTION,
        )?;
        let advice =
            crate::error::required_long_text("advice", "The advice", &self.advice, MAX_ADVICE)?;
        let outcome = AdviceOutcome::from_code(self.outcome.trim()).ok_or_else(|| {
            ValidationError::new(
                "outcome",
                "Choose what came of the advice: managed at home, a visit, an admission, a referral or something else.",
            )
        })?;
        let channel = match self.channel.trim() {
            "" => AdviceChannel::Phone,
            code => AdviceChannel::from_code(code).ok_or_else(|| {
                ValidationError::new(
                    "channel",
                    "Choose whether this was a phone call or a message.",
                )
            })?,
        };
        if received_at > now {
            return Err(ValidationError::new(
                "received_at",
                "The call cannot have come in the future: correct the date and time it came in.",
            ));
        }
        if now.duration_since(received_at) > MAX_LOG_DELAY {
            return Err(ValidationError::new(
                "received_at",
                "Calls can be logged up to 7 days after them: check the date. Log calls the same day where possible.",
            ));
        }
        Ok(AdviceCall {
            id,
            caller_name,
            caller_role,
            caller_organisation,
            patient_id: self.patient.clone(),
            patient_description,
            question,
            advice,
            outcome,
            channel,
            logged_by: logged_by.clone(),
            received_at,
            logged_at: now,
            out_of_hours,
            service: None,
        })
    }
}

/// The start of core hours (08:00 local).
const IN_HOURS_FROM: Time = civil::time(8, 0, 0, 0);
/// The end of core hours (18:30 local, itself out of hours).
const IN_HOURS_UNTIL: Time = civil::time(18, 30, 0, 0);

/// Whether a call at `local` (the deployment's local date and time) is out of hours. In hours is
/// Monday to Friday from 08:00 until 18:30, NHS general practice core hours, except on a public
/// holiday (`public_holiday`: whether `local`'s date is one); everything else — evenings,
/// nights, weekends and holidays — is out of hours.
pub fn is_out_of_hours(local: DateTime, public_holiday: bool) -> bool {
    let weekday = matches!(
        local.weekday(),
        Weekday::Monday
            | Weekday::Tuesday
            | Weekday::Wednesday
            | Weekday::Thursday
            | Weekday::Friday
    );
    let time = local.time();
    let in_hours = weekday && !public_holiday && time >= IN_HOURS_FROM && time < IN_HOURS_UNTIL;
    !in_hours
}

/// What the advice line did over some calls (usually a week's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdviceSummary {
    pub total: usize,
    /// Those that came out of hours.
    pub out_of_hours: usize,
    /// Every outcome in [`AdviceOutcome::ALL`] order, with its count (zero included).
    pub by_outcome: Vec<(AdviceOutcome, usize)>,
}

/// Summarises `calls`: the caller chooses which (for example those received in one week).
pub fn advice_week(calls: &[AdviceCall]) -> AdviceSummary {
    AdviceSummary {
        total: calls.len(),
        out_of_hours: calls.iter().filter(|c| c.out_of_hours).count(),
        by_outcome: AdviceOutcome::ALL
            .iter()
            .map(|o| (*o, calls.iter().filter(|c| c.outcome == *o).count()))
            .collect(),
    }
}

#[cfg(test)]
mod tests;
