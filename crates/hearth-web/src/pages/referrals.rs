//! Referral to specialist palliative care: `/patients/{id}/referrals/new` (the structured
//! referral, with the scores and suggestions from the record to attach), `/referrals` (the
//! service's triage list and the actor's own referrals) and `/referrals/{id}` (one referral's
//! progress, live, with the service's triage and answers).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use hearth_app::{AppError, NeedsView};
use hearth_domain::assessment::{EsasSymptom, IposSymptom, Measure, esas_band};
use hearth_domain::referral::{
    PatientAgreement, ReferralAsk, ReferralDraft, ReferralState, ReferralStep, ReferralUrgency,
    TriagePriority,
};
use hearth_domain::{PatientId, ValidationError};
use serde::Deserialize;

use crate::pages::plan_form::Submitted;
use crate::pages::{Chrome, after_change, form_version, patient_id, record_id, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// A line of evidence offered for the referral, chosen or not.
struct EvidenceChoice {
    text: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "referral_form.html")]
struct ReferralForm {
    chrome: Option<Chrome>,
    active: &'static str,
    patient_href: String,
    patient_name: String,
    csrf_token: String,
    error: Option<String>,
    services: Vec<(String, String, bool)>,
    urgencies: Vec<(&'static str, &'static str, bool)>,
    asks: Vec<(&'static str, &'static str, bool)>,
    agreements: Vec<(&'static str, &'static str, bool)>,
    evidence: Vec<EvidenceChoice>,
    /// Open suggestions: (id, reason, checked).
    suggestions: Vec<(String, String, bool)>,
    reason: String,
    patient_knows: String,
}

/// The lines of evidence the record offers: the latest scores that stand out, the phase, and
/// the open suggestions' reasons.
fn evidence_from(state: &AppState, view: &NeedsView) -> Vec<String> {
    let app = &state.app;
    let day = |t: jiff::Timestamp| {
        t.to_zoned(app.config().time_zone.clone())
            .strftime("%-d %b")
            .to_string()
    };
    let mut out = Vec::new();
    if let Some(l) = &view.latest.esas
        && let Measure::Esas(e) = &l.assessment.measure
    {
        let high: Vec<String> = EsasSymptom::ALL
            .iter()
            .zip(e.scores.iter())
            .filter(|(_, s)| **s >= 4)
            .map(|(sym, s)| format!("{} {s} ({})", sym.label(), esas_band(*s).code()))
            .collect();
        let before = l.previous.as_ref().and_then(|p| match &p.measure {
            Measure::Esas(e) => Some(format!(", was {} on {}", e.total(), day(p.assessed_at))),
            _ => None,
        });
        out.push(format!(
            "ESAS-r {}: total {}{}{}",
            day(l.assessment.assessed_at),
            e.total(),
            before.unwrap_or_default(),
            if high.is_empty() {
                String::new()
            } else {
                format!("; {}", high.join(", "))
            }
        ));
    }
    if let Some(l) = &view.latest.ipos
        && let Measure::Ipos(i) = &l.assessment.measure
    {
        let high: Vec<String> = IposSymptom::ALL
            .iter()
            .zip(i.symptoms.iter())
            .filter_map(|(sym, a)| match a {
                hearth_domain::assessment::Answer::Score(s) if *s >= 3 => {
                    Some(format!("{} {s}", sym.label()))
                }
                _ => None,
            })
            .collect();
        out.push(format!(
            "IPOS {}: total {}{}",
            day(l.assessment.assessed_at),
            i.scores()
                .total
                .map_or_else(|| "not scored".to_owned(), |t| t.to_string()),
            if high.is_empty() {
                String::new()
            } else {
                format!("; {}", high.join(", "))
            }
        ));
    }
    if let Some(l) = &view.latest.akps
        && let Measure::Akps(a) = &l.assessment.measure
    {
        let before = l.previous.as_ref().and_then(|p| match &p.measure {
            Measure::Akps(b) => Some(format!(" (was {b} on {})", day(p.assessed_at))),
            _ => None,
        });
        out.push(format!(
            "AKPS {}: {a}{}",
            day(l.assessment.assessed_at),
            before.unwrap_or_default()
        ));
    }
    if let Some(p) = &view.latest.phase {
        out.push(format!(
            "Phase of illness: {} since {}",
            p.phase.label(),
            day(p.started_at)
        ));
    }
    for line in &mut out {
        if line.chars().count() > 300 {
            *line = line.chars().take(299).chain(['…']).collect();
        }
    }
    out
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    id: &PatientId,
    (f, chosen): (&Submitted, Option<&str>),
    error: Option<String>,
) -> Result<Response, WebError> {
    let view = state.app.needs(&user.actor, id).await?;
    if !view.may_write {
        return Err(AppError::Forbidden(crate::pages::needs::READ_ONLY.to_owned()).into());
    }
    let submitted = !f.pairs.is_empty();
    let evidence_chosen = f.all("evidence");
    let suggestion_chosen = f.all("suggestion");
    let asks = f.all("ask");
    let pick = |field: &str, code: &str, default: bool| {
        let v = f.one(field);
        if v.is_empty() { default } else { v == code }
    };
    render(&ReferralForm {
        chrome: Some(Chrome::of(user)),
        active: "register",
        patient_href: format!("/patients/{id}"),
        patient_name: view.patient.list_name(),
        csrf_token: user.csrf_token.clone(),
        error,
        services: view
            .specialist_services
            .iter()
            .enumerate()
            .map(|(n, (o, name))| {
                (
                    o.to_string(),
                    name.clone(),
                    pick("service", o.as_str(), n == 0),
                )
            })
            .collect(),
        urgencies: ReferralUrgency::ALL
            .iter()
            .map(|u| {
                (
                    u.code(),
                    u.label(),
                    pick("urgency", u.code(), *u == ReferralUrgency::Soon),
                )
            })
            .collect(),
        asks: ReferralAsk::ALL
            .iter()
            .map(|a| {
                (
                    a.code(),
                    a.label(),
                    if submitted {
                        asks.iter().any(|c| c == a.code())
                    } else {
                        *a == ReferralAsk::Assessment
                    },
                )
            })
            .collect(),
        agreements: PatientAgreement::ALL
            .iter()
            .map(|a| {
                (
                    a.code(),
                    a.label(),
                    pick("agreement", a.code(), *a == PatientAgreement::Agrees),
                )
            })
            .collect(),
        evidence: evidence_from(state, &view)
            .into_iter()
            .map(|text| EvidenceChoice {
                checked: !submitted || evidence_chosen.contains(&text),
                text,
            })
            .collect(),
        suggestions: view
            .suggestions
            .iter()
            .filter(|s| s.is_due(state.app.now()))
            .map(|s| {
                (
                    s.id.clone(),
                    s.reason.clone(),
                    if submitted {
                        suggestion_chosen.contains(&s.id)
                    } else {
                        chosen.is_none_or(|c| c == s.id)
                    },
                )
            })
            .collect(),
        reason: f.one("reason"),
        patient_knows: f.one("patient_knows"),
    })
}

