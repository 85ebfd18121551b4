//! A patient's record: demographics, main diagnosis, register entries, care team, care plan,
//! assessments and phases.

use super::*;

pub(super) fn patient(
    value: &Value,
    system_uri: &str,
) -> Result<(RecordImport, Option<Date>), OperationOutcome> {
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| refuse(IssueType::Required, "A Patient in a record import needs its id: the record's other resources refer to it."))?;
    // A death is recorded with the register entry (EpisodeOfCare); the Patient's
    // deceasedDateTime shows it, so it is read there and checked against the entry.
    let mut value = value.clone();
    let died = value
        .as_object_mut()
        .and_then(|o| o.remove("deceasedDateTime"));
    let patient = crate::parse::patient(&value, system_uri)?;
    let died = died
        .map(|d| fhir_date(d.as_str(), "Patient.deceasedDateTime"))
        .transpose()?;
    Ok((
        RecordImport {
            id: PatientId::new(id),
            patient,
            recorded_on: None,
            changed: value
                .get("meta")
                .and_then(|m| serde_json::from_value::<Meta>(m.clone()).ok())
                .filter(|m| m.version_id.is_some() && m.last_updated.is_some())
                .map(|m| stamp(Some(&m), Timestamp::UNIX_EPOCH)),
            register: Vec::new(),
            team: Vec::new(),
            sections: Vec::new(),
            assessments: Vec::new(),
            phases: Vec::new(),
            referrals: Vec::new(),
            tasks: Vec::new(),
            stays: Vec::new(),
            conversations: Vec::new(),
            discharges: Vec::new(),
            advice_calls: Vec::new(),
            names_people: Vec::new(),
            names_organisations: Vec::new(),
        },
        died,
    ))
}

pub(super) type Patients = BTreeMap<String, (usize, RecordImport)>;

/// The record of the patient `subject` refers to.
pub(super) fn record_of<'a>(
    patients: &'a mut Patients,
    subject: &Reference,
    what: &str,
) -> Result<&'a mut RecordImport, OperationOutcome> {
    let id = reference_id(Some(subject), "Patient").unwrap_or("");
    patients.get_mut(id).map(|(_, r)| r).ok_or_else(|| {
        refuse(
            IssueType::NotFound,
            format!("{what} belongs to Patient/{id}, which is not in the file: a record is imported with its Patient."),
        )
    })
}

pub(super) fn diagnosis(
    c: &fhir::Condition,
    patients: &mut Patients,
) -> Result<(), OperationOutcome> {
    let record = record_of(patients, &c.subject, &format!("Condition/{}", c.id))?;
    if c.id != format!("{}-diagnosis", record.id.as_str()) {
        return Err(refuse(
            IssueType::NotSupported,
            format!(
                "Condition/{}: Hearth keeps one main diagnosis per patient (Condition/{}-diagnosis); other conditions are not kept.",
                c.id,
                record.id.as_str()
            ),
        ));
    }
    let text = c
        .code
        .as_ref()
        .and_then(|c| c.text.clone())
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            refuse(
                IssueType::Required,
                "The main diagnosis needs its words (Condition.code.text).",
            )
        })?;
    record.patient.main_diagnosis = text;
    record.recorded_on = c
        .recorded_date
        .as_deref()
        .and_then(|d| d.get(..10))
        .and_then(|d| d.parse().ok());
    Ok(())
}

