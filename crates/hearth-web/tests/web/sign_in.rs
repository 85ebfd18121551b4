//! Signing in and out: redirects, wrong passwords, CSRF, throttling, session expiry.

use hearth_testkit::{Backend, Fixture, csrf_token_in, on_both_backends, spawn_app};
use jiff::SignedDuration;

async fn signed_out_patient_page_redirects_to_sign_in(backend: Backend) {
    let Some(t) = spawn_app(backend, "signed_out_patient_page_redirects_to_sign_in").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let path = format!("/patients/{}", f.patient.id);
    let response = t.client().get(&path).await;
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()["location"].to_str().unwrap();
    assert_eq!(location, format!("/sign-in?next={path}"));
    let mut tx = t.app.store().begin_read().await.unwrap();
    assert!(
        tx.audit_of_patient(&f.patient.id, 10)
            .await
            .unwrap()
            .iter()
            .all(|(action, _, _)| action != "read"),
        "a signed-out request reads nothing"
    );
}

async fn wrong_password_shows_a_clear_error(backend: Backend) {
    let Some(t) = spawn_app(backend, "wrong_password_shows_a_clear_error").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.client();
    let response = client.sign_in(&f.gp.email, "not the password").await;
    assert_eq!(response.status().as_u16(), 401);
    let page = response.text().await.unwrap();
    assert!(page.contains("role=\"alert\""));
    assert!(page.contains("The email address or password is not right"));
    assert!(
        page.contains(&format!("value=\"{}\"", f.gp.email)),
        "the email is kept for the next try"
    );
    assert_eq!(
        client.get("/register").await.status().as_u16(),
        303,
        "no session was opened"
    );
}

async fn sign_in_leads_back_to_the_page_asked_for(backend: Backend) {
    let Some(t) = spawn_app(backend, "sign_in_leads_back_to_the_page_asked_for").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.client();
    let path = format!("/patients/{}", f.patient.id);
    let (_, form) = client.get_text(&format!("/sign-in?next={path}")).await;
    let token = csrf_token_in(&form).unwrap();
    let response = client
        .post_form(
            "/sign-in",
            &[
                ("email", &f.gp.email),
                ("password", &f.gp.password),
                ("csrf_token", &token),
                ("next", &path),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], path.as_str());
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (status, page) = client.get_text(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("CARTER, Edith"));
}

