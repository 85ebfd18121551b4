//! The directory: organisations, practitioners and their roles.

use super::*;

/// A phone number and an e-mail address, each when given.
fn telecom(phone: Option<&str>, email: Option<&str>) -> Vec<ContactPoint> {
    let mut out = Vec::new();
    if let Some(phone) = phone.and_then(non_empty) {
        out.push(ContactPoint::phone(&phone));
    }
    if let Some(email) = email.and_then(non_empty) {
        out.push(ContactPoint::email(&email));
    }
    out
}

/// One `competency` extension per competency.
fn competencies(list: &[hearth_domain::organisation::Competency]) -> Vec<Extension> {
    list.iter()
        .map(|c| Extension::code(&extension("competency"), c.code()))
        .collect()
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
    let telecom = telecom(o.phone.as_deref(), o.details.email.as_deref());
    let mut ext = competencies(&o.details.competencies);
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

/// What an organisation offers as a service, for every kind but a partnership (which only
/// groups others): its kind, how to reach it and refer to it, when it is open, what it can do.
pub fn healthcare_service(o: &Organisation) -> Option<HealthcareService> {
    if o.kind == OrganisationKind::Partnership {
        return None;
    }
    let telecom = telecom(o.phone.as_deref(), o.details.email.as_deref());
    Some(HealthcareService {
        id: o.id.as_str().to_owned(),
        meta: Some(Meta::versioned(o.version, o.updated_at)),
        extension: competencies(&o.details.competencies),
        active: Some(true),
        provided_by: Some(Reference::to("Organization", o.id.as_str())),
        type_: vec![hearth_coding(
            "organisation-kind",
            o.kind.code(),
            o.kind.label(),
        )],
        name: non_empty(&o.name),
        extra_details: o
            .details
            .how_to_refer
            .as_deref()
            .and_then(non_empty)
            .map(|h| format!("How to refer: {h}")),
        telecom,
        availability_exceptions: o.details.opening_hours.as_deref().and_then(non_empty),
    })
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
    let telecom = telecom(r.phone.as_deref(), r.email.as_deref());
    let mut ext = competencies(&r.competencies);
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
