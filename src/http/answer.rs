//! `Answer<T>`: a JSON answer drawn from one release's content. It names that release in the
//! `Henkan-Release` header as well as in the body, and marks itself cacheable so that
//! [`super::cache`] gives it an `ETag` and a `Cache-Control`.

use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// The header naming the release an answer was drawn from.
pub(crate) const RELEASE_HEADER: &str = "henkan-release";

/// An answer whose body is a function of one release's content and the request.
pub(crate) trait Released {
    /// The id of the release the answer was drawn from.
    fn release(&self) -> &str;
}

/// How exactly an answer repeats for the same release and request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Byte for byte: a strong `ETag`.
    Exact,
    /// The same content with other timings (`took_ms`): a weak `ETag`.
    Timed,
}

/// A JSON answer from one release's content.
pub(crate) struct Answer<T> {
    body: T,
    repeat: Repeat,
}

impl<T> Answer<T> {
    /// An answer that repeats byte for byte.
    pub(crate) fn new(body: T) -> Self {
        Self { body, repeat: Repeat::Exact }
    }

    /// An answer that carries the time it took.
    pub(crate) fn timed(body: T) -> Self {
        Self { body, repeat: Repeat::Timed }
    }
}

impl<T: Serialize + Released> IntoResponse for Answer<T> {
    fn into_response(self) -> Response {
        let release = HeaderValue::from_str(self.body.release()).ok();
        let mut res = Json(self.body).into_response();
        if let Some(v) = release {
            res.headers_mut().insert(RELEASE_HEADER, v);
            res.extensions_mut().insert(self.repeat);
        }
        res
    }
}

/// `impl Released` for answers whose `release` field names their release.
macro_rules! released {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::http::answer::Released for $t {
            fn release(&self) -> &str {
                &self.release
            }
        }
    )*};
}

released!(
    crate::Lookup,
    crate::History,
    crate::SearchAnswer,
    crate::Translation,
    crate::ExplainAnswer,
    crate::SystemList,
    crate::SystemAnswer,
    crate::ConceptList,
    crate::TableList,
    crate::TableAnswer,
    crate::RowList,
    crate::ReleaseManifest,
);

impl Released for crate::DiffReport {
    fn release(&self) -> &str {
        &self.to
    }
}
