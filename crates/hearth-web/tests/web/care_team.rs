//! The care team: members with roles and responsibilities, exactly one coordinator, the
//! register's coordinator filter, and disabled coordinators. Handovers are in `handover.rs`.

use hearth_app::AppError;
use hearth_domain::care_team::NewMember;
use hearth_testkit::{
    Backend, Fixture, TestApp, TestClient, csrf_token_in, new_patient, on_both_backends, spawn_app,
};

/// A patient both fixture practices care for, so the GP and the outside nurse both see them.
pub(crate) async fn shared_patient(t: &TestApp, f: &Fixture) -> String {
    let mut input = new_patient("Joan", "Thwaite", "999 000 0018");
    input.organisations = vec![f.other_practice.id.clone()];
    t.app
        .create_patient(&f.gp_actor, input)
        .await
        .unwrap()
        .id
        .to_string()
}

pub(crate) async fn add(
    client: &TestClient,
    patient: &str,
    member: &str,
    role: &str,
    responsibilities: &[&str],
) -> u16 {
    let (_, page) = client.get_text(&format!("/patients/{patient}/team")).await;
    let token = csrf_token_in(&page).unwrap();
    let mut fields = vec![
        ("csrf_token", token.as_str()),
        ("member", member),
        ("role", role),
    ];
    fields.extend(responsibilities.iter().map(|r| ("responsibility", *r)));
    client
        .post_form(&format!("/patients/{patient}/team/members"), &fields)
        .await
        .status()
        .as_u16()
}

/// Adds a practitioner to the patient's care team as the fixture's GP.
pub(crate) async fn join(
    t: &TestApp,
    f: &Fixture,
    patient: &hearth_domain::PatientId,
    who: &hearth_domain::PractitionerId,
    role: &str,
) -> hearth_domain::care_team::CareTeamMember {
    let input = NewMember {
        member: format!("practitioner:{who}"),
        role: role.into(),
        ..Default::default()
    };
    t.app
        .add_care_team_member(&f.gp_actor, patient, input)
        .await
        .unwrap()
}

/// A district nurse of the fixture's practice (`email`, named `given family`), joined to the
/// patient's care team in person; the signed-in actor and the membership.
pub(crate) async fn nurse_in_team(
    t: &TestApp,
    f: &Fixture,
    email: &str,
    (given, family): (&str, &str),
) -> (hearth_app::Actor, hearth_domain::care_team::CareTeamMember) {
    t.app
        .create_user(hearth_app::NewUser {
            email: email.into(),
            password: hearth_testkit::PASSWORD.into(),
            given_name: given.into(),
            family_name: family.into(),
            roles: vec![hearth_app::NewUserRole {
                organisation_id: f.practice.id.clone(),
                profession: "district-nurse".into(),
                phone: String::new(),
            }],
        })
        .await
        .unwrap();
    let nurse = t
        .app
        .sign_in(email, hearth_testkit::PASSWORD)
        .await
        .unwrap()
        .actor;
    let member = join(
        t,
        f,
        &f.patient.id,
        &nurse.practitioner_id,
        "district-nurse",
    )
    .await;
    (nurse, member)
}

/// The id of the member whose row contains `name` (from the row's "Change" form's action).
pub(crate) fn member_id(page: &str, name: &str) -> String {
    let row = page
        .find(&format!(">{name}</a>"))
        .expect("the member is listed");
    let action = page[row..].find("/members/").unwrap() + row + "/members/".len();
    let end = page[action..].find(['/', '"']).unwrap();
    page[action..action + end].to_owned()
}

