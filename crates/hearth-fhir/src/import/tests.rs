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
