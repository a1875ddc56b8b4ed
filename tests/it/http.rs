//! `/v1` and `/healthz` over the default data, through the router (no socket).

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::common::{TestApp, DEFAULT_RELEASES};

#[tokio::test]
async fn concept_answers_with_kana_icd10_and_medis_numbers() {
    let app = TestApp::default_data();
    let (status, v) = app.get("/v1/concepts/jp-receipt-disease/8848176").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["release"], "2025-08-13");
    assert_eq!(v["system"]["slug"], "jp-receipt-disease");
    assert_eq!(v["system"]["version"], "2024-06-01");
    let c = &v["concept"];
    assert_eq!(c["display"], "１１β－水酸化酵素欠損症");
    assert_eq!(c["status"], "active");
    let kana = c["designations"].as_array().unwrap().iter().find(|d| d["use"] == "kana").unwrap();
    assert_eq!(kana["value"], "１１ベータ－スイサンカコウソケッソンショウ");
    assert_eq!(c["properties"]["icd10_1"], "E250");
    assert_eq!(c["properties"]["medis_key_number"], "20100524");
    assert_eq!(c["properties"]["medis_exchange_code"], "QJ83");
}

#[tokio::test]
async fn system_may_be_given_as_canonical_uri_and_release_pinned() {
    let app = TestApp::default_data();
    let uri = "http%3A%2F%2Fjpfhir.jp%2Ffhir%2Fcore%2Fmhlw%2FCodeSystem%2FmasterB-disease";
    let (status, v) = app.get(&format!("/v1/concepts/{uri}/2028045?release=2024-01")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["release"], "2024-01");
    assert_eq!(v["concept"]["display"], "悪性線維性組織球腫");
    let (status, v) = app.get("/v1/concepts/jp-receipt-disease/2028045").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["error"]["code"], "concept_not_found");
}

