//! Cursor paging, the same on every long list: `limit` and `cursor` in; `next` in the body and
//! a `Link: <…>; rel="next"` header out, both absent on the last page.
//!
//! A cursor is the last key of the page it ended, with a check over that key and the query it
//! was made for (path and parameters, `limit` aside). A cursor that was altered, or that is
//! given to another query, is refused with a 400 rather than answered from some other place.
//! The check is not a secret: a made-up cursor only reaches a place that paging reaches too.

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::answer::{Answer, Released, Repeat};
use crate::{Error, PageRequest};

/// Items on a page when the request gives no `limit`.
pub const DEFAULT_PAGE: usize = 100;
/// The largest `limit` a request may give.
pub const MAX_PAGE: usize = 1000;

static PAGE_DEFAULT: AtomicUsize = AtomicUsize::new(DEFAULT_PAGE);
static PAGE_MAX: AtomicUsize = AtomicUsize::new(MAX_PAGE);

/// Sets the default and the largest page size (at start; `max` is at least `default`).
pub fn set_page_limits(default: usize, max: usize) {
    let default = default.max(1);
    PAGE_DEFAULT.store(default, Ordering::Relaxed);
    PAGE_MAX.store(max.max(default), Ordering::Relaxed);
}

/// The largest page a request may ask for.
pub(crate) fn max_page() -> usize {
    PAGE_MAX.load(Ordering::Relaxed)
}

/// `?limit=&cursor=` (an empty cursor is none).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PageParams {
    pub(crate) limit: Option<usize>,
    pub(crate) cursor: Option<String>,
}

impl PageParams {
    /// The page asked for by a request to `uri`: its size checked against the configured
    /// default and maximum, its cursor opened.
    pub(crate) fn request(&self, uri: &Uri) -> Result<PageRequest, Error> {
        self.request_within(uri, PAGE_DEFAULT.load(Ordering::Relaxed), PAGE_MAX.load(Ordering::Relaxed))
    }

    /// The same, for a list with its own default and maximum page (search).
    pub(crate) fn request_within(&self, uri: &Uri, default: usize, max: usize) -> Result<PageRequest, Error> {
        let limit = match self.limit {
            None => default,
            Some(0) => return Err(invalid("limit", "must be at least 1".into())),
            Some(n) if n > max => {
                return Err(Error::LimitExceeded {
                    field: "limit".into(),
                    message: format!("{n} is over the largest page, {max}: ask for fewer and follow `next`"),
                })
            }
            Some(n) => n,
        };
        let after = self.cursor.as_deref().filter(|c| !c.is_empty()).map(|c| open(c, &scope(uri))).transpose()?;
        Ok(PageRequest { after, limit })
    }
}

/// A page of a list: the body with `next` beside its fields, and a `Link` to the next page.
#[derive(Serialize)]
pub(crate) struct Paged<T> {
    #[serde(flatten)]
    body: T,
    /// The cursor of the next page; null on the last.
    next: Option<String>,
    #[serde(skip)]
    link: Option<String>,
    /// The release whose content the page is, when it is one's (then it is cached as such).
    #[serde(skip)]
    release: Option<String>,
    #[serde(skip)]
    repeat: Repeat,
}

impl<T> Paged<T> {
    /// A page of a list that changes without a release (the audit log), answered to a request
    /// to `uri`.
    pub(crate) fn live(page: crate::Page<T>, uri: &Uri) -> Self {
        let next = page.after.map(|after| seal(&after, &scope(uri)));
        let link = next.as_ref().map(|c| next_link(uri, c));
        Self { body: page.body, next, link, release: None, repeat: Repeat::Exact }
    }

    /// The page carries the time it took (a weak tag).
    pub(crate) fn timed(self) -> Self {
        Self { repeat: Repeat::Timed, ..self }
    }
}

impl<T: Released> Paged<T> {
    /// A page of one release's content, answered to a request to `uri`.
    pub(crate) fn new(page: crate::Page<T>, uri: &Uri) -> Self {
        let release = Some(page.body.release().to_owned());
        Self { release, ..Self::live(page, uri) }
    }
}

