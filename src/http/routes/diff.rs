//! `GET /v1/diff?from=&to=&system=&table=`: what changed between two releases (concepts and
//! mapping rows).

use axum::extract::State;
use serde::Deserialize;

use crate::http::answer::Answer;
use crate::http::extract::ApiQuery;
use crate::http::{ApiError, AppState};
use crate::DiffReport;

/// Query of a diff.
#[derive(Deserialize)]
pub(crate) struct DiffParams {
    from: String,
    to: Option<String>,
    system: Option<String>,
    table: Option<String>,
}

pub(crate) async fn get_diff(
    State(AppState(service)): State<AppState>,
    ApiQuery(q): ApiQuery<DiffParams>,
) -> Result<Answer<DiffReport>, ApiError> {
    // A diff walks whole code system versions: keep it off the async workers.
    let report = super::blocking(move || {
        service.diff(&q.from, q.to.as_deref().unwrap_or("latest"), q.system.as_deref(), q.table.as_deref())
    })
    .await?;
    Ok(Answer::new(report))
}
