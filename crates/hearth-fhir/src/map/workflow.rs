//! Referrals (ServiceRequest), tasks (Task) and stays away from home (Encounter).

use super::*;

/// The latest of some moments.
pub(super) fn latest(
    moments: impl IntoIterator<Item = Option<jiff::Timestamp>>,
) -> Option<jiff::Timestamp> {
    moments.into_iter().flatten().max()
}

/// A referral to a specialist palliative care service.
pub(super) fn referral(
    p: &DomainPatient,
    r: &Referral,
    names: &HashMap<PractitionerId, String>,
) -> ServiceRequest {
    let code = |name: &str, value: &str| Extension::code(&extension(name), value);
    let mut ext = vec![
        code("referral-state", r.state.code()),
        code("patient-agreement", r.agreement.code()),
    ];
    if let Some(priority) = r.priority {
        ext.push(code("triage-priority", priority.code()));
    }
    // What the notes say for people, as data: what the patient knows, the evidence, the
    // suggestions answered, and each step with its time, who and words.
    if let Some(knows) = non_empty(&r.patient_knows) {
        ext.push(Extension::string(&extension("patient-knows"), &knows));
    }
    for line in r.evidence.iter().filter_map(|l| non_empty(l)) {
        ext.push(Extension::string(&extension("evidence"), &line));
    }
    for id in &r.suggestion_ids {
        ext.push(Extension::string(&extension("suggestion"), id));
    }
    for (kind, at, by, words) in [
        ("triaged", r.triaged_at, &r.triaged_by, None),
        ("accepted", r.accepted_at, &r.accepted_by, None),
        (
            "first-contact",
            r.first_contact_at,
            &r.first_contact_by,
            None,
        ),
        ("discharged", r.discharged_at, &r.discharged_by, None),
        (
            "declined",
            r.declined_at,
            &r.declined_by,
            r.decline_advice.as_deref(),
        ),
        (
            "withdrawn",
            r.withdrawn_at,
            &r.withdrawn_by,
            r.withdrawal_reason.as_deref(),
        ),
    ] {
        if let Some(at) = at {
            ext.push(moment(
                &extension("step"),
                kind,
                at,
                by.as_ref(),
                words,
                names,
            ));
        }
    }
    let mut notes = Vec::new();
    if let Some(knows) = non_empty(&r.patient_knows) {
        notes.push(Annotation::text(&format!(
            "What the patient knows: {knows}"
        )));
    }
    for line in &r.evidence {
        if let Some(line) = non_empty(line) {
            notes.push(Annotation::text(&format!("Evidence: {line}")));
        }
    }
    let mut step = |label: &str, at: Option<jiff::Timestamp>, by: &Option<PractitionerId>| {
        if let Some(at) = at {
            notes.push(Annotation {
                author_reference: by.as_ref().map(|b| practitioner_ref(b, names)),
                time: Some(instant(at)),
                text: label.to_owned(),
            });
        }
    };
    step("Triaged", r.triaged_at, &r.triaged_by);
    step("Accepted", r.accepted_at, &r.accepted_by);
    step(
        "First contact with the specialist team",
        r.first_contact_at,
        &r.first_contact_by,
    );
    step(
        "Discharged from specialist care",
        r.discharged_at,
        &r.discharged_by,
    );
    if let Some(at) = r.declined_at {
        let advice = r
            .decline_advice
            .as_deref()
            .and_then(non_empty)
            .unwrap_or_default();
        step(
            &format!("Declined, with advice: {advice}"),
            Some(at),
            &r.declined_by,
        );
    }
    if let Some(at) = r.withdrawn_at {
        let why = r
            .withdrawal_reason
            .as_deref()
            .and_then(non_empty)
            .unwrap_or_default();
        step(&format!("Withdrawn: {why}"), Some(at), &r.withdrawn_by);
    }
    let updated = latest([
        Some(r.referred_at),
        r.triaged_at,
        r.accepted_at,
        r.declined_at,
        r.first_contact_at,
        r.discharged_at,
        r.withdrawn_at,
    ])
    .unwrap_or(r.referred_at);
    ServiceRequest {
        id: r.id.clone(),
        meta: Some(Meta::versioned(r.version, updated)),
        extension: ext,
        status: match r.state {
            ReferralState::Discharged => "completed",
            ReferralState::Declined | ReferralState::Withdrawn => "revoked",
            ReferralState::Referred
            | ReferralState::Triaged
            | ReferralState::Accepted
            | ReferralState::FirstContact => "active",
        }
        .to_owned(),
        intent: "order".to_owned(),
        category: Vec::new(),
        priority: Some(
            match r.urgency {
                ReferralUrgency::Routine => "routine",
                ReferralUrgency::Soon => "urgent",
                ReferralUrgency::Urgent => "asap",
            }
            .to_owned(),
        ),
        code: Some(CodeableConcept::text(
            "Referral to specialist palliative care",
        )),
        order_detail: r
            .asks
            .iter()
            .map(|a| hearth_coding("referral-ask", a.code(), a.label()))
            .collect(),
        subject: patient_ref(p),
        authored_on: Some(instant(r.referred_at)),
        requester: Some(practitioner_ref(&r.referred_by, names)),
        performer: vec![Reference::to("Organization", r.service.as_str())],
        reason_code: non_empty(&r.reason)
            .map(|reason| CodeableConcept::text(&reason))
            .into_iter()
            .collect(),
        note: notes,
    }
}

