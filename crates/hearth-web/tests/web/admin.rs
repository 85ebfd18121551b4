//! Administration and figures: administrators manage organisations, people and the rota within
//! the organisations they look after and never see patients; service managers see aggregate
//! figures with small numbers suppressed and cannot open a patient.

use hearth_domain::OrganisationId;
use hearth_domain::national_number::nhs_check_digit;
use hearth_domain::organisation::NewOrganisation;
use hearth_domain::register::NewRegisterEntry;
use hearth_store::NonPatientAudit;
use hearth_testkit::{
    Backend, Fixture, PASSWORD, TestApp, TestClient, csrf_token_in, new_patient, on_both_backends,
    spawn_app,
};

/// The newest audit records about no patient.
async fn admin_audit(t: &TestApp) -> Vec<NonPatientAudit> {
    let mut tx = t.db.store.begin_read().await.unwrap();
    tx.audit_without_patient(50).await.unwrap()
}

/// Posts a form from the page at `page` (taking its CSRF token); returns status and body.
async fn submit(
    client: &TestClient,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let (_, html) = client.get_text(page).await;
    let token = csrf_token_in(&html).unwrap();
    let mut form = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    let response = client.post_form(action, &form).await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The first `…/{id}{suffix}` path segment id in `html` after `prefix`.
fn id_after(html: &str, prefix: &str) -> String {
    let start = html.find(prefix).expect("the link is on the page") + prefix.len();
    let end = html[start..].find(['/', '"']).unwrap() + start;
    html[start..end].to_owned()
}

async fn an_administrator_adds_a_user_who_can_then_sign_in(backend: Backend) {
    let Some(t) = spawn_app(backend, "an_administrator_adds_a_user").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let admin = t.signed_in(&f.admin.email, &f.admin.password).await;
    let practice = f.practice.id.to_string();
    let user = |password: &'static str| {
        vec![
            ("given_name", "Nina"),
            ("family_name", "Okoro"),
            ("email", "nina.okoro@test.example"),
            ("password", password),
            ("profession", "district-nurse"),
            ("phone", "01632 960 555"),
        ]
    };
    let mut short = user("short");
    short.push(("organisation", &practice));
    let (status, page) = submit(&admin, "/admin/users", "/admin/users", &short).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("class=\"field-error\" id=\"password-error\"") && page.contains("too short"),
        "the error is shown next to the password field"
    );
    assert!(
        page.contains("value=\"Nina\""),
        "what was typed is kept, except the password"
    );
    assert_eq!(
        t.client()
            .sign_in("nina.okoro@test.example", "short")
            .await
            .status()
            .as_u16(),
        401,
        "a refused form creates nobody"
    );

    let mut good = user(PASSWORD);
    good.push(("organisation", &practice));
    let (status, _) = submit(&admin, "/admin/users", "/admin/users", &good).await;
    assert_eq!(status, 303);
    let nina = t.signed_in("nina.okoro@test.example", PASSWORD).await;
    let (_, register) = nina.get_text("/register").await;
    assert!(register.contains("District nurse · Riverside Medical Practice"));

    let audit = admin_audit(&t).await;
    for kind in ["UserAccount", "PractitionerRole", "Practitioner"] {
        assert!(
            audit.iter().any(|a| a.resource_type == kind
                && a.action == "create"
                && a.basis == "administration"
                && a.outcome == "allowed"
                && a.resource_version == Some(1)),
            "the creation of the {kind} is audited"
        );
    }

    // Her page: end the role, then disable and re-enable the account.
    let (_, people) = admin.get_text("/admin/users").await;
    assert!(people.contains("Nina Okoro") && people.contains("nina.okoro@test.example"));
    let row = people.find(">Nina Okoro</a>").unwrap();
    let link = people[..row].rfind("/admin/users/").unwrap() + "/admin/users/".len();
    let id = people[link..row].trim_end_matches('"').to_owned();
    let person = format!("/admin/users/{id}");
    let (_, page) = admin.get_text(&person).await;
    let version = "1";
    let (status, _) = submit(
        &admin,
        &person,
        &format!("{person}/disable"),
        &[("version", version)],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        nina.get("/register").await.status().as_u16(),
        303,
        "disabling ends her sessions"
    );
    assert_eq!(
        t.client()
            .sign_in("nina.okoro@test.example", PASSWORD)
            .await
            .status()
            .as_u16(),
        401
    );
    let (status, _) = submit(
        &admin,
        &person,
        &format!("{person}/enable"),
        &[("version", "2")],
    )
    .await;
    assert_eq!(status, 303);
    t.signed_in("nina.okoro@test.example", PASSWORD).await;

    let role = id_after(&page, &format!("{person}/roles/"));
    let (status, _) = submit(
        &admin,
        &person,
        &format!("{person}/roles/{role}/end"),
        &[("version", "1")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = admin.get_text(&person).await;
    assert!(page.contains("ended "), "the role is kept, marked ended");
    let (_, directory) = admin.get_text("/directory?q=okoro").await;
    assert!(
        !directory.contains("Nina Okoro"),
        "an ended role leaves the directory"
    );
}

async fn organisations_outside_the_administrators_scope_are_refused(backend: Backend) {
    let Some(t) = spawn_app(backend, "outside_scope_refused").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let admin = t.signed_in(&f.admin.email, &f.admin.password).await;
    let (_, list) = admin.get_text("/admin/organisations").await;
    assert!(list.contains("Riverside Medical Practice"));
    assert!(
        !list.contains("Market Street Surgery"),
        "only organisations in scope are listed"
    );

    let other = format!("/admin/organisations/{}", f.other_practice.id);
    let fields = [
        ("version", "1"),
        ("name", "Taken Over Surgery"),
        ("kind", "gp-practice"),
    ];
    let (status, page) = submit(&admin, "/admin/organisations", &other, &fields).await;
    assert_eq!(status, 403);
    assert!(page.contains("not one of the organisations you look after"));
    assert!(
        admin_audit(&t)
            .await
            .iter()
            .any(|a| a.resource_type == "Organisation"
                && a.outcome == "denied"
                && a.basis == "administration"
                && a.resource_id.as_deref() == Some(f.other_practice.id.as_str()))
    );
    assert_eq!(t.app.organisations().await.unwrap().len(), 2);

    let practice = f.practice.id.to_string();
    let under = |parent: &'static str| {
        move |id: &str| {
            vec![
                ("name", "Riverside Branch Surgery".to_owned()),
                ("kind", "gp-practice".to_owned()),
                (parent, id.to_owned()),
            ]
        }
    };
    let as_refs = |v: &Vec<(&'static str, String)>| -> Vec<(&'static str, String)> { v.clone() };
    let fields = as_refs(&under("part_of")(f.other_practice.id.as_str()));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = submit(
        &admin,
        "/admin/organisations",
        "/admin/organisations",
        &fields,
    )
    .await;
    assert_eq!(
        status, 403,
        "no sub-organisation under an organisation out of scope"
    );
    let fields = under("part_of")(&practice);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = submit(
        &admin,
        "/admin/organisations",
        "/admin/organisations",
        &fields,
    )
    .await;
    assert_eq!(status, 303);
    let (_, list) = admin.get_text("/admin/organisations").await;
    assert!(list.contains("Riverside Branch Surgery"));

    // A role in an organisation out of scope is refused too.
    let (status, _) = submit(
        &admin,
        "/admin/users",
        "/admin/users",
        &[
            ("given_name", "Sam"),
            ("family_name", "Hill"),
            ("email", "sam@test.example"),
            ("password", PASSWORD),
            ("organisation", f.other_practice.id.as_str()),
            ("profession", "gp"),
        ],
    )
    .await;
    assert_eq!(status, 403);

    // An administrator of an umbrella organisation looks after everything below it, at any depth.
    let organisation = |name: &str, part_of: Option<OrganisationId>| NewOrganisation {
        name: name.into(),
        kind: "partnership".into(),
        part_of,
        ..Default::default()
    };
    let region = t
        .app
        .create_organisation(organisation("Region", None))
        .await
        .unwrap();
    let area = t
        .app
        .create_organisation(organisation("Area", Some(region.id.clone())))
        .await
        .unwrap();
    let team = t
        .app
        .create_organisation(organisation("Team", Some(area.id.clone())))
        .await
        .unwrap();
    t.app
        .create_user(hearth_app::NewUser {
            email: "region.admin@test.example".into(),
            password: PASSWORD.into(),
            given_name: "Rhea".into(),
            family_name: "Gion".into(),
            roles: vec![hearth_app::NewUserRole {
                organisation_id: region.id.clone(),
                profession: "administrator".into(),
                phone: String::new(),
            }],
        })
        .await
        .unwrap();
    let regional = t.signed_in("region.admin@test.example", PASSWORD).await;
    let path = format!("/admin/organisations/{}", team.id);
    let (status, _) = submit(
        &regional,
        &path,
        &path,
        &[
            ("version", "1"),
            ("name", "Team renamed"),
            ("kind", "home-care"),
            ("part_of", area.id.as_str()),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _) = submit(
        &regional,
        &path,
        &format!("/admin/organisations/{}", f.practice.id),
        &[
            ("version", "1"),
            ("name", "Not mine"),
            ("kind", "gp-practice"),
        ],
    )
    .await;
    assert_eq!(status, 403);
}

async fn a_clinician_gets_403_on_admin_and_it_is_audited(backend: Backend) {
    let Some(t) = spawn_app(backend, "clinician_refused_admin").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    for path in ["/admin", "/admin/users", "/admin/rota"] {
        let (status, page) = gp.get_text(path).await;
        assert_eq!(status, 403, "{path}");
        assert!(page.contains("Only administrators manage organisations"));
    }
    let (_, page) = gp.get_text("/directory").await;
    assert!(
        !page.contains("href=\"/admin\""),
        "the header offers administration only to administrators"
    );
    let refusals = admin_audit(&t).await;
    assert!(
        refusals
            .iter()
            .filter(|a| a.outcome == "denied" && a.basis == "administration")
            .count()
            >= 3
    );
    let manager = t.signed_in(&f.manager.email, &f.manager.password).await;
    assert_eq!(
        manager.get("/admin/organisations").await.status().as_u16(),
        403
    );

    let admin = t.signed_in(&f.admin.email, &f.admin.password).await;
    let (status, page) = admin.get_text("/directory").await;
    assert_eq!(status, 200);
    assert!(page.contains("href=\"/admin\""));
    assert!(
        !page.contains(">Register</a>"),
        "administrators are not offered the register"
    );
    let (status, _) = admin.get_text(&format!("/patients/{}", f.patient.id)).await;
    assert_eq!(status, 403, "administrators never open a patient");
}

async fn a_stale_organisation_edit_is_refused(backend: Backend) {
    let Some(t) = spawn_app(backend, "stale_organisation_edit").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let admin = t.signed_in(&f.admin.email, &f.admin.password).await;
    let path = format!("/admin/organisations/{}", f.practice.id);
    let (_, page) = admin.get_text(&path).await;
    assert!(page.contains("name=\"version\" value=\"1\""));
    let edit = |name: &'static str| {
        [
            ("version", "1"),
            ("name", name),
            ("kind", "gp-practice"),
            ("area", "Ashby"),
            ("phone", "01632 960 111"),
        ]
    };
    let (status, _) = submit(&admin, &path, &path, &edit("Riverside Surgery")).await;
    assert_eq!(status, 303);
    let (status, page) = submit(&admin, &path, &path, &edit("Riverside Old Name")).await;
    assert_eq!(status, 409);
    assert!(page.contains("Someone else changed"));
    assert!(
        page.contains("name=\"version\" value=\"2\"")
            && page.contains("value=\"Riverside Surgery\""),
        "the form now shows the current version"
    );
    let names: Vec<String> = t
        .app
        .organisations()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert!(names.contains(&"Riverside Surgery".to_owned()));
    assert!(
        admin_audit(&t)
            .await
            .iter()
            .any(|a| a.resource_type == "Organisation"
                && a.action == "update"
                && a.resource_version == Some(2))
    );
    let (status, page) = submit(
        &admin,
        &path,
        &path,
        &[("version", "2"), ("name", ""), ("kind", "gp-practice")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"name-error\""));
}

