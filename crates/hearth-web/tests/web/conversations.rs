//! Talking together: a district nurse's urgent message to the GP with a reply-by time, read
//! receipts, the inbox, replies, escalation of an unanswered reply-by, "let's talk" calls, live
//! updates (also between two nodes sharing PostgreSQL), and the refusals.

use std::time::Duration;

use hearth_testkit::{
    Backend, Fixture, PASSWORD, TestApp, TestClient, csrf_token_in, on_both_backends, spawn_app,
};
use jiff::SignedDuration;

use crate::care_team::{join, nurse_in_team};
use crate::register::{REASONS, register};

/// The fixture's patient on the register with the GP (coordinator) and a district nurse of the
/// same practice in the team; signed-in clients for both and the patient's id.
pub(crate) struct Team {
    pub(crate) patient: String,
    pub(crate) gp: TestClient,
    pub(crate) nurse: TestClient,
    pub(crate) gp_member: String,
}

pub(crate) async fn team(t: &TestApp, f: &Fixture) -> Team {
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let gp_member = join(t, f, &f.patient.id, &f.gp_actor.practitioner_id, "gp").await;
    let patient = f.patient.id.to_string();
    assert_eq!(
        register(&gp, &patient, "given", REASONS)
            .await
            .status()
            .as_u16(),
        303
    );
    nurse_in_team(t, f, "nia.evans@test.example", ("Nia", "Evans")).await;
    let nurse = t.signed_in("nia.evans@test.example", PASSWORD).await;
    Team {
        patient,
        gp,
        nurse,
        gp_member: gp_member.id,
    }
}

/// Starts a conversation as `client`; the response.
pub(crate) async fn start(
    client: &TestClient,
    patient: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (_, page) = client
        .get_text(&format!("/patients/{patient}/conversations"))
        .await;
    let token = csrf_token_in(&page).expect("the page has a form");
    let mut form = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    client
        .post_form(&format!("/patients/{patient}/conversations"), &form)
        .await
}

