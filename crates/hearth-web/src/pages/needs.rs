//! `/patients/{id}/needs`: the patient's needs over time — the latest values and their
//! direction, charts of symptom scores, AKPS and the phase of illness (each with its table of
//! values), the suggestions the trigger rules made with the team's responses, referrals and
//! advice calls — and the forms that record IPOS, ESAS-r, AKPS and the phase.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use hearth_app::{AssessmentForm, Latest, LatestNeeds, NeedsView};
use hearth_domain::PatientId;
use hearth_domain::assessment::{
    AKPS_LEVELS, Answer, Direction, EsasCompletedBy, EsasSymptom, IposItem, IposSymptom,
    IposVersion, Measure, Phase, Recall, esas_band, ipos_answer,
};
use jiff::Timestamp;

use crate::charts::{Series, line_chart, phase_timeline};
use crate::pages::plan_form::Submitted;
use crate::pages::{Chrome, after_change, patient_id, record_id, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// One latest value for the patient page, the summary and the needs page.
pub struct LatestLine {
    pub label: &'static str,
    pub value: String,
    pub when: String,
    /// "better", "unchanged" or "worse" since the previous one, with that value.
    pub direction: Option<String>,
    /// "worse" draws attention.
    pub worse: bool,
    pub detail: Option<String>,
}

fn direction_words(l: &Latest, previous_value: impl Fn(&Measure) -> String) -> Option<String> {
    let d = l.direction()?;
    let before = l.previous.as_ref()?;
    Some(format!(
        "{} (was {})",
        d.label(),
        previous_value(&before.measure)
    ))
}

fn is_worse(l: &Latest) -> bool {
    l.direction() == Some(Direction::Worse)
}

/// Whole days from `at` to `now` (0 within the first day).
pub fn days_since(now: jiff::Timestamp, at: jiff::Timestamp) -> i64 {
    now.duration_since(at).as_hours() / 24
}

/// The latest values in words, in the order clinicians read them: phase, ESAS-r, IPOS, AKPS.
pub fn latest_lines(state: &AppState, needs: &LatestNeeds) -> Vec<LatestLine> {
    let app = &state.app;
    let now = app.now();
    let mut lines = Vec::new();
    if let Some(p) = &needs.phase {
        let days = days_since(now, p.started_at);
        lines.push(LatestLine {
            label: "Phase of illness",
            value: p.phase.label().to_owned(),
            when: format!("since {}", app.local_time(p.started_at)),
            direction: None,
            worse: matches!(p.phase, Phase::Unstable | Phase::Terminal),
            detail: Some(match days {
                0 => "less than a day in this phase".to_owned(),
                1 => "1 day in this phase".to_owned(),
                n => format!("{n} days in this phase"),
            }),
        });
    }
    if let Some(l) = &needs.esas
        && let Measure::Esas(e) = &l.assessment.measure
    {
        let severe: Vec<String> = EsasSymptom::ALL
            .iter()
            .zip(e.scores.iter())
            .filter(|(_, s)| **s >= 7)
            .map(|(sym, s)| format!("{} {s}", short_esas(*sym)))
            .collect();
        lines.push(LatestLine {
            label: "ESAS-r total",
            value: format!("{} of 90", e.total()),
            when: app.local_time(l.assessment.assessed_at),
            direction: direction_words(l, |m| match m {
                Measure::Esas(p) => p.total().to_string(),
                _ => String::new(),
            }),
            worse: is_worse(l),
            detail: (!severe.is_empty()).then(|| format!("Severe: {}", severe.join(", "))),
        });
    }
    if let Some(l) = &needs.ipos
        && let Measure::Ipos(i) = &l.assessment.measure
    {
        let scores = i.scores();
        lines.push(LatestLine {
            label: "IPOS total",
            value: scores.total.map_or_else(
                || "not scored (items not assessed)".to_owned(),
                |t| format!("{t} of 68"),
            ),
            when: app.local_time(l.assessment.assessed_at),
            direction: direction_words(l, |m| match m {
                Measure::Ipos(p) => p
                    .scores()
                    .total
                    .map_or_else(|| "not scored".to_owned(), |t| t.to_string()),
                _ => String::new(),
            }),
            worse: is_worse(l),
            detail: i
                .highest_item()
                .filter(|h| *h >= 3)
                .map(|h| format!("Highest item {h} ({})", ipos_answer(None, h).to_lowercase())),
        });
    }
    if let Some(l) = &needs.akps
        && let Measure::Akps(a) = &l.assessment.measure
    {
        lines.push(LatestLine {
            label: "AKPS",
            value: a.to_string(),
            when: app.local_time(l.assessment.assessed_at),
            direction: direction_words(l, |m| match m {
                Measure::Akps(p) => p.to_string(),
                _ => String::new(),
            }),
            worse: is_worse(l),
            detail: AKPS_LEVELS
                .iter()
                .find(|(s, _)| s == a)
                .map(|(_, d)| (*d).to_owned()),
        });
    }
    lines
}

/// Short symptom names for lines and chart legends.
fn short_esas(s: EsasSymptom) -> &'static str {
    match s {
        EsasSymptom::Pain => "Pain",
        EsasSymptom::Tiredness => "Tiredness",
        EsasSymptom::Drowsiness => "Drowsiness",
        EsasSymptom::Nausea => "Nausea",
        EsasSymptom::LackOfAppetite => "Appetite",
        EsasSymptom::ShortnessOfBreath => "Breathlessness",
        EsasSymptom::Depression => "Depression",
        EsasSymptom::Anxiety => "Anxiety",
        EsasSymptom::Wellbeing => "Wellbeing",
    }
}

