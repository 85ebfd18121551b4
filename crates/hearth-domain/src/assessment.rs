//! Needs assessment instruments (issue 8), exactly as published: IPOS (Integrated Palliative
//! care Outcome Scale), ESAS-r (revised Edmonton Symptom Assessment System), AKPS
//! (Australia-modified Karnofsky Performance Status) and the palliative care phase of illness.
//! Items, ranges, scoring and bands follow the sources cited in `docs/clinical/` (one page per
//! instrument). Answers out of range or missing are refused with a message naming the item.
//!
//! An [`Assessment`] is one instrument's answers with when, by whom and from whom; the store
//! keeps them, the trigger rules (`crate::trigger`) read them.

use jiff::{SignedDuration, Timestamp};

use crate::{PatientId, PractitionerId, ValidationError};

crate::coded_enum! {
    /// The instruments Hearth records.
    pub enum Instrument {
        Ipos => ("ipos", "IPOS"),
        Esas => ("esas-r", "ESAS-r"),
        Akps => ("akps", "AKPS"),
    }
}

/// One instrument's answers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    Ipos(Ipos),
    Esas(Esas),
    Akps(u8),
}

impl Measure {
    pub fn instrument(&self) -> Instrument {
        match self {
            Measure::Ipos(_) => Instrument::Ipos,
            Measure::Esas(_) => Instrument::Esas,
            Measure::Akps(_) => Instrument::Akps,
        }
    }

    /// Who answered, as a stored code: the IPOS version, who completed the ESAS-r, or staff
    /// for AKPS (a clinician's rating).
    pub fn respondent(&self) -> &'static str {
        match self {
            Measure::Ipos(i) => i.version.code(),
            Measure::Esas(e) => e.completed_by.code(),
            Measure::Akps(_) => "staff",
        }
    }

    /// Who answered, in words.
    pub fn respondent_label(&self) -> &'static str {
        match self {
            Measure::Ipos(i) => match i.version {
                IposVersion::Patient => "Patient",
                IposVersion::Staff => "Staff",
            },
            Measure::Esas(e) => e.completed_by.label(),
            Measure::Akps(_) => "Clinician's rating",
        }
    }

    /// The headline score: the IPOS total (None when an item could not be assessed), the
    /// ESAS-r total symptom distress score, or the AKPS level.
    pub fn score(&self) -> Option<i64> {
        match self {
            Measure::Ipos(i) => i.scores().total.map(i64::from),
            Measure::Esas(e) => Some(i64::from(e.total())),
            Measure::Akps(a) => Some(i64::from(*a)),
        }
    }
}

/// A recorded assessment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Assessment {
    pub id: String,
    pub patient_id: PatientId,
    pub measure: Measure,
    /// When the answers were given (may be earlier than the recording).
    pub assessed_at: Timestamp,
    /// The clinician who assessed, or who recorded the patient's or carer's answers.
    pub assessor: PractitionerId,
    pub recorded_at: Timestamp,
}

/// How far back an assessment may be entered.
pub const LATEST_BACKDATING: SignedDuration = SignedDuration::from_hours(24 * 30);

/// Checks when an assessment was made: not in the future and within the last 30 days (older
/// answers no longer describe the patient well enough to act on).
pub fn assessed_at(at: Timestamp, now: Timestamp) -> Result<Timestamp, ValidationError> {
    if at > now + SignedDuration::from_mins(5) {
        return Err(ValidationError::new(
            "assessed_at",
            "An assessment is recorded once it has been made: the time is in the future.",
        ));
    }
    if at < now - LATEST_BACKDATING {
        return Err(ValidationError::new(
            "assessed_at",
            "Assessments older than 30 days cannot be entered; record a new one.",
        ));
    }
    Ok(at)
}

crate::coded_enum! {
    /// Which way a score moved since the previous one, for the patient.
    pub enum Direction {
        Better => ("better", "better"),
        Same => ("same", "unchanged"),
        Worse => ("worse", "worse"),
    }
}