#[derive(Debug, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    suggestion: Option<String>,
}

/// `GET /patients/{id}/referrals/new`, optionally answering one suggestion (`?suggestion=`).
pub async fn new(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let empty = Submitted { pairs: Vec::new() };
    form_page(&state, &user, &id, (&empty, q.suggestion.as_deref()), None).await
}

/// `POST /patients/{id}/referrals`: makes the referral.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let f = Submitted { pairs };
    user.check_csrf(&f.one("csrf_token"))?;
    // Only lines the record offers are attached, so "scores from the record" are what the
    // record says (the view is an audited read, as the form's was).
    let offered = evidence_from(&state, &state.app.needs(&user.actor, &id).await?);
    let draft = ReferralDraft {
        reason: f.one("reason"),
        urgency: f.one("urgency"),
        asks: f.all("ask"),
        patient_knows: f.one("patient_knows"),
        agreement: f.one("agreement"),
        evidence: f
            .all("evidence")
            .into_iter()
            .filter(|e| offered.contains(e))
            .collect(),
        suggestion_ids: f.all("suggestion"),
    };
    match state
        .app
        .refer(&user.actor, &id, &f.one("service"), draft)
        .await
    {
        Ok(referral) => {
            Ok(axum::response::Redirect::to(&format!("/referrals/{referral}")).into_response())
        }
        Err(AppError::Invalid(e)) => {
            let page = form_page(&state, &user, &id, (&f, None), Some(e.message)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

struct Line {
    href: String,
    patient: String,
    service: String,
    state: &'static str,
    open: bool,
    urgency: &'static str,
    priority: Option<&'static str>,
    referred: String,
    waited: Option<String>,
}

#[derive(Template)]
#[template(path = "referrals.html")]
struct ListPage {
    chrome: Option<Chrome>,
    active: &'static str,
    service: Option<String>,
    to_service: Vec<Line>,
    made: Vec<Line>,
    timeliness: Option<String>,
}

fn hours_words(d: jiff::SignedDuration) -> String {
    let h = d.as_hours();
    if h < 48 {
        format!("{h} h")
    } else {
        format!("{} days", h / 24)
    }
}

/// `GET /referrals`
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Response, WebError> {
    let app = &state.app;
    let list = app.referral_list(&user.actor).await?;
    let now = app.now();
    let to_line = |l: &hearth_app::ReferralLine, service: String| {
        let r = &l.referral;
        Line {
            href: format!("/referrals/{}", r.id),
            patient: l.patient_name.clone(),
            service,
            state: r.state.label(),
            open: r.is_open(),
            urgency: r.urgency.label(),
            priority: r.priority.map(|p| p.label()),
            referred: app.local_time(r.referred_at),
            waited: (r.state == ReferralState::Referred)
                .then(|| hours_words(now.duration_since(r.referred_at))),
        }
    };
    let service_name = list.service.as_ref().map(|(_, n)| n.clone());
    let t = &list.timeliness;
    let timeliness = (t.referred > 0).then(|| {
        let mut words = format!("{} referrals in the last 30 days or open", t.referred);
        if let Some(m) = t.median_to_triage {
            words.push_str(&format!("; median time to triage {}", hours_words(m)));
        }
        if let Some(m) = t.median_to_first_contact {
            words.push_str(&format!(
                "; median time to first contact {}",
                hours_words(m)
            ));
        }
        if let Some(p) = t.within_a_day_percent() {
            words.push_str(&format!(
                "; first contact within a day for {p}% ({} of {}; PCOC benchmark 90%)",
                t.first_contact_within_a_day, t.with_first_contact
            ));
        }
        words
    });
    render(&ListPage {
        chrome: Some(Chrome::of(&user)),
        active: "referrals",
        to_service: list
            .to_service
            .iter()
            .map(|l| to_line(l, service_name.clone().unwrap_or_default()))
            .collect(),
        made: list
            .made
            .iter()
            .map(|l| {
                let s = list
                    .services
                    .get(&l.referral.service)
                    .cloned()
                    .unwrap_or_default();
                to_line(l, s)
            })
            .collect(),
        service: service_name,
        timeliness,
    })
}

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    chrome: Option<Chrome>,
    active: &'static str,
    csrf_token: String,
    error: Option<String>,
    action: String,
    version: i64,
    patient_href: String,
    patient_name: String,
    service: String,
    state: &'static str,
    urgency: &'static str,
    asks: Vec<&'static str>,
    reason: String,
    patient_knows: String,
    agreement: &'static str,
    evidence: Vec<String>,
    /// (step, when and who, done).
    steps: Vec<(&'static str, String, bool)>,
    decline_advice: Option<String>,
    withdrawal: Option<String>,
    times: Vec<String>,
    may_withdraw: bool,
    can_triage: bool,
    can_answer: bool,
    can_contact: bool,
    can_discharge: bool,
    priorities: Vec<(&'static str, &'static str)>,
}

async fn referral_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    error: Option<String>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let v = app.referral(&user.actor, id).await?;
    let r = &v.referral;
    let name = |p: &Option<hearth_domain::PractitionerId>| {
        p.as_ref()
            .and_then(|p| v.names.get(p).cloned())
            .unwrap_or_else(|| "a colleague".to_owned())
    };
    let at = |t: Option<jiff::Timestamp>, by: &Option<hearth_domain::PractitionerId>| {
        t.map(|t| format!("{} · {}", app.local_time(t), name(by)))
    };
    let mut steps = vec![(
        "Referred",
        format!(
            "{} · {}",
            app.local_time(r.referred_at),
            name(&Some(r.referred_by.clone()))
        ),
        true,
    )];
    let triaged = at(r.triaged_at, &r.triaged_by).map(|w| {
        format!(
            "{w}{}",
            r.priority
                .map_or_else(String::new, |p| format!(" · {}", p.label()))
        )
    });
    steps.push((
        "Triaged",
        triaged.clone().unwrap_or_else(|| "waiting".to_owned()),
        triaged.is_some(),
    ));
    if r.declined_at.is_some() {
        steps.push((
            "Declined",
            at(r.declined_at, &r.declined_by).unwrap_or_default(),
            true,
        ));
    } else {
        let accepted = at(r.accepted_at, &r.accepted_by);
        steps.push((
            "Accepted",
            accepted.clone().unwrap_or_else(|| "waiting".to_owned()),
            accepted.is_some(),
        ));
        let contact = r.first_contact_at.map(|t| {
            format!(
                "{} · recorded by {}",
                app.local_time(t),
                name(&r.first_contact_by)
            )
        });
        steps.push((
            "First contact",
            contact.clone().unwrap_or_else(|| "waiting".to_owned()),
            contact.is_some(),
        ));
        let discharged = at(r.discharged_at, &r.discharged_by);
        steps.push((
            "Discharged from specialist care",
            discharged.clone().unwrap_or_else(|| "—".to_owned()),
            discharged.is_some(),
        ));
    }
    let mut times = Vec::new();
    if let Some(d) = r.time_to_triage() {
        times.push(format!("Referral to triage: {}", hours_words(d)));
    }
    if let Some(d) = r.time_to_first_contact() {
        times.push(format!("Referral to first contact: {}", hours_words(d)));
    }
    render(&ReferralPage {
        chrome: Some(Chrome::of(user)),
        active: "referrals",
        csrf_token: user.csrf_token.clone(),
        error,
        action: format!("/referrals/{}", r.id),
        version: r.version,
        patient_href: format!("/patients/{}", r.patient_id),
        patient_name: v.patient_name.clone(),
        service: v.service_name.clone(),
        state: r.state.label(),
        urgency: r.urgency.label(),
        asks: r.asks.iter().map(|a| a.label()).collect(),
        reason: r.reason.clone(),
        patient_knows: r.patient_knows.clone(),
        agreement: r.agreement.label(),
        evidence: r.evidence.clone(),
        steps,
        decline_advice: r.decline_advice.clone(),
        withdrawal: r.withdrawn_at.map(|t| {
            format!(
                "Withdrawn {} by {}: {}",
                app.local_time(t),
                name(&r.withdrawn_by),
                r.withdrawal_reason.clone().unwrap_or_default()
            )
        }),
        times,
        may_withdraw: v.may_withdraw,
        can_triage: v.for_service && r.state == ReferralState::Referred,
        can_answer: v.for_service && r.state == ReferralState::Triaged,
        can_contact: v.for_service && r.state == ReferralState::Accepted,
        can_discharge: v.for_service
            && matches!(
                r.state,
                ReferralState::FirstContact | ReferralState::Accepted
            ),
        priorities: TriagePriority::ALL
            .iter()
            .map(|p| (p.code(), p.label()))
            .collect(),
    })
}

/// `GET /referrals/{id}`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    referral_page(&state, &user, &record_id(&id)?, None).await
}

/// `POST /referrals/{id}/{step}`: triage, accept, decline, first-contact, discharge, withdraw.
pub async fn step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, step)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = record_id(&id)?;
    let f = Submitted { pairs };
    user.check_csrf(&f.one("csrf_token"))?;
    let version = form_version(&f.one("version"))?;
    let invalid =
        |field: &'static str, m: &str| AppError::Invalid(ValidationError::new(field, m.to_owned()));
    let parsed: Result<ReferralStep, AppError> = match step.as_str() {
        "triage" => TriagePriority::from_code(f.one("priority").trim())
            .map(|priority| ReferralStep::Triage { priority })
            .ok_or_else(|| invalid("priority", "Choose a priority.")),
        "accept" => Ok(ReferralStep::Accept),
        "decline" => Ok(ReferralStep::Decline {
            advice: f.one("advice"),
        }),
        "first-contact" => {
            match crate::pages::conversations::local_instant(
                &state,
                "first_contact_at",
                &f.one("first_contact_at"),
            ) {
                Err(e) => Err(e),
                Ok(at) => Ok(ReferralStep::FirstContact {
                    at: at.unwrap_or_else(|| state.app.now()),
                }),
            }
        }
        "discharge" => Ok(ReferralStep::Discharge),
        "withdraw" => Ok(ReferralStep::Withdraw {
            reason: f.one("reason"),
        }),
        _ => return Err(WebError::NotFound),
    };
    let result = match parsed {
        Err(e) => Err(e),
        Ok(s) => state
            .app
            .step_referral(&user.actor, &id, s, version)
            .await
            .map(|_| ()),
    };
    let done = format!("/referrals/{id}");
    after_change(result, &done, |m| {
        referral_page(&state, &user, &id, Some(m))
    })
    .await
}
