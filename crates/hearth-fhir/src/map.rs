//! The domain → FHIR mapping: one function per kind of record. Ids are the domain's own; a
//! patient's one care team and one care plan take the patient's id, and resources Hearth holds
//! inside another (a plan's goals and medicines, a patient's main diagnosis) take the id of what
//! holds them with a suffix. `docs/design/fhir-mapping.md` lists every element.

use std::collections::HashMap;

use hearth_domain::PractitionerId;
use hearth_domain::assessment::{Answer, Assessment, IposSymptom, Measure, PhaseEpisode};
use hearth_domain::care_plan::{Content, Section, SectionVersion};
use hearth_domain::care_team::{CareTeamMember, Member};
use hearth_domain::organisation::{Organisation, OrganisationKind};
use hearth_domain::patient::Patient as DomainPatient;
use hearth_domain::practitioner::{Practitioner as DomainPractitioner, PractitionerRole as Role};
use hearth_domain::referral::{Referral, ReferralState, ReferralUrgency};
use hearth_domain::register::{ConsentDecision, Leaving, RegisterEntry};
use hearth_domain::task::{Task as DomainTask, TaskOwner, TaskStatus};
use hearth_domain::transition::{PlaceKind, Stay};

use crate::codes::{self, extension, system};
use crate::datatypes::{
    Address, Annotation, CodeableConcept, Coding, ContactPoint, Extension, HumanName, Identifier,
    Meta, Narrative, Period, Reference, date, instant, non_empty,
};
use crate::resources::*;

/// Everything Hearth holds about one patient that the API exposes.
#[derive(Debug, Clone, Copy)]
pub struct PatientRecord<'a> {
    pub patient: &'a DomainPatient,
    /// Register entries, current and past.
    pub register: &'a [RegisterEntry],
    /// Care team memberships, current and ended.
    pub team: &'a [CareTeamMember],
    /// The names of the practitioners mentioned.
    pub names: &'a HashMap<PractitionerId, String>,
    /// The current version of each section of the plan.
    pub sections: &'a [SectionVersion],
    pub assessments: &'a [Assessment],
    /// The phases of illness, oldest first.
    pub phases: &'a [PhaseEpisode],
    pub referrals: &'a [Referral],
    pub tasks: &'a [DomainTask],
    /// Stays away from home (a stay at home is not an encounter and is left out).
    pub stays: &'a [Stay],
}

fn practitioner_ref(id: &PractitionerId, names: &HashMap<PractitionerId, String>) -> Reference {
    Reference::named(
        "Practitioner",
        id.as_str(),
        names.get(id).map_or("", String::as_str),
    )
}

fn patient_ref(p: &DomainPatient) -> Reference {
    Reference::named("Patient", p.id.as_str(), &p.list_name())
}

/// The Hearth code `code` in Hearth's code system `system_id`.
fn hearth_coding(system_id: &str, code: &str, display: &str) -> CodeableConcept {
    CodeableConcept::coded(&system(system_id), code, display)
}

/// Every resource of the patient's record, the Patient first.
pub fn patient_record(record: PatientRecord<'_>) -> Vec<Resource> {
    let p = record.patient;
    let mut out = vec![Resource::Patient(patient(p, record.register))];
    if let Some(d) = p.main_diagnosis.as_deref().and_then(non_empty) {
        out.push(Resource::Condition(main_diagnosis(p, &d)));
    }
    let coordinator = record
        .team
        .iter()
        .find(|m| m.coordinator && m.ended_on.is_none());
    let died = died_on(record.register).is_some();
    for entry in record.register {
        out.push(Resource::EpisodeOfCare(register_entry(
            p,
            entry,
            coordinator,
            record.names,
        )));
        out.push(Resource::Consent(consent(p, entry, record.names)));
    }
    if !record.team.is_empty() {
        out.push(Resource::CareTeam(care_team(p, record.team, record.names)));
    }
    out.extend(care_plan(record, died));
    for a in record.assessments {
        out.push(Resource::Observation(assessment(p, a, record.names)));
    }
    for (i, phase) in record.phases.iter().enumerate() {
        let next = record.phases.get(i + 1).map(|n| n.started_at);
        out.push(Resource::Observation(phase_observation(p, phase, next)));
    }
    for r in record.referrals {
        out.push(Resource::ServiceRequest(referral(p, r, record.names)));
    }
    for t in record.tasks {
        out.push(Resource::Task(task(p, t, record.names)));
    }
    out.extend(
        record
            .stays
            .iter()
            .filter_map(stay)
            .map(Resource::Encounter),
    );
    out
}