/// The direction from `previous` to `latest`; for symptom scores lower is better, for AKPS
/// higher is better.
pub fn direction(previous: i64, latest: i64, higher_is_better: bool) -> Direction {
    match (latest.cmp(&previous), higher_is_better) {
        (std::cmp::Ordering::Equal, _) => Direction::Same,
        (std::cmp::Ordering::Greater, true) | (std::cmp::Ordering::Less, false) => {
            Direction::Better
        }
        _ => Direction::Worse,
    }
}

crate::coded_enum! {
    /// The period an IPOS asks about.
    pub enum Recall {
        ThreeDays => ("3-day", "Over the past 3 days"),
        SevenDays => ("7-day", "Over the past week"),
    }
}

crate::coded_enum! {
    /// Who answered an IPOS: the patient, or staff (the staff version).
    pub enum IposVersion {
        Patient => ("patient", "Patient version"),
        Staff => ("staff", "Staff version"),
    }
}

crate::coded_enum! {
    /// The ten IPOS physical symptoms (question 2), in the questionnaire's order.
    pub enum IposSymptom {
        Pain => ("pain", "Pain"),
        ShortnessOfBreath => ("shortness-of-breath", "Shortness of breath"),
        Weakness => ("weakness", "Weakness or lack of energy"),
        Nausea => ("nausea", "Nausea (feeling like you are going to be sick)"),
        Vomiting => ("vomiting", "Vomiting (being sick)"),
        PoorAppetite => ("poor-appetite", "Poor appetite"),
        Constipation => ("constipation", "Constipation"),
        SoreOrDryMouth => ("sore-dry-mouth", "Sore or dry mouth"),
        Drowsiness => ("drowsiness", "Drowsiness"),
        PoorMobility => ("poor-mobility", "Poor mobility"),
    }
}

crate::coded_enum! {
    /// IPOS questions 3 to 9: the emotional and the communication and practical items.
    pub enum IposItem {
        PatientAnxiety => ("patient-anxiety", "Anxious or worried about the illness or treatment"),
        FamilyAnxiety => ("family-anxiety", "Family or friends anxious or worried"),
        Depression => ("depression", "Feeling depressed"),
        AtPeace => ("at-peace", "Feeling at peace"),
        SharingFeelings => ("sharing-feelings", "Able to share feelings with family or friends"),
        Information => ("information", "Had as much information as wanted"),
        PracticalProblems => ("practical-problems", "Practical problems from the illness addressed"),
    }
}

/// The IPOS answer words for a score 0–4 of `item`; every IPOS item is scored 0 (best) to 4
/// (worst), whatever the wording of its answers.
pub fn ipos_answer(item: Option<IposItem>, score: u8) -> &'static str {
    const SYMPTOM: [&str; 5] = [
        "Not at all",
        "Slightly",
        "Moderately",
        "Severely",
        "Overwhelmingly",
    ];
    const FREQUENCY: [&str; 5] = [
        "Not at all",
        "Occasionally",
        "Sometimes",
        "Most of the time",
        "Always",
    ];
    const REVERSED: [&str; 5] = [
        "Always",
        "Most of the time",
        "Sometimes",
        "Occasionally",
        "Not at all",
    ];
    const PRACTICAL: [&str; 5] = [
        "Problems addressed or no problems",
        "Problems mostly addressed",
        "Problems partly addressed",
        "Problems hardly addressed",
        "Problems not addressed",
    ];
    let words = match item {
        None => &SYMPTOM,
        Some(IposItem::PatientAnxiety | IposItem::FamilyAnxiety | IposItem::Depression) => {
            &FREQUENCY
        }
        Some(IposItem::AtPeace | IposItem::SharingFeelings | IposItem::Information) => &REVERSED,
        Some(IposItem::PracticalProblems) => &PRACTICAL,
    };
    words.get(usize::from(score)).copied().unwrap_or("")
}

