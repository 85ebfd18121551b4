//! API bearer tokens and per-address sign-in throttling: a token acts as its user, a bad one gets
//! 401 (never a redirect), forms skip the CSRF check only for bearer requests without cookies,
//! issuing and revoking are audited, and many failures from one address throttle it.

use hearth_app::{AppConfig, IssuedApiToken};
use hearth_domain::api_token::TokenExpiry;
use hearth_testkit::{
    Backend, Fixture, TestApp, TestClient, csrf_token_in, on_both_backends, spawn_app,
    spawn_app_with,
};
use jiff::SignedDuration;
use sqlx::{Connection, Row};

async fn issue(t: &TestApp, email: &str) -> IssuedApiToken {
    t.app
        .create_api_token(email, "ward dashboard", TokenExpiry::default())
        .await
        .unwrap()
}

/// GET `path` with `Authorization: Bearer token` and no cookies.
async fn get_with_bearer(t: &TestApp, path: &str, token: &str) -> reqwest::Response {
    let client = t.client();
    client
        .http
        .get(client.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Asserts a 401 that challenges for a bearer token and says why in plain words.
async fn assert_invalid_token(response: reqwest::Response, why: &str) {
    assert_eq!(response.status().as_u16(), 401, "{why}");
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\"",
        "{why}"
    );
    assert!(response.headers().get("location").is_none(), "no redirect");
    let body = response.text().await.unwrap();
    assert!(
        body.contains("The bearer token is not valid"),
        "{why}: {body}"
    );
}

async fn a_bearer_token_acts_as_its_user(backend: Backend) {
    let Some(t) = spawn_app(backend, "a_bearer_token_acts_as_its_user").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let issued = issue(&t, &f.gp.email).await;
    assert!(issued.secret.starts_with("hearth_pat_"), "recognisable");
    let path = format!("/patients/{}", f.patient.id);
    let response = get_with_bearer(&t, &path, &issued.secret).await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.text().await.unwrap().contains("CARTER, Edith"));

    let outsider = issue(&t, &f.outsider.email).await;
    assert_eq!(
        get_with_bearer(&t, &path, &outsider.secret)
            .await
            .status()
            .as_u16(),
        403,
        "the token has its user's access, no more"
    );
    let listed = t.app.api_tokens_of(&f.gp.email).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].token.label, "ward dashboard");
    assert_eq!(
        listed[0].token.last_used_at,
        Some(hearth_testkit::start_time()),
        "last use is recorded"
    );
}

async fn bad_expired_and_revoked_tokens_get_401_not_a_redirect(backend: Backend) {
    let Some(t) = spawn_app(backend, "bad_expired_and_revoked_tokens_get_401").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let path = format!("/patients/{}", f.patient.id);
    assert_invalid_token(get_with_bearer(&t, &path, "nonsense").await, "malformed").await;
    let unknown = format!("hearth_pat_{}", "0".repeat(64));
    assert_invalid_token(get_with_bearer(&t, &path, &unknown).await, "unknown").await;
    let client = t.client();
    let basic = client
        .http
        .get(client.url(&path))
        .header("authorization", "Basic Z3A6cGFzcw==")
        .send()
        .await
        .unwrap();
    assert_invalid_token(basic, "not a bearer token").await;

    let revoked = issue(&t, &f.gp.email).await;
    assert_eq!(
        get_with_bearer(&t, &path, &revoked.secret)
            .await
            .status()
            .as_u16(),
        200
    );
    t.app.revoke_api_token(&revoked.id).await.unwrap();
    assert_invalid_token(get_with_bearer(&t, &path, &revoked.secret).await, "revoked").await;

    let expiring = t
        .app
        .create_api_token(&f.gp.email, "", TokenExpiry::parse("2d").unwrap())
        .await
        .unwrap();
    t.clock.advance(SignedDuration::from_hours(47));
    assert_eq!(
        get_with_bearer(&t, &path, &expiring.secret)
            .await
            .status()
            .as_u16(),
        200
    );
    t.clock.advance(SignedDuration::from_hours(2));
    assert_invalid_token(
        get_with_bearer(&t, &path, &expiring.secret).await,
        "expired",
    )
    .await;

    let disabled = issue(&t, &f.gp.email).await;
    t.app.disable_user(&f.gp.email).await.unwrap();
    assert_invalid_token(
        get_with_bearer(&t, &path, &disabled.secret).await,
        "account disabled",
    )
    .await;
    let mut tx = t.app.store().begin_read().await.unwrap();
    let stored = tx.api_token(&disabled.id).await.unwrap().unwrap();
    assert!(
        stored.revoked_at.is_some(),
        "disabling an account revokes its tokens, so re-enabling does not bring them back"
    );
}

