//! `/fhir`: a FHIR R4 terminology server over the same releases as `/v1` — a thin edge over
//! [`Service`]. Each operation reads its [`Params`] (GET query or POST `Parameters`), builds a
//! [`terminology::Registry`] of the release and the request's `tx-resource`s, and answers with a
//! resource; every error is an `OperationOutcome` ([`outcome`]).
//!
//! | file | what |
//! |---|---|
//! | `params.rs` | GET query and POST `Parameters` into one list |
//! | `outcome.rs` | errors → status + OperationOutcome |
//! | `terminology/` | code systems, value set evaluation, the registry |
//! | `ops/` | one file per operation or resource |

mod json;
mod ops;
mod outcome;
mod params;
pub(crate) mod terminology;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{FromRequest, Request};
use axum::routing::{get, MethodRouter};
use axum::Router;

pub use outcome::{FhirError, IssueType};
pub(crate) use params::Params;
use terminology::CodeSystemDef;

use crate::model::{CodeSystem, Release};
use crate::Service;

/// How many code system versions (release × system) are kept in memory at most.
const CACHED_SYSTEMS: usize = 24;

/// A value read once per key and shared: concurrent first requests wait for one read.
type Slot<T> = Arc<std::sync::OnceLock<Result<Arc<T>, FhirError>>>;

/// Values by key, oldest first, at most `cap` of them.
struct Cache<T> {
    cap: usize,
    slots: Mutex<Vec<(String, Slot<T>)>>,
}

impl<T> Cache<T> {
    fn new(cap: usize) -> Self {
        Self { cap, slots: Mutex::new(Vec::new()) }
    }

    /// The value of `key`, read by `load` on first use (once, however many ask at the same time).
    /// A failed read is not kept.
    fn get(&self, key: &str, load: impl FnOnce() -> Result<T, FhirError>) -> Result<Arc<T>, FhirError> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match slots.iter().find(|(k, _)| k == key) {
                Some((_, slot)) => Arc::clone(slot),
                None => {
                    if slots.len() >= self.cap {
                        slots.remove(0);
                    }
                    let slot: Slot<T> = Arc::default();
                    slots.push((key.to_owned(), Arc::clone(&slot)));
                    slot
                }
            }
        };
        crate::metrics::cache(crate::metrics::Cache::Fhir, slot.get().is_some());
        let value = slot.get_or_init(|| load().map(Arc::new)).clone();
        if value.is_err() {
            self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner).retain(|(k, _)| k != key);
        }
        value
    }
}

/// The children of each code of a code system version (from its `parent` property).
pub(crate) struct Hierarchy(HashMap<String, Vec<String>>);

impl Hierarchy {
    /// The children of a code.
    pub(crate) fn children(&self, code: &str) -> &[String] {
        self.0.get(code).map_or(&[], Vec::as_slice)
    }
}

/// What every `/fhir` handler gets: the service, and what was read into memory for it.
#[derive(Clone)]
pub struct FhirState {
    pub(crate) service: Arc<Service>,
    systems: Arc<Cache<CodeSystemDef>>,
    hierarchies: Arc<Cache<Hierarchy>>,
    reverse: Arc<Cache<ops::translate::Reverse>>,
}

impl FhirState {
    /// The state over a service.
    pub fn new(service: Arc<Service>) -> Self {
        Self {
            service,
            systems: Arc::new(Cache::new(CACHED_SYSTEMS)),
            hierarchies: Arc::new(Cache::new(CACHED_SYSTEMS * 2)),
            reverse: Arc::new(Cache::new(CACHED_SYSTEMS)),
        }
    }

    /// A henkan code system version in memory, whole, read from the store on first use (for
    /// expansions and value set membership).
    pub(crate) fn henkan_code_system(
        &self,
        release: &Release,
        cs: &'static CodeSystem,
    ) -> Result<Arc<CodeSystemDef>, FhirError> {
        let key = format!("{}|{}", release.sha256, cs.slug);
        self.systems.get(&key, || {
            let rs = release.system(cs.slug).ok_or_else(|| crate::Error::SystemNotInRelease {
                system: cs.slug.to_owned(),
                release: release.id.clone(),
            })?;
            let concepts = self.service.concepts(cs.slug, &release.id)?;
            Ok(CodeSystemDef::from_henkan(cs.slug, cs.uri, &rs.version, cs.name, concepts))
        })
    }

    /// The children of every code of a henkan code system version, read once.
    pub(crate) fn hierarchy(&self, release: &Release, cs: &'static CodeSystem) -> Result<Arc<Hierarchy>, FhirError> {
        let key = format!("{}|{}", release.sha256, cs.slug);
        self.hierarchies.get(&key, || {
            let mut children: HashMap<String, Vec<String>> = HashMap::new();
            for c in self.service.concepts(cs.slug, &release.id)? {
                if let Some(p) = c.properties.get("parent") {
                    children.entry(p.clone()).or_default().push(c.code);
                }
            }
            Ok(Hierarchy(children))
        })
    }

