//! `GET /v1/systems`, `GET /v1/systems/{system}` and `GET /v1/systems/{system}/concepts`: the code
//! systems of a release and their concepts, page by page in code order.

use axum::extract::State;
use axum::http::Uri;
use serde::Deserialize;

use super::concepts::ReleaseParam;
use crate::http::answer::Answer;
use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::page::{PageParams, Paged};
use crate::http::{ApiError, AppState};
use crate::model::Status;
use crate::{ConceptFilter, ConceptList, SystemAnswer, SystemList};

pub(crate) async fn list_systems(
    State(AppState(service)): State<AppState>,
    ApiQuery(q): ApiQuery<ReleaseParam>,
) -> Result<Answer<SystemList>, ApiError> {
    Ok(Answer::new(service.systems(q.release.as_deref())?))
}

pub(crate) async fn get_system(
    State(AppState(service)): State<AppState>,
    ApiPath(system): ApiPath<String>,
    ApiQuery(q): ApiQuery<ReleaseParam>,
) -> Result<Answer<SystemAnswer>, ApiError> {
    Ok(Answer::new(service.system(&system, q.release.as_deref())?))
}

/// Filters of the concept list.
#[derive(Deserialize)]
pub(crate) struct ConceptParams {
    release: Option<String>,
    status: Option<Status>,
    changed_since: Option<String>,
}

pub(crate) async fn list_system_concepts(
    State(AppState(service)): State<AppState>,
    uri: Uri,
    ApiPath(system): ApiPath<String>,
    ApiQuery(q): ApiQuery<ConceptParams>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Paged<ConceptList>, ApiError> {
    let page = p.request(&uri)?;
    let filter = ConceptFilter { status: q.status, changed_since: q.changed_since };
    let found = super::blocking(move || service.concept_list(&system, q.release.as_deref(), &filter, &page)).await?;
    Ok(Paged::new(found, &uri))
}
