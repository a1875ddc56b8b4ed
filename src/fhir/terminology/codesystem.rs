//! One code system version in memory, as the terminology engine sees it: read from a FHIR
//! `CodeSystem` given in the request, or built from a code system version of a henkan release.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::fhir::outcome::FhirError;
use crate::model::{Concept, DesignationUse, Status};

/// The code system of henkan's designation uses (kana reading, short name, English, …).
pub(crate) const DESIGNATION_USE: &str = "https://henkan.dev/fhir/CodeSystem/designation-use";

/// A designation of a concept.
#[derive(Debug, Clone)]
pub(crate) struct Designation {
    /// BCP 47 language.
    pub(crate) language: Option<String>,
    /// The use, as a Coding.
    pub(crate) use_: Option<Value>,
    /// The text.
    pub(crate) value: String,
}

impl Designation {
    /// As a FHIR `designation` element.
    pub(crate) fn to_json(&self) -> Value {
        let mut d = json!({"value": self.value});
        if let Some(l) = &self.language {
            d["language"] = json!(l);
        }
        if let Some(u) = &self.use_ {
            d["use"] = u.clone();
        }
        d
    }
}

/// A concept.
#[derive(Debug, Clone, Default)]
pub(crate) struct CsConcept {
    pub(crate) code: String,
    pub(crate) display: Option<String>,
    pub(crate) definition: Option<String>,
    pub(crate) designations: Vec<Designation>,
    /// `(property code, {"valueX": …})`, in the resource's order.
    pub(crate) properties: Vec<(String, Value)>,
    pub(crate) parents: Vec<usize>,
    pub(crate) children: Vec<usize>,
    pub(crate) inactive: bool,
    pub(crate) abstract_: bool,
    /// The `status` property (`retired`, `deprecated`, …), when given.
    pub(crate) status: Option<String>,
}

impl CsConcept {
    /// A property's value as text.
    pub(crate) fn property(&self, code: &str) -> Option<String> {
        self.properties.iter().find(|(c, _)| c == code).and_then(|(_, v)| value_text(v))
    }
}

/// The text of a `{"valueX": …}` object.
pub(crate) fn value_text(v: &Value) -> Option<String> {
    v.as_object()?.iter().find(|(k, _)| k.starts_with("value")).and_then(|(_, v)| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => o.get("code").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    })
}