    /// One code of a henkan code system version with its parents and children: what a lookup
    /// or a validation against the code system needs, without reading the whole system.
    pub(crate) fn henkan_concept(
        &self,
        release: &Release,
        cs: &'static CodeSystem,
        code: &str,
    ) -> Result<CodeSystemDef, FhirError> {
        let rs = release.system(cs.slug).ok_or_else(|| crate::Error::SystemNotInRelease {
            system: cs.slug.to_owned(),
            release: release.id.clone(),
        })?;
        let mut concepts = Vec::new();
        match self.service.lookup(cs.slug, code, Some(&release.id)) {
            Ok(found) if crate::model::slug::HIERARCHICAL.contains(&cs.slug) => {
                let concept = found.concept;
                let hierarchy = self.hierarchy(release, cs)?;
                let related: Vec<String> = concept
                    .properties
                    .get("parent")
                    .cloned()
                    .into_iter()
                    .chain(hierarchy.children(&concept.code).iter().cloned())
                    .collect();
                concepts.push(concept);
                for r in related {
                    if let Ok(found) = self.service.lookup(cs.slug, &r, Some(&release.id)) {
                        concepts.push(found.concept);
                    }
                }
            }
            Ok(found) => concepts.push(found.concept),
            Err(e) if e.kind() == crate::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        Ok(CodeSystemDef::from_henkan(cs.slug, cs.uri, &rs.version, cs.name, concepts))
    }
}

/// The parameters of a request: the query string, and for a POST the `Parameters` body.
pub(crate) struct FhirParams(pub(crate) Params, pub(crate) axum::http::HeaderMap);

impl<S: Send + Sync> FromRequest<S> for FhirParams {
    type Rejection = FhirError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let query = Params::from_query(req.uri().query());
        let headers = req.headers().clone();
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                return FhirError::from(crate::Error::BodyTooLarge { limit_bytes: crate::http::body_limit() });
            }
            FhirError::invalid(format!("cannot read the request body: {e}"))
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(query, headers));
        }
        let body: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            FhirError::invalid(format!(
                "the body is not JSON ({e}); send a Parameters resource as application/fhir+json"
            ))
        })?;
        Ok(Self(Params::from_body(&body)?.merge(query), headers))
    }
}

/// Every `/fhir` route: (method, path below `/fhir`, handler).
fn routes() -> Vec<(&'static str, &'static str, MethodRouter<FhirState>)> {
    use ops::{expand, lookup, metadata, read, subsumes, translate, validate};
    let op = |h| -> MethodRouter<FhirState> { h };
    vec![
        ("GET", "/metadata", get(metadata::metadata)),
        ("GET|POST", "/CodeSystem/$lookup", op(get(lookup::lookup).post(lookup::lookup))),
        ("GET|POST", "/CodeSystem/$validate-code", op(get(validate::cs_validate).post(validate::cs_validate))),
        ("GET|POST", "/CodeSystem/$subsumes", op(get(subsumes::subsumes).post(subsumes::subsumes))),
        ("GET|POST", "/ValueSet/$validate-code", op(get(validate::vs_validate).post(validate::vs_validate))),
        ("GET|POST", "/ValueSet/$expand", op(get(expand::expand).post(expand::expand))),
        ("GET|POST", "/ConceptMap/$translate", op(get(translate::translate).post(translate::translate))),
        ("GET", "/CodeSystem", get(read::search_code_systems)),
        ("GET", "/CodeSystem/{id}", get(read::read_code_system)),
        ("GET", "/ValueSet", get(read::search_value_sets)),
        ("GET", "/ValueSet/{id}", get(read::read_value_set)),
        ("GET", "/ConceptMap", get(read::search_concept_maps)),
        ("GET", "/ConceptMap/{id}", get(read::read_concept_map)),
    ]
}

/// (method, full path) of every `/fhir` route, for the drift test against the
/// CapabilityStatement and the OpenAPI document.
pub fn route_table() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (methods, path, _) in routes() {
        for m in methods.split('|') {
            out.push((m, format!("/fhir{path}")));
        }
    }
    out
}

/// The `/fhir` router, with its own state and OperationOutcome fallbacks.
pub fn router(service: Arc<Service>) -> Router {
    let mut router = Router::new();
    for (_, path, handler) in routes() {
        router = router.route(path, handler);
    }
    router
        .fallback(outcome::route_not_found)
        .method_not_allowed_fallback(outcome::method_not_allowed)
        .with_state(FhirState::new(service))
}
