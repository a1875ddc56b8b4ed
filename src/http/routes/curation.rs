//! `/v1/curation/…`: review candidates, record decisions, read the audit log. Every route needs a
//! curator token; every decision is written to the audit log with the token holder's name.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::Json;
use serde::Deserialize;

use crate::http::extract::{ApiJson, ApiQuery, Curator};
use crate::http::page::{PageParams, Paged};
use crate::http::{ApiError, AppState};
use crate::model::{Decision, ReviewState};
use crate::{AuditList, CandidatePage, CandidateQuery, DecisionRequest};

/// Query of the candidate list.
#[derive(Deserialize)]
pub(crate) struct CandidateParams {
    table: String,
    state: Option<ReviewState>,
    min_score: Option<f32>,
    limit: Option<usize>,
    offset: Option<usize>,
}

pub(crate) async fn list_candidates(
    State(AppState(service)): State<AppState>,
    _curator: Curator,
    ApiQuery(q): ApiQuery<CandidateParams>,
) -> Result<Json<CandidatePage>, ApiError> {
    let query = CandidateQuery {
        table: q.table,
        state: q.state,
        min_score: q.min_score,
        frequency: None,
        limit: q.limit,
        offset: q.offset,
    };
    let page = super::blocking(move || service.candidates(&query)).await?;
    Ok(Json(page))
}

pub(crate) async fn create_decision(
    State(AppState(service)): State<AppState>,
    Curator(who): Curator,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> Result<(StatusCode, Json<Decision>), ApiError> {
    Ok((StatusCode::CREATED, Json(service.decide(&who.name, &req)?)))
}

pub(crate) async fn list_audit(
    State(AppState(service)): State<AppState>,
    _curator: Curator,
    uri: Uri,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Paged<AuditList>, ApiError> {
    let page = p.request(&uri)?;
    Ok(Paged::live(service.audit_page(&page)?, &uri))
}
