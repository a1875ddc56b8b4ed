//! `GET /healthz` (liveness plus the release served), `GET /readyz` (readiness) and
//! `GET /metrics` (OpenMetrics text, which Prometheus scrapes).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
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
    let release = match service.shared_release(None) {
        Ok(r) => Some(r.id.clone()),
        Err(Error::NoReleases) => None,
        Err(e) => return Err(e.into()),
    };
    Ok(Json(Health { status: "ok", release }))
}

/// 200 when ready (a release is published, no bootstrap is under way, the latest release's
/// search index is loaded); 503 with the same body otherwise.
pub(crate) async fn get_ready(State(AppState(service)): State<AppState>) -> Result<Response, ApiError> {
    let r = service.readiness()?;
    let status = if r.ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    Ok((status, Json(r)).into_response())
}

/// The metrics page.
pub(crate) async fn get_metrics(State(AppState(service)): State<AppState>) -> Response {
    let latest = service.shared_release(None).ok();
    let page = crate::metrics::render(latest.as_ref().map(|r| (r.id.as_str(), r.sha256.as_str())));
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], page).into_response()
}
