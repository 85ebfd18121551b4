//! Referral to specialist palliative care, and its triage: what the referrer asks for and why,
//! what the patient knows and whether they agree, the evidence from the record, and the
//! specialist service's answer — a priority, then acceptance (and first contact, then discharge)
//! or a decline that always carries advice. Times to triage and to first contact are measured
//! against PCOC's benchmark.
//!
//! Everything here is pure: ids, "now" and who acts are parameters. Who may take each step is the
//! use case's decision, not this module's.

use jiff::{SignedDuration, Timestamp};

use crate::{OrganisationId, PatientId, PractitionerId, ValidationError};

crate::coded_enum! {
    /// How soon the referrer asks the specialist service to respond.
    pub enum ReferralUrgency {
        Routine => ("routine", "Routine"),
        Soon => ("soon", "Soon (within 2 days)"),
        Urgent => ("urgent", "Urgent (same day)"),
    }
}

crate::coded_enum! {
    /// What the referrer asks the specialist service for; a referral asks for one or more.
    pub enum ReferralAsk {
        Advice => ("advice", "Advice for the referring team"),
        Assessment => ("assessment", "Specialist assessment of the patient"),
        JointVisit => ("joint-visit", "A joint visit with the referring team"),
        HospiceAdmission => ("hospice-admission", "Admission to the hospice"),
        CaseConference => ("case-conference", "A case conference"),
    }
}

crate::coded_enum! {
    /// The patient's part in the referral. A patient who declined is not referred
    /// ([`ReferralDraft::check`] refuses it); the value exists so the form can offer it and say
    /// why.
    pub enum PatientAgreement {
        Agrees => ("agrees", "The patient knows and agrees"),
        BestInterests => ("best-interests", "Lacks capacity: referred in their best interests"),
        Declined => ("declined", "The patient has declined referral"),
    }
}

crate::coded_enum! {
    /// The specialist service's triage priority: how soon it will see the patient.
    pub enum TriagePriority {
        P1 => ("p1", "Priority 1: within 24 hours"),
        P2 => ("p2", "Priority 2: within 3 days"),
        P3 => ("p3", "Priority 3: within 2 weeks"),
    }
}

crate::coded_enum! {
    /// Where a referral stands.
    pub enum ReferralState {
        Referred => ("referred", "Referred, awaiting triage"),
        Triaged => ("triaged", "Triaged"),
        Accepted => ("accepted", "Accepted"),
        Declined => ("declined", "Declined, with advice"),
        FirstContact => ("first-contact", "Seen by the specialist team"),
        Discharged => ("discharged", "Discharged from specialist care"),
        Withdrawn => ("withdrawn", "Withdrawn"),
    }
}

impl ReferralState {
    /// Whether the referral is still going: referred, triaged, accepted or in first contact.
    /// Declined, discharged and withdrawn referrals are finished and change no more.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Referred | Self::Triaged | Self::Accepted | Self::FirstContact
        )
    }
}

/// The longest reason for referral, decline advice or reason for withdrawal, in characters.
pub const MAX_REFERRAL_TEXT: usize = 2000;
/// The longest account of what the patient knows, in characters.
pub const MAX_PATIENT_KNOWS: usize = 1000;
/// The longest line of supporting evidence, in characters.
pub const MAX_EVIDENCE_LINE: usize = 300;
/// The most lines of supporting evidence a referral carries.
pub const MAX_EVIDENCE: usize = 20;
/// The most trigger suggestions a referral answers.
pub const MAX_SUGGESTIONS: usize = 20;

