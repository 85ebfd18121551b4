//! Referrals (ServiceRequest), tasks (Task) and stays away from home (Encounter).

use super::*;

/// One `step` extension: what happened, when, by whom, with what words.
struct Step {
    kind: String,
    at: Timestamp,
    by: Option<PractitionerId>,
    words: Option<String>,
}

fn steps(ext: &[Extension], what: &str) -> Result<Vec<Step>, OperationOutcome> {
    extensions(ext, "step")
        .map(|e| {
            let part = |name: &str| e.extension.iter().find(|p| p.url == name);
            let kind = part("kind")
                .and_then(|p| p.value_code.clone())
                .ok_or_else(|| {
                    refuse(
                        IssueType::Required,
                        format!("A step of {what} has no kind."),
                    )
                })?;
            let at = part("at")
                .and_then(|p| p.value_date_time.as_deref())
                .and_then(|t| t.parse().ok())
                .ok_or_else(|| {
                    refuse(
                        IssueType::Required,
                        format!("The {kind} step of {what} has no time (an instant)."),
                    )
                })?;
            Ok(Step {
                kind,
                at,
                by: part("by")
                    .and_then(|p| reference_id(p.value_reference.as_ref(), "Practitioner"))
                    .map(PractitionerId::new),
                words: part("words").and_then(|p| p.value_string.clone()),
            })
        })
        .collect()
}

pub(super) fn instant_of(text: Option<&str>, what: &str) -> Result<Timestamp, OperationOutcome> {
    text.and_then(|t| t.parse().ok()).ok_or_else(|| {
        refuse(
            IssueType::Required,
            format!("{what} is missing (an instant)."),
        )
    })
}

pub(super) fn version_of(meta: Option<&Meta>) -> i64 {
    stamp(meta, Timestamp::UNIX_EPOCH).0
}

