//! The HTTP API (axum): `/v1` native JSON, the probes, and the FHIR edge at `/fhir`
//! ([`crate::fhir`]). Only the curator routes (`/v1/curation/…`) and the admin routes
//! (`/v1/admin/…`, `/v1/audit`) need a role; each write is audited.
//!
//! The router is built from [`routes`], the single table of method + path + [`Access`] +
//! handler, so that the OpenAPI drift test (`tests/it/openapi.rs`) and the auth walk
//! (`tests/it/access.rs`) see exactly what is served. Each route sits behind the [`gate`].

mod answer;
mod cache;
mod error;
mod extract;
mod gate;
mod page;
mod routes;
mod state;
mod track;

use axum::http::{HeaderName, HeaderValue};
use axum::routing::{delete, get, post, MethodRouter};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use gate::Access;
pub use page::{set_page_limits, DEFAULT_PAGE, MAX_PAGE};
pub use routes::batch::{set_batch_max, DEFAULT_BATCH_MAX};
pub use state::AppState;

use crate::config::{HttpConfig, Limits};
use crate::model::Role;

/// Every route: (method, path in axum syntax, what it needs, handler).
fn routes() -> Vec<(&'static str, &'static str, Access, MethodRouter<AppState>)> {
    use routes::{
        admin, batch, concepts, curation, diff, health, impact, mappings, openapi, releases, search, systems, translate,
    };
    use Access::{Probe, Read};
    let (curator, admin) = (Access::Needs(Role::Curator), Access::Needs(Role::Admin));
    vec![
        ("GET", "/healthz", Probe, get(health::get_health)),
        ("GET", "/readyz", Probe, get(health::get_ready)),
        ("GET", "/metrics", Read, get(health::get_metrics)),
        ("GET", "/v1/openapi.yaml", Read, get(openapi::get_openapi_yaml)),
        ("GET", "/v1/openapi.json", Read, get(openapi::get_openapi_json)),
        ("GET", "/v1/releases", Read, get(releases::list_releases)),
        ("GET", "/v1/releases/{release}", Read, get(releases::get_release)),
        ("GET", "/v1/releases/{release}/manifest", Read, get(releases::get_release_manifest)),
        ("GET", "/v1/systems", Read, get(systems::list_systems)),
        ("GET", "/v1/systems/{system}", Read, get(systems::get_system)),
        ("GET", "/v1/systems/{system}/concepts", Read, get(systems::list_system_concepts)),
        ("GET", "/v1/concepts/{system}/{code}", Read, get(concepts::get_concept)),
        ("GET", "/v1/concepts/{system}/{code}/history", Read, get(concepts::get_concept_history)),
        ("GET", "/v1/diff", Read, get(diff::get_diff)),
        ("GET", "/v1/translate", Read, get(translate::translate_code)),
        ("POST", "/v1/translate/batch", Read, post(batch::translate_batch)),
        ("POST", "/v1/translate/stream", Read, post(batch::translate_stream)),
        ("GET", "/v1/search", Read, get(search::search_concepts)),
        ("GET", "/v1/suggest", Read, get(search::suggest_concepts)),
        ("GET", "/v1/mappings", Read, get(mappings::list_mappings)),
        ("GET", "/v1/mappings/{table}", Read, get(mappings::get_mapping)),
        ("GET", "/v1/mappings/{table}/rows", Read, get(mappings::list_mapping_rows)),
        ("GET", "/v1/mappings/{table}/{code}/explain", Read, get(mappings::explain_mapping)),
        ("POST", "/v1/impact", Read, post(impact::post_impact)),
        ("GET", "/v1/curation/candidates", curator, get(curation::list_candidates)),
        ("POST", "/v1/curation/decisions", curator, post(curation::create_decision)),
        ("GET", "/v1/admin/tokens", admin, get(admin::list_tokens)),
        ("POST", "/v1/admin/tokens", admin, post(admin::create_token)),
        ("DELETE", "/v1/admin/tokens/{id}", admin, delete(admin::revoke_token)),
        ("GET", "/v1/audit", admin, get(admin::list_audit)),
        ("GET", "/v1/audit/verify", admin, get(admin::verify_audit)),
    ]
}

/// (method, path, what it needs) of every route, in OpenAPI path syntax (`{param}`), for the
/// drift test and the auth walk.
pub fn route_table() -> Vec<(&'static str, &'static str, Access)> {
    routes().into_iter().map(|(m, p, a, _)| (m, p, a)).collect()
}

/// The largest request body (bytes) of the server running in this process (for the messages of
/// the extractors, which see only axum's own limit).
static BODY_LIMIT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(Limits::DEFAULT.body_bytes);

pub(crate) fn body_limit() -> usize {
    BODY_LIMIT.load(std::sync::atomic::Ordering::Relaxed)
}

/// The application with the default settings: reads open, default limits, CORS off.
pub fn router(state: AppState) -> Router {
    router_with(state, &HttpConfig::default())
}

/// The application: every route behind its gate, the JSON fallback for unknown paths, the
/// caching, metrics, compression and request-id layers, and CORS for the configured browser
/// origins (none: off).
pub fn router_with(state: AppState, config: &HttpConfig) -> Router {
    BODY_LIMIT.store(config.limits.body_bytes, std::sync::atomic::Ordering::Relaxed);
    let router = app(state, config);
    if config.cors_origins.is_empty() {
        return router;
    }
    router.layer(cors(&config.cors_origins))
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

fn app(state: AppState, config: &HttpConfig) -> Router {
    let service = std::sync::Arc::clone(&state.0);
    let policy = std::sync::Arc::new(gate::Policy::new(config));
    let gate_for = |access, edge| gate::Gate {
        service: std::sync::Arc::clone(&service),
        policy: std::sync::Arc::clone(&policy),
        access,
        edge,
    };
    let mut router = Router::new();
    for (_, path, access, handler) in routes() {
        let handler =
            handler.route_layer(axum::middleware::from_fn_with_state(gate_for(access, gate::Edge::Native), gate::gate));
        router = router.route(path, handler);
    }
    // `/fhir` has its own state and answers every error with an OperationOutcome; all of it is
    // reads.
    let fhir = crate::fhir::router(std::sync::Arc::clone(&service))
        .layer(axum::middleware::from_fn_with_state(gate_for(Access::Read, gate::Edge::Fhir), gate::gate));
    router
        .fallback(error::route_not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state)
        .nest("/fhir", fhir)
        // Innermost first: tags and 304s over the uncompressed answer, then compression (gzip or
        // br, as the client accepts), then the request id in the answer, then one span per
        // request carrying that id, and outermost the id itself (the client's, or a new one).
        .layer(axum::middleware::from_fn_with_state(service, cache::conditional))
        .layer(axum::extract::DefaultBodyLimit::max(config.limits.body_bytes))
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
    // The peer's address is known to the gate (the rate limit of anonymous clients).
    let app = router_with(state, config).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
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