/// A referral to specialist palliative care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub id: String,
    pub patient_id: PatientId,
    pub referred_by: PractitionerId,
    /// The specialist palliative care service referred to.
    pub service: OrganisationId,
    pub referred_at: Timestamp,
    /// Why the patient is referred, in the referrer's words (paragraphs kept).
    pub reason: String,
    pub urgency: ReferralUrgency,
    /// What is asked for: one or more, without repeats, in [`ReferralAsk::ALL`] order.
    pub asks: Vec<ReferralAsk>,
    /// What the patient knows of their illness and of the referral.
    pub patient_knows: String,
    /// Never [`PatientAgreement::Declined`] on a checked referral.
    pub agreement: PatientAgreement,
    /// Lines of supporting evidence chosen from the record (for example
    /// "ESAS-r 2 Dec: Shortness of breath 8 (severe)"), in the order given, without repeats.
    pub evidence: Vec<String>,
    /// The trigger suggestions this referral answers, by id, without repeats.
    pub suggestion_ids: Vec<String>,
    pub state: ReferralState,
    pub triaged_at: Option<Timestamp>,
    pub triaged_by: Option<PractitionerId>,
    pub priority: Option<TriagePriority>,
    pub accepted_at: Option<Timestamp>,
    pub accepted_by: Option<PractitionerId>,
    pub declined_at: Option<Timestamp>,
    pub declined_by: Option<PractitionerId>,
    /// The advice given with a decline: always present on a declined referral.
    pub decline_advice: Option<String>,
    /// When the specialist team first saw or spoke to the patient, as they entered it.
    pub first_contact_at: Option<Timestamp>,
    /// Who recorded the first contact.
    pub first_contact_by: Option<PractitionerId>,
    pub discharged_at: Option<Timestamp>,
    pub discharged_by: Option<PractitionerId>,
    pub withdrawn_at: Option<Timestamp>,
    pub withdrawn_by: Option<PractitionerId>,
    pub withdrawal_reason: Option<String>,
    /// 1 when made, one more on every step (optimistic concurrency).
    pub version: i64,
}

/// A referral as typed into the form: codes and text.
#[derive(Debug, Clone, Default)]
pub struct ReferralDraft {
    pub reason: String,
    /// A [`ReferralUrgency`] code.
    pub urgency: String,
    /// [`ReferralAsk`] codes; blanks are ignored and repeats dropped.
    pub asks: Vec<String>,
    pub patient_knows: String,
    /// A [`PatientAgreement`] code.
    pub agreement: String,
    /// Lines of evidence chosen from the record; blank lines are ignored and repeats dropped.
    pub evidence: Vec<String>,
    /// Ids of the trigger suggestions the referral answers; blanks are ignored and repeats
    /// dropped.
    pub suggestion_ids: Vec<String>,
}

impl ReferralDraft {
    /// Checks the referral of `patient` to `service` by `by`, made `now`, which starts
    /// [`ReferralState::Referred`] at version 1.
    pub fn check(
        &self,
        id: String,
        patient: &PatientId,
        service: &OrganisationId,
        by: &PractitionerId,
        now: Timestamp,
    ) -> Result<Referral, ValidationError> {
        let reason = crate::error::required_long_text(
            "reason",
            "The reason for referral",
            &self.reason,
            MAX_REFERRAL_TEXT,
        )?;
        let urgency = ReferralUrgency::from_code(self.urgency.trim()).ok_or_else(|| {
            ValidationError::new(
                "urgency",
                "Choose how urgent the referral is: routine, soon or urgent.",
            )
        })?;
        let asks = check_asks(&self.asks)?;
        let patient_knows = crate::error::required_long_text(
            "patient_knows",
            "What the patient knows",
            &self.patient_knows,
            MAX_PATIENT_KNOWS,
        )?;
        let agreement = match PatientAgreement::from_code(self.agreement.trim()) {
            None => {
                return Err(ValidationError::new(
                    "agreement",
                    "Say whether the patient knows and agrees to the referral, or lacks capacity and is referred in their best interests.",
                ));
            }
            Some(PatientAgreement::Declined) => {
                return Err(ValidationError::new(
                    "agreement",
                    "The patient has declined referral, so they cannot be referred: record the conversation in their notes, and refer if they change their mind.",
                ));
            }
            Some(agreement) => agreement,
        };
        let evidence = check_evidence(&self.evidence)?;
        let suggestion_ids = check_suggestions(&self.suggestion_ids)?;
        Ok(Referral {
            id,
            patient_id: patient.clone(),
            referred_by: by.clone(),
            service: service.clone(),
            referred_at: now,
            reason,
            urgency,
            asks,
            patient_knows,
            agreement,
            evidence,
            suggestion_ids,
            state: ReferralState::Referred,
            triaged_at: None,
            triaged_by: None,
            priority: None,
            accepted_at: None,
            accepted_by: None,
            declined_at: None,
            declined_by: None,
            decline_advice: None,
            first_contact_at: None,
            first_contact_by: None,
            discharged_at: None,
            discharged_by: None,
            withdrawn_at: None,
            withdrawn_by: None,
            withdrawal_reason: None,
            version: 1,
        })
    }
}