/// A referral to specialist palliative care.
pub(super) fn referral(
    r: &fhir::ServiceRequest,
    patients: &mut Patients,
) -> Result<(), OperationOutcome> {
    use hearth_domain::referral::{
        PatientAgreement, Referral, ReferralAsk, ReferralState, ReferralUrgency, TriagePriority,
    };
    let what = format!("ServiceRequest/{}", r.id);
    let record = record_of(patients, &r.subject, &what)?;
    let state = coded(
        ext_code(&r.extension, "referral-state"),
        "referral state",
        ReferralState::from_code,
    )?;
    let steps = steps(&r.extension, &what)?;
    let step = |kind: &str| steps.iter().find(|s| s.kind == kind);
    for s in &steps {
        if ![
            "triaged",
            "accepted",
            "first-contact",
            "discharged",
            "declined",
            "withdrawn",
        ]
        .contains(&s.kind.as_str())
        {
            return Err(invalid(format!(
                "{what}: a referral has no step \"{}\".",
                s.kind
            )));
        }
    }
    let at = |kind: &str| step(kind).map(|s| s.at);
    let by = |kind: &str| step(kind).and_then(|s| s.by.clone());
    let required =
        |element: &str| refuse(IssueType::Required, format!("{what} needs its {element}."));
    let referral = Referral {
        id: r.id.clone(),
        patient_id: record.id.clone(),
        referred_by: PractitionerId::new(
            reference_id(r.requester.as_ref(), "Practitioner")
                .ok_or_else(|| required("requester (a Practitioner)"))?,
        ),
        service: OrganisationId::new(
            r.performer
                .iter()
                .find_map(|p| reference_id(Some(p), "Organization"))
                .ok_or_else(|| required("performer (the service, an Organization)"))?,
        ),
        referred_at: instant_of(r.authored_on.as_deref(), &format!("{what}.authoredOn"))?,
        reason: r
            .reason_code
            .iter()
            .find_map(|c| c.text.clone())
            .unwrap_or_default(),
        urgency: match r.priority.as_deref() {
            Some("routine") | None => ReferralUrgency::Routine,
            Some("urgent") => ReferralUrgency::Soon,
            Some("asap") | Some("stat") => ReferralUrgency::Urgent,
            Some(other) => return Err(invalid(format!("{what}: no priority \"{other}\"."))),
        },
        asks: r
            .order_detail
            .iter()
            .map(|c| {
                coded(
                    hearth_code(std::slice::from_ref(c), "referral-ask"),
                    "referral ask",
                    ReferralAsk::from_code,
                )
            })
            .collect::<Result<_, _>>()?,
        patient_knows: ext_string(&r.extension, "patient-knows").unwrap_or_default(),
        agreement: coded(
            ext_code(&r.extension, "patient-agreement"),
            "patient agreement",
            PatientAgreement::from_code,
        )?,
        evidence: extensions(&r.extension, "evidence")
            .filter_map(|e| e.value_string.clone())
            .collect(),
        suggestion_ids: extensions(&r.extension, "suggestion")
            .filter_map(|e| e.value_string.clone())
            .collect(),
        state,
        triaged_at: at("triaged"),
        triaged_by: by("triaged"),
        priority: ext_code(&r.extension, "triage-priority")
            .map(|c| coded(Some(c), "triage priority", TriagePriority::from_code))
            .transpose()?,
        accepted_at: at("accepted"),
        accepted_by: by("accepted"),
        declined_at: at("declined"),
        declined_by: by("declined"),
        decline_advice: step("declined").and_then(|s| s.words.clone()),
        first_contact_at: at("first-contact"),
        first_contact_by: by("first-contact"),
        discharged_at: at("discharged"),
        discharged_by: by("discharged"),
        withdrawn_at: at("withdrawn"),
        withdrawn_by: by("withdrawn"),
        withdrawal_reason: step("withdrawn").and_then(|s| s.words.clone()),
        version: version_of(r.meta.as_ref()),
    };
    if referral.asks.is_empty() {
        return Err(required("orderDetail (what is asked for, one or more)"));
    }
    // The state must have the step that reached it.
    let reached = match state {
        ReferralState::Referred => true,
        ReferralState::Triaged => referral.triaged_at.is_some(),
        ReferralState::Accepted => referral.accepted_at.is_some(),
        ReferralState::Declined => {
            referral.declined_at.is_some() && referral.decline_advice.is_some()
        }
        ReferralState::FirstContact => referral.first_contact_at.is_some(),
        ReferralState::Discharged => referral.discharged_at.is_some(),
        ReferralState::Withdrawn => referral.withdrawn_at.is_some(),
    };
    if !reached {
        return Err(invalid(format!(
            "{what} is {} but has no {} step saying when and by whom.",
            state.code(),
            state.code()
        )));
    }
    record.referrals.push(referral);
    Ok(())
}

