//! `/fhir` over the default data, through the router: the R4 terminology operations, the reads,
//! resources given in the request, OperationOutcome errors, and the CapabilityStatement as the
//! contract of the `/fhir` routes.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::{shared, TestApp};

const DISEASE: &str = "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/masterB-disease";
const ICD11: &str = "http://id.who.int/icd/release/11/mms";

/// Sends a request; returns status, content type and body.
async fn send(req: Request<Body>) -> (StatusCode, String, Value) {
    let app = TestApp::default_data();
    let resp = henkan::http::router(app.state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let ctype = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("non-JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    (status, ctype, body)
}

async fn get(uri: &str) -> (StatusCode, Value) {
    let (status, ctype, body) = send(Request::get(uri).body(Body::empty()).unwrap()).await;
    assert!(ctype.starts_with("application/fhir+json"), "{uri}: content type {ctype}");
    (status, body)
}

async fn post(uri: &str, body: &Value) -> (StatusCode, Value) {
    let req =
        Request::post(uri).header("content-type", "application/fhir+json").body(Body::from(body.to_string())).unwrap();
    let (status, _, body) = send(req).await;
    (status, body)
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn params<'a>(v: &'a Value, name: &str) -> Vec<&'a Value> {
    v["parameter"].as_array().unwrap().iter().filter(|p| p["name"] == name).collect()
}

fn part<'a>(p: &'a Value, name: &str) -> &'a Value {
    p["part"].as_array().unwrap().iter().find(|q| q["name"] == name).unwrap_or(&Value::Null)
}

