//! `henkan serve`: publish the bundled masters on an empty data directory, then serve the API.

use super::spinner;
use crate::config::{HttpConfig, ServeOpts};
use crate::http::{serve, AppState};
use crate::{Error, Service};

pub(super) fn run(service: Service, opts: &ServeOpts) -> Result<(), Error> {
    let started = std::time::Instant::now();
    crate::http::set_batch_max(opts.batch_max);
    let pb = spinner("checking data directory");
    let published = service.bootstrap(&opts.masters_dir, |id| {
        pb.set_message(format!("publishing bundled release {id}"));
        tracing::info!(release.id = id, "Publishing bundled release {id} from {}", opts.masters_dir.display());
    });
    pb.finish_and_clear();
    let published = published?;
    if !published.is_empty() {
        tracing::info!(
            releases = published.len(),
            ms = started.elapsed().as_millis() as u64,
            "Published the bundled official masters"
        );
    }
    let latest = service.release(None).map(|r| r.id).unwrap_or_else(|_| "none".into());
    tracing::info!(release.id = %latest, ms = started.elapsed().as_millis() as u64, "Ready");
    let service = std::sync::Arc::new(service);
    // Build the latest release's search index in the background: serving starts at once.
    let warm = service.clone();
    std::thread::spawn(move || {
        if let Err(e) = warm.warm_search() {
            tracing::warn!(error = %e, "Could not build the search index in advance; it will be built on first search");
        }
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(serve(AppState(service), &HttpConfig::from(opts))).map_err(|e| Error::Internal(e.to_string()))
}