impl<T> Released for Paged<T> {
    fn release(&self) -> &str {
        self.release.as_deref().unwrap_or_default()
    }
}

impl<T: Serialize> IntoResponse for Paged<T> {
    fn into_response(mut self) -> Response {
        let link = self.link.take().and_then(|l| HeaderValue::from_str(&l).ok());
        let mut res = match (self.release.is_some(), self.repeat) {
            (false, _) => Json(self).into_response(),
            (true, Repeat::Exact) => Answer::new(self).into_response(),
            (true, Repeat::Timed) => Answer::timed(self).into_response(),
        };
        if let Some(l) = link {
            res.headers_mut().insert(header::LINK, l);
        }
        res
    }
}

/// What a cursor is bound to: the path and every parameter but `limit` and `cursor`, sorted.
fn scope(uri: &Uri) -> String {
    let mut params: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty())
        .filter(|kv| !matches!(kv.split('=').next(), Some("limit" | "cursor")))
        .collect();
    params.sort_unstable();
    format!("{}?{}", uri.path(), params.join("&"))
}

fn check(key: &str, scope: &str) -> String {
    let mut h = Sha256::new();
    h.update(scope.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    hex::encode(&h.finalize()[..8])
}

/// The cursor of a key: `hex(key).check`.
fn seal(key: &str, scope: &str) -> String {
    format!("{}.{}", hex::encode(key), check(key, scope))
}

/// The key of a cursor, if it is one this query handed out.
fn open(cursor: &str, scope: &str) -> Result<String, Error> {
    let refused = || {
        invalid(
            "cursor",
            "not a cursor this query handed out (it was changed, or made for other parameters): drop it to start from the first page".into(),
        )
    };
    let (key, sum) = cursor.split_once('.').ok_or_else(refused)?;
    let key = hex::decode(key).ok().and_then(|k| String::from_utf8(k).ok()).ok_or_else(refused)?;
    if check(&key, scope) != sum {
        return Err(refused());
    }
    Ok(key)
}

/// The request's own URI with its cursor replaced.
fn next_link(uri: &Uri, cursor: &str) -> String {
    let kept: Vec<&str> =
        uri.query().unwrap_or("").split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("cursor=")).collect();
    let sep = if kept.is_empty() { "" } else { "&" };
    format!("<{}?{}{sep}cursor={cursor}>; rel=\"next\"", uri.path(), kept.join("&"))
}

fn invalid(field: &str, message: String) -> Error {
    Error::InvalidRequest { field: field.into(), message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_opens_only_for_its_own_query_and_unaltered() {
        let uri: Uri = "/v1/systems/icd11-mms/concepts?status=active&limit=5".parse().unwrap();
        let c = seal("1A00", &scope(&uri));
        assert_eq!(open(&c, &scope(&uri)).unwrap(), "1A00");
        let other_limit: Uri = "/v1/systems/icd11-mms/concepts?limit=50&status=active".parse().unwrap();
        assert_eq!(open(&c, &scope(&other_limit)).unwrap(), "1A00", "limit may change between pages");
        let other_filter: Uri = "/v1/systems/icd11-mms/concepts?status=retired".parse().unwrap();
        assert!(open(&c, &scope(&other_filter)).is_err());
        let altered = format!("{}.{}", hex::encode("1A01"), c.split_once('.').unwrap().1);
        assert!(open(&altered, &scope(&uri)).is_err());
        assert!(open("garbage", &scope(&uri)).is_err());
    }

    #[test]
    fn the_next_link_keeps_the_query_and_replaces_the_cursor() {
        let uri: Uri = "/v1/mappings/t/rows?limit=2&cursor=old".parse().unwrap();
        assert_eq!(next_link(&uri, "new"), "</v1/mappings/t/rows?limit=2&cursor=new>; rel=\"next\"");
    }
}