fn short_ipos(s: IposSymptom) -> &'static str {
    match s {
        IposSymptom::Pain => "Pain",
        IposSymptom::ShortnessOfBreath => "Breathlessness",
        IposSymptom::Weakness => "Weakness",
        IposSymptom::Nausea => "Nausea",
        IposSymptom::Vomiting => "Vomiting",
        IposSymptom::PoorAppetite => "Appetite",
        IposSymptom::Constipation => "Constipation",
        IposSymptom::SoreOrDryMouth => "Mouth",
        IposSymptom::Drowsiness => "Drowsiness",
        IposSymptom::PoorMobility => "Mobility",
    }
}

/// A chart with its table of values (the text alternative).
struct Chart {
    id: &'static str,
    title: &'static str,
    svg: String,
    /// The first column's heading (the row headers).
    first: &'static str,
    head: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
}

struct SuggestionRow {
    action: String,
    refer_href: String,
    suggests: &'static str,
    rule: String,
    reason: String,
    fired: String,
    /// The suggestion asks for an answer now.
    open: bool,
    /// It was deferred, and the date has come.
    deferral_ended: bool,
    response: Option<String>,
}

struct ReferralRow {
    href: String,
    service: String,
    state: &'static str,
    referred: String,
    progress: String,
}

struct AdviceRow {
    received: String,
    out_of_hours: bool,
    caller: String,
    question: String,
    advice: String,
    outcome: &'static str,
    logged_by: String,
}

#[derive(Template)]
#[template(path = "needs.html")]
struct NeedsPage {
    chrome: Option<Chrome>,
    active: &'static str,
    patient_href: String,
    patient_name: String,
    csrf_token: String,
    error: Option<String>,
    may_write: bool,
    latest: Vec<LatestLine>,
    suggestions: Vec<SuggestionRow>,
    charts: Vec<Chart>,
    referrals: Vec<ReferralRow>,
    advice: Vec<AdviceRow>,
    window: String,
}

/// The charts' window: from the first value of the last three months (a day before it), and at
/// least the last fortnight, so that a few recent values are not squeezed against the edge.
fn chart_window(view: &NeedsView, now: Timestamp) -> (Timestamp, Timestamp) {
    let fortnight = now
        .checked_sub(jiff::SignedDuration::from_hours(24 * 14))
        .unwrap_or(now);
    let first = view
        .assessments
        .iter()
        .map(|a| a.assessed_at)
        .chain(view.phases.iter().map(|p| p.started_at))
        .min()
        .and_then(|t| t.checked_sub(jiff::SignedDuration::from_hours(24)).ok())
        .unwrap_or(fortnight);
    (first.min(fortnight).max(view.from), now)
}

