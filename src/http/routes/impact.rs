//! `POST /v1/impact`: what changes between two releases for exactly the codes given.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::http::extract::ApiJson;
use crate::http::{ApiError, AppState};
use crate::{ImpactCode, ImpactItem};

/// Body of an impact query.
#[derive(Deserialize)]
pub(crate) struct ImpactRequest {
    from: String,
    to: Option<String>,
    codes: Vec<ImpactCode>,
}

/// Answer of an impact query.
#[derive(Serialize)]
pub(crate) struct ImpactAnswer {
    from: String,
    to: String,
    items: Vec<ImpactItem>,
}

pub(crate) async fn post_impact(
    State(AppState(service)): State<AppState>,
    ApiJson(req): ApiJson<ImpactRequest>,
) -> Result<Json<ImpactAnswer>, ApiError> {
    let to = req.to.unwrap_or_else(|| "latest".into());
    let (from_id, to_id) = (service.release(Some(&req.from))?.id, service.release(Some(&to))?.id);
    let items =
        super::blocking(move || service.impact(&from_id, &to_id, &req.codes).map(|i| (from_id, to_id, i))).await?;
    Ok(Json(ImpactAnswer { from: items.0, to: items.1, items: items.2 }))
}