/// A code system version.
#[derive(Debug, Clone, Default)]
pub(crate) struct CodeSystemDef {
    pub(crate) url: String,
    pub(crate) version: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) case_sensitive: bool,
    pub(crate) language: Option<String>,
    /// Declared properties: (code, uri, type).
    pub(crate) property_defs: Vec<(String, Option<String>, String)>,
    pub(crate) concepts: Vec<CsConcept>,
    /// Code → index (lower case when the system is case-insensitive).
    index: HashMap<String, usize>,
    /// The code system this one supplements.
    pub(crate) supplements: Option<String>,
    /// The henkan code system (slug) it was built from, for search.
    pub(crate) henkan: Option<&'static str>,
    /// The supplements merged into it (`url|version`).
    pub(crate) applied_supplements: Vec<String>,
    /// Whether any concept has a parent.
    pub(crate) hierarchical: bool,
    /// The resource as given (for a tx-resource), without its concepts when built from henkan.
    pub(crate) resource: Value,
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl CodeSystemDef {
    /// From a FHIR `CodeSystem` resource (R4 or R5).
    pub(crate) fn from_json(r: &Value) -> Result<Self, FhirError> {
        let url = str_of(r, "url").ok_or_else(|| FhirError::invalid("a CodeSystem given in the request has no url"))?;
        let mut cs = Self {
            url,
            version: str_of(r, "version"),
            name: str_of(r, "name"),
            title: str_of(r, "title"),
            case_sensitive: r.get("caseSensitive").and_then(Value::as_bool).unwrap_or(false),
            language: str_of(r, "language"),
            supplements: str_of(r, "supplements"),
            resource: r.clone(),
            ..Self::default()
        };
        for p in r.get("property").and_then(Value::as_array).into_iter().flatten() {
            if let Some(code) = str_of(p, "code") {
                cs.property_defs.push((code, str_of(p, "uri"), str_of(p, "type").unwrap_or_else(|| "string".into())));
            }
        }
        let mut flat_parents: Vec<(usize, String)> = Vec::new();
        for c in r.get("concept").and_then(Value::as_array).into_iter().flatten() {
            cs.add_json(c, None, &mut flat_parents);
        }
        for (child, parent) in flat_parents {
            if let Some(p) = cs.find_index(&parent) {
                cs.link(p, child);
            }
        }
        Ok(cs)
    }

    fn add_json(&mut self, c: &Value, parent: Option<usize>, flat: &mut Vec<(usize, String)>) {
        let Some(code) = str_of(c, "code") else { return };
        let mut concept = CsConcept {
            code,
            display: str_of(c, "display"),
            definition: str_of(c, "definition"),
            ..CsConcept::default()
        };
        for d in c.get("designation").and_then(Value::as_array).into_iter().flatten() {
            if let Some(value) = str_of(d, "value") {
                concept.designations.push(Designation {
                    language: str_of(d, "language"),
                    use_: d.get("use").cloned(),
                    value,
                });
            }
        }
        for p in c.get("property").and_then(Value::as_array).into_iter().flatten() {
            let Some(pc) = str_of(p, "code") else { continue };
            let value: serde_json::Map<String, Value> = p
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| k.starts_with("value"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let value = Value::Object(value);
            match (pc.as_str(), value_text(&value).as_deref()) {
                ("status", Some(s)) => {
                    concept.status = Some(s.to_owned());
                    concept.inactive |= matches!(s, "retired" | "inactive");
                }
                ("inactive", Some("true")) => concept.inactive = true,
                ("notSelectable", Some("true")) | ("abstract", Some("true")) => concept.abstract_ = true,
                _ => {}
            }
            if pc == "parent" {
                if let Some(p) = value_text(&value) {
                    flat.push((self.concepts.len(), p));
                }
                continue;
            }
            if pc == "child" {
                continue;
            }
            concept.properties.push((pc, value));
        }
        let idx = self.push(concept);
        if let Some(p) = parent {
            self.link(p, idx);
        }
        for child in c.get("concept").and_then(Value::as_array).into_iter().flatten() {
            self.add_json(child, Some(idx), flat);
        }
    }

    /// From the concepts of a henkan code system version: designations with henkan's uses, every
    /// property, `status`, and the hierarchy of the `parent` property where there is one.
    pub(crate) fn from_henkan(
        slug: &'static str,
        url: &str,
        version: &str,
        name: &str,
        concepts: Vec<Concept>,
    ) -> Self {
        let mut cs = Self {
            url: url.to_owned(),
            version: Some(version.to_owned()),
            name: Some(pascal(slug)),
            title: Some(name.to_owned()),
            case_sensitive: true,
            language: Some(if slug.starts_with("jp-") || slug.starts_with("jlac10") { "ja" } else { "en" }.into()),
            henkan: Some(slug),
            ..Self::default()
        };
        let mut parents = Vec::new();
        for c in concepts {
            let mut concept = CsConcept {
                code: c.code.clone(),
                display: Some(c.display.clone()),
                inactive: c.status == Status::Retired,
                status: Some(c.status.as_str().to_owned()),
                ..CsConcept::default()
            };
            concept.designations = c
                .designations
                .iter()
                .map(|d| Designation {
                    language: Some(d.language.clone()),
                    use_: Some(use_coding(d.use_)),
                    value: d.value.clone(),
                })
                .collect();
            concept.properties.push(("status".into(), json!({"valueCode": c.status.as_str()})));
            for (k, v) in &c.properties {
                if k == "parent" {
                    parents.push((cs.concepts.len(), v.clone()));
                } else {
                    concept.properties.push((k.clone(), json!({ "valueString": v })));
                }
            }
            cs.push(concept);
        }
        for (child, parent) in parents {
            if let Some(p) = cs.find_index(&parent) {
                cs.link(p, child);
            }
        }
        cs.resource = json!({"resourceType": "CodeSystem", "url": cs.url, "version": version});
        cs
    }

    fn push(&mut self, c: CsConcept) -> usize {
        let idx = self.concepts.len();
        let key = if self.case_sensitive { c.code.clone() } else { c.code.to_lowercase() };
        self.index.entry(key).or_insert(idx);
        self.concepts.push(c);
        idx
    }

    fn link(&mut self, parent: usize, child: usize) {
        if parent != child && !self.concepts[child].parents.contains(&parent) {
            self.concepts[child].parents.push(parent);
            self.concepts[parent].children.push(child);
            self.hierarchical = true;
        }
    }

    /// The index of a code.
    pub(crate) fn find_index(&self, code: &str) -> Option<usize> {
        if self.case_sensitive {
            self.index.get(code).copied()
        } else {
            self.index.get(&code.to_lowercase()).copied()
        }
    }

    /// A concept by code.
    pub(crate) fn find(&self, code: &str) -> Option<&CsConcept> {
        self.find_index(code).map(|i| &self.concepts[i])
    }

    /// The concept and every descendant, each once, in depth-first order.
    pub(crate) fn descendants_or_self(&self, idx: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![idx];
        while let Some(i) = stack.pop() {
            if seen.insert(i) {
                out.push(i);
                stack.extend(self.concepts[i].children.iter().rev());
            }
        }
        out
    }

    /// Whether `a` is `b` or a descendant of it.
    pub(crate) fn is_a(&self, a: usize, b: usize) -> bool {
        let mut stack = vec![a];
        let mut seen = std::collections::HashSet::new();
        while let Some(i) = stack.pop() {
            if i == b {
                return true;
            }
            if seen.insert(i) {
                stack.extend(&self.concepts[i].parents);
            }
        }
        false
    }

    /// A copy with a supplement's designations and properties added to its concepts.
    pub(crate) fn with_supplement(&self, sup: &CodeSystemDef) -> CodeSystemDef {
        let mut out = self.clone();
        for c in &sup.concepts {
            if let Some(i) = out.find_index(&c.code) {
                out.concepts[i].designations.extend(c.designations.iter().cloned());
                out.concepts[i].properties.extend(c.properties.iter().cloned());
            }
        }
        out.applied_supplements.push(sup.canonical());
        out
    }

    /// `url|version`.
    pub(crate) fn canonical(&self) -> String {
        match &self.version {
            Some(v) => format!("{}|{v}", self.url),
            None => self.url.clone(),
        }
    }
}

/// A Coding of a henkan designation use.
pub(crate) fn use_coding(u: DesignationUse) -> Value {
    let display = match u {
        DesignationUse::Short => "short name (省略名称)",
        DesignationUse::Kana => "kana reading (カナ名称)",
        DesignationUse::DentalShort => "dental short name (歯科傷病名省略名称)",
        DesignationUse::Synonym => "synonym",
        DesignationUse::English => "English name",
        DesignationUse::Generic => "generic name (一般名)",
        DesignationUse::Mapped => "name of the mapped concept",
        DesignationUse::IndexTerm => "index term (索引用語)",
    };
    json!({"system": DESIGNATION_USE, "code": u.as_str(), "display": display})
}

/// `jp-receipt-disease` → `JpReceiptDisease`.
pub(crate) fn pascal(s: &str) -> String {
    s.split(['-', '.', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_and_flat_hierarchies_are_both_read() {
        let cs = CodeSystemDef::from_json(&json!({
            "resourceType": "CodeSystem", "url": "http://x", "content": "complete", "caseSensitive": true,
            "concept": [
                {"code": "a", "display": "A", "concept": [{"code": "b", "display": "B"}]},
                {"code": "c", "property": [{"code": "parent", "valueCode": "b"}, {"code": "status", "valueCode": "retired"}]}
            ]
        }))
        .unwrap();
        let (a, c) = (cs.find_index("a").unwrap(), cs.find_index("c").unwrap());
        assert!(cs.is_a(c, a));
        assert!(!cs.is_a(a, c));
        assert_eq!(cs.descendants_or_self(a).len(), 3);
        assert!(cs.find("c").unwrap().inactive);
        assert!(cs.find("C").is_none(), "case-sensitive");
    }
}
