//! The terminology engine of `/fhir`: code systems, value sets and concept maps of one request,
//! from two places — the release being served (henkan's code systems and mapping tables) and the
//! resources the request brings (`tx-resource`). Lookup, validation, expansion and translation
//! run over both the same way.

pub(crate) mod codesystem;
pub(crate) mod valueset;

use std::sync::Arc;

use serde_json::{json, Value};

pub(crate) use codesystem::CodeSystemDef;

use super::outcome::FhirError;
use super::FhirState;
use crate::model::{resolve_system, Release};

/// What one request can see.
pub(crate) struct Registry<'a> {
    pub(crate) state: &'a FhirState,
    pub(crate) release: Arc<Release>,
    code_systems: Vec<Arc<CodeSystemDef>>,
    value_sets: Vec<Value>,
    pub(crate) concept_maps: Vec<Value>,
    /// `system-version` defaults and `force-system-version` overrides: (url, version, forced).
    pins: Vec<(String, String, bool)>,
}

/// Splits `url|version`.
pub(crate) fn split_canonical(s: &str) -> (&str, Option<&str>) {
    match s.split_once('|') {
        Some((u, v)) if !v.is_empty() => (u, Some(v)),
        Some((u, _)) => (u, None),
        None => (s, None),
    }
}

/// Orders versions: numeric parts numerically, others as text.
fn version_key(v: &str) -> Vec<(u64, String)> {
    v.split(['.', '-']).map(|p| p.parse::<u64>().map_or((u64::MAX, p.to_owned()), |n| (n, String::new()))).collect()
}

/// Whether a version pattern (`1.x`, `1.0.*`, exact) matches a version.
pub(crate) fn version_matches(pattern: &str, version: &str) -> bool {
    if pattern == version {
        return true;
    }
    let (p, v): (Vec<&str>, Vec<&str>) = (pattern.split('.').collect(), version.split('.').collect());
    if !p.iter().any(|s| *s == "x" || *s == "*") {
        return false;
    }
    p.iter().enumerate().all(|(i, s)| *s == "x" || *s == "*" || v.get(i) == Some(s))
}

impl<'a> Registry<'a> {
    /// The registry of a release and the request's resources.
    pub(crate) fn new(state: &'a FhirState, release: Arc<Release>, resources: &[&Value]) -> Result<Self, FhirError> {
        let mut reg = Self {
            state,
            release,
            code_systems: Vec::new(),
            value_sets: Vec::new(),
            concept_maps: Vec::new(),
            pins: Vec::new(),
        };
        for r in resources {
            reg.add(r)?;
        }
        Ok(reg)
    }

