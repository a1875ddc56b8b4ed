//! `GET /v1/concepts/{system}/{code}` and `…/history`. `system` is a slug or a canonical URI
//! (percent-encoded in the path).

use axum::extract::State;
use serde::Deserialize;

use crate::http::answer::Answer;
use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::{ApiError, AppState};
use crate::{History, Lookup};

/// `?release=` (default: latest).
#[derive(Deserialize)]
pub(crate) struct ReleaseParam {
    pub(crate) release: Option<String>,
}

pub(crate) async fn get_concept(
    State(AppState(service)): State<AppState>,
    ApiPath((system, code)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<ReleaseParam>,
) -> Result<Answer<Lookup>, ApiError> {
    Ok(Answer::new(service.lookup(&system, &code, q.release.as_deref())?))
}

pub(crate) async fn get_concept_history(
    State(AppState(service)): State<AppState>,
    ApiPath((system, code)): ApiPath<(String, String)>,
) -> Result<Answer<History>, ApiError> {
    Ok(Answer::new(service.history(&system, &code)?))
}