/// A task about the patient.
pub(super) fn task(t: &fhir::Task, patients: &mut Patients) -> Result<(), OperationOutcome> {
    use hearth_domain::task::{Task, TaskOwner, TaskSource, TaskStatus};
    let what = format!("Task/{}", t.id);
    let subject = t.for_.clone().unwrap_or_default();
    let record = record_of(patients, &subject, &what)?;
    let required =
        |element: &str| refuse(IssueType::Required, format!("{what} needs its {element}."));
    let assigned = extensions(&t.extension, "assigned-to").find_map(|e| e.value_reference.as_ref());
    let owner = if let Some(p) = reference_id(assigned, "Practitioner") {
        TaskOwner::Person(PractitionerId::new(p))
    } else if let Some(o) = reference_id(assigned, "Organization") {
        TaskOwner::Service(OrganisationId::new(o))
    } else if let Some(role) = ext_code(&t.extension, "assigned-to-role") {
        TaskOwner::Role(coded(
            Some(role),
            "care team role",
            CareTeamRole::from_code,
        )?)
    } else {
        return Err(required(
            "assigned-to or assigned-to-role extension (who the task was given to)",
        ));
    };
    let steps = steps(&t.extension, &what)?;
    let step = |kind: &str| steps.iter().find(|s| s.kind == kind);
    let with_by = |kind: &str| -> Result<Option<(PractitionerId, Timestamp)>, OperationOutcome> {
        step(kind)
            .map(|s| {
                s.by.clone()
                    .map(|by| (by, s.at))
                    .ok_or_else(|| required(&format!("{kind} step's by (a Practitioner)")))
            })
            .transpose()
    };
    let status = match t.status.as_str() {
        "completed" => TaskStatus::Done,
        "cancelled" => TaskStatus::Cancelled,
        "requested" | "accepted" | "ready" | "in-progress" => TaskStatus::Open,
        other => {
            return Err(invalid(format!(
                "{what}: Hearth has no task status for \"{other}\"."
            )));
        }
    };
    let closed = with_by("closed")?;
    if (status == TaskStatus::Open) == closed.is_some() {
        return Err(invalid(format!(
            "{what}: a task is closed exactly when it is completed or cancelled."
        )));
    }
    let title = t
        .description
        .clone()
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| required("description (the title)"))?;
    if title.chars().count() > hearth_domain::task::MAX_TITLE {
        return Err(invalid(format!(
            "{what}: the title is longer than {} characters.",
            hearth_domain::task::MAX_TITLE
        )));
    }
    record.tasks.push(Task {
        id: t.id.clone(),
        patient_id: record.id.clone(),
        title,
        owner,
        due_at: instant_of(
            t.restriction
                .as_ref()
                .and_then(|r| r.period.as_ref())
                .and_then(|p| p.end.as_deref()),
            &format!("{what}.restriction.period.end (when it is due)"),
        )?,
        status,
        source: coded(
            ext_code(&t.extension, "task-source"),
            "task source",
            TaskSource::from_code,
        )?,
        source_ref: ext_string(&t.extension, "task-source-ref"),
        created_by: PractitionerId::new(
            reference_id(t.requester.as_ref(), "Practitioner")
                .ok_or_else(|| required("requester (a Practitioner)"))?,
        ),
        created_at: instant_of(t.authored_on.as_deref(), &format!("{what}.authoredOn"))?,
        claimed: with_by("claimed")?,
        closed,
        escalated_at: step("escalated").map(|s| s.at),
        version: version_of(t.meta.as_ref()),
    });
    Ok(())
}

/// A stay away from home.
pub(super) fn stay(e: &fhir::Encounter, patients: &mut Patients) -> Result<(), OperationOutcome> {
    use hearth_domain::transition::{PlaceKind, Stay};
    let what = format!("Encounter/{}", e.id);
    let record = record_of(patients, &e.subject, &what)?;
    let place = coded(
        hearth_code(&e.type_, "place-kind"),
        "place (Encounter.type in Hearth's place-kind codes)",
        PlaceKind::from_code,
    )?;
    if place == PlaceKind::Home {
        return Err(invalid(format!(
            "{what}: a stay at home is not an encounter."
        )));
    }
    let period = e.period.clone().unwrap_or_default();
    let started_at = instant_of(period.start.as_deref(), &format!("{what}.period.start"))?;
    let ended_at = period
        .end
        .as_deref()
        .map(|t| instant_of(Some(t), &format!("{what}.period.end")))
        .transpose()?;
    if ended_at.is_some_and(|end| end < started_at) {
        return Err(invalid(format!("{what} ends before it starts.")));
    }
    record.stays.push(Stay {
        id: e.id.clone(),
        patient_id: record.id.clone(),
        place,
        organisation_id: reference_id(e.service_provider.as_ref(), "Organization")
            .map(OrganisationId::new),
        detail: ext_string(&e.extension, "ward-or-room"),
        emergency: e
            .priority
            .as_ref()
            .is_some_and(|p| p.coding.iter().any(|c| c.code.as_deref() == Some("EM"))),
        reason: e.reason_code.iter().find_map(|c| c.text.clone()),
        started_at,
        ended_at,
        recorded_by: PractitionerId::new(
            extensions(&e.extension, "recorded-by")
                .find_map(|x| reference_id(x.value_reference.as_ref(), "Practitioner"))
                .ok_or_else(|| {
                    refuse(
                        IssueType::Required,
                        format!("{what} needs the recorded-by extension naming a Practitioner."),
                    )
                })?,
        ),
    });
    Ok(())
}
