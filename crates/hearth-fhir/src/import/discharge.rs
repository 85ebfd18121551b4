//! Discharges from a stay (Composition): the plan from its extensions, the letter from its
//! sections' `letter-part-text`.

use hearth_domain::transition::{
    ChecklistItem, ChecklistLine, Discharge, DischargeRecord, DischargeState, Letter, PlaceKind,
    StoredDischarge,
};

use super::workflow::{instant_of, version_of};
use super::*;

/// The letter's part `field`, by its code in Hearth's `discharge-letter-part`.
fn letter_part<'a>(letter: &'a mut Letter, field: &str) -> Option<&'a mut String> {
    Some(match field {
        "diagnosis" => &mut letter.diagnosis,
        "what_was_told" => &mut letter.what_was_told,
        "treatment_changes" => &mut letter.treatment_changes,
        "medicines" => &mut letter.medicines,
        "anticipatory_medicines" => &mut letter.anticipatory_medicines,
        "symptom_plan" => &mut letter.symptom_plan,
        "resuscitation" => &mut letter.resuscitation,
        "follow_up" => &mut letter.follow_up,
        "hospital_contact" => &mut letter.hospital_contact,
        _ => return None,
    })
}

/// One discharge with its letter and checklist.
pub(super) fn discharge(
    c: &fhir::Composition,
    patients: &mut Patients,
) -> Result<(), OperationOutcome> {
    let what = format!("Composition/{}", c.id);
    let record = record_of(patients, &c.subject, &what)?;
    let required =
        |element: &str| refuse(IssueType::Required, format!("{what} needs its {element}."));
    let (code, _) = crate::map::DISCHARGE_SUMMARY;
    if c.type_.code_in(codes::LOINC) != Some(code) {
        return Err(refuse(
            IssueType::NotSupported,
            format!(
                "{what}: Hearth keeps discharge letters (type LOINC {code}) with the discharge they belong to; other documents are not kept."
            ),
        ));
    }
    let ext = &c.extension;
    let one = |name: &str| extensions(ext, name).next();
    let at = |name: &str| {
        one(name)
            .map(|e| instant_of(e.value_date_time.as_deref(), &format!("{what}: {name}")))
            .transpose()
    };
    let accepted = match one("accepted") {
        None => None,
        Some(e) => {
            let part = |name: &str| e.extension.iter().find(|p| p.url == name);
            let by = part("by")
                .and_then(|p| reference_id(p.value_reference.as_ref(), "Practitioner"))
                .ok_or_else(|| required("acceptance's by (a Practitioner)"))?;
            let when = instant_of(
                part("at").and_then(|p| p.value_date_time.as_deref()),
                &format!("{what}: the acceptance's time"),
            )?;
            Some((PractitionerId::new(by), when))
        }
    };
    let checklist = extensions(ext, "checklist-item")
        .map(|e| {
            let part = |name: &str| e.extension.iter().find(|p| p.url == name);
            let item = coded(
                part("item").and_then(|p| p.value_code.as_deref()),
                "discharge checklist item",
                ChecklistItem::from_code,
            )?;
            let owner = member_of(part("owner").and_then(|p| p.value_reference.as_ref()))
                .ok_or_else(|| {
                    required("checklist items' owner (a Practitioner or Organization)")
                })?;
            let done = match part("done-by") {
                None => None,
                Some(by) => Some((
                    reference_id(by.value_reference.as_ref(), "Practitioner")
                        .map(PractitionerId::new)
                        .ok_or_else(|| required("checklist items' done-by (a Practitioner)"))?,
                    instant_of(
                        part("done-at").and_then(|p| p.value_date_time.as_deref()),
                        &format!("{what}: when a checklist item was done"),
                    )?,
                )),
            };
            Ok(ChecklistLine { item, owner, done })
        })
        .collect::<Result<Vec<_>, OperationOutcome>>()?;
    let mut letter = Letter::default();
    for s in &c.section {
        let field = s
            .code
            .as_ref()
            .and_then(|code| code.code_in(&system("discharge-letter-part")))
            .unwrap_or("");
        let Some(slot) = letter_part(&mut letter, field) else {
            return Err(invalid(format!(
                "{what}: a section is one of the letter's parts (Hearth's discharge-letter-part codes), not \"{field}\"."
            )));
        };
        *slot = ext_string(&s.extension, "letter-part-text")
            .ok_or_else(|| required("sections' letter-part-text (the part's words)"))?;
    }
    let discharge = Discharge {
        id: c.id.clone(),
        patient_id: record.id.clone(),
        stay_id: reference_id(c.encounter.as_ref(), "Encounter")
            .ok_or_else(|| required("encounter (the stay it ends)"))?
            .to_owned(),
        state: coded(
            ext_code(ext, "discharge-state"),
            "discharge state",
            DischargeState::from_code,
        )?,
        planned_at: at("planned-at")?.ok_or_else(|| required("planned-at extension"))?,
        destination: coded(
            ext_code(ext, "destination"),
            "destination",
            PlaceKind::from_code,
        )?,
        receiving: one("receiving")
            .and_then(|e| reference_id(e.value_reference.as_ref(), "Practitioner"))
            .map(PractitionerId::new),
        complex: one("complex-discharge")
            .and_then(|e| e.value_boolean)
            .unwrap_or(false),
        planned_by: PractitionerId::new(
            c.author
                .iter()
                .find_map(|a| reference_id(Some(a), "Practitioner"))
                .ok_or_else(|| required("author (a Practitioner: who planned it)"))?,
        ),
        notified_at: at("notified-at")?.ok_or_else(|| required("notified-at extension"))?,
        accepted,
        discharged_at: at("discharged-at")?,
        version: version_of(c.meta.as_ref()),
    };
    let letter_sent_at = at("letter-sent-at")?;
    let written = !c.section.is_empty();
    record.discharges.push(DischargeRecord {
        stored: StoredDischarge {
            discharge,
            letter: written
                .then(|| letter.checked())
                .transpose()
                .map_err(|e| invalid(format!("{what}: {}", e.message)))?,
            letter_sent_at,
        },
        checklist,
    });
    Ok(())
}