pub(super) fn register_entry(
    e: &fhir::EpisodeOfCare,
    c: &fhir::Consent,
    now: Timestamp,
    patients: &mut Patients,
) -> Result<(), OperationOutcome> {
    let what = format!("EpisodeOfCare/{}", e.id);
    let record = record_of(patients, &e.patient, &what)?;
    let (version, updated_at) = stamp(e.meta.as_ref(), now);
    let practitioner = |ext: &[Extension], name: &str| {
        extensions(ext, name)
            .find_map(|x| reference_id(x.value_reference.as_ref(), "Practitioner"))
            .map(PractitionerId::new)
            .ok_or_else(|| {
                refuse(
                    IssueType::Required,
                    format!("{what} needs the {name} extension naming a Practitioner."),
                )
            })
    };
    let period = e.period.clone().unwrap_or_default();
    let ended = period.end.as_deref();
    let leaving = match ext_code(&e.extension, "register-status") {
        None | Some("active") => None,
        Some("died") => Some(Leaving::Died {
            on: fhir_date(ended, "A death (the episode's end)")?,
            place: coded(
                ext_code(&e.extension, "place-of-death"),
                "place of death",
                PlaceOfDeath::from_code,
            )?,
            preferred_place: coded(
                ext_code(&e.extension, "preferred-place-of-death-met"),
                "whether the preferred place of death was met",
                PreferredPlaceMet::from_code,
            )?,
        }),
        Some("removed") => Some(Leaving::Removed {
            on: fhir_date(ended, "A removal from the register (the episode's end)")?,
            reason: ext_string(&e.extension, "removal-reason").unwrap_or_default(),
        }),
        Some(other) => {
            return Err(invalid(format!(
                "Hearth has no register status \"{other}\"."
            )));
        }
    };
    let entry = RegisterEntry {
        id: e.id.clone(),
        patient_id: record.id.clone(),
        organisation_id: OrganisationId::new(
            reference_id(e.managing_organization.as_ref(), "Organization").ok_or_else(|| {
                refuse(
                    IssueType::Required,
                    format!("{what} needs its managingOrganization (who registered the patient)."),
                )
            })?,
        ),
        identified_on: fhir_date(
            period.start.as_deref(),
            "A register entry (the episode's start)",
        )?,
        identified_by: practitioner(&e.extension, "identified-by")?,
        surprise: coded(
            ext_code(&e.extension, "surprise-question"),
            "surprise question answer",
            SurpriseAnswer::from_code,
        )?,
        general_indicators: codes(
            &e.extension,
            "spict-general-indicator",
            GeneralIndicator::from_code,
        )?,
        disease_indicators: codes(
            &e.extension,
            "spict-clinical-indicator",
            DiseaseIndicator::from_code,
        )?,
        diagnosis_group: coded(
            hearth_code(&e.type_, "diagnosis-group"),
            "diagnosis group",
            DiagnosisGroup::from_code,
        )?,
        consent: DomainConsent {
            decision: coded(
                ext_code(&c.extension, "consent-decision"),
                "consent decision",
                ConsentDecision::from_code,
            )?,
            recorded_on: fhir_date(c.date_time.as_deref(), "The consent (Consent.dateTime)")?,
            recorded_by: practitioner(&c.extension, "recorded-by")?,
        },
        leaving,
        created_at: updated_at,
        updated_at,
        version,
    };
    record.register.push(entry);
    Ok(())
}

pub(super) fn care_team(
    t: &fhir::CareTeam,
    now: Timestamp,
    patients: &mut Patients,
) -> Result<(), OperationOutcome> {
    let what = format!("CareTeam/{}", t.id);
    let record = record_of(patients, &t.subject, &what)?;
    let (_, updated_at) = stamp(t.meta.as_ref(), now);
    let mut members = Vec::new();
    for (n, p) in t.participant.iter().enumerate() {
        let here = format!("{what} participant {}", n + 1);
        let id = p.id.clone().ok_or_else(|| {
            refuse(
                IssueType::Required,
                format!("{here} needs its id (the membership's)."),
            )
        })?;
        let member = if let Some(pr) = reference_id(p.member.as_ref(), "Practitioner") {
            Member::Practitioner(PractitionerId::new(pr))
        } else if let Some(org) = reference_id(p.member.as_ref(), "Organization") {
            Member::Service(OrganisationId::new(org))
        } else {
            return Err(refuse(
                IssueType::Required,
                format!("{here} needs a member: a Practitioner or an Organization."),
            ));
        };
        let period = p.period.clone().unwrap_or_default();
        members.push(CareTeamMember {
            id,
            patient_id: record.id.clone(),
            member,
            role: coded(
                hearth_code(&p.role, "care-team-role"),
                "care team role",
                CareTeamRole::from_code,
            )?,
            responsibilities: codes(&p.extension, "responsibility", Responsibility::from_code)?,
            coordinator: extensions(&p.extension, "coordinator")
                .any(|e| e.value_boolean == Some(true)),
            started_on: fhir_date(
                period.start.as_deref(),
                &format!("{here} (its period's start)"),
            )?,
            ended_on: period
                .end
                .as_deref()
                .map(|d| fhir_date(Some(d), &here))
                .transpose()?,
            created_at: updated_at,
            updated_at,
            version: 1,
        });
    }
    if !record.team.is_empty() {
        return Err(refuse(
            IssueType::Duplicate,
            format!(
                "{what}: Patient/{} has one care team, and it is already in the file.",
                record.id
            ),
        ));
    }
    record.team = members;
    Ok(())
}