/// Posts the register form for the fixture's patient with a bearer token and no CSRF token,
/// with or without a cookie alongside.
async fn register_with_bearer(
    t: &TestApp,
    f: &Fixture,
    token: &str,
    cookie: Option<&str>,
) -> reqwest::Response {
    let client = t.client();
    let mut request = client
        .http
        .post(client.url(&format!("/patients/{}/register", f.patient.id)))
        .bearer_auth(token)
        .form(&[
            ("identified_on", "2026-11-18"),
            ("diagnosis_group", "cancer"),
            ("consent", "given"),
            ("surprise", "not-surprised"),
        ]);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

async fn on_the_register(t: &TestApp, f: &Fixture, token: &str) -> bool {
    let page = get_with_bearer(t, &format!("/patients/{}", f.patient.id), token)
        .await
        .text()
        .await
        .unwrap();
    !page.contains("Not on the palliative care register")
}

async fn forms_skip_csrf_only_for_bearer_requests_without_cookies(backend: Backend) {
    let Some(t) = spawn_app(backend, "forms_skip_csrf_only_for_bearer_requests").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let issued = issue(&t, &f.gp.email).await;

    // A browser that is signed in and also sends a bearer header must still prove the form
    // came from Hearth: the bearer token does not lift the CSRF check when cookies come too.
    let session = t.app.sign_in(&f.gp.email, &f.gp.password).await.unwrap();
    let cookie = format!("hearth_session={}", session.token);
    let refused = register_with_bearer(&t, &f, &issued.secret, Some(&cookie)).await;
    assert_eq!(
        refused.status().as_u16(),
        403,
        "cookie and bearer: CSRF applies"
    );
    assert!(
        !on_the_register(&t, &f, &issued.secret).await,
        "nothing changed"
    );

    let done = register_with_bearer(&t, &f, &issued.secret, None).await;
    assert_eq!(
        done.status().as_u16(),
        303,
        "bearer alone needs no CSRF token"
    );
    assert!(on_the_register(&t, &f, &issued.secret).await);
}

async fn issuing_and_revoking_tokens_is_audited_without_the_secret(backend: Backend) {
    let Some(t) = spawn_app(backend, "issuing_and_revoking_tokens_is_audited").await else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let issued = issue(&t, &f.gp.email).await;
    t.app.revoke_api_token(&issued.id).await.unwrap();
    let again = t.app.revoke_api_token(&issued.id).await.unwrap_err();
    assert!(again.to_string().contains("already revoked"));

    let mut conn = sqlx::AnyConnection::connect(&t.db.url).await.unwrap();
    let rows = sqlx::query(
        "SELECT action, resource_id, patient_id, detail FROM audit_events \
         WHERE resource_type = 'ApiToken' ORDER BY seq",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let actions: Vec<String> = rows.iter().map(|r| r.get("action")).collect();
    assert_eq!(actions, ["create", "update"]);
    for row in &rows {
        assert_eq!(row.get::<String, _>("resource_id"), issued.id);
        assert_eq!(row.get::<Option<String>, _>("patient_id"), None);
        let detail: String = row.get("detail");
        assert!(!detail.contains(&issued.secret[11..]), "never the secret");
    }
}

/// Signs in through the form with an `X-Forwarded-For` header on the POST.
async fn sign_in_forwarded(
    client: &TestClient,
    email: &str,
    password: &str,
    forwarded_for: &str,
) -> reqwest::Response {
    let (_, page) = client.get_text("/sign-in").await;
    let token = csrf_token_in(&page).unwrap();
    client
        .http
        .post(client.url("/sign-in"))
        .header("x-forwarded-for", forwarded_for)
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap()
}

/// Four failures per address (fewer than the five per account), so that the tests show the
/// address limit, not the account limit, at work.
fn four_per_address() -> AppConfig {
    AppConfig {
        sign_in_address_max_failures: 4,
        ..AppConfig::default()
    }
}

async fn many_failures_from_one_address_throttle_it(backend: Backend) {
    let Some(t) = spawn_app_with(
        backend,
        "many_failures_from_one_address_throttle_it",
        four_per_address(),
        hearth_web::WebConfig::default(),
    )
    .await
    else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.client();
    for email in [
        &f.gp.email,
        &f.gp.email,
        &f.admin.email,
        "nobody@test.example",
    ] {
        let failed = client.sign_in(email, "wrong password!").await;
        assert_eq!(failed.status().as_u16(), 401);
    }
    let refused = client
        .sign_in(&f.outsider.email, &f.outsider.password)
        .await;
    assert_eq!(
        refused.status().as_u16(),
        429,
        "even another account, rightly"
    );
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("Too many failed sign-ins from this network address. Wait 15 minutes"),
        "{page}"
    );
    let spoofed = sign_in_forwarded(
        &client,
        &f.outsider.email,
        &f.outsider.password,
        "203.0.113.50",
    )
    .await;
    assert_eq!(
        spoofed.status().as_u16(),
        429,
        "X-Forwarded-For counts for nothing without a trusted proxy"
    );
    t.clock.advance(SignedDuration::from_mins(16));
    assert_eq!(
        client
            .sign_in(&f.outsider.email, &f.outsider.password)
            .await
            .status()
            .as_u16(),
        303,
        "the throttle lifts"
    );
}

async fn behind_a_trusted_proxy_the_forwarded_address_is_throttled(backend: Backend) {
    let Some(t) = spawn_app_with(
        backend,
        "behind_a_trusted_proxy_the_forwarded_address_is_throttled",
        four_per_address(),
        hearth_web::WebConfig {
            trusted_proxy: true,
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    let f = Fixture::create(&t.app).await;
    let client = t.client();
    for email in [&f.gp.email, &f.gp.email, &f.admin.email, &f.admin.email] {
        let failed = sign_in_forwarded(&client, email, "wrong password!", "198.51.100.7").await;
        assert_eq!(failed.status().as_u16(), 401);
    }
    let refused = sign_in_forwarded(
        &client,
        &f.outsider.email,
        &f.outsider.password,
        "198.51.100.8, 198.51.100.7",
    )
    .await;
    assert_eq!(
        refused.status().as_u16(),
        429,
        "the last hop, which the proxy appended, is the one counted"
    );
    let other = sign_in_forwarded(
        &client,
        &f.outsider.email,
        &f.outsider.password,
        "198.51.100.8",
    )
    .await;
    assert_eq!(
        other.status().as_u16(),
        303,
        "other clients of the proxy sign in"
    );
}

on_both_backends!(
    a_bearer_token_acts_as_its_user,
    bad_expired_and_revoked_tokens_get_401_not_a_redirect,
    forms_skip_csrf_only_for_bearer_requests_without_cookies,
    issuing_and_revoking_tokens_is_audited_without_the_secret,
    many_failures_from_one_address_throttle_it,
    behind_a_trusted_proxy_the_forwarded_address_is_throttled,
);
