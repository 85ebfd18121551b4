//! Static files, compiled into the binary so that Hearth needs no other files at run time and
//! works on closed clinical networks (nothing is loaded from a CDN).

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::WebError;

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "hearth.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/hearth.css"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/htmx.min.js"),
    ),
    (
        "hearth.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/hearth.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../static/favicon.svg"),
    ),
];

pub async fn file(Path(name): Path<String>) -> Result<Response, WebError> {
    let (_, content_type, body) = FILES
        .iter()
        .find(|(file, _, _)| *file == name)
        .ok_or(WebError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, *content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        *body,
    )
        .into_response())
}
