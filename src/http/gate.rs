//! The gate in front of every route, in this order: the request target's length (414), the
//! body's declared size (413), the token and the role the route needs (401, 403), the rate of
//! the token or client address (429), a free request slot (429), and the time until the answer
//! starts (408). Probes (`/healthz`, `/readyz`) pass the access and the per-client checks.
//!
//! What a route needs is one column of the route table ([`super::routes`]), so that the auth
//! test walks exactly what is served.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::config::{HttpConfig, Limits, ReadAccess};
use crate::model::{Role, TokenInfo};
use crate::{Error, Service};

/// What a route needs of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Nothing, and no limit applies (liveness and readiness probes, which must always answer).
    Probe,
    /// A read: open to anyone, or to any token when reads are closed (`auth.read = "token"`).
    Read,
    /// A token of this role or a higher one.
    Needs(Role),
}

/// Which envelope errors are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Edge {
    /// `/v1` and the probes: `{"error": {…}}`.
    Native,
    /// `/fhir`: an OperationOutcome.
    Fhir,
}

/// A token bucket per token or address.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The server-wide part of the gate: who may read, the limits, the request slots and the rates.
pub(crate) struct Policy {
    read: ReadAccess,
    limits: Limits,
    slots: Arc<Semaphore>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// Buckets kept before the full (idle) ones are dropped.
const MAX_BUCKETS: usize = 100_000;

impl Policy {
    pub(crate) fn new(config: &HttpConfig) -> Self {
        Self {
            read: config.read,
            limits: config.limits,
            slots: Arc::new(Semaphore::new(config.limits.concurrency)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket, or says how many seconds until one is there.
    fn take(&self, key: &str) -> Result<(), u64> {
        let per_minute = self.limits.rate_per_minute;
        if per_minute == 0 {
            return Ok(());
        }
        let (rate, burst) = (f64::from(per_minute) / 60.0, f64::from(self.limits.rate_burst));
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_BUCKETS {
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let b = buckets.entry(key.to_owned()).or_insert(Bucket { tokens: burst, at: now });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * rate).min(burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / rate).ceil().max(1.0) as u64)
        }
    }
}

/// The state of one route's gate.
#[derive(Clone)]
pub(crate) struct Gate {
    pub(crate) service: Arc<Service>,
    pub(crate) policy: Arc<Policy>,
    pub(crate) access: Access,
    pub(crate) edge: Edge,
}

/// The holder of the token a request came with (set by the gate on routes that need a role).
#[derive(Debug, Clone)]
pub(crate) struct Holder(pub(crate) TokenInfo);

impl<S: Send + Sync> FromRequestParts<S> for Holder {
    type Rejection = super::ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Holder>().cloned().ok_or_else(|| Error::Unauthorized.into())
    }
}

fn refuse(edge: Edge, e: Error) -> Response {
    match edge {
        Edge::Native => super::ApiError::from(e).into_response(),
        Edge::Fhir => {
            let retry = e.retry_after();
            let mut answer = crate::fhir::FhirError::from(e).into_response();
            if let Some(secs) = retry {
                answer.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
            }
            answer
        }
    }
}

/// Routes whose body is read as a stream and so has no size limit.
const STREAMED: &[&str] = &["/v1/translate/stream"];

/// The gate (see the module docs).
pub(crate) async fn gate(State(g): State<Gate>, mut req: Request, next: Next) -> Response {
    if g.access == Access::Probe {
        return next.run(req).await;
    }
    let limits = g.policy.limits;
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > limits.uri_bytes {
        return refuse(g.edge, Error::UriTooLong { length: target, limit_bytes: limits.uri_bytes });
    }
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limits.body_bytes) && !STREAMED.contains(&req.uri().path()) {
        return refuse(g.edge, Error::BodyTooLarge { limit_bytes: limits.body_bytes });
    }
    let needed = match g.access {
        Access::Probe => None,
        Access::Read => (g.policy.read == ReadAccess::Token).then_some(Role::Reader),
        Access::Needs(role) => Some(role),
    };
    let bearer = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let holder = match bearer.map(|t| g.service.authenticate(t)).transpose() {
        Ok(h) => h.flatten(),
        Err(e) => return refuse(g.edge, e),
    };
    if let Some(role) = needed {
        match &holder {
            None => return refuse(g.edge, Error::Unauthorized),
            Some(h) if !h.role.grants(role) => return refuse(g.edge, Error::Forbidden { role: h.role }),
            Some(_) => {}
        }
    }
    let key = match &holder {
        Some(h) => format!("token:{}", h.id),
        None => req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "address:unknown".to_owned(), |ConnectInfo(a)| format!("address:{}", a.ip())),
    };
    if let Err(retry_after_secs) = g.policy.take(&key) {
        let per_minute = limits.rate_per_minute;
        let who = if holder.is_some() { "this token" } else { "this client address" };
        return refuse(
            g.edge,
            Error::TooManyRequests {
                message: format!("{who} is over {per_minute} requests a minute"),
                retry_after_secs,
            },
        );
    }
    let Ok(_slot) = Arc::clone(&g.policy.slots).try_acquire_owned() else {
        return refuse(
            g.edge,
            Error::TooManyRequests {
                message: format!("the server is serving its limit of {} requests at once", limits.concurrency),
                retry_after_secs: 1,
            },
        );
    };
    if let Some(h) = holder {
        req.extensions_mut().insert(Holder(h));
    }
    let limit_ms = limits.request_timeout_ms;
    match tokio::time::timeout(Duration::from_millis(limit_ms), next.run(req)).await {
        Ok(answer) => answer,
        Err(_) => refuse(g.edge, Error::TimedOut { limit_ms }),
    }
}
