//! Needs-based triggers (issue 8): rules that suggest specialist palliative care referral or a
//! review when new assessment data arrives. Rules are data — an administrator edits them, every
//! edit is a new version, and each fired suggestion names the version that fired it, so how
//! useful each version was can be measured from the responses (`docs/design/triggers.md`,
//! sources in `docs/clinical/triggers.md`).

use jiff::{SignedDuration, Timestamp};

use crate::assessment::{Answer, Esas, EsasSymptom, Ipos, IposItem, IposSymptom, Phase, esas_band};
use crate::{PractitionerId, ValidationError};

crate::coded_enum! {
    /// What a rule looks at.
    pub enum RuleKind {
        IposItem => ("ipos-item", "Any IPOS item at or above a score"),
        EsasSymptom => ("esas-symptom", "Any ESAS-r symptom at or above a score"),
        Phase => ("phase", "Phase of illness becomes"),
        AkpsLow => ("akps-low", "AKPS at or below a level"),
        AkpsFall => ("akps-fall", "AKPS falls by at least some points within a period"),
        Admissions => ("admissions", "Unplanned admissions, at least a number within a period"),
    }
}

crate::coded_enum! {
    /// What a fired rule suggests.
    pub enum Suggests {
        Referral => ("referral", "Consider referral to specialist palliative care"),
        Review => ("review", "Review the plan of care"),
    }
}

crate::coded_enum! {
    /// The data whose arrival makes rules run.
    pub enum Event {
        Ipos => ("ipos", "IPOS recorded"),
        Esas => ("esas-r", "ESAS-r recorded"),
        Akps => ("akps", "AKPS recorded"),
        Phase => ("phase", "Phase of illness recorded"),
        Admission => ("admission", "Admission recorded"),
    }
}

crate::coded_enum! {
    /// How the team answered a suggestion.
    pub enum Response {
        Referred => ("referred", "Referred"),
        NotNeeded => ("not-needed", "Reviewed — not needed"),
        Deferred => ("deferred", "Deferred"),
    }
}

impl RuleKind {
    /// The data this kind of rule looks at.
    pub fn event(self) -> Event {
        match self {
            RuleKind::IposItem => Event::Ipos,
            RuleKind::EsasSymptom => Event::Esas,
            RuleKind::Phase => Event::Phase,
            RuleKind::AkpsLow | RuleKind::AkpsFall => Event::Akps,
            RuleKind::Admissions => Event::Admission,
        }
    }

    /// Whether the rule needs a period (in days).
    pub fn has_window(self) -> bool {
        matches!(self, RuleKind::AkpsFall | RuleKind::Admissions)
    }

    /// The allowed thresholds.
    fn threshold_range(self) -> (i64, i64, &'static str) {
        match self {
            RuleKind::IposItem => (1, 4, "an IPOS score from 1 to 4"),
            RuleKind::EsasSymptom => (1, 10, "an ESAS-r score from 1 to 10"),
            RuleKind::Phase => (0, 0, ""),
            RuleKind::AkpsLow => (0, 100, "an AKPS level from 0 to 100 in steps of 10"),
            RuleKind::AkpsFall => (10, 100, "a fall of 10 to 100 points in steps of 10"),
            RuleKind::Admissions => (1, 20, "a number of admissions from 1 to 20"),
        }
    }
}

/// A rule at one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The rule's stable key (kept across versions).
    pub id: String,
    pub version: i64,
    pub name: String,
    pub kind: RuleKind,
    /// The score, level, fall or count the rule compares with (unused for `Phase`).
    pub threshold: i64,
    /// The phase that fires a `Phase` rule.
    pub phase: Option<Phase>,
    /// The period in days for `AkpsFall` and `Admissions`.
    pub window_days: Option<i64>,
    pub suggests: Suggests,
    pub active: bool,
    pub rationale: String,
    pub source: String,
    /// None for the rules Hearth ships with.
    pub changed_by: Option<PractitionerId>,
    pub changed_at: Timestamp,
}

/// A rule as an administrator types it.
#[derive(Debug, Clone, Default)]
pub struct RuleDraft {
    pub name: String,
    pub kind: String,
    pub threshold: String,
    pub phase: String,
    pub window_days: String,
    pub suggests: String,
    pub active: bool,
    pub rationale: String,
    pub source: String,
}

