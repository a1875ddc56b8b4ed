//! Shared state of the HTTP handlers: the service.

use std::sync::Arc;

use crate::Service;

/// What every handler gets.
#[derive(Clone)]
pub struct AppState(pub Arc<Service>);

impl AppState {
    /// Wraps a service.
    pub fn new(service: Service) -> Self {
        Self(Arc::new(service))
    }
}
