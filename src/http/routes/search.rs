//! `GET /v1/search?q=&system=&release=&limit=&offset=` and `GET /v1/suggest?q=&system=`.

use axum::extract::State;
use serde::Deserialize;

use crate::http::answer::Answer;
use crate::http::extract::ApiQuery;
use crate::http::{ApiError, AppState};
use crate::SearchAnswer;

/// Query of a search.
#[derive(Deserialize)]
pub(crate) struct SearchParams {
    q: String,
    system: Option<String>,
    release: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

async fn run(
    service: std::sync::Arc<crate::Service>,
    p: SearchParams,
    suggest: bool,
) -> Result<SearchAnswer, ApiError> {
    // The first search of a release builds its index: keep that off the async workers.
    super::blocking(move || {
        if suggest {
            service.suggest(&p.q, p.system.as_deref(), p.release.as_deref(), p.limit.unwrap_or(8))
        } else {
            service.search(
                &p.q,
                p.system.as_deref(),
                p.release.as_deref(),
                p.limit.unwrap_or(10),
                p.offset.unwrap_or(0),
            )
        }
    })
    .await
}

pub(crate) async fn search_concepts(
    State(AppState(service)): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Answer<SearchAnswer>, ApiError> {
    Ok(Answer::timed(run(service, p, false).await?))
}

pub(crate) async fn suggest_concepts(
    State(AppState(service)): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Answer<SearchAnswer>, ApiError> {
    Ok(Answer::timed(run(service, p, true).await?))
}
