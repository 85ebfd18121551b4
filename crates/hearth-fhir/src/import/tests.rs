//! Reading records: refusals and the instrument rules.

use super::*;
use serde_json::json;

const NHS: &str = "https://fhir.nhs.uk/Id/nhs-number";

fn now() -> Timestamp {
    "2026-11-20T10:00:00Z".parse().unwrap()
}

fn patient(id: &str) -> Value {
    json!({
        "resourceType": "Patient",
        "id": id,
        "identifier": [{"system": NHS, "value": "4000000004"}],
        "name": [{"use": "official", "family": "Carter", "given": ["Edith"]}],
        "gender": "female",
        "birthDate": "1941-03-09",
        "address": [{"use": "home", "line": ["4 Mill Lane"], "city": "Ashby"}]
    })
}

fn reasons(refusals: &[Refusal]) -> String {
    refusals
        .iter()
        .flat_map(|r| &r.outcome.issue)
        .filter_map(|i| i.diagnostics.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn what_a_record_holds_that_hearth_cannot_keep_is_refused_by_name() {
    let care_plan = json!({
        "resourceType": "CarePlan", "id": "cp", "status": "active", "intent": "plan",
        "subject": {"reference": "Patient/p1"}, "note": [{"text": "Keep comfortable"}]
    });
    let goal = json!({
        "resourceType": "Goal", "id": "g", "lifecycleStatus": "active",
        "description": {"text": "Walk"}, "subject": {"reference": "Patient/p9"}
    });
    let orphan = json!({
        "resourceType": "CareTeam", "id": "t", "subject": {"reference": "Patient/p9"}
    });
    let extra = json!({
        "resourceType": "Organization", "id": "o", "name": "Ashby Surgery",
        "type": [{"coding": [{"system": system("organisation-kind"), "code": "gp-practice"}]}],
        "alias": ["The surgery"]
    });
    let consent_alone = json!({
        "resourceType": "Consent", "id": "c", "status": "active",
        "scope": {"text": "privacy"}, "category": [{"text": "consent"}],
        "patient": {"reference": "Patient/p1"}
    });
    let dead = {
        let mut p = patient("p1");
        p["deceasedDateTime"] = json!("2026-11-01");
        p
    };
    let (import, refusals) = read(
        &[dead, care_plan, goal, orphan, extra, consent_alone],
        NHS,
        now(),
    );
    let text = reasons(&refusals);
    assert_eq!(refusals.len(), 6, "{text}");
    assert!(text.contains("no plan-section extensions"), "{text}");
    assert!(
        text.contains("imports them with the patient's CarePlan"),
        "{text}"
    );
    assert!(
        text.contains("Patient/p9, which is not in the file"),
        "{text}"
    );
    assert!(text.contains("Organization.alias"), "{text}");
    assert!(text.contains("kept with the register entry"), "{text}");
    assert!(
        text.contains("no register entry (EpisodeOfCare) recording the death"),
        "{text}"
    );
    let refused: Vec<usize> = refusals.iter().map(|r| r.index).collect();
    assert_eq!(refused, vec![0, 1, 2, 3, 4, 5]);
    assert!(import.organisations.is_empty());
}

#[test]
fn an_assessment_is_read_from_its_items_and_checked_by_the_instrument_rules() {
    let esas = |score: i64| {
        let mut components: Vec<Value> = hearth_domain::assessment::EsasSymptom::ALL
            .iter()
            .map(|s| {
                json!({"code": {"coding": [{"system": system("esas-item"), "code": s.code()}]},
                       "valueInteger": 2})
            })
            .collect();
        components[0]["valueInteger"] = json!(score);
        json!({
            "resourceType": "Observation", "id": "a1", "status": "final",
            "extension": [{"url": extension("esas-completed-by"), "valueCode": "patient"}],
            "code": {"coding": [{"system": system("instrument"), "code": "esas-r"}]},
            "subject": {"reference": "Patient/p1"},
            "effectiveDateTime": "2026-11-19T09:00:00.000Z",
            "performer": [{"reference": "Practitioner/dn"}],
            "component": components
        })
    };
    let (import, refusals) = read(&[patient("p1"), esas(7)], NHS, now());
    assert!(refusals.is_empty(), "{}", reasons(&refusals));
    let a = &import.records[0].assessments[0];
    match &a.measure {
        hearth_domain::assessment::Measure::Esas(e) => {
            assert_eq!(e.scores, [7, 2, 2, 2, 2, 2, 2, 2, 2]);
        }
        other => panic!("read as {other:?}"),
    }
    assert_eq!(a.assessor.as_str(), "dn");

    let (import, refusals) = read(&[patient("p1"), esas(11)], NHS, now());
    assert!(import.records[0].assessments.is_empty());
    assert!(
        reasons(&refusals).contains("Observation/a1"),
        "{}",
        reasons(&refusals)
    );
}

#[test]
fn a_patient_given_twice_or_refused_takes_its_record_with_it_saying_why() {
    let team = json!({
        "resourceType": "CareTeam", "id": "p1", "subject": {"reference": "Patient/p1"}
    });
    let (import, refusals) = read(&[patient("p1"), patient("p1"), team.clone()], NHS, now());
    let text = reasons(&refusals);
    assert!(text.contains("Patient/p1 is in the file twice"), "{text}");
    assert_eq!(
        import.records.len(),
        1,
        "the first is read, the second refused"
    );

    let mut odd = patient("p2");
    odd["photo"] = json!([{"url": "https://example.org/p.png"}]);
    let team = json!({
        "resourceType": "CareTeam", "id": "p2", "subject": {"reference": "Patient/p2"}
    });
    let (import, refusals) = read(&[odd, team], NHS, now());
    let text = reasons(&refusals);
    assert!(text.contains("Patient.photo"), "{text}");
    assert!(
        text.contains("Patient/p2, which was refused (see its reason)"),
        "{text}"
    );
    assert!(import.records.is_empty());
}

fn edith() -> hearth_domain::patient::Patient {
    use hearth_domain::patient::{Address, Identifier, Patient, Sex};
    Patient {
        id: PatientId::new("p1"),
        national_number: Identifier {
            system: NHS.into(),
            value: "4000000004".into(),
        },
        given_name: "Edith".into(),
        family_name: "Carter".into(),
        date_of_birth: jiff::civil::date(1941, 3, 9),
        sex: Sex::Female,
        main_diagnosis: None,
        address: Address {
            line: "4 Mill Lane".into(),
            town: "Ashby".into(),
            postcode: None,
        },
        area: None,
        rural: false,
        travel_minutes_to_hospital: None,
        organisations: Vec::new(),
        created_at: now(),
        updated_at: now(),
        version: 1,
    }
}

/// The FHIR of `p`'s record holding only `conversations`, `discharges` and `advice_calls`, as
/// JSON, without the Patient.
fn exported(
    p: &hearth_domain::patient::Patient,
    conversations: &[hearth_domain::conversation::Thread],
    discharges: &[hearth_domain::transition::DischargeRecord],
    advice_calls: &[hearth_domain::advice::AdviceCall],
) -> Vec<Value> {
    crate::map::patient_record(crate::map::PatientRecord {
        patient: p,
        register: &[],
        team: &[],
        names: &HashMap::new(),
        sections: &[],
        assessments: &[],
        phases: &[],
        referrals: &[],
        tasks: &[],
        stays: &[],
        conversations,
        discharges,
        advice_calls,
    })
    .iter()
    .filter(|r| r.type_name() != "Patient")
    .map(|r| serde_json::to_value(r).unwrap())
    .collect()
}

fn thread() -> hearth_domain::conversation::Thread {
    use hearth_domain::care_plan::Section;
    use hearth_domain::conversation::{
        Conversation, Message, Receipt, TalkMode, TalkRequest, TalkState, Thread, Urgency,
    };
    let at = |t: &str| -> Timestamp { t.parse().unwrap() };
    let (gp, nurse) = (PractitionerId::new("gp1"), PractitionerId::new("dn1"));
    let message = |id: &str, author: &PractitionerId, sent: &str, urgency| Message {
        id: id.to_owned(),
        conversation_id: "c1".to_owned(),
        patient_id: PatientId::new("p1"),
        author: author.clone(),
        body: format!("Message {id}: pain worse overnight, please review."),
        urgency,
        reply_by: None,
        section: None,
        task: None,
        sent_at: at(sent),
        escalated_at: None,
    };
    let mut first = message("m1", &gp, "2026-11-18T09:00:00Z", Urgency::Today);
    first.reply_by = Some(at("2026-11-18T17:00:00Z"));
    first.escalated_at = Some(at("2026-11-18T17:05:00Z"));
    first.section = Some(Section::AnticipatoryMedicines);
    let mut second = message("m2", &nurse, "2026-11-18T18:00:00Z", Urgency::Urgent);
    second.task = Some("t1".to_owned());
    Thread {
        conversation: Conversation {
            id: "c1".to_owned(),
            patient_id: PatientId::new("p1"),
            topic: "Pain at night".to_owned(),
            started_by: gp.clone(),
            addressed_to: "District nurses".to_owned(),
            started_at: first.sent_at,
            last_message_at: second.sent_at,
        },
        receipts: vec![
            Receipt {
                message_id: "m1".to_owned(),
                recipient: Member::Service(OrganisationId::new("dn-team")),
                read_at: Some(at("2026-11-18T17:30:00Z")),
                read_by: Some(nurse.clone()),
            },
            Receipt {
                message_id: "m2".to_owned(),
                recipient: Member::Practitioner(gp.clone()),
                read_at: None,
                read_by: None,
            },
        ],
        messages: vec![first, second],
        talks: vec![TalkRequest {
            id: "talk1".to_owned(),
            conversation_id: "c1".to_owned(),
            patient_id: PatientId::new("p1"),
            requested_by: nurse.clone(),
            mode: TalkMode::Video,
            proposed: vec![at("2026-11-19T10:00:00Z"), at("2026-11-19T14:00:00Z")],
            state: TalkState::Held,
            scheduled_at: Some(at("2026-11-19T14:00:00Z")),
            agreed_by: Some(gp.clone()),
            outcome: Some("Agreed to start a syringe driver.".to_owned()),
            outcome_by: Some(gp),
            created_at: at("2026-11-18T18:01:00Z"),
            version: 3,
        }],
    }
}

#[test]
fn a_conversation_mapped_to_fhir_reads_back_as_the_same_conversation() {
    let t = thread();
    let p = edith();
    let mut resources = vec![patient("p1")];
    resources.extend(exported(&p, std::slice::from_ref(&t), &[], &[]));
    assert_eq!(resources.len(), 4, "two messages and a call request");
    // In any order: the messages are put back in the order sent.
    resources.swap(1, 2);
    let (import, refusals) = read(&resources, NHS, now());
    assert!(refusals.is_empty(), "{}", reasons(&refusals));
    assert_eq!(import.records[0].conversations, vec![t]);
}

#[test]
fn a_message_or_call_request_without_its_conversation_is_refused_saying_why() {
    let message = json!({
        "resourceType": "Communication", "id": "m9", "status": "completed",
        "subject": {"reference": "Patient/p1"}, "topic": {"text": "Breathless"},
        "sender": {"reference": "Practitioner/gp1"}, "sent": "2026-11-18T09:00:00Z",
        "payload": [{"contentString": "Can someone visit today?"}]
    });
    let talk = json!({
        "resourceType": "CommunicationRequest", "id": "talk9", "status": "active",
        "subject": {"reference": "Patient/p1"},
        "extension": [
            {"url": extension("conversation"), "extension": [{"url": "id", "valueString": "c9"}]},
            {"url": extension("talk-state"), "valueCode": "proposed"},
            {"url": extension("proposed-time"), "valueDateTime": "2026-11-19T10:00:00Z"}
        ],
        "medium": [{"coding": [{"system": codes::PARTICIPATION_MODE, "code": "PHONE"}]}],
        "authoredOn": "2026-11-18T09:00:00Z", "requester": {"reference": "Practitioner/gp1"}
    });
    let draft = {
        let mut m = message.clone();
        m["status"] = json!("preparation");
        m
    };
    let (import, refusals) = read(&[patient("p1"), message, talk, draft], NHS, now());
    let text = reasons(&refusals);
    assert_eq!(refusals.len(), 3, "{text}");
    assert!(text.contains("needs the conversation extension"), "{text}");
    assert!(
        text.contains("none of whose messages (Communication) are in the file"),
        "{text}"
    );
    assert!(
        text.contains("Hearth keeps messages that were sent"),
        "{text}"
    );
    assert!(import.records[0].conversations.is_empty());
}

#[test]
fn a_discharge_with_its_letter_mapped_to_fhir_reads_back_as_the_same_discharge() {
    use hearth_domain::care_team::Member;
    use hearth_domain::transition::{
        ChecklistItem, ChecklistLine, Discharge, DischargeRecord, DischargeState, Letter,
        PlaceKind, StoredDischarge,
    };
    let at = |t: &str| -> Timestamp { t.parse().unwrap() };
    let nurse = PractitionerId::new("dn1");
    let record = DischargeRecord {
        stored: StoredDischarge {
            discharge: Discharge {
                id: "d1".to_owned(),
                patient_id: PatientId::new("p1"),
                stay_id: "s1".to_owned(),
                state: DischargeState::Accepted,
                planned_at: at("2026-11-21T11:00:00Z"),
                destination: PlaceKind::Home,
                receiving: Some(nurse.clone()),
                complex: true,
                planned_by: PractitionerId::new("ward1"),
                notified_at: at("2026-11-19T09:00:00Z"),
                accepted: Some((nurse.clone(), at("2026-11-19T12:00:00Z"))),
                discharged_at: None,
                version: 3,
            },
            letter: Some(Letter {
                diagnosis: "Pneumonia; heart failure.\nTreated with antibiotics & oxygen."
                    .to_owned(),
                follow_up: "District nurse visit the day after discharge.".to_owned(),
                ..Letter::default()
            }),
            letter_sent_at: None,
        },
        checklist: vec![
            ChecklistLine {
                item: ChecklistItem::PlanReviewed,
                owner: Member::Practitioner(nurse.clone()),
                done: Some((nurse, at("2026-11-20T10:00:00Z"))),
            },
            ChecklistLine {
                item: ChecklistItem::Equipment,
                owner: Member::Service(OrganisationId::new("dn-team")),
                done: None,
            },
        ],
    };
    let mut resources = vec![patient("p1")];
    resources.extend(exported(&edith(), &[], std::slice::from_ref(&record), &[]));
    assert_eq!(resources.len(), 2);
    assert_eq!(
        resources[1]["status"], "preliminary",
        "the letter is not sent yet"
    );
    assert_eq!(resources[1]["section"].as_array().map(Vec::len), Some(2));
    let (import, refusals) = read(&resources, NHS, now());
    assert!(refusals.is_empty(), "{}", reasons(&refusals));
    assert_eq!(import.records[0].discharges, vec![record]);

    // Another kind of document is not a discharge letter.
    let mut other = resources[1].clone();
    other["type"]["coding"][0]["code"] = json!("11488-4");
    let (import, refusals) = read(&[patient("p1"), other], NHS, now());
    assert!(
        reasons(&refusals).contains("Hearth keeps discharge letters (type LOINC 18842-5)"),
        "{}",
        reasons(&refusals)
    );
    assert!(import.records[0].discharges.is_empty());
}

#[test]
fn an_advice_line_call_mapped_to_fhir_reads_back_as_the_same_call() {
    use hearth_domain::advice::{AdviceCall, AdviceChannel, AdviceOutcome, CallerRole};
    let at = |t: &str| -> Timestamp { t.parse().unwrap() };
    let call = AdviceCall {
        id: "call1".to_owned(),
        caller_name: "Dr Marcus Webb".to_owned(),
        caller_role: CallerRole::OohDoctor,
        caller_organisation: Some("Westvale Out-of-Hours".to_owned()),
        patient_id: Some(PatientId::new("p1")),
        patient_description: None,
        question: "Breathless again at 1 a.m.; second dose of oramorph given.".to_owned(),
        advice: "Midazolam 2.5 mg subcut;\nrecheck in 30 minutes.".to_owned(),
        outcome: AdviceOutcome::ManagedAtHome,
        channel: AdviceChannel::Phone,
        logged_by: PractitionerId::new("spn1"),
        received_at: at("2026-11-19T01:12:00Z"),
        logged_at: at("2026-11-19T01:22:00Z"),
        out_of_hours: true,
        service: Some(OrganisationId::new("spc-night")),
    };
    let mut resources = vec![patient("p1")];
    resources.extend(exported(&edith(), &[], &[], std::slice::from_ref(&call)));
    assert_eq!(resources.len(), 2);
    assert_eq!(
        resources[1]["payload"][1]["contentString"],
        call.advice.as_str()
    );
    let (import, refusals) = read(&resources, NHS, now());
    assert!(refusals.is_empty(), "{}", reasons(&refusals));
    assert_eq!(import.records[0].advice_calls, vec![call]);
    assert!(import.records[0].conversations.is_empty(), "not a message");
}