fn charts(state: &AppState, view: &NeedsView) -> Vec<Chart> {
    let app = &state.app;
    let tz = &app.config().time_zone;
    let window = chart_window(view, app.now());
    let when = |a: Timestamp| app.local_time(a);
    let mut out = Vec::new();

    let esas: Vec<_> = view
        .assessments
        .iter()
        .filter_map(|a| match &a.measure {
            Measure::Esas(e) => Some((a.assessed_at, e)),
            _ => None,
        })
        .collect();
    let series: Vec<Series<'_>> = EsasSymptom::ALL
        .iter()
        .enumerate()
        .map(|(n, s)| Series {
            label: short_esas(*s),
            points: esas
                .iter()
                .map(|(at, e)| (*at, f64::from(e.scores[n])))
                .collect(),
        })
        .collect();
    out.push(Chart {
        id: "esas-chart",
        first: "When",
        title: "ESAS-r symptom scores (0 none – 10 worst)",
        svg: line_chart(
            "ESAS-r symptom scores",
            &series,
            (10.0, 2.0),
            Some((7.0, "Severe 7+")),
            window,
            tz,
        ),
        head: EsasSymptom::ALL
            .iter()
            .map(|s| short_esas(*s).to_owned())
            .chain(["Total".to_owned(), "Completed by".to_owned()])
            .collect(),
        rows: esas
            .iter()
            .rev()
            .map(|(at, e)| {
                (
                    when(*at),
                    e.scores
                        .iter()
                        .map(|s| format!("{s} ({})", esas_band(*s).code()))
                        .chain([e.total().to_string(), e.completed_by.label().to_owned()])
                        .collect(),
                )
            })
            .collect(),
    });

    let ipos: Vec<_> = view
        .assessments
        .iter()
        .filter_map(|a| match &a.measure {
            Measure::Ipos(i) => Some((a.assessed_at, i)),
            _ => None,
        })
        .collect();
    let score = |a: &Answer| match a {
        Answer::Score(s) => Some(f64::from(*s)),
        Answer::CannotAssess => None,
    };
    let series: Vec<Series<'_>> = IposSymptom::ALL
        .iter()
        .enumerate()
        .map(|(n, s)| Series {
            label: short_ipos(*s),
            points: ipos
                .iter()
                .filter_map(|(at, i)| score(&i.symptoms[n]).map(|v| (*at, v)))
                .collect(),
        })
        .collect();
    let num = |v: Option<u8>| v.map_or_else(|| "—".to_owned(), |v| v.to_string());
    out.push(Chart {
        id: "ipos-chart",
        first: "When",
        title: "IPOS physical symptoms (0 not at all – 4 overwhelmingly)",
        svg: line_chart(
            "IPOS physical symptoms",
            &series,
            (4.0, 1.0),
            Some((3.0, "Severe 3+")),
            window,
            tz,
        ),
        head: [
            "Total (0–68)",
            "Physical (0–40)",
            "Emotional (0–16)",
            "Communication and practical (0–12)",
            "Version",
            "Main concerns",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        rows: ipos
            .iter()
            .rev()
            .map(|(at, i)| {
                let s = i.scores();
                (
                    when(*at),
                    vec![
                        num(s.total),
                        num(s.physical),
                        num(s.emotional),
                        num(s.communication_practical),
                        format!("{}, {}", i.version.label(), i.recall.code()),
                        i.main_concerns.join("; "),
                    ],
                )
            })
            .collect(),
    });

    let akps: Vec<(Timestamp, u8)> = view
        .assessments
        .iter()
        .filter_map(|a| match a.measure {
            Measure::Akps(l) => Some((a.assessed_at, l)),
            _ => None,
        })
        .collect();
    out.push(Chart {
        id: "akps-chart",
        first: "When",
        title: "AKPS (100 normal – 0 dead)",
        svg: line_chart(
            "AKPS",
            &[Series {
                label: "AKPS",
                points: akps.iter().map(|(at, l)| (*at, f64::from(*l))).collect(),
            }],
            (100.0, 20.0),
            Some((40.0, "40: in bed over half the time")),
            window,
            tz,
        ),
        head: vec!["AKPS".to_owned(), "Level".to_owned()],
        rows: akps
            .iter()
            .rev()
            .map(|(at, l)| {
                (
                    when(*at),
                    vec![
                        l.to_string(),
                        AKPS_LEVELS
                            .iter()
                            .find(|(s, _)| s == l)
                            .map_or("", |(_, d)| d)
                            .to_owned(),
                    ],
                )
            })
            .collect(),
    });
    out
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    error: Option<String>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let view = app.needs(&user.actor, id).await?;
    let name = |p: &hearth_domain::PractitionerId| {
        view.names
            .get(p)
            .cloned()
            .unwrap_or_else(|| "a colleague".to_owned())
    };
    let service = |o: &hearth_domain::OrganisationId| {
        view.services
            .get(o)
            .cloned()
            .unwrap_or_else(|| "the specialist service".to_owned())
    };
    let suggestions = view
        .suggestions
        .iter()
        .map(|s| SuggestionRow {
            action: format!("/patients/{id}/needs/suggestions/{}", s.id),
            refer_href: format!("/patients/{id}/referrals/new?suggestion={}", s.id),
            suggests: s.suggests.label(),
            rule: view.rule_names.get(&s.rule_id).map_or_else(
                || s.rule_id.clone(),
                |n| format!("{n} (version {})", s.rule_version),
            ),
            reason: s.reason.clone(),
            fired: app.local_time(s.fired_at),
            open: s.is_due(app.now()),
            deferral_ended: !s.is_open() && s.is_due(app.now()),
            response: s.response.as_ref().map(|a| {
                let mut words = format!(
                    "{} by {}, {}",
                    a.response.label(),
                    name(&a.by),
                    app.local_time(a.at)
                );
                if let Some(u) = a.until {
                    words.push_str(&format!(" — until {}", app.local_time(u)));
                }
                if let Some(n) = &a.note {
                    words.push_str(&format!(": {n}"));
                }
                words
            }),
        })
        .collect();
    let now = app.now();
    let phases = hearth_domain::assessment::time_in_phase(&view.phases, now)
        .into_iter()
        .zip(view.phases.iter())
        .rev()
        .map(|((phase, lasted), e)| {
            let hours = lasted.as_hours();
            (
                phase.label().to_owned(),
                vec![
                    app.local_time(e.started_at),
                    if hours < 48 {
                        format!("{hours} hours")
                    } else {
                        format!("{} days", hours / 24)
                    },
                ],
            )
        })
        .collect();
    let mut all_charts = charts(state, &view);
    let episodes: Vec<(&str, &str, Timestamp)> = view
        .phases
        .iter()
        .map(|e| (e.phase.code(), e.phase.label(), e.started_at))
        .collect();
    all_charts.push(Chart {
        id: "phase-chart",
        title: "Phase of illness",
        svg: phase_timeline(
            "Phase of illness",
            &episodes,
            chart_window(&view, now),
            &app.config().time_zone,
        ),
        first: "Phase",
        head: vec!["Began".to_owned(), "Lasted".to_owned()],
        rows: phases,
    });
    let referrals = view
        .referrals
        .iter()
        .map(|r| {
            let mut progress = Vec::new();
            if let Some(t) = r.triaged_at {
                progress.push(format!(
                    "triaged {}{}",
                    app.local_time(t),
                    r.priority
                        .map_or_else(String::new, |p| format!(" ({})", p.label()))
                ));
            }
            if let Some(t) = r.first_contact_at {
                progress.push(format!("first contact {}", app.local_time(t)));
            }
            if let Some(a) = &r.decline_advice {
                progress.push(format!("declined with advice: {a}"));
            }
            ReferralRow {
                href: format!("/referrals/{}", r.id),
                service: service(&r.service),
                state: r.state.label(),
                referred: format!(
                    "{} by {}",
                    app.local_time(r.referred_at),
                    name(&r.referred_by)
                ),
                progress: progress.join(" · "),
            }
        })
        .collect();
    let advice = view
        .advice
        .iter()
        .map(|c| AdviceRow {
            received: app.local_time(c.received_at),
            out_of_hours: c.out_of_hours,
            caller: format!(
                "{} ({}{})",
                c.caller_name,
                c.caller_role.label(),
                c.caller_organisation
                    .as_ref()
                    .map_or_else(String::new, |o| format!(", {o}"))
            ),
            question: c.question.clone(),
            advice: c.advice.clone(),
            outcome: c.outcome.label(),
            logged_by: name(&c.logged_by),
        })
        .collect();
    render(&NeedsPage {
        chrome: Some(Chrome::of(user)),
        active: "register",
        patient_href: format!("/patients/{id}"),
        patient_name: view.patient.list_name(),
        csrf_token: user.csrf_token.clone(),
        error,
        may_write: view.may_write,
        latest: latest_lines(state, &view.latest),
        suggestions,
        charts: all_charts,
        referrals,
        advice,
        window: format!(
            "{} to today",
            chart_window(&view, now)
                .0
                .to_zoned(app.config().time_zone.clone())
                .date()
                .strftime("%-d %b %Y")
        ),
    })
}

/// `GET /patients/{id}/needs`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    page(&state, &user, &patient_id(&id)?, None).await
}

