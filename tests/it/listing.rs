//! `/v1` listings (systems, concepts, mapping tables, rows, manifest), cursor paging, caching
//! (ETag, 304, Cache-Control), compression, the release and request-id headers, and the served
//! contract, on the default data.

use std::collections::BTreeMap;
use std::io::Read;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use serde_json::Value;

use crate::common::TestApp;

const DISEASE: &str = "jp-receipt-disease--icd11-mms";
const LAB: &str = "jlac10--loinc";

async fn get_with(uri: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    TestApp::default_data().raw(req.body(Body::empty()).unwrap()).await
}

async fn get(uri: &str) -> (StatusCode, Value) {
    TestApp::default_data().get(uri).await
}

/// Every page of a list, following `next` (with a `limit` already in `uri`), and the `Link`
/// headers seen.
async fn walk(uri: &str, items: &str) -> Vec<Value> {
    let (mut out, mut cursor) = (Vec::new(), None::<String>);
    for _ in 0..100_000 {
        let page_uri = match &cursor {
            Some(c) => format!("{uri}&cursor={c}"),
            None => uri.to_owned(),
        };
        let (status, headers, body) = get_with(&page_uri, &[]).await;
        assert_eq!(status, StatusCode::OK, "{page_uri}: {}", String::from_utf8_lossy(&body));
        let v: Value = serde_json::from_slice(&body).unwrap();
        out.extend(v[items].as_array().unwrap().iter().cloned());
        let link = headers.get("link").map(|l| l.to_str().unwrap().to_owned());
        match v["next"].as_str() {
            Some(next) => {
                let link = link.expect("a Link header beside next");
                assert!(link.contains(&format!("cursor={next}>")) && link.ends_with("rel=\"next\""), "{link}");
                cursor = Some(next.to_owned());
            }
            None => {
                assert!(v["next"].is_null() && link.is_none(), "the last page has no next: {v}");
                return out;
            }
        }
    }
    panic!("{uri} did not end");
}

#[tokio::test]
async fn systems_list_every_code_system_of_a_release_with_its_versions_across_releases() {
    let service = TestApp::default_data().service();
    let rel = service.release(Some("2024-06")).unwrap();
    let (status, v) = get("/v1/systems?release=2024-06").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["release"], "2024-06");
    let listed: Vec<&str> = v["systems"].as_array().unwrap().iter().map(|s| s["slug"].as_str().unwrap()).collect();
    let held: Vec<&str> = rel.systems.iter().map(|s| s.system.as_str()).collect();
    assert_eq!(listed, held);
    let disease = v["systems"].as_array().unwrap().iter().find(|s| s["slug"] == "jp-receipt-disease").unwrap();
    assert_eq!(disease["uri"], rel.system("jp-receipt-disease").unwrap().uri);
    assert_eq!(disease["concepts"], rel.system("jp-receipt-disease").unwrap().concepts);
    let versions = disease["versions"].as_array().unwrap();
    let holding = service.releases().unwrap().iter().filter(|r| r.system("jp-receipt-disease").is_some()).count();
    assert_eq!(versions.len(), holding, "one version per release that holds the system");
    assert!(versions.iter().any(|x| x["release"] == "2024-06" && x["version"] == disease["version"]));

    let (status, one) = get("/v1/systems/jp-receipt-disease?release=2024-06").await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["system"]["slug"], "jp-receipt-disease");
    let files = one["system"]["files"].as_array().unwrap();
    assert!(!files.is_empty() && files.iter().all(|f| f["sha256"].as_str().unwrap().len() == 64), "{files:?}");
    let (status, v) = get("/v1/systems/no-such-system").await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("code_system_not_found")));
}