impl RuleDraft {
    /// The draft of an existing rule, for the edit form.
    pub fn of(rule: &Rule) -> RuleDraft {
        RuleDraft {
            name: rule.name.clone(),
            kind: rule.kind.code().to_owned(),
            threshold: rule.threshold.to_string(),
            phase: rule.phase.map(|p| p.code().to_owned()).unwrap_or_default(),
            window_days: rule.window_days.map(|d| d.to_string()).unwrap_or_default(),
            suggests: rule.suggests.code().to_owned(),
            active: rule.active,
            rationale: rule.rationale.clone(),
            source: rule.source.clone(),
        }
    }

    /// Checks the draft as the next version of `previous` (a new rule when None). A rule keeps
    /// its kind across versions: what it looks at is part of what its responses measure.
    pub fn check(
        &self,
        id: &str,
        previous: Option<&Rule>,
        by: &PractitionerId,
        now: Timestamp,
    ) -> Result<Rule, ValidationError> {
        let name = crate::error::required_text("name", "The rule's name", &self.name, 120)?;
        let kind = RuleKind::from_code(self.kind.trim())
            .ok_or_else(|| ValidationError::new("kind", "Choose what the rule looks at."))?;
        if let Some(p) = previous
            && p.kind != kind
        {
            return Err(ValidationError::new(
                "kind",
                format!(
                    "A rule keeps what it looks at ({}); add a new rule instead.",
                    p.kind.label()
                ),
            ));
        }
        let (low, high, words) = kind.threshold_range();
        let (threshold, phase) = if kind == RuleKind::Phase {
            let phase = Phase::from_code(self.phase.trim()).ok_or_else(|| {
                ValidationError::new("phase", "Choose the phase of illness that fires the rule.")
            })?;
            (0, Some(phase))
        } else {
            let t = self
                .threshold
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|t| (low..=high).contains(t))
                .filter(|t| !matches!(kind, RuleKind::AkpsLow | RuleKind::AkpsFall) || t % 10 == 0)
                .ok_or_else(|| {
                    ValidationError::new("threshold", format!("The threshold is {words}."))
                })?;
            (t, None)
        };
        let window_days = if kind.has_window() {
            Some(
                self.window_days
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|d| (1..=365).contains(d))
                    .ok_or_else(|| {
                        ValidationError::new("window_days", "The period is 1 to 365 days.")
                    })?,
            )
        } else {
            None
        };
        let suggests = Suggests::from_code(self.suggests.trim()).ok_or_else(|| {
            ValidationError::new(
                "suggests",
                "Choose what the rule suggests: referral or review.",
            )
        })?;
        let rationale =
            crate::error::required_text("rationale", "The rationale", &self.rationale, 1000)?;
        let source = crate::error::required_text("source", "The source", &self.source, 500)?;
        let rule = Rule {
            id: id.to_owned(),
            version: previous.map_or(1, |p| p.version + 1),
            name,
            kind,
            threshold,
            phase,
            window_days,
            suggests,
            active: self.active,
            rationale,
            source,
            changed_by: Some(by.clone()),
            changed_at: now,
        };
        if let Some(p) = previous
            && same_content(p, &rule)
        {
            return Err(ValidationError::new(
                "name",
                "Nothing has changed: edit the rule before saving a new version.",
            ));
        }
        Ok(rule)
    }
}

fn same_content(a: &Rule, b: &Rule) -> bool {
    (
        &a.name,
        a.kind,
        a.threshold,
        a.phase,
        a.window_days,
        a.suggests,
        a.active,
        &a.rationale,
        &a.source,
    ) == (
        &b.name,
        b.kind,
        b.threshold,
        b.phase,
        b.window_days,
        b.suggests,
        b.active,
        &b.rationale,
        &b.source,
    )
}

impl Rule {
    /// The rule's condition in words, e.g. "any ESAS-r symptom 7 or more".
    pub fn condition(&self) -> String {
        let days = self.window_days.unwrap_or(0);
        match self.kind {
            RuleKind::IposItem => format!("any IPOS item {} or more", self.threshold),
            RuleKind::EsasSymptom => format!("any ESAS-r symptom {} or more", self.threshold),
            RuleKind::Phase => format!(
                "phase of illness becomes {}",
                self.phase.map_or("?", |p| p.label()).to_lowercase()
            ),
            RuleKind::AkpsLow => format!("AKPS {} or less", self.threshold),
            RuleKind::AkpsFall => {
                format!(
                    "AKPS falls by {} or more within {days} days",
                    self.threshold
                )
            }
            RuleKind::Admissions => format!(
                "{} or more unplanned admissions within {days} days",
                self.threshold
            ),
        }
    }
}