async fn the_first_person_becomes_coordinator_and_gaps_are_highlighted(backend: Backend) {
    let Some(t) = spawn_app(backend, "the_first_person_becomes_coordinator").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let patient = shared_patient(&t, &f).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let (_, page) = gp.get_text(&format!("/patients/{patient}")).await;
    assert!(
        page.contains("1 member.") && page.contains("No active coordinator"),
        "the practice that added the patient starts the team, as a service"
    );

    let service = format!("service:{}", f.other_practice.id);
    assert_eq!(
        add(&gp, &patient, &service, "other", &["home-visits"]).await,
        303
    );
    let (_, page) = gp.get_text(&format!("/patients/{patient}/team")).await;
    assert!(
        page.contains("No active coordinator"),
        "a service cannot coordinate"
    );

    let me = format!("practitioner:{}", f.gp_actor.practitioner_id);
    assert_eq!(
        add(
            &gp,
            &patient,
            &me,
            "gp",
            &["prescribing", "anticipatory-medicines"]
        )
        .await,
        303
    );
    let (_, page) = gp.get_text(&format!("/patients/{patient}/team")).await;
    assert!(page.contains("<strong>Test gp (GP)</strong> coordinates this patient"));
    assert!(
        page.contains("class=\"unheld\">Carer support<span class=\"unheld__note\">nobody</span>")
    );
    let entry = format!("/directory#person-{}", f.gp_actor.practitioner_id);
    assert!(
        page.contains(&format!("href=\"{entry}\"")),
        "members link to their directory entry"
    );
    let (_, directory) = gp.get_text("/directory").await;
    assert!(directory.contains(&format!("id=\"person-{}\"", f.gp_actor.practitioner_id)));
    assert!(
        !page.contains("class=\"unheld\">Prescribing"),
        "someone prescribes"
    );
    assert!(
        !page.contains("class=\"unheld\">Coordination"),
        "someone coordinates"
    );

    assert_eq!(
        add(&gp, &patient, &me, "gp", &[]).await,
        422,
        "no one joins twice"
    );
    let (_, page) = gp.get_text(&format!("/patients/{patient}")).await;
    assert!(
        page.contains("<strong>Coordinator:</strong> Test gp (GP)") && page.contains("3 members")
    );
    let mut tx = t.app.store().begin_read().await.unwrap();
    let id = hearth_domain::PatientId::new(patient.clone());
    let trail = tx.audit_of_patient(&id, 20).await.unwrap();
    assert!(
        trail
            .iter()
            .filter(|(action, _, _)| action == "create")
            .count()
            >= 3,
        "each member added is audited"
    );
}