/// `POST /patients/{id}/needs/suggestions/{suggestion}`: the team's response to a suggestion.
pub async fn respond(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, suggestion)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let suggestion = record_id(&suggestion)?;
    let f = Submitted { pairs };
    user.check_csrf(&f.one("csrf_token"))?;
    let until = f.one("until");
    let until = match until.trim() {
        "" => Ok(None),
        d => d
            .parse::<jiff::civil::Date>()
            .ok()
            .and_then(|d| d.to_zoned(state.app.config().time_zone.clone()).ok())
            .map(|z| Some(z.timestamp()))
            .ok_or_else(|| {
                hearth_app::AppError::Invalid(hearth_domain::ValidationError::new(
                    "until",
                    "Give the date to look at this again.",
                ))
            }),
    };
    let result = match until {
        Err(e) => Err(e),
        Ok(until) => {
            state
                .app
                .respond_to_suggestion(
                    &user.actor,
                    &id,
                    &suggestion,
                    (&f.one("response"), &f.one("note"), until),
                )
                .await
        }
    };
    let done = format!("/patients/{id}/needs");
    after_change(result, &done, |m| page(&state, &user, &id, Some(m))).await
}

/// One radio choice.
struct Choice {
    value: String,
    text: String,
}

/// One question with its answers.
struct Question {
    name: String,
    label: String,
    choices: Vec<Choice>,
    selected: String,
}

