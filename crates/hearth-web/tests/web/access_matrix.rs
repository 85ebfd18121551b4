//! The access matrix: every route the router serves × every kind of user and relationship, with
//! the outcome each must get. A route missing from the matrix fails the test, so a new route
//! cannot ship without someone deciding who may use it.

use std::collections::BTreeSet;

use hearth_app::{Actor, NewUser, NewUserRole};
use hearth_domain::organisation::NewOrganisation;
use hearth_testkit::{
    Backend, Fixture, PASSWORD, TestApp, TestClient, csrf_token_in, on_both_backends, spawn_app,
};
use jiff::SignedDuration;

use crate::register::{REASONS, register};

/// Who asks, in the order of each row's outcome string.
const PRINCIPALS: [&str; 8] = [
    "signed out",
    "care-team member (coordinator)",
    "same organisation, not in the team",
    "other organisation",
    "administrator",
    "service manager",
    "emergency access open",
    "emergency access expired",
];

/// One row: method, path pattern, and per principal: `P` public (never refused), `S` sends the
/// signed-out user to sign in, `A` allowed past the access check (any answer but 401/403 or a
/// sign-in redirect), `D` denied (403).
const MATRIX: &[(&str, &str, &str)] = &[
    ("GET", "/", "PPPPPPPP"),
    ("GET", "/sign-in", "PPPPPPPP"),
    ("POST", "/sign-out", "SAAAAAAA"),
    ("POST", "/sign-out/everywhere", "SAAAAAAA"),
    ("GET", "/account", "SAAAAAAA"),
    ("POST", "/account/acting-role", "SAAAAAAA"),
    ("GET", "/register", "SAAADDAA"),
    ("GET", "/directory", "SAAAAAAA"),
    ("GET", "/notices", "SAAAAAAA"),
    ("POST", "/notices/{id}/read", "SAAAAAAA"),
    ("GET", "/emergency", "SAAADDAA"),
    ("GET", "/patients/{id}", "SADDDDAD"),
    // The form only reads (and sends a reader away when the patient is already registered).
    ("GET", "/patients/{id}/register/new", "SADDDDAD"),
    ("POST", "/patients/{id}/register", "SADDDDDD"),
    ("POST", "/patients/{id}/register/{change}", "SADDDDDD"),
    ("GET", "/patients/{id}/emergency-access", "SAAADDAA"),
    ("POST", "/patients/{id}/emergency-access", "SAAADDAA"),
    ("GET", "/patients/{id}/access", "SADDDDDD"),
    ("POST", "/patients/{id}/access/reviews/{access}", "SADDDDDD"),
    ("GET", "/patients/{id}/summary", "SADDDDAD"),
    ("GET", "/patients/{id}/ooh", "SADDDDAD"),
    ("GET", "/ooh", "SAAADDAA"),
    ("GET", "/patients/{id}/who-to-call", "SADDDDAD"),
    ("GET", "/patients/{id}/plan", "SADDDDAD"),
    ("POST", "/patients/{id}/plan/read", "SADDDDDD"),
    ("GET", "/patients/{id}/plan/{section}", "SADDDDDD"),
    ("POST", "/patients/{id}/plan/{section}", "SADDDDDD"),
    ("GET", "/patients/{id}/plan/{section}/history", "SADDDDAD"),
    ("GET", "/patients/{id}/conversations", "SADDDDAD"),
    ("POST", "/patients/{id}/conversations", "SADDDDDD"),
    (
        "GET",
        "/patients/{id}/conversations/{conversation}",
        "SADDDDAD",
    ),
    (
        "POST",
        "/patients/{id}/conversations/{conversation}",
        "SADDDDDD",
    ),
    (
        "POST",
        "/patients/{id}/conversations/{conversation}/talk",
        "SADDDDDD",
    ),
    (
        "POST",
        "/patients/{id}/conversations/{conversation}/talk/{talk}/agree",
        "SADDDDDD",
    ),
    (
        "POST",
        "/patients/{id}/conversations/{conversation}/talk/{talk}/outcome",
        "SADDDDDD",
    ),
    ("GET", "/patients/{id}/tasks", "SADDDDAD"),
    ("POST", "/patients/{id}/tasks", "SADDDDDD"),
    ("POST", "/patients/{id}/tasks/{task}/{change}", "SADDDDDD"),
    ("GET", "/tasks", "SAAADDAA"),
    ("GET", "/inbox", "SAAADDAA"),
    ("GET", "/patients/{id}/transitions", "SADDDDAD"),
    ("POST", "/patients/{id}/stays", "SADDDDDD"),
    ("POST", "/patients/{id}/discharges", "SADDDDDD"),
    (
        "POST",
        "/patients/{id}/discharges/{discharge}/{what}",
        "SADDDDDD",
    ),
    ("GET", "/arrivals", "SAAADDAA"),
    ("GET", "/patients/{id}/needs", "SADDDDAD"),
    // Recording forms are for the care team: emergency access reads, it does not record.
    ("GET", "/patients/{id}/needs/{instrument}", "SADDDDDD"),
    ("POST", "/patients/{id}/needs/{instrument}", "SADDDDDD"),
    (
        "POST",
        "/patients/{id}/needs/suggestions/{suggestion}",
        "SADDDDDD",
    ),
    ("GET", "/patients/{id}/referrals/new", "SADDDDDD"),
    ("POST", "/patients/{id}/referrals", "SADDDDDD"),
    ("GET", "/referrals", "SAAADDAA"),
    ("GET", "/referrals/{id}", "SAAADDAA"),
    ("POST", "/referrals/{id}/{step}", "SAAADDAA"),
    // The advice line's log is the specialist palliative care team's.
    ("GET", "/advice", "SDDDDDDD"),
    ("POST", "/advice", "SDDDDDDD"),
    ("GET", "/meetings", "SAAADDAA"),
    ("POST", "/meetings", "SAAADDAA"),
    ("GET", "/meetings/{id}", "SAAADDAA"),
    ("POST", "/meetings/{id}/attendance", "SAAADDAA"),
    ("POST", "/meetings/{id}/cancel", "SAAADDAA"),
    ("POST", "/meetings/{id}/agenda", "SAAADDAA"),
    // A patient's part of the minutes is their record: only their care team writes it.
    ("POST", "/meetings/{id}/agenda/{patient}/{what}", "SADDDDDD"),
    ("GET", "/live", "SAAAAAAA"),
    ("GET", "/patients/{id}/team", "SADDDDAD"),
    ("POST", "/patients/{id}/team/members", "SADDDDDD"),
    ("GET", "/patients/{id}/team/members/{member}", "SADDDDAD"),
    ("POST", "/patients/{id}/team/members/{member}", "SADDDDDD"),
    (
        "POST",
        "/patients/{id}/team/members/{member}/end",
        "SADDDDDD",
    ),
    ("POST", "/patients/{id}/team/handover", "SADDDDDD"),
    (
        "POST",
        "/patients/{id}/team/handover/{handover}/{decision}",
        "SADDDDDD",
    ),
    ("GET", "/figures", "SAAAAAAA"),
    ("GET", "/admin", "SDDDADDD"),
    ("GET", "/admin/organisations", "SDDDADDD"),
    ("POST", "/admin/organisations", "SDDDADDD"),
    ("GET", "/admin/organisations/{id}", "SDDDADDD"),
    ("POST", "/admin/organisations/{id}", "SDDDADDD"),
    ("GET", "/admin/users", "SDDDADDD"),
    ("POST", "/admin/users", "SDDDADDD"),
    ("GET", "/admin/users/{id}", "SDDDADDD"),
    ("POST", "/admin/users/{id}/roles", "SDDDADDD"),
    ("POST", "/admin/users/{id}/roles/{role}/end", "SDDDADDD"),
    ("POST", "/admin/users/{id}/{change}", "SDDDADDD"),
    ("GET", "/admin/rota", "SDDDADDD"),
    ("POST", "/admin/rota", "SDDDADDD"),
    ("POST", "/admin/rota/{shift}/cancel", "SDDDADDD"),
    ("GET", "/admin/triggers", "SDDDADDD"),
    // The region's trigger rules are changed only by administrators of a specialist palliative
    // care service (the matrix's administrator looks after a practice).
    ("POST", "/admin/triggers", "SDDDDDDD"),
    ("GET", "/admin/triggers/{rule}", "SDDDADDD"),
    ("POST", "/admin/triggers/{rule}", "SDDDDDDD"),
    // The FHIR API: the same rules as the pages (a session works for reads, as a token does).
    ("GET", "/fhir", "PPPPPPPP"),
    ("POST", "/fhir", "SDDDDDDD"),
    ("GET", "/fhir/metadata", "PPPPPPPP"),
    ("GET", "/fhir/CodeSystem", "PPPPPPPP"),
    ("GET", "/fhir/CodeSystem/{id}", "PPPPPPPP"),
    ("GET", "/fhir/Questionnaire", "PPPPPPPP"),
    ("GET", "/fhir/Questionnaire/{id}", "PPPPPPPP"),
    ("GET", "/fhir/Patient", "SAAADDAA"),
    // FHIR writes need a bearer token: a browser session (as every principal here has) cannot.
    ("POST", "/fhir/Patient", "SDDDDDDD"),
    ("GET", "/fhir/Patient/{id}", "SADDDDAD"),
    ("PUT", "/fhir/Patient/{id}", "SDDDDDDD"),
    ("GET", "/fhir/Patient/{id}/$everything", "SADDDDAD"),
    ("GET", "/fhir/Patient/{id}/_history", "SADDDDAD"),
    ("GET", "/fhir/Patient/{id}/_history/{version}", "SADDDDAD"),
    ("GET", "/fhir/CarePlan/{id}/_history", "SADDDDAD"),
    ("GET", "/fhir/CarePlan/{id}/_history/{version}", "SADDDDAD"),
    ("GET", "/fhir/{type}", "SADDDDAD"),
    ("POST", "/fhir/{type}", "SDDDDDDD"),
    ("GET", "/fhir/{type}/{id}", "SADDDDAD"),
    ("PUT", "/fhir/{type}/{id}", "SDDDDDDD"),
    ("GET", "/fhir/{type}/{id}/{*rest}", "PPPPPPPP"),
    ("GET", "/healthz", "PPPPPPPP"),
    ("GET", "/readyz", "PPPPPPPP"),
    ("GET", "/metrics", "PPPPPPPP"),
    ("GET", "/static/{file}", "PPPPPPPP"),
    // Closing one's emergency access ends it: after every row that uses it. (Forms carry
    // version 0, which no record has, so that allowed changes are refused as stale, not made.)
    ("POST", "/patients/{id}/emergency-access/close", "SAAAAAAA"),
];

