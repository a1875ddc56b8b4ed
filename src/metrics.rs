//! The process's metrics, for `GET /metrics` (OpenMetrics text, which Prometheus scrapes): requests by route
//! template and status with latency histograms, requests in flight, cache hits and misses,
//! batch sizes, the search indexes loaded, and at each scrape the release served and the
//! process's resident memory. One registry per process; the engines record into it through the
//! functions here, and only the HTTP edge renders it.

use std::sync::atomic::AtomicU64;
use std::sync::OnceLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

crate::vocabulary! {
    /// The caches whose lookups are counted.
    pub(crate) enum Cache {
        /// Search indexes by release.
        SearchIndex = "search_index",
        /// `/v1/translate` translators by release and systems.
        Translator = "translator",
        /// Bulk translation engines by release.
        BulkEngine = "bulk_engine",
        /// `/fhir` code systems, hierarchies and reverse tables by release.
        Fhir = "fhir",
        /// Answers a client already had (`If-None-Match` → 304).
        HttpNotModified = "http_not_modified",
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    cache: &'static str,
    /// `hit` or `miss`.
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReleaseLabels {
    release: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServedLabels {
    release: String,
    sha256: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Histograms<RouteLabels>,
    in_flight: Gauge,
    caches: Family<CacheLabels, Counter>,
    batch_items: Histogram,
    index_documents: Family<ReleaseLabels, Gauge>,
    index_seconds: Family<ReleaseLabels, Gauge<f64, AtomicU64>>,
    served: Family<ServedLabels, Gauge>,
    rss: Gauge,
}

fn latency_histogram() -> Histogram {
    // 0.1 ms … 3.3 s.
    Histogram::new(exponential_buckets(0.0001, 2.0, 16))
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let mut registry = Registry::with_prefix("henkan");
        let m = Metrics {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram as fn() -> Histogram),
            in_flight: Gauge::default(),
            caches: Family::default(),
            batch_items: Histogram::new(exponential_buckets(1.0, 4.0, 10)),
            index_documents: Family::default(),
            index_seconds: Family::default(),
            served: Family::default(),
            rss: Gauge::default(),
            registry: Registry::default(),
        };
        let r = &mut registry;
        r.register("http_requests", "Requests answered, by route template, method and status", m.requests.clone());
        r.register("http_request_duration_seconds", "Time to answer, by route template", m.latency.clone());
        r.register("http_requests_in_flight", "Requests being answered now", m.in_flight.clone());
        r.register("cache_lookups", "Cache lookups, by cache and outcome", m.caches.clone());
        r.register("batch_items", "Items per POST /v1/translate/batch request", m.batch_items.clone());
        r.register("search_index_documents", "Designations in each loaded search index", m.index_documents.clone());
        r.register(
            "search_index_load_seconds",
            "Time to open or build each loaded search index",
            m.index_seconds.clone(),
        );
        r.register("release_served", "The release answered by default (1), with its content hash", m.served.clone());
        r.register("process_resident_memory_bytes", "Resident memory of the process", m.rss.clone());
        Metrics { registry, ..m }
    })
}

/// Records one answered request.
pub(crate) fn request(route: &str, method: &str, status: u16, seconds: f64) {
    let m = metrics();
    m.requests.get_or_create(&RequestLabels { route: route.into(), method: method.into(), status }).inc();
    m.latency.get_or_create(&RouteLabels { route: route.into() }).observe(seconds);
}

/// Counts a request in flight until the guard is dropped.
pub(crate) fn in_flight() -> InFlight {
    metrics().in_flight.inc();
    InFlight
}

/// A request in flight (see [`in_flight`]).
pub(crate) struct InFlight;

impl Drop for InFlight {
    fn drop(&mut self) {
        metrics().in_flight.dec();
    }
}

/// Records a cache lookup.
pub(crate) fn cache(cache: Cache, hit: bool) {
    let outcome = if hit { "hit" } else { "miss" };
    metrics().caches.get_or_create(&CacheLabels { cache: cache.as_str(), outcome }).inc();
}

/// Records the size of a batch.
pub(crate) fn batch(items: usize) {
    metrics().batch_items.observe(items as f64);
}

/// Records a search index opened or built.
pub(crate) fn index_loaded(release: &str, documents: u64, seconds: f64) {
    let m = metrics();
    let labels = ReleaseLabels { release: release.into() };
    m.index_documents.get_or_create(&labels).set(i64::try_from(documents).unwrap_or(i64::MAX));
    m.index_seconds.get_or_create(&labels).set(seconds);
}

/// The metrics page, with the release served and the resident memory read now.
pub(crate) fn render(served: Option<(&str, &str)>) -> String {
    let m = metrics();
    m.served.clear();
    if let Some((release, sha256)) = served {
        m.served.get_or_create(&ServedLabels { release: release.into(), sha256: sha256.into() }).set(1);
    }
    if let Some(bytes) = resident_bytes() {
        m.rss.set(i64::try_from(bytes).unwrap_or(i64::MAX));
    }
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &m.registry).expect("writing to a String cannot fail");
    out
}

/// Resident set size from `/proc/self/statm` (Linux; none elsewhere).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}