/// The most "other symptoms" an IPOS records.
pub const IPOS_OTHER_SYMPTOMS: usize = 3;

/// One answer: a score, or (staff version only) "cannot assess".
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    Score(u8),
    CannotAssess,
}

/// An IPOS as recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ipos {
    pub version: IposVersion,
    pub recall: Recall,
    /// Question 1, in the respondent's words (up to three concerns).
    pub main_concerns: Vec<String>,
    /// Question 2, the ten listed symptoms in order.
    pub symptoms: [Answer; 10],
    /// Question 2, other symptoms named by the respondent, with their scores.
    pub other_symptoms: Vec<(String, Answer)>,
    /// Questions 3 to 9, in order.
    pub items: [Answer; 7],
}

/// IPOS scores: each only when every item it adds up was answered (Hearth does not impute).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IposScores {
    /// All 17 scored items (questions 2 and 3–9), 0–68.
    pub total: Option<u8>,
    /// The ten physical symptoms, 0–40.
    pub physical: Option<u8>,
    /// Anxiety, family anxiety, depression, feeling at peace: 0–16.
    pub emotional: Option<u8>,
    /// Sharing feelings, information, practical problems: 0–12.
    pub communication_practical: Option<u8>,
}

fn sum(answers: &[Answer]) -> Option<u8> {
    answers.iter().try_fold(0u8, |total, a| match a {
        Answer::Score(s) => total.checked_add(*s),
        Answer::CannotAssess => None,
    })
}

impl Ipos {
    /// Checks an IPOS as typed: `symptoms` and `items` as the form gives them (a score "0" to
    /// "4", "cannot-assess" on the staff version, or empty when not answered).
    pub fn check(
        (version, recall): (&str, &str),
        main_concerns: &[String],
        (symptoms, others): (&[String], &[(String, String)]),
        items: &[String],
    ) -> Result<Ipos, ValidationError> {
        let version = IposVersion::from_code(version.trim()).ok_or_else(|| {
            ValidationError::new(
                "version",
                "Choose the patient or the staff version of IPOS.",
            )
        })?;
        let recall = Recall::from_code(recall.trim()).ok_or_else(|| {
            ValidationError::new("recall", "Choose the recall period: 3 days or 7 days.")
        })?;
        let answer =
            |field: &'static str, label: &str, text: &str| -> Result<Answer, ValidationError> {
                match text.trim() {
                    "cannot-assess" if version == IposVersion::Staff => Ok(Answer::CannotAssess),
                    "cannot-assess" => Err(ValidationError::new(
                        field,
                        format!("\"Cannot assess\" is for the staff version only ({label})."),
                    )),
                    "" => Err(ValidationError::new(
                        field,
                        format!(
                            "Answer \"{label}\" (0 to 4{}).",
                            if version == IposVersion::Staff {
                                ", or cannot assess"
                            } else {
                                ""
                            }
                        ),
                    )),
                    t => t
                        .parse::<u8>()
                        .ok()
                        .filter(|s| *s <= 4)
                        .map(Answer::Score)
                        .ok_or_else(|| {
                            ValidationError::new(field, format!("\"{label}\" is scored 0 to 4."))
                        }),
                }
            };
        if symptoms.len() != IposSymptom::ALL.len() {
            return Err(ValidationError::new("symptoms", "Answer all ten symptoms."));
        }
        if items.len() != IposItem::ALL.len() {
            return Err(ValidationError::new("items", "Answer questions 3 to 9."));
        }
        let mut scored = [Answer::Score(0); 10];
        for (n, (symptom, text)) in IposSymptom::ALL.iter().zip(symptoms).enumerate() {
            scored[n] = answer("symptoms", symptom.label(), text)?;
        }
        let mut answered = [Answer::Score(0); 7];
        for (n, (item, text)) in IposItem::ALL.iter().zip(items).enumerate() {
            answered[n] = answer("items", item.label(), text)?;
        }
        let named: Vec<&(String, String)> = others
            .iter()
            .filter(|(name, score)| !name.trim().is_empty() || !score.trim().is_empty())
            .collect();
        if named.len() > IPOS_OTHER_SYMPTOMS {
            return Err(ValidationError::new(
                "other_symptoms",
                "IPOS records up to three other symptoms.",
            ));
        }
        let mut other_symptoms = Vec::new();
        for (name, score) in named {
            let name = crate::error::required_text(
                "other_symptoms",
                "The other symptom's name",
                name,
                100,
            )?;
            other_symptoms.push((name.clone(), answer("other_symptoms", &name, score)?));
        }
        let mut concerns = Vec::new();
        for c in main_concerns {
            if let Some(c) = crate::error::optional_text("main_concerns", "A main concern", c, 500)?
            {
                concerns.push(c);
            }
        }
        if concerns.len() > 3 {
            return Err(ValidationError::new(
                "main_concerns",
                "IPOS records up to three main concerns.",
            ));
        }
        Ok(Ipos {
            version,
            recall,
            main_concerns: concerns,
            symptoms: scored,
            other_symptoms,
            items: answered,
        })
    }

    /// The total and subscale scores (other symptoms are recorded, not added).
    pub fn scores(&self) -> IposScores {
        let physical = sum(&self.symptoms);
        let emotional = sum(&self.items[0..4]);
        let communication_practical = sum(&self.items[4..7]);
        let total = match (physical, emotional, communication_practical) {
            (Some(p), Some(e), Some(c)) => p.checked_add(e).and_then(|t| t.checked_add(c)),
            _ => None,
        };
        IposScores {
            total,
            physical,
            emotional,
            communication_practical,
        }
    }

    /// The highest score of any single item (symptoms, other symptoms and questions 3–9), for
    /// triggers such as "any IPOS item 3 or more".
    pub fn highest_item(&self) -> Option<u8> {
        self.symptoms
            .iter()
            .chain(self.other_symptoms.iter().map(|(_, a)| a))
            .chain(self.items.iter())
            .filter_map(|a| match a {
                Answer::Score(s) => Some(*s),
                Answer::CannotAssess => None,
            })
            .max()
    }
}