/// Posts `fields` to `path` with the CSRF token from the page at `page`.
async fn post(client: &TestClient, page: &str, path: &str, fields: &[(&str, &str)]) -> u16 {
    let (_, html) = client.get_text(page).await;
    let token = csrf_token_in(&html).expect("the page has a form");
    let mut form = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    client.post_form(path, &form).await.status().as_u16()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn an_urgent_message_is_read_answered_and_talked_about(backend: Backend) {
    let Some(t) = spawn_app(backend, "conversation_story").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let team = team(&t, &f).await;
    let gp_to = format!("member:{}", team.gp_member);

    // The nurse sends an urgent message with a reply-by time to the GP.
    let sent = start(
        &team.nurse,
        &team.patient,
        &[
            ("topic", "Pain at night"),
            ("to", &gp_to),
            (
                "body",
                "Edith's pain is worse at night.\nCan we increase the morphine?",
            ),
            ("urgency", "urgent"),
            ("reply_by", "2026-11-20T15:30"),
            ("section", "anticipatory-medicines"),
        ],
    )
    .await;
    assert_eq!(sent.status().as_u16(), 303);
    let thread = location(&sent);
    assert!(thread.starts_with(&format!("/patients/{}/conversations/", team.patient)));

    // The GP's inbox has it, urgent and unread, with its reply-by time.
    let (status, inbox) = team.gp.get_text("/inbox").await;
    assert_eq!(status, 200);
    assert!(inbox.contains("Pain at night"), "{inbox}");
    assert!(inbox.contains("Urgent") && inbox.contains("unread"));
    assert!(inbox.contains("reply by 20 Nov 2026 15:30"));
    assert!(
        inbox.contains("s pain is worse at night."),
        "the first line, at a glance"
    );
    assert!(
        !inbox.contains("increase the morphine"),
        "only the first line"
    );

    // The nurse sees it is not read yet; the GP opens it; the nurse sees the receipt.
    let (_, page) = team.nurse.get_text(&thread).await;
    assert!(page.contains("Not read yet by Test gp"), "{page}");
    let (status, page) = team.gp.get_text(&thread).await;
    assert_eq!(status, 200);
    assert!(page.contains("Can we increase the morphine?"));
    assert!(page.contains("Plan: Anticipatory medicines"));
    let (_, page) = team.nurse.get_text(&thread).await;
    assert!(
        page.contains("Read by Test gp (20 Nov 2026 14:30)"),
        "{page}"
    );
    assert!(!page.contains("Not read yet"));

    // Read but unanswered, it still waits in the GP's inbox for a reply.
    let (_, inbox) = team.gp.get_text("/inbox").await;
    assert!(inbox.contains("Pain at night") && !inbox.contains("unread"));

    // The GP asks for a call instead of writing back, proposing two times.
    assert_eq!(
        post(
            &team.gp,
            &thread,
            &format!("{thread}/talk"),
            &[
                ("mode", "phone"),
                ("time_1", "2026-11-20T16:00"),
                ("time_2", "2026-11-20T17:00")
            ],
        )
        .await,
        303
    );
    // The request is an answer: the GP's inbox no longer asks for a reply.
    let (_, inbox) = team.gp.get_text("/inbox").await;
    assert!(!inbox.contains("Pain at night"), "{inbox}");
    // The nurse is asked to pick a time, in her inbox and in the thread.
    let (_, inbox) = team.nurse.get_text("/inbox").await;
    assert!(inbox.contains("asks for a phone call"), "{inbox}");
    let (_, page) = team.nurse.get_text(&thread).await;
    assert!(
        page.contains("s talk: I would rather discuss this by phone call"),
        "{page}"
    );
    let choice = page
        .split("name=\"time\" value=\"")
        .nth(2)
        .and_then(|rest| rest.split('"').next())
        .expect("two times to pick from")
        .to_owned();
    assert_eq!(
        post(
            &team.nurse,
            &thread,
            &format!("{thread}/talk/{}/agree", talk_id(&page)),
            &[("time", &choice)]
        )
        .await,
        303
    );
    // On both calendars.
    for client in [&team.gp, &team.nurse] {
        let (_, inbox) = client.get_text("/inbox").await;
        assert!(
            inbox.contains("<strong>20 Nov 2026 17:00</strong> · Phone call"),
            "{inbox}"
        );
    }
    let (_, page) = team.gp.get_text(&thread).await;
    assert!(page.contains("Agreed for 20 Nov 2026 17:00"));
    assert!(
        !page.contains("This is urgent and involves"),
        "no suggestion to talk while a call is agreed"
    );

    // After the call, the outcome; refused before it.
    let outcome_path = format!("{thread}/talk/{}/outcome", talk_id(&page));
    let outcome = [("outcome", "Agreed to increase the morphine to 5 mg.")];
    assert_eq!(post(&team.gp, &thread, &outcome_path, &outcome).await, 422);
    t.clock.advance(SignedDuration::from_mins(160));
    // Sessions end after 30 idle minutes: sign in again after the call.
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    assert_eq!(post(&gp, &thread, &outcome_path, &outcome).await, 303);
    let nurse = t.signed_in("nia.evans@test.example", PASSWORD).await;
    let team = Team { nurse, ..team };
    let (_, page) = team.nurse.get_text(&thread).await;
    assert!(page.contains("Outcome:</strong> Agreed to increase the morphine to 5 mg."));
    t.assert_projections_current().await;
}

/// The id of the first call on a conversation page.
fn talk_id(page: &str) -> String {
    let at = page.find("/talk/").expect("a call on the page") + "/talk/".len();
    page[at..].split('/').next().unwrap().to_owned()
}

async fn an_unanswered_reply_by_escalates_once(backend: Backend) {
    let Some(t) = spawn_app(backend, "conversation_escalation").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let team = team(&t, &f).await;
    let sent = start(
        &team.gp,
        &team.patient,
        &[
            ("topic", "Syringe driver"),
            ("to", "role:district-nurse"),
            ("body", "Please check the syringe driver on your visit."),
            ("urgency", "today"),
            ("reply_by", "2026-11-20T14:45"),
        ],
    )
    .await;
    assert_eq!(sent.status().as_u16(), 303);
    assert_eq!(
        t.app.escalate_overdue_replies().await.unwrap(),
        0,
        "not due yet"
    );
    t.clock.advance(SignedDuration::from_mins(16));
    assert_eq!(t.app.escalate_overdue_replies().await.unwrap(), 1);
    assert_eq!(
        t.app.escalate_overdue_replies().await.unwrap(),
        0,
        "each message escalates once"
    );
    // The GP wrote it and coordinates: one notice, naming no clinical detail.
    let (_, notices) = team.gp.get_text("/notices").await;
    assert_eq!(
        notices.matches("has not been answered").count(),
        1,
        "{notices}"
    );
    assert!(!notices.contains("syringe"), "{notices}");

    // An answered message does not escalate.
    let thread = location(
        &start(
            &team.gp,
            &team.patient,
            &[
                ("topic", "Bed delivery"),
                ("to", "role:district-nurse"),
                ("body", "Has the bed arrived?"),
                ("urgency", "routine"),
                ("reply_by", "2026-11-20T15:00"),
            ],
        )
        .await,
    );
    assert_eq!(
        post(
            &team.nurse,
            &thread,
            &thread,
            &[("body", "Yes, this morning."), ("urgency", "routine")]
        )
        .await,
        303
    );
    t.clock.advance(SignedDuration::from_hours(2));
    assert_eq!(t.app.escalate_overdue_replies().await.unwrap(), 0);
}

async fn bad_messages_and_outsiders_are_refused(backend: Backend) {
    let Some(t) = spawn_app(backend, "conversation_refusals").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let team = team(&t, &f).await;
    let gp_to = format!("member:{}", team.gp_member);
    for (fields, message) in [
        (
            vec![("topic", "Hello"), ("body", "Hi"), ("urgency", "routine")],
            "Choose at least one person",
        ),
        (
            vec![
                ("topic", "Hello"),
                ("to", gp_to.as_str()),
                ("body", "Hi"),
                ("urgency", "routine"),
                ("reply_by", "2026-11-20T09:00"),
            ],
            "already passed",
        ),
        (
            vec![
                ("topic", "Hello"),
                ("to", gp_to.as_str()),
                ("body", "Hi"),
                ("urgency", "routine"),
                ("reply_by", "next tuesday"),
            ],
            "date and time",
        ),
        (
            vec![
                ("topic", " "),
                ("to", gp_to.as_str()),
                ("body", "Hi"),
                ("urgency", "routine"),
            ],
            "The topic is required",
        ),
    ] {
        let response = start(&team.nurse, &team.patient, &fields).await;
        assert_eq!(response.status().as_u16(), 422, "{fields:?}");
        assert!(
            response.text().await.unwrap().contains(message),
            "{message}"
        );
    }
    let (_, list) = team
        .nurse
        .get_text(&format!("/patients/{}/conversations", team.patient))
        .await;
    assert!(list.contains("No conversations about this patient yet."));

    // Someone outside the care team can neither read nor write.
    let thread = location(
        &start(
            &team.nurse,
            &team.patient,
            &[
                ("topic", "Visit"),
                ("to", &gp_to),
                ("body", "Visited."),
                ("urgency", "routine"),
            ],
        )
        .await,
    );
    let outsider = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    let (status, page) = outsider.get_text(&thread).await;
    assert_eq!(status, 403, "{page}");
    assert!(!page.contains("Visited."));
    let (status, _) = outsider.get_text("/inbox").await;
    assert_eq!(status, 200);
    // An unknown conversation is not found.
    let (status, _) = team
        .gp
        .get_text(&format!("/patients/{}/conversations/nope", team.patient))
        .await;
    assert_eq!(status, 404);
}

/// Reads the SSE stream until a `change` event arrives or `wait` passes.
async fn change_arrives(response: &mut reqwest::Response, wait: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + wait;
    let mut seen = String::new();
    while tokio::time::Instant::now() < deadline {
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Ok(Ok(Some(bytes))) => {
                seen.push_str(&String::from_utf8_lossy(&bytes));
                // Browsers dispatch an event only when it has data.
                if seen.contains("event: change\ndata: changed") {
                    return true;
                }
            }
            _ => return false,
        }
    }
    false
}

