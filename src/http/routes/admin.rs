//! Admin routes (an admin token; the gate checks it): `/v1/admin/tokens` (make, list, revoke) and
//! `/v1/audit` (the hash-chained audit log, paged, and its verification). Every change is
//! written to the audit log with the admin's name.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::Json;
use serde::Deserialize;

use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::gate::Holder;
use crate::http::page::{PageParams, Paged};
use crate::http::{ApiError, AppState};
use crate::model::{AuditVerification, Role, TokenInfo};
use crate::{AuditList, NewToken, TokenList};

/// Body of `POST /v1/admin/tokens`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewTokenRequest {
    name: String,
    role: Role,
}

pub(crate) async fn list_tokens(State(AppState(service)): State<AppState>) -> Result<Json<TokenList>, ApiError> {
    Ok(Json(service.tokens()?))
}

pub(crate) async fn create_token(
    State(AppState(service)): State<AppState>,
    Holder(admin): Holder,
    ApiJson(req): ApiJson<NewTokenRequest>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    Ok((StatusCode::CREATED, Json(service.create_token(&req.name, req.role, &admin.name)?)))
}

pub(crate) async fn revoke_token(
    State(AppState(service)): State<AppState>,
    Holder(admin): Holder,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TokenInfo>, ApiError> {
    Ok(Json(service.revoke_token(&id, &admin.name)?))
}

pub(crate) async fn list_audit(
    State(AppState(service)): State<AppState>,
    uri: Uri,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Paged<AuditList>, ApiError> {
    let page = p.request(&uri)?;
    Ok(Paged::live(service.audit_page(&page)?, &uri))
}

pub(crate) async fn verify_audit(
    State(AppState(service)): State<AppState>,
) -> Result<Json<AuditVerification>, ApiError> {
    Ok(Json(super::blocking(move || service.verify_audit()).await?))
}
