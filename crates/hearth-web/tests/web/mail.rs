//! E-mail notification of urgent items, against a local SMTP test server: an urgent message, an
//! unanswered reply-by time and an overdue task each e-mail the people concerned with a link to
//! the inbox — and no clinical content; a relay that refuses is retried; without e-mail settings
//! nothing is queued.

use hearth_app::{AppConfig, MailConfig, NewTask};
use hearth_domain::task::TaskDraft;
use hearth_testkit::{Backend, Fixture, SmtpTestServer, spawn_app, spawn_app_with};
use jiff::SignedDuration;

use crate::conversations::{start, team};

async fn urgent_items_are_emailed_with_a_link_and_no_clinical_content(backend: Backend) {
    let smtp = SmtpTestServer::start().await;
    let config = AppConfig {
        mail: Some(
            MailConfig::new(
                &smtp.address,
                "hearth@ashby.test",
                "https://hearth.ashby.test/",
            )
            .unwrap(),
        ),
        ..AppConfig::default()
    };
    let Some(t) = spawn_app_with(backend, "mail", config, hearth_web::WebConfig::default()).await
    else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let team = team(&t, &f).await;
    let gp_to = format!("member:{}", team.gp_member);

    // A routine message is not e-mailed; an urgent one is, to the GP only.
    for (topic, urgency) in [("Bowels", "routine"), ("Pain at night", "urgent")] {
        let sent = start(
            &team.nurse,
            &team.patient,
            &[
                ("topic", topic),
                ("to", &gp_to),
                (
                    "body",
                    "Edith Carter's pain is worse at night. Oramorph 5 mg not holding.",
                ),
                ("urgency", urgency),
                ("reply_by", "2026-11-20T15:00"),
            ],
        )
        .await;
        assert_eq!(sent.status().as_u16(), 303);
    }
    assert_eq!(t.app.send_pending_mail().await.unwrap(), 1);
    assert_eq!(t.app.send_pending_mail().await.unwrap(), 0, "sent once");
    let first = smtp.received();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].to, [format!("<{}>", f.gp.email)]);
    assert_eq!(first[0].from, "<hearth@ashby.test>");
    assert!(
        first[0]
            .data
            .contains("Subject: Hearth: an urgent message is waiting for you")
    );

    // Both reply-by times pass unanswered: the nurse (author) and the coordinating GP are told,
    // by notice and by e-mail.
    t.clock.advance(SignedDuration::from_mins(31));
    assert_eq!(t.app.escalate_overdue_replies().await.unwrap(), 2);
    // An overdue task of the nurse's.
    let nurse = t
        .app
        .sign_in("nia.evans@test.example", hearth_testkit::PASSWORD)
        .await
        .unwrap()
        .actor;
    let member = t.app.care_team(&f.gp_actor, &f.patient.id).await.unwrap();
    let nurse_member = member
        .team
        .members
        .iter()
        .find(|m| {
            m.member
                == hearth_domain::care_team::Member::Practitioner(nurse.practitioner_id.clone())
        })
        .unwrap()
        .id
        .clone();
    t.app
        .create_task(
            &f.gp_actor,
            &f.patient.id,
            NewTask {
                owner: format!("member:{nurse_member}"),
                draft: TaskDraft {
                    title: "Replace the syringe driver for Edith Carter".into(),
                    due_at: Some(t.app.now() + SignedDuration::from_mins(10)),
                    ..TaskDraft::default()
                },
            },
        )
        .await
        .unwrap();
    t.clock.advance(SignedDuration::from_mins(11));
    assert_eq!(t.app.escalate_overdue_tasks().await.unwrap(), 1);
    let sent = t.app.send_pending_mail().await.unwrap();
    assert!(sent >= 4, "{sent} mails for two replies and a task");
    let all = smtp.received();
    assert_eq!(all.len(), 1 + sent);
    let subjects: Vec<&str> = all
        .iter()
        .filter_map(|m| m.data.lines().find(|l| l.starts_with("Subject: ")))
        .collect();
    assert!(
        subjects.contains(&"Subject: Hearth: a message you sent has not been answered in time")
    );
    assert!(subjects.contains(&"Subject: Hearth: a task is overdue"));
    assert!(
        all.iter()
            .any(|m| m.to == [format!("<{}>", "nia.evans@test.example")]),
        "the nurse is told of her unanswered message and her overdue task"
    );

    // No clinical content in any e-mail: not the patient, not the message, not the task.
    let clinical = [
        "Edith",
        "Carter",
        "943 476 5919",
        "9434765919",
        "Heart failure",
        "Pain at night",
        "Bowels",
        "Oramorph",
        "syringe driver",
        "Mill Lane",
        "QX3",
        f.patient.id.as_str(),
    ];
    for mail in &all {
        for word in clinical {
            assert!(
                !mail.data.to_lowercase().contains(&word.to_lowercase()),
                "an e-mail names {word:?}:\n{}",
                mail.data
            );
        }
        assert!(
            mail.data
                .contains("\r\nhttps://hearth.ashby.test/inbox\r\n"),
            "{}",
            mail.data
        );
    }

    // A relay that refuses: the mail waits and goes at the next run.
    smtp.refuse(true);
    let signed_in = t
        .signed_in("nia.evans@test.example", hearth_testkit::PASSWORD)
        .await;
    let again = start(
        &signed_in,
        &team.patient,
        &[
            ("topic", "Breathless"),
            ("to", &gp_to),
            ("body", "Please ring."),
            ("urgency", "urgent"),
        ],
    )
    .await;
    assert_eq!(again.status().as_u16(), 303);
    assert_eq!(t.app.send_pending_mail().await.unwrap(), 0);
    let mut tx = t.app.store().begin_read().await.unwrap();
    assert_eq!(tx.mail_waiting().await.unwrap(), 1);
    drop(tx);
    smtp.refuse(false);
    assert_eq!(t.app.send_pending_mail().await.unwrap(), 1);
    let mut tx = t.app.store().begin_read().await.unwrap();
    assert_eq!(tx.mail_waiting().await.unwrap(), 0);
}

