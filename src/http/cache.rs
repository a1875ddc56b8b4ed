//! Caching of release content. An [`Answer`](super::answer::Answer) is a function of its
//! release's content hash and of the request, so it gets an `ETag` from the two, and
//! `If-None-Match` with that tag gets a 304 without a body. An answer pinned to a release (the
//! request names the release it came from) never changes: `Cache-Control: immutable`. An answer
//! from "the latest" release is revalidated (`no-cache`). Every other answer names the latest
//! release in `Henkan-Release` too, so that a client always knows what it talked to.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

use super::answer::{Repeat, RELEASE_HEADER};
use crate::Service;

/// A year, the longest `max-age` caches honour.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Stored, but asked again each time (the tag then saves the body).
const REVALIDATE: &str = "no-cache";

/// The middleware: tags answers from release content, answers 304 to a matching
/// `If-None-Match`, and names the latest release on every other answer.
pub(crate) async fn conditional(State(service): State<Arc<Service>>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let uri = req.uri().clone();
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let encoding = req.headers().get(header::ACCEPT_ENCODING).cloned();
    let mut res = next.run(req).await;
    let Some(repeat) = res.extensions().get::<Repeat>().copied() else {
        name_latest(&service, res.headers_mut());
        return res;
    };
    if method != Method::GET || !res.status().is_success() {
        return res;
    }
    let Some(id) = res.headers().get(RELEASE_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned) else {
        return res;
    };
    let Ok(release) = service.shared_release(Some(&id)) else {
        return res;
    };
    let tag = etag(&release.sha256, &uri, encoding.as_ref(), repeat);
    let control = if names(&uri, &id) { IMMUTABLE } else { REVALIDATE };
    let headers = res.headers_mut();
    headers.insert(header::ETAG, tag.clone());
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(control));
    let fresh = if_none_match.as_ref().is_some_and(|v| matches(v, &tag));
    if if_none_match.is_some() {
        crate::metrics::cache(crate::metrics::Cache::HttpNotModified, fresh);
    }
    if fresh {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
            if let Some(v) = res.headers().get(&name) {
                not_modified.headers_mut().insert(name, v.clone());
            }
        }
        not_modified.headers_mut().insert(RELEASE_HEADER, res.headers()[RELEASE_HEADER].clone());
        return not_modified;
    }
    res
}

/// `Henkan-Release: <latest>` on an answer that does not name its own release.
fn name_latest(service: &Service, headers: &mut HeaderMap) {
    if headers.contains_key(RELEASE_HEADER) {
        return;
    }
    if let Some(v) = service.shared_release(None).ok().and_then(|r| HeaderValue::from_str(&r.id).ok()) {
        headers.insert(RELEASE_HEADER, v);
    }
}

/// The tag of an answer: the release's content hash, the request's path and query, and the
/// encodings it accepts (a compressed body is another representation).
fn etag(content: &str, uri: &Uri, encoding: Option<&HeaderValue>, repeat: Repeat) -> HeaderValue {
    let mut h = Sha256::new();
    for part in [content.as_bytes(), uri.path().as_bytes(), uri.query().unwrap_or("").as_bytes()] {
        h.update(part);
        h.update([0]);
    }
    h.update(encoding.map_or(&b""[..], HeaderValue::as_bytes));
    let hex = hex::encode(&h.finalize()[..16]);
    let weak = if repeat == Repeat::Timed { "W/" } else { "" };
    HeaderValue::from_str(&format!("{weak}\"{hex}\"")).expect("hex is a valid header value")
}

/// Whether the request names the release the answer came from: a path segment or a query value.
fn names(uri: &Uri, id: &str) -> bool {
    let in_path = uri.path().split('/').any(|seg| seg == id);
    let in_query = uri.query().is_some_and(|q| q.split('&').filter_map(|kv| kv.split_once('=')).any(|(_, v)| v == id));
    in_path || in_query
}

/// `If-None-Match` (a list of tags, or `*`) against a tag, by the weak comparison RFC 9110 asks
/// of it.
fn matches(if_none_match: &HeaderValue, tag: &HeaderValue) -> bool {
    let Ok(list) = if_none_match.to_str() else { return false };
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let tag = bare(tag.to_str().unwrap_or(""));
    list.split(',').any(|t| t.trim() == "*" || bare(t) == tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_is_named_by_a_path_segment_or_a_query_value_only() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert!(names(&uri("/v1/releases/2024-06"), "2024-06"));
        assert!(names(&uri("/v1/search?q=x&release=2024-06"), "2024-06"));
        assert!(!names(&uri("/v1/search?q=2024-06x&release=latest"), "2024-06"));
        assert!(!names(&uri("/v1/concepts/jp-receipt-disease/8848176"), "2024-06"));
    }

    #[test]
    fn if_none_match_takes_lists_stars_and_weak_tags() {
        let tag = HeaderValue::from_static("\"abc\"");
        assert!(matches(&HeaderValue::from_static("\"x\", \"abc\""), &tag));
        assert!(matches(&HeaderValue::from_static("*"), &tag));
        assert!(matches(&HeaderValue::from_static("W/\"abc\""), &tag));
        assert!(!matches(&HeaderValue::from_static("\"abd\""), &tag));
    }
}