async fn overlapping_shifts_are_refused_and_a_cancelled_shift_leaves_the_on_call_view(
    backend: Backend,
) {
    let Some(t) = spawn_app(backend, "rota_overlap_and_cancel").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let admin = t.signed_in(&f.admin.email, &f.admin.password).await;
    let role = f.gp_actor.roles[0].role_id.to_string();
    // The tests start at 14:30 UTC on 20 November, which is 14:30 in London.
    let shift = |starts: &'static str, ends: &'static str| {
        vec![
            ("role", role.clone()),
            ("starts_at", starts.to_owned()),
            ("ends_at", ends.to_owned()),
            ("phone", "01632 960 444".to_owned()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            submit(admin, "/admin/rota", "/admin/rota", &fields).await
        }
    };
    let (status, _) = post(shift("2026-11-20T13:00", "2026-11-20T21:00")).await;
    assert_eq!(status, 303);
    let (status, page) = post(shift("2026-11-20T20:00", "2026-11-21T04:00")).await;
    assert_eq!(status, 422);
    assert!(page.contains("already on call"));
    let (status, page) = post(shift("2026-11-21T09:00", "2026-11-21T08:00")).await;
    assert_eq!(status, 422);
    assert!(page.contains("must end after it starts"));

    let (_, directory) = admin.get_text("/directory").await;
    assert!(directory.contains("On call now") && directory.contains("tel:01632960444"));
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let (_, patient) = gp.get_text(&format!("/patients/{}", f.patient.id)).await;
    assert!(
        patient.contains("tel:01632960444"),
        "the patient page shows who is on call (and remembers the rota for a few seconds)"
    );

    let (_, rota) = admin.get_text("/admin/rota").await;
    let shift_id = id_after(&rota, "/admin/rota/");
    let (status, _) = submit(
        &admin,
        "/admin/rota",
        &format!("/admin/rota/{shift_id}/cancel"),
        &[("version", "1")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, rota) = admin.get_text("/admin/rota").await;
    assert!(
        rota.contains("Cancelled"),
        "the cancelled shift stays on record"
    );
    let (_, directory) = gp.get_text("/directory").await;
    assert!(
        !directory.contains("tel:01632960444"),
        "a cancelled shift is not someone to call"
    );
    let (_, patient) = gp.get_text(&format!("/patients/{}", f.patient.id)).await;
    assert!(
        !patient.contains("tel:01632960444"),
        "cancelling a shift forgets the remembered rota at once"
    );
    assert!(
        admin_audit(&t)
            .await
            .iter()
            .any(|a| a.resource_type == "OnCallShift"
                && a.action == "update"
                && a.resource_version == Some(2))
    );
}

/// The `n`th valid NHS number of the test range after 999 000 100.
fn nhs_number(n: u64) -> String {
    let mut stem = 999_000_100 + n * 3;
    loop {
        let digits: Vec<u32> = stem
            .to_string()
            .bytes()
            .map(|b| u32::from(b - b'0'))
            .collect();
        if let Some(check) = nhs_check_digit(&digits) {
            return format!("{stem}{check}");
        }
        stem += 1;
    }
}

async fn manager_figures_show_counts_and_suppress_small_numbers(backend: Backend) {
    let Some(t) = spawn_app(backend, "manager_figures").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let groups = [("cancer", 6), ("organ-failure", 6), ("neurological", 2)];
    let mut n = 0;
    let mut made = Vec::new();
    for (group, count) in groups {
        for _ in 0..count {
            n += 1;
            let patient = t
                .app
                .create_patient(&f.gp_actor, new_patient("Ada", "Quorrell", &nhs_number(n)))
                .await
                .unwrap();
            t.app
                .add_to_register(
                    &f.gp_actor,
                    &patient.id,
                    NewRegisterEntry {
                        identified_on: "2026-10-01".into(),
                        surprise: "not-surprised".into(),
                        general_indicators: vec![],
                        disease_indicators: vec![],
                        diagnosis_group: group.into(),
                        consent: "given".into(),
                    },
                )
                .await
                .unwrap();
            made.push(patient.id);
        }
    }
    // Five unstable phases that settled within two days (PCOC outcome measure 2).
    let now = t.app.now();
    for patient in made.iter().take(5) {
        let back = |hours| Some(now - jiff::SignedDuration::from_hours(hours));
        t.app
            .record_phase(&f.gp_actor, patient, "unstable", back(72))
            .await
            .unwrap();
        t.app
            .record_phase(&f.gp_actor, patient, "stable", back(24))
            .await
            .unwrap();
    }
    let manager = t.signed_in(&f.manager.email, &f.manager.password).await;
    let (status, page) = manager.get_text("/figures").await;
    assert_eq!(status, 200);
    assert!(page.contains("<strong>14</strong> patients"));
    assert!(
        page.contains("fewer than 5"),
        "two neurological patients are suppressed"
    );
    assert!(
        page.contains("not shown"),
        "and one more cell is hidden, or the total would give them away"
    );
    assert!(!page.contains("<td>2</td>"));
    assert!(page.contains("<td>14</td>"), "all fourteen gave consent");
    assert!(
        page.contains("<strong>5</strong> unstable phases ended"),
        "{page}"
    );
    assert!(page.contains("Lasted three days or less: <strong>100 %</strong>"));
    assert!(!page.contains("Quorrell"), "no names");
    assert!(!page.contains("/patients/"), "no links to patients");
    assert!(
        admin_audit(&t)
            .await
            .iter()
            .any(|a| a.resource_type == "MeasureReport"
                && a.action == "search"
                && a.outcome == "allowed")
    );

    let (status, _) = manager
        .get_text(&format!("/patients/{}", f.patient.id))
        .await;
    assert_eq!(status, 403, "a manager cannot open a patient");
    let (_, page) = manager.get_text("/directory").await;
    assert!(page.contains("href=\"/figures\"") && !page.contains("href=\"/admin\""));
}

on_both_backends!(
    an_administrator_adds_a_user_who_can_then_sign_in,
    organisations_outside_the_administrators_scope_are_refused,
    a_clinician_gets_403_on_admin_and_it_is_audited,
    a_stale_organisation_edit_is_refused,
    overlapping_shifts_are_refused_and_a_cancelled_shift_leaves_the_on_call_view,
    manager_figures_show_counts_and_suppress_small_numbers,
);
