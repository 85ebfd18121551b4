//! The FHIR R4 API (issue 9): the CapabilityStatement, reads and searches with a bearer token,
//! the same access rules and audit as the web pages, and an OperationOutcome for every failure.

use hearth_app::IssuedApiToken;
use hearth_domain::api_token::TokenExpiry;
use hearth_testkit::{Backend, Fixture, TestApp, on_both_backends, spawn_app};
use serde_json::Value;

async fn issue(t: &TestApp, email: &str) -> IssuedApiToken {
    t.app
        .create_api_token(email, "GP system", TokenExpiry::default())
        .await
        .unwrap()
}

/// GET `path` with a bearer token (or none): status, headers and the JSON body.
async fn get(
    t: &TestApp,
    path: &str,
    token: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let client = t.client();
    let mut request = client.http.get(client.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let json =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}"));
    (status, headers, json)
}

fn assert_outcome(json: &Value, code: &str, says: &str) {
    assert_eq!(json["resourceType"], "OperationOutcome", "{json}");
    assert_eq!(json["issue"][0]["severity"], "error", "{json}");
    assert_eq!(json["issue"][0]["code"], code, "{json}");
    let diagnostics = json["issue"][0]["diagnostics"].as_str().unwrap_or_default();
    assert!(diagnostics.contains(says), "{diagnostics}");
}

async fn the_api_reads_a_care_team_patient_and_refuses_others(backend: Backend) {
    let Some(t) = spawn_app(backend, "fhir_api_reads").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = issue(&t, &f.gp.email).await.secret;
    let outsider = issue(&t, &f.outsider.email).await.secret;
    let admin = issue(&t, &f.admin.email).await.secret;
    let pid = f.patient.id.as_str();
    let web = t.signed_in(&f.gp.email, &f.gp.password).await;
    let registered = crate::register::register(&web, pid, "given", crate::register::REASONS).await;
    assert_eq!(registered.status().as_u16(), 303);

    // The CapabilityStatement is public and names what is served.
    let (status, headers, cs) = get(&t, "/fhir/metadata", None).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/fhir+json")
    );
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["fhirVersion"], "4.0.1");
    let types: Vec<&str> = cs["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"Patient") && types.contains(&"CareTeam"),
        "{types:?}"
    );
    validate(&cs);

    // Without a token, or with a bad one: 401 with an OperationOutcome, never a redirect.
    let (status, headers, json) = get(&t, &format!("/fhir/Patient/{pid}"), None).await;
    assert_eq!(status, 401);
    assert!(headers.get("www-authenticate").is_some());
    assert_outcome(&json, "login", "Bearer");
    let (status, _, json) = get(
        &t,
        &format!("/fhir/Patient/{pid}"),
        Some("hearth_pat_nonsense"),
    )
    .await;
    assert_eq!(status, 401);
    assert_outcome(&json, "login", "hearth token create");

    // The GP, in the care team, reads the patient with its version.
    let (status, headers, patient) = get(&t, &format!("/fhir/Patient/{pid}"), Some(&gp)).await;
    assert_eq!(status, 200, "{patient}");
    assert_eq!(patient["resourceType"], "Patient");
    assert_eq!(patient["id"], pid);
    assert_eq!(patient["name"][0]["family"], f.patient.family_name.as_str());
    assert_eq!(
        patient["identifier"][0]["value"],
        f.patient.national_number.value.as_str()
    );
    let version = patient["meta"]["versionId"].as_str().unwrap();
    assert_eq!(headers["etag"], format!("W/\"{version}\"").as_str());
    assert!(headers.get("last-modified").is_some());

    // Someone outside the team is refused, and so is an administrator (no clinical reads).
    let (status, _, json) = get(&t, &format!("/fhir/Patient/{pid}"), Some(&outsider)).await;
    assert_eq!(status, 403);
    assert_outcome(&json, "forbidden", "");
    let (status, _, json) = get(
        &t,
        &format!("/fhir/Patient/{pid}/$everything"),
        Some(&admin),
    )
    .await;
    assert_eq!(status, 403);
    assert_outcome(&json, "forbidden", "");
    // The search finds nothing the reader could not open.
    let number = f.patient.national_number.value.clone();
    let (status, _, found) = get(
        &t,
        &format!("/fhir/Patient?identifier={number}"),
        Some(&outsider),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(found["total"], 0, "{found}");
    let (_, _, found) = get(
        &t,
        &format!(
            "/fhir/Patient?identifier={}%7C{number}",
            f.patient.national_number.system
        ),
        Some(&gp),
    )
    .await;
    assert_eq!(found["type"], "searchset");
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["entry"][0]["resource"]["id"], pid);
    assert_eq!(found["entry"][0]["search"]["mode"], "match");

    // $everything: the Patient first, then the record; each entry readable on its own.
    let (status, _, all) = get(&t, &format!("/fhir/Patient/{pid}/$everything"), Some(&gp)).await;
    assert_eq!(status, 200, "{all}");
    let entries = all["entry"].as_array().unwrap();
    assert_eq!(entries[0]["resource"]["resourceType"], "Patient");
    for kind in ["EpisodeOfCare", "Consent", "CareTeam"] {
        assert!(
            entries
                .iter()
                .any(|e| e["resource"]["resourceType"] == kind),
            "no {kind} in {all}"
        );
    }
    let team = entries
        .iter()
        .find(|e| e["resource"]["resourceType"] == "CareTeam")
        .expect("the care team");
    assert!(
        team["fullUrl"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/fhir/CareTeam/{pid}"))
    );
    for entry in entries {
        let url = entry["fullUrl"].as_str().unwrap();
        let (status, _, read) = get(&t, &url[url.find("/fhir/").unwrap()..], Some(&gp)).await;
        assert_eq!(status, 200, "{url}: {read}");
        assert_eq!(read, entry["resource"], "{url}");
    }
    let (status, _, teams) = get(
        &t,
        &format!("/fhir/CareTeam?patient=Patient/{pid}"),
        Some(&gp),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(teams["total"], 1);
    let (status, _, json) = get(
        &t,
        &format!("/fhir/CareTeam?patient={pid}"),
        Some(&outsider),
    )
    .await;
    assert_eq!(status, 403);
    assert_outcome(&json, "forbidden", "");

    // Every read and refusal is in the audit trail, as on the web.
    let mut tx = t.app.store().begin_read().await.unwrap();
    let trail = tx.audit_of_patient(&f.patient.id, 100).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|(action, outcome, _)| action == "read" && outcome == "denied"),
        "the refusals are audited: {trail:?}"
    );
    assert!(
        trail
            .iter()
            .any(|(action, outcome, _)| action == "search" && outcome == "denied"),
        "an outsider's look-up of the national number shows in the patient's trail: {trail:?}"
    );
    assert!(
        trail
            .iter()
            .any(|(action, outcome, _)| action == "read" && outcome == "allowed"),
        "and the reads: {trail:?}"
    );
}
on_both_backends!(the_api_reads_a_care_team_patient_and_refuses_others);