pub(super) fn care_plan(
    p: &fhir::CarePlan,
    patients: &mut Patients,
) -> Result<(), OperationOutcome> {
    let what = format!("CarePlan/{}", p.id);
    let record = record_of(patients, &p.subject, &what)?;
    let url = crate::sections::url();
    let mut sections = Vec::new();
    for ext in &p.extension {
        if ext.url != url {
            return Err(refuse(
                IssueType::NotSupported,
                format!("{what}: Hearth does not keep the extension {}.", ext.url),
            ));
        }
        sections.push(
            crate::sections::decode(ext, &record.id)
                .map_err(|e| invalid(format!("{what}: {e}.")))?,
        );
    }
    if sections.is_empty() {
        return Err(refuse(
            IssueType::NotSupported,
            format!(
                "{what} has no plan-section extensions: Hearth reads a care plan's content from them (its notes are words for people), so nothing of it could be kept."
            ),
        ));
    }
    if !record.sections.is_empty() {
        return Err(refuse(
            IssueType::Duplicate,
            format!(
                "{what}: Patient/{} has one care plan, and it is already in the file.",
                record.id
            ),
        ));
    }
    record.sections = sections;
    Ok(())
}

/// An assessment (IPOS, ESAS-r, AKPS) or a phase of illness.
pub(super) fn observation(
    o: &fhir::Observation,
    now: Timestamp,
    patients: &mut Patients,
) -> Result<(), OperationOutcome> {
    let what = format!("Observation/{}", o.id);
    let record = record_of(patients, &o.subject, &what)?;
    match observed(o, &what)? {
        Observed::Phase(phase) => record.phases.push(phase),
        Observed::Assessment {
            measure,
            assessed_at,
            assessor,
        } => {
            let assessor = assessor.ok_or_else(|| {
                refuse(
                    IssueType::Required,
                    format!("{what} needs its performer: the Practitioner who assessed."),
                )
            })?;
            record
                .assessments
                .push(hearth_domain::assessment::Assessment {
                    id: o.id.clone(),
                    patient_id: record.id.clone(),
                    measure,
                    assessed_at,
                    assessor,
                    recorded_at: o
                        .issued
                        .as_deref()
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(now),
                });
        }
    }
    Ok(())
}

/// What an Observation records: a phase of illness, or an assessment (with its assessor, when
/// the performer names one).
#[derive(Debug, Clone, PartialEq)]
pub enum Observed {
    Phase(hearth_domain::assessment::PhaseEpisode),
    Assessment {
        measure: hearth_domain::assessment::Measure,
        assessed_at: Timestamp,
        assessor: Option<PractitionerId>,
    },
}

