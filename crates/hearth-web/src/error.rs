//! The one place where errors become HTTP responses: each kind of failure has one status code
//! and a page that says what happened and what to do next.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_domain::access::Denial;

/// An error from a handler.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(
        "The form has expired or did not come from Hearth. Go back, reload the page and try again."
    )]
    Csrf,
    #[error("There is no page at this address. Check the link, or go to the register.")]
    NotFound,
    /// A bearer token that is malformed, unknown, expired or revoked, or whose account is
    /// disabled. Answered with 401 and a `WWW-Authenticate` challenge, never a redirect: API
    /// clients cannot sign in through a form.
    #[error(
        "The bearer token is not valid: it is malformed, unknown, expired or revoked, or its account is disabled. Ask your administrator for a new token."
    )]
    InvalidToken,
    #[error("The page could not be drawn: {0}")]
    Template(#[from] askama::Error),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: String,
    /// A way forward other than the register: (address, label).
    action: Option<(String, &'static str)>,
}

impl WebError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            WebError::App(error) => match error {
                AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::BadCredentials | AppError::AccountDisabled | AppError::SignedOut => {
                    StatusCode::UNAUTHORIZED
                }
                AppError::Throttled { .. } | AppError::AddressThrottled { .. } => {
                    StatusCode::TOO_MANY_REQUESTS
                }
                AppError::Forbidden(_) | AppError::RecordClosed { .. } => StatusCode::FORBIDDEN,
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                AppError::Duplicate(_) | AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::InvalidToken => StatusCode::UNAUTHORIZED,
            WebError::Template(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if matches!(self, WebError::App(AppError::SignedOut)) {
            return Redirect::to("/sign-in").into_response();
        }
        if matches!(self, WebError::InvalidToken) {
            return (
                StatusCode::UNAUTHORIZED,
                [(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                )],
                self.to_string(),
            )
                .into_response();
        }
        let status = self.status();
        let message = if status.is_server_error() {
            // The details go to the log, not to the page: they may name internals.
            tracing::error!(error = %self, "request failed");
            "Something went wrong inside Hearth and the request was not completed. Nothing was \
             changed. Try again; if it keeps happening, tell your administrator the time it happened."
                .to_owned()
        } else {
            self.to_string()
        };
        let title = match &self {
            WebError::App(AppError::RecordClosed { .. }) => "This record is closed to you",
            _ => status.canonical_reason().unwrap_or("Error"),
        };
        let action = match &self {
            WebError::App(AppError::RecordClosed { patient, denial })
                if !matches!(denial, Denial::NotClinical) =>
            {
                Some((
                    format!("/patients/{patient}/emergency-access"),
                    "Open the record under emergency access",
                ))
            }
            _ => None,
        };
        let page = ErrorPage {
            title,
            message,
            action,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, title.to_owned()).into_response(),
        }
    }
}
