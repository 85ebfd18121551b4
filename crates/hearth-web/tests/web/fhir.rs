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
    // Hearth's code systems are published.
    let (status, _, cs) = get(&t, "/fhir/CodeSystem/phase", None).await;
    assert_eq!(status, 200);
    assert_eq!(cs["url"], "https://fhir.hearth.example/CodeSystem/phase");
    let _ = pid;
}
on_both_backends!(bad_requests_get_an_operation_outcome_that_says_what_to_do);