async fn bad_requests_get_an_operation_outcome_that_says_what_to_do(backend: Backend) {
    let Some(t) = spawn_app(backend, "fhir_api_errors").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = issue(&t, &f.gp.email).await.secret;
    let gp = Some(gp.as_str());
    let pid = f.patient.id.as_str();
    for (path, status, code, says) in [
        ("/fhir/Patient/bad%20id", 404, "not-found", "no Patient"),
        (
            "/fhir/Spaceship/1",
            404,
            "not-supported",
            "does not serve Spaceship",
        ),
        (
            "/fhir/Patient/no-such-patient",
            404,
            "not-found",
            "no patient",
        ),
        (
            "/fhir/Patient?name=Carter",
            400,
            "invalid",
            "'name' is not supported",
        ),
        ("/fhir/Patient", 400, "invalid", "by identifier"),
        ("/fhir/Patient?identifier=123", 400, "value", ""),
        ("/fhir/Observation", 400, "invalid", "by patient"),
        (
            "/fhir/Observation?patient=a&patient=b",
            400,
            "invalid",
            "given twice",
        ),
        ("/fhir/Organization?_count=many", 400, "invalid", "_count"),
        (
            "/fhir/Organization?_format=xml",
            406,
            "not-supported",
            "JSON only",
        ),
        ("/fhir/Organization?q=%zz", 400, "invalid", "%-escape"),
        ("/fhir/Goal/not-a-goal", 404, "not-found", "no Goal"),
        (
            "/fhir/CareTeam/x/y/z",
            404,
            "not-supported",
            "/fhir/metadata",
        ),
        ("/fhir", 404, "not-supported", "/fhir/metadata"),
    ] {
        let (got, _, json) = get(&t, path, gp).await;
        assert_eq!(got, status, "{path}: {json}");
        assert_outcome(&json, code, says);
    }
    // Paging: one organisation a page, with a next link while there are more.
    let (_, _, page) = get(&t, "/fhir/Organization?_count=1", gp).await;
    assert_eq!(page["entry"].as_array().unwrap().len(), 1);
    let total = page["total"].as_u64().unwrap();
    assert!(total > 1, "{page}");
    let next = page["link"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == "next")
        .expect("a next link")["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = &next[next.find("/fhir/").unwrap()..];
    let (_, _, second) = get(&t, path, gp).await;
    assert_ne!(
        second["entry"][0]["resource"]["id"],
        page["entry"][0]["resource"]["id"]
    );
    // Paging past the end, or by a huge offset, answers an empty page without a next link.
    for path in [
        format!("/fhir/Organization?_offset={total}"),
        "/fhir/Organization?_offset=18446744073709551615&_count=100".to_owned(),
    ] {
        let (status, _, empty) = get(&t, &path, gp).await;
        assert_eq!(status, 200, "{path}: {empty}");
        assert!(empty.get("entry").is_none(), "{path}: {empty}");
        assert!(!empty.to_string().contains("\"next\""), "{path}: {empty}");
    }
    // Reads and $everything refuse parameters they cannot honour, before reading anything.
    let mut tx = t.app.store().begin_read().await.unwrap();
    let before = tx
        .audit_of_patient(&f.patient.id, 1000)
        .await
        .unwrap()
        .len();
    drop(tx);
    for (path, status) in [
        (format!("/fhir/Patient/{pid}?_format=xml"), 406),
        (
            format!("/fhir/Patient/{pid}/$everything?_type=Observation"),
            400,
        ),
        (format!("/fhir/Patient/{pid}/$everything?_count=abc"), 400),
        (format!("/fhir/CareTeam?patient={pid}&_offset=-1"), 400),
    ] {
        let (got, _, json) = get(&t, &path, gp).await;
        assert_eq!(got, status, "{path}: {json}");
        assert_eq!(json["resourceType"], "OperationOutcome");
    }
    let mut tx = t.app.store().begin_read().await.unwrap();
    assert_eq!(
        tx.audit_of_patient(&f.patient.id, 1000)
            .await
            .unwrap()
            .len(),
        before,
        "refused requests read (and audited) nothing"
    );
    drop(tx);
    // An identifier without a system matches no national number.
    let number = &f.patient.national_number.value;
    let (_, _, none) = get(&t, &format!("/fhir/Patient?identifier=%7C{number}"), gp).await;
    assert_eq!(none["total"], 0, "{none}");
    // Hearth's code systems are published.
    let (status, _, cs) = get(&t, "/fhir/CodeSystem/phase", None).await;
    assert_eq!(status, 200);
    assert_eq!(cs["url"], "https://fhir.hearth.example/CodeSystem/phase");
    // So are the instruments' questionnaires, which the QuestionnaireResponses name.
    let (status, _, all) = get(&t, "/fhir/Questionnaire", None).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["total"], 3);
    validate(&all);
    let (status, _, ipos) = get(&t, "/fhir/Questionnaire/ipos", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        ipos["url"],
        "https://fhir.hearth.example/Questionnaire/ipos"
    );
    assert_eq!(
        ipos["item"].as_array().map(Vec::len),
        Some(20),
        "10 + 3 others + 7"
    );
    let (status, _, json) = get(&t, "/fhir/Questionnaire/phq-9", None).await;
    assert_eq!(status, 404);
    assert_outcome(&json, "not-found", "no Questionnaire with id 'phq-9'");
    let _ = pid;
}
on_both_backends!(bad_requests_get_an_operation_outcome_that_says_what_to_do);

/// A Patient as a GP system would send it.
fn new_patient(number: &str, practice: &str) -> Value {
    serde_json::json!({
        "resourceType": "Patient",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": number}],
        "name": [{"use": "official", "family": "Okoro", "given": ["Grace"]}],
        "gender": "female",
        "birthDate": "1938-11-02",
        "address": [{"use": "home", "line": ["12 Bridge Street"], "city": "Ashby", "postalCode": "AB1 9XY"}],
        "generalPractitioner": [{"reference": format!("Organization/{practice}")}]
    })
}

