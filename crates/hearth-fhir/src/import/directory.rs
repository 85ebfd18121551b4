//! The directory: organisations, practitioners and their roles.

use super::*;

pub(super) fn organisation(
    o: &fhir::Organization,
    now: Timestamp,
) -> Result<Organisation, OperationOutcome> {
    let (version, updated_at) = stamp(o.meta.as_ref(), now);
    let kind = coded(
        hearth_code(&o.type_, "organisation-kind"),
        "organisation kind (Organization.type in Hearth's organisation-kind codes)",
        OrganisationKind::from_code,
    )?;
    let name = o
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| refuse(IssueType::Required, "An Organization needs its name."))?;
    let (phone, email) = phone_and_email(&o.telecom);
    Ok(Organisation {
        id: OrganisationId::new(&o.id),
        name,
        kind,
        area: ext_string(&o.extension, "area"),
        part_of: reference_id(o.part_of.as_ref(), "Organization").map(OrganisationId::new),
        phone,
        details: ServiceDetails {
            address: o.address.iter().find_map(|a| a.text.clone()),
            email,
            secure_messaging: ext_string(&o.extension, "secure-messaging"),
            opening_hours: ext_string(&o.extension, "opening-hours"),
            competencies: codes(&o.extension, "competency", Competency::from_code)?,
            how_to_refer: ext_string(&o.extension, "how-to-refer"),
        },
        created_at: updated_at,
        updated_at,
        version,
    })
}

pub(super) fn practitioner(
    p: &fhir::Practitioner,
    now: Timestamp,
) -> Result<DomainPractitioner, OperationOutcome> {
    let (version, updated_at) = stamp(p.meta.as_ref(), now);
    let name = p
        .name
        .first()
        .ok_or_else(|| refuse(IssueType::Required, "A Practitioner needs a name."))?;
    Ok(DomainPractitioner {
        id: PractitionerId::new(&p.id),
        given_name: name.given.join(" "),
        family_name: name.family.clone().unwrap_or_default(),
        created_at: updated_at,
        updated_at,
        version,
    })
}

pub(super) fn role(
    r: &fhir::PractitionerRole,
    now: Timestamp,
) -> Result<PractitionerRole, OperationOutcome> {
    let (version, updated_at) = stamp(r.meta.as_ref(), now);
    let required = |what: &str| {
        refuse(
            IssueType::Required,
            format!("A PractitionerRole needs its {what}."),
        )
    };
    let (phone, email) = phone_and_email(&r.telecom);
    Ok(PractitionerRole {
        id: PractitionerRoleId::new(&r.id),
        practitioner_id: PractitionerId::new(
            reference_id(r.practitioner.as_ref(), "Practitioner")
                .ok_or_else(|| required("practitioner"))?,
        ),
        organisation_id: OrganisationId::new(
            reference_id(r.organization.as_ref(), "Organization")
                .ok_or_else(|| required("organization"))?,
        ),
        profession: coded(
            hearth_code(&r.code, "profession"),
            "profession (PractitionerRole.code in Hearth's profession codes)",
            Profession::from_code,
        )?,
        specialist: extensions(&r.extension, "specialist-palliative-care")
            .find_map(|e| e.value_boolean)
            .unwrap_or(false),
        phone,
        email,
        competencies: codes(&r.extension, "competency", Competency::from_code)?,
        working_pattern: r.availability_exceptions.clone(),
        created_at: updated_at,
        updated_at,
        version,
    })
}