/// The asks as codes into values: at least one, no repeats, in [`ReferralAsk::ALL`] order.
fn check_asks(codes: &[String]) -> Result<Vec<ReferralAsk>, ValidationError> {
    let mut chosen = Vec::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let ask = ReferralAsk::from_code(code).ok_or_else(|| {
            ValidationError::new(
                "asks",
                "Choose what you are asking the specialist team for from the list.",
            )
        })?;
        chosen.push(ask);
    }
    let asks: Vec<ReferralAsk> = ReferralAsk::ALL
        .iter()
        .copied()
        .filter(|a| chosen.contains(a))
        .collect();
    if asks.is_empty() {
        return Err(ValidationError::new(
            "asks",
            "Say what you are asking the specialist team for: advice, an assessment, a joint visit, hospice admission or a case conference.",
        ));
    }
    Ok(asks)
}

/// The evidence lines, trimmed, blanks and repeats dropped, each checked.
fn check_evidence(lines: &[String]) -> Result<Vec<String>, ValidationError> {
    let mut evidence: Vec<String> = Vec::new();
    for line in lines {
        let Some(line) =
            crate::error::optional_text("evidence", "A line of evidence", line, MAX_EVIDENCE_LINE)?
        else {
            continue;
        };
        if !evidence.contains(&line) {
            evidence.push(line);
        }
    }
    if evidence.len() > MAX_EVIDENCE {
        return Err(ValidationError::new(
            "evidence",
            format!(
                "Choose at most {MAX_EVIDENCE} pieces of evidence: the ones that show why the patient needs specialist care."
            ),
        ));
    }
    Ok(evidence)
}

/// The suggestion ids, trimmed, blanks and repeats dropped, each of the shape of an id.
fn check_suggestions(ids: &[String]) -> Result<Vec<String>, ValidationError> {
    let mut out: Vec<String> = Vec::new();
    for id in ids.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        if !crate::ids::is_valid(id) {
            return Err(ValidationError::new(
                "suggestion_ids",
                "A suggestion this referral answers is not recognised: reload the page and choose again.",
            ));
        }
        if !out.iter().any(|o| o == id) {
            out.push(id.to_owned());
        }
    }
    if out.len() > MAX_SUGGESTIONS {
        return Err(ValidationError::new(
            "suggestion_ids",
            format!("A referral answers at most {MAX_SUGGESTIONS} suggestions."),
        ));
    }
    Ok(out)
}

/// A change of a referral's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralStep {
    /// The specialist service gives the referral a priority.
    Triage { priority: TriagePriority },
    /// The specialist service takes the patient on (after triage).
    Accept,
    /// The specialist service declines (after triage), always with advice for the referrer.
    Decline { advice: String },
    /// The specialist team first saw or spoke to the patient, at the time they give.
    FirstContact { at: Timestamp },
    /// The specialist team's episode of care ends.
    Discharge,
    /// The referral is withdrawn before the specialist team has seen the patient, with a reason.
    Withdraw { reason: String },
}