async fn without_mail_settings_nothing_is_queued(backend: Backend) {
    let Some(t) = spawn_app(backend, "no_mail").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let team = team(&t, &f).await;
    let sent = start(
        &team.nurse,
        &team.patient,
        &[
            ("topic", "Pain"),
            ("to", &format!("member:{}", team.gp_member)),
            ("body", "Please ring."),
            ("urgency", "urgent"),
        ],
    )
    .await;
    assert_eq!(sent.status().as_u16(), 303);
    let mut tx = t.app.store().begin_read().await.unwrap();
    assert_eq!(tx.mail_waiting().await.unwrap(), 0);
    drop(tx);
    assert_eq!(t.app.send_pending_mail().await.unwrap(), 0);
}

async fn an_unreachable_relay_loses_no_mail(backend: Backend) {
    // A port nothing listens on: bind one, note it, close it.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().to_string()
    };
    let config = AppConfig {
        mail: Some(
            MailConfig::new(&closed, "hearth@ashby.test", "https://hearth.ashby.test").unwrap(),
        ),
        ..AppConfig::default()
    };
    let Some(t) = spawn_app_with(
        backend,
        "mail_relay_down",
        config,
        hearth_web::WebConfig::default(),
    )
    .await
    else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let team = team(&t, &f).await;
    for topic in ["Pain", "Breathless"] {
        let sent = start(
            &team.nurse,
            &team.patient,
            &[
                ("topic", topic),
                ("to", &format!("member:{}", team.gp_member)),
                ("body", "Please ring."),
                ("urgency", "urgent"),
            ],
        )
        .await;
        assert_eq!(sent.status().as_u16(), 303);
    }
    // While the relay is down nothing is sent, nothing is lost, and no attempts are used up:
    // more runs than the five attempts a refused mail gets, and both still wait.
    for _ in 0..7 {
        assert_eq!(t.app.send_pending_mail().await.unwrap(), 0);
    }
    let mut tx = t.app.store().begin_read().await.unwrap();
    assert_eq!(tx.mail_waiting().await.unwrap(), 2);
}

hearth_testkit::on_both_backends!(
    an_unreachable_relay_loses_no_mail,
    urgent_items_are_emailed_with_a_link_and_no_clinical_content,
    without_mail_settings_nothing_is_queued,
);
