//! The inputs of an operation: the query string of a GET, or the `Parameters` body of a POST
//! (R4 or R5; both name their values `value[x]`), read into one list of named values.

use serde_json::Value;

use super::outcome::FhirError;

/// The parameters of one request, in the order given.
#[derive(Debug, Default, Clone)]
pub(crate) struct Params {
    items: Vec<(String, Value)>,
}

impl Params {
    /// From a query string (`a=1&b=2`), percent-decoded; each value is a string.
    pub(crate) fn from_query(query: Option<&str>) -> Self {
        let mut items = Vec::new();
        for pair in query.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            // A query value is plain text: kept as a JSON string, not a `value[x]` object.
            items.push((decode(k), Value::String(decode(v))));
        }
        Self { items }
    }

    /// From a `Parameters` resource; anything else is a 400 naming what was expected.
    pub(crate) fn from_body(body: &Value) -> Result<Self, FhirError> {
        if body.get("resourceType").and_then(Value::as_str) != Some("Parameters") {
            return Err(FhirError::invalid("the body must be a Parameters resource (resourceType \"Parameters\")"));
        }
        let mut items = Vec::new();
        for p in body.get("parameter").and_then(Value::as_array).into_iter().flatten() {
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| FhirError::invalid("every Parameters.parameter needs a name"))?;
            items.push((name.to_owned(), p.clone()));
        }
        Ok(Self { items })
    }

    /// Adds the query parameters of a POST (a POST may carry both).
    pub(crate) fn merge(mut self, other: Params) -> Self {
        self.items.extend(other.items);
        self
    }

    /// The first parameter of a name, as its whole JSON (`value[x]`, `resource` or `part`).
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.items.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The first parameter of a name as text (any primitive `value[x]`).
    pub(crate) fn str(&self, name: &str) -> Option<String> {
        self.get(name).and_then(primitive)
    }

    /// Every value of a name as text.
    pub(crate) fn strs(&self, name: &str) -> Vec<String> {
        self.items.iter().filter(|(k, _)| k == name).filter_map(|(_, v)| primitive(v)).collect()
    }

    /// A boolean parameter; a value other than true/false is a 400 naming the parameter.
    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, FhirError> {
        match self.str(name).as_deref() {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => {
                Err(FhirError::invalid(format!("parameter {name}: '{other}' is not a boolean (true or false)")))
            }
        }
    }

    /// A non-negative integer parameter.
    pub(crate) fn usize(&self, name: &str) -> Result<Option<usize>, FhirError> {
        match self.str(name) {
            None => Ok(None),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|_| FhirError::invalid(format!("parameter {name}: '{s}' is not a non-negative integer"))),
        }
    }

    /// The resources given under a name (`tx-resource`, `valueSet`, …).
    pub(crate) fn resources(&self, name: &str) -> Vec<&Value> {
        self.items.iter().filter(|(k, _)| k == name).filter_map(|(_, v)| v.get("resource")).collect()
    }

    /// A `Coding` parameter (`valueCoding`).
    pub(crate) fn coding(&self, name: &str) -> Option<&Value> {
        self.get(name).and_then(|v| v.get("valueCoding"))
    }

    /// A `CodeableConcept` parameter (`valueCodeableConcept`).
    pub(crate) fn codeable_concept(&self, name: &str) -> Option<&Value> {
        self.get(name).and_then(|v| v.get("valueCodeableConcept"))
    }
}

/// The text of a primitive `value[x]` (string, code, uri, boolean, integer, …).
fn primitive(p: &Value) -> Option<String> {
    if let Value::String(s) = p {
        return Some(s.clone());
    }
    let obj = p.as_object()?;
    obj.iter().find(|(k, _)| k.starts_with("value")).and_then(|(_, v)| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Percent-decoding of a query component, `+` as a space; a `%` not followed by two hex
/// digits stays as it is.
fn decode(s: &str) -> String {
    if !s.contains(['%', '+']) {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_decoded() {
        let p = Params::from_query(Some("filter=%E3%81%A8%E3%81%86&count=5&x=a+b&bad=%zz&end=%4"));
        assert_eq!(p.str("filter").as_deref(), Some("とう"));
        assert_eq!(p.usize("count").unwrap(), Some(5));
        assert_eq!(p.str("x").as_deref(), Some("a b"));
        assert_eq!(p.str("bad").as_deref(), Some("%zz"));
        assert_eq!(p.str("end").as_deref(), Some("%4"));
    }

    #[test]
    fn a_body_that_is_not_parameters_is_refused() {
        let err = Params::from_body(&serde_json::json!({"resourceType": "Patient"})).unwrap_err();
        assert!(err.message().contains("Parameters"), "{}", err.message());
    }
}