async fn a_message_reaches_the_open_page_live(backend: Backend) {
    let Some(t) = spawn_app(backend, "conversation_live").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let team = team(&t, &f).await;
    let mut events = team.gp.get("/live").await;
    assert_eq!(events.status().as_u16(), 200);
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    // A message to someone else does not disturb the GP's page.
    let sent = start(
        &team.gp,
        &team.patient,
        &[
            ("topic", "For the nurses"),
            ("to", "role:district-nurse"),
            ("body", "FYI"),
            ("urgency", "routine"),
        ],
    )
    .await;
    assert_eq!(sent.status().as_u16(), 303);
    // The GP's own message announces to the GP too (their other open pages); drain it.
    assert!(change_arrives(&mut events, Duration::from_secs(5)).await);
    let gp_to = format!("member:{}", team.gp_member);
    start(
        &team.nurse,
        &team.patient,
        &[
            ("topic", "Urgent"),
            ("to", &gp_to),
            ("body", "Call me"),
            ("urgency", "urgent"),
        ],
    )
    .await;
    assert!(
        change_arrives(&mut events, Duration::from_secs(5)).await,
        "the GP's open page hears of the nurse's message"
    );
}

async fn a_message_sent_through_one_node_reaches_a_page_on_another() {
    let Some(t) = spawn_app(Backend::Postgres, "conversation_two_nodes").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let team = team(&t, &f).await;
    let node_b = t.second_node().await;
    let gp_on_b = node_b.client();
    assert_eq!(
        gp_on_b
            .sign_in(&f.gp.email, &f.gp.password)
            .await
            .status()
            .as_u16(),
        303
    );
    let mut events = gp_on_b.get("/live").await;
    assert_eq!(events.status().as_u16(), 200);
    // Give node B's listener a moment to be connected before the change commits.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let gp_to = format!("member:{}", team.gp_member);
    let sent = start(
        &team.nurse,
        &team.patient,
        &[
            ("topic", "From node A"),
            ("to", &gp_to),
            ("body", "Hello"),
            ("urgency", "urgent"),
        ],
    )
    .await;
    assert_eq!(sent.status().as_u16(), 303);
    assert!(
        change_arrives(&mut events, Duration::from_secs(10)).await,
        "node B's open page hears of the message sent through node A"
    );
    let (_, inbox) = gp_on_b.get_text("/inbox").await;
    assert!(inbox.contains("From node A"));
}

