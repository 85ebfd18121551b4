//! `/patients/{id}/summary`: the out-of-hours summary — everything an on-call doctor or nurse
//! needs at 2 a.m. on one screen and one printed A4 page, with what is missing said as missing.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use hearth_domain::care_plan::Section;
use hearth_domain::care_team::{CareTeamRole, Member};

use crate::pages::{Chrome, date, patient_id, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

/// One block of the summary: a plan section, when it was last reviewed, its lines.
pub struct Block {
    pub title: &'static str,
    pub reviewed: String,
    pub overdue: bool,
    pub lines: Vec<(String, String)>,
}

/// The part of the summary drawn from the record (see `summary_record.html`).
#[derive(Template)]
#[template(path = "summary_record.html")]
struct SummaryRecordPart {
    patient_href: String,
    name: String,
    born: String,
    age: i16,
    number_label: String,
    national_number: String,
    address: String,
    diagnosis: String,
    register: String,
    emergency: Option<String>,
    missing: Vec<&'static str>,
    blocks: Vec<Block>,
    coordinator: String,
    gp: String,
    changes: Vec<String>,
    /// The latest assessment values and the phase, in one line each.
    needs: Vec<String>,
    printed: String,
}

/// The page: the signed-in chrome, the record's part, and the specialist advice on call now.
#[derive(Template)]
#[template(path = "summary.html")]
struct SummaryPage<'a> {
    chrome: Option<Chrome>,
    active: &'static str,
    name: &'a str,
    head: &'a str,
    on_call: Vec<super::directory::RotaLine>,
    tail: &'a str,
}

/// The record's part of a summary as drawn, split where the advice rota goes.
pub struct DrawnRecord {
    html: String,
    split: usize,
    name: String,
}

/// Where `summary_record.html` takes the specialist advice rota.
const ROTA_MARKER: &str = "<!-- specialist advice now -->";

/// What a drawn record depends on besides the record itself: the day (the age, overdue
/// reviews, the printed date) and how many whole days the patient has been in their phase.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnKey {
    record: hearth_app::SummaryKey,
    today: jiff::civil::Date,
    days_in_phase: Option<i64>,
}

/// Drawn records by patient: a summary opened again shows the same record, so its HTML is
/// drawn once per stored snapshot, day and access basis, not once per view.
pub type DrawnSummaries = hearth_app::SnapshotCache<DrawnRecord, DrawnKey>;

/// `GET /patients/{id}/summary`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = patient_id(&id)?;
    let app = &state.app;
    let summary = app.out_of_hours_summary(&user.actor, &id).await?;
    let today = app.today();
    let key = summary.key.map(|record| DrawnKey {
        record,
        today,
        days_in_phase: summary
            .record
            .needs
            .phase
            .as_ref()
            .map(|p| super::needs::days_since(app.now(), p.started_at)),
    });
    let remembered = key
        .as_ref()
        .and_then(|key| state.summaries.get(id.as_str(), key));
    let drawn = match remembered {
        Some(drawn) => drawn,
        None => {
            let drawn = std::sync::Arc::new(draw_record(&state, &id, &summary.record, today)?);
            if let Some(key) = key {
                state
                    .summaries
                    .put(id.as_str(), key, std::sync::Arc::clone(&drawn));
            }
            drawn
        }
    };
    let (head, tail) = drawn.html.split_at(drawn.split);
    let tail = tail.strip_prefix(ROTA_MARKER).unwrap_or(tail);
    render(&SummaryPage {
        chrome: Some(Chrome::of(&user)),
        active: "register",
        name: &drawn.name,
        head,
        on_call: super::directory::rota_lines(&state, &summary.on_call)
            .into_iter()
            .filter(|l| l.now)
            .collect(),
        tail,
    })
}

