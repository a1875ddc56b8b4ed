//! `GET /v1/mappings/{table}/{code}/explain?release=`: every row of a source code in a mapping
//! table (chosen, alternatives, rejected) with its evidence chain and who decided.

use axum::extract::State;
use axum::Json;

use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::routes::concepts::ReleaseParam;
use crate::http::{ApiError, AppState};
use crate::ExplainAnswer;

pub(crate) async fn explain_mapping(
    State(AppState(service)): State<AppState>,
    ApiPath((table, code)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<ReleaseParam>,
) -> Result<Json<ExplainAnswer>, ApiError> {
    Ok(Json(service.explain(&table, &code, q.release.as_deref())?))
}
