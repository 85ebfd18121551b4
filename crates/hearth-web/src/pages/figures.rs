//! `/figures`: aggregate register figures for the organisation of the acting role and those
//! part of it, with small numbers suppressed. No names, no links to patients.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use hearth_app::{FigureLine, Figures};

use crate::pages::{Chrome, date, render};
use crate::session::CurrentUser;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "figures.html")]
struct FiguresPage {
    chrome: Option<Chrome>,
    active: &'static str,
    figures: Figures,
    since: String,
}

/// "45 %", or a dash with its reason when the share may not be shown.
fn share(percent: &Option<i64>) -> String {
    percent.map_or_else(|| "—".to_owned(), |p| format!("{p} %"))
}

impl FiguresPage {
    fn share(&self, percent: &Option<i64>) -> String {
        share(percent)
    }

    fn line_share(&self, line: &FigureLine) -> String {
        share(&line.percent)
    }
}

/// `GET /figures`
pub async fn page(State(state): State<AppState>, user: CurrentUser) -> Result<Response, WebError> {
    let figures = state.app.figures(&user.actor).await?;
    render(&FiguresPage {
        chrome: Some(Chrome::of(&user)),
        active: "figures",
        since: date(figures.since),
        figures,
    })
}
