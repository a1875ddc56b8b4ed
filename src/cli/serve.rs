//! `henkan serve`: listen at once, publish the bundled masters on an empty data directory in the
//! background, build the latest release's search index, and serve the API throughout. `/readyz`
//! says when all of that is done; a failed bootstrap stops the server with its error.

use std::sync::Arc;

use super::spinner;
use crate::config::{HttpConfig, ServeOpts};
use crate::http::{bind, serve, AppState};
use crate::{Error, Service};

pub(super) fn run(service: Service, opts: &ServeOpts) -> Result<(), Error> {
    crate::http::set_batch_max(opts.batch_max);
    crate::http::set_page_limits(opts.page_default, opts.page_max);
    let http = HttpConfig::try_from(opts)?;
    let service = Arc::new(service);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let listener = bind(&http).await.map_err(|e| Error::Internal(e.to_string()))?;
        let (failed_tx, failed_rx) = tokio::sync::oneshot::channel::<Error>();
        let (starting, masters) = (Arc::clone(&service), opts.masters_dir.clone());
        std::thread::spawn(move || {
            if let Err(e) = prepare(&starting, &masters) {
                let _ = failed_tx.send(e);
            }
        });
        let failure = Arc::new(std::sync::Mutex::new(None));
        let seen = Arc::clone(&failure);
        let stop = async move {
            match failed_rx.await {
                Ok(e) => {
                    tracing::error!(error = %e, "Start-up failed; stopping");
                    *seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(e);
                }
                // Start-up finished: serve until a signal.
                Err(_) => std::future::pending().await,
            }
        };
        serve(listener, AppState(service), &http, stop).await.map_err(|e| Error::Internal(e.to_string()))?;
        let failed = failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        failed.map_or(Ok(()), Err)
    })
}

/// Publishes the bundled masters if the directory is new, then builds the latest release's
/// search index (a failure of the index only delays it to the first search).
fn prepare(service: &Service, masters_dir: &std::path::Path) -> Result<(), Error> {
    let started = std::time::Instant::now();
    let pb = spinner("checking data directory");
    let published = service.bootstrap(masters_dir, |id| {
        pb.set_message(format!("publishing bundled release {id}"));
        tracing::info!(release.id = id, "Publishing bundled release {id} from {}", masters_dir.display());
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
    if let Err(e) = service.warm_search() {
        tracing::warn!(error = %e, "Could not build the search index in advance; it will be built on first search");
    }
    let latest = service.release(None).map(|r| r.id).unwrap_or_else(|_| "none".into());
    tracing::info!(release.id = %latest, ms = started.elapsed().as_millis() as u64, "Ready");
    Ok(())
}
