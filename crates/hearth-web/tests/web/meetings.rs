//! Meetings: a register review planned by the GP with a specialist palliative care nurse invited,
//! its agenda filled from the practice's register, attendance deciding whether it was a case
//! conference, a decision that updates the shared plan (linked to the new plan version), an
//! action that becomes a task and escalates when overdue; and the refusals.

use hearth_domain::organisation::NewOrganisation;
use hearth_testkit::{
    Backend, Fixture, PASSWORD, TestApp, TestClient, csrf_token_in, on_both_backends, spawn_app,
};
use jiff::SignedDuration;

use crate::care_team::{join, nurse_in_team};
use crate::register::{REASONS, register};

const SPECIALIST: &str = "sam.patel@test.example";

/// A specialist palliative care nurse at a specialist service, not in any care team.
async fn specialist(t: &TestApp) {
    let service = t
        .app
        .create_organisation(NewOrganisation {
            name: "Fellside Specialist Palliative Care".into(),
            kind: "specialist-palliative-care".into(),
            area: "Ashby".into(),
            phone: "01632 960 400".into(),
            part_of: None,
        })
        .await
        .unwrap();
    t.app
        .create_user(hearth_app::NewUser {
            email: SPECIALIST.into(),
            password: PASSWORD.into(),
            given_name: "Sam".into(),
            family_name: "Patel".into(),
            roles: vec![hearth_app::NewUserRole {
                organisation_id: service.id.clone(),
                profession: "specialist-palliative-nurse".into(),
                phone: String::new(),
            }],
        })
        .await
        .unwrap();
}

/// The value of the `<option>` whose label starts with `label`.
fn option_value(page: &str, label: &str) -> String {
    let at = page
        .find(&format!("\">{label}"))
        .unwrap_or_else(|| panic!("no option {label} in {page}"));
    let start = page[..at].rfind("value=\"").unwrap() + "value=\"".len();
    page[start..at].to_owned()
}