async fn the_register_filters_by_coordinator(backend: Backend) {
    let Some(t) = spawn_app(backend, "the_register_filters_by_coordinator").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let patient_id = hearth_domain::PatientId::new(shared_patient(&t, &f).await);
    let nurse = t
        .app
        .sign_in(&f.outsider.email, &f.outsider.password)
        .await
        .unwrap()
        .actor;
    t.app
        .add_care_team_member(
            &f.gp_actor,
            &patient_id,
            NewMember {
                member: format!("practitioner:{}", nurse.practitioner_id),
                role: "district-nurse".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let (_, all) = gp.get_text("/register?show=all").await;
    assert!(
        all.contains("Test district-nurse"),
        "the coordinator's name is listed"
    );
    let (_, none) = gp.get_text("/register?show=all&coordinator=none").await;
    assert!(
        none.contains("CARTER, Edith") && !none.contains("THWAITE"),
        "Carter has no care team yet"
    );
    let nurse_client = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    let (_, mine) = nurse_client
        .get_text("/register?show=all&coordinator=me")
        .await;
    assert!(mine.contains("THWAITE, Joan"));
    let (_, theirs) = gp.get_text("/register?show=all&coordinator=me").await;
    assert!(
        !theirs.contains("THWAITE"),
        "the GP does not coordinate Joan"
    );
    let (status, _) = gp.get_text("/register?coordinator=..%2Fx").await;
    assert_eq!(status, 422);
}

async fn the_database_refuses_a_second_coordinator(backend: Backend) {
    let Some(t) = spawn_app(backend, "the_database_refuses_a_second_coordinator").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let patient_id = f.patient.id.clone();
    let first = t
        .app
        .add_care_team_member(
            &f.gp_actor,
            &patient_id,
            NewMember {
                member: format!("practitioner:{}", f.gp_actor.practitioner_id),
                role: "gp".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(first.coordinator);
    let mut second = first.clone();
    second.id = "second".into();
    second.member = hearth_domain::care_team::Member::Practitioner(
        t.app
            .sign_in(&f.outsider.email, &f.outsider.password)
            .await
            .unwrap()
            .actor
            .practitioner_id,
    );
    let mut tx = t.app.store().begin_write().await.unwrap();
    let error = tx
        .insert_care_team_members(std::slice::from_ref(&second))
        .await
        .unwrap_err();
    assert!(
        matches!(error, hearth_app::StoreError::Duplicate { .. }),
        "{error:?}"
    );
}

async fn disabling_the_coordinators_account_leaves_no_active_coordinator(backend: Backend) {
    let Some(t) = spawn_app(backend, "disabling_the_coordinators_account").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let patient_id = hearth_domain::PatientId::new(shared_patient(&t, &f).await);
    let nurse = t
        .app
        .sign_in(&f.outsider.email, &f.outsider.password)
        .await
        .unwrap()
        .actor;
    let first = join(
        &t,
        &f,
        &patient_id,
        &nurse.practitioner_id,
        "district-nurse",
    )
    .await;
    assert!(first.coordinator);
    let nurse_client = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    assert_eq!(nurse_client.get("/register").await.status().as_u16(), 200);

    t.app.disable_user(&f.outsider.email).await.unwrap();
    assert_eq!(
        nurse_client.get("/register").await.status().as_u16(),
        303,
        "their session ended"
    );
    assert_eq!(
        t.client()
            .sign_in(&f.outsider.email, &f.outsider.password)
            .await
            .status()
            .as_u16(),
        401
    );
    let again = t.app.disable_user(&f.outsider.email).await;
    assert!(matches!(again, Err(AppError::Duplicate(_))));

    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let (_, page) = gp.get_text(&format!("/patients/{patient_id}")).await;
    assert!(
        page.contains("No active coordinator"),
        "a disabled account does not coordinate"
    );
    let (_, list) = gp.get_text("/register?show=all&coordinator=none").await;
    assert!(list.contains("THWAITE, Joan"));
    let view = t.app.care_team(&f.gp_actor, &patient_id).await.unwrap();
    assert!(view.team.coordinator().is_none());
    assert!(
        view.team.members[0].coordinator,
        "nothing was changed or deleted in the team"
    );
}

async fn a_members_role_and_responsibilities_change_in_place(backend: Backend) {
    let Some(t) = spawn_app(backend, "a_members_duties_change").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let patient = shared_patient(&t, &f).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let nurse = t
        .app
        .sign_in(&f.outsider.email, &f.outsider.password)
        .await
        .unwrap()
        .actor;
    add(
        &gp,
        &patient,
        &format!("practitioner:{}", f.gp_actor.practitioner_id),
        "gp",
        &["prescribing"],
    )
    .await;
    add(
        &gp,
        &patient,
        &format!("practitioner:{}", nurse.practitioner_id),
        "district-nurse",
        &["home-visits"],
    )
    .await;
    let team = format!("/patients/{patient}/team");
    let (_, page) = gp.get_text(&team).await;
    assert!(page.contains(">Carer support<span class=\"unheld__note\">nobody</span>"));
    let member = member_id(&page, "Test district-nurse");
    let token = csrf_token_in(&page).unwrap();
    let change = |version: &'static str, role: &'static str, duties: &'static [&'static str]| {
        let mut fields = vec![
            ("csrf_token", token.clone()),
            ("version", version.to_owned()),
            ("role", role.to_owned()),
        ];
        fields.extend(duties.iter().map(|d| ("responsibility", (*d).to_owned())));
        let path = format!("{team}/members/{member}");
        let gp = &gp;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = gp.post_form(&path, &fields).await;
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        }
    };

    let patient_key = hearth_domain::PatientId::new(patient.clone());
    let updates = || async {
        let mut tx = t.app.store().begin_read().await.unwrap();
        let trail = tx.audit_of_patient(&patient_key, 1000).await.unwrap();
        trail
            .iter()
            .filter(|(action, _, _)| action == "update")
            .count()
    };
    let before = updates().await;
    let (status, body) = change("1", "wizard", &["carer-support"]).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("role in this patient"),
        "the page says what is wrong"
    );
    assert_eq!(
        updates().await,
        before,
        "a refused change writes no audit record"
    );
    let (status, _) = change(
        "1",
        "district-nurse",
        &["home-visits", "carer-support", "equipment"],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(updates().await, before + 1, "the change is audited");
    let (_, page) = gp.get_text(&team).await;
    assert!(
        !page.contains(">Carer support<span class=\"unheld__note\">"),
        "carer support is held now"
    );
    let view = t
        .app
        .care_team(&f.gp_actor, &hearth_domain::PatientId::new(patient.clone()))
        .await
        .unwrap();
    let changed = view.team.members.iter().find(|m| m.id == member).unwrap();
    assert_eq!(changed.version, 2);
    assert_eq!(
        changed
            .responsibilities
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>(),
        vec!["home-visits", "equipment", "carer-support"]
    );
    let (status, _) = change("1", "specialist-palliative-nurse", &[]).await;
    assert_eq!(status, 409, "a change based on the old version is refused");
    let view = t
        .app
        .care_team(&f.gp_actor, &hearth_domain::PatientId::new(patient.clone()))
        .await
        .unwrap();
    assert_eq!(
        view.team.members.iter().find(|m| m.id == member).unwrap(),
        changed,
        "refused changes change nothing"
    );
}

on_both_backends!(
    a_members_role_and_responsibilities_change_in_place,
    disabling_the_coordinators_account_leaves_no_active_coordinator,
    the_first_person_becomes_coordinator_and_gaps_are_highlighted,
    the_database_refuses_a_second_coordinator,
    the_register_filters_by_coordinator,
);
