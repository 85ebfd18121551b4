//! A patient's audit trail, as AuditEvents (read-only).

use super::*;

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