#[test]
fn every_route_has_a_row_in_the_access_matrix() {
    let served: BTreeSet<&str> = hearth_web::ROUTES.iter().copied().collect();
    let covered: BTreeSet<&str> = MATRIX.iter().map(|(_, path, _)| *path).collect();
    let missing: Vec<&&str> = served.difference(&covered).collect();
    let stale: Vec<&&str> = covered.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "routes without an access-matrix row: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix rows for routes that do not exist: {stale:?}"
    );
    assert!(
        MATRIX
            .iter()
            .all(|(_, _, row)| row.len() == PRINCIPALS.len())
    );
}

async fn user(
    t: &TestApp,
    email: &str,
    organisation: &hearth_domain::OrganisationId,
    profession: &str,
) -> Actor {
    t.app
        .create_user(NewUser {
            email: email.into(),
            password: PASSWORD.into(),
            given_name: "Matrix".into(),
            family_name: profession.into(),
            roles: vec![NewUserRole {
                organisation_id: organisation.clone(),
                profession: profession.into(),
                phone: String::new(),
            }],
        })
        .await
        .unwrap();
    t.app.sign_in(email, PASSWORD).await.unwrap().actor
}

async fn every_route_gives_each_user_the_expected_outcome(backend: Backend) {
    let Some(t) = spawn_app(backend, "access_matrix").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let patient = f.patient.id.clone();
    // The GP in person (coordinator); the practice's service membership ends, so a colleague at
    // the practice is "same organisation, not in the team".
    let gp_member = f.gp_joins_the_team(&t.app).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    assert_eq!(
        register(&gp, patient.as_str(), "given", REASONS)
            .await
            .status()
            .as_u16(),
        303
    );
    let team = t.app.care_team(&f.gp_actor, &patient).await.unwrap();
    let service = team
        .team
        .members
        .iter()
        .find(|m| matches!(m.member, hearth_domain::care_team::Member::Service(_)))
        .unwrap();
    t.app
        .end_care_team_membership(&f.gp_actor, &patient, &service.id, service.version)
        .await
        .unwrap();
    user(
        &t,
        "colleague@test.example",
        &f.practice.id,
        "district-nurse",
    )
    .await;
    let ooh = t
        .app
        .create_organisation(NewOrganisation {
            name: "Fellside Out of Hours".into(),
            kind: "out-of-hours".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let expired = user(&t, "expired@test.example", &ooh.id, "ooh-doctor").await;
    let reason = "Called at night: breathless and frightened";
    t.app
        .open_emergency_access(&expired, &patient, "urgent-care", reason)
        .await
        .unwrap();
    t.clock
        .advance(SignedDuration::from_hours(12) + SignedDuration::from_mins(1));
    let active = user(&t, "active@test.example", &ooh.id, "ooh-doctor").await;
    t.app
        .open_emergency_access(&active, &patient, "urgent-care", reason)
        .await
        .unwrap();

    let mut clients: Vec<(TestClient, Option<String>)> = vec![(t.client(), None)];
    for email in [
        f.gp.email.as_str(),
        "colleague@test.example",
        f.outsider.email.as_str(),
        f.admin.email.as_str(),
        f.manager.email.as_str(),
        "active@test.example",
        "expired@test.example",
    ] {
        let client = t.signed_in(email, PASSWORD).await;
        let (_, account) = client.get_text("/account").await;
        let token = csrf_token_in(&account);
        clients.push((client, token));
    }

    let mut wrong = Vec::new();
    for (method, pattern, row) in MATRIX {
        // The FHIR API's generic routes, as a client calls them.
        let concrete = match *pattern {
            "/fhir/Patient" => "/fhir/Patient?identifier=9434765919",
            "/fhir/CodeSystem/{id}" => "/fhir/CodeSystem/phase",
            "/fhir/Questionnaire/{id}" => "/fhir/Questionnaire/ipos",
            "/fhir/{type}" => "/fhir/CareTeam?patient={id}",
            "/fhir/{type}/{id}" => "/fhir/CareTeam/{id}",
            "/fhir/{type}/{id}/{*rest}" => "/fhir/CareTeam/{id}/history/1",
            other => other,
        };
        let path = concrete
            .replace("{id}", patient.as_str())
            .replace("{member}", &gp_member.id)
            .replace("{handover}", "no-such-handover")
            .replace("{decision}", "accept")
            .replace(
                "{change}",
                if pattern.starts_with("/admin") {
                    "disable"
                } else if pattern.contains("/tasks/") {
                    "done"
                } else {
                    "consent"
                },
            )
            .replace("{file}", "hearth.css")
            .replace("{role}", "no-such-role")
            .replace("{section}", "crisis-plan")
            .replace("{access}", "no-such-access")
            .replace("{shift}", "no-such-shift")
            .replace("{conversation}", "no-such-conversation")
            .replace("{talk}", "no-such-talk")
            .replace("{task}", "no-such-task")
            .replace("{patient}", patient.as_str())
            .replace("{discharge}", "no-such-discharge")
            .replace("{instrument}", "esas-r")
            .replace("{suggestion}", "no-such-suggestion")
            .replace("{step}", "accept")
            .replace("{version}", "1")
            .replace("{rule}", "esas-severe")
            .replace(
                "{what}",
                if pattern.contains("/discharges/") {
                    "ready"
                } else {
                    "notes"
                },
            )
            .replace("/emergency", "/emergency?number=9434765919")
            .replace("/emergency?number=9434765919-access", "/emergency-access");
        for ((client, token), (expected, principal)) in
            clients.iter().zip(row.chars().zip(PRINCIPALS))
        {
            // Sign-out routes end the session: run them last, on a fresh client each time.
            if path.starts_with("/sign-out") && principal != "signed out" {
                continue;
            }
            let response = if *method == "GET" {
                client.get(&path).await
            } else if *method == "PUT" {
                client
                    .http
                    .put(client.url(&path))
                    .header("content-type", "application/fhir+json")
                    .header("if-match", "W/\"1\"")
                    .body("{}")
                    .send()
                    .await
                    .unwrap()
            } else {
                let token = token.clone().unwrap_or_default();
                client
                    .post_form(
                        &path,
                        &[
                            ("csrf_token", token.as_str()),
                            ("version", "0"),
                            ("base_version", "0"),
                        ],
                    )
                    .await
            };
            let status = response.status().as_u16();
            let to_sign_in = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .is_some_and(|l| l.starts_with("/sign-in"));
            let ok = match expected {
                'P' => status != 403 && status != 401 && status < 500,
                'S' => to_sign_in || status == 401,
                'A' => !to_sign_in && status != 401 && status != 403 && status < 500,
                'D' => status == 403,
                _ => false,
            };
            if !ok {
                wrong.push(format!(
                    "{method} {pattern} as {principal}: expected {expected}, got {status}"
                ));
            }
        }
    }
    // Signing out, last: each signed-in user's session ends; the signed-out one is sent to sign in.
    for (client, token) in clients.iter().skip(1) {
        let token = token.clone().unwrap_or_default();
        let response = client
            .post_form("/sign-out", &[("csrf_token", token.as_str())])
            .await;
        if response.status().as_u16() != 303 {
            wrong.push(format!("POST /sign-out: got {}", response.status()));
        }
    }
    assert!(
        wrong.is_empty(),
        "access matrix mismatches:\n{}",
        wrong.join("\n")
    );
}

on_both_backends!(every_route_gives_each_user_the_expected_outcome);