crate::coded_enum! {
    /// The nine ESAS-r symptoms, in the published order.
    pub enum EsasSymptom {
        Pain => ("pain", "Pain"),
        Tiredness => ("tiredness", "Tiredness (lack of energy)"),
        Drowsiness => ("drowsiness", "Drowsiness (feeling sleepy)"),
        Nausea => ("nausea", "Nausea"),
        LackOfAppetite => ("lack-of-appetite", "Lack of appetite"),
        ShortnessOfBreath => ("shortness-of-breath", "Shortness of breath"),
        Depression => ("depression", "Depression (feeling sad)"),
        Anxiety => ("anxiety", "Anxiety (feeling nervous)"),
        Wellbeing => ("wellbeing", "Wellbeing (how you feel overall)"),
    }
}

crate::coded_enum! {
    /// Who completed an ESAS-r.
    pub enum EsasCompletedBy {
        Patient => ("patient", "Patient"),
        FamilyCaregiver => ("family-caregiver", "Family caregiver"),
        Professional => ("professional", "Health care professional caregiver"),
        Assisted => ("assisted", "Caregiver-assisted"),
    }
}

crate::coded_enum! {
    /// The customary severity bands of an ESAS-r score.
    pub enum EsasBand {
        None => ("none", "None (0)"),
        Mild => ("mild", "Mild (1–3)"),
        Moderate => ("moderate", "Moderate (4–6)"),
        Severe => ("severe", "Severe (7–10)"),
    }
}

