//! `GET /v1/mappings`, `GET /v1/mappings/{table}`, `GET /v1/mappings/{table}/rows` (page by page,
//! filtered) and `GET /v1/mappings/{table}/{code}/explain`: the mapping tables of a release, their
//! rows, and every row of one source code with its evidence chain and who decided.

use axum::extract::State;
use axum::http::Uri;
use serde::Deserialize;

use crate::http::answer::Answer;
use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::page::{PageParams, Paged};
use crate::http::routes::concepts::ReleaseParam;
use crate::http::{ApiError, AppState};
use crate::model::{NoMapReason, Relationship, ReviewState};
use crate::{ExplainAnswer, RowFilter, RowList, TableAnswer, TableList};

pub(crate) async fn list_mappings(
    State(AppState(service)): State<AppState>,
    ApiQuery(q): ApiQuery<ReleaseParam>,
) -> Result<Answer<TableList>, ApiError> {
    // The first listing counts every table's rows.
    Ok(Answer::new(super::blocking(move || service.mapping_tables(q.release.as_deref())).await?))
}

pub(crate) async fn get_mapping(
    State(AppState(service)): State<AppState>,
    ApiPath(table): ApiPath<String>,
    ApiQuery(q): ApiQuery<ReleaseParam>,
) -> Result<Answer<TableAnswer>, ApiError> {
    Ok(Answer::new(super::blocking(move || service.mapping_table(&table, q.release.as_deref())).await?))
}

/// Filters of the row list.
#[derive(Deserialize)]
pub(crate) struct RowParams {
    release: Option<String>,
    review_state: Option<ReviewState>,
    relationship: Option<Relationship>,
    min_score: Option<f32>,
    no_map_reason: Option<NoMapReason>,
}

pub(crate) async fn list_mapping_rows(
    State(AppState(service)): State<AppState>,
    uri: Uri,
    ApiPath(table): ApiPath<String>,
    ApiQuery(q): ApiQuery<RowParams>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Paged<RowList>, ApiError> {
    let page = p.request(&uri)?;
    let filter = RowFilter {
        review_state: q.review_state,
        relationship: q.relationship,
        min_score: q.min_score,
        no_map_reason: q.no_map_reason,
    };
    let found = super::blocking(move || service.mapping_rows(&table, q.release.as_deref(), &filter, &page)).await?;
    Ok(Paged::new(found, &uri))
}

pub(crate) async fn explain_mapping(
    State(AppState(service)): State<AppState>,
    ApiPath((table, code)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<ReleaseParam>,
) -> Result<Answer<ExplainAnswer>, ApiError> {
    Ok(Answer::new(service.explain(&table, &code, q.release.as_deref())?))
}