#[tokio::test]
async fn concept_pages_walk_a_whole_code_system_in_code_order_and_filter() {
    let service = TestApp::default_data().service();
    let all = service.concepts("jp-receipt-modifier", "2024-06").unwrap();
    let walked = walk("/v1/systems/jp-receipt-modifier/concepts?release=2024-06&limit=333", "concepts").await;
    let codes: Vec<&str> = walked.iter().map(|c| c["code"].as_str().unwrap()).collect();
    let expected: Vec<&str> = all.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, expected, "pages concatenate to the whole system, in code order, without repeats");

    let retired =
        walk("/v1/systems/jp-receipt-modifier/concepts?release=2024-06&limit=1000&status=retired", "concepts").await;
    let expected = all.iter().filter(|c| c.status == henkan::model::Status::Retired).count();
    assert_eq!(retired.len(), expected);
    assert!(retired.iter().all(|c| c["status"] == "retired"));

    // Changed since an older release: exactly the added and changed codes of the diff.
    let diff = service.diff("2024-01", "2024-06", Some("jp-receipt-disease"), None).unwrap();
    let mut expected: Vec<String> =
        diff.systems.iter().flat_map(|d| d.added.iter().chain(&d.changed)).map(|c| c.code.clone()).collect();
    expected.sort();
    assert!(!expected.is_empty(), "the two releases differ in jp-receipt-disease");
    let changed =
        walk("/v1/systems/jp-receipt-disease/concepts?release=2024-06&changed_since=2024-01&limit=1000", "concepts")
            .await;
    let codes: Vec<String> = changed.iter().map(|c| c["code"].as_str().unwrap().to_owned()).collect();
    assert_eq!(codes, expected);
    let (status, v) = get("/v1/systems/jp-receipt-disease/concepts?release=2024-01&changed_since=2024-06").await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{v}");
}

#[tokio::test]
async fn a_page_past_the_end_is_empty_and_has_no_next() {
    let service = TestApp::default_data().service();
    let page = henkan::PageRequest { after: Some("\u{10FFFF}".into()), limit: 10 };
    let past = service.concept_list("jp-receipt-modifier", Some("2024-06"), &Default::default(), &page).unwrap();
    assert!(past.body.concepts.is_empty() && past.after.is_none());
    let rows = service.mapping_rows(
        LAB,
        Some("2024-06"),
        &Default::default(),
        &henkan::PageRequest { after: Some("\u{10FFFF}\u{1}1".into()), limit: 10 },
    );
    let rows = rows.unwrap();
    assert!(rows.body.rows.is_empty() && rows.after.is_none());
}

#[tokio::test]
async fn cursors_that_were_altered_or_belong_to_another_query_are_refused_and_limits_are_checked() {
    let (_, v) = get("/v1/systems/jp-receipt-modifier/concepts?limit=2").await;
    let next = v["next"].as_str().unwrap().to_owned();
    let (status, _) = get(&format!("/v1/systems/jp-receipt-modifier/concepts?limit=5&cursor={next}")).await;
    assert_eq!(status, StatusCode::OK, "another page size keeps the cursor");
    let (k, sum) = next.split_once('.').unwrap();
    let mut key = hex::decode(k).unwrap();
    *key.last_mut().unwrap() += 1;
    let tampered = format!("{}.{sum}", hex::encode(key));
    for uri in [
        format!("/v1/systems/jp-receipt-modifier/concepts?limit=2&cursor={tampered}"),
        format!("/v1/systems/jp-receipt-modifier/concepts?limit=2&status=active&cursor={next}"),
        format!("/v1/systems/jp-receipt-disease/concepts?limit=2&cursor={next}"),
        "/v1/systems/jp-receipt-modifier/concepts?cursor=not-a-cursor".to_owned(),
        "/v1/systems/jp-receipt-modifier/concepts?limit=0".to_owned(),
    ] {
        let (status, v) = get(&uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(v["error"]["code"], "invalid_request");
    }
    let (status, v) = get(&format!("/v1/mappings/{LAB}/rows?limit={}", henkan::http::MAX_PAGE + 1)).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("limit_exceeded")));
    assert!(v["error"]["message"].as_str().unwrap().contains(&henkan::http::MAX_PAGE.to_string()), "{v}");
}

#[tokio::test]
async fn mapping_tables_are_listed_with_counts_that_add_up_to_their_rows() {
    let service = TestApp::default_data().service();
    let (status, v) = get("/v1/mappings?release=2024-06").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let rel = service.release(Some("2024-06")).unwrap();
    let tables = v["mappings"].as_array().unwrap();
    assert_eq!(tables.len(), rel.mappings.len());
    for t in tables {
        let name = t["table"].as_str().unwrap();
        let rows = service.table_rows("2024-06", name).unwrap();
        let flat: Vec<_> = rows.iter().flat_map(|(_, r)| r).collect();
        let counts = &t["counts"];
        assert_eq!(counts["rows"], flat.len(), "{name}");
        assert_eq!(counts["sources"], rows.len(), "{name}");
        let mut by_state = BTreeMap::<String, u64>::new();
        for m in &flat {
            *by_state.entry(m.review_state.as_str().to_owned()).or_default() += 1;
        }
        let listed: BTreeMap<String, u64> = serde_json::from_value(counts["by_review_state"].clone()).unwrap();
        assert_eq!(listed, by_state, "{name}");
        let no_maps: u64 = counts["by_no_map_reason"].as_object().unwrap().values().map(|n| n.as_u64().unwrap()).sum();
        assert_eq!(no_maps as usize, flat.iter().filter(|m| m.no_map_reason.is_some()).count(), "{name}");
        assert!(t["versions"].as_array().unwrap().iter().any(|x| x["release"] == "2024-06"));
    }
    let (status, one) = get(&format!("/v1/mappings/{DISEASE}?release=2024-06")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["mapping"]["table"], DISEASE);
    assert_eq!(one["mapping"]["source_system"], "jp-receipt-disease");
    let (status, v) = get("/v1/mappings/no-such-table").await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("table_not_found")));
}