#[derive(Template)]
#[template(path = "needs_form.html")]
struct FormPage {
    chrome: Option<Chrome>,
    active: &'static str,
    patient_href: String,
    patient_name: String,
    csrf_token: String,
    error: Option<String>,
    instrument: &'static str,
    title: &'static str,
    intro: &'static str,
    /// (code, label, selected) per option of the first select (IPOS version, ESAS-r
    /// completed by, phase).
    first: Vec<(&'static str, &'static str, bool)>,
    recall: Vec<(&'static str, &'static str, bool)>,
    concerns: Vec<String>,
    /// The first group of questions (IPOS question 2, the ESAS-r symptoms, the AKPS level),
    /// with its heading; the "other" rows follow it.
    heading: &'static str,
    questions: Vec<Question>,
    /// IPOS questions 3 to 9, after the other symptoms.
    more_heading: &'static str,
    more: Vec<Question>,
    others: Vec<(String, String)>,
    other_choices: Vec<Choice>,
    assessed_at: String,
    phase_definitions: Vec<(&'static str, &'static str)>,
}

fn scale(max: u8, words: impl Fn(u8) -> String) -> Vec<Choice> {
    (0..=max)
        .map(|s| Choice {
            value: s.to_string(),
            text: words(s),
        })
        .collect()
}

