//! Shared test helpers: real data paths, stores in temp dirs, a `TestApp` with an HTTP router.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use henkan::config::StoreConfig;
use henkan::http::{router, AppState};
use henkan::{PublishRequest, Service};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// A file of the staged official data (`../shared/data/<rel>`); panics with a clear message if
/// the checkout has no `shared/` beside it.
pub fn shared(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(rel);
    assert!(p.exists(), "{} is needed by this test (shared/ must sit beside the checkout)", p.display());
    p
}

/// The bundled masters directory.
pub fn masters() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("masters")
}

/// A fresh temp dir for a data directory.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("henkan-it-").tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir")
}

/// Opens a service on a directory.
pub fn open(dir: &Path) -> Service {
    Service::open(&StoreConfig::new(dir)).expect("store opens")
}

/// Imports files and publishes them as release `id`.
pub fn import_publish(service: &Service, files: &[PathBuf], id: &str) {
    service.import(files, None, None, |_| {}).expect("import");
    service
        .publish(&PublishRequest { id: id.into(), publisher: "test".into(), notes: String::new() })
        .expect("publish");
}

/// The releases of the default data (`masters/default.toml`), oldest first: the disease
/// master's two editions, then one release per drug change file, named by its date.
pub const DEFAULT_RELEASES: [&str; 22] = [
    "2024-01",
    "2024-06",
    "2024-06-13",
    "2024-06-28",
    "2024-07-17",
    "2024-07-31",
    "2024-08-14",
    "2024-09-06",
    "2024-09-25",
    "2024-10-18",
    "2024-11-12",
    "2024-11-19",
    "2024-12-05",
    "2025-01-15",
    "2025-03-18",
    "2025-04-15",
    "2025-05-16",
    "2025-05-20",
    "2025-06-12",
    "2025-06-30",
    "2025-07-15",
    "2025-08-13",
];

/// An app over a data directory.
pub struct TestApp {
    pub state: AppState,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// The default data, as `henkan serve` publishes it on an empty directory. Built once per
    /// test binary and shared (read-only) by the tests that use it.
    pub fn default_data() -> &'static TestApp {
        static APP: OnceLock<TestApp> = OnceLock::new();
        APP.get_or_init(|| {
            let dir = tempdir();
            let service = open(dir.path());
            let published = service.bootstrap(&masters(), |_| {}).expect("bootstrap");
            assert_eq!(published.len(), DEFAULT_RELEASES.len());
            TestApp { state: AppState::new(service), _dir: dir }
        })
    }

    pub fn service(&self) -> &Service {
        &self.state.0
    }

    /// GET a path; returns status and JSON body.
    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.request(Request::get(uri).body(Body::empty()).unwrap()).await
    }

    /// Sends a request; returns status, headers and the body as sent (not decompressed).
    pub async fn raw(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let resp = router(self.state.clone()).oneshot(req).await.unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        (status, headers, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
    }

    pub async fn request(&self, req: Request<Body>) -> (StatusCode, Value) {
        let resp = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("non-JSON body ({e}): {}", String::from_utf8_lossy(&bytes)));
        (status, body)
    }
}
