//! Extractors whose rejection is an [`ApiError`] in the standard envelope.

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::Json;
use serde::de::DeserializeOwned;

use super::ApiError;

/// Query string parameters; a malformed query is a 400 `invalid_request`.
pub(crate) struct ApiQuery<T>(pub(crate) T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Self(v))
            .map_err(|e| ApiError::invalid_request(format!("invalid query string: {}", e.body_text())))
    }
}

/// Path parameters; a malformed path is a 400 `invalid_request`.
pub(crate) struct ApiPath<T>(pub(crate) T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| Self(v))
            .map_err(|e| ApiError::invalid_request(format!("invalid path: {}", e.body_text())))
    }
}

/// A JSON body; a malformed body is a 400 `invalid_request`.
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| Self(v))
            .map_err(|e| ApiError::invalid_request(format!("invalid JSON body: {}", e.body_text())))
    }
}

/// The holder of a valid curator token (`Authorization: Bearer <token>`); otherwise a 401
/// `unauthorized` (no or unknown token) or a 403 `forbidden` (a token of another role).
pub(crate) struct Curator(pub(crate) crate::model::TokenInfo);

impl FromRequestParts<super::AppState> for Curator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &super::AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(crate::Error::Unauthorized)?;
        match state.0.authenticate(token)? {
            Some(info) if info.role == crate::model::Role::Curator => Ok(Self(info)),
            Some(info) => Err(crate::Error::Forbidden { role: info.role }.into()),
            None => Err(crate::Error::Unauthorized.into()),
        }
    }
}
