//! Configuration: command-line flags over `HENKAN_*` environment variables over an optional TOML
//! file (`--config`, see [`file`]), parsed once by clap and checked into small typed configs.
//! Nothing else reads the environment or the file.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::Args;

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub struct GlobalOpts {
    /// Data directory holding the store (created if missing).
    #[arg(long, env = "HENKAN_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Who is acting, recorded in the audit log for CLI actions.
    #[arg(long, env = "HENKAN_USER", default_value = "local", global = true)]
    pub user: String,
    /// Memory for the store's page cache, in MiB: pages beyond it are read again from the data
    /// directory (the OS page cache) when needed.
    #[arg(long, env = "HENKAN_CACHE_MB", default_value_t = DEFAULT_CACHE_MB, global = true)]
    pub cache_mb: u64,
    /// Log lines as text for people, or as JSON objects (one per line) for log shippers.
    #[arg(long, env = "HENKAN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// A TOML file of settings (every flag has a key; flags and `HENKAN_*` variables win over it).
    #[arg(long, env = "HENKAN_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Abort the process at a named stage (crash-safety testing only).
    #[arg(long, env = "HENKAN_FAILPOINT", hide = true, global = true)]
    pub failpoint: Option<String>,
}

/// How log lines are written (on stderr).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per event, with the request's span fields (request id, method, uri).
    Json,
}

/// The store's default page cache (MiB): room for every page the default data's lookups and
/// translations touch (the server's RSS stays near 300 MB after the load bench; a smaller cache
/// re-reads mapping pages and loses a third of translate throughput, see bench/README.md).
pub const DEFAULT_CACHE_MB: u64 = 512;

/// Where the store lives and how it behaves.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Data directory.
    pub data_dir: PathBuf,
    /// Failpoint stage, if any.
    pub failpoint: Option<String>,
    /// Page cache size in MiB.
    pub cache_mb: u64,
}

impl StoreConfig {
    /// A store config for a directory, without failpoints.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self { data_dir: data_dir.into(), failpoint: None, cache_mb: DEFAULT_CACHE_MB }
    }
}

impl From<&GlobalOpts> for StoreConfig {
    fn from(g: &GlobalOpts) -> Self {
        Self { data_dir: g.data_dir.clone(), failpoint: g.failpoint.clone(), cache_mb: g.cache_mb }
    }
}

/// Options of `henkan serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeOpts {
    /// TCP port to listen on.
    #[arg(long, env = "HENKAN_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, env = "HENKAN_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Directory of the bundled masters (`default.toml` and the official files) published on an
    /// empty data directory.
    #[arg(long, env = "HENKAN_MASTERS_DIR", default_value_os_t = default_masters_dir())]
    pub masters_dir: PathBuf,
    /// The most items a `POST /v1/translate/batch` request may hold.
    #[arg(long, env = "HENKAN_BATCH_MAX", default_value_t = crate::http::DEFAULT_BATCH_MAX)]
    pub batch_max: usize,
    /// A browser origin (e.g. `https://ui.example.jp`) whose pages may call the API (CORS);
    /// repeat for more, or separate with commas. None: CORS is off.
    #[arg(long = "cors-origin", env = "HENKAN_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Items on a page of a list when the request gives no `limit`.
    #[arg(long, env = "HENKAN_PAGE_DEFAULT", default_value_t = crate::http::DEFAULT_PAGE)]
    pub page_default: usize,
    /// The largest `limit` a list request may give (over it: 422 `limit_exceeded`).
    #[arg(long, env = "HENKAN_PAGE_MAX", default_value_t = crate::http::MAX_PAGE)]
    pub page_max: usize,
    /// The largest request body, in bytes (over it: 413); `/v1/translate/stream` is not bounded.
    #[arg(long, env = "HENKAN_BODY_BYTES", default_value_t = Limits::DEFAULT.body_bytes)]
    pub body_bytes: usize,
    /// The longest request target (path and query), in bytes (over it: 414).
    #[arg(long, env = "HENKAN_URI_BYTES", default_value_t = Limits::DEFAULT.uri_bytes)]
    pub uri_bytes: usize,
    /// Requests served at once; more get 429 with `Retry-After` (probes are not counted).
    #[arg(long, env = "HENKAN_CONCURRENCY", default_value_t = Limits::DEFAULT.concurrency)]
    pub concurrency: usize,
    /// The longest a request may take until its answer starts, in ms (over it: 408).
    #[arg(long, env = "HENKAN_REQUEST_TIMEOUT_MS", default_value_t = Limits::DEFAULT.request_timeout_ms)]
    pub request_timeout_ms: u64,
    /// Requests per minute per token (per client address without one); 0: no rate limit.
    #[arg(long, env = "HENKAN_RATE_PER_MINUTE", default_value_t = Limits::DEFAULT.rate_per_minute)]
    pub rate_per_minute: u32,
    /// Requests a token or address may make at once above its rate before it is slowed.
    #[arg(long, env = "HENKAN_RATE_BURST", default_value_t = Limits::DEFAULT.rate_burst)]
    pub rate_burst: u32,
    /// Who may read: `open` (anyone) or `token` (a reader, curator or admin token).
    #[arg(long, env = "HENKAN_AUTH_READ", value_enum, default_value_t = ReadAccess::Open)]
    pub auth_read: ReadAccess,
}