impl Referral {
    /// Moves the referral on, or refuses an invalid step (nothing changes then). Every step
    /// made adds one to `version`.
    ///
    /// | from \ step | triage | accept | decline | first contact | discharge | withdraw |
    /// |---|---|---|---|---|---|---|
    /// | referred | triaged | refused | refused | refused | refused | withdrawn |
    /// | triaged | refused | accepted | declined | refused | refused | withdrawn |
    /// | accepted | refused | refused | refused | first contact | discharged | withdrawn |
    /// | first contact | refused | refused | refused | refused | discharged | refused |
    /// | declined, discharged, withdrawn | refused | refused | refused | refused | refused | refused |
    ///
    /// Acceptance and decline both need triage first, so every answered referral has a priority
    /// and a time to triage. A decline needs advice; a withdrawal a reason. First contact is
    /// the time the specialist gives: not before the referral, not after `now`. Once the team
    /// has seen the patient, their care ends with a discharge rather than a withdrawal; an
    /// accepted referral may also be closed by a discharge before first contact (the patient
    /// died, or was admitted, before the team could see them).
    pub fn step(
        &mut self,
        step: ReferralStep,
        by: &PractitionerId,
        now: Timestamp,
    ) -> Result<(), ValidationError> {
        use ReferralState as S;
        use ReferralStep as Step;
        let refused = |why: &str| Err(ValidationError::new("state", why.to_owned()));
        match (self.state, &step) {
            (S::Declined, _) => {
                return refused(
                    "This referral was declined: nothing more can change. Make a new referral if the patient's needs have changed.",
                );
            }
            (S::Discharged, _) => {
                return refused(
                    "The patient has been discharged from specialist care: nothing more can change. Make a new referral if they need the team again.",
                );
            }
            (S::Withdrawn, _) => {
                return refused(
                    "This referral was withdrawn: nothing more can change. Make a new referral if it is needed after all.",
                );
            }
            (S::Referred, Step::Triage { .. }) => {}
            (_, Step::Triage { .. }) => {
                return refused("The referral has been triaged already.");
            }
            (S::Referred, Step::Accept | Step::Decline { .. }) => {
                return refused("Triage the referral first: give it a priority.");
            }
            (S::Triaged, Step::Accept | Step::Decline { .. }) => {}
            (S::Accepted | S::FirstContact, Step::Accept) => {
                return refused("The referral has been accepted already.");
            }
            (S::Accepted | S::FirstContact, Step::Decline { .. }) => {
                return refused(
                    "The referral has been accepted, so it cannot be declined now: discharge the patient from specialist care instead.",
                );
            }
            (S::Accepted, Step::FirstContact { .. }) => {}
            (S::Referred | S::Triaged, Step::FirstContact { .. }) => {
                return refused("Accept the referral before recording first contact.");
            }
            (S::FirstContact, Step::FirstContact { .. }) => {
                return refused("First contact has been recorded already.");
            }
            (S::FirstContact | S::Accepted, Step::Discharge) => {}
            (S::Referred | S::Triaged, Step::Discharge) => {
                return refused(
                    "The referral has not been accepted: accept or decline it (with advice) instead of discharging.",
                );
            }
            (S::Referred | S::Triaged | S::Accepted, Step::Withdraw { .. }) => {}
            (S::FirstContact, Step::Withdraw { .. }) => {
                return refused(
                    "The specialist team has seen the patient: their care ends with a discharge, not a withdrawal.",
                );
            }
        }
        match step {
            Step::Triage { priority } => {
                self.state = S::Triaged;
                self.triaged_at = Some(now);
                self.triaged_by = Some(by.clone());
                self.priority = Some(priority);
            }
            Step::Accept => {
                self.state = S::Accepted;
                self.accepted_at = Some(now);
                self.accepted_by = Some(by.clone());
            }
            Step::Decline { advice } => {
                let advice = crate::error::required_long_text(
                    "advice",
                    "Advice for the referrer",
                    &advice,
                    MAX_REFERRAL_TEXT,
                )?;
                self.state = S::Declined;
                self.declined_at = Some(now);
                self.declined_by = Some(by.clone());
                self.decline_advice = Some(advice);
            }
            Step::FirstContact { at } => {
                if at < self.referred_at {
                    return Err(ValidationError::new(
                        "first_contact_at",
                        "First contact cannot be before the referral was made: correct the date and time.",
                    ));
                }
                if at > now {
                    return Err(ValidationError::new(
                        "first_contact_at",
                        "First contact is recorded once it has happened: correct the date and time.",
                    ));
                }
                self.state = S::FirstContact;
                self.first_contact_at = Some(at);
                self.first_contact_by = Some(by.clone());
            }
            Step::Discharge => {
                self.state = S::Discharged;
                self.discharged_at = Some(now);
                self.discharged_by = Some(by.clone());
            }
            Step::Withdraw { reason } => {
                let reason = crate::error::required_long_text(
                    "reason",
                    "The reason for withdrawing",
                    &reason,
                    MAX_REFERRAL_TEXT,
                )?;
                self.state = S::Withdrawn;
                self.withdrawn_at = Some(now);
                self.withdrawn_by = Some(by.clone());
                self.withdrawal_reason = Some(reason);
            }
        }
        self.version += 1;
        Ok(())
    }