/// The band of one ESAS-r score (0–10).
pub fn esas_band(score: u8) -> EsasBand {
    match score {
        0 => EsasBand::None,
        1..=3 => EsasBand::Mild,
        4..=6 => EsasBand::Moderate,
        _ => EsasBand::Severe,
    }
}

/// An ESAS-r as recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Esas {
    pub completed_by: EsasCompletedBy,
    /// The nine symptoms in order, each 0 (none) to 10 (worst possible).
    pub scores: [u8; 9],
    /// The optional "other problem", named, with its score.
    pub other: Option<(String, u8)>,
}

impl Esas {
    /// Checks an ESAS-r as typed (each symptom "0" to "10", all required).
    pub fn check(
        completed_by: &str,
        scores: &[String],
        other: (&str, &str),
    ) -> Result<Esas, ValidationError> {
        let completed_by = EsasCompletedBy::from_code(completed_by.trim())
            .ok_or_else(|| ValidationError::new("completed_by", "Say who completed the ESAS-r."))?;
        if scores.len() != EsasSymptom::ALL.len() {
            return Err(ValidationError::new("scores", "Score all nine symptoms."));
        }
        let score = |label: &str, text: &str| {
            text.trim()
                .parse::<u8>()
                .ok()
                .filter(|s| *s <= 10)
                .ok_or_else(|| {
                    ValidationError::new(
                        "scores",
                        format!("Score \"{label}\" from 0 (none) to 10 (worst possible)."),
                    )
                })
        };
        let mut out = [0u8; 9];
        for (n, (symptom, text)) in EsasSymptom::ALL.iter().zip(scores).enumerate() {
            out[n] = score(symptom.label(), text)?;
        }
        let other = match (other.0.trim(), other.1.trim()) {
            ("", "") => None,
            ("", _) => {
                return Err(ValidationError::new(
                    "other",
                    "Name the other problem you scored.",
                ));
            }
            (name, text) => Some((
                crate::error::required_text("other", "The other problem", name, 100)?,
                score(name, text)?,
            )),
        };
        Ok(Esas {
            completed_by,
            scores: out,
            other,
        })
    }

    /// The total symptom distress score: the nine symptoms added, 0–90.
    pub fn total(&self) -> u16 {
        self.scores.iter().map(|s| u16::from(*s)).sum()
    }
}

/// The AKPS levels, 0 to 100 in steps of 10, with their published descriptions (paraphrased
/// closely; see `docs/clinical/akps.md`).
pub const AKPS_LEVELS: [(u8, &str); 11] = [
    (100, "Normal; no complaints; no evidence of disease"),
    (
        90,
        "Able to carry on normal activity; minor signs or symptoms",
    ),
    (
        80,
        "Normal activity with effort; some signs or symptoms of disease",
    ),
    (
        70,
        "Cares for self; unable to carry on normal activity or to do active work",
    ),
    (
        60,
        "Able to care for most needs; but requires occasional assistance",
    ),
    (
        50,
        "Considerable assistance and frequent medical care required",
    ),
    (40, "In bed more than 50% of the time"),
    (30, "Almost completely bedfast"),
    (
        20,
        "Totally bedfast and requiring extensive nursing care by professionals and/or family",
    ),
    (10, "Comatose or barely rousable"),
    (0, "Dead"),
];

/// Checks an AKPS score as typed: 0 to 100 in steps of 10.
pub fn akps(text: &str) -> Result<u8, ValidationError> {
    text.trim()
        .parse::<u8>()
        .ok()
        .filter(|s| *s <= 100 && s % 10 == 0)
        .ok_or_else(|| {
            ValidationError::new("akps", "AKPS is 0 to 100 in steps of 10: choose a level.")
        })
}

crate::coded_enum! {
    /// The palliative care phase of illness (PCOC).
    pub enum Phase {
        Stable => ("stable", "Stable"),
        Unstable => ("unstable", "Unstable"),
        Deteriorating => ("deteriorating", "Deteriorating"),
        Terminal => ("terminal", "Terminal"),
        Bereaved => ("bereaved", "Bereaved"),
    }
}