/// A complex extension for one moment of a record: what happened (`kind`), when, by whom, and
/// any words that went with it.
pub(super) fn moment(
    url: &str,
    kind: &str,
    at: jiff::Timestamp,
    by: Option<&PractitionerId>,
    words: Option<&str>,
    names: &HashMap<PractitionerId, String>,
) -> Extension {
    let mut parts = vec![
        Extension::code("kind", kind),
        Extension {
            url: "at".to_owned(),
            value_date_time: Some(instant(at)),
            ..Extension::default()
        },
    ];
    if let Some(by) = by {
        parts.push(Extension::reference("by", practitioner_ref(by, names)));
    }
    if let Some(words) = words.and_then(non_empty) {
        parts.push(Extension::string("words", &words));
    }
    Extension::complex(url, parts)
}

/// A task agreed about the patient.
pub(super) fn task(
    p: &DomainPatient,
    t: &DomainTask,
    names: &HashMap<PractitionerId, String>,
) -> Task {
    let claimed_by = t.claimed.as_ref().map(|(by, _)| by);
    let owner = match (&t.owner, claimed_by) {
        (_, Some(by)) => practitioner_ref(by, names),
        (TaskOwner::Person(id), None) => practitioner_ref(id, names),
        (TaskOwner::Service(id), None) => Reference::to("Organization", id.as_str()),
        (TaskOwner::Role(role), None) => Reference::named(
            "CareTeam",
            p.id.as_str(),
            &format!("{} in the care team", role.label()),
        ),
    };
    let status = match t.status {
        TaskStatus::Done => "completed",
        TaskStatus::Cancelled => "cancelled",
        TaskStatus::Open if t.owner.is_shared() && t.claimed.is_none() => "requested",
        TaskStatus::Open => "accepted",
    };
    let business = match (t.status, t.escalated_at) {
        (TaskStatus::Open, Some(_)) => Some("Overdue: escalated"),
        _ => None,
    };
    let updated = latest([
        Some(t.created_at),
        t.claimed.as_ref().map(|(_, at)| *at),
        t.closed.as_ref().map(|(_, at)| *at),
        t.escalated_at,
    ])
    .unwrap_or(t.created_at);
    // The owner as assigned (Task.owner shows whoever holds it now), where it came from, and
    // its claim, closing and escalation.
    let mut ext = vec![
        match &t.owner {
            TaskOwner::Person(id) => {
                Extension::reference(&extension("assigned-to"), practitioner_ref(id, names))
            }
            TaskOwner::Service(id) => Extension::reference(
                &extension("assigned-to"),
                Reference::to("Organization", id.as_str()),
            ),
            TaskOwner::Role(role) => Extension::code(&extension("assigned-to-role"), role.code()),
        },
        Extension::code(&extension("task-source"), t.source.code()),
    ];
    if let Some(r) = t.source_ref.as_deref().and_then(non_empty) {
        ext.push(Extension::string(&extension("task-source-ref"), &r));
    }
    if let Some((by, at)) = &t.claimed {
        ext.push(moment(
            &extension("step"),
            "claimed",
            *at,
            Some(by),
            None,
            names,
        ));
    }
    if let Some((by, at)) = &t.closed {
        ext.push(moment(
            &extension("step"),
            "closed",
            *at,
            Some(by),
            None,
            names,
        ));
    }
    if let Some(at) = t.escalated_at {
        ext.push(moment(
            &extension("step"),
            "escalated",
            at,
            None,
            None,
            names,
        ));
    }
    Task {
        id: t.id.clone(),
        meta: Some(Meta::versioned(t.version, updated)),
        extension: ext,
        status: status.to_owned(),
        business_status: business.map(CodeableConcept::text),
        intent: "order".to_owned(),
        priority: None,
        description: non_empty(&t.title),
        for_: Some(patient_ref(p)),
        authored_on: Some(instant(t.created_at)),
        last_modified: Some(instant(updated)),
        requester: Some(practitioner_ref(&t.created_by, names)),
        owner: Some(owner),
        restriction: Some(TaskRestriction {
            period: Some(Period {
                start: None,
                end: Some(instant(t.due_at)),
            }),
        }),
        note: vec![Annotation::text(&format!("From: {}", t.source.label()))],
    }
}

