//! `api-spec/openapi.yaml` is the contract: every route is in it, every operation in it is routed.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};

use crate::common::TestApp;

fn spec_operations() -> BTreeSet<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/api-spec/openapi.yaml");
    let spec: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut ops = BTreeSet::new();
    for (p, item) in spec["paths"].as_mapping().expect("paths") {
        for (m, _) in item.as_mapping().unwrap() {
            let m = m.as_str().unwrap();
            if ["get", "post", "put", "delete", "patch"].contains(&m) {
                ops.insert((m.to_uppercase(), p.as_str().unwrap().to_owned()));
            }
        }
    }
    ops
}

#[test]
fn every_route_is_in_the_spec_and_every_spec_path_is_routed() {
    let routed: BTreeSet<(String, String)> =
        henkan::http::route_table().into_iter().map(|(m, p, _)| (m.to_owned(), p.to_owned())).collect();
    let spec = spec_operations();
    let missing_in_spec: Vec<_> = routed.difference(&spec).collect();
    let missing_in_router: Vec<_> = spec.difference(&routed).collect();
    assert!(missing_in_spec.is_empty(), "routes not in api-spec/openapi.yaml: {missing_in_spec:?}");
    assert!(missing_in_router.is_empty(), "spec operations not routed: {missing_in_router:?}");
}

#[tokio::test]
async fn every_spec_operation_reaches_a_handler() {
    // Fill path parameters with real values and check the router answers from a handler,
    // not from its not-found / method-not-allowed fallbacks.
    let app = TestApp::default_data();
    // As `henkan serve` does before /readyz says ready.
    app.service().warm_search().unwrap();
    let token = app.service().create_token("openapi-test", henkan::model::Role::Admin, "test").unwrap().token;
    let spare = app.service().create_token("openapi-spare", henkan::model::Role::Reader, "test").unwrap();
    for (method, path) in spec_operations() {
        let uri = format!("{path}{{}}")
            .replace("/v1/translate{}", "/v1/translate?system=jp-receipt-disease&code=8848176&target=icd11-mms")
            .replace("{}", "")
            .replace("{release}", "2024-06")
            .replace("{table}", "jp-receipt-disease--icd11-mms")
            .replace("{system}", "jp-receipt-disease")
            .replace("{code}", "8848176")
            .replace("{id}", &spare.info.id)
            .replace("/v1/diff", "/v1/diff?from=2024-01")
            .replace("/v1/curation/candidates", "/v1/curation/candidates?table=jp-receipt-disease--icd11-mms&limit=1")
            .replace("/v1/search", "/v1/search?q=%E7%B3%96%E5%B0%BF%E7%97%85")
            .replace("/v1/suggest", "/v1/suggest?q=%E3%81%A8%E3%81%86");
        let body = match (method.as_str(), uri.as_str()) {
            ("POST", "/v1/impact") => {
                Body::from(r#"{"from":"2024-01","codes":[{"system":"jp-receipt-disease","code":"2028045"}]}"#)
            }
            ("POST", "/v1/curation/decisions") => Body::from(
                r#"{"table":"jp-receipt-disease--icd11-mms","code":"8841698","action":"approve","target":"5A11","comment":"openapi test"}"#,
            ),
            ("POST", "/v1/admin/tokens") => Body::from(r#"{"name":"openapi-made","role":"reader"}"#),
            ("POST", "/v1/translate/batch") => {
                Body::from(r#"{"items":[{"system":"jp-receipt-disease","code":"8848176"}]}"#)
            }
            ("POST", "/v1/translate/stream") => {
                Body::from("{\"system\":\"jp-receipt-disease\",\"code\":\"8848176\"}\n")
            }
            _ => Body::empty(),
        };
        let req = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(&uri)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(body)
            .unwrap();
        if uri.ends_with(".yaml") || uri == "/metrics" {
            // Not JSON: the contract itself, and the Prometheus text format.
            let (status, _, body) = app.raw(req).await;
            assert_eq!(status, StatusCode::OK, "{uri}");
            assert!(body.starts_with(b"openapi: ") || body.starts_with(b"# HELP"), "{uri}");
            continue;
        }
        let (status, v) = app.request(req).await;
        assert_ne!(v["error"]["code"], "route_not_found", "{method} {uri}");
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
        assert!(status == StatusCode::OK || status == StatusCode::CREATED, "{method} {uri}: {status} {v}");
    }
}