#[tokio::test]
async fn releases_list_and_one_release() {
    let app = TestApp::default_data();
    let (status, v) = app.get("/v1/releases").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["release"], "2025-08-13");
    let ids: Vec<_> = v["releases"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, DEFAULT_RELEASES);
    let (status, v) = app.get("/v1/releases/2024-01").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["release"], "2024-01");
    let disease = v["systems"].as_array().unwrap().iter().find(|s| s["system"] == "jp-receipt-disease").unwrap();
    assert_eq!(disease["concepts"], 27_384);
    assert_eq!(v["sha256"].as_str().unwrap().len(), 64);
    // One notice per system that carries one (the disease master's attribution, WHO's for ICD-11).
    let mut expected: Vec<&str> = v["systems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| henkan::model::notice(s["system"].as_str().unwrap()))
        .collect();
    expected.sort_unstable();
    expected.dedup();
    let mut notices: Vec<&str> = v["notices"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    notices.sort_unstable();
    assert!(expected.len() >= 2, "{expected:?}");
    assert_eq!(notices, expected);
    let (_, latest) = app.get("/v1/releases/2024-06").await;
    let notices: Vec<&str> = latest["notices"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert!(notices.iter().any(|n| n.starts_with("This material contains content from LOINC")), "{notices:?}");
    assert!(notices.iter().any(|n| n.contains("U.S. National Library of Medicine")), "{notices:?}");
    assert!(notices.iter().any(|n| n.contains("CC BY-ND 3.0 IGO")), "{notices:?}");
    let policy =
        latest["mappings"].as_array().unwrap().iter().find(|m| m["table"] == "jp-receipt-disease--icd11-mms").unwrap();
    assert!(policy["generator"].as_str().unwrap().contains("auto-approve: WHO EquivalentMatch"), "{policy}");
    let (status, v) = app.get("/v1/releases/latest").await;
    assert_eq!((status, v["release"].as_str()), (StatusCode::OK, Some("2025-08-13")));
    // The latest release carries the notices of everything it carried forward.
    let notices = v["notices"].as_array().unwrap();
    assert!(
        notices.iter().any(|n| n.as_str().unwrap().starts_with("This material contains content from LOINC")),
        "{v}"
    );
}

#[tokio::test]
async fn diff_and_history() {
    let app = TestApp::default_data();
    let (status, v) = app.get("/v1/diff?from=2024-01&to=2024-06&system=jp-receipt-disease").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((v["from"].as_str(), v["to"].as_str()), (Some("2024-01"), Some("2024-06")));
    let d = &v["systems"][0];
    assert_eq!(d["added"].as_array().unwrap().len(), 82);
    assert_eq!(d["removed"].as_array().unwrap().len(), 29);
    let (_, all) = app.get("/v1/diff?from=2024-01").await;
    assert_eq!(all["to"], "2025-08-13", "the latest release by default");
    assert_eq!(
        all["systems"].as_array().unwrap().len(),
        16,
        "every other code system of the latest release, against 2024-01"
    );

    let (status, v) = app.get("/v1/concepts/jp-receipt-disease/2028045/history").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["release"], "2025-08-13");
    let events = v["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!((events[1]["release"].as_str(), events[1]["kind"].as_str()), (Some("2024-06"), Some("removed")));
}

#[tokio::test]
async fn errors_share_one_envelope_with_stable_codes() {
    let app = TestApp::default_data();
    for (uri, status, code) in [
        ("/v1/concepts/no-such-system/1", StatusCode::NOT_FOUND, "code_system_not_found"),
        ("/v1/concepts/jp-receipt-disease/0000001", StatusCode::NOT_FOUND, "concept_not_found"),
        ("/v1/concepts/jp-receipt-disease/8848176?release=1999", StatusCode::NOT_FOUND, "release_not_found"),
        ("/v1/concepts/loinc/4548-4?release=2024-01", StatusCode::NOT_FOUND, "code_system_not_in_release"),
        ("/v1/diff", StatusCode::BAD_REQUEST, "invalid_request"),
        ("/v1/nothing-here", StatusCode::NOT_FOUND, "route_not_found"),
    ] {
        let (s, v) = app.get(uri).await;
        assert_eq!((s, v["error"]["code"].as_str()), (status, Some(code)), "{uri}: {v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    }
    let (s, v) = app.request(Request::post("/v1/releases").body(Body::empty()).unwrap()).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed")));
}

#[tokio::test]
async fn healthz_names_the_served_release() {
    let (status, v) = TestApp::default_data().get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v, serde_json::json!({"status": "ok", "release": "2025-08-13"}));
}

#[tokio::test]
async fn default_release_answers_for_every_domain() {
    let app = TestApp::default_data();
    for (path, display) in [
        ("jp-receipt-drug/620098801", "ロキソニン錠６０ｍｇ"),
        ("jlac10-analyte/3D045", "グリコヘモグロビンA1c"),
        ("icd11-mms/5A11", "Type 2 diabetes mellitus"),
        ("loinc/4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"),
        ("rxnorm/6809", "metformin"),
    ] {
        let (status, v) = app.get(&format!("/v1/concepts/{path}")).await;
        assert_eq!(status, StatusCode::OK, "{path}: {v}");
        assert_eq!(v["concept"]["display"], display, "{path}");
    }
    let (_, v) = app.get("/v1/concepts/jp-receipt-drug/620098801").await;
    assert_eq!(v["concept"]["properties"]["yj_code"], "1149019F1560");
    let (_, v) = app.get("/v1/concepts/jlac10-analyte/3D045").await;
    assert!(v["concept"]["designations"].as_array().unwrap().iter().any(|d| d["value"] == "hemoglobin A1c"));
    let (_, v) = app.get("/v1/concepts/rxnorm/91811").await;
    assert_eq!(
        (v["concept"]["status"].as_str(), v["concept"]["properties"]["successor"].as_str()),
        (Some("retired"), Some("857082"))
    );
    // History names the successor from the release that added the concept (decoded without the
    // rest of the concept: `store::ConceptHead`).
    let (_, v) = app.get("/v1/concepts/rxnorm/91811/history").await;
    let first = &v["events"][0];
    assert_eq!((first["kind"].as_str(), first["successor"].as_str()), (Some("added"), Some("857082")), "{v}");
}