async fn the_inbox_lists_handovers_to_accept_and_plans_to_read(backend: Backend) {
    let Some(t) = spawn_app(backend, "inbox_handovers_and_plans").await else {
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
    let (_, member) = nurse_in_team(&t, &f, "ana.lopez@test.example", ("Ana", "Lopez")).await;
    let nurse = t.signed_in("ana.lopez@test.example", PASSWORD).await;
    let (_, inbox) = nurse.get_text("/inbox").await;
    assert!(inbox.contains("No handovers to accept and no changed care plans to read."));

    // The GP changes the crisis plan (a significant change) and proposes the nurse as coordinator;
    // the nurse's open page hears of each at once.
    let mut events = nurse.get("/live").await;
    let (_, form) = gp
        .get_text(&format!("/patients/{patient}/plan/crisis-plan"))
        .await;
    let token = csrf_token_in(&form).unwrap();
    let (status, _) =
        crate::plan::save_crisis_plan(&gp, &patient, &token, "0", "Morphine 2.5 mg s/c").await;
    assert_eq!(status, 303);
    assert!(
        change_arrives(&mut events, Duration::from_secs(5)).await,
        "the plan change"
    );
    t.app
        .propose_coordinator(&f.gp_actor, &f.patient.id, &member.id)
        .await
        .unwrap();
    assert!(
        change_arrives(&mut events, Duration::from_secs(5)).await,
        "the handover"
    );
    let (_, inbox) = nurse.get_text("/inbox").await;
    assert!(
        inbox.contains("you are asked to take over as coordinator"),
        "{inbox}"
    );
    assert!(
        inbox.contains("the care plan changed (version 1)"),
        "{inbox}"
    );
    // The GP, who made the change and proposed the handover, has neither waiting.
    let (_, inbox) = gp.get_text("/inbox").await;
    assert!(!inbox.contains("take over as coordinator"));

    // Once the nurse acknowledges the plan, it leaves her inbox.
    let (_, plan) = nurse.get_text(&format!("/patients/{patient}/plan")).await;
    let token = csrf_token_in(&plan).unwrap();
    let version = plan
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("1")
        .to_owned();
    let read = nurse
        .post_form(
            &format!("/patients/{patient}/plan/read"),
            &[
                ("csrf_token", token.as_str()),
                ("version", version.as_str()),
            ],
        )
        .await;
    assert_eq!(read.status().as_u16(), 303);
    let (_, inbox) = nurse.get_text("/inbox").await;
    assert!(!inbox.contains("the care plan changed"), "{inbox}");
}

#[tokio::test]
async fn two_nodes_share_live_updates_through_postgres() {
    a_message_sent_through_one_node_reaches_a_page_on_another().await;
}

async fn a_mention_brings_a_colleague_in_and_a_message_links_a_task(backend: Backend) {
    let Some(t) = spawn_app(backend, "mentions").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let team = team(&t, &f).await;
    nurse_in_team(&t, &f, "ola.berg@test.example", ("Ola", "Berg")).await;
    let ola = t.signed_in("ola.berg@test.example", PASSWORD).await;
    let gp_to = format!("member:{}", team.gp_member);

    // Addressed to the GP, mentioning Ola: she receives it too.
    let sent = start(
        &team.nurse,
        &team.patient,
        &[
            ("topic", "Evening visit"),
            ("to", &gp_to),
            ("body", "Could @ola berg take the evening visit tonight?"),
            ("urgency", "today"),
        ],
    )
    .await;
    assert_eq!(sent.status().as_u16(), 303);
    let thread = location(&sent);
    let (_, inbox) = ola.get_text("/inbox").await;
    assert!(inbox.contains("Evening visit"), "{inbox}");
    let (_, page) = team.nurse.get_text(&thread).await;
    assert!(page.contains("Not read yet by"));
    assert!(page.contains("Ola Berg"), "{page}");

    // A reply about a task links it; a task that is not the patient's is refused.
    let task = t
        .app
        .create_task(
            &f.gp_actor,
            &f.patient.id,
            hearth_app::NewTask {
                owner: gp_to.clone(),
                draft: hearth_domain::task::TaskDraft {
                    title: "Review the evening medicines".into(),
                    due_at: Some(t.app.now() + SignedDuration::from_hours(3)),
                    ..Default::default()
                },
            },
        )
        .await
        .unwrap();
    let (_, page) = team.gp.get_text(&thread).await;
    assert!(
        page.contains("Review the evening medicines"),
        "offered as a task to link"
    );
    let status = post(
        &team.gp,
        &thread,
        &thread,
        &[
            ("body", "Yes, see the task."),
            ("urgency", "routine"),
            ("task", &task),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = team.nurse.get_text(&thread).await;
    assert!(
        page.contains("Task: Review the evening medicines"),
        "{page}"
    );
    for bad in ["no-such-task", "not an id!"] {
        let status = post(
            &team.gp,
            &thread,
            &thread,
            &[("body", "Again"), ("urgency", "routine"), ("task", bad)],
        )
        .await;
        assert_eq!(status, 422, "{bad}");
    }
}

on_both_backends!(
    a_mention_brings_a_colleague_in_and_a_message_links_a_task,
    an_urgent_message_is_read_answered_and_talked_about,
    an_unanswered_reply_by_escalates_once,
    bad_messages_and_outsiders_are_refused,
    a_message_reaches_the_open_page_live,
    the_inbox_lists_handovers_to_accept_and_plans_to_read,
);
