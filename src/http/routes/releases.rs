//! `GET /v1/releases`, `GET /v1/releases/{release}`, `GET /v1/releases/{release}/manifest`.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use crate::http::answer::{Answer, Released};
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
) -> Result<Answer<ReleaseOne>, ApiError> {
    let details = service.release(Some(&release))?;
    Ok(Answer::new(ReleaseOne { release: details.id.clone(), details }))
}

impl Released for ReleaseOne {
    fn release(&self) -> &str {
        &self.release
    }
}

pub(crate) async fn get_release_manifest(
    State(AppState(service)): State<AppState>,
    ApiPath(release): ApiPath<String>,
) -> Result<Answer<crate::ReleaseManifest>, ApiError> {
    Ok(Answer::new(service.manifest(Some(&release))?))
}
