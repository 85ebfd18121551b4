//! The shared care plan (CarePlan) with its goals (Goal) and anticipatory medicines
//! (MedicationRequest).

use super::*;

/// The care plan with its goals and anticipatory medicines, when any section was written.
pub(super) fn care_plan(record: PatientRecord<'_>, died: bool) -> Vec<Resource> {
    let p = record.patient;
    if record.sections.is_empty() {
        return Vec::new();
    }
    let pid = p.id.as_str();
    let mut sections: Vec<&SectionVersion> = record.sections.iter().collect();
    sections.sort_by_key(|s| Section::ALL.iter().position(|x| *x == s.section));
    let mut out = Vec::new();
    let mut goals = Vec::new();
    let mut activities = Vec::new();
    let mut notes = Vec::new();
    let mut lines = Vec::new();
    let mut extensions = Vec::new();
    for v in &sections {
        extensions.push(crate::sections::encode(
            v,
            practitioner_ref(&v.author, record.names),
        ));
        let author = record
            .names
            .get(&v.author)
            .map_or("a colleague", String::as_str);
        let heading = format!(
            "{} (version {}, saved by {author}, review by {})",
            v.section.label(),
            v.version,
            date(v.review_by)
        );
        let body: Vec<String> = v
            .content
            .fields()
            .into_iter()
            .map(|(label, value)| {
                let value = non_empty(&value).unwrap_or_else(|| "Not recorded".to_owned());
                format!("{label}: {value}")
            })
            .collect();
        lines.push(heading.clone());
        lines.extend(body.iter().cloned());
        notes.push(Annotation {
            author_reference: Some(practitioner_ref(&v.author, record.names)),
            time: Some(instant(v.saved_at)),
            text: format!("{heading}\n{}", body.join("\n")),
        });
        match &v.content {
            Content::WhatMatters {
                agreed_goals,
                discipline_goals,
                ..
            } => {
                if let Some(g) = non_empty(agreed_goals) {
                    goals.push(goal(p, v, format!("{pid}-goal-agreed"), None, &g, died));
                }
                for (i, dg) in discipline_goals.iter().enumerate() {
                    if let Some(g) = non_empty(&dg.goal) {
                        goals.push(goal(
                            p,
                            v,
                            format!("{pid}-goal-{}", i + 1),
                            non_empty(&dg.discipline),
                            &g,
                            died,
                        ));
                    }
                }
            }
            Content::AnticipatoryMedicines { medicines, .. } => {
                for (i, m) in medicines.iter().enumerate() {
                    if non_empty(&m.drug).is_none() {
                        continue;
                    }
                    let r = medicine(p, v, i, m, died);
                    activities.push(CarePlanActivity {
                        reference: Some(Reference::to("MedicationRequest", &r.id)),
                    });
                    out.push(Resource::MedicationRequest(r));
                }
            }
            _ => {}
        }
    }
    let updated = sections.iter().map(|s| s.saved_at).max();
    let version: i64 = sections.iter().map(|s| s.version).sum();
    let description = sections.iter().find_map(|s| match &s.content {
        Content::WhatMatters { own_words, .. } => non_empty(own_words),
        _ => None,
    });
    let plan = CarePlan {
        id: pid.to_owned(),
        meta: updated.map(|u| Meta::versioned(version, u)),
        text: Some(Narrative::paragraphs(&lines)),
        extension: extensions,
        status: if died { "completed" } else { "active" }.to_owned(),
        intent: "plan".to_owned(),
        category: vec![CodeableConcept::text("Shared palliative care plan")],
        title: Some("Shared care plan".to_owned()),
        description,
        subject: patient_ref(p),
        created: sections.iter().map(|s| s.saved_at).min().map(instant),
        author: None,
        care_team: if record.team.is_empty() {
            Vec::new()
        } else {
            vec![Reference::to("CareTeam", pid)]
        },
        goal: goals.iter().map(|g| Reference::to("Goal", &g.id)).collect(),
        activity: activities,
        note: notes,
    };
    let mut all = vec![Resource::CarePlan(plan)];
    all.extend(goals.into_iter().map(Resource::Goal));
    all.extend(out);
    all
}

