//! One module per resource; handlers are named `<verb>_<resource>`.

pub(crate) mod admin;
pub(crate) mod batch;
pub(crate) mod concepts;
pub(crate) mod curation;
pub(crate) mod diff;
pub(crate) mod health;
pub(crate) mod impact;
pub(crate) mod mappings;
pub(crate) mod openapi;
pub(crate) mod releases;
pub(crate) mod search;
pub(crate) mod systems;
pub(crate) mod translate;

use super::ApiError;

/// Runs a service call that may take long (it walks whole versions, or builds an index) on the
/// blocking pool, off the async workers, and maps its error once.
pub(crate) async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(call).await {
        Ok(answer) => answer.map_err(ApiError::from),
        Err(e) => Err(crate::Error::Internal(format!("blocking task failed: {e}")).into()),
    }
}
