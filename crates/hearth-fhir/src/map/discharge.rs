//! Discharges from a stay, each a Composition: the discharge letter's parts are its sections,
//! and the plan around it (state, planned time, destination, the receiving team's acceptance,
//! the checklist) is carried as data in extensions, as the export carries every workflow.

use hearth_domain::transition::{DischargeRecord, letter_parts};

use super::workflow::latest;
use super::*;

/// LOINC's code for a discharge summary: the document a hospital sends with the patient.
pub const DISCHARGE_SUMMARY: (&str, &str) = ("18842-5", "Discharge summary");

/// One discharge, with its letter.
pub(super) fn discharge(
    p: &DomainPatient,
    r: &DischargeRecord,
    names: &HashMap<PractitionerId, String>,
) -> Composition {
    let d = &r.stored.discharge;
    let url = |name: &str| extension(name);
    let mut ext = vec![
        Extension::code(&url("discharge-state"), d.state.code()),
        date_time(&url("planned-at"), d.planned_at),
        Extension::code(&url("destination"), d.destination.code()),
        Extension::boolean(&url("complex-discharge"), d.complex),
        date_time(&url("notified-at"), d.notified_at),
    ];
    if let Some(receiving) = &d.receiving {
        ext.push(Extension::reference(
            &url("receiving"),
            practitioner_ref(receiving, names),
        ));
    }
    if let Some((by, at)) = &d.accepted {
        ext.push(Extension::complex(
            &url("accepted"),
            vec![
                Extension::reference("by", practitioner_ref(by, names)),
                date_time("at", *at),
            ],
        ));
    }
    if let Some(at) = d.discharged_at {
        ext.push(date_time(&url("discharged-at"), at));
    }
    if let Some(at) = r.stored.letter_sent_at {
        ext.push(date_time(&url("letter-sent-at"), at));
    }
    for line in &r.checklist {
        let mut parts = vec![
            Extension::code("item", line.item.code()),
            Extension::reference("owner", member_ref(&line.owner, names)),
        ];
        if let Some((by, at)) = &line.done {
            parts.push(Extension::reference("done-by", practitioner_ref(by, names)));
            parts.push(date_time("done-at", *at));
        }
        ext.push(Extension::complex(&url("checklist-item"), parts));
    }
    let section: Vec<CompositionSection> = r
        .stored
        .letter
        .as_ref()
        .map(|letter| {
            letter_parts(letter)
                .into_iter()
                .filter_map(|(field, label, text)| {
                    let text = non_empty(text)?;
                    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
                    Some(CompositionSection {
                        extension: vec![Extension::string(&url("letter-part-text"), &text)],
                        title: Some(label.to_owned()),
                        code: Some(hearth_coding("discharge-letter-part", field, label)),
                        text: Some(Narrative::paragraphs(&lines)),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let updated = latest(
        [
            Some(d.notified_at),
            d.accepted.as_ref().map(|(_, at)| *at),
            d.discharged_at,
            r.stored.letter_sent_at,
        ]
        .into_iter()
        .chain(
            r.checklist
                .iter()
                .map(|l| l.done.as_ref().map(|(_, at)| *at)),
        ),
    )
    .unwrap_or(d.notified_at);
    let (code, display) = DISCHARGE_SUMMARY;
    Composition {
        id: d.id.clone(),
        meta: Some(Meta::versioned(d.version, updated)),
        extension: ext,
        status: if r.stored.letter_sent_at.is_some() {
            "final"
        } else {
            "preliminary"
        }
        .to_owned(),
        type_: CodeableConcept::coded(codes::LOINC, code, display),
        subject: patient_ref(p),
        encounter: Some(Reference::to("Encounter", &d.stay_id)),
        date: instant(r.stored.letter_sent_at.unwrap_or(d.notified_at)),
        author: vec![practitioner_ref(&d.planned_by, names)],
        title: if section.is_empty() {
            "Discharge plan (no letter written yet)"
        } else {
            "Discharge letter"
        }
        .to_owned(),
        section,
    }
}