#[tokio::test]
async fn translate_of_a_receipt_disease_code_gives_icd11_with_honest_equivalence_and_provenance() {
    let (status, v) =
        get(&format!("/fhir/ConceptMap/$translate?system={DISEASE}&code=8848176&targetsystem={ICD11}")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["resourceType"], "Parameters");
    assert_eq!(params(&v, "result")[0]["valueBoolean"], true);
    let m = params(&v, "match")[0];
    assert_eq!(part(m, "concept")["valueCoding"]["code"], "5A71.01");
    assert_eq!(part(m, "concept")["valueCoding"]["system"], ICD11);
    // 11β-hydroxylase deficiency is narrower than congenital adrenal hyperplasia: R4 `wider`.
    assert_eq!(part(m, "equivalence")["valueCode"], "wider");
    let prov = &m["extension"][0];
    assert_eq!(prov["url"], "https://henkan.dev/fhir/StructureDefinition/mapping-provenance");
    let ext = |name: &str| prov["extension"].as_array().unwrap().iter().find(|e| e["url"] == name).cloned().unwrap();
    let evidence = ext("evidence")["valueString"].as_str().unwrap().to_owned();
    assert!(evidence.contains("icd10|E25.0") && evidence.contains("icd11-mms|5A71.01"), "{evidence}");
    assert_eq!(ext("release")["valueString"], "2025-08-13");
    assert_eq!(ext("reviewState")["valueCode"], "approved");

    // The same table by url, and reversed: 5A71.01 comes back to 8848176, the equivalence flipped.
    let url = "urn:henkan:ConceptMap:jp-receipt-disease--icd11-mms";
    let (status, v) =
        get(&format!("/fhir/ConceptMap/$translate?url={url}&system={ICD11}&code=5A71.01&reverse=true")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let back: Vec<&Value> =
        params(&v, "match").into_iter().filter(|m| part(m, "concept")["valueCoding"]["code"] == "8848176").collect();
    assert_eq!(back.len(), 1, "{v}");
    assert_eq!(part(back[0], "equivalence")["valueCode"], "narrower");
}

#[tokio::test]
async fn lookup_gives_kana_reading_icd10_and_selected_properties() {
    let (status, v) = get(&format!("/fhir/CodeSystem/$lookup?system={DISEASE}&code=8848176")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(params(&v, "display")[0]["valueString"], "１１β－水酸化酵素欠損症");
    assert_eq!(params(&v, "version")[0]["valueString"], "2024-06-01");
    let kana = params(&v, "designation").into_iter().find(|d| part(d, "use")["valueCoding"]["code"] == "kana").unwrap();
    assert_eq!(part(kana, "value")["valueString"], "１１ベータ－スイサンカコウソケッソンショウ");
    assert_eq!(part(kana, "language")["valueCode"], "ja-Kana");
    let prop = |v: &Value, code: &str| {
        params(v, "property")
            .into_iter()
            .find(|p| part(p, "code")["valueCode"] == code)
            .map(|p| part(p, "value").clone())
    };
    assert_eq!(prop(&v, "icd10_1").unwrap()["valueString"], "E250");
    assert_eq!(prop(&v, "medis_exchange_code").unwrap()["valueString"], "QJ83");
    assert_eq!(prop(&v, "status").unwrap()["valueCode"], "active");

    // `property` selects; ICD-11's hierarchy gives parent and children.
    let (_, v) =
        get(&format!("/fhir/CodeSystem/$lookup?system={ICD11}&code=5A71.0&property=parent&property=child")).await;
    assert_eq!(prop(&v, "parent").unwrap()["valueCode"], "5A71");
    assert!(params(&v, "property").iter().any(|p| part(p, "value")["valueCode"] == "5A71.01"), "{v}");
    assert!(prop(&v, "chapter").is_none(), "not selected: {v}");
}

#[tokio::test]
async fn lookup_by_date_or_release_finds_a_code_that_the_latest_release_retired() {
    let (status, v) = get(&format!("/fhir/CodeSystem/$lookup?system={DISEASE}&code=2028045")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(v["resourceType"], "OperationOutcome");
    let (status, v) = get(&format!("/fhir/CodeSystem/$lookup?system={DISEASE}&code=2028045&date=2024-02-01")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(params(&v, "display")[0]["valueString"], "悪性線維性組織球腫");
    // A release id in place of the version pins the release.
    let (status, v) = get(&format!("/fhir/CodeSystem/$lookup?system={DISEASE}&code=2028045&version=2024-01")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn expand_with_a_kana_filter_puts_the_disease_first_and_pages() {
    let filter = enc("とうにょうびょう");
    let (status, v) = get(&format!("/fhir/ValueSet/$expand?url={DISEASE}%3Ffhir_vs&filter={filter}&count=5")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let contains = v["expansion"]["contains"].as_array().unwrap();
    assert_eq!(contains[0]["display"], "糖尿病");
    assert_eq!(contains[0]["code"], "2500013");
    assert!(contains.len() <= 5);
    // Romaji with a typo reaches it too.
    let (_, v) = get(&format!("/fhir/ValueSet/$expand?url={DISEASE}%3Ffhir_vs&filter=tounyoubyo&count=3")).await;
    assert_eq!(v["expansion"]["contains"][0]["display"], "糖尿病", "{v}");

    // Paging over all codes: the total is the system's size, the page what was asked.
    let (_, v) = get(&format!("/fhir/ValueSet/$expand?url={DISEASE}%3Ffhir_vs&count=10&offset=100")).await;
    assert_eq!(v["expansion"]["total"], 27_437);
    assert_eq!(v["expansion"]["offset"], 100);
    assert_eq!(v["expansion"]["contains"].as_array().unwrap().len(), 10);
    // Without count, a value set larger than one answer holds is too costly.
    let (status, v) = get(&format!("/fhir/ValueSet/$expand?url={DISEASE}%3Ffhir_vs")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["issue"][0]["code"], "too-costly");
}

#[tokio::test]
async fn expand_isa_and_subsumes_follow_the_icd11_hierarchy() {
    let (status, v) = get(&format!("/fhir/ValueSet/$expand?url={ICD11}%3Ffhir_vs%3Disa%2F5A71")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let codes: BTreeSet<&str> =
        v["expansion"]["contains"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert!(codes.contains("5A71") && codes.contains("5A71.0") && codes.contains("5A71.01"), "{codes:?}");
    assert!(!codes.contains("5A70"), "{codes:?}");
    let (_, v) = get(&format!("/fhir/CodeSystem/$subsumes?system={ICD11}&codeA=5A71&codeB=5A71.01")).await;
    assert_eq!(params(&v, "outcome")[0]["valueCode"], "subsumes");
    let (_, v) = get(&format!("/fhir/CodeSystem/$subsumes?system={ICD11}&codeA=5A71.01&codeB=5A70")).await;
    assert_eq!(params(&v, "outcome")[0]["valueCode"], "not-subsumed");
    // A system without a hierarchy says so.
    let (status, v) = get(&format!("/fhir/CodeSystem/$subsumes?system={DISEASE}&codeA=8848176&codeB=2500013")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["issue"][0]["code"], "not-supported");
}

#[tokio::test]
async fn validate_code_checks_membership_and_display() {
    let (_, v) = get(&format!(
        "/fhir/CodeSystem/$validate-code?url={DISEASE}&code=8848176&display={}",
        enc("１１β－水酸化酵素欠損症")
    ))
    .await;
    assert_eq!(params(&v, "result")[0]["valueBoolean"], true, "{v}");
    let (_, v) =
        get(&format!("/fhir/CodeSystem/$validate-code?url={DISEASE}&code=8848176&display={}", enc("糖尿病"))).await;
    assert_eq!(params(&v, "result")[0]["valueBoolean"], false, "{v}");
    let message = params(&v, "message")[0]["valueString"].as_str().unwrap();
    assert!(message.contains("Wrong Display Name '糖尿病'"), "{message}");
    let (_, v) = post(
        "/fhir/ValueSet/$validate-code",
        &json!({"resourceType": "Parameters", "parameter": [
            {"name": "url", "valueUri": format!("{ICD11}?fhir_vs=isa/5A71")},
            {"name": "coding", "valueCoding": {"system": ICD11, "code": "5A70"}},
        ]}),
    )
    .await;
    assert_eq!(params(&v, "result")[0]["valueBoolean"], false, "{v}");
    let issue = &params(&v, "issues")[0]["resource"]["issue"][0];
    assert_eq!(issue["details"]["coding"][0]["code"], "not-in-vs");
}

#[tokio::test]
async fn resources_given_in_the_request_are_evaluated_beside_the_release() {
    // HL7's own test code system (CC0), given as tx-resource, with an is-a compose.
    let root = shared("../conformance/fhir-tx-ecosystem/tests");
    let cs: Value = serde_json::from_str(
        std::fs::read_to_string(root.join("simple/codesystem-simple.json")).unwrap().trim_start_matches('\u{feff}'),
    )
    .unwrap();
    let vs = json!({"resourceType": "ValueSet", "url": "http://example.org/vs", "status": "active", "compose": {"include": [
        {"system": "http://hl7.org/fhir/test/CodeSystem/simple", "filter": [{"property": "concept", "op": "is-a", "value": "code2"}]},
    ]}});
    let (status, v) = post(
        "/fhir/ValueSet/$expand",
        &json!({"resourceType": "Parameters", "parameter": [
            {"name": "url", "valueUri": "http://example.org/vs"},
            {"name": "tx-resource", "resource": cs},
            {"name": "tx-resource", "resource": vs},
            {"name": "activeOnly", "valueBoolean": true},
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let codes: Vec<&str> =
        v["expansion"]["contains"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    // code2 is retired, so activeOnly leaves its four descendants.
    assert_eq!(codes, ["code2a", "code2aI", "code2aII", "code2b"]);
    let used =
        &v["expansion"]["parameter"].as_array().unwrap().iter().find(|p| p["name"] == "used-codesystem").unwrap()
            ["valueUri"];
    assert_eq!(used, "http://hl7.org/fhir/test/CodeSystem/simple|0.1.0");
}

#[tokio::test]
async fn every_fhir_error_is_an_operation_outcome_with_the_v1_message() {
    let (status, v) = get("/fhir/Patient/1").await;
    assert_eq!((status, v["resourceType"].as_str()), (StatusCode::NOT_FOUND, Some("OperationOutcome")), "{v}");
    let (status, _, v) = send(Request::delete("/fhir/metadata").body(Body::empty()).unwrap()).await;
    assert_eq!((status, v["resourceType"].as_str()), (StatusCode::METHOD_NOT_ALLOWED, Some("OperationOutcome")), "{v}");
    let (status, v) = post("/fhir/CodeSystem/$lookup", &json!({"resourceType": "Patient"})).await;
    assert_eq!((status, v["resourceType"].as_str()), (StatusCode::BAD_REQUEST, Some("OperationOutcome")), "{v}");
    let req = Request::post("/fhir/ValueSet/$expand").body(Body::from("{not json")).unwrap();
    let (status, _, v) = send(req).await;
    assert_eq!((status, v["issue"][0]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid")), "{v}");
    // An unknown code: the same message as /v1's concept_not_found.
    let (status, v) = get(&format!("/fhir/CodeSystem/$lookup?system={DISEASE}&code=0000000")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, v1) = TestApp::default_data().get("/v1/concepts/jp-receipt-disease/0000000").await;
    assert_eq!(v["issue"][0]["details"]["text"], v1["error"]["message"], "{v}");
    assert_eq!(v["issue"][0]["code"], "not-found");
}

#[tokio::test]
async fn reads_give_code_systems_value_sets_and_concept_maps_of_the_release() {
    let (_, b) = get("/fhir/CodeSystem").await;
    assert_eq!(b["resourceType"], "Bundle");
    let (_, rel) = TestApp::default_data().get("/v1/releases/2025-08-13").await;
    assert_eq!(b["total"], rel["systems"].as_array().unwrap().len());
    let (_, cs) = get("/fhir/CodeSystem/jlac10").await;
    assert_eq!(cs["content"], "complete");
    assert_eq!(cs["concept"].as_array().unwrap().len() as u64, cs["count"].as_u64().unwrap());
    let (_, cs) = get("/fhir/CodeSystem/jp-receipt-disease").await;
    assert_eq!(cs["content"], "not-present");
    let (_, b) = get(&format!("/fhir/CodeSystem?url={ICD11}")).await;
    assert_eq!(b["total"], 1);
    let (_, b) = get("/fhir/ConceptMap?_summary=count").await;
    assert_eq!(b["total"], rel["mappings"].as_array().unwrap().len());
    assert!(b.get("entry").is_none());
    let (_, cm) = get("/fhir/ConceptMap/jlac10--loinc").await;
    assert_eq!(cm["resourceType"], "ConceptMap");
    assert_eq!(cm["url"], "urn:henkan:ConceptMap:jlac10--loinc");
    assert_eq!(cm["group"][0]["element"].as_array().unwrap().len(), 868);
    let (status, v) = get("/fhir/ConceptMap/no-such-table").await;
    assert_eq!((status, v["resourceType"].as_str()), (StatusCode::NOT_FOUND, Some("OperationOutcome")));
}

#[tokio::test]
async fn terminology_capabilities_list_every_code_system_and_version() {
    let (_, v) = get("/fhir/metadata?mode=terminology").await;
    assert_eq!(v["resourceType"], "TerminologyCapabilities");
    let disease = v["codeSystem"].as_array().unwrap().iter().find(|c| c["uri"] == DISEASE).unwrap();
    let versions: Vec<&str> =
        disease["version"].as_array().unwrap().iter().map(|x| x["code"].as_str().unwrap()).collect();
    assert!(versions.contains(&"2024-06-01"), "{versions:?}");
    let default: Vec<&Value> =
        disease["version"].as_array().unwrap().iter().filter(|x| x["isDefault"] == true).collect();
    assert_eq!(default.len(), 1);
}

/// `/fhir`'s contract is its CapabilityStatement: every operation and interaction it lists is
/// routed, and every route is listed.
#[tokio::test]
async fn capability_statement_and_fhir_routes_agree() {
    let (_, cap) = get("/fhir/metadata").await;
    assert_eq!(cap["fhirVersion"], "4.0.1");
    let mut listed = BTreeSet::new();
    listed.insert(("GET".to_owned(), "/fhir/metadata".to_owned()));
    for r in cap["rest"][0]["resource"].as_array().unwrap() {
        let ty = r["type"].as_str().unwrap();
        for op in r["operation"].as_array().unwrap() {
            for m in ["GET", "POST"] {
                listed.insert((m.to_owned(), format!("/fhir/{ty}/${}", op["name"].as_str().unwrap())));
            }
        }
        for i in r["interaction"].as_array().unwrap() {
            let path = match i["code"].as_str().unwrap() {
                "read" => format!("/fhir/{ty}/{{id}}"),
                "search-type" => format!("/fhir/{ty}"),
                other => panic!("unexpected interaction {other}"),
            };
            listed.insert(("GET".to_owned(), path));
        }
    }
    let routed: BTreeSet<(String, String)> =
        henkan::fhir::route_table().into_iter().map(|(m, p)| (m.to_owned(), p)).collect();
    assert_eq!(routed, listed, "the /fhir routes and the CapabilityStatement differ");
    // Each route reaches its handler, not the OperationOutcome fallbacks.
    for (method, path) in routed {
        let uri = path
            .replace("{id}", "jlac10--loinc")
            .replace("/CodeSystem/jlac10--loinc", "/CodeSystem/jlac10")
            .replace("/ValueSet/jlac10--loinc", "/ValueSet/jlac10");
        let req = Request::builder().method(method.as_str()).uri(&uri).body(Body::empty()).unwrap();
        let (status, _, v) = send(req).await;
        let fallback = status == StatusCode::METHOD_NOT_ALLOWED
            || v["issue"][0]["details"]["text"].as_str().is_some_and(|t| t.starts_with("no FHIR interaction"));
        assert!(!fallback, "{method} {uri} fell through to a fallback: {v}");
    }
}