/// Reads an Observation by the instrument's rules (`what` names it in refusals).
pub(super) fn observed(o: &fhir::Observation, what: &str) -> Result<Observed, OperationOutcome> {
    use hearth_domain::assessment::{Esas, Instrument, Ipos, Measure, Phase, PhaseEpisode};
    let time = |t: Option<&str>, element: &str| {
        t.and_then(|t| t.parse::<Timestamp>().ok()).ok_or_else(|| {
            refuse(
                IssueType::Required,
                format!("{what} needs its {element} (an instant)."),
            )
        })
    };
    if let Some(code) = o
        .value_codeable_concept
        .as_ref()
        .and_then(|v| hearth_code(std::slice::from_ref(v), "phase"))
    {
        let phase = coded(Some(code), "phase of illness", Phase::from_code)?;
        let started_at = time(
            o.effective_period.as_ref().and_then(|p| p.start.as_deref()),
            "effectivePeriod.start",
        )?;
        return Ok(Observed::Phase(PhaseEpisode { phase, started_at }));
    }
    let instrument = coded(
        hearth_code(std::slice::from_ref(&o.code), "instrument"),
        "instrument (Observation.code in Hearth's instrument codes, or a phase of illness)",
        Instrument::from_code,
    )?;
    let validation = |e: hearth_domain::ValidationError| invalid(format!("{what}: {}", e.message));
    // The answer of each component, as typed on the form ("0" to "4", or "cannot-assess").
    let answer = |c: &fhir::ObservationComponent| match (c.value_integer, &c.data_absent_reason) {
        (Some(v), _) => v.to_string(),
        (None, Some(_)) => "cannot-assess".to_owned(),
        (None, None) => String::new(),
    };
    let of = |system_id: &str, code: &str| {
        o.component
            .iter()
            .find(|c| hearth_code(std::slice::from_ref(&c.code), system_id) == Some(code))
    };
    let others = |system_id: &str, prefix: &str| -> Vec<(String, String)> {
        o.component
            .iter()
            .filter(|c| hearth_code(std::slice::from_ref(&c.code), system_id) == Some("other"))
            .map(|c| {
                let name = c.code.text.as_deref().unwrap_or("");
                (
                    name.strip_prefix(prefix).unwrap_or(name).to_owned(),
                    answer(c),
                )
            })
            .collect()
    };
    let measure = match instrument {
        Instrument::Ipos => {
            let symptoms: Vec<String> = hearth_domain::assessment::IposSymptom::ALL
                .iter()
                .map(|s| of("ipos-symptom", s.code()).map(answer).unwrap_or_default())
                .collect();
            let items: Vec<String> = hearth_domain::assessment::IposItem::ALL
                .iter()
                .map(|i| of("ipos-item", i.code()).map(answer).unwrap_or_default())
                .collect();
            let concerns: Vec<String> = extensions(&o.extension, "main-concern")
                .filter_map(|e| e.value_string.clone())
                .collect();
            Measure::Ipos(
                Ipos::check(
                    (
                        ext_code(&o.extension, "ipos-version").unwrap_or(""),
                        ext_code(&o.extension, "ipos-recall").unwrap_or(""),
                    ),
                    &concerns,
                    (&symptoms, &others("ipos-symptom", "Other symptom: ")),
                    &items,
                )
                .map_err(validation)?,
            )
        }
        Instrument::Esas => {
            let scores: Vec<String> = hearth_domain::assessment::EsasSymptom::ALL
                .iter()
                .map(|s| of("esas-item", s.code()).map(answer).unwrap_or_default())
                .collect();
            let other = others("esas-item", "Other problem: ")
                .into_iter()
                .next()
                .unwrap_or_default();
            Measure::Esas(
                Esas::check(
                    ext_code(&o.extension, "esas-completed-by").unwrap_or(""),
                    &scores,
                    (&other.0, &other.1),
                )
                .map_err(validation)?,
            )
        }
        Instrument::Akps => Measure::Akps(
            hearth_domain::assessment::akps(
                &o.value_integer.map(|v| v.to_string()).unwrap_or_default(),
            )
            .map_err(validation)?,
        ),
    };
    let assessor = o
        .performer
        .iter()
        .find_map(|p| reference_id(Some(p), "Practitioner"))
        .map(PractitionerId::new);
    let assessed_at = time(o.effective_date_time.as_deref(), "effectiveDateTime")?;
    Ok(Observed::Assessment {
        measure,
        assessed_at,
        assessor,
    })
}
