//! Request metrics: each answer counted by route template (not by raw path, so that codes do
//! not make new series), method and status, timed to its head, with the requests in flight.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

use crate::metrics;

/// The middleware.
pub(crate) async fn track(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let method = req.method().clone();
    let _in_flight = metrics::in_flight();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    metrics::request(&route, method.as_str(), res.status().as_u16(), started.elapsed().as_secs_f64());
    res
}
