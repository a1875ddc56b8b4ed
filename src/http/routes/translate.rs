//! `GET /v1/translate?system=&code=&target=&release=&as_of=&review=&min_score=`: a code's targets in
//! another code system, through the release's mapping table, with relationship and provenance.

use axum::extract::State;
use serde::Deserialize;

use crate::http::answer::Answer;
use crate::http::extract::ApiQuery;
use crate::http::{ApiError, AppState};
use crate::model::ReviewState;
use crate::{TranslateFilter, Translation};

/// Query of a translation.
#[derive(Deserialize)]
pub(crate) struct TranslateParams {
    system: String,
    code: String,
    target: String,
    release: Option<String>,
    review: Option<ReviewState>,
    min_score: Option<f32>,
    as_of: Option<String>,
}

pub(crate) async fn translate_code(
    State(AppState(service)): State<AppState>,
    ApiQuery(q): ApiQuery<TranslateParams>,
) -> Result<Answer<Translation>, ApiError> {
    let filter = TranslateFilter { review: q.review, min_score: q.min_score, as_of: q.as_of };
    Ok(Answer::new(service.translate(&q.system, &q.code, &q.target, q.release.as_deref(), &filter)?))
}
