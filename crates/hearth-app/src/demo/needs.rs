//! Needs over time in the demo region: weeks of ESAS-r, IPOS and AKPS with phases for a dozen
//! patients of the demo GP and district nurse; one whose breathlessness jumped to 8 this morning
//! (the rule fired, the GP referred, the referral waits for triage); one stuck in an unstable
//! phase for five days; an accepted referral with first contact the next day and a declined one
//! with advice; and a week of advice-line calls, several out of hours.

use hearth_domain::PractitionerId;
use hearth_domain::advice::{AdviceCall, AdviceChannel, AdviceOutcome, CallerRole};
use hearth_domain::assessment::{Assessment, Esas, Ipos, Measure, Phase, PhaseEpisode};
use hearth_domain::care_team::{CareTeamMember, CareTeamRole, Member};
use hearth_domain::referral::{Referral, ReferralDraft, ReferralStep, TriagePriority};
use hearth_domain::register::ConsentDecision;
use hearth_domain::trigger::{Answered, Response, Suggestion, Suggests};
use hearth_domain::{OrganisationId, PatientId};
use hearth_store::Tx;
use jiff::{SignedDuration, Timestamp};

use super::people::DemoPatient;
use super::transitions::in_team;
use crate::{AppError, IdGenerator};

/// The people and services the scenario needs.
pub struct Cast<'a> {
    pub gp: &'a PractitionerId,
    pub nurse: &'a PractitionerId,
    /// The hospital palliative care team's specialist nurse (the demo specialist sign-in).
    pub specialist: &'a PractitionerId,
    pub specialist_service: &'a OrganisationId,
    /// The hospice consultant on the night rota, and the hospice.
    pub night: &'a PractitionerId,
    pub night_service: &'a OrganisationId,
    /// Where "out of hours" is worked out: the local time zone and its public holidays.
    pub time_zone: &'a jiff::tz::TimeZone,
    pub public_holidays: &'a [jiff::civil::Date],
}

fn ago(now: Timestamp, hours: i64) -> Timestamp {
    now - SignedDuration::from_hours(hours)
}

fn esas(scores: [u8; 9], by: &str) -> Result<Measure, AppError> {
    let texts: Vec<String> = scores.iter().map(u8::to_string).collect();
    Ok(Measure::Esas(Esas::check(by, &texts, ("", ""))?))
}

fn ipos(symptoms: [u8; 10], items: [u8; 7], concern: &str) -> Result<Measure, AppError> {
    let s: Vec<String> = symptoms.iter().map(u8::to_string).collect();
    let i: Vec<String> = items.iter().map(u8::to_string).collect();
    Ok(Measure::Ipos(Ipos::check(
        ("patient", "3-day"),
        &[concern.to_owned()],
        (&s, &[]),
        &i,
    )?))
}

fn record(
    ids: &dyn IdGenerator,
    m: &DemoPatient,
    measure: Measure,
    (at, by): (Timestamp, &PractitionerId),
) -> Assessment {
    Assessment {
        id: ids.new_id(),
        patient_id: m.patient.id.clone(),
        measure,
        assessed_at: at,
        assessor: by.clone(),
        recorded_at: at,
    }
}

/// The specialist service joins the team with a referral (when it is not in it already).
async fn service_joins(
    tx: &mut Tx,
    ids: &dyn IdGenerator,
    m: &DemoPatient,
    service: &OrganisationId,
    at: Timestamp,
) -> Result<(), AppError> {
    let member = Member::Service(service.clone());
    if m.team.iter().any(|t| t.is_active() && t.member == member) {
        return Ok(());
    }
    tx.insert_care_team_members(&[CareTeamMember {
        id: ids.new_id(),
        patient_id: m.patient.id.clone(),
        member,
        role: CareTeamRole::SpecialistPalliativeNurse,
        responsibilities: Vec::new(),
        coordinator: false,
        started_on: at.to_zoned(jiff::tz::TimeZone::UTC).date(),
        ended_on: None,
        created_at: at,
        updated_at: at,
        version: 1,
    }])
    .await?;
    Ok(())
}