/// Draws the record's part of the summary.
fn draw_record(
    state: &AppState,
    id: &hearth_domain::PatientId,
    record: &hearth_app::SummaryRecord,
    today: jiff::civil::Date,
) -> Result<DrawnRecord, WebError> {
    let app = &state.app;
    let plan = &record.plan;
    let p = &plan.patient;
    let system = &app.config().national_number_system;
    let name_of = |id: &hearth_domain::PractitionerId| {
        plan.names
            .get(id)
            .cloned()
            .unwrap_or_else(|| "a colleague".to_owned())
    };
    let order = [
        Section::Resuscitation,
        Section::CrisisPlan,
        Section::Understanding,
        Section::AnticipatoryMedicines,
        Section::Equipment,
        Section::WhatMatters,
        Section::CarerFamily,
        Section::AdvanceCarePlanning,
    ];
    let blocks = order
        .iter()
        .map(|section| match plan.sections.get(section) {
            Some(v) => Block {
                title: section.label(),
                reviewed: format!(
                    "reviewed {} by {}",
                    app.local_time(v.saved_at),
                    name_of(&v.author)
                ),
                overdue: v.overdue(today),
                lines: v
                    .content
                    .fields()
                    .into_iter()
                    .map(|(label, value)| {
                        let value = if value.is_empty() {
                            "Not recorded".to_owned()
                        } else {
                            value
                        };
                        (label, value)
                    })
                    .collect(),
            },
            None => Block {
                title: section.label(),
                reviewed: "never recorded".to_owned(),
                overdue: false,
                lines: vec![("Not recorded".to_owned(), String::new())],
            },
        })
        .collect();
    let person = |m: &hearth_domain::care_team::CareTeamMember| match &m.member {
        Member::Practitioner(id) => format!("{} ({})", name_of(id), m.role.label()),
        Member::Service(_) => format!("a service ({})", m.role.label()),
    };
    let coordinator = plan
        .team
        .coordinator()
        .map_or_else(|| "No active coordinator".to_owned(), person);
    let gp = plan
        .team
        .active()
        .find(|m| {
            m.role == CareTeamRole::GeneralPractitioner
                && matches!(m.member, Member::Practitioner(_))
        })
        .map_or_else(|| "No named GP in the care team".to_owned(), person);
    let mut significant: Vec<&hearth_domain::care_plan::SectionVersion> = plan
        .sections
        .values()
        .filter(|v| v.section.significant())
        .collect();
    significant.sort_by_key(|v| std::cmp::Reverse(v.saved_at));
    let changes = significant
        .iter()
        .map(|v| {
            format!(
                "{}: {} — {} ({})",
                app.local_time(v.saved_at),
                v.section.label(),
                v.summary,
                name_of(&v.author)
            )
        })
        .collect();
    let mut address = vec![p.address.line.clone(), p.address.town.clone()];
    address.extend(p.address.postcode.clone());
    let register = record.register.as_ref().map_or_else(
        || "Not on the palliative care register".to_owned(),
        |e| {
            format!(
                "On the palliative care register since {} ({}); {}",
                date(e.identified_on),
                e.diagnosis_group.label(),
                e.consent.decision.label().to_lowercase()
            )
        },
    );
    let html = SummaryRecordPart {
        patient_href: format!("/patients/{id}"),
        name: p.list_name(),
        born: date(p.date_of_birth),
        age: p.age_on(today),
        number_label: system.label.clone(),
        national_number: system.display(&p.national_number.value),
        address: address.join(", "),
        diagnosis: p
            .main_diagnosis
            .clone()
            .unwrap_or_else(|| "Not recorded".to_owned()),
        register,
        emergency: plan
            .emergency
            .then(|| "You are reading this under emergency access: it is recorded, and the coordinator has been told.".to_owned()),
        missing: plan.missing.iter().map(|m| m.label()).collect(),
        blocks,
        coordinator,
        gp,
        changes,
        needs: super::needs::latest_lines(state, &record.needs)
            .into_iter()
            .map(|l| {
                let mut line = format!("{}: {}", l.label, l.value);
                if let Some(d) = l.direction {
                    line.push_str(&format!(", {d}"));
                }
                line.push_str(&format!(" ({})", l.when));
                if let Some(detail) = l.detail {
                    line.push_str(&format!(" — {detail}"));
                }
                line
            })
            .collect(),
        printed: date(today),
    }
    .render()?;
    let split = html.find(ROTA_MARKER).unwrap_or(html.len());
    Ok(DrawnRecord {
        html,
        split,
        name: p.list_name(),
    })
}