impl Phase {
    /// The phase's definition, paraphrasing PCOC (see `docs/clinical/phase.md`).
    pub fn definition(self) -> &'static str {
        match self {
            Phase::Stable => {
                "Problems and symptoms are adequately controlled by the established plan of care, and the family's situation is relatively stable."
            }
            Phase::Unstable => {
                "An urgent change in the plan of care or emergency treatment is needed: a new problem, a rapid increase in an existing one, or a sudden change in the family's circumstances that affects care."
            }
            Phase::Deteriorating => {
                "The plan addresses anticipated needs but needs regular review: overall function is declining, with gradual worsening of existing problems or new but anticipated ones, or gradually growing family distress."
            }
            Phase::Terminal => "Death is likely within days.",
            Phase::Bereaved => "The patient has died; care is for the bereaved family or carers.",
        }
    }
}

/// A phase with the moment it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PhaseEpisode {
    pub phase: Phase,
    pub started_at: Timestamp,
}

/// Checks a new phase after the current one: a phase starts no earlier than the current one,
/// never in the future, and after "bereaved" nothing follows.
pub fn next_phase(
    current: Option<&PhaseEpisode>,
    phase: &str,
    started_at: Timestamp,
    now: Timestamp,
) -> Result<PhaseEpisode, ValidationError> {
    let phase = Phase::from_code(phase.trim())
        .ok_or_else(|| ValidationError::new("phase", "Choose the phase of illness."))?;
    if started_at > now {
        return Err(ValidationError::new(
            "started_at",
            "A phase is recorded once it has begun.",
        ));
    }
    if let Some(current) = current {
        if current.phase == Phase::Bereaved {
            return Err(ValidationError::new(
                "phase",
                "The patient has died: the bereaved phase is the last.",
            ));
        }
        if current.phase == phase {
            return Err(ValidationError::new(
                "phase",
                "The patient is in that phase already.",
            ));
        }
        if started_at < current.started_at {
            return Err(ValidationError::new(
                "started_at",
                "This is before the current phase began; correct the time.",
            ));
        }
    }
    Ok(PhaseEpisode { phase, started_at })
}

/// How long each episode lasted (the last one until `now`), in order.
pub fn time_in_phase(episodes: &[PhaseEpisode], now: Timestamp) -> Vec<(Phase, SignedDuration)> {
    episodes
        .iter()
        .enumerate()
        .map(|(n, e)| {
            let end = episodes.get(n + 1).map_or(now, |next| next.started_at);
            (e.phase, end.duration_since(e.started_at))
        })
        .collect()
}

/// PCOC's benchmark for the unstable phase: at least 90% last this long or less.
pub const UNSTABLE_BENCHMARK: SignedDuration = SignedDuration::from_hours(72);

/// PCOC outcome measure 2 for one patient's episodes (in order): of the unstable phases that
/// began from `from` on, how many lasted three days or less, and how many can be judged — an
/// ended one, or one still open that has already lasted longer (an open phase under three days
/// is not yet counted either way).
pub fn unstable_within_benchmark(
    episodes: &[PhaseEpisode],
    from: Timestamp,
    now: Timestamp,
) -> (usize, usize) {
    let mut within = 0;
    let mut judged = 0;
    for (n, e) in episodes.iter().enumerate() {
        if e.phase != Phase::Unstable || e.started_at < from {
            continue;
        }
        let end = episodes.get(n + 1).map(|next| next.started_at);
        let lasted = end.unwrap_or(now).duration_since(e.started_at);
        match end {
            Some(_) if lasted <= UNSTABLE_BENCHMARK => {
                within += 1;
                judged += 1;
            }
            Some(_) => judged += 1,
            None if lasted > UNSTABLE_BENCHMARK => judged += 1,
            None => {}
        }
    }
    (within, judged)
}

#[cfg(test)]
mod tests;