/// The latest of some moments.
fn latest(moments: impl IntoIterator<Item = Option<jiff::Timestamp>>) -> Option<jiff::Timestamp> {
    moments.into_iter().flatten().max()
}

/// A referral to a specialist palliative care service.
fn referral(
    p: &DomainPatient,
    r: &Referral,
    names: &HashMap<PractitionerId, String>,
) -> ServiceRequest {
    let code = |name: &str, value: &str| Extension {
        url: extension(name),
        value_code: Some(value.to_owned()),
        ..Extension::default()
    };
    let mut ext = vec![
        code("referral-state", r.state.code()),
        code("patient-agreement", r.agreement.code()),
    ];
    if let Some(priority) = r.priority {
        ext.push(code("triage-priority", priority.code()));
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

/// A task agreed about the patient.
fn task(p: &DomainPatient, t: &DomainTask, names: &HashMap<PractitionerId, String>) -> Task {
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
    Task {
        id: t.id.clone(),
        meta: Some(Meta::versioned(t.version, updated)),
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
fn stay(s: &Stay) -> Option<Encounter> {
    let (class, display) = match s.place {
        PlaceKind::Home => return None,
        PlaceKind::Hospital => ("IMP", "inpatient encounter"),
        PlaceKind::Hospice | PlaceKind::PalliativeBeds | PlaceKind::CareHome | PlaceKind::Other => {
            ("NONAC", "inpatient non-acute")
        }
    };
    let mut ext = Vec::new();
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

/// When the patient died, as their register entry records it.
fn died_on(register: &[RegisterEntry]) -> Option<jiff::civil::Date> {
    register.iter().find_map(|e| match &e.leaving {
        Some(Leaving::Died { on, .. }) => Some(*on),
        _ => None,
    })
}

/// A patient, with their death when the register records it (`register`: their entries).
pub fn patient(p: &DomainPatient, register: &[RegisterEntry]) -> Patient {
    let mut extensions = vec![Extension::boolean(&extension("rural"), p.rural)];
    if let Some(minutes) = p.travel_minutes_to_hospital {
        extensions.push(Extension::integer(
            &extension("travel-minutes-to-hospital"),
            i64::from(minutes),
        ));
    }
    Patient {
        id: p.id.as_str().to_owned(),
        meta: Some(Meta::versioned(p.version, p.updated_at)),
        extension: extensions,
        identifier: vec![Identifier::new(
            &p.national_number.system,
            &p.national_number.value,
        )],
        active: Some(true),
        name: vec![HumanName::official(&p.given_name, &p.family_name)],
        gender: Some(p.sex.code().to_owned()),
        birth_date: Some(date(p.date_of_birth)),
        deceased_date_time: died_on(register).map(date),
        address: vec![Address {
            use_: Some("home".to_owned()),
            text: None,
            line: non_empty(&p.address.line).into_iter().collect(),
            city: non_empty(&p.address.town),
            district: p.area.as_deref().and_then(non_empty),
            postal_code: p.address.postcode.as_deref().and_then(non_empty),
        }],
        general_practitioner: Vec::new(),
        managing_organization: None,
    }
}

/// The patient's main diagnosis as recorded (in words).
fn main_diagnosis(p: &DomainPatient, diagnosis: &str) -> Condition {
    Condition {
        id: format!("{}-diagnosis", p.id.as_str()),
        meta: Some(Meta::versioned(p.version, p.updated_at)),
        clinical_status: Some(CodeableConcept::coded(
            codes::CONDITION_CLINICAL,
            "active",
            "Active",
        )),
        verification_status: None,
        category: vec![CodeableConcept::coded(
            codes::CONDITION_CATEGORY,
            "problem-list-item",
            "Problem List Item",
        )],
        code: Some(CodeableConcept::text(diagnosis)),
        subject: patient_ref(p),
        recorded_date: Some(date(p.created_at.to_zoned(jiff::tz::TimeZone::UTC).date())),
    }
}

/// A register entry: an episode of palliative care.
fn register_entry(
    p: &DomainPatient,
    e: &RegisterEntry,
    coordinator: Option<&CareTeamMember>,
    names: &HashMap<PractitionerId, String>,
) -> EpisodeOfCare {
    let code = |name: &str, value: &str| Extension {
        url: extension(name),
        value_code: Some(value.to_owned()),
        ..Extension::default()
    };
    let mut ext = vec![code("surprise-question", e.surprise.code())];
    ext.extend(
        e.general_indicators
            .iter()
            .map(|i| code("spict-general-indicator", i.code())),
    );
    ext.extend(
        e.disease_indicators
            .iter()
            .map(|i| code("spict-clinical-indicator", i.code())),
    );
    ext.push(code("register-status", e.status().code()));
    let end = match &e.leaving {
        None => None,
        Some(Leaving::Died {
            on,
            place,
            preferred_place,
        }) => {
            ext.push(code("place-of-death", place.code()));
            ext.push(code("preferred-place-of-death-met", preferred_place.code()));
            Some(date(*on))
        }
        Some(Leaving::Removed { on, reason }) => {
            if let Some(r) = non_empty(reason) {
                ext.push(Extension::string(&extension("removal-reason"), &r));
            }
            Some(date(*on))
        }
    };
    let care_manager = coordinator
        .filter(|_| e.leaving.is_none())
        .and_then(|m| match &m.member {
            Member::Practitioner(id) => Some(practitioner_ref(id, names)),
            Member::Service(_) => None,
        });
    EpisodeOfCare {
        id: e.id.clone(),
        meta: Some(Meta::versioned(e.version, e.updated_at)),
        extension: ext,
        status: if e.leaving.is_some() {
            "finished"
        } else {
            "active"
        }
        .to_owned(),
        type_: vec![
            CodeableConcept::text("Palliative care register"),
            hearth_coding(
                "diagnosis-group",
                e.diagnosis_group.code(),
                e.diagnosis_group.label(),
            ),
        ],
        diagnosis: if p.main_diagnosis.as_deref().and_then(non_empty).is_some() {
            vec![EpisodeDiagnosis {
                condition: Reference::to("Condition", &format!("{}-diagnosis", p.id.as_str())),
            }]
        } else {
            Vec::new()
        },
        patient: patient_ref(p),
        managing_organization: Some(Reference::to("Organization", e.organisation_id.as_str())),
        period: Some(Period {
            start: Some(date(e.identified_on)),
            end,
        }),
        care_manager,
        team: vec![Reference::to("CareTeam", p.id.as_str())],
    }
}

/// The patient's decision about sharing their record, recorded with their register entry.
fn consent(
    p: &DomainPatient,
    e: &RegisterEntry,
    names: &HashMap<PractitionerId, String>,
) -> Consent {
    let decision = e.consent.decision;
    Consent {
        id: e.id.clone(),
        meta: Some(Meta::versioned(e.version, e.updated_at)),
        extension: vec![Extension {
            url: extension("consent-decision"),
            value_code: Some(decision.code().to_owned()),
            ..Extension::default()
        }],
        status: if e.leaving.is_some() {
            "inactive"
        } else {
            "active"
        }
        .to_owned(),
        scope: CodeableConcept::coded(codes::CONSENT_SCOPE, "patient-privacy", "Privacy Consent"),
        category: vec![CodeableConcept::coded(
            codes::LOINC,
            "59284-0",
            "Patient Consent",
        )],
        patient: patient_ref(p),
        date_time: Some(date(e.consent.recorded_on)),
        // The grantor: the patient, or for a best-interests decision the clinician who made it.
        performer: vec![match decision {
            ConsentDecision::BestInterests => practitioner_ref(&e.consent.recorded_by, names),
            ConsentDecision::Given | ConsentDecision::Declined => patient_ref(p),
        }],
        organization: vec![Reference::to("Organization", e.organisation_id.as_str())],
        policy: vec![ConsentPolicy {
            authority: None,
            uri: Some(format!("{}/policy/share-with-care-team", codes::CANONICAL)),
        }],
        provision: Some(ConsentProvision {
            type_: Some(
                match decision {
                    ConsentDecision::Declined => "deny",
                    ConsentDecision::Given | ConsentDecision::BestInterests => "permit",
                }
                .to_owned(),
            ),
        }),
    }
}

/// The patient's care team, current and past members.
fn care_team(
    p: &DomainPatient,
    members: &[CareTeamMember],
    names: &HashMap<PractitionerId, String>,
) -> CareTeam {
    let updated = members.iter().map(|m| m.updated_at).max();
    let version = members.iter().map(|m| m.version).sum::<i64>();
    CareTeam {
        id: p.id.as_str().to_owned(),
        meta: updated.map(|u| Meta::versioned(version.max(1), u)),
        status: Some("active".to_owned()),
        name: Some(format!("Care team of {} {}", p.given_name, p.family_name)),
        subject: patient_ref(p),
        participant: members
            .iter()
            .map(|m| {
                let mut ext: Vec<Extension> = m
                    .responsibilities
                    .iter()
                    .map(|r| Extension {
                        url: extension("responsibility"),
                        value_code: Some(r.code().to_owned()),
                        ..Extension::default()
                    })
                    .collect();
                if m.coordinator && m.ended_on.is_none() {
                    ext.push(Extension::boolean(&extension("coordinator"), true));
                }
                CareTeamParticipant {
                    extension: ext,
                    role: vec![hearth_coding(
                        "care-team-role",
                        m.role.code(),
                        m.role.label(),
                    )],
                    member: Some(match &m.member {
                        Member::Practitioner(id) => practitioner_ref(id, names),
                        Member::Service(id) => Reference::to("Organization", id.as_str()),
                    }),
                    period: Some(Period {
                        start: Some(date(m.started_on)),
                        end: m.ended_on.map(date),
                    }),
                }
            })
            .collect(),
    }
}

/// The care plan with its goals and anticipatory medicines, when any section was written.
fn care_plan(record: PatientRecord<'_>, died: bool) -> Vec<Resource> {
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
    for v in &sections {
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

/// One assessment: its headline score with one component per item.
fn assessment(
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
    Observation {
        id: a.id.clone(),
        meta: Some(Meta::versioned(1, a.recorded_at)),
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

fn cannot_assess() -> CodeableConcept {
    CodeableConcept {
        coding: vec![Coding::new(codes::DATA_ABSENT, "unknown", "Unknown")],
        text: Some("Cannot assess".to_owned()),
    }
}

/// One phase of illness, from its start to the next phase's.
fn phase_observation(
    p: &DomainPatient,
    phase: &PhaseEpisode,
    next: Option<jiff::Timestamp>,
) -> Observation {
    let millis = phase.started_at.as_millisecond();
    Observation {
        id: format!("{}-phase-{millis}", p.id.as_str()),
        meta: Some(Meta::versioned(1, phase.started_at)),
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

/// One line of a patient's audit trail, as the access report reads it.
#[derive(Debug, Clone, Copy)]
pub struct AccessLine<'a> {
    /// The record's place in the trail.
    pub seq: i64,
    pub at: jiff::Timestamp,
    /// Who, in words (`None`: Hearth itself, e.g. the demo's seeding).
    pub who: Option<&'a str>,
    pub organisation: Option<&'a str>,
    /// `read`, `search`, `create` or `update`.
    pub action: &'a str,
    pub resource_type: &'a str,
    /// The access basis code (care team, emergency access, …).
    pub basis: &'a str,
    /// `allowed` or `denied`.
    pub outcome: &'a str,
    /// The reason given for emergency access.
    pub reason: Option<&'a str>,
}

/// One access to the patient's record as an AuditEvent (read-only).
pub fn audit_event(patient: &hearth_domain::PatientId, line: AccessLine<'_>) -> AuditEvent {
    let (action, interaction) = match line.action {
        "create" => ("C", "create"),
        "update" => ("U", "update"),
        "search" => ("E", "search-type"),
        _ => ("R", "read"),
    };
    let basis = hearth_domain::audit::AccessBasis::from_code(line.basis);
    let purpose = match basis {
        Some(hearth_domain::audit::AccessBasis::EmergencyAccess) => {
            Some(("ETREAT", "Emergency Treatment"))
        }
        Some(
            hearth_domain::audit::AccessBasis::CareTeam
            | hearth_domain::audit::AccessBasis::OrganisationInvolved,
        ) => Some(("TREAT", "treatment")),
        _ => None,
    };
    let mut description = line.resource_type.to_owned();
    if let Some(reason) = line.reason.and_then(non_empty) {
        description.push_str(&format!(" — reason given: {reason}"));
    }
    AuditEvent {
        id: format!("{}-audit-{}", patient.as_str(), line.seq),
        type_: Coding::new(codes::AUDIT_EVENT_TYPE, "rest", "RESTful Operation"),
        subtype: vec![Coding::new(
            codes::RESTFUL_INTERACTION,
            interaction,
            interaction,
        )],
        action: Some(action.to_owned()),
        recorded: instant(line.at),
        outcome: Some(if line.outcome == "denied" { "4" } else { "0" }.to_owned()),
        outcome_desc: Some(format!(
            "{}: {}",
            if line.outcome == "denied" {
                "Refused"
            } else {
                "Allowed"
            },
            basis.map_or(line.basis, |b| b.label())
        )),
        purpose_of_event: purpose
            .map(|(code, display)| CodeableConcept::coded(codes::ACT_REASON, code, display))
            .into_iter()
            .collect(),
        agent: vec![AuditAgent {
            who: Some(Reference {
                reference: None,
                display: Some(line.who.unwrap_or("Hearth (the system)").to_owned()),
            }),
            name: line.organisation.and_then(non_empty),
            requestor: line.who.is_some(),
        }],
        source: AuditSource {
            observer: Reference {
                reference: None,
                display: Some("Hearth".to_owned()),
            },
        },
        entity: vec![AuditEntity {
            what: Some(Reference::to("Patient", patient.as_str())),
            description: Some(description),
        }],
    }
}

/// An organisation of the directory.
pub fn organization(o: &Organisation) -> Organization {
    let kind = hearth_coding("organisation-kind", o.kind.code(), o.kind.label());
    let mut type_ = vec![kind];
    let hl7 = match o.kind {
        OrganisationKind::GpPractice
        | OrganisationKind::HomeCare
        | OrganisationKind::SpecialistPalliativeCare
        | OrganisationKind::Hospice
        | OrganisationKind::CareHome
        | OrganisationKind::OutOfHours => Some(("prov", "Healthcare Provider")),
        OrganisationKind::HospitalDepartment => Some(("dept", "Hospital Department")),
        OrganisationKind::Partnership => None,
    };
    if let Some((code, display)) = hl7 {
        type_.push(CodeableConcept::coded(
            codes::ORGANIZATION_TYPE,
            code,
            display,
        ));
    }
    let mut telecom = Vec::new();
    if let Some(phone) = o.phone.as_deref().and_then(non_empty) {
        telecom.push(ContactPoint::phone(&phone));
    }
    if let Some(email) = o.details.email.as_deref().and_then(non_empty) {
        telecom.push(ContactPoint::email(&email));
    }
    let mut ext: Vec<Extension> = o
        .details
        .competencies
        .iter()
        .map(|c| Extension {
            url: extension("competency"),
            value_code: Some(c.code().to_owned()),
            ..Extension::default()
        })
        .collect();
    for (name, value) in [
        ("opening-hours", &o.details.opening_hours),
        ("how-to-refer", &o.details.how_to_refer),
        ("secure-messaging", &o.details.secure_messaging),
        ("area", &o.area),
    ] {
        if let Some(v) = value.as_deref().and_then(non_empty) {
            ext.push(Extension::string(&extension(name), &v));
        }
    }
    Organization {
        id: o.id.as_str().to_owned(),
        meta: Some(Meta::versioned(o.version, o.updated_at)),
        extension: ext,
        active: Some(true),
        type_,
        name: non_empty(&o.name),
        telecom,
        address: o
            .details
            .address
            .as_deref()
            .and_then(non_empty)
            .map(|text| Address {
                text: Some(text),
                ..Address::default()
            })
            .into_iter()
            .collect(),
        part_of: o
            .part_of
            .as_ref()
            .map(|id| Reference::to("Organization", id.as_str())),
    }
}

/// A practitioner.
pub fn practitioner(p: &DomainPractitioner) -> Practitioner {
    Practitioner {
        id: p.id.as_str().to_owned(),
        meta: Some(Meta::versioned(p.version, p.updated_at)),
        active: Some(true),
        name: vec![HumanName::official(&p.given_name, &p.family_name)],
    }
}

/// A practitioner's role in an organisation.
pub fn practitioner_role(r: &Role, practitioner_name: &str) -> PractitionerRole {
    let mut telecom = Vec::new();
    if let Some(phone) = r.phone.as_deref().and_then(non_empty) {
        telecom.push(ContactPoint::phone(&phone));
    }
    if let Some(email) = r.email.as_deref().and_then(non_empty) {
        telecom.push(ContactPoint::email(&email));
    }
    let mut ext: Vec<Extension> = r
        .competencies
        .iter()
        .map(|c| Extension {
            url: extension("competency"),
            value_code: Some(c.code().to_owned()),
            ..Extension::default()
        })
        .collect();
    ext.push(Extension::boolean(
        &extension("specialist-palliative-care"),
        r.specialist,
    ));
    PractitionerRole {
        id: r.id.as_str().to_owned(),
        meta: Some(Meta::versioned(r.version, r.updated_at)),
        extension: ext,
        active: Some(true),
        practitioner: Some(Reference::named(
            "Practitioner",
            r.practitioner_id.as_str(),
            practitioner_name,
        )),
        organization: Some(Reference::to("Organization", r.organisation_id.as_str())),
        code: vec![hearth_coding(
            "profession",
            r.profession.code(),
            r.profession.label(),
        )],
        specialty: Vec::new(),
        telecom,
        availability_exceptions: r.working_pattern.as_deref().and_then(non_empty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_domain::care_plan::Medicine;
    use hearth_domain::care_team::CareTeamRole;
    use hearth_domain::patient::{Address as DomainAddress, Identifier as DomainIdentifier, Sex};
    use hearth_domain::register::{
        Consent as DomainConsent, DiagnosisGroup, PlaceOfDeath, PreferredPlaceMet, SurpriseAnswer,
    };
    use hearth_domain::{OrganisationId, PatientId};
    use jiff::Timestamp;
    use jiff::civil::date as civil;

    fn at() -> Timestamp {
        "2026-11-20T10:00:00Z".parse().unwrap()
    }

    fn edith() -> DomainPatient {
        DomainPatient {
            id: PatientId::new("p1"),
            national_number: DomainIdentifier {
                system: "https://fhir.nhs.uk/Id/nhs-number".into(),
                value: "9434765919".into(),
            },
            given_name: "Edith".into(),
            family_name: "Carter".into(),
            date_of_birth: civil(1941, 3, 9),
            sex: Sex::Female,
            main_diagnosis: Some("Heart failure".into()),
            address: DomainAddress {
                line: "4 Mill Lane".into(),
                town: "Ashby".into(),
                postcode: None,
            },
            area: None,
            rural: false,
            travel_minutes_to_hospital: None,
            organisations: vec![OrganisationId::new("o1")],
            created_at: at(),
            updated_at: at(),
            version: 3,
        }
    }

    fn entry(leaving: Option<Leaving>) -> RegisterEntry {
        RegisterEntry {
            id: "e1".into(),
            patient_id: PatientId::new("p1"),
            organisation_id: OrganisationId::new("o1"),
            identified_on: civil(2026, 6, 1),
            identified_by: PractitionerId::new("gp"),
            surprise: SurpriseAnswer::NotSurprised,
            general_indicators: Vec::new(),
            disease_indicators: Vec::new(),
            diagnosis_group: DiagnosisGroup::OrganFailure,
            consent: DomainConsent {
                decision: ConsentDecision::Given,
                recorded_on: civil(2026, 6, 1),
                recorded_by: PractitionerId::new("gp"),
            },
            leaving,
            created_at: at(),
            updated_at: at(),
            version: 1,
        }
    }

    fn member(id: &str, coordinator: bool, ended: bool) -> CareTeamMember {
        CareTeamMember {
            id: id.into(),
            patient_id: PatientId::new("p1"),
            member: Member::Practitioner(PractitionerId::new(id)),
            role: CareTeamRole::GeneralPractitioner,
            responsibilities: Vec::new(),
            coordinator,
            started_on: civil(2026, 6, 1),
            ended_on: ended.then(|| civil(2026, 9, 1)),
            created_at: at(),
            updated_at: at(),
            version: 1,
        }
    }

    fn medicines(list: Vec<Medicine>) -> SectionVersion {
        SectionVersion {
            patient_id: PatientId::new("p1"),
            section: Section::AnticipatoryMedicines,
            version: 2,
            content: Content::AnticipatoryMedicines {
                medicines: list,
                syringe_driver: String::new(),
            },
            summary: "prescribed".into(),
            author: PractitionerId::new("gp"),
            saved_at: at(),
            review_by: civil(2026, 12, 20),
        }
    }

    fn record<'a>(
        p: &'a DomainPatient,
        register: &'a [RegisterEntry],
        team: &'a [CareTeamMember],
        sections: &'a [SectionVersion],
        names: &'a HashMap<PractitionerId, String>,
    ) -> Vec<Resource> {
        patient_record(PatientRecord {
            patient: p,
            register,
            team,
            names,
            sections,
            assessments: &[],
            phases: &[],
            referrals: &[],
            tasks: &[],
            stays: &[],
        })
    }

    fn find(all: &[Resource], kind: &str) -> serde_json::Value {
        let r = all.iter().find(|r| r.type_name() == kind);
        serde_json::to_value(r.unwrap_or_else(|| panic!("no {kind}"))).unwrap()
    }

    #[test]
    fn a_death_on_the_register_shows_on_the_patient_and_closes_the_plan() {
        let p = edith();
        let died = [entry(Some(Leaving::Died {
            on: civil(2026, 11, 30),
            place: PlaceOfDeath::Home,
            preferred_place: PreferredPlaceMet::Yes,
        }))];
        let morphine = Medicine {
            drug: "Morphine sulfate 10 mg/ml".into(),
            dose: "2.5 mg".into(),
            route: "subcutaneous".into(),
            max_frequency: "hourly".into(),
            prescribed_on: Some(civil(2026, 11, 1)),
            ..Medicine::default()
        };
        let names = HashMap::new();
        let all = record(
            &p,
            &died,
            &[member("gp", true, false)],
            &[medicines(vec![morphine])],
            &names,
        );
        assert_eq!(find(&all, "Patient")["deceasedDateTime"], "2026-11-30");
        let episode = find(&all, "EpisodeOfCare");
        assert_eq!(episode["status"], "finished");
        assert!(
            episode.get("careManager").is_none(),
            "no coordinator after death"
        );
        assert_eq!(find(&all, "CarePlan")["status"], "completed");
        let med = find(&all, "MedicationRequest");
        assert_eq!(med["status"], "stopped");
        assert_eq!(
            med["dosageInstruction"][0]["text"],
            "2.5 mg, subcutaneous, at most hourly"
        );
        let alive = record(&p, &[entry(None)], &[], &[], &names);
        assert!(find(&alive, "Patient").get("deceasedDateTime").is_none());
    }

    #[test]
    fn only_a_current_coordinator_is_marked_and_unprescribed_medicines_are_plans() {
        let p = edith();
        let names = HashMap::new();
        let team = [member("old", true, true), member("new", true, false)];
        let listed = Medicine {
            drug: "Midazolam 10 mg/2 ml".into(),
            ..Medicine::default()
        };
        let all = record(
            &p,
            &[entry(None)],
            &team,
            &[medicines(vec![listed])],
            &names,
        );
        let care_team = find(&all, "CareTeam");
        let marked: Vec<&serde_json::Value> = care_team["participant"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m.to_string().contains("/coordinator"))
            .collect();
        assert_eq!(marked.len(), 1, "{care_team}");
        assert_eq!(marked[0]["member"]["reference"], "Practitioner/new");
        assert_eq!(
            find(&all, "EpisodeOfCare")["careManager"]["reference"],
            "Practitioner/new"
        );
        let med = find(&all, "MedicationRequest");
        assert_eq!(med["intent"], "plan");
        assert_eq!(med["status"], "active");
    }

    #[test]
    fn consent_is_granted_by_the_patient_unless_decided_in_their_best_interests() {
        let p = edith();
        let names = HashMap::new();
        let given = record(&p, &[entry(None)], &[], &[], &names);
        assert_eq!(
            find(&given, "Consent")["performer"][0]["reference"],
            "Patient/p1"
        );
        let mut best = entry(None);
        best.consent.decision = ConsentDecision::BestInterests;
        let decided = record(&p, &[best], &[], &[], &names);
        let consent = find(&decided, "Consent");
        assert_eq!(consent["performer"][0]["reference"], "Practitioner/gp");
        assert_eq!(consent["provision"]["type"], "permit");
    }
}
