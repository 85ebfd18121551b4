//! Signing in and out.

use askama::Template;
use axum::Form;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::{AppError, random_token};
use serde::Deserialize;

use crate::pages::{Chrome, render};
use crate::session::{
    CurrentUser, SESSION_COOKIE, SIGN_IN_CSRF_COOKIE, cookie, safe_next, same_secret, set_cookie,
};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    chrome: Option<Chrome>,
    active: &'static str,
    csrf_token: &'a str,
    next: &'a str,
    email: &'a str,
    error: Option<String>,
    notice: Option<&'static str>,
    demo_sign_ins: &'a [(String, String, String)],
}

#[derive(Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    signed_out: Option<String>,
}

/// Seconds the sign-in form stays valid.
const FORM_LIFETIME_SECONDS: i64 = 3600;

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<SignInQuery>,
) -> Result<Response, WebError> {
    let next = safe_next(query.next.as_deref());
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && state.app.session(token).await?.is_some()
    {
        return Ok(Redirect::to(next).into_response());
    }
    let csrf_token = random_token()?;
    let page = SignInPage {
        chrome: None,
        active: "",
        csrf_token: &csrf_token,
        next,
        email: "",
        error: None,
        notice: match query.signed_out.as_deref() {
            None => None,
            Some("everywhere") => Some("You have signed out everywhere: every session has ended."),
            Some(_) => Some("You have signed out."),
        },
        demo_sign_ins: &state.config.demo_sign_ins,
    };
    let mut response = render(&page)?;
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SIGN_IN_CSRF_COOKIE,
            &csrf_token,
            "/sign-in",
            FORM_LIFETIME_SECONDS,
            "Strict",
            state.config.secure_cookies,
        ),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    let expected = cookie(&headers, SIGN_IN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !same_secret(&form.csrf_token, expected) {
        return Err(WebError::Csrf);
    }
    let next = safe_next(form.next.as_deref());
    // The peer address is there when served by `serve`; a router used without it (as some
    // tools do) simply throttles by account only.
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip());
    let address = client_address(peer, &headers, state.config.trusted_proxy);
    match state
        .app
        .sign_in_from(&form.email, &form.password, address)
        .await
    {
        Ok(signed_in) => {
            let secure = state.config.secure_cookies;
            let lifetime = state.app.config().session_lifetime.as_secs();
            let mut response = Redirect::to(next).into_response();
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &signed_in.token,
                    "/",
                    lifetime,
                    "Lax",
                    secure,
                ),
            );
            headers.append(
                header::SET_COOKIE,
                set_cookie(SIGN_IN_CSRF_COOKIE, "", "/sign-in", 0, "Strict", secure),
            );
            Ok(response)
        }
        Err(
            error @ (AppError::BadCredentials
            | AppError::Throttled { .. }
            | AppError::AddressThrottled { .. }
            | AppError::AccountDisabled
            | AppError::Invalid(_)),
        ) => {
            let status = match &error {
                AppError::Throttled { .. } | AppError::AddressThrottled { .. } => {
                    StatusCode::TOO_MANY_REQUESTS
                }
                AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::UNAUTHORIZED,
            };
            let page = SignInPage {
                chrome: None,
                active: "",
                csrf_token: expected,
                next,
                email: &form.email,
                error: Some(error.to_string()),
                notice: None,
                demo_sign_ins: &state.config.demo_sign_ins,
            };
            Ok((status, render(&page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// The client's address for sign-in throttling: the TCP peer, or — only when Hearth is
/// configured to run behind a trusted reverse proxy — the last address in `X-Forwarded-For`,
/// the one that proxy appended. Earlier entries were written by the client and prove nothing.
fn client_address(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted_proxy: bool,
) -> Option<IpAddr> {
    if !trusted_proxy {
        return peer;
    }
    let last_hop = headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.rsplit(',').next())
        .map(str::trim)
        .and_then(|hop| {
            hop.parse::<IpAddr>()
                .ok()
                .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        });
    last_hop.or(peer)
}

#[derive(Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    pub csrf_token: String,
}

pub async fn sign_out(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<SignOutForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf_token)?;
    state.app.sign_out(&user.token).await?;
    Ok(signed_out(&state, "/sign-in?signed_out=1"))
}

/// A redirect to `location` that also clears the session cookie.
pub fn signed_out(state: &AppState, location: &str) -> Response {
    let mut response = Redirect::to(location).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            "",
            "/",
            0,
            "Lax",
            state.config.secure_cookies,
        ),
    );
    response
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 198.51.100.7"),
        );
        assert_eq!(client_address(Some(peer), &headers, false), Some(peer));
        assert_eq!(
            client_address(Some(peer), &headers, true),
            Some("198.51.100.7".parse().unwrap()),
            "the hop the proxy appended, not what the client wrote"
        );
        headers.insert("x-forwarded-for", HeaderValue::from_static("garbage"));
        assert_eq!(client_address(Some(peer), &headers, true), Some(peer));
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("[2001:db8::1]:4711"),
        );
        assert_eq!(
            client_address(Some(peer), &headers, true),
            Some("2001:db8::1".parse().unwrap())
        );
    }
}
