//! Assessments (IPOS, ESAS-r, AKPS) and the phase of illness, as Observations.

use super::*;

/// One assessment: its headline score with one component per item.
pub(super) fn assessment(
    p: &DomainPatient,
    a: &Assessment,
    names: &HashMap<PractitionerId, String>,
) -> Observation {
    let instrument = a.measure.instrument();
    let item = |system_id: &str, code: &str, label: &str, answer: Answer| {
        let (value, absent) = match answer {
            Answer::Score(s) => (Some(i64::from(s)), None),
            Answer::CannotAssess => (None, Some(cannot_assess())),
        };
        ObservationComponent {
            code: hearth_coding(system_id, code, label),
            value_integer: value,
            value_codeable_concept: None,
            value_string: None,
            data_absent_reason: absent,
        }
    };
    let mut components = Vec::new();
    match &a.measure {
        Measure::Ipos(i) => {
            for (symptom, answer) in IposSymptom::ALL.iter().zip(i.symptoms) {
                components.push(item(
                    "ipos-symptom",
                    symptom.code(),
                    symptom.label(),
                    answer,
                ));
            }
            for (n, (name, answer)) in i.other_symptoms.iter().enumerate() {
                let mut c = item(
                    "ipos-symptom",
                    "other",
                    &format!("Other symptom {}", n + 1),
                    *answer,
                );
                c.code.text = Some(format!("Other symptom: {name}"));
                components.push(c);
            }
            for (it, answer) in hearth_domain::assessment::IposItem::ALL.iter().zip(i.items) {
                components.push(item("ipos-item", it.code(), it.label(), answer));
            }
        }
        Measure::Esas(e) => {
            for (symptom, score) in hearth_domain::assessment::EsasSymptom::ALL
                .iter()
                .zip(e.scores)
            {
                components.push(item(
                    "esas-item",
                    symptom.code(),
                    symptom.label(),
                    Answer::Score(score),
                ));
            }
            if let Some((name, score)) = &e.other {
                let mut c = item("esas-item", "other", "Other problem", Answer::Score(*score));
                c.code.text = Some(format!("Other problem: {name}"));
                components.push(c);
            }
        }
        Measure::Akps(_) => {}
    }
    let score = a.measure.score();
    let mut notes = Vec::new();
    if let Measure::Ipos(i) = &a.measure {
        for concern in i.main_concerns.iter().filter_map(|c| non_empty(c)) {
            notes.push(Annotation::text(&format!("Main concern: {concern}")));
        }
    }
    notes.push(Annotation::text(&format!(
        "Answered by: {}",
        a.measure.respondent_label()
    )));
    // What the items and notes do not code: the version, recall period, who completed it, and
    // the main concerns as written.
    let mut ext = Vec::new();
    match &a.measure {
        Measure::Ipos(i) => {
            ext.push(Extension::code(
                &extension("ipos-version"),
                i.version.code(),
            ));
            ext.push(Extension::code(&extension("ipos-recall"), i.recall.code()));
            for concern in i.main_concerns.iter().filter_map(|c| non_empty(c)) {
                ext.push(Extension::string(&extension("main-concern"), &concern));
            }
        }
        Measure::Esas(e) => ext.push(Extension::code(
            &extension("esas-completed-by"),
            e.completed_by.code(),
        )),
        Measure::Akps(_) => {}
    }
    Observation {
        id: a.id.clone(),
        meta: Some(Meta::versioned(1, a.recorded_at)),
        extension: ext,
        status: "final".to_owned(),
        category: vec![CodeableConcept::coded(
            codes::OBSERVATION_CATEGORY,
            "survey",
            "Survey",
        )],
        code: hearth_coding("instrument", instrument.code(), instrument.label()),
        subject: patient_ref(p),
        effective_date_time: Some(instant(a.assessed_at)),
        effective_period: None,
        issued: Some(instant(a.recorded_at)),
        performer: vec![practitioner_ref(&a.assessor, names)],
        value_integer: score,
        value_quantity: None,
        value_codeable_concept: None,
        data_absent_reason: score.is_none().then(cannot_assess),
        note: notes,
        has_member: Vec::new(),
        component: components,
    }
}