/// What the rules may look at when `event` arrives. The latest IPOS and ESAS-r are the ones
/// just recorded when the event is theirs.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub event: Event,
    pub ipos: Option<&'a Ipos>,
    pub esas: Option<&'a Esas>,
    /// AKPS scores in time order (oldest first).
    pub akps: &'a [(Timestamp, u8)],
    pub phase: Option<Phase>,
    /// When each unplanned (emergency) admission began.
    pub unplanned_admissions: &'a [Timestamp],
    pub now: Timestamp,
}

/// One rule that fired, with its reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    pub rule_id: String,
    pub rule_version: i64,
    pub suggests: Suggests,
    pub reason: String,
}

/// The active rules that look at the arriving data and whose condition holds.
pub fn evaluate(rules: &[Rule], facts: &Facts<'_>) -> Vec<Fired> {
    rules
        .iter()
        .filter(|r| r.active && r.kind.event() == facts.event)
        .filter_map(|r| {
            reason(r, facts).map(|reason| Fired {
                rule_id: r.id.clone(),
                rule_version: r.version,
                suggests: r.suggests,
                reason: format!("{reason} (rule: {}).", r.condition()),
            })
        })
        .collect()
}

fn reason(rule: &Rule, facts: &Facts<'_>) -> Option<String> {
    let days = rule.window_days.unwrap_or(0);
    // A period that cannot be counted back (corrupt or imported data) looks back to the
    // earliest moment: the rule still judges what it has.
    let since = SignedDuration::from_hours(24)
        .checked_mul(i32::try_from(days).unwrap_or(i32::MAX))
        .and_then(|back| facts.now.checked_sub(back).ok())
        .unwrap_or(Timestamp::MIN);
    match rule.kind {
        RuleKind::IposItem => {
            let ipos = facts.ipos?;
            let threshold = u8::try_from(rule.threshold).ok()?;
            let mut high: Vec<String> = IposSymptom::ALL
                .iter()
                .map(|s| s.label().to_owned())
                .zip(ipos.symptoms.iter())
                .chain(ipos.other_symptoms.iter().map(|(n, a)| (n.clone(), a)))
                .chain(
                    IposItem::ALL
                        .iter()
                        .map(|i| i.label().to_owned())
                        .zip(ipos.items.iter()),
                )
                .filter_map(|(label, a)| match a {
                    Answer::Score(s) if *s >= threshold => Some(format!("{label} {s}")),
                    _ => None,
                })
                .collect();
            if high.is_empty() {
                return None;
            }
            high.truncate(4);
            Some(format!("IPOS: {}", high.join(", ")))
        }
        RuleKind::EsasSymptom => {
            let esas = facts.esas?;
            let threshold = u8::try_from(rule.threshold).ok()?;
            let high: Vec<String> = EsasSymptom::ALL
                .iter()
                .map(|s| s.label().to_owned())
                .zip(esas.scores.iter().copied())
                .chain(esas.other.iter().map(|(n, s)| (n.clone(), *s)))
                .filter(|(_, s)| *s >= threshold)
                .map(|(label, s)| format!("{label} {s} ({})", esas_band(s).code()))
                .collect();
            (!high.is_empty()).then(|| format!("ESAS-r: {}", high.join(", ")))
        }
        RuleKind::Phase => {
            let phase = facts.phase?;
            (Some(phase) == rule.phase).then(|| format!("Phase of illness: {}", phase.label()))
        }
        RuleKind::AkpsLow => {
            let (_, latest) = facts.akps.last()?;
            (i64::from(*latest) <= rule.threshold).then(|| format!("AKPS {latest}"))
        }
        RuleKind::AkpsFall => {
            let (_, latest) = facts.akps.last()?;
            let highest = facts
                .akps
                .iter()
                .filter(|(at, _)| *at >= since)
                .map(|(_, s)| *s)
                .max()?;
            let fall = i64::from(highest) - i64::from(*latest);
            (fall >= rule.threshold)
                .then(|| format!("AKPS fell from {highest} to {latest} within {days} days"))
        }
        RuleKind::Admissions => {
            let count = facts
                .unplanned_admissions
                .iter()
                .filter(|at| **at >= since && **at <= facts.now)
                .count();
            (i64::try_from(count).ok()? >= rule.threshold)
                .then(|| format!("{count} unplanned admissions within {days} days"))
        }
    }
}

