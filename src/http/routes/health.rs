//! `GET /healthz`: liveness plus the release being served.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use crate::http::{ApiError, AppState};
use crate::Error;

/// Health answer.
#[derive(Serialize)]
pub(crate) struct Health {
    status: &'static str,
    release: Option<String>,
}

/// Always 200 while the process can read its store.
pub(crate) async fn get_health(State(AppState(service)): State<AppState>) -> Result<Json<Health>, ApiError> {
    let release = match service.release(None) {
        Ok(r) => Some(r.id),
        Err(Error::NoReleases) => None,
        Err(e) => return Err(e.into()),
    };
    Ok(Json(Health { status: "ok", release }))
}