/// A stay away from home; `None` for a stay at home.
pub(super) fn stay(s: &Stay, names: &HashMap<PractitionerId, String>) -> Option<Encounter> {
    let (class, display) = match s.place {
        PlaceKind::Home => return None,
        PlaceKind::Hospital => ("IMP", "inpatient encounter"),
        PlaceKind::Hospice | PlaceKind::PalliativeBeds | PlaceKind::CareHome | PlaceKind::Other => {
            ("NONAC", "inpatient non-acute")
        }
    };
    let mut ext = vec![Extension::reference(
        &extension("recorded-by"),
        practitioner_ref(&s.recorded_by, names),
    )];
    if let Some(detail) = s.detail.as_deref().and_then(non_empty) {
        ext.push(Extension::string(&extension("ward-or-room"), &detail));
    }
    Some(Encounter {
        id: s.id.clone(),
        meta: Some(Meta::versioned(
            if s.ended_at.is_some() { 2 } else { 1 },
            s.ended_at.unwrap_or(s.started_at),
        )),
        extension: ext,
        status: if s.ended_at.is_some() {
            "finished"
        } else {
            "in-progress"
        }
        .to_owned(),
        class: Coding::new(codes::ACT_CODE, class, display),
        type_: vec![hearth_coding("place-kind", s.place.code(), s.place.label())],
        priority: s
            .emergency
            .then(|| CodeableConcept::coded(codes::ACT_PRIORITY, "EM", "emergency")),
        subject: Reference::to("Patient", s.patient_id.as_str()),
        period: Some(Period {
            start: Some(instant(s.started_at)),
            end: s.ended_at.map(instant),
        }),
        reason_code: s
            .reason
            .as_deref()
            .and_then(non_empty)
            .map(|r| CodeableConcept::text(&r))
            .into_iter()
            .collect(),
        service_provider: s
            .organisation_id
            .as_ref()
            .map(|o| Reference::to("Organization", o.as_str())),
    })
}
