//! The HTTP API (axum): `/v1` native JSON, `/healthz`, and the FHIR edge at `/fhir` ([`crate::fhir`]). Only the curator routes
//! (`/v1/curation/…`, bearer token with the curator role) write, and each write is audited.
//!
//! The router is built from [`routes`], the single table of method + path + handler, so that the
//! OpenAPI drift test (`tests/it/openapi.rs`) sees exactly what is served.

mod answer;
mod cache;
mod error;
mod extract;
mod page;
mod routes;
mod state;
mod track;

use axum::http::{HeaderName, HeaderValue};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use page::{set_page_limits, DEFAULT_PAGE, MAX_PAGE};
pub use routes::batch::{set_batch_max, DEFAULT_BATCH_MAX};
pub use state::AppState;

use crate::config::HttpConfig;

/// Every route: (method, path in axum syntax, handler).
fn routes() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    use routes::{
        batch, concepts, curation, diff, health, impact, mappings, openapi, releases, search, systems, translate,
    };
    vec![
        ("GET", "/healthz", get(health::get_health)),
        ("GET", "/readyz", get(health::get_ready)),
        ("GET", "/metrics", get(health::get_metrics)),
        ("GET", "/v1/openapi.yaml", get(openapi::get_openapi_yaml)),
        ("GET", "/v1/openapi.json", get(openapi::get_openapi_json)),
        ("GET", "/v1/releases", get(releases::list_releases)),
        ("GET", "/v1/releases/{release}", get(releases::get_release)),
        ("GET", "/v1/releases/{release}/manifest", get(releases::get_release_manifest)),
        ("GET", "/v1/systems", get(systems::list_systems)),
        ("GET", "/v1/systems/{system}", get(systems::get_system)),
        ("GET", "/v1/systems/{system}/concepts", get(systems::list_system_concepts)),
        ("GET", "/v1/concepts/{system}/{code}", get(concepts::get_concept)),
        ("GET", "/v1/concepts/{system}/{code}/history", get(concepts::get_concept_history)),
        ("GET", "/v1/diff", get(diff::get_diff)),
        ("GET", "/v1/translate", get(translate::translate_code)),
        ("POST", "/v1/translate/batch", post(batch::translate_batch)),
        ("POST", "/v1/translate/stream", post(batch::translate_stream)),
        ("GET", "/v1/search", get(search::search_concepts)),
        ("GET", "/v1/suggest", get(search::suggest_concepts)),
        ("GET", "/v1/mappings", get(mappings::list_mappings)),
        ("GET", "/v1/mappings/{table}", get(mappings::get_mapping)),
        ("GET", "/v1/mappings/{table}/rows", get(mappings::list_mapping_rows)),
        ("GET", "/v1/mappings/{table}/{code}/explain", get(mappings::explain_mapping)),
        ("POST", "/v1/impact", post(impact::post_impact)),
        ("GET", "/v1/curation/candidates", get(curation::list_candidates)),
        ("POST", "/v1/curation/decisions", post(curation::create_decision)),
        ("GET", "/v1/curation/audit", get(curation::list_audit)),
    ]
}

/// (method, path) of every route, in OpenAPI path syntax (`{param}`), for the drift test.
pub fn route_table() -> Vec<(&'static str, &'static str)> {
    routes().into_iter().map(|(m, p, _)| (m, p)).collect()
}

/// The application with CORS off (same-origin browsers only).
pub fn router(state: AppState) -> Router {
    router_with(state, &[])
}

/// The application: every route, the JSON fallback for unknown paths, the caching, metrics,
/// compression and request-id layers, and CORS for the given browser origins (none: off).
pub fn router_with(state: AppState, cors_origins: &[HeaderValue]) -> Router {
    let router = app(state);
    if cors_origins.is_empty() {
        return router;
    }
    router.layer(cors(cors_origins))
}

/// CORS for pages served from `origins`: reads and the bulk POSTs, with the caching and paging
/// headers readable by the page.
fn cors(origins: &[HeaderValue]) -> tower_http::cors::CorsLayer {
    use axum::http::{header, Method};
    tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::AllowOrigin::list(origins.iter().cloned()))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_NONE_MATCH, header::ACCEPT_LANGUAGE])
        .expose_headers([
            header::ETAG,
            header::LINK,
            HeaderName::from_static(answer::RELEASE_HEADER),
            HeaderName::from_static("x-request-id"),
        ])
}

fn app(state: AppState) -> Router {
    let mut router = Router::new();
    for (_, path, handler) in routes() {
        router = router.route(path, handler);
    }
    let service = std::sync::Arc::clone(&state.0);
    router
        .fallback(error::route_not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state)
        // `/fhir` has its own state and answers every error with an OperationOutcome.
        .nest("/fhir", crate::fhir::router(std::sync::Arc::clone(&service)))
        // Innermost first: tags and 304s over the uncompressed answer, then compression (gzip or
        // br, as the client accepts), then the request id in the answer, then one span per
        // request carrying that id, and outermost the id itself (the client's, or a new one).
        .layer(axum::middleware::from_fn_with_state(service, cache::conditional))
        .layer(axum::middleware::from_fn(track::track))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// The span of one request: method, path and the request id, so that every log line of the
/// request carries its id.
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
    tracing::info_span!("request", method = %req.method(), uri = %req.uri(), request_id = %id)
}

/// Binds the listening socket (before any slow start-up work, so that probes get answers).
pub async fn bind(config: &HttpConfig) -> std::io::Result<tokio::net::TcpListener> {
    let listener = tokio::net::TcpListener::bind(config.addr).await.map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot listen on {}: {e} (is another server using the port? pass --port)", config.addr),
        )
    })?;
    tracing::info!(addr = %config.addr, "henkan listening on http://{}", config.addr);
    Ok(listener)
}

/// Serves until Ctrl-C / SIGTERM, or until `stop` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    config: &HttpConfig,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let shutdown = async move {
        tokio::select! { () = shutdown_signal() => {}, () = stop => {} }
    };
    axum::serve(listener, router_with(state, &config.cors_origins)).with_graceful_shutdown(shutdown).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("Shutting down");
}