fn form_page(
    user: &CurrentUser,
    (id, name): (&PatientId, String),
    instrument: &str,
    f: &Submitted,
    error: Option<String>,
) -> Result<Response, WebError> {
    let pick = |field: &str, code: &str, default: bool| {
        let chosen = f.one(field);
        if chosen.is_empty() {
            default
        } else {
            chosen == code
        }
    };
    let mut page = FormPage {
        chrome: Some(Chrome::of(user)),
        active: "register",
        patient_href: format!("/patients/{id}"),
        patient_name: name,
        csrf_token: user.csrf_token.clone(),
        error,
        instrument: "",
        title: "",
        intro: "",
        first: Vec::new(),
        recall: Vec::new(),
        concerns: Vec::new(),
        heading: "",
        questions: Vec::new(),
        more_heading: "",
        more: Vec::new(),
        others: Vec::new(),
        other_choices: Vec::new(),
        assessed_at: f.one("assessed_at"),
        phase_definitions: Vec::new(),
    };
    match instrument {
        "ipos" => {
            page.instrument = "ipos";
            page.title = "Record an IPOS";
            page.intro = "Integrated Palliative care Outcome Scale. Every item is scored 0 (best) to 4 (worst); the staff version may say \"cannot assess\" where the patient cannot tell you.";
            page.first = IposVersion::ALL
                .iter()
                .map(|v| {
                    (
                        v.code(),
                        v.label(),
                        pick("version", v.code(), *v == IposVersion::Patient),
                    )
                })
                .collect();
            page.heading = "2. How much has each of these symptoms affected the patient?";
            page.more_heading = "Questions 3 to 9";
            page.recall = Recall::ALL
                .iter()
                .map(|r| {
                    (
                        r.code(),
                        r.label(),
                        pick("recall", r.code(), *r == Recall::ThreeDays),
                    )
                })
                .collect();
            page.concerns = (0..3)
                .map(|n| f.all("concern").get(n).cloned().unwrap_or_default())
                .collect();
            let cannot = Choice {
                value: "cannot-assess".to_owned(),
                text: "Cannot assess (staff version)".to_owned(),
            };
            for (n, s) in IposSymptom::ALL.iter().enumerate() {
                let mut choices = scale(4, |v| format!("{v} {}", ipos_answer(None, v)));
                choices.push(Choice {
                    value: cannot.value.clone(),
                    text: cannot.text.clone(),
                });
                let name = format!("symptom-{n}");
                page.questions.push(Question {
                    selected: f.one(&name),
                    name,
                    label: s.label().to_owned(),
                    choices,
                });
            }
            for (n, item) in IposItem::ALL.iter().enumerate() {
                let mut choices = scale(4, |v| format!("{v} {}", ipos_answer(Some(*item), v)));
                choices.push(Choice {
                    value: cannot.value.clone(),
                    text: cannot.text.clone(),
                });
                let name = format!("item-{n}");
                page.more.push(Question {
                    selected: f.one(&name),
                    name,
                    label: format!("{}. {}", n + 3, item.label()),
                    choices,
                });
            }
            page.others = (0..3)
                .map(|n| {
                    (
                        f.all("other_name").get(n).cloned().unwrap_or_default(),
                        f.all("other_score").get(n).cloned().unwrap_or_default(),
                    )
                })
                .collect();
            page.other_choices = scale(4, |v| format!("{v} {}", ipos_answer(None, v)));
        }
        "esas-r" => {
            page.instrument = "esas-r";
            page.title = "Record an ESAS-r";
            page.intro = "Revised Edmonton Symptom Assessment System: how the patient feels now, each symptom from 0 (none) to 10 (worst possible).";
            page.first = EsasCompletedBy::ALL
                .iter()
                .map(|c| {
                    (
                        c.code(),
                        c.label(),
                        pick("completed_by", c.code(), *c == EsasCompletedBy::Patient),
                    )
                })
                .collect();
            page.heading = "How the patient feels now";
            for (n, s) in EsasSymptom::ALL.iter().enumerate() {
                let name = format!("esas-{n}");
                page.questions.push(Question {
                    selected: f.one(&name),
                    name,
                    label: s.label().to_owned(),
                    choices: scale(10, |v| v.to_string()),
                });
            }
            page.others = vec![(f.one("other_name"), f.one("other_score"))];
            page.other_choices = scale(10, |v| v.to_string());
        }
        "akps" => {
            page.instrument = "akps";
            page.title = "Record the AKPS";
            page.intro = "Australia-modified Karnofsky Performance Status: the clinician's rating of the patient's function, 100 (normal) to 0 (dead), in steps of 10.";
            page.questions.push(Question {
                name: "level".to_owned(),
                label: "AKPS level".to_owned(),
                choices: AKPS_LEVELS
                    .iter()
                    .map(|(s, d)| Choice {
                        value: s.to_string(),
                        text: format!("{s} — {d}"),
                    })
                    .collect(),
                selected: f.one("level"),
            });
        }
        "phase" => {
            page.instrument = "phase";
            page.title = "Record the phase of illness";
            page.intro = "The palliative care phase (PCOC): a new phase starts when the patient's needs change.";
            page.first = Phase::ALL
                .iter()
                .map(|p| (p.code(), p.label(), f.one("phase") == p.code()))
                .collect();
            page.phase_definitions = Phase::ALL
                .iter()
                .map(|p| (p.label(), p.definition()))
                .collect();
        }
        _ => return Err(WebError::NotFound),
    }
    render(&page)
}

