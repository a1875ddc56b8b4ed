//! `/v1/curation/…`: review candidates and record decisions. Every route needs a curator token
//! (the gate checks it); every decision is written to the audit log with the token holder's name.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::Json;
use serde::Deserialize;

use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::gate::Holder;
use crate::http::page::{PageParams, Paged};
use crate::http::{ApiError, AppState};
use crate::model::{Decision, ReviewState};
use crate::{CandidatePage, CandidateQuery, DecisionRequest};

/// Query of the candidate list.
#[derive(Deserialize)]
pub(crate) struct CandidateParams {
    table: String,
    state: Option<ReviewState>,
    min_score: Option<f32>,
    limit: Option<usize>,
    offset: Option<usize>,
    cursor: Option<String>,
}

/// Source codes on a page of candidates when the request gives no `limit`.
const CANDIDATE_PAGE: usize = 50;

pub(crate) async fn list_candidates(
    State(AppState(service)): State<AppState>,
    uri: Uri,
    ApiQuery(q): ApiQuery<CandidateParams>,
) -> Result<Paged<CandidatePage>, ApiError> {
    let paging = PageParams { limit: q.limit, cursor: q.cursor.clone() };
    let page = paging.request_within(&uri, CANDIDATE_PAGE, crate::http::page::max_page())?;
    // A cursor of the queue is the offset of its next page (the queue changes with decisions).
    let offset = match page.after.as_deref() {
        Some(at) => at.parse().map_err(|_| crate::Error::InvalidRequest {
            field: "cursor".into(),
            message: "not a cursor of the candidate queue: drop it to start from the first".into(),
        })?,
        None => q.offset.unwrap_or(0),
    };
    let query = CandidateQuery {
        table: q.table,
        state: q.state,
        min_score: q.min_score,
        frequency: None,
        limit: Some(page.limit),
        offset: Some(offset),
    };
    let found = super::blocking(move || service.candidates(&query)).await?;
    let end = offset + found.items.len();
    let after = (found.items.len() == page.limit && end < found.total).then(|| end.to_string());
    Ok(Paged::live(crate::Page { body: found, after }, &uri))
}

pub(crate) async fn create_decision(
    State(AppState(service)): State<AppState>,
    Holder(who): Holder,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> Result<(StatusCode, Json<Decision>), ApiError> {
    Ok((StatusCode::CREATED, Json(service.decide(&who.name, &req)?)))
}
