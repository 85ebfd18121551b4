//! The mapping of whole records: death, coordinators, medicines, consent.

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
        conversations: &[],
        discharges: &[],
        advice_calls: &[],
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

#[test]
fn an_assessment_is_also_its_questionnaire_response_item_by_item() {
    use hearth_domain::assessment::{Ipos, IposVersion, Recall};
    let mut symptoms = [Answer::Score(1); 10];
    symptoms[0] = Answer::Score(4);
    symptoms[9] = Answer::CannotAssess;
    let a = Assessment {
        id: "a1".into(),
        patient_id: PatientId::new("p1"),
        measure: Measure::Ipos(Ipos {
            version: IposVersion::Staff,
            recall: Recall::ThreeDays,
            main_concerns: vec!["Breathless at night".into()],
            symptoms,
            other_symptoms: vec![
                ("Itch".into(), Answer::Score(2)),
                ("Hiccups".into(), Answer::Score(3)),
            ],
            items: [Answer::Score(0); 7],
        }),
        assessed_at: at(),
        assessor: PractitionerId::new("dn"),
        recorded_at: at(),
    };
    let p = edith();
    let names = HashMap::new();
    let all = patient_record(PatientRecord {
        patient: &p,
        register: &[],
        team: &[],
        names: &names,
        sections: &[],
        assessments: std::slice::from_ref(&a),
        phases: &[],
        referrals: &[],
        tasks: &[],
        stays: &[],
        conversations: &[],
        discharges: &[],
        advice_calls: &[],
    });
    let response = find(&all, "QuestionnaireResponse");
    assert_eq!(response["id"], "a1", "the assessment's own id");
    assert_eq!(
        response["questionnaire"],
        "https://fhir.hearth.example/Questionnaire/ipos"
    );
    let items = response["item"].as_array().unwrap();
    // Ten symptoms, two others, seven further items.
    assert_eq!(items.len(), 19);
    assert_eq!(items[0]["answer"][0]["valueInteger"], 4);
    assert!(items[9].get("answer").is_none(), "not assessed: no answer");
    assert_eq!(
        items[9]["extension"][0]["url"],
        "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
    );
    assert_eq!(items[9]["extension"][0]["valueCode"], "unknown");
    let ids: Vec<&str> = items
        .iter()
        .map(|i| i["linkId"].as_str().unwrap())
        .collect();
    assert_eq!(&ids[10..12], ["other-1", "other-2"], "each linkId once");
    assert_eq!(items[11]["text"], "Other symptom: Hiccups");
    assert_eq!(items[11]["answer"][0]["valueInteger"], 3);
    // Every link id is an item of the published questionnaire.
    let published = crate::questionnaire::of(hearth_domain::assessment::Instrument::Ipos);
    for id in &ids {
        assert!(
            published.item.iter().any(|i| i.link_id == *id),
            "{id} is in the questionnaire"
        );
    }
}
