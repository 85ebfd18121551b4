//! Cookies, the signed-in-user extractor and CSRF checks.
//!
//! The session cookie holds a random token (see `hearth_app::auth`); it is `HttpOnly` (scripts
//! cannot read it), `SameSite=Lax` (sent when a GP system opens a deep link into Hearth, never
//! with another site's form posts) and `Secure` wherever Hearth is served over HTTPS. Every form
//! also carries a synchronizer token that must match the session's; the sign-in form, which has
//! no session yet, uses a double-submit cookie scoped to `/sign-in`. API clients send
//! `Authorization: Bearer hearth_pat_…` instead; such a request is authenticated by the token
//! alone and, when it carries no cookies, needs no CSRF token (see `docs/design/sessions.md`).

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
/// redirects the browser to sign in and come back; a request with an `Authorization: Bearer`
/// header is authenticated by that token alone, and a bad token is answered with 401.
pub struct CurrentUser {
    pub actor: Actor,
    /// The session's CSRF token, rendered into forms ("" for a bearer request).
    pub csrf_token: String,
    /// The session cookie's token ("" for a bearer request).
    pub token: String,
    via: Via,
}

/// How a request proved who it acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// A session cookie: forms must carry the session's CSRF token.
    Session,
    /// A bearer token, in a request without cookies: no browser sent it on its own, so there is
    /// no cross-site forgery to guard against.
    Bearer,
    /// A bearer token in a request that also carries cookies. Such a request may come from a
    /// browser, and a bearer request has no CSRF token, so its forms are refused.
    BearerWithCookies,
}

impl CurrentUser {
    /// Refuses a form whose CSRF token does not match this session's. Requests authenticated by
    /// a bearer token alone (no cookies) need none.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), WebError> {
        let valid = match self.via {
            Via::Bearer => true,
            Via::BearerWithCookies => false,
            Via::Session => !self.csrf_token.is_empty() && same_secret(submitted, &self.csrf_token),
        };
        if valid { Ok(()) } else { Err(WebError::Csrf) }
    }
}

/// The token of an `Authorization: Bearer …` header: `None` without the header, `Some(Err)`
/// when the header is there but is not a bearer token.
fn bearer_token(headers: &HeaderMap) -> Option<Result<&str, ()>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty());
    Some(token.ok_or(()))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(presented) = bearer_token(&parts.headers) {
            let actor = match presented {
                Ok(token) => state
                    .app
                    .bearer(token)
                    .await
                    .map_err(|e| WebError::from(e).into_response())?,
                Err(()) => None,
            };
            let Some(actor) = actor else {
                return Err(WebError::InvalidToken.into_response());
            };
            let via = if parts.headers.contains_key(header::COOKIE) {
                Via::BearerWithCookies
            } else {
                Via::Bearer
            };
            return Ok(CurrentUser {
                actor,
                csrf_token: String::new(),
                token: String::new(),
                via,
            });
        }
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
                via: Via::Session,
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

/// A safe place to go after signing in: a path on this site, never another site. Without one,
/// `/`, which sends each role to its start page (the register for clinicians, administration
/// for administrators, figures for managers).
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/patients/abc")), "/patients/abc");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
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
    fn bearer_tokens_are_read_from_the_authorization_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_token(&headers), None);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer hearth_pat_abc"),
        );
        assert_eq!(bearer_token(&headers), Some(Ok("hearth_pat_abc")));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&headers), Some(Err(())));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&headers), Some(Err(())));
    }

    fn actor() -> Actor {
        Actor {
            user_id: hearth_domain::UserId::new("user"),
            email: hearth_domain::user::Email::parse("someone@test.example").unwrap(),
            practitioner_id: hearth_domain::PractitionerId::new("practitioner"),
            name: "Some One".to_owned(),
            roles: Vec::new(),
        }
    }

    #[test]
    fn an_empty_csrf_token_never_matches() {
        let user = |via| CurrentUser {
            actor: actor(),
            csrf_token: String::new(),
            token: String::new(),
            via,
        };
        assert!(user(Via::Session).check_csrf("").is_err());
        assert!(user(Via::BearerWithCookies).check_csrf("").is_err());
        assert!(user(Via::Bearer).check_csrf("").is_ok());
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