/// Posts `fields` to `path` with the CSRF token of the page at `page`; the response.
async fn post(
    client: &TestClient,
    page: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (_, html) = client.get_text(page).await;
    let token = csrf_token_in(&html).expect("the page has a form");
    let mut form = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    client.post_form(path, &form).await
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn a_register_review_updates_the_plan_and_follows_up_its_actions(backend: Backend) {
    let Some(t) = spawn_app(backend, "register_review").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    join(&t, &f, &f.patient.id, &f.gp_actor.practitioner_id, "gp").await;
    let patient = f.patient.id.to_string();
    assert_eq!(
        register(&gp, &patient, "given", REASONS)
            .await
            .status()
            .as_u16(),
        303
    );
    let (_, nurse_member) = nurse_in_team(&t, &f, "nia.evans@test.example", ("Nia", "Evans")).await;
    specialist(&t).await;

    // The GP plans a register review for 15:00 (it is 14:30), inviting the specialist nurse and
    // the district nurse.
    let (status, page) = gp.get_text("/meetings").await;
    assert_eq!(status, 200);
    let sam = option_value(&page, "Sam Patel —");
    let nia = option_value(&page, "Nia Evans —");
    let planned = post(
        &gp,
        "/meetings",
        "/meetings",
        &[
            ("kind", "register-review"),
            ("title", "November register review"),
            ("mode", "in-person"),
            ("starts_at", "2026-11-20T15:00"),
            ("minutes", "60"),
            ("place", "Ashby Health Centre, meeting room 2"),
            ("invite", &sam),
            ("invite", &nia),
        ],
    )
    .await;
    assert_eq!(planned.status().as_u16(), 303);
    let meeting = location(&planned);
    let (status, page) = gp.get_text(&meeting).await;
    assert_eq!(status, 200);
    assert!(page.contains("November register review"));
    assert!(page.contains("Sam Patel") && page.contains("Nia Evans"));
    // The practice's register is on the agenda, with the patient not ready for out of hours.
    assert!(
        page.contains(&format!("id=\"patient-{patient}\"")),
        "{page}"
    );
    assert!(page.contains("Attendance is recorded once the meeting has started."));
    assert!(
        !page.contains("Record the decision"),
        "no minutes before the meeting"
    );
    // It is on everyone's "My work", the specialist's too.
    let sam_client = t.signed_in(SPECIALIST, PASSWORD).await;
    let (_, home) = sam_client.get_text("/").await;
    assert!(home.contains("November register review"), "{home}");
    // But the specialist is not in the patient's care team: the patient is not named to her.
    let (status, page) = sam_client.get_text(&meeting).await;
    assert_eq!(status, 200);
    assert!(!page.contains(&format!("patient-{patient}")));
    assert!(page.contains("1 more on the agenda whose care team you are not in"));

    // Too early for minutes.
    let agenda = format!("{meeting}/agenda/{patient}");
    let early = post(
        &gp,
        &meeting,
        &format!("{agenda}/decisions"),
        &[("decision", "Too soon"), ("section", "")],
    )
    .await;
    assert_eq!(early.status().as_u16(), 422);
    assert!(early.text().await.unwrap().contains("has not started yet"));

    // At 15:05 the GP records who attended: the GP and the district nurse only — not a case
    // conference. Corrected to include the specialist, it is one.
    t.clock.advance(SignedDuration::from_mins(20));
    let _ = gp.get_text("/").await;
    t.clock.advance(SignedDuration::from_mins(15));
    let (_, page) = gp.get_text(&meeting).await;
    let role_of = |name: &str| {
        let row = page.find(&format!("<td>{name}</td>")).unwrap();
        let at = page[row..].find("name=\"attended\" value=\"").unwrap() + row + 23;
        let end = page[at..].find('"').unwrap() + at;
        page[at..end].to_owned()
    };
    let (gp_attended, sam_attended, nia_attended) = (
        role_of("Test gp"),
        role_of("Sam Patel"),
        role_of("Nia Evans"),
    );
    let held = post(
        &gp,
        &meeting,
        &format!("{meeting}/attendance"),
        &[
            ("attended", &gp_attended),
            ("attended", &nia_attended),
            ("add", ""),
        ],
    )
    .await;
    assert_eq!(held.status().as_u16(), 303);
    let (_, page) = gp.get_text(&meeting).await;
    assert!(!page.contains("tag--ok\">Case conference"), "{page}");
    assert_eq!(
        post(
            &gp,
            &meeting,
            &format!("{meeting}/attendance"),
            &[
                ("attended", &gp_attended),
                ("attended", &sam_attended),
                ("add", "")
            ],
        )
        .await
        .status()
        .as_u16(),
        303
    );
    let (_, page) = gp.get_text(&meeting).await;
    assert!(page.contains("tag--ok\">Case conference"), "{page}");

    // A decision that changes the crisis plan goes on to the section's form, carrying it.
    let decided = post(
        &gp,
        &meeting,
        &format!("{agenda}/decisions"),
        &[
            (
                "decision",
                "Stay at home; district nurses give breakthrough doses at night",
            ),
            ("section", "crisis-plan"),
        ],
    )
    .await;
    assert_eq!(decided.status().as_u16(), 303);
    let form = location(&decided);
    assert!(form.starts_with(&format!("/patients/{patient}/plan/crisis-plan?decision=")));
    let decision = form.rsplit('=').next().unwrap().to_owned();
    let (status, page) = gp.get_text(&form).await;
    assert_eq!(status, 200);
    assert!(page.contains("Carrying out a meeting decision"));
    assert!(page.contains("Meeting decision: Stay at home"));
    let token = csrf_token_in(&page).unwrap();
    let crisis = [
        ("csrf_token", token.as_str()),
        ("base_version", "0"),
        ("decision", decision.as_str()),
        ("likely", "Increasing breathlessness, especially at night"),
        (
            "what_to_do",
            "Breakthrough morphine 2.5 mg s/c; call the district nurses",
        ),
        ("call_first", "Ashby district nurses 01632 960 222"),
        ("admission", "no"),
        ("gp_verifies_death", "yes"),
        ("summary", "Meeting decision: stay at home"),
        ("review_by", ""),
    ];
    let saved = gp
        .post_form(&format!("/patients/{patient}/plan/crisis-plan"), &crisis)
        .await;
    assert_eq!(saved.status().as_u16(), 303);
    assert_eq!(location(&saved), format!("{meeting}#patient-{patient}"));
    let (_, page) = gp.get_text(&meeting).await;
    assert!(
        page.contains("Crisis plan for out of hours updated: plan version 1"),
        "{page}"
    );
    assert!(!page.contains("plan not updated yet"));
    // The decision cannot be carried out twice.
    let mut again = crisis.to_vec();
    again[1] = ("base_version", "1");
    let twice = gp
        .post_form(&format!("/patients/{patient}/plan/crisis-plan"), &again)
        .await;
    assert_eq!(twice.status().as_u16(), 422);
    let (_, plan) = gp.get_text(&format!("/patients/{patient}/plan")).await;
    assert!(plan.contains("Breakthrough morphine 2.5 mg s/c"));

    // Notes, and an action for the district nurse due at 17:00.
    assert_eq!(
        post(
            &gp,
            &meeting,
            &format!("{agenda}/notes"),
            &[(
                "notes",
                "Breathless at night; daughter tired.\nCarer support offered."
            )],
        )
        .await
        .status()
        .as_u16(),
        303
    );
    let owner = format!("member:{}", nurse_member.id);
    let acted = post(
        &gp,
        &meeting,
        &format!("{agenda}/actions"),
        &[
            ("title", "Check the breakthrough doses are in the home"),
            ("owner", &owner),
            ("due_at", "2026-11-20T17:00"),
        ],
    )
    .await;
    assert_eq!(acted.status().as_u16(), 303);
    let (_, page) = gp.get_text(&meeting).await;
    assert!(page.contains("daughter tired.\nCarer support offered."));
    assert!(page.contains("Check the breakthrough doses are in the home"));
    let nurse = t.signed_in("nia.evans@test.example", PASSWORD).await;
    let (_, tasks) = nurse.get_text("/tasks").await;
    assert!(tasks.contains("Check the breakthrough doses are in the home"));
    assert!(tasks.contains("From a meeting"), "{tasks}");
    assert!(tasks.contains(&format!("{meeting}#patient-{patient}")));

    // Not done by 17:00 (it is 15:05): it escalates once, and shows as overdue in the meeting.
    for _ in 0..4 {
        t.clock.advance(SignedDuration::from_mins(25));
        let _ = gp.get_text("/").await;
    }
    assert_eq!(
        t.app.escalate_overdue_tasks().await.unwrap(),
        0,
        "not due yet"
    );
    t.clock.advance(SignedDuration::from_mins(20));
    assert_eq!(t.app.escalate_overdue_tasks().await.unwrap(), 1);
    let (_, page) = gp.get_text(&meeting).await;
    assert!(page.contains("tag tag--warn\">overdue"), "{page}");
    let (_, notices) = gp.get_text("/notices").await;
    assert!(notices.contains("is still open"), "{notices}");

    // Reading the meeting is reading the patient's record: each view is audited.
    let trail = |t: &TestApp| {
        let store = t.app.store().clone();
        let patient = f.patient.id.clone();
        async move {
            let mut tx = store.begin_read().await.unwrap();
            tx.audit_of_patient(&patient, 10_000).await.unwrap()
        }
    };
    let before = trail(&t).await;
    assert_eq!(gp.get_text(&meeting).await.0, 200);
    let after = trail(&t).await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(
        after[0],
        (
            "read".to_owned(),
            "allowed".to_owned(),
            Some(f.gp_actor.user_id.to_string())
        )
    );
}

async fn meetings_refuse_outsiders_and_bad_input(backend: Backend) {
    let Some(t) = spawn_app(backend, "meetings_refused").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    join(&t, &f, &f.patient.id, &f.gp_actor.practitioner_id, "gp").await;
    let patient = f.patient.id.to_string();
    register(&gp, &patient, "given", REASONS).await;

    // Bad input: nothing is planned, the form says why.
    for (fields, message) in [
        (
            vec![
                ("kind", "party"),
                ("mode", "in-person"),
                ("starts_at", "2026-11-21T10:00"),
                ("place", "Room"),
            ],
            "Choose the kind of meeting.",
        ),
        (
            vec![
                ("kind", "mdt"),
                ("mode", "video"),
                ("starts_at", "2026-11-21T10:00"),
                ("place", ""),
            ],
            "Give the link of the video call.",
        ),
        (
            vec![
                ("kind", "mdt"),
                ("mode", "phone"),
                ("starts_at", "tomorrow"),
                ("place", "0300 123"),
            ],
            "Give the date and time",
        ),
        (
            vec![
                ("kind", "mdt"),
                ("mode", "phone"),
                ("starts_at", "2026-11-21T10:00"),
                ("place", "0300 123"),
                ("invite", "no-such-role"),
            ],
            "Choose the people to invite from the list.",
        ),
    ] {
        let response = post(&gp, "/meetings", "/meetings", &fields).await;
        assert_eq!(response.status().as_u16(), 422);
        assert!(
            response.text().await.unwrap().contains(message),
            "{message}"
        );
    }
    let (_, page) = gp.get_text("/meetings").await;
    assert!(page.contains("No meetings planned."));

    // A case conference at 14:35 (minutes open at once).
    let planned = post(
        &gp,
        "/meetings",
        "/meetings",
        &[
            ("kind", "case-conference"),
            ("mode", "video"),
            ("starts_at", "2026-11-20T14:35"),
            ("place", "https://video.example/ashby"),
        ],
    )
    .await;
    assert_eq!(planned.status().as_u16(), 303);
    let meeting = location(&planned);
    let (_, page) = gp.get_text(&meeting).await;
    assert!(
        page.contains("No patients on the agenda yet."),
        "only a register review fills it"
    );
    assert!(page.contains("href=\"https://video.example/ashby\""));
    let added = post(
        &gp,
        &meeting,
        &format!("{meeting}/agenda"),
        &[("patient", &patient)],
    )
    .await;
    assert_eq!(added.status().as_u16(), 303);
    let again = post(
        &gp,
        &meeting,
        &format!("{meeting}/agenda"),
        &[("patient", &patient)],
    )
    .await;
    assert_eq!(again.status().as_u16(), 422);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("on the agenda already")
    );

    // Someone from another practice neither sees the meeting nor writes in it.
    let outsider = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    assert_eq!(outsider.get_text(&meeting).await.0, 404);
    let (_, own) = outsider.get_text("/meetings").await;
    let token = csrf_token_in(&own).unwrap();
    let written = outsider
        .post_form(
            &format!("{meeting}/agenda/{patient}/notes"),
            &[
                ("csrf_token", token.as_str()),
                ("notes", "Not mine to write"),
            ],
        )
        .await;
    assert_eq!(written.status().as_u16(), 403);

    // Held with the GP alone, it says why it was not a case conference.
    t.clock.advance(SignedDuration::from_mins(10));
    let (_, page) = gp.get_text(&meeting).await;
    let at = page.find("name=\"attended\" value=\"").unwrap() + 23;
    let role = page[at..at + page[at..].find('"').unwrap()].to_owned();
    let held = post(
        &gp,
        &meeting,
        &format!("{meeting}/attendance"),
        &[("attended", &role)],
    )
    .await;
    assert_eq!(held.status().as_u16(), 303);
    let (_, page) = gp.get_text(&meeting).await;
    assert!(page.contains("not held as one: No specialist palliative care member attended."));
    // Nobody attended: refused.
    let nobody = post(
        &gp,
        &meeting,
        &format!("{meeting}/attendance"),
        &[("add", "")],
    )
    .await;
    assert_eq!(nobody.status().as_u16(), 422);
    // An empty decision, a decision for a section the role does not record.
    let empty = post(
        &gp,
        &meeting,
        &format!("{meeting}/agenda/{patient}/decisions"),
        &[("decision", "  "), ("section", "")],
    )
    .await;
    assert_eq!(empty.status().as_u16(), 422);
    let unknown = post(
        &gp,
        &meeting,
        &format!("{meeting}/agenda/{patient}/decisions"),
        &[("decision", "x"), ("section", "kitchen")],
    )
    .await;
    assert_eq!(unknown.status().as_u16(), 422);
    // A held meeting cannot be cancelled.
    let cancel = post(&gp, &meeting, &format!("{meeting}/cancel"), &[]).await;
    assert_eq!(cancel.status().as_u16(), 422);
}

on_both_backends!(
    a_register_review_updates_the_plan_and_follows_up_its_actions,
    meetings_refuse_outsiders_and_bad_input,
);