async fn next_never_points_off_site(backend: Backend) {
    let Some(t) = spawn_app(backend, "next_never_points_off_site").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.client();
    let (_, form) = client.get_text("/sign-in").await;
    let token = csrf_token_in(&form).unwrap();
    let response = client
        .post_form(
            "/sign-in",
            &[
                ("email", &f.gp.email),
                ("password", &f.gp.password),
                ("csrf_token", &token),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(
        response.headers()["location"],
        "/",
        "home, which sends each role to its start page"
    );
    let (status, home) = client.get_text("/").await;
    assert_eq!(status, 200, "a GP starts at \"my work\"");
    assert!(home.contains("<h1>My work</h1>"));
    assert!(home.contains("Needs you now") && home.contains("Your tasks"));
    assert!(home.contains("Not ready for out of hours"));
}

async fn sign_in_without_csrf_token_is_refused_and_opens_no_session(backend: Backend) {
    let Some(t) = spawn_app(backend, "sign_in_without_csrf_token_is_refused").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.client();
    client.get("/sign-in").await; // receives the CSRF cookie, but the form field is left out
    let response = client
        .post_form(
            "/sign-in",
            &[("email", &f.gp.email), ("password", &f.gp.password)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("The form has expired or did not come from Hearth")
    );
    assert_eq!(
        client.get("/register").await.status().as_u16(),
        303,
        "still signed out"
    );
    let forged = client
        .post_form(
            "/sign-in",
            &[
                ("email", &f.gp.email),
                ("password", &f.gp.password),
                ("csrf_token", "forged"),
            ],
        )
        .await;
    assert_eq!(forged.status().as_u16(), 403);
}

async fn sign_out_without_csrf_token_is_refused_and_changes_nothing(backend: Backend) {
    let Some(t) = spawn_app(backend, "sign_out_without_csrf_token").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.client();
    client.sign_in(&f.gp.email, &f.gp.password).await;
    let response = client.post_form("/sign-out", &[]).await;
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(
        client.get("/register").await.status().as_u16(),
        200,
        "the session is still open"
    );

    let (_, page) = client.get_text("/register").await;
    let token = csrf_token_in(&page).unwrap();
    let response = client
        .post_form("/sign-out", &[("csrf_token", &token)])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        client.get("/register").await.status().as_u16(),
        303,
        "signed out"
    );
}

async fn repeated_failures_throttle_the_account(backend: Backend) {
    let Some(t) = spawn_app(backend, "repeated_failures_throttle_the_account").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.client();
    for _ in 0..5 {
        assert_eq!(
            client
                .sign_in(&f.gp.email, "wrong password!")
                .await
                .status()
                .as_u16(),
            401
        );
    }
    let response = client.sign_in(&f.gp.email, &f.gp.password).await;
    assert_eq!(
        response.status().as_u16(),
        429,
        "even the right password waits"
    );
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Too many failed sign-ins")
    );
    let other = t.client();
    assert_eq!(
        other
            .sign_in(&f.outsider.email, &f.outsider.password)
            .await
            .status()
            .as_u16(),
        303,
        "other accounts are unaffected"
    );
    t.clock.advance(SignedDuration::from_mins(16));
    assert_eq!(
        client
            .sign_in(&f.gp.email, &f.gp.password)
            .await
            .status()
            .as_u16(),
        303,
        "the throttle lifts"
    );
}

async fn idle_sessions_end(backend: Backend) {
    let Some(t) = spawn_app(backend, "idle_sessions_end").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.client();
    client.sign_in(&f.gp.email, &f.gp.password).await;
    t.clock.advance(SignedDuration::from_mins(20));
    assert_eq!(client.get("/register").await.status().as_u16(), 200);
    t.clock.advance(SignedDuration::from_mins(20));
    assert_eq!(
        client.get("/register").await.status().as_u16(),
        200,
        "activity keeps the session open"
    );
    t.clock.advance(SignedDuration::from_mins(31));
    assert_eq!(
        client.get("/register").await.status().as_u16(),
        303,
        "30 idle minutes end it"
    );
}

async fn sign_out_reaches_other_nodes_within_seconds(backend: Backend) {
    let Some(t) = spawn_app(backend, "sign_out_reaches_other_nodes_within_seconds").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    // A second Hearth node on the same database and clock.
    let other_node = hearth_app::App::with(
        t.app.store().clone(),
        hearth_app::AppConfig::default(),
        t.clock.clone(),
        std::sync::Arc::new(hearth_app::RandomIds),
    );
    let signed_in = t.app.sign_in(&f.gp.email, &f.gp.password).await.unwrap();
    assert!(
        other_node
            .session(&signed_in.token)
            .await
            .unwrap()
            .is_some()
    );
    t.app.sign_out(&signed_in.token).await.unwrap();
    assert!(
        t.app.session(&signed_in.token).await.unwrap().is_none(),
        "at once on the node that signed out"
    );
    t.clock.advance(SignedDuration::from_secs(5));
    assert!(
        other_node
            .session(&signed_in.token)
            .await
            .unwrap()
            .is_none(),
        "within five seconds elsewhere"
    );
}

async fn signing_out_everywhere_ends_every_session_of_the_user(backend: Backend) {
    let Some(t) = spawn_app(backend, "signing_out_everywhere").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let ward = t.signed_in(&f.gp.email, &f.gp.password).await;
    t.clock.advance(SignedDuration::from_mins(2));
    let surgery = t.signed_in(&f.gp.email, &f.gp.password).await;
    let colleague = t.signed_in(&f.outsider.email, &f.outsider.password).await;

    let (status, page) = surgery.get_text("/account").await;
    assert_eq!(status, 200);
    assert!(page.contains("lasts at most 12 hours and ends after 30 minutes without use"));
    assert_eq!(
        page.matches("<tr><td data-label=\"Signed in\">").count(),
        3,
        "the two clients' sessions and the fixture's own sign-in"
    );
    assert_eq!(page.matches("class=\"tag\">This session").count(), 1);
    let token = csrf_token_in(&page).unwrap();

    let refused = surgery.post_form("/sign-out/everywhere", &[]).await;
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(
        ward.get("/register").await.status().as_u16(),
        200,
        "nothing ended"
    );

    let done = surgery
        .post_form("/sign-out/everywhere", &[("csrf_token", &token)])
        .await;
    assert_eq!(done.status().as_u16(), 303);
    assert_eq!(done.headers()["location"], "/sign-in?signed_out=everywhere");
    assert_eq!(surgery.get("/register").await.status().as_u16(), 303);
    assert_eq!(
        ward.get("/register").await.status().as_u16(),
        303,
        "the other session ended too"
    );
    assert_eq!(
        colleague.get("/register").await.status().as_u16(),
        200,
        "other people's sessions are untouched"
    );
    let (_, page) = t.client().get_text("/sign-in?signed_out=everywhere").await;
    assert!(page.contains("every session has ended"));
}

on_both_backends!(
    signing_out_everywhere_ends_every_session_of_the_user,
    sign_out_reaches_other_nodes_within_seconds,
    signed_out_patient_page_redirects_to_sign_in,
    wrong_password_shows_a_clear_error,
    sign_in_leads_back_to_the_page_asked_for,
    next_never_points_off_site,
    sign_in_without_csrf_token_is_refused_and_opens_no_session,
    sign_out_without_csrf_token_is_refused_and_changes_nothing,
    repeated_failures_throttle_the_account,
    idle_sessions_end,
);