/// How long a "reviewed — not needed" keeps the same rule quiet for the patient.
pub const QUIET_AFTER_NOT_NEEDED: SignedDuration = SignedDuration::from_hours(24 * 14);

/// A fired suggestion and, once answered, its response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub id: String,
    pub patient_id: crate::PatientId,
    pub rule_id: String,
    pub rule_version: i64,
    pub suggests: Suggests,
    pub reason: String,
    pub fired_at: Timestamp,
    pub response: Option<Answered>,
}

/// A response to a suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    pub response: Response,
    pub by: PractitionerId,
    pub at: Timestamp,
    /// For a deferral: the rule stays quiet until then.
    pub until: Option<Timestamp>,
    pub note: Option<String>,
}

impl Suggestion {
    /// Whether the suggestion still waits for an answer.
    pub fn is_open(&self) -> bool {
        self.response.is_none()
    }

    /// Whether the suggestion asks for an answer at `now`: open, or deferred to a date that has
    /// come (the team is asked again).
    pub fn is_due(&self, now: Timestamp) -> bool {
        match &self.response {
            None => true,
            Some(a) => a.response == Response::Deferred && a.until.is_some_and(|u| u <= now),
        }
    }

    /// Whether this suggestion keeps its rule from firing again for the patient at `now`: while
    /// open, while deferred, and for a fortnight after "not needed". After "referred" the rule
    /// may fire again: new severe scores during a referral are worth knowing.
    pub fn holds_back(&self, now: Timestamp) -> bool {
        match &self.response {
            None => true,
            Some(a) => match a.response {
                Response::Referred => false,
                Response::Deferred => a.until.is_some_and(|u| now < u),
                Response::NotNeeded => {
                    a.at.checked_add(QUIET_AFTER_NOT_NEEDED)
                        .is_ok_and(|quiet_until| now < quiet_until)
                }
            },
        }
    }

    /// Checks a response as typed: the response code, a note (required for "not needed", so
    /// the reason is there when usefulness is measured) and, for a deferral, the time until
    /// which the rule stays quiet (after `now`, at most 90 days ahead).
    pub fn answer(
        &self,
        (response, note, until): (&str, &str, Option<Timestamp>),
        by: &PractitionerId,
        now: Timestamp,
    ) -> Result<Answered, ValidationError> {
        if !self.is_due(now) {
            return Err(ValidationError::new(
                "response",
                "This suggestion has been answered already.",
            ));
        }
        let response = Response::from_code(response.trim()).ok_or_else(|| {
            ValidationError::new(
                "response",
                "Choose a response: referred, not needed or deferred.",
            )
        })?;
        let note = crate::error::optional_text("note", "The note", note, 1000)?;
        if response == Response::NotNeeded && note.is_none() {
            return Err(ValidationError::new(
                "note",
                "Say briefly why a referral or review is not needed.",
            ));
        }
        let until = match response {
            Response::Deferred => {
                let until = until.ok_or_else(|| {
                    ValidationError::new("until", "Give the date to look at this again.")
                })?;
                let latest = now
                    .checked_add(SignedDuration::from_hours(24 * 90))
                    .unwrap_or(now);
                if until <= now || until > latest {
                    return Err(ValidationError::new(
                        "until",
                        "Defer to a date after today and within 90 days.",
                    ));
                }
                Some(until)
            }
            _ => None,
        };
        Ok(Answered {
            response,
            by: by.clone(),
            at: now,
            until,
            note,
        })
    }
}

/// How a rule version's suggestions were answered, to measure its usefulness.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usefulness {
    pub fired: usize,
    pub referred: usize,
    pub not_needed: usize,
    pub deferred: usize,
    pub open: usize,
}

/// Counts the responses to a set of suggestions (one rule version's, say).
pub fn usefulness<'a>(suggestions: impl IntoIterator<Item = &'a Suggestion>) -> Usefulness {
    let mut u = Usefulness::default();
    for s in suggestions {
        u.fired += 1;
        match s.response.as_ref().map(|a| a.response) {
            None => u.open += 1,
            Some(Response::Referred) => u.referred += 1,
            Some(Response::NotNeeded) => u.not_needed += 1,
            Some(Response::Deferred) => u.deferred += 1,
        }
    }
    u
}

#[cfg(test)]
mod tests;
