//! Cookies, the signed-in-user extractor and CSRF checks.
//!
//! The session cookie holds a random token (see `hearth_app::auth`); it is `HttpOnly` (scripts
//! cannot read it), `SameSite=Lax` (sent when a GP system opens a deep link into Hearth, never
//! with another site's form posts) and `Secure` wherever Hearth is served over HTTPS. Every form
//! also carries a synchronizer token that must match the session's; the sign-in form, which has
//! no session yet, uses a double-submit cookie scoped to `/sign-in`.

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::Actor;

use crate::{AppState, WebError};

pub const SESSION_COOKIE: &str = "hearth_session";
pub const SIGN_IN_CSRF_COOKIE: &str = "hearth_csrf";

/// The value of cookie `name` in the request, if present.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` header value.
pub fn set_cookie(
    name: &str,
    value: &str,
    path: &str,
    max_age_seconds: i64,
    same_site: &str,
    secure: bool,
) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{name}={value}; Path={path}; Max-Age={max_age_seconds}; HttpOnly; SameSite={same_site}{secure}"
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The signed-in user of a request. Extracting it from a request without a valid session
/// redirects the browser to sign in and come back.
pub struct CurrentUser {
    pub actor: Actor,
    pub csrf_token: String,
    pub token: String,
}

impl CurrentUser {
    /// Refuses a form whose CSRF token does not match this session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), WebError> {
        if same_secret(submitted, &self.csrf_token) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned);
        let session = match &token {
            Some(token) => state
                .app
                .session(token)
                .await
                .map_err(|e| WebError::from(e).into_response())?,
            None => None,
        };
        match (token, session) {
            (Some(token), Some(view)) => Ok(CurrentUser {
                actor: view.actor,
                csrf_token: view.csrf_token,
                token,
            }),
            _ => {
                let uri = parts
                    .extensions
                    .get::<OriginalUri>()
                    .map_or_else(|| parts.uri.clone(), |original| original.0.clone());
                let back = uri.path_and_query().map_or("/register", |pq| pq.as_str());
                Err(
                    Redirect::to(&format!("/sign-in?next={}", encode_component(back)))
                        .into_response(),
                )
            }
        }
    }
}

/// Percent-encodes a value for a query string.
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A safe place to go after signing in: a path on this site, never another site.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path
        }
        _ => "/register",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/patients/abc")), "/patients/abc");
        assert_eq!(safe_next(Some("//evil.example")), "/register");
        assert_eq!(safe_next(Some("https://evil.example")), "/register");
        assert_eq!(safe_next(Some("/\\evil.example")), "/register");
        assert_eq!(safe_next(None), "/register");
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; hearth_session=xyz; b=2"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