fn goal(
    p: &DomainPatient,
    v: &SectionVersion,
    id: String,
    discipline: Option<String>,
    text: &str,
    died: bool,
) -> Goal {
    Goal {
        id,
        meta: Some(Meta::versioned(v.version, v.saved_at)),
        lifecycle_status: if died { "completed" } else { "active" }.to_owned(),
        category: discipline
            .map(|d| CodeableConcept::text(&d))
            .into_iter()
            .collect(),
        description: CodeableConcept::text(text),
        subject: patient_ref(p),
        status_date: Some(date(v.saved_at.to_zoned(jiff::tz::TimeZone::UTC).date())),
        expressed_by: None,
    }
}

fn medicine(
    p: &DomainPatient,
    v: &SectionVersion,
    index: usize,
    m: &hearth_domain::care_plan::Medicine,
    died: bool,
) -> MedicationRequest {
    let mut dose: Vec<String> = [&m.dose, &m.route]
        .into_iter()
        .filter_map(|t| non_empty(t))
        .collect();
    if let Some(most) = non_empty(&m.max_frequency) {
        dose.push(format!("at most {most}"));
    }
    let mut ext = vec![Extension::boolean(&extension("dispensed"), m.dispensed)];
    if let Some(w) = non_empty(&m.kept_where) {
        ext.push(Extension::string(&extension("kept-in-the-home"), &w));
    }
    MedicationRequest {
        id: format!("{}-medicine-{}", p.id.as_str(), index + 1),
        meta: Some(Meta::versioned(v.version, v.saved_at)),
        extension: ext,
        status: if died { "stopped" } else { "active" }.to_owned(),
        // Prescribed: an order; listed in the plan but not yet prescribed: a plan.
        intent: if m.prescribed_on.is_some() {
            "order"
        } else {
            "plan"
        }
        .to_owned(),
        category: vec![CodeableConcept::text(
            "Anticipatory (just in case) medicine",
        )],
        medication_codeable_concept: CodeableConcept::text(m.drug.trim()),
        subject: patient_ref(p),
        authored_on: m.prescribed_on.map(date),
        requester: non_empty(&m.prescriber).map(|name| Reference {
            reference: None,
            display: Some(name),
        }),
        reason_code: non_empty(&m.indication)
            .map(|i| CodeableConcept::text(&i))
            .into_iter()
            .collect(),
        note: Vec::new(),
        dosage_instruction: vec![Dosage {
            text: (!dose.is_empty()).then(|| dose.join(", ")),
            as_needed_boolean: Some(true),
            route: non_empty(&m.route).map(|r| CodeableConcept::text(&r)),
        }],
    }
}

/// Every version of the care plan Hearth can show, newest first, each with its version (the
/// sum of its sections' versions, as `meta.versionId` is) and when it was saved: one after each
/// section saved. A plan brought in by an import starts where its earliest kept versions are
/// all in (the versions before an imported section's are not kept).
pub fn care_plan_versions(
    record: PatientRecord<'_>,
    saved: &[SectionVersion],
) -> Vec<(Resource, i64, jiff::Timestamp)> {
    let died = super::died_on(record.register).is_some();
    let start = saved
        .iter()
        .enumerate()
        .filter(|(i, v)| v.version > 1 && !saved[..*i].iter().any(|w| w.section == v.section))
        .map(|(i, _)| i)
        .max()
        .unwrap_or(0);
    let mut current: Vec<SectionVersion> = Vec::new();
    let mut out = Vec::new();
    for (i, v) in saved.iter().enumerate() {
        current.retain(|c| c.section != v.section);
        current.push(v.clone());
        if i < start {
            continue;
        }
        let state = PatientRecord {
            sections: &current,
            ..record
        };
        if let Some(plan) = care_plan(state, died)
            .into_iter()
            .find(|r| matches!(r, Resource::CarePlan(_)))
        {
            out.push((plan, current.iter().map(|s| s.version).sum(), v.saved_at));
        }
    }
    out.reverse();
    out
}