    /// Whether the referral is still going (see [`ReferralState::is_open`]).
    pub fn is_open(&self) -> bool {
        self.state.is_open()
    }

    /// From referral to triage, once triaged.
    pub fn time_to_triage(&self) -> Option<SignedDuration> {
        self.triaged_at.map(|t| t.duration_since(self.referred_at))
    }

    /// From referral to the specialist team's first contact, once made.
    pub fn time_to_first_contact(&self) -> Option<SignedDuration> {
        self.first_contact_at
            .map(|t| t.duration_since(self.referred_at))
    }
}

/// How quickly a set of referrals was answered.
///
/// PCOC (the Australian Palliative Care Outcomes Collaboration) benchmarks the time from a
/// patient being ready for care to the start of their episode: at least 90% of patients should
/// have it within one day (the same or the following day). Hearth takes the referral as the
/// moment the patient is ready for care, and counts "within a day" as at most 24 hours after it
/// — stricter than PCOC's calendar days, and free of time zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeliness {
    /// The referrals counted.
    pub referred: usize,
    /// Those whose first contact was at most 24 hours after the referral.
    pub first_contact_within_a_day: usize,
    /// Those with a first contact recorded.
    pub with_first_contact: usize,
    /// The median time to triage of the triaged ones (`None` when none were).
    pub median_to_triage: Option<SignedDuration>,
    /// The median time to first contact of those with one (`None` when none had).
    pub median_to_first_contact: Option<SignedDuration>,
}

/// PCOC's benchmark: the least share of patients, in per cent, with first contact within a day.
pub const FIRST_CONTACT_BENCHMARK_PERCENT: usize = 90;

impl Timeliness {
    /// The share of referrals with a first contact that had it within a day, in whole per cent
    /// (rounded to the nearest), or `None` when none had first contact yet.
    pub fn within_a_day_percent(&self) -> Option<u8> {
        if self.with_first_contact == 0 {
            return None;
        }
        let whole = self.with_first_contact;
        let part = self.first_contact_within_a_day.min(whole);
        u8::try_from((part * 100 + whole / 2) / whole).ok()
    }

    /// Whether at least 90% of referrals with a first contact had it within a day (exactly,
    /// before rounding), or `None` when none had first contact yet.
    pub fn meets_benchmark(&self) -> Option<bool> {
        (self.with_first_contact > 0).then(|| {
            self.first_contact_within_a_day.saturating_mul(100)
                >= self
                    .with_first_contact
                    .saturating_mul(FIRST_CONTACT_BENCHMARK_PERCENT)
        })
    }
}

/// How quickly `referrals` were triaged and seen (see [`Timeliness`]). Referrals without a
/// triage or first contact yet count in `referred` only.
pub fn timeliness(referrals: &[Referral]) -> Timeliness {
    let day = SignedDuration::from_hours(24);
    let to_triage: Vec<SignedDuration> = referrals
        .iter()
        .filter_map(Referral::time_to_triage)
        .collect();
    let to_contact: Vec<SignedDuration> = referrals
        .iter()
        .filter_map(Referral::time_to_first_contact)
        .collect();
    Timeliness {
        referred: referrals.len(),
        first_contact_within_a_day: to_contact.iter().filter(|d| **d <= day).count(),
        with_first_contact: to_contact.len(),
        median_to_triage: median(to_triage),
        median_to_first_contact: median(to_contact),
    }
}

/// The middle duration (the mean of the two middle ones for an even count), or `None` for none.
fn median(mut values: Vec<SignedDuration>) -> Option<SignedDuration> {
    values.sort_unstable();
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values.get(mid).copied()
    } else {
        let low = *values.get(mid.checked_sub(1)?)?;
        let high = *values.get(mid)?;
        Some(
            low.checked_add(high)
                .and_then(|sum| sum.checked_div(2))
                .unwrap_or(low / 2 + high / 2),
        )
    }
}

#[cfg(test)]
mod tests;
