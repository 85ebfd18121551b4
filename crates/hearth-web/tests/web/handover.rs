//! The coordinator handover: proposed by a team member, accepted or declined by the proposed
//! coordinator, withdrawn by its proposer — through the pages, and racing in the app layer.

use hearth_app::AppError;
use hearth_testkit::{Backend, Fixture, csrf_token_in, on_both_backends, spawn_app};

use crate::care_team::{add, join, member_id, shared_patient};

async fn the_proposed_coordinator_accepts_the_handover(backend: Backend) {
    let Some(t) = spawn_app(backend, "the_proposed_coordinator_accepts").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let patient = shared_patient(&t, &f).await;
    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let nurse_actor = t
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
        &[],
    )
    .await;
    add(
        &gp,
        &patient,
        &format!("practitioner:{}", nurse_actor.practitioner_id),
        "district-nurse",
        &["home-visits"],
    )
    .await;
    let (_, page) = gp.get_text(&format!("/patients/{patient}/team")).await;
    let nurse_member = member_id(&page, "Test district-nurse");
    let token = csrf_token_in(&page).unwrap();
    let proposed = gp
        .post_form(
            &format!("/patients/{patient}/team/handover"),
            &[("csrf_token", &token), ("to_member", &nurse_member)],
        )
        .await;
    assert_eq!(proposed.status().as_u16(), 303);
    let (_, page) = gp.get_text(&format!("/patients/{patient}/team")).await;
    assert!(
        page.contains(
            "Test district-nurse has been proposed to take over coordination from Test gp"
        )
    );
    assert!(
        page.contains("<strong>Test gp (GP)</strong> coordinates"),
        "the current coordinator stays responsible"
    );
    assert!(
        page.contains("Waiting for the proposed coordinator"),
        "the proposer cannot accept"
    );
    let handover = {
        assert!(
            !page.contains("/accept\""),
            "no accept button for the proposer"
        );
        assert!(page.contains("Withdraw the proposal"));
        t.app
            .care_team(&f.gp_actor, &hearth_domain::PatientId::new(patient.clone()))
            .await
            .unwrap()
            .handover
            .unwrap()
            .id
    };
    let forbidden = gp
        .post_form(
            &format!("/patients/{patient}/team/handover/{handover}/accept"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(forbidden.status().as_u16(), 403);

    let nurse = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    let (_, page) = nurse.get_text(&format!("/patients/{patient}/team")).await;
    assert!(page.contains("Accept coordination"));
    let token = csrf_token_in(&page).unwrap();
    let accepted = nurse
        .post_form(
            &format!("/patients/{patient}/team/handover/{handover}/accept"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(accepted.status().as_u16(), 303);
    let (_, page) = nurse.get_text(&format!("/patients/{patient}/team")).await;
    assert!(page.contains("<strong>Test district-nurse (District nurse)</strong> coordinates"));
    assert!(!page.contains("has been proposed"));
    let again = nurse
        .post_form(
            &format!("/patients/{patient}/team/handover/{handover}/accept"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(again.status().as_u16(), 409, "a handover is decided once");
}

async fn declining_keeps_the_coordinator_and_leaving_leaves_none(backend: Backend) {
    let Some(t) = spawn_app(backend, "declining_keeps_the_coordinator").await else {
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
    let gp_member = join(&t, &f, &patient_id, &f.gp_actor.practitioner_id, "gp").await;
    let nurse_member = join(
        &t,
        &f,
        &patient_id,
        &nurse.practitioner_id,
        "district-nurse",
    )
    .await;
    let handover = t
        .app
        .propose_coordinator(&f.gp_actor, &patient_id, &nurse_member.id)
        .await
        .unwrap();
    let ending = t
        .app
        .end_care_team_membership(&f.gp_actor, &patient_id, &gp_member.id, gp_member.version)
        .await;
    assert!(
        matches!(ending, Err(AppError::Invalid(_))),
        "not while a handover involving them waits"
    );
    t.app
        .decide_handover(&nurse, &patient_id, &handover.id, false)
        .await
        .unwrap();
    let view = t.app.care_team(&f.gp_actor, &patient_id).await.unwrap();
    assert_eq!(
        view.team.coordinator().unwrap().id,
        gp_member.id,
        "declining keeps the coordinator"
    );
    assert!(view.handover.is_none());

    t.app
        .end_care_team_membership(&f.gp_actor, &patient_id, &gp_member.id, gp_member.version)
        .await
        .unwrap();
    let view = t.app.care_team(&f.gp_actor, &patient_id).await.unwrap();
    assert!(
        view.team.coordinator().is_none(),
        "the coordinator left: no active coordinator"
    );
    let client = t.signed_in(&f.gp.email, &f.gp.password).await;
    let (_, page) = client.get_text(&format!("/patients/{patient_id}")).await;
    assert!(page.contains("No active coordinator"));
    let (_, list) = client.get_text("/register?show=all&coordinator=none").await;
    assert!(
        list.contains("THWAITE, Joan"),
        "listed as having no active coordinator"
    );
}

async fn two_racing_handovers_exactly_one_wins(backend: Backend) {
    let Some(t) = spawn_app(backend, "two_racing_handovers").await else {
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
    let admin = t
        .app
        .sign_in(&f.admin.email, &f.admin.password)
        .await
        .unwrap()
        .actor;
    join(&t, &f, &patient_id, &f.gp_actor.practitioner_id, "gp").await;
    let a = join(
        &t,
        &f,
        &patient_id,
        &nurse.practitioner_id,
        "district-nurse",
    )
    .await;
    let b = join(&t, &f, &patient_id, &admin.practitioner_id, "other").await;

    // The future polled first usually wins, so the rounds alternate which proposal starts
    // first; under a loaded machine either may still win any round.
    for round in 0..10 {
        let (to_first, to_second) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let (first, second) = tokio::join!(
            t.app
                .propose_coordinator(&f.gp_actor, &patient_id, &to_first.id),
            t.app
                .propose_coordinator(&f.gp_actor, &patient_id, &to_second.id),
        );
        assert_eq!(
            u8::from(first.is_ok()) + u8::from(second.is_ok()),
            1,
            "exactly one proposal wins: {first:?} {second:?}"
        );
        let loser = if first.is_ok() { second } else { first };
        assert!(
            matches!(loser, Err(AppError::Invalid(_) | AppError::Duplicate(_))),
            "{loser:?}"
        );
        let open = t
            .app
            .care_team(&f.gp_actor, &patient_id)
            .await
            .unwrap()
            .handover
            .unwrap();
        let decider = if open.to_member == a.id {
            &nurse
        } else {
            &f.gp_actor
        };
        if open.to_member == a.id {
            // Two accepts of the same handover at once: one takes effect.
            let (x, y) = tokio::join!(
                t.app.decide_handover(decider, &patient_id, &open.id, true),
                t.app.decide_handover(decider, &patient_id, &open.id, true),
            );
            assert_eq!(
                u8::from(x.is_ok()) + u8::from(y.is_ok()),
                1,
                "exactly one accept wins: {x:?} {y:?}"
            );
            let view = t.app.care_team(&f.gp_actor, &patient_id).await.unwrap();
            assert_eq!(view.team.active().filter(|m| m.coordinator).count(), 1);
            return;
        }
        // The administrator holds no clinical role and cannot decide; withdraw by declining as
        // the proposed member is not possible for them, so end the round through the store.
        let mut tx = t.app.store().begin_write().await.unwrap();
        tx.decide_handover(
            &open.id,
            hearth_domain::care_team::HandoverState::Declined,
            hearth_testkit::start_time(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    panic!("the nurse's proposal never won in ten rounds");
}

async fn the_proposer_can_withdraw_a_handover(backend: Backend) {
    let Some(t) = spawn_app(backend, "the_proposer_can_withdraw").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let patient_id = hearth_domain::PatientId::new(shared_patient(&t, &f).await);
    let nurse_actor = t
        .app
        .sign_in(&f.outsider.email, &f.outsider.password)
        .await
        .unwrap()
        .actor;
    join(&t, &f, &patient_id, &f.gp_actor.practitioner_id, "gp").await;
    let nurse_member = join(
        &t,
        &f,
        &patient_id,
        &nurse_actor.practitioner_id,
        "district-nurse",
    )
    .await;
    let handover = t
        .app
        .propose_coordinator(&f.gp_actor, &patient_id, &nurse_member.id)
        .await
        .unwrap();
    let path = format!(
        "/patients/{patient_id}/team/handover/{}/withdraw",
        handover.id
    );

    let nurse = t.signed_in(&f.outsider.email, &f.outsider.password).await;
    let (_, page) = nurse
        .get_text(&format!("/patients/{patient_id}/team"))
        .await;
    assert!(
        !page.contains("Withdraw the proposal"),
        "the proposed coordinator declines instead"
    );
    let token = csrf_token_in(&page).unwrap();
    let refused = nurse.post_form(&path, &[("csrf_token", &token)]).await;
    assert_eq!(refused.status().as_u16(), 403);

    let gp = t.signed_in(&f.gp.email, &f.gp.password).await;
    let (_, page) = gp.get_text(&format!("/patients/{patient_id}/team")).await;
    let token = csrf_token_in(&page).unwrap();
    let audited = |action: &'static str| {
        let (t, patient_id) = (&t, &patient_id);
        async move {
            let mut tx = t.app.store().begin_read().await.unwrap();
            let trail = tx.audit_of_patient(patient_id, 1000).await.unwrap();
            trail.iter().filter(|(a, _, _)| a == action).count()
        }
    };
    let before = audited("update").await;
    let withdrawn = gp.post_form(&path, &[("csrf_token", &token)]).await;
    assert_eq!(withdrawn.status().as_u16(), 303);
    assert_eq!(
        audited("update").await,
        before + 1,
        "the withdrawal is audited"
    );
    let (_, page) = gp.get_text(&format!("/patients/{patient_id}/team")).await;
    assert!(!page.contains("has been proposed"));
    assert!(
        page.contains("<strong>Test gp (GP)</strong> coordinates"),
        "nothing else changed"
    );
    let again = gp.post_form(&path, &[("csrf_token", &token)]).await;
    assert_eq!(again.status().as_u16(), 409);
    t.app
        .propose_coordinator(&f.gp_actor, &patient_id, &nurse_member.id)
        .await
        .expect("a new proposal can be made once the old one is withdrawn");
}

on_both_backends!(
    the_proposed_coordinator_accepts_the_handover,
    declining_keeps_the_coordinator_and_leaving_leaves_none,
    two_racing_handovers_exactly_one_wins,
    the_proposer_can_withdraw_a_handover,
);
