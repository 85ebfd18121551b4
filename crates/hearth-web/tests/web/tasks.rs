//! Tasks and follow-up: a task set for a role is claimed by a member, shows in "my tasks",
//! escalates once when overdue, and is closed; bad input and outsiders are refused.

use hearth_testkit::{
    Backend, Fixture, PASSWORD, TestApp, TestClient, csrf_token_in, on_both_backends, spawn_app,
};
use jiff::SignedDuration;

use crate::care_team::{join, nurse_in_team};
use crate::register::{REASONS, register};

const NURSE: &str = "tom.reid@test.example";

/// The fixture's patient on the register with the GP (coordinating) and a district nurse.
async fn team(t: &TestApp, f: &Fixture) -> (String, TestClient, TestClient) {
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    join(t, f, &f.patient.id, &f.gp_actor.practitioner_id, "gp").await;
    let patient = f.patient.id.to_string();
    assert_eq!(
        register(&gp, &patient, "given", REASONS)
            .await
            .status()
            .as_u16(),
        303
    );
    nurse_in_team(t, f, NURSE, ("Tom", "Reid")).await;
    let nurse = t.signed_in(NURSE, PASSWORD).await;
    (patient, gp, nurse)
}

async fn set_task(client: &TestClient, patient: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let (_, page) = client.get_text(&format!("/patients/{patient}/tasks")).await;
    let token = csrf_token_in(&page).expect("the page has a form");
    let mut form = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    let response = client
        .post_form(&format!("/patients/{patient}/tasks"), &form)
        .await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Posts a change (claim, done, cancel) of the first task whose row holds `title`, from `page`.
async fn change(client: &TestClient, page: &str, title: &str, what: &str) -> u16 {
    let (_, html) = client.get_text(page).await;
    let token = csrf_token_in(&html).unwrap();
    let row = html.find(title).expect("the task is listed");
    let marker = format!("/{what}\" class=\"inline-form\"");
    let end = html[row..].find(&marker).expect("the action is offered") + row;
    let start = html[..end].rfind("action=\"").unwrap() + "action=\"".len();
    let path = format!("{}/{what}", &html[start..end]);
    client
        .post_form(&path, &[("csrf_token", token.as_str()), ("back", "/tasks")])
        .await
        .status()
        .as_u16()
}

async fn a_role_task_is_claimed_escalates_when_overdue_and_is_done(backend: Backend) {
    let Some(t) = spawn_app(backend, "tasks_story").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let (patient, gp, nurse) = team(&t, &f).await;
    let (status, _) = set_task(
        &gp,
        &patient,
        &[
            ("title", "Check the syringe driver site"),
            ("owner", "role:district-nurse"),
            ("due_at", "2026-11-20T15:00"),
            ("source", "plan-review"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = gp.get_text(&format!("/patients/{patient}/tasks")).await;
    assert!(page.contains("Check the syringe driver site"));
    assert!(page.contains("Any district nurse in the team"));

    // The nurse sees it among her team's tasks and claims it.
    let (_, tasks) = nurse.get_text("/tasks").await;
    let team_part = &tasks[tasks
        .find("My team&#39;s tasks")
        .or(tasks.find("My team's tasks"))
        .unwrap()..];
    assert!(
        team_part.contains("Check the syringe driver site"),
        "{tasks}"
    );
    assert!(tasks.contains("No open tasks of yours."));
    assert_eq!(
        change(&nurse, "/tasks", "Check the syringe driver site", "claim").await,
        303
    );
    let (_, tasks) = nurse.get_text("/tasks").await;
    assert!(tasks.contains("No open tasks for your team."), "{tasks}");
    assert!(!tasks.contains("No open tasks of yours."));

    // Overdue: it escalates once, to the nurse who owns it and to the coordinating GP.
    assert_eq!(t.app.escalate_overdue_tasks().await.unwrap(), 0);
    t.clock.advance(SignedDuration::from_mins(31));
    assert_eq!(t.app.escalate_overdue_tasks().await.unwrap(), 1);
    assert_eq!(t.app.escalate_overdue_tasks().await.unwrap(), 0, "once");
    let nurse = t.signed_in(NURSE, PASSWORD).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    for client in [&nurse, &gp] {
        let (_, notices) = client.get_text("/notices").await;
        assert_eq!(notices.matches("is still open").count(), 1, "{notices}");
    }
    let (_, tasks) = nurse.get_text("/tasks").await;
    assert!(
        tasks.contains("<span class=\"tag tag--warn\">overdue</span>"),
        "{tasks}"
    );

    // Done: it leaves her list and shows as done on the patient's page.
    assert_eq!(
        change(&nurse, "/tasks", "Check the syringe driver site", "done").await,
        303
    );
    let (_, tasks) = nurse.get_text("/tasks").await;
    assert!(tasks.contains("No open tasks of yours."));
    let (_, page) = gp.get_text(&format!("/patients/{patient}/tasks")).await;
    assert!(page.contains("Done"));
    assert!(!page.contains(">overdue<"));
}

async fn bad_tasks_and_outsiders_are_refused(backend: Backend) {
    let Some(t) = spawn_app(backend, "tasks_refused").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let (patient, gp, _nurse) = team(&t, &f).await;
    for (fields, message) in [
        (
            vec![
                ("title", "Bed"),
                ("owner", "role:district-nurse"),
                ("due_at", "2026-11-19T09:00"),
            ],
            "already passed",
        ),
        (
            vec![
                ("title", " "),
                ("owner", "role:district-nurse"),
                ("due_at", "2026-11-21T09:00"),
            ],
            "The task is required",
        ),
        (
            vec![
                ("title", "Bed"),
                ("owner", "role:physiotherapist"),
                ("due_at", "2026-11-21T09:00"),
            ],
            "Nobody in the care team holds that role",
        ),
        (
            vec![
                ("title", "Bed"),
                ("owner", "role:district-nurse"),
                ("due_at", ""),
            ],
            "Say by when",
        ),
    ] {
        let (status, page) = set_task(&gp, &patient, &fields).await;
        assert_eq!(status, 422, "{fields:?}");
        assert!(page.contains(message), "{message}: {page}");
    }
    let (_, page) = gp.get_text(&format!("/patients/{patient}/tasks")).await;
    assert!(page.contains("No tasks for this patient yet."));
    let outsider = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    let (status, _) = outsider
        .get_text(&format!("/patients/{patient}/tasks"))
        .await;
    assert_eq!(status, 403);
}

on_both_backends!(
    a_role_task_is_claimed_escalates_when_overdue_and_is_done,
    bad_tasks_and_outsiders_are_refused,
);