/// The canonical URL of an instrument's questionnaire (Hearth's name for it).
pub fn questionnaire_url(instrument: hearth_domain::assessment::Instrument) -> String {
    format!("{}/Questionnaire/{}", codes::CANONICAL, instrument.code())
}

/// The assessment's answers as a QuestionnaireResponse of the same id: each item of
/// `observation` (the assessment mapped above) as an answered item, the AKPS level as its one
/// item; an item that could not be assessed has no answer but the data-absent-reason extension.
/// A view of the Observation: imported only with it. The questionnaire is published
/// (`crate::questionnaire`).
pub(super) fn questionnaire_response(
    a: &Assessment,
    observation: &Observation,
) -> QuestionnaireResponse {
    let instrument = a.measure.instrument();
    let mut others = 0;
    let mut item: Vec<QuestionnaireResponseItem> = observation
        .component
        .iter()
        .map(|c| {
            let code = c
                .code
                .coding
                .first()
                .and_then(|c| c.code.clone())
                .unwrap_or_default();
            let link_id = if code == "other" {
                others += 1;
                format!("other-{others}")
            } else {
                code
            };
            let text = c
                .code
                .text
                .clone()
                .or_else(|| c.code.coding.first().and_then(|c| c.display.clone()));
            let absent = c
                .value_integer
                .is_none()
                .then(|| Extension::code(codes::DATA_ABSENT_REASON_EXTENSION, "unknown"));
            QuestionnaireResponseItem {
                extension: absent.into_iter().collect(),
                link_id,
                text,
                answer: c
                    .value_integer
                    .map(|v| QuestionnaireResponseAnswer { value_integer: v })
                    .into_iter()
                    .collect(),
            }
        })
        .collect();
    if let Measure::Akps(level) = a.measure {
        item.push(QuestionnaireResponseItem {
            extension: Vec::new(),
            link_id: instrument.code().to_owned(),
            text: Some(instrument.label().to_owned()),
            answer: vec![QuestionnaireResponseAnswer {
                value_integer: i64::from(level),
            }],
        });
    }
    QuestionnaireResponse {
        id: a.id.clone(),
        meta: observation.meta.clone(),
        questionnaire: questionnaire_url(instrument),
        status: "completed".to_owned(),
        subject: observation.subject.clone(),
        authored: Some(instant(a.assessed_at)),
        author: observation.performer.first().cloned(),
        item,
    }
}

fn cannot_assess() -> CodeableConcept {
    CodeableConcept {
        coding: vec![Coding::new(codes::DATA_ABSENT, "unknown", "Unknown")],
        text: Some("Cannot assess".to_owned()),
    }
}

/// One phase of illness, from its start to the next phase's.
pub(super) fn phase_observation(
    p: &DomainPatient,
    phase: &PhaseEpisode,
    next: Option<jiff::Timestamp>,
) -> Observation {
    let millis = phase.started_at.as_millisecond();
    Observation {
        id: format!("{}-phase-{millis}", p.id.as_str()),
        meta: Some(Meta::versioned(1, phase.started_at)),
        extension: Vec::new(),
        status: "final".to_owned(),
        category: vec![CodeableConcept::coded(
            codes::OBSERVATION_CATEGORY,
            "survey",
            "Survey",
        )],
        code: CodeableConcept::text("Palliative care phase of illness"),
        subject: patient_ref(p),
        effective_date_time: None,
        effective_period: Some(Period {
            start: Some(instant(phase.started_at)),
            end: next.map(instant),
        }),
        issued: None,
        performer: Vec::new(),
        value_integer: None,
        value_quantity: None,
        value_codeable_concept: Some(hearth_coding(
            "phase",
            phase.phase.code(),
            phase.phase.label(),
        )),
        data_absent_reason: None,
        note: Vec::new(),
        has_member: Vec::new(),
        component: Vec::new(),
    }
}
