//! `GET /v1/releases`, `GET /v1/releases/{release}`.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use crate::http::extract::ApiPath;
use crate::http::{ApiError, AppState};
use crate::model::Release;

/// All releases, oldest first; `release` is the latest.
#[derive(Serialize)]
pub(crate) struct ReleaseList {
    release: Option<String>,
    releases: Vec<Release>,
}

pub(crate) async fn list_releases(State(AppState(service)): State<AppState>) -> Result<Json<ReleaseList>, ApiError> {
    let releases = service.releases()?;
    Ok(Json(ReleaseList { release: releases.last().map(|r| r.id.clone()), releases }))
}

/// One release; `release` echoes its id.
#[derive(Serialize)]
pub(crate) struct ReleaseOne {
    release: String,
    #[serde(flatten)]
    details: Release,
}

pub(crate) async fn get_release(
    State(AppState(service)): State<AppState>,
    ApiPath(release): ApiPath<String>,
) -> Result<Json<ReleaseOne>, ApiError> {
    let details = service.release(Some(&release))?;
    Ok(Json(ReleaseOne { release: details.id.clone(), details }))
}