/// Who may use the read routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadAccess {
    /// Anyone.
    #[default]
    Open,
    /// Holders of a token of any role.
    Token,
}

/// The server's limits on one request and on a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body (bytes).
    pub body_bytes: usize,
    /// Longest request target (bytes).
    pub uri_bytes: usize,
    /// Requests served at once.
    pub concurrency: usize,
    /// Per-request time until the answer starts (ms).
    pub request_timeout_ms: u64,
    /// Requests per minute per token or address (0: unlimited).
    pub rate_per_minute: u32,
    /// Burst above the rate.
    pub rate_burst: u32,
}

impl Limits {
    /// The defaults: a 16 MiB body (a full batch of 10,000 codes is about 1 MiB), an 8 KiB
    /// target, 512 requests at once, 60 s, and no rate limit.
    pub const DEFAULT: Limits = Limits {
        body_bytes: 16 << 20,
        uri_bytes: 8 << 10,
        concurrency: 512,
        request_timeout_ms: 60_000,
        rate_per_minute: 0,
        rate_burst: 60,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// `./masters` when it exists (running from a checkout), else the one next to the sources this
/// binary was built from.
pub fn default_masters_dir() -> PathBuf {
    let local = PathBuf::from("masters");
    if local.join("default.toml").exists() {
        local
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("masters")
    }
}

/// Checked HTTP settings.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Socket address to listen on.
    pub addr: SocketAddr,
    /// Browser origins allowed by CORS (none: off).
    pub cors_origins: Vec<axum::http::HeaderValue>,
    /// Who may read.
    pub read: ReadAccess,
    /// Per-request and per-client limits.
    pub limits: Limits,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            cors_origins: Vec::new(),
            read: ReadAccess::Open,
            limits: Limits::DEFAULT,
        }
    }
}

impl TryFrom<&ServeOpts> for HttpConfig {
    type Error = crate::Error;

    fn try_from(o: &ServeOpts) -> Result<Self, Self::Error> {
        let cors_origins = o
            .cors_origins
            .iter()
            .map(|origin| {
                let ok = (origin.starts_with("https://") || origin.starts_with("http://")) && !origin.ends_with('/');
                ok.then(|| axum::http::HeaderValue::from_str(origin).ok()).flatten().ok_or_else(|| {
                    crate::Error::InvalidRequest {
                        field: "--cors-origin".into(),
                        message: format!(
                            "{origin:?} is not an origin: give scheme://host[:port], e.g. https://ui.example.jp"
                        ),
                    }
                })
            })
            .collect::<Result<_, _>>()?;
        let positive = |field: &str, n: u64| {
            if n == 0 {
                return Err(crate::Error::InvalidRequest { field: field.into(), message: "must be at least 1".into() });
            }
            Ok(())
        };
        positive("--body-bytes", o.body_bytes as u64)?;
        positive("--uri-bytes", o.uri_bytes as u64)?;
        positive("--concurrency", o.concurrency as u64)?;
        positive("--request-timeout-ms", o.request_timeout_ms)?;
        positive("--rate-burst", u64::from(o.rate_burst))?;
        let limits = Limits {
            body_bytes: o.body_bytes,
            uri_bytes: o.uri_bytes,
            concurrency: o.concurrency,
            request_timeout_ms: o.request_timeout_ms,
            rate_per_minute: o.rate_per_minute,
            rate_burst: o.rate_burst,
        };
        Ok(Self { addr: SocketAddr::new(o.bind, o.port), cors_origins, read: o.auth_read, limits })
    }
}
