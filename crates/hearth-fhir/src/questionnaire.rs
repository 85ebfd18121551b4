//! The instruments' questionnaires, published at `/fhir/Questionnaire/{id}` (public, as the
//! code systems are): what an assessment's QuestionnaireResponse answers, item by item, built
//! from the domain's lists of items so the two cannot drift. Each item is scored as an integer;
//! an item that could not be assessed has no answer and says so with the data-absent-reason
//! extension.

use hearth_domain::assessment::{EsasSymptom, Instrument, IposItem, IposSymptom};
use serde::{Deserialize, Serialize};

use crate::datatypes::is_empty;

/// The most other symptoms an IPOS names (its question 2), and an ESAS-r its other problem.
const IPOS_OTHERS: usize = 3;

/// A questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Questionnaire {
    pub id: String,
    pub url: String,
    pub name: String,
    pub title: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub subject_type: Vec<String>,
    pub description: String,
    pub item: Vec<QuestionnaireItem>,
}

/// One item: its link id (the item's Hearth code), its words and how it is answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireItem {
    pub link_id: String,
    pub text: String,
    #[serde(rename = "type")]
    pub type_: String,
}

fn item(link_id: &str, text: &str) -> QuestionnaireItem {
    QuestionnaireItem {
        link_id: link_id.to_owned(),
        text: text.to_owned(),
        type_: "integer".to_owned(),
    }
}

/// The questionnaire of one instrument.
pub fn of(instrument: Instrument) -> Questionnaire {
    let (name, description, item): (&str, &str, Vec<QuestionnaireItem>) = match instrument {
        Instrument::Ipos => (
            "HearthIpos",
            "The scored items of the Integrated Palliative care Outcome Scale (IPOS) as Hearth records them: the ten physical symptoms of question 2 and up to three the respondent names (0-4), then questions 3 to 9 (0-4). The main concerns (question 1) are words, kept with the assessment's Observation.",
            IposSymptom::ALL
                .iter()
                .map(|s| item(s.code(), s.label()))
                .chain((1..=IPOS_OTHERS).map(|n| {
                    item(
                        &format!("other-{n}"),
                        "Other symptom, named by the respondent",
                    )
                }))
                .chain(IposItem::ALL.iter().map(|i| item(i.code(), i.label())))
                .collect(),
        ),
        Instrument::Esas => (
            "HearthEsasR",
            "The revised Edmonton Symptom Assessment System (ESAS-r): nine symptoms scored 0-10 and one other problem the respondent names.",
            EsasSymptom::ALL
                .iter()
                .map(|s| item(s.code(), s.label()))
                .chain(std::iter::once(item(
                    "other-1",
                    "Other problem, named by the respondent",
                )))
                .collect(),
        ),
        Instrument::Akps => (
            "HearthAkps",
            "The Australia-modified Karnofsky Performance Status (AKPS): one level, 10 to 100 in steps of 10.",
            vec![item(instrument.code(), instrument.label())],
        ),
    };
    Questionnaire {
        id: instrument.code().to_owned(),
        url: crate::map::questionnaire_url(instrument),
        name: name.to_owned(),
        title: instrument.label().to_owned(),
        status: "active".to_owned(),
        subject_type: vec!["Patient".to_owned()],
        description: description.to_owned(),
        item,
    }
}

/// Every questionnaire Hearth publishes.
pub fn all() -> Vec<Questionnaire> {
    Instrument::ALL.iter().map(|i| of(*i)).collect()
}

/// The questionnaire with this id.
pub fn by_id(id: &str) -> Option<Questionnaire> {
    Instrument::from_code(id).map(of)
}
