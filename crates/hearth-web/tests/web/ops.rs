//! Operations endpoints, security headers and static files.

use hearth_testkit::{Backend, on_both_backends, spawn_app};

async fn health_readiness_and_metrics(backend: Backend) {
    let Some(t) = spawn_app(backend, "health_readiness_and_metrics").await else {
        return;
    };
    let client = t.client();
    assert_eq!(client.get_text("/healthz").await, (200, "ok\n".to_owned()));
    assert_eq!(
        client.get_text("/readyz").await,
        (200, "ready\n".to_owned())
    );
    client.get("/sign-in").await;
    let (status, metrics) = client.get_text("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains(
            r#"hearth_http_requests_total{route="/sign-in",method="GET",status="2xx"} 1"#
        ),
        "{metrics}"
    );
    assert!(metrics.contains("hearth_http_request_duration_seconds_bucket{route=\"/healthz\""));
    assert!(metrics.contains("hearth_db_pool_connections "));
}

async fn readiness_fails_when_the_database_is_gone(backend: Backend) {
    let Some(t) = spawn_app(backend, "readiness_fails_when_the_database_is_gone").await else {
        return;
    };
    t.app.store().close().await;
    let (status, body) = t.client().get_text("/readyz").await;
    assert_eq!(status, 503);
    assert_eq!(body, "database unreachable\n");
    assert_eq!(
        t.client().get_text("/healthz").await.0,
        200,
        "the process itself is still up"
    );
}

async fn pages_carry_security_headers(backend: Backend) {
    let Some(t) = spawn_app(backend, "pages_carry_security_headers").await else {
        return;
    };
    let response = t.client().get("/sign-in").await;
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(
        !headers.contains_key("strict-transport-security"),
        "no HSTS on plain HTTP"
    );
    // The same app told it is served over HTTPS sends HSTS.
    let https = hearth_web::router(
        t.app.clone(),
        hearth_web::WebConfig {
            secure_cookies: true,
            ..Default::default()
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, https).await.unwrap() });
    let response = reqwest::get(format!("http://{address}/sign-in"))
        .await
        .unwrap();
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    server.abort();
    let css = t.client().get("/static/hearth.css").await;
    assert_eq!(css.status().as_u16(), 200);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert_eq!(
        t.client()
            .get("/static/../Cargo.toml")
            .await
            .status()
            .as_u16(),
        404
    );
}

async fn oversized_bodies_are_refused(backend: Backend) {
    let Some(t) = spawn_app(backend, "oversized_bodies_are_refused").await else {
        return;
    };
    let client = t.client();
    let big = "x".repeat(200 * 1024);
    let response = client.post_form("/sign-in", &[("email", &big)]).await;
    assert_eq!(response.status().as_u16(), 413);
}

on_both_backends!(
    health_readiness_and_metrics,
    readiness_fails_when_the_database_is_gone,
    pages_carry_security_headers,
    oversized_bodies_are_refused,
);