/// The patient's name for a recording form; only the care team records (emergency access
/// reads).
async fn patient_name(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
) -> Result<String, WebError> {
    let view = state.app.needs(&user.actor, id).await?;
    if !view.may_write {
        return Err(hearth_app::AppError::Forbidden(READ_ONLY.to_owned()).into());
    }
    Ok(view.patient.list_name())
}

/// Why an emergency reader cannot record.
pub(crate) const READ_ONLY: &str = "Emergency access lets you read this record, not add to it. Ask the patient's coordinator to add you or your service to the care team.";

/// `GET /patients/{id}/needs/{instrument}`: the form of `ipos`, `esas-r`, `akps` or `phase`.
pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, instrument)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    if !matches!(instrument.as_str(), "ipos" | "esas-r" | "akps" | "phase") {
        return Err(WebError::NotFound);
    }
    let name = patient_name(&state, &user, &id).await?;
    form_page(
        &user,
        (&id, name),
        &instrument,
        &Submitted { pairs: Vec::new() },
        None,
    )
}

/// `POST /patients/{id}/needs/{instrument}`: records the instrument (or the phase).
pub async fn record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, instrument)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let f = Submitted { pairs };
    user.check_csrf(&f.one("csrf_token"))?;
    let at =
        crate::pages::conversations::local_instant(&state, "assessed_at", &f.one("assessed_at"));
    let result = match (at, instrument.as_str()) {
        (Err(e), _) => Err(e),
        (Ok(at), "phase") => state
            .app
            .record_phase(&user.actor, &id, &f.one("phase"), at)
            .await
            .map(|_| ()),
        (Ok(at), code) => {
            let form = match code {
                "ipos" => AssessmentForm::Ipos {
                    version: f.one("version"),
                    recall: f.one("recall"),
                    concerns: f.all("concern"),
                    symptoms: (0..IposSymptom::ALL.len())
                        .map(|n| f.one(&format!("symptom-{n}")))
                        .collect(),
                    others: f
                        .all("other_name")
                        .into_iter()
                        .zip(f.all("other_score"))
                        .collect(),
                    items: (0..IposItem::ALL.len())
                        .map(|n| f.one(&format!("item-{n}")))
                        .collect(),
                },
                "esas-r" => AssessmentForm::Esas {
                    completed_by: f.one("completed_by"),
                    scores: (0..EsasSymptom::ALL.len())
                        .map(|n| f.one(&format!("esas-{n}")))
                        .collect(),
                    other: (f.one("other_name"), f.one("other_score")),
                },
                "akps" => AssessmentForm::Akps {
                    level: f.one("level"),
                },
                _ => return Err(WebError::NotFound),
            };
            state
                .app
                .record_assessment(&user.actor, &id, form, at)
                .await
                .map(|_| ())
        }
    };
    let done = format!("/patients/{id}/needs");
    match result {
        Err(hearth_app::AppError::Invalid(invalid)) => {
            let name = patient_name(&state, &user, &id).await?;
            let page = form_page(&user, (&id, name), &instrument, &f, Some(invalid.message))?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        other => after_change(other, &done, |m| page(&state, &user, &id, Some(m))).await,
    }
}

use axum::response::IntoResponse;