#[tokio::test]
async fn row_pages_walk_a_whole_table_even_inside_one_source_and_filter() {
    let service = TestApp::default_data().service();
    let all: Vec<_> = service.table_rows("2024-06", LAB).unwrap().into_iter().flat_map(|(_, rows)| rows).collect();
    // 7 does not divide the rows of a source: pages end inside a source's rows.
    let walked = walk(&format!("/v1/mappings/{LAB}/rows?release=2024-06&limit=7"), "rows").await;
    // Through JSON text, as the server sends it (an f32 score reads back as the same f64).
    let expected: Vec<Value> =
        all.iter().map(|m| serde_json::from_str(&serde_json::to_string(m).unwrap()).unwrap()).collect();
    assert_eq!(walked, expected);

    let approved =
        walk(&format!("/v1/mappings/{DISEASE}/rows?release=2024-06&review_state=approved&limit=1000"), "rows").await;
    assert!(!approved.is_empty() && approved.iter().all(|r| r["review_state"] == "approved"));
    let (_, v) =
        get(&format!("/v1/mappings/{DISEASE}/rows?release=2024-06&relationship=related-to&min_score=0.4&limit=50"))
            .await;
    let rows = v["rows"].as_array().unwrap();
    assert!(
        !rows.is_empty()
            && rows.iter().all(|r| r["relationship"] == "related-to" && r["score"].as_f64().unwrap() >= 0.4)
    );
    let (_, v) =
        get(&format!("/v1/mappings/{DISEASE}/rows?release=2024-06&no_map_reason=who-no-mapping&limit=1000")).await;
    let rows = v["rows"].as_array().unwrap();
    assert!(
        !rows.is_empty()
            && rows.iter().all(|r| r["no_map_reason"] == "who-no-mapping" && r.get("target_code").is_none())
    );
    let (status, v) = get(&format!("/v1/mappings/{DISEASE}/rows?relationship=sideways")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
}

#[tokio::test]
async fn a_manifest_names_the_upstream_files_the_content_hash_and_the_notices() {
    let rel = TestApp::default_data().service().release(Some("2024-06")).unwrap();
    let (status, v) = get("/v1/releases/2024-06/manifest").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["sha256"], rel.sha256);
    assert_eq!(v["systems"].as_array().unwrap().len(), rel.systems.len());
    let first = &rel.systems[0];
    assert_eq!(v["systems"][0]["files"][0]["sha256"], first.files[0].sha256);
    assert_eq!(v["mappings"].as_array().unwrap().len(), rel.mappings.len());
    assert!(v["notices"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("LOINC")), "{}", v["notices"]);
    let (status, _) = get("/v1/releases/1999-01/manifest").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn release_content_is_tagged_and_a_matching_if_none_match_gets_a_304() {
    let pinned = "/v1/concepts/jp-receipt-disease/8848176?release=2024-06";
    let (status, h, body) = get_with(pinned, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let tag = h["etag"].to_str().unwrap().to_owned();
    assert!(tag.starts_with('"') && tag.ends_with('"'), "a strong tag: {tag}");
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(h["henkan-release"], "2024-06");
    let (again, h2, _) = get_with(pinned, &[]).await;
    assert_eq!((again, h2["etag"].to_str().unwrap()), (StatusCode::OK, tag.as_str()), "the same request, the same tag");

    let (status, h304, empty) = get_with(pinned, &[("if-none-match", &tag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(empty.is_empty());
    assert_eq!(h304["etag"].to_str().unwrap(), tag);
    let (status, _, full) = get_with(pinned, &[("if-none-match", "\"something-else\"")]).await;
    assert_eq!((status, full), (StatusCode::OK, body));

    let (_, other, _) = get_with("/v1/concepts/jp-receipt-disease/8848176?release=2024-01", &[]).await;
    assert_ne!(other["etag"], tag.as_str(), "another release, another tag");
    let (_, latest, _) = get_with("/v1/concepts/jp-receipt-disease/8848176", &[]).await;
    assert_eq!(latest["cache-control"], "no-cache", "the latest release may move on: revalidate");
    let (_, search, _) = get_with("/v1/search?q=%E7%B3%96%E5%B0%BF%E7%97%85&release=2024-06", &[]).await;
    assert!(search["etag"].to_str().unwrap().starts_with("W/"), "a search answer carries its timing: a weak tag");
    let (status, errors, _) = get_with("/v1/concepts/jp-receipt-disease/0000000?release=2024-06", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(errors.get("etag").is_none(), "errors are not tagged");
}

#[tokio::test]
async fn answers_are_compressed_as_the_client_accepts() {
    let uri = "/v1/mappings/jlac10--loinc/rows?release=2024-06&limit=200";
    let (_, plain_h, plain) = get_with(uri, &[]).await;
    assert!(plain_h.get("content-encoding").is_none());
    let (_, gz_h, gz) = get_with(uri, &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz_h["content-encoding"], "gzip");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut unzipped).unwrap();
    assert_eq!(unzipped, plain);
    assert!(gz.len() * 3 < plain.len(), "gzip {} of {} bytes", gz.len(), plain.len());
    let (_, br_h, br) = get_with(uri, &[("accept-encoding", "br;q=1, gzip;q=0.5")]).await;
    assert_eq!(br_h["content-encoding"], "br");
    let mut unbrotli = Vec::new();
    brotli_decompressor::Decompressor::new(&br[..], 4096).read_to_end(&mut unbrotli).unwrap();
    assert_eq!(unbrotli, plain);
    assert_ne!(gz_h["etag"], br_h["etag"], "each encoding is its own representation");
}

#[tokio::test]
async fn every_answer_names_a_release_and_carries_a_request_id() {
    let latest = TestApp::default_data().service().release(None).unwrap().id;
    for uri in ["/healthz", "/v1/releases", "/v1/no-such-route", "/fhir/metadata", "/v1/concepts/x/y"] {
        let (_, h, _) = get_with(uri, &[]).await;
        assert_eq!(h["henkan-release"], latest.as_str(), "{uri}");
        let id = h["x-request-id"].to_str().unwrap();
        assert_eq!(id.len(), 36, "a generated id (UUID) on {uri}: {id}");
    }
    let (_, h, _) = get_with("/v1/releases/2024-01", &[("x-request-id", "pipeline-42")]).await;
    assert_eq!(h["x-request-id"], "pipeline-42", "the client's id is kept");
    assert_eq!(h["henkan-release"], "2024-01");
}

#[tokio::test]
async fn the_contract_is_served_as_committed_in_yaml_and_json() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/api-spec/openapi.yaml")).unwrap();
    let (status, h, yaml) = get_with("/v1/openapi.yaml", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("application/yaml"));
    assert_eq!(String::from_utf8(yaml).unwrap(), committed);
    let (status, json) = get("/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let from_yaml: Value = serde_yaml::from_str(&committed).unwrap();
    assert_eq!(json, from_yaml);
    assert_eq!(json["openapi"], "3.1.0");
}

#[tokio::test]
async fn search_and_suggest_limits_are_checked() {
    // (The batch limit is checked in pipeline.rs.)
    for uri in ["/v1/search?q=x&limit=101", "/v1/suggest?q=x&limit=51"] {
        let (status, v) = get(uri).await;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("limit_exceeded")),
            "{uri}: {v}"
        );
    }
    let (status, _) = get("/v1/suggest?q=x&limit=50").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn search_pages_follow_their_cursor() {
    let q = "/v1/search?q=%E7%B3%96%E5%B0%BF%E7%97%85&release=2024-06&limit=5";
    let (_, first) = get(q).await;
    let next = first["next"].as_str().expect("more than five hits for 糖尿病");
    let (_, second) = get(&format!("{q}&cursor={next}")).await;
    let (_, by_offset) = get("/v1/search?q=%E7%B3%96%E5%B0%BF%E7%97%85&release=2024-06&limit=5&offset=5").await;
    assert_eq!(second["results"], by_offset["results"]);
    assert_ne!(second["results"], first["results"]);
}