/// POST a Patient with a bearer token (and optionally If-None-Exist).
async fn post(
    t: &TestApp,
    token: &str,
    body: &str,
    content_type: &str,
    if_none_exist: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let client = t.client();
    let mut request = client
        .http
        .post(client.url("/fhir/Patient"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body.to_owned());
    if let Some(condition) = if_none_exist {
        request = request.header("if-none-exist", condition);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

async fn a_patient_is_created_once_and_what_hearth_cannot_keep_is_refused(backend: Backend) {
    let Some(t) = spawn_app(backend, "fhir_api_create").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = issue(&t, &f.gp.email).await.secret;
    let admin = issue(&t, &f.admin.email).await.secret;
    let body = new_patient("4000000004", f.practice.id.as_str()).to_string();

    let (status, headers, created) = post(&t, &gp, &body, "application/fhir+json", None).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(headers["etag"], "W/\"1\"");
    assert!(
        headers["location"]
            .to_str()
            .unwrap()
            .ends_with(&format!("/fhir/Patient/{id}/_history/1"))
    );
    assert_eq!(created["name"][0]["given"][0], "Grace");
    // The creator's practice is in the new patient's care team: the GP reads them back.
    let (status, _, read) = get(&t, &format!("/fhir/Patient/{id}"), Some(&gp)).await;
    assert_eq!(status, 200);
    assert_eq!(read["identifier"][0]["value"], "4000000004");

    // The same national number again: refused without a condition, found with one.
    let (status, _, json) = post(&t, &gp, &body, "application/fhir+json", None).await;
    assert_eq!(status, 409, "{json}");
    assert_outcome(&json, "duplicate", "already exists");
    let (status, _, found) = post(
        &t,
        &gp,
        &body,
        "application/fhir+json",
        Some("identifier=https://fhir.nhs.uk/Id/nhs-number|4000000004"),
    )
    .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["id"], id.as_str());

    // What the domain cannot keep, or that breaks its rules, is refused and names the element.
    let mut v = new_patient("4000000012", f.practice.id.as_str());
    v["telecom"] = serde_json::json!([{"system": "phone", "value": "01632 960 000"}]);
    let (status, _, json) = post(&t, &gp, &v.to_string(), "application/fhir+json", None).await;
    assert_eq!(status, 422, "{json}");
    assert_eq!(json["issue"][0]["code"], "not-supported");
    assert_eq!(json["issue"][0]["expression"][0], "Patient.telecom");
    let mut v = new_patient("4000000012", f.practice.id.as_str());
    v["birthDate"] = serde_json::json!("2999-01-01");
    let (status, _, json) = post(&t, &gp, &v.to_string(), "application/json", None).await;
    assert_eq!(status, 422, "{json}");
    assert_eq!(json["issue"][0]["expression"][0], "Patient.birthDate");
    let (status, _, json) =
        post(&t, &gp, "{\"resourceType\":", "application/fhir+json", None).await;
    assert_eq!(status, 400);
    assert_outcome(&json, "structure", "not valid JSON");
    let (status, _, json) = post(&t, &gp, &body, "application/x-www-form-urlencoded", None).await;
    assert_eq!(status, 415);
    assert_outcome(&json, "not-supported", "application/fhir+json");
    let (status, _, json) = post(&t, &admin, &body, "application/fhir+json", None).await;
    assert_eq!(status, 403, "administrators do not create patients: {json}");
    // None of the refusals created anyone.
    let mut tx = t.app.store().begin_read().await.unwrap();
    assert!(
        tx.patient_id_by_identifier("https://fhir.nhs.uk/Id/nhs-number", "4000000012")
            .await
            .unwrap()
            .is_none()
    );
    drop(tx);

    // A browser session cannot write through the API.
    let web = t.signed_in(&f.gp.email, &f.gp.password).await;
    let response = web
        .http
        .post(web.url("/fhir/Patient"))
        .header("content-type", "application/fhir+json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
}
on_both_backends!(a_patient_is_created_once_and_what_hearth_cannot_keep_is_refused);

async fn twenty_concurrent_conditional_creates_make_exactly_one_patient(backend: Backend) {
    let Some(t) = spawn_app(backend, "fhir_api_conditional_race").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = issue(&t, &f.gp.email).await.secret;
    let body = new_patient("4000000020", f.practice.id.as_str()).to_string();
    let condition = "identifier=4000000020";
    let answers = futures_util::future::join_all(
        (0..20).map(|_| post(&t, &gp, &body, "application/fhir+json", Some(condition))),
    )
    .await;
    let created = answers.iter().filter(|(s, _, _)| *s == 201).count();
    let found = answers.iter().filter(|(s, _, _)| *s == 200).count();
    assert_eq!(
        created,
        1,
        "{:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    assert_eq!(found, 19);
    let ids: std::collections::BTreeSet<&str> = answers
        .iter()
        .filter_map(|(_, _, b)| b["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 1, "every answer names the one patient: {ids:?}");
    let mut tx = t.app.store().begin_read().await.unwrap();
    let holder = tx
        .patient_id_by_identifier("https://fhir.nhs.uk/Id/nhs-number", "4000000020")
        .await
        .unwrap();
    assert_eq!(
        holder.as_ref().map(|p| p.as_str()),
        ids.iter().next().copied()
    );
}
on_both_backends!(twenty_concurrent_conditional_creates_make_exactly_one_patient);

async fn every_resource_of_demo_records_reads_back_by_its_id(backend: Backend) {
    let Some(t) = spawn_app(backend, "fhir_api_demo_reads").await else {
        return;
    };
    let options = hearth_app::demo::DemoOptions {
        patients: 300,
        seed: 7,
    };
    t.app
        .create_demo_region(options, &mut |_, _| {})
        .await
        .unwrap();
    let actor = crate::demo::demo_actor(&t, "gp").await;
    let token = issue(&t, actor.email.as_str()).await.secret;
    let page = t
        .app
        .register(&actor, &hearth_app::RegisterQuery::default())
        .await
        .unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for p in page.patients.iter().take(25) {
        let (status, _, all) = get(
            &t,
            &format!("/fhir/Patient/{}/$everything", p.id),
            Some(&token),
        )
        .await;
        assert_eq!(status, 200, "{all}");
        for entry in all["entry"].as_array().unwrap() {
            let kind = entry["resource"]["resourceType"]
                .as_str()
                .unwrap()
                .to_owned();
            let url = entry["fullUrl"].as_str().unwrap();
            let (status, headers, read) =
                get(&t, &url[url.find("/fhir/").unwrap()..], Some(&token)).await;
            assert_eq!(status, 200, "{url}: {read}");
            assert_eq!(read, entry["resource"], "{url}");
            if let Some(v) = read["meta"]["versionId"].as_str() {
                assert_eq!(headers["etag"], format!("W/\"{v}\"").as_str(), "{url}");
            }
            seen.insert(kind);
        }
    }
    for kind in [
        "Patient",
        "CareTeam",
        "EpisodeOfCare",
        "Consent",
        "Condition",
        "CarePlan",
        "Goal",
        "MedicationRequest",
        "Observation",
    ] {
        assert!(seen.contains(kind), "no {kind} among {seen:?}");
    }

    // Filters and sorting within a record: a patient with at least two observations.
    let mut with_observations = None;
    for p in page.patients.iter() {
        let (_, _, found) = get(
            &t,
            &format!("/fhir/Observation?patient={}", p.id),
            Some(&token),
        )
        .await;
        if found["total"].as_u64().unwrap_or(0) >= 2 {
            with_observations = Some((p.id.clone(), found["total"].as_u64().unwrap_or(0)));
            break;
        }
    }
    let (pid, total) = with_observations.expect("a demo patient with observations");
    let base_path = format!("/fhir/Observation?patient={pid}&");
    let (t_ref, token_ref) = (&t, token.as_str());
    let search = |query: String| {
        let path = format!("{base_path}{query}");
        async move { get(t_ref, &path, Some(token_ref)).await }
    };
    let (status, _, newest_first) = search("_sort=-date".into()).await;
    assert_eq!(status, 200, "{newest_first}");
    let dates: Vec<String> = newest_first["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let r = &e["resource"];
            r["effectiveDateTime"]
                .as_str()
                .or_else(|| r["effectivePeriod"]["start"].as_str())
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    let (_, _, all_final) = search("status=final".into()).await;
    assert_eq!(all_final["total"].as_u64(), Some(total));
    let (_, _, none) = search("status=amended,cancelled".into()).await;
    assert_eq!(none["total"], 0);
    let (_, _, future) = search("date=ge2999-01-01".into()).await;
    assert_eq!(future["total"], 0);
    let newest = &dates[0][..10];
    let (_, _, since) = search(format!("date=ge{newest}")).await;
    assert!(since["total"].as_u64().unwrap() >= 1, "{since}");
    let (_, _, changed) = search("_lastUpdated=ge2000".into()).await;
    assert_eq!(changed["total"].as_u64(), Some(total));
    for bad in ["date=yesterday", "_sort=name", "_lastUpdated=gt2026-1"] {
        let (status, _, json) = search(bad.into()).await;
        assert_eq!(status, 400, "{bad}: {json}");
        assert_eq!(json["resourceType"], "OperationOutcome");
    }

    // Referrals, tasks, stays, messages, call requests, discharges and assessments' answers: a
    // patient with each, read by someone in their care team.
    let ids = t.app.export_patient_ids().await.unwrap();
    let records = t.app.export_records(&ids).await.unwrap();
    let mut tokens = Vec::new();
    for s in t.app.demo_sign_ins() {
        tokens.push(issue(&t, &s.email).await.secret);
    }
    for (kind, has) in [
        (
            "ServiceRequest",
            (|r: &hearth_app::PatientRecord| !r.referrals.is_empty())
                as fn(&hearth_app::PatientRecord) -> bool,
        ),
        ("Task", |r| !r.tasks.is_empty()),
        ("Encounter", |r| {
            r.stays
                .iter()
                .any(|s| s.place != hearth_domain::transition::PlaceKind::Home)
        }),
        ("Communication", |r| !r.conversations.is_empty()),
        ("CommunicationRequest", |r| {
            r.conversations.iter().any(|c| !c.talks.is_empty())
        }),
        ("Composition", |r| !r.discharges.is_empty()),
        ("QuestionnaireResponse", |r| !r.assessments.is_empty()),
    ] {
        let mut read_one = false;
        'patients: for record in records.iter().filter(|r| has(r)) {
            for token in &tokens {
                let path = format!("/fhir/{kind}?patient={}", record.patient.id);
                let (status, _, found) = get(&t, &path, Some(token)).await;
                if status != 200 {
                    continue;
                }
                let entry = &found["entry"][0];
                let url = entry["fullUrl"].as_str().unwrap();
                let (status, _, read) =
                    get(&t, &url[url.find("/fhir/").unwrap()..], Some(token)).await;
                assert_eq!(status, 200, "{url}: {read}");
                assert_eq!(read, entry["resource"]);
                read_one = true;
                break 'patients;
            }
        }
        assert!(read_one, "no {kind} of a demo patient could be read");
    }
}
on_both_backends!(every_resource_of_demo_records_reads_back_by_its_id);

async fn the_meetings_a_reader_takes_part_in_are_appointments_without_their_agendas(
    backend: Backend,
) {
    let Some(t) = spawn_app(backend, "fhir_api_meetings").await else {
        return;
    };
    let options = hearth_app::demo::DemoOptions {
        patients: 60,
        seed: 7,
    };
    t.app
        .create_demo_region(options, &mut |_, _| {})
        .await
        .unwrap();
    let actor = crate::demo::demo_actor(&t, "gp").await;
    let token = issue(&t, actor.email.as_str()).await.secret;
    let mine = t.app.meeting_records(&actor, None).await.unwrap();
    assert!(
        !mine.meetings.is_empty(),
        "the demo GP takes part in meetings"
    );
    let (status, _, found) = get(&t, "/fhir/Appointment", Some(&token)).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["total"].as_u64(), Some(mine.meetings.len() as u64));
    validate(&found);
    let first = &found["entry"][0]["resource"];
    assert_eq!(first["resourceType"], "Appointment");
    assert!(
        first["participant"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    );
    // Patient data stays out: no patient is named in any meeting.
    assert!(!found.to_string().contains("Patient/"), "{found}");
    let id = first["id"].as_str().unwrap();
    let (status, _, read) = get(&t, &format!("/fhir/Appointment/{id}"), Some(&token)).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(&read, first);
    // Who takes part, in one request.
    let (status, _, with_people) = get(
        &t,
        "/fhir/Appointment?_include=Appointment:actor",
        Some(&token),
    )
    .await;
    assert_eq!(status, 200, "{with_people}");
    let included: Vec<&Value> = with_people["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["search"]["mode"] == "include")
        .collect();
    let actor_ref = first["participant"][0]["actor"]["reference"]
        .as_str()
        .unwrap();
    assert!(
        included.iter().any(|e| format!(
            "{}/{}",
            e["resource"]["resourceType"].as_str().unwrap(),
            e["resource"]["id"].as_str().unwrap()
        ) == actor_ref),
        "{actor_ref} is included"
    );
    // Filters apply as on the record's types: nothing starts in 2999.
    let (_, _, later) = get(&t, "/fhir/Appointment?date=ge2999-01-01", Some(&token)).await;
    assert_eq!(later["total"], 0);

    // Someone who takes part in none of them sees none, and cannot read one.
    let f = Fixture::create(&t.app).await;
    let outsider = issue(&t, &f.outsider.email).await.secret;
    let (status, _, none) = get(&t, "/fhir/Appointment", Some(&outsider)).await;
    assert_eq!(status, 200);
    assert_eq!(none["total"], 0);
    let (status, _, json) = get(&t, &format!("/fhir/Appointment/{id}"), Some(&outsider)).await;
    assert_eq!(status, 404, "{json}");
}
on_both_backends!(the_meetings_a_reader_takes_part_in_are_appointments_without_their_agendas);

/// PUT a Patient with a bearer token and an If-Match (or none).
async fn put(
    t: &TestApp,
    token: &str,
    id: &str,
    body: &Value,
    if_match: Option<&str>,
) -> (u16, Value) {
    put_as(t, "Patient", token, id, body, if_match).await
}

/// PUT a resource of `kind` with a bearer token and an If-Match (or none).
async fn put_as(
    t: &TestApp,
    kind: &str,
    token: &str,
    id: &str,
    body: &Value,
    if_match: Option<&str>,
) -> (u16, Value) {
    let client = t.client();
    let mut request = client
        .http
        .put(client.url(&format!("/fhir/{kind}/{id}")))
        .bearer_auth(token)
        .header("content-type", "application/fhir+json")
        .body(body.to_string());
    if let Some(v) = if_match {
        request = request.header("if-match", v);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn an_update_from_a_stale_version_is_refused_and_changes_nothing(backend: Backend) {
    let Some(t) = spawn_app(backend, "fhir_api_update").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = issue(&t, &f.gp.email).await.secret;
    let outsider = issue(&t, &f.outsider.email).await.secret;
    let pid = f.patient.id.as_str();
    let (_, headers, mut patient) = get(&t, &format!("/fhir/Patient/{pid}"), Some(&gp)).await;
    let etag = headers["etag"].to_str().unwrap().to_owned();
    patient.as_object_mut().unwrap().remove("meta");
    let mut moved = patient.clone();
    moved["address"][0]["line"] = serde_json::json!(["9 Orchard Close"]);
    let mut renamed = patient.clone();
    renamed["name"][0]["family"] = serde_json::json!("Carter-Hill");

    // Without If-Match: refused, so that no change is made blind.
    let (status, json) = put(&t, &gp, pid, &moved, None).await;
    assert_eq!(status, 428, "{json}");
    assert_outcome(&json, "required", "If-Match");
    // Someone outside the care team may not change the patient.
    let (status, json) = put(&t, &outsider, pid, &moved, Some(&etag)).await;
    assert_eq!(status, 403, "{json}");

    // Two updates from the same version at once: exactly one wins, the other gets 412.
    let (a, b) = tokio::join!(
        put(&t, &gp, pid, &moved, Some(&etag)),
        put(&t, &gp, pid, &renamed, Some(&etag))
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 412], "{a:?} {b:?}");
    let (winner, loser) = if a.0 == 200 { (a.1, b.1) } else { (b.1, a.1) };
    assert_eq!(winner["meta"]["versionId"], "2");
    assert_outcome(&loser, "conflict", "version 2");
    let (_, headers, now) = get(&t, &format!("/fhir/Patient/{pid}"), Some(&gp)).await;
    assert_eq!(headers["etag"], "W/\"2\"");
    assert_eq!(now["name"], winner["name"], "the loser changed nothing");
    assert_eq!(now["address"], winner["address"]);

    // The body's id must be the address's; what Hearth cannot keep is refused.
    let mut wrong = moved.clone();
    wrong["id"] = serde_json::json!("someone-else");
    let (status, _) = put(&t, &gp, pid, &wrong, Some("W/\"2\"")).await;
    assert_eq!(status, 400);
    let mut extra = moved.clone();
    extra["telecom"] = serde_json::json!([{"system": "phone", "value": "1"}]);
    let (status, json) = put(&t, &gp, pid, &extra, Some("W/\"2\"")).await;
    assert_eq!(status, 422, "{json}");
    let (status, json) = put(&t, &gp, pid, &moved, Some("nonsense")).await;
    assert_eq!(status, 400, "{json}");
    let (_, headers, _) = get(&t, &format!("/fhir/Patient/{pid}"), Some(&gp)).await;
    assert_eq!(headers["etag"], "W/\"2\"", "refusals changed nothing");
    t.assert_projections_current().await;
}
on_both_backends!(an_update_from_a_stale_version_is_refused_and_changes_nothing);

async fn every_version_of_a_patient_reads_back_by_vread_and_in_its_history(backend: Backend) {
    let Some(t) = spawn_app(backend, "fhir_api_history").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = issue(&t, &f.gp.email).await.secret;
    let outsider = issue(&t, &f.outsider.email).await.secret;
    let pid = f.patient.id.as_str();
    let (_, _, mut first) = get(&t, &format!("/fhir/Patient/{pid}"), Some(&gp)).await;
    first.as_object_mut().unwrap().remove("meta");
    let mut moved = first.clone();
    moved["address"][0]["line"] = serde_json::json!(["9 Orchard Close"]);
    let (status, json) = put(&t, &gp, pid, &moved, Some("W/\"1\"")).await;
    assert_eq!(status, 200, "{json}");
    let mut renamed = moved.clone();
    renamed["name"][0]["family"] = serde_json::json!("Carter-Hill");
    let (status, json) = put(&t, &gp, pid, &renamed, Some("W/\"2\"")).await;
    assert_eq!(status, 200, "{json}");

    // Each version as it was, with its ETag.
    for (version, line, family) in [
        (
            1,
            first["address"][0]["line"].clone(),
            first["name"][0]["family"].clone(),
        ),
        (
            2,
            serde_json::json!(["9 Orchard Close"]),
            first["name"][0]["family"].clone(),
        ),
        (
            3,
            serde_json::json!(["9 Orchard Close"]),
            serde_json::json!("Carter-Hill"),
        ),
    ] {
        let (status, headers, json) = get(
            &t,
            &format!("/fhir/Patient/{pid}/_history/{version}"),
            Some(&gp),
        )
        .await;
        assert_eq!(status, 200, "{json}");
        assert_eq!(headers["etag"], format!("W/\"{version}\"").as_str());
        assert_eq!(json["meta"]["versionId"], version.to_string());
        assert_eq!(json["address"][0]["line"], line, "version {version}");
        assert_eq!(json["name"][0]["family"], family, "version {version}");
    }
    // The history: newest first, each entry saying how it was made.
    let (status, _, history) = get(&t, &format!("/fhir/Patient/{pid}/_history"), Some(&gp)).await;
    assert_eq!(status, 200, "{history}");
    assert_eq!(history["type"], "history");
    assert_eq!(history["total"], 3);
    let versions: Vec<&str> = history["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["meta"]["versionId"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["3", "2", "1"]);
    assert_eq!(history["entry"][2]["request"]["method"], "POST");
    assert_eq!(history["entry"][0]["request"]["method"], "PUT");
    validate(&history);

    // A version Hearth does not have, or not a version: said so; outside the care team: refused.
    let (status, _, json) = get(&t, &format!("/fhir/Patient/{pid}/_history/4"), Some(&gp)).await;
    assert_eq!(status, 404);
    assert_outcome(&json, "not-found", "versions 1 to 3");
    let (status, _, json) = get(
        &t,
        &format!("/fhir/Patient/{pid}/_history/first"),
        Some(&gp),
    )
    .await;
    assert_eq!(status, 400);
    assert_outcome(&json, "value", "not a version");
    let (status, _, _) = get(
        &t,
        &format!("/fhir/Patient/{pid}/_history"),
        Some(&outsider),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = get(
        &t,
        &format!("/fhir/Patient/{pid}/_history/1"),
        Some(&outsider),
    )
    .await;
    assert_eq!(status, 403);
}
on_both_backends!(every_version_of_a_patient_reads_back_by_vread_and_in_its_history);

async fn every_version_of_a_care_plan_reads_back_by_vread_and_in_its_history(backend: Backend) {
    let Some(t) = spawn_app(backend, "fhir_api_plan_history").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let (pid, clinician) = crate::plan::planned_patient(&t, &f).await;
    let gp = issue(&t, &f.gp.email).await.secret;
    let outsider = issue(&t, &f.outsider.email).await.secret;
    let (status, _, json) = get(&t, &format!("/fhir/CarePlan/{pid}/_history"), Some(&gp)).await;
    assert_eq!(status, 404, "no plan yet: {json}");
    let (first, second) = (
        "Morphine 2.5 mg s/c; sit up",
        "Call the district nurses first",
    );
    for (base, what_to_do) in [("0", first), ("1", second)] {
        let (_, form) = clinician
            .get_text(&format!("/patients/{pid}/plan/crisis-plan"))
            .await;
        let token = hearth_testkit::csrf_token_in(&form).unwrap();
        let (status, page) =
            crate::plan::save_crisis_plan(&clinician, &pid, &token, base, what_to_do).await;
        assert_eq!(status, 303, "{page}");
    }

    // Each version as it stood, the newest the plan read now.
    let (_, _, one) = get(&t, &format!("/fhir/CarePlan/{pid}/_history/1"), Some(&gp)).await;
    let (status, headers, two) =
        get(&t, &format!("/fhir/CarePlan/{pid}/_history/2"), Some(&gp)).await;
    assert_eq!(status, 200, "{two}");
    assert_eq!(headers["etag"], "W/\"2\"");
    assert!(one.to_string().contains(first) && !one.to_string().contains(second));
    assert!(two.to_string().contains(second) && !two.to_string().contains(first));
    let (_, _, now) = get(&t, &format!("/fhir/CarePlan/{pid}"), Some(&gp)).await;
    assert_eq!(now, two, "the current plan is its newest version");
    let (status, _, history) = get(&t, &format!("/fhir/CarePlan/{pid}/_history"), Some(&gp)).await;
    assert_eq!(status, 200, "{history}");
    assert_eq!(history["total"], 2);
    let versions: Vec<&str> = history["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["meta"]["versionId"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["2", "1"]);
    validate(&history);

    let (status, _, json) = get(&t, &format!("/fhir/CarePlan/{pid}/_history/3"), Some(&gp)).await;
    assert_eq!(status, 404);
    assert_outcome(&json, "not-found", "versions 1 to 2");
    for path in ["_history", "_history/1"] {
        let (status, _, _) =
            get(&t, &format!("/fhir/CarePlan/{pid}/{path}"), Some(&outsider)).await;
        assert_eq!(status, 403, "{path}");
    }
}
on_both_backends!(every_version_of_a_care_plan_reads_back_by_vread_and_in_its_history);

/// `plan` with the crisis plan's "what to do" set to `what_to_do`.
fn with_what_to_do(plan: &Value, what_to_do: &str) -> Value {
    let mut plan = plan.clone();
    plan.as_object_mut().unwrap().remove("meta");
    for section in plan["extension"].as_array_mut().unwrap() {
        let parts = section["extension"].as_array_mut().unwrap();
        if !parts.iter().any(|p| p["valueCode"] == "crisis-plan") {
            continue;
        }
        for part in parts.iter_mut().filter(|p| p["url"] == "content") {
            for field in part["extension"].as_array_mut().unwrap() {
                if field["url"] == "what-to-do" {
                    field["valueString"] = Value::String(what_to_do.to_owned());
                }
            }
        }
    }
    plan
}

async fn a_care_plan_is_updated_a_section_at_a_time_from_the_version_read(backend: Backend) {
    let Some(t) = spawn_app(backend, "fhir_api_plan_update").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let (pid, clinician) = crate::plan::planned_patient(&t, &f).await;
    let (_, form) = clinician
        .get_text(&format!("/patients/{pid}/plan/crisis-plan"))
        .await;
    let token = hearth_testkit::csrf_token_in(&form).unwrap();
    let (status, _) =
        crate::plan::save_crisis_plan(&clinician, &pid, &token, "0", "Morphine 2.5 mg s/c").await;
    assert_eq!(status, 303);
    let gp = issue(&t, &f.gp.email).await.secret;
    let outsider = issue(&t, &f.outsider.email).await.secret;
    let (_, headers, plan) = get(&t, &format!("/fhir/CarePlan/{pid}"), Some(&gp)).await;
    assert_eq!(headers["etag"], "W/\"1\"");

    // From the version read: saved as the section's next version, through the plan's use case.
    let changed = with_what_to_do(
        &plan,
        "Call the district nurses first; midazolam 2.5 mg s/c",
    );
    let (status, updated) = put_as(&t, "CarePlan", &gp, &pid, &changed, Some("W/\"1\"")).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["meta"]["versionId"], "2");
    assert!(
        updated
            .to_string()
            .contains("Call the district nurses first")
    );
    let (_, page) = clinician.get_text(&format!("/patients/{pid}/plan")).await;
    assert!(
        page.contains("Call the district nurses first"),
        "the web plan shows it"
    );
    let (_, _, history) = get(&t, &format!("/fhir/CarePlan/{pid}/_history"), Some(&gp)).await;
    assert_eq!(history["total"], 2);

    // From a stale version, without If-Match, leaving a section out, from outside the team:
    // refused, and nothing changes.
    let again = with_what_to_do(&plan, "Something else");
    let (status, json) = put_as(&t, "CarePlan", &gp, &pid, &again, Some("W/\"1\"")).await;
    assert_eq!(status, 412);
    assert_outcome(&json, "conflict", "is at version 2");
    let (status, json) = put_as(&t, "CarePlan", &gp, &pid, &again, None).await;
    assert_eq!(status, 428, "{json}");
    let mut emptied = changed.clone();
    emptied.as_object_mut().unwrap().remove("extension");
    let (status, json) = put_as(&t, "CarePlan", &gp, &pid, &emptied, Some("W/\"2\"")).await;
    assert_eq!(status, 422, "{json}");
    assert_outcome(&json, "not-supported", "leaves out the section");
    let (status, _) = put_as(&t, "CarePlan", &outsider, &pid, &again, Some("W/\"2\"")).await;
    assert_eq!(status, 403);
    let (_, _, now) = get(&t, &format!("/fhir/CarePlan/{pid}"), Some(&gp)).await;
    assert_eq!(now["meta"]["versionId"], "2", "nothing changed");

    // Two updates from the same version at once: exactly one wins, the other is told.
    let (_, _, read) = get(&t, &format!("/fhir/CarePlan/{pid}"), Some(&gp)).await;
    let (a, b) = (
        with_what_to_do(&read, "First colleague's plan"),
        with_what_to_do(&read, "Second colleague's plan"),
    );
    let (one, two) = tokio::join!(
        put_as(&t, "CarePlan", &gp, &pid, &a, Some("W/\"2\"")),
        put_as(&t, "CarePlan", &gp, &pid, &b, Some("W/\"2\""))
    );
    let mut statuses = [one.0, two.0];
    statuses.sort();
    assert_eq!(statuses, [200, 412], "{} / {}", one.1, two.1);
    let (_, _, last) = get(&t, &format!("/fhir/CarePlan/{pid}"), Some(&gp)).await;
    assert_eq!(last["meta"]["versionId"], "3");
}
on_both_backends!(a_care_plan_is_updated_a_section_at_a_time_from_the_version_read);

/// POST a resource of `kind` with a bearer token; the status, headers and answer.
async fn create(t: &TestApp, token: &str, kind: &str, body: &Value) -> (u16, Value) {
    let client = t.client();
    let response = client
        .http
        .post(client.url(format!("/fhir/{kind}").trim_end_matches('/')))
        .bearer_auth(token)
        .header("content-type", "application/fhir+json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let mut json: Value =
        serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null);
    if let (Some(location), Some(fields)) = (location, json.as_object_mut()) {
        fields.insert("location".into(), Value::String(location));
    }
    (status, json)
}

async fn an_observation_sent_to_the_api_is_recorded_through_the_assessment_use_case(
    backend: Backend,
) {
    let Some(t) = spawn_app(backend, "fhir_api_observation_create").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    f.gp_joins_the_team(&t.app).await;
    let gp = issue(&t, &f.gp.email).await.secret;
    let outsider = issue(&t, &f.outsider.email).await.secret;
    let pid = f.patient.id.as_str();
    let an_hour_ago = t.app.now() - jiff::SignedDuration::from_hours(1);
    let akps = |level: i64| {
        serde_json::json!({
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": "https://fhir.hearth.example/CodeSystem/instrument", "code": "akps"}]},
            "subject": {"reference": format!("Patient/{pid}")},
            "effectiveDateTime": an_hour_ago.to_string(),
            "valueInteger": level
        })
    };
    let (t_ref, gp_ref) = (&t, gp.as_str());
    let count = || async move {
        let path = format!("/fhir/Observation?patient={pid}");
        let (_, _, found) = get(t_ref, &path, Some(gp_ref)).await;
        found["total"].as_u64().unwrap_or(0)
    };
    let before = count().await;

    // Recorded as the GP's assessment, answered with what Hearth now holds.
    let (status, created) = create(&t, &gp, "Observation", &akps(50)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["valueInteger"], 50);
    assert_eq!(
        created["performer"][0]["reference"],
        format!("Practitioner/{}", f.gp_actor.practitioner_id)
    );
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(
        created["location"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/Observation/{id}/_history/1"))
    );
    let (status, _, read) = get(&t, &format!("/fhir/Observation/{id}"), Some(&gp)).await;
    assert_eq!(status, 200);
    let mut without_location = created.clone();
    without_location.as_object_mut().unwrap().remove("location");
    assert_eq!(read, without_location);
    assert_eq!(count().await, before + 1);
    let trail = {
        let mut tx = t.db.store.begin_read().await.unwrap();
        tx.access_report(&f.patient.id, None, 100).await.unwrap()
    };
    assert!(
        trail
            .iter()
            .any(|e| e.resource_type == "Observation" && e.action.to_lowercase().contains("create")),
        "the creation is in the patient's audit trail: {trail:?}"
    );

    // A phase of illness through the phase's use case.
    let phase = serde_json::json!({
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "Palliative care phase of illness"},
        "subject": {"reference": format!("Patient/{pid}")},
        "effectivePeriod": {"start": an_hour_ago.to_string()},
        "valueCodeableConcept": {"coding": [{"system": "https://fhir.hearth.example/CodeSystem/phase", "code": "deteriorating"}]}
    });
    let (status, created) = create(&t, &gp, "Observation", &phase).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["valueCodeableConcept"]["coding"][0]["code"],
        "deteriorating"
    );

    // Refused, each saying why, and nothing written.
    let (status, json) = create(&t, &gp, "Observation", &akps(55)).await;
    assert_eq!(status, 422, "{json}");
    assert_eq!(json["resourceType"], "OperationOutcome");
    let mut someone_else = akps(40);
    someone_else["performer"] = serde_json::json!([{"reference": "Practitioner/someone-else"}]);
    let (status, json) = create(&t, &gp, "Observation", &someone_else).await;
    assert_eq!(status, 422);
    assert_outcome(&json, "processing", "made by the person recording it");
    let mut unknown = akps(40);
    unknown["bodySite"] = serde_json::json!({"text": "Chest"});
    let (status, json) = create(&t, &gp, "Observation", &unknown).await;
    assert_eq!(status, 422);
    assert_outcome(&json, "not-supported", "Observation.bodySite");
    let (status, json) = create(&t, &outsider, "Observation", &akps(40)).await;
    assert_eq!(status, 403, "{json}");
    let (status, json) = create(&t, &gp, "CareTeam", &akps(40)).await;
    assert_eq!(status, 405);
    assert_outcome(&json, "not-supported", "does not create CareTeam");
    assert_eq!(count().await, before + 2, "the AKPS and the phase only");

    // In a batch each is recorded on its own; a transaction takes none.
    let bundle = |kind: &str| {
        serde_json::json!({
            "resourceType": "Bundle",
            "type": kind,
            "entry": [
                {"resource": akps(60), "request": {"method": "POST", "url": "Observation"}},
                {"resource": akps(65), "request": {"method": "POST", "url": "Observation"}}
            ]
        })
    };
    let (status, answer) = create(&t, &gp, "", &bundle("batch")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["type"], "batch-response");
    assert_eq!(answer["entry"][0]["response"]["status"], "201 Created");
    assert!(
        answer["entry"][0]["response"]["location"]
            .as_str()
            .is_some_and(|l| l.contains("/Observation/"))
    );
    assert_eq!(
        answer["entry"][1]["response"]["status"],
        "422 Unprocessable Entity"
    );
    assert_eq!(count().await, before + 3, "the good entry only");
    let (status, json) = create(&t, &gp, "", &bundle("transaction")).await;
    assert_eq!(status, 422, "{json}");
    assert_outcome(&json, "not-supported", "send Observations in a batch");
    assert_eq!(count().await, before + 3, "the transaction changed nothing");
}
on_both_backends!(an_observation_sent_to_the_api_is_recorded_through_the_assessment_use_case);

async fn a_search_includes_what_its_matches_refer_to(backend: Backend) {
    let Some(t) = spawn_app(backend, "fhir_api_include").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    f.gp_joins_the_team(&t.app).await;
    let gp = issue(&t, &f.gp.email).await.secret;
    let pid = f.patient.id.as_str();
    let gp_id = f.gp_actor.practitioner_id.as_str();

    let (status, _, found) = get(
        &t,
        &format!("/fhir/CareTeam?patient={pid}&_include=CareTeam:participant"),
        Some(&gp),
    )
    .await;
    assert_eq!(status, 200, "{found}");
    let entries = found["entry"].as_array().unwrap();
    assert_eq!(entries[0]["search"]["mode"], "match");
    let included: Vec<String> = entries
        .iter()
        .filter(|e| e["search"]["mode"] == "include")
        .map(|e| {
            format!(
                "{}/{}",
                e["resource"]["resourceType"].as_str().unwrap(),
                e["resource"]["id"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        included.contains(&format!("Practitioner/{gp_id}")),
        "{included:?}"
    );
    assert!(
        included.contains(&format!("Organization/{}", f.practice.id.as_str())),
        "{included:?}"
    );
    assert_eq!(found["total"], 1, "the total counts matches only");
    validate(&found);

    // Narrowed to one type; two includes at once; each referenced resource once.
    let (_, _, only) = get(
        &t,
        &format!("/fhir/CareTeam?patient={pid}&_include=CareTeam:participant:Practitioner"),
        Some(&gp),
    )
    .await;
    assert!(
        only["entry"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["search"]["mode"] == "include")
            .all(|e| e["resource"]["resourceType"] == "Practitioner")
    );
    let (status, _, both) = get(
        &t,
        &format!(
            "/fhir/EpisodeOfCare?patient={pid}&_include=EpisodeOfCare:organization&_include=EpisodeOfCare:condition"
        ),
        Some(&gp),
    )
    .await;
    assert_eq!(status, 200, "{both}");

    // An include Hearth does not answer is refused, naming those it does.
    let (status, _, json) = get(
        &t,
        &format!("/fhir/CareTeam?patient={pid}&_include=CareTeam:subject"),
        Some(&gp),
    )
    .await;
    assert_eq!(status, 400);
    assert_outcome(&json, "invalid", "CareTeam:participant");
    let (_, _, metadata) = get(&t, "/fhir/metadata", None).await;
    let care_team = metadata["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "CareTeam")
        .unwrap()
        .clone();
    assert_eq!(
        care_team["searchInclude"],
        serde_json::json!(["CareTeam:participant"])
    );
    // A Patient search adds the record's resources of the types asked for, and only for a
    // reader who may open the record.
    let outsider = issue(&t, &f.outsider.email).await.secret;
    let path = format!(
        "/fhir/Patient?_id={pid}&_revinclude=CareTeam:patient&_revinclude=CarePlan:patient"
    );
    let (status, _, found) = get(&t, &path, Some(&gp)).await;
    assert_eq!(status, 200, "{found}");
    let kinds: Vec<(&str, &str)> = found["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["resource"]["resourceType"].as_str().unwrap(),
                e["search"]["mode"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds, [("Patient", "match"), ("CareTeam", "include")]);
    validate(&found);
    let (status, _, nothing) = get(&t, &path, Some(&outsider)).await;
    assert_eq!(status, 200);
    assert!(nothing["entry"].is_null(), "{nothing}");
    let (status, _, json) = get(
        &t,
        &format!("/fhir/Patient?_id={pid}&_revinclude=AuditEvent:patient"),
        Some(&gp),
    )
    .await;
    assert_eq!(status, 400);
    assert_outcome(&json, "invalid", "CareTeam:patient");
    let patient = metadata["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "Patient")
        .unwrap()
        .clone();
    assert!(
        patient["searchRevInclude"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("Observation:patient"))
    );
}
on_both_backends!(a_search_includes_what_its_matches_refer_to);

async fn each_service_of_the_directory_reads_as_a_healthcare_service(backend: Backend) {
    let Some(t) = spawn_app(backend, "fhir_api_services").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = issue(&t, &f.gp.email).await.secret;
    let practice = f.practice.id.as_str();
    let (status, _, all) = get(&t, "/fhir/HealthcareService", Some(&gp)).await;
    assert_eq!(status, 200, "{all}");
    assert!(
        all["entry"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["resource"]["id"] == practice),
        "{all}"
    );
    validate(&all);
    let (status, headers, service) = get(
        &t,
        &format!("/fhir/HealthcareService/{practice}"),
        Some(&gp),
    )
    .await;
    assert_eq!(status, 200, "{service}");
    assert!(headers.contains_key("etag"));
    assert_eq!(
        service["providedBy"]["reference"],
        format!("Organization/{practice}").as_str()
    );
    assert_eq!(service["name"], f.practice.name.as_str());
    let (status, _, json) = get(&t, "/fhir/HealthcareService/no-such-service", Some(&gp)).await;
    assert_eq!(status, 404);
    assert_outcome(&json, "not-found", "no-such-service");
}
on_both_backends!(each_service_of_the_directory_reads_as_a_healthcare_service);

/// POST a Bundle to /fhir with a bearer token.
async fn post_bundle(t: &TestApp, token: &str, bundle: &Value) -> (u16, Value) {
    let client = t.client();
    let response = client
        .http
        .post(client.url("/fhir"))
        .bearer_auth(token)
        .header("content-type", "application/fhir+json")
        .body(bundle.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn entry(resource: Value, if_none_exist: Option<&str>) -> Value {
    let mut request = serde_json::json!({"method": "POST", "url": "Patient"});
    if let Some(c) = if_none_exist {
        request["ifNoneExist"] = serde_json::json!(c);
    }
    serde_json::json!({"fullUrl": "urn:uuid:0b6a5a8e-5e9c-4d0e-9d7e-1b2c3d4e5f60", "resource": resource, "request": request})
}

async fn a_transaction_that_fails_half_way_changes_nothing(backend: Backend) {
    let Some(t) = spawn_app(backend, "fhir_api_transaction").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = issue(&t, &f.gp.email).await.secret;
    let practice = f.practice.id.as_str();
    let holder = |number: &str| {
        let app = t.app.clone();
        let number = number.to_owned();
        async move {
            let mut tx = app.store().begin_read().await.unwrap();
            tx.patient_id_by_identifier("https://fhir.nhs.uk/Id/nhs-number", &number)
                .await
                .unwrap()
        }
    };
    let transaction = |entries: Vec<Value>| serde_json::json!({"resourceType": "Bundle", "type": "transaction", "entry": entries});

    // All entries carried out: one response each, in order.
    let (status, answer) = post_bundle(
        &t,
        &gp,
        &transaction(vec![
            entry(new_patient("4000000063", practice), None),
            entry(new_patient("4000000071", practice), None),
        ]),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["type"], "transaction-response");
    assert_eq!(answer["entry"][0]["response"]["status"], "201 Created");
    assert_eq!(answer["entry"][1]["response"]["status"], "201 Created");
    assert!(holder("4000000063").await.is_some());

    // The second entry's number is taken: the first is not kept either.
    let (status, answer) = post_bundle(
        &t,
        &gp,
        &transaction(vec![
            entry(new_patient("4000000128", practice), None),
            entry(new_patient("4000000063", practice), None),
        ]),
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert_outcome(&answer, "duplicate", "4000000063");
    assert!(holder("4000000128").await.is_none(), "nothing changed");
    // An entry Hearth cannot carry out: refused before anything is written.
    let observation = serde_json::json!({
        "fullUrl": "urn:uuid:7d1c0c8e-0000-4000-8000-000000000001",
        "resource": {"resourceType": "Observation", "status": "final", "code": {"text": "x"}},
        "request": {"method": "POST", "url": "Observation"}
    });
    let (status, answer) = post_bundle(
        &t,
        &gp,
        &transaction(vec![
            entry(new_patient("4000000128", practice), None),
            observation.clone(),
        ]),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer.to_string().contains("entry 1"), "{answer}");
    assert!(holder("4000000128").await.is_none(), "nothing changed");
    // A conditional entry finds the patient already there.
    let (status, answer) = post_bundle(
        &t,
        &gp,
        &transaction(vec![
            entry(
                new_patient("4000000063", practice),
                Some("identifier=4000000063"),
            ),
            entry(new_patient("4000000128", practice), None),
        ]),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["entry"][0]["response"]["status"], "200 OK");
    assert_eq!(answer["entry"][1]["response"]["status"], "201 Created");

    // A batch carries out each entry on its own.
    let batch = serde_json::json!({"resourceType": "Bundle", "type": "batch", "entry": [
        entry(new_patient("4000000098", practice), None),
        observation,
        entry(new_patient("4000000063", practice), None),
    ]});
    let (status, answer) = post_bundle(&t, &gp, &batch).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["type"], "batch-response");
    assert_eq!(answer["entry"][0]["response"]["status"], "201 Created");
    // An Observation without its patient cannot be read as Hearth's Observation.
    assert_eq!(answer["entry"][1]["response"]["status"], "400 Bad Request");
    assert_eq!(
        answer["entry"][1]["response"]["outcome"]["resourceType"],
        "OperationOutcome"
    );
    assert_eq!(answer["entry"][2]["response"]["status"], "409 Conflict");
    assert!(holder("4000000098").await.is_some());

    // Too many entries, or not a Bundle: a clear OperationOutcome.
    let many: Vec<Value> = (0..101)
        .map(|_| entry(new_patient("4000000098", practice), None))
        .collect();
    let (status, answer) = post_bundle(&t, &gp, &transaction(many)).await;
    assert_eq!(status, 413, "{answer}");
    assert_outcome(&answer, "too-costly", "at most 100");
    // A body over the size limit: an OperationOutcome too, not a bare 413.
    let mut huge = new_patient("4000000101", practice);
    huge["text"] = serde_json::json!({"status": "generated", "div": "x".repeat(70 * 1024)});
    let (status, answer) = post_bundle(&t, &gp, &transaction(vec![entry(huge, None)])).await;
    assert_eq!(status, 413, "{answer}");
    assert_outcome(&answer, "too-costly", "64 KB");
    let (status, answer) = post_bundle(&t, &gp, &new_patient("4000000101", practice)).await;
    assert_eq!(status, 400, "{answer}");
    assert_outcome(&answer, "invalid", "transaction or batch");
}
on_both_backends!(a_transaction_that_fails_half_way_changes_nothing);

async fn official_examples_sent_to_the_api_are_refused_with_a_reason_never_a_crash(
    backend: Backend,
) {
    let Some(t) = spawn_app(backend, "fhir_api_examples").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = issue(&t, &f.gp.email).await.secret;
    let examples =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fhir-r4-examples");
    let mut files: Vec<_> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() > 30,
        "the official examples are beside the checkout"
    );
    let client = t.client();
    for file in files {
        let body = std::fs::read_to_string(&file).unwrap();
        let value: Value = serde_json::from_str(&body).unwrap();
        let kind = value["resourceType"].as_str().unwrap();
        let path = match kind {
            "Bundle" => "/fhir".to_owned(),
            other => format!("/fhir/{other}"),
        };
        let response = client
            .http
            .post(client.url(&path))
            .bearer_auth(&gp)
            .header("content-type", "application/fhir+json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let json: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!((400..500).contains(&status), "{name}: {status} {json}");
        assert_eq!(json["resourceType"], "OperationOutcome", "{name}");
        let why = json["issue"][0]["diagnostics"].as_str().unwrap_or_default();
        assert!(!why.is_empty(), "{name}: the refusal says why");
    }
    // Nothing was created, and a delete is refused the same way.
    let mut tx = t.app.store().begin_read().await.unwrap();
    assert_eq!(tx.all_patient_ids().await.unwrap().len(), 1);
    drop(tx);
    let response = client
        .http
        .delete(client.url(&format!("/fhir/Patient/{}", f.patient.id)))
        .bearer_auth(&gp)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let json: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_outcome(&json, "not-supported", "DELETE");
}
on_both_backends!(official_examples_sent_to_the_api_are_refused_with_a_reason_never_a_crash);

/// Runs the three FHIR validators on `json` (see `hearth_testkit::validate_fhir`).
fn validate(json: &Value) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bundle.json");
    std::fs::write(&file, json.to_string()).unwrap();
    hearth_testkit::validate_fhir(&file);
}

async fn the_coordinator_reads_the_audit_trail_as_audit_events(backend: Backend) {
    let Some(t) = spawn_app(backend, "fhir_api_audit").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let patient = f.patient.id.clone();
    f.gp_joins_the_team(&t.app).await;
    let gp = issue(&t, &f.gp.email).await.secret;
    let outsider = issue(&t, &f.outsider.email).await.secret;
    let pid = patient.as_str();
    // A read and a refusal to have in the trail.
    get(&t, &format!("/fhir/Patient/{pid}"), Some(&gp)).await;
    get(&t, &format!("/fhir/Patient/{pid}"), Some(&outsider)).await;

    let (status, _, trail) = get(&t, &format!("/fhir/AuditEvent?patient={pid}"), Some(&gp)).await;
    assert_eq!(status, 200, "{trail}");
    let events = trail["entry"].as_array().unwrap();
    assert!(events.len() >= 3, "{trail}");
    assert!(
        events
            .iter()
            .any(|e| e["resource"]["outcome"] == "4" && e["resource"]["action"] == "R"),
        "the refused read is there: {trail}"
    );
    assert!(
        events
            .iter()
            .all(|e| e["resource"]["entity"][0]["what"]["reference"] == format!("Patient/{pid}")),
        "only this patient's trail"
    );
    validate(&trail);
    // Only the coordinator reads the trail; AuditEvents are not read one by one or written.
    let (status, _, json) = get(
        &t,
        &format!("/fhir/AuditEvent?patient={pid}"),
        Some(&outsider),
    )
    .await;
    assert_eq!(status, 403, "{json}");
    let id = events[0]["resource"]["id"].as_str().unwrap();
    let (status, _, _) = get(&t, &format!("/fhir/AuditEvent/{id}"), Some(&gp)).await;
    assert_eq!(status, 405);
}
on_both_backends!(the_coordinator_reads_the_audit_trail_as_audit_events);
