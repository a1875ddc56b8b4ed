//! `GET /v1/search?q=&system=&release=&limit=&cursor=` (or `offset=`) and
//! `GET /v1/suggest?q=&system=`.

use axum::extract::State;
use axum::http::Uri;
use serde::Deserialize;

use crate::http::answer::Answer;
use crate::http::extract::ApiQuery;
use crate::http::page::{PageParams, Paged};
use crate::http::{ApiError, AppState};
use crate::{Error, Page, SearchAnswer};

/// Hits on a search page when the request gives no `limit`, and the most it may ask.
const SEARCH_PAGE: (usize, usize) = (10, 100);
/// The same for completions.
const SUGGEST_PAGE: (usize, usize) = (8, 50);

/// Query of a search.
#[derive(Deserialize)]
pub(crate) struct SearchParams {
    q: String,
    system: Option<String>,
    release: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    cursor: Option<String>,
}

pub(crate) async fn search_concepts(
    State(AppState(service)): State<AppState>,
    uri: Uri,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Paged<SearchAnswer>, ApiError> {
    let paging = PageParams { limit: p.limit, cursor: p.cursor.clone() };
    let page = paging.request_within(&uri, SEARCH_PAGE.0, SEARCH_PAGE.1)?;
    // A cursor of a search is the offset of its next page.
    let offset = match page.after.as_deref() {
        Some(at) => at.parse().map_err(|_| Error::InvalidRequest {
            field: "cursor".into(),
            message: "not a cursor of a search: drop it to start from the first hit".into(),
        })?,
        None => p.offset.unwrap_or(0),
    };
    let limit = page.limit;
    // The first search of a release builds its index: keep that off the async workers.
    let answer =
        super::blocking(move || service.search(&p.q, p.system.as_deref(), p.release.as_deref(), limit, offset)).await?;
    let after = (answer.results.len() == limit).then(|| (offset + limit).to_string());
    Ok(Paged::new(Page { body: answer, after }, &uri).timed())
}

pub(crate) async fn suggest_concepts(
    State(AppState(service)): State<AppState>,
    uri: Uri,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Answer<SearchAnswer>, ApiError> {
    let limit = PageParams { limit: p.limit, cursor: None }.request_within(&uri, SUGGEST_PAGE.0, SUGGEST_PAGE.1)?.limit;
    let answer =
        super::blocking(move || service.suggest(&p.q, p.system.as_deref(), p.release.as_deref(), limit)).await?;
    Ok(Answer::timed(answer))
}