    /// Adds a resource given in the request (a Bundle adds its entries).
    pub(crate) fn add(&mut self, r: &Value) -> Result<(), FhirError> {
        match r.get("resourceType").and_then(Value::as_str) {
            Some("CodeSystem") => self.code_systems.push(Arc::new(CodeSystemDef::from_json(r)?)),
            Some("ValueSet") => self.value_sets.push(r.clone()),
            Some("ConceptMap") => self.concept_maps.push(r.clone()),
            Some("Bundle") => {
                for e in r.get("entry").and_then(Value::as_array).into_iter().flatten() {
                    if let Some(res) = e.get("resource") {
                        self.add(res)?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Records a `system-version` (default) or `force-system-version` (override) parameter.
    pub(crate) fn pin(&mut self, canonical: &str, forced: bool) {
        if let (url, Some(v)) = split_canonical(canonical) {
            self.pins.push((url.to_owned(), v.to_owned(), forced));
        }
    }

    /// The version a request asks for: forced pin, else the given version, else the default pin.
    pub(crate) fn wanted_version(&self, url: &str, given: Option<&str>) -> Option<String> {
        let pin = |forced: bool| self.pins.iter().find(|(u, _, f)| u == url && *f == forced).map(|(_, v, _)| v.clone());
        pin(true).or_else(|| given.map(str::to_owned)).or_else(|| pin(false))
    }

    /// A code system version by URL and (optional) version: one given in the request, else one
    /// of the release. `Ok(None)` when there is none.
    pub(crate) fn code_system(
        &self,
        url: &str,
        version: Option<&str>,
    ) -> Result<Option<Arc<CodeSystemDef>>, FhirError> {
        let version = self.wanted_version(url, version);
        let mut given: Vec<&Arc<CodeSystemDef>> =
            self.code_systems.iter().filter(|c| c.url == url && c.supplements.is_none()).collect();
        if !given.is_empty() {
            given.sort_by_key(|c| version_key(c.version.as_deref().unwrap_or("")));
            let found = match &version {
                Some(v) => given.iter().rev().find(|c| c.version.as_deref().is_some_and(|cv| version_matches(v, cv))),
                None => given.last(),
            };
            let Some(found) = found else { return Ok(None) };
            let supplements = self.supplements_of(url);
            if supplements.is_empty() {
                return Ok(Some(Arc::clone(*found)));
            }
            let mut merged = CodeSystemDef::clone(found);
            for s in &supplements {
                merged = merged.with_supplement(s);
            }
            return Ok(Some(Arc::new(merged)));
        }
        let Some((release, cs)) = self.henkan_release(url, version.as_deref()) else { return Ok(None) };
        Ok(Some(self.state.henkan_code_system(&release, cs)?))
    }

    /// The code system for one code: as [`Self::code_system`], but for a release's code
    /// system only that code with its parents and children, read from the store.
    pub(crate) fn code_system_for(
        &self,
        url: &str,
        version: Option<&str>,
        code: &str,
    ) -> Result<Option<Arc<CodeSystemDef>>, FhirError> {
        if self.code_systems.iter().any(|c| c.url == url) {
            return self.code_system(url, version);
        }
        let version = self.wanted_version(url, version);
        let Some((release, cs)) = self.henkan_release(url, version.as_deref()) else { return Ok(None) };
        Ok(Some(Arc::new(self.state.henkan_concept(&release, cs, code)?)))
    }

    /// The release and henkan code system a URL and version name, if any.
    fn henkan_release(
        &self,
        url: &str,
        version: Option<&str>,
    ) -> Option<(Arc<Release>, &'static crate::model::CodeSystem)> {
        let cs = resolve_system(url).filter(|cs| cs.uri == url || cs.slug == url)?;
        let release = match version {
            Some(v) if self.release.system(cs.slug).is_some_and(|s| s.version == v) => Arc::clone(&self.release),
            // The release id in place of the system's version pins the release.
            Some(v) => self.state.service.shared_release(Some(v)).ok()?,
            None => Arc::clone(&self.release),
        };
        release.system(cs.slug)?;
        Some((release, cs))
    }

    /// The versions known for a code system URL (for messages).
    pub(crate) fn known_versions(&self, url: &str) -> Vec<String> {
        let mut v: Vec<String> =
            self.code_systems.iter().filter(|c| c.url == url).filter_map(|c| c.version.clone()).collect();
        if let Some(cs) = resolve_system(url) {
            if let Some(s) = self.release.system(cs.slug) {
                v.push(s.version.clone());
            }
        }
        v.sort_by_key(|x| version_key(x));
        v.dedup();
        v
    }

    /// A value set by canonical (`url` or `url|version`): one given in the request, the implicit
    /// value set of a code system (`{system}?fhir_vs`, `?fhir_vs=isa/CODE`), or the `valueSet`
    /// of a code system.
    pub(crate) fn value_set(&self, canonical: &str) -> Option<Value> {
        let (url, version) = split_canonical(canonical);
        let mut given: Vec<&Value> = self.value_sets.iter().filter(|v| v["url"] == url).collect();
        given.sort_by_key(|v| version_key(v["version"].as_str().unwrap_or("")));
        let found = match version {
            Some(ver) => given.iter().rev().find(|v| v["version"].as_str().is_some_and(|x| version_matches(ver, x))),
            None => given.last(),
        };
        if let Some(v) = found {
            return Some((*v).clone());
        }
        if let Some((system, rest)) = url.split_once("?fhir_vs") {
            let mut include = json!({ "system": system });
            if let Some(code) = rest.strip_prefix("=isa/") {
                include["filter"] = json!([{"property": "concept", "op": "is-a", "value": code}]);
            } else if !rest.is_empty() {
                return None;
            }
            return Some(json!({
                "resourceType": "ValueSet", "url": url, "status": "active",
                "name": "AllCodes", "compose": {"include": [include]},
            }));
        }
        let cs = self.code_systems.iter().find(|c| c.resource["valueSet"] == url)?;
        Some(json!({
            "resourceType": "ValueSet", "url": url, "status": "active",
            "compose": {"include": [{"system": cs.url}]},
        }))
    }

    /// Every code system URL the request's resources give, and the release's.
    pub(crate) fn given_code_systems(&self) -> &[Arc<CodeSystemDef>] {
        &self.code_systems
    }

    /// Whether the request gives a supplement of this canonical.
    pub(crate) fn has_supplement(&self, canonical: &str) -> bool {
        let (url, version) = split_canonical(canonical);
        self.code_systems
            .iter()
            .any(|c| c.supplements.is_some() && c.url == url && version.is_none_or(|v| c.version.as_deref() == Some(v)))
    }

    /// Supplements of a code system given in the request.
    pub(crate) fn supplements_of(&self, url: &str) -> Vec<Arc<CodeSystemDef>> {
        self.code_systems
            .iter()
            .filter(|c| c.supplements.as_deref().is_some_and(|s| split_canonical(s).0 == url))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_patterns_match_by_part() {
        assert!(version_matches("1.x", "1.2.0"));
        assert!(version_matches("1.0.0", "1.0.0"));
        assert!(!version_matches("1.x", "2.0.0"));
        assert!(!version_matches("1.0", "1.0.0"));
        assert!(version_key("1.10.0") > version_key("1.9.0"));
    }
}