/// A referral as the referrer would make it, then moved on by the specialist through the
/// domain's steps at the times given (so the demo follows the same rules as the app).
fn referral(
    id: String,
    m: &DemoPatient,
    (by, service): (&PractitionerId, &OrganisationId),
    (at, urgency, asks): (Timestamp, &str, &[&str]),
    (reason, knows): (&str, &str),
    evidence: &[&str],
) -> Result<Referral, AppError> {
    Ok(ReferralDraft {
        reason: reason.to_owned(),
        urgency: urgency.to_owned(),
        asks: asks.iter().map(|a| (*a).to_owned()).collect(),
        patient_knows: knows.to_owned(),
        agreement: "agrees".to_owned(),
        evidence: evidence.iter().map(|e| (*e).to_owned()).collect(),
        suggestion_ids: Vec::new(),
    }
    .check(id, &m.patient.id, service, by, at)?)
}

/// Applies `steps` to `r`, each by `by` at its time.
fn steps(
    r: &mut Referral,
    by: &PractitionerId,
    steps: Vec<(ReferralStep, Timestamp)>,
) -> Result<(), AppError> {
    for (step, at) in steps {
        r.step(step, by, at)?;
    }
    Ok(())
}

/// Writes the scenario in `tx`; returns the patients it used.
pub async fn write(
    tx: &mut Tx,
    ids: &dyn IdGenerator,
    made: &[DemoPatient],
    cast: &Cast<'_>,
    now: Timestamp,
) -> Result<Vec<PatientId>, AppError> {
    let mut eligible = Vec::new();
    for m in made.iter().filter(|m| {
        m.entry.leaving.is_none()
            && m.entry.consent.decision == ConsentDecision::Given
            && in_team(m, cast.gp)
            && in_team(m, cast.nurse)
    }) {
        // Patients of the transitions scenario keep their own story.
        if tx.stays_of(&m.patient.id).await?.is_empty() {
            eligible.push(m);
        }
    }
    let day = 24;
    let mut used = Vec::new();

    // Weeks of steady assessments for most of them, so that charts have a history.
    for (n, m) in eligible.iter().enumerate().skip(4).take(10) {
        let k = u8::try_from(n % 3).unwrap_or(0);
        for (w, akps) in [(21, 70), (14, 60), (7, 60), (1, 60 - 10 * (k % 2))] {
            let at = ago(now, w * day + 3);
            let measure = esas([2 + k, 4, 2, 1, 3, 2 + k, 2, 3, 4], "patient")?;
            tx.insert_assessment(&record(ids, m, measure, (at, cast.nurse)))
                .await?;
            tx.insert_assessment(&record(ids, m, Measure::Akps(akps), (at, cast.nurse)))
                .await?;
        }
        tx.insert_phase(
            &m.patient.id,
            &PhaseEpisode {
                phase: if k == 2 {
                    Phase::Deteriorating
                } else {
                    Phase::Stable
                },
                started_at: ago(now, 30 * day),
            },
            cast.gp,
            ago(now, 30 * day),
        )
        .await?;
        used.push(m.patient.id.clone());
    }

    // Breathlessness jumped to 8 this morning: the rule fired, the GP referred at once, and
    // the referral waits for the specialist team's triage.
    if let Some(m) = eligible.first() {
        for (hours, breath, tired) in [(20 * day, 3, 4), (13 * day, 4, 5), (6 * day, 4, 6)] {
            let at = ago(now, hours);
            tx.insert_assessment(&record(
                ids,
                m,
                esas([2, tired, 3, 1, 4, breath, 2, 4, 5], "patient")?,
                (at, cast.nurse),
            ))
            .await?;
        }
        let this_morning = ago(now, 4);
        tx.insert_assessment(&record(
            ids,
            m,
            esas([3, 7, 3, 2, 5, 8, 3, 6, 6], "patient")?,
            (this_morning, cast.nurse),
        ))
        .await?;
        tx.insert_assessment(&record(
            ids,
            m,
            ipos(
                [2, 4, 3, 1, 0, 2, 1, 2, 2, 3],
                [3, 3, 2, 2, 1, 1, 2],
                "Breathless even sitting in the chair; frightened at night",
            )?,
            (this_morning, cast.nurse),
        ))
        .await?;
        tx.insert_assessment(&record(
            ids,
            m,
            Measure::Akps(50),
            (ago(now, 20 * day), cast.nurse),
        ))
        .await?;
        tx.insert_assessment(&record(
            ids,
            m,
            Measure::Akps(40),
            (this_morning, cast.nurse),
        ))
        .await?;
        tx.insert_phase(
            &m.patient.id,
            &PhaseEpisode {
                phase: Phase::Deteriorating,
                started_at: ago(now, 25 * day),
            },
            cast.gp,
            ago(now, 25 * day),
        )
        .await?;
        let fired = this_morning;
        let suggestion = Suggestion {
            id: ids.new_id(),
            patient_id: m.patient.id.clone(),
            rule_id: "esas-severe".to_owned(),
            rule_version: 1,
            suggests: Suggests::Referral,
            reason: "ESAS-r: Shortness of breath 8 (severe) (rule: any ESAS-r symptom 7 or more)."
                .to_owned(),
            fired_at: fired,
            response: None,
        };
        tx.insert_suggestion(&suggestion).await?;
        let referred = fired + SignedDuration::from_mins(90);
        tx.answer_suggestion(
            &suggestion.id,
            &Answered {
                response: Response::Referred,
                by: cast.gp.clone(),
                at: referred,
                until: None,
                note: None,
            },
            referred,
        )
        .await?;
        let low = Suggestion {
            id: ids.new_id(),
            rule_id: "akps-low".to_owned(),
            suggests: Suggests::Review,
            reason: "AKPS 40 (rule: AKPS 40 or less).".to_owned(),
            ..suggestion.clone()
        };
        tx.insert_suggestion(&low).await?;
        let mut r = referral(
            ids.new_id(),
            m,
            (cast.gp, cast.specialist_service),
            (referred, "soon", &["assessment", "joint-visit"]),
            (
                "Breathlessness now at rest despite oramorph 2.5 mg as needed; frightened at night and the family are exhausted. Please assess and advise on a syringe driver.",
                "Knows the illness is advancing and that the team is worried about the breathing; agrees to a visit from the specialist nurse.",
            ),
            &[
                "ESAS-r this morning: total 43, was 35 six days ago; Shortness of breath 8 (severe), Tiredness 7 (severe)",
                "AKPS this morning: 40 (was 50 three weeks ago)",
            ],
        )?;
        r.suggestion_ids = vec![suggestion.id.clone()];
        service_joins(tx, ids, m, cast.specialist_service, referred).await?;
        tx.insert_referral(&r).await?;
        used.push(m.patient.id.clone());
    }

    // Stuck in an unstable phase for five days, pain severe; accepted, seen the next day.
    if let Some(m) = eligible.get(1) {
        tx.insert_phase(
            &m.patient.id,
            &PhaseEpisode {
                phase: Phase::Deteriorating,
                started_at: ago(now, 40 * day),
            },
            cast.gp,
            ago(now, 40 * day),
        )
        .await?;
        let unstable = ago(now, 5 * day + 6);
        tx.insert_phase(
            &m.patient.id,
            &PhaseEpisode {
                phase: Phase::Unstable,
                started_at: unstable,
            },
            cast.nurse,
            unstable,
        )
        .await?;
        for (hours, pain) in [(12 * day, 4), (5 * day + 6, 8), (3 * day, 7), (day, 7)] {
            tx.insert_assessment(&record(
                ids,
                m,
                esas([pain, 6, 4, 3, 5, 2, 4, 6, 6], "patient")?,
                (ago(now, hours), cast.nurse),
            ))
            .await?;
        }
        tx.insert_assessment(&record(
            ids,
            m,
            Measure::Akps(50),
            (ago(now, 5 * day), cast.nurse),
        ))
        .await?;
        tx.insert_suggestion(&Suggestion {
            id: ids.new_id(),
            patient_id: m.patient.id.clone(),
            rule_id: "phase-unstable".to_owned(),
            rule_version: 1,
            suggests: Suggests::Review,
            reason: "Phase of illness: Unstable (rule: phase of illness becomes unstable)."
                .to_owned(),
            fired_at: unstable,
            response: None,
        })
        .await?;
        let referred = unstable + SignedDuration::from_hours(2);
        let mut r = referral(
            ids.new_id(),
            m,
            (cast.gp, cast.specialist_service),
            (referred, "urgent", &["assessment", "joint-visit"]),
            (
                "New severe bone pain in the right hip despite increased morphine; unable to settle at night.",
                "Knows the cancer has spread to the bones; wants to stay at home.",
            ),
            &["ESAS-r: Pain 8 (severe)", "Phase of illness: Unstable"],
        )?;
        let triaged = referred + SignedDuration::from_mins(50);
        let seen = referred + SignedDuration::from_hours(20);
        steps(
            &mut r,
            cast.specialist,
            vec![
                (
                    ReferralStep::Triage {
                        priority: TriagePriority::P1,
                    },
                    triaged,
                ),
                (ReferralStep::Accept, triaged),
                (ReferralStep::FirstContact { at: seen }, seen),
            ],
        )?;
        service_joins(tx, ids, m, cast.specialist_service, referred).await?;
        tx.insert_referral(&r).await?;
        used.push(m.patient.id.clone());
    }

    // Declined, with advice: the needs can be met by the team.
    if let Some(m) = eligible.get(2) {
        let referred = ago(now, 9 * day);
        tx.insert_assessment(&record(
            ids,
            m,
            esas([3, 5, 2, 1, 4, 2, 5, 7, 4], "patient")?,
            (referred - SignedDuration::from_hours(3), cast.nurse),
        ))
        .await?;
        let mut r = referral(
            ids.new_id(),
            m,
            (cast.gp, cast.specialist_service),
            (referred, "routine", &["advice"]),
            (
                "Anxious and low since the diagnosis; not sleeping.",
                "Knows the diagnosis and prognosis; agrees to a referral.",
            ),
            &["ESAS-r: Anxiety 7 (severe), Depression 5 (moderate)"],
        )?;
        let triaged = referred + SignedDuration::from_hours(5);
        steps(
            &mut r,
            cast.specialist,
            vec![
                (
                    ReferralStep::Triage {
                        priority: TriagePriority::P3,
                    },
                    triaged,
                ),
                (
                    ReferralStep::Decline {
                        advice: "Symptoms are not complex: suggest sertraline 50 mg with GP review in 2 weeks, and the hospice day-therapy anxiety group (self-referral, 01632 960 403). Re-refer if not improving or if physical symptoms rise.".to_owned(),
                    },
                    triaged,
                ),
            ],
        )?;
        service_joins(tx, ids, m, cast.specialist_service, referred).await?;
        tx.insert_referral(&r).await?;
        used.push(m.patient.id.clone());
    }

    // Accepted last week, seen within the day, and discharged back to the team.
    if let Some(m) = eligible.get(3) {
        let referred = ago(now, 8 * day);
        let mut r = referral(
            ids.new_id(),
            m,
            (cast.gp, cast.specialist_service),
            (referred, "soon", &["advice", "assessment"]),
            (
                "Nausea and vomiting for three days on the new opioid.",
                "Knows the illness is incurable; agrees.",
            ),
            &["ESAS-r: Nausea 7 (severe)"],
        )?;
        let triaged = referred + SignedDuration::from_hours(2);
        let seen = referred + SignedDuration::from_hours(22);
        steps(
            &mut r,
            cast.specialist,
            vec![
                (
                    ReferralStep::Triage {
                        priority: TriagePriority::P2,
                    },
                    triaged,
                ),
                (ReferralStep::Accept, triaged),
                (ReferralStep::FirstContact { at: seen }, seen),
                (
                    ReferralStep::Discharge,
                    referred + SignedDuration::from_hours(24 * 6),
                ),
            ],
        )?;
        service_joins(tx, ids, m, cast.specialist_service, referred).await?;
        tx.insert_referral(&r).await?;
        used.push(m.patient.id.clone());
    }

    // A week of advice-line calls, several out of hours (nights and the weekend).
    let about = |n: usize| eligible.get(n).map(|m| m.patient.id.clone());
    type Call<'a> = (
        i64,
        i64,
        &'a str,
        CallerRole,
        Option<&'a str>,
        Option<PatientId>,
        &'a str,
        &'a str,
        &'a str,
        AdviceOutcome,
    );
    let calls: [Call<'_>; 9] = [
        (
            6,
            2,
            "Dr Marcus Webb",
            CallerRole::OohDoctor,
            Some("Westvale Out-of-Hours"),
            about(1),
            "Agitated and in pain at 2 a.m.; two doses of oramorph with little effect.",
            "Morphine 2.5 mg subcut from the just-in-case box, repeat in an hour if needed; district nurse to set up a syringe driver in the morning.",
            "",
            AdviceOutcome::ManagedAtHome,
        ),
        (
            5,
            14,
            "Sister Jo Bell",
            CallerRole::CareHomeNurse,
            Some("Hawthorn House"),
            None,
            "Resident with dementia not eating for three days; family asking about a drip.",
            "Explained artificial hydration is unlikely to help in the last days; mouth care, offer sips; GP to review and talk with the family.",
            "Resident of Hawthorn House, not registered in Hearth",
            AdviceOutcome::VisitArranged,
        ),
        (
            4,
            23,
            "Paramedic crew 412",
            CallerRole::Paramedic,
            Some("Regional Ambulance Service"),
            about(0),
            "Breathless, frightened, wife asking for hospital; ReSPECT says comfort-focused care.",
            "Oramorph 2.5 mg and the fan; midazolam 2.5 mg subcut from the home box; stay with them 30 minutes; the specialist nurse will visit in the morning.",
            "",
            AdviceOutcome::ManagedAtHome,
        ),
        (
            3,
            10,
            "Dr Amelia Hughes",
            CallerRole::Gp,
            Some("Riverside Surgery"),
            about(3),
            "Nausea on the new oxycodone: which antiemetic?",
            "Haloperidol 0.5–1 mg at night; review the bowels; consider switching opioid if it persists.",
            "",
            AdviceOutcome::ManagedAtHome,
        ),
        (
            2,
            20,
            "Tom Reid",
            CallerRole::FamilyCarer,
            None,
            about(1),
            "His father is in more pain tonight and the district nurses are busy.",
            "Gave the breakthrough dose in the plan; district night nurse asked to visit within the hour.",
            "",
            AdviceOutcome::VisitArranged,
        ),
        (
            2,
            11,
            "Kate Lowe",
            CallerRole::Pharmacist,
            Some("Ashby Pharmacy"),
            None,
            "Prescription for midazolam 10 mg/2 ml: is the dose range right for a syringe driver?",
            "Yes: 10–30 mg over 24 hours is usual; confirmed the prescription with the GP.",
            "Patient of Market Street Surgery",
            AdviceOutcome::Other,
        ),
        (
            1,
            3,
            "Dr Marcus Webb",
            CallerRole::OohDoctor,
            Some("Westvale Out-of-Hours"),
            None,
            "Terminal restlessness; family distressed; no just-in-case medicines in the home.",
            "Admission to the hospice bed tonight agreed with the family and the on-call consultant.",
            "Man in his 80s with lung cancer, new to the area",
            AdviceOutcome::Admission,
        ),
        (
            0,
            9,
            "Nia Evans",
            CallerRole::DistrictNurse,
            Some("Ashby District Nursing"),
            about(2),
            "Anxiety worse since the decline letter; what can we do while we wait for the GP?",
            "Breathing exercises and the day-therapy group; GP to start sertraline; re-refer if no better in two weeks.",
            "",
            AdviceOutcome::Referral,
        ),
        (
            0,
            1,
            "Dr Marcus Webb",
            CallerRole::OohDoctor,
            Some("Westvale Out-of-Hours"),
            about(0),
            "Breathless again at 1 a.m.; second dose of oramorph given.",
            "Midazolam 2.5 mg subcut; recheck in 30 minutes; the specialist nurse is visiting today.",
            "",
            AdviceOutcome::ManagedAtHome,
        ),
    ];
    for (days, hour, caller, role, organisation, patient, question, advice, description, outcome) in
        calls
    {
        let midnight = now
            .to_zoned(cast.time_zone.clone())
            .start_of_day()
            .map(|z| z.timestamp())
            .unwrap_or(now);
        let received = midnight - SignedDuration::from_hours(24 * days)
            + SignedDuration::from_hours(hour)
            + SignedDuration::from_mins(12);
        if received > now {
            continue;
        }
        let local = received.to_zoned(cast.time_zone.clone());
        let ooh = hearth_domain::advice::is_out_of_hours(
            local.datetime(),
            cast.public_holidays.contains(&local.date()),
        );
        tx.insert_advice_call(&AdviceCall {
            id: ids.new_id(),
            caller_name: caller.to_owned(),
            caller_role: role,
            caller_organisation: organisation.map(str::to_owned),
            patient_description: (!description.is_empty()).then(|| description.to_owned()),
            patient_id: patient,
            question: question.to_owned(),
            advice: advice.to_owned(),
            outcome,
            channel: AdviceChannel::Phone,
            logged_by: if ooh {
                cast.night.clone()
            } else {
                cast.specialist.clone()
            },
            received_at: received,
            logged_at: received + SignedDuration::from_mins(10),
            out_of_hours: ooh,
            service: Some(if ooh {
                cast.night_service.clone()
            } else {
                cast.specialist_service.clone()
            }),
        })
        .await?;
    }
    Ok(used)
}
