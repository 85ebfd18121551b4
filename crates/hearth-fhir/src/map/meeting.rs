//! Meetings (Appointment): what kind, when, where and who took part. The agenda is patient
//! data, shown only to each patient's care team, and is not part of the Appointment.

use hearth_domain::meeting::{Meeting, MeetingStatus, Participant};

use super::*;

/// One meeting with its participants (`names`: the people's names).
pub fn appointment(
    m: &Meeting,
    participants: &[Participant],
    names: &HashMap<PractitionerId, String>,
) -> Appointment {
    let status = match m.status {
        MeetingStatus::Planned => "booked",
        MeetingStatus::Held => "fulfilled",
        MeetingStatus::Cancelled => "cancelled",
    };
    let name = |id: &PractitionerId| names.get(id).map_or("", String::as_str);
    let mut people: Vec<AppointmentParticipant> = participants
        .iter()
        .map(|p| AppointmentParticipant {
            type_: if p.practitioner_id == m.organiser {
                vec![CodeableConcept::text("Organiser")]
            } else {
                Vec::new()
            },
            actor: Some(Reference::named(
                "PractitionerRole",
                p.role_id.as_str(),
                name(&p.practitioner_id),
            )),
            required: Some(if p.invited { "required" } else { "optional" }.to_owned()),
            status: match (p.attended, m.status) {
                (true, _) => "accepted",
                (false, MeetingStatus::Held) => "declined",
                (false, _) => "needs-action",
            }
            .to_owned(),
        })
        .collect();
    if !participants
        .iter()
        .any(|p| p.practitioner_id == m.organiser)
    {
        people.insert(
            0,
            AppointmentParticipant {
                type_: vec![CodeableConcept::text("Organiser")],
                actor: Some(practitioner_ref(&m.organiser, names)),
                required: Some("required".to_owned()),
                status: "accepted".to_owned(),
            },
        );
    }
    Appointment {
        id: m.id.clone(),
        meta: Some(Meta::versioned(m.version, m.created_at)),
        extension: vec![
            Extension::code(&extension("meeting-mode"), m.mode.code()),
            Extension::reference(
                &extension("meeting-organisation"),
                Reference::to("Organization", m.organisation_id.as_str()),
            ),
            Extension::reference(
                &extension("organiser"),
                practitioner_ref(&m.organiser, names),
            ),
        ],
        status: status.to_owned(),
        service_type: vec![hearth_coding("meeting-kind", m.kind.code(), m.kind.label())],
        description: non_empty(&m.title),
        start: Some(instant(m.starts_at)),
        end: Some(instant(m.ends_at())),
        minutes_duration: Some(m.minutes),
        created: Some(instant(m.created_at)),
        comment: non_empty(&m.place).map(|place| format!("{}: {place}", m.mode.label())),
        participant: people,
    }
}
