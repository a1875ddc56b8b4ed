//! Receipt disease → ICD-11 MMS mapping table on the full staged data: coverage, relationship
//! rules on hand-checked real rows, translate through the service, the CLI and HTTP.

use axum::http::StatusCode;
use henkan::model::{NoMapReason, Relationship, ReviewState};
use henkan::{Error, TranslateFilter};

use crate::common::{open, shared, tempdir, TestApp};

fn derived_store() -> (tempfile::TempDir, henkan::Service) {
    let dir = tempdir();
    let s = open(dir.path());
    s.import(&[shared("disease/b_20240601.txt"), shared("icd11/11To10MapToOneCategory.txt")], None, None, |_| {})
        .unwrap();
    let files = [shared("icd11/10To11MapToOneCategory.txt"), shared("icd11/10To11MapToMultipleCategories.txt")];
    let report = s.derive("disease-icd11", &files).unwrap();
    // Every one of the 27,437 codes gets a candidate or a no-map reason; at least 98% a candidate.
    assert_eq!(report.sources, 27_437);
    assert_eq!(report.mapped + report.no_map, 27_437);
    assert!(report.coverage >= 0.98, "coverage {}", report.coverage);
    assert_eq!(report.no_map_reasons.values().sum::<u64>(), report.no_map);
    s.publish(&henkan::PublishRequest { id: "m".into(), publisher: "t".into(), notes: String::new() }).unwrap();
    (dir, s)
}

#[test]
fn disease_to_icd11_coverage_and_relationship_rules() {
    let (_dir, s) = derived_store();
    let all = TranslateFilter::default();
    let t = |code: &str| s.translate("jp-receipt-disease", code, "icd11-mms", None, &all).unwrap();

    // 8848176 → E25.0 → WHO EquivalentMatch → 5A71.01: narrower ∘ equivalent = narrower, auto-approved.
    let x = t("8848176");
    let m = &x.matches[0];
    assert_eq!(m.target_code.as_deref(), Some("5A71.01"));
    assert_eq!(m.relationship, Some(Relationship::SourceIsNarrowerThanTarget));
    assert_eq!(m.evidence.len(), 2);
    assert_eq!(
        (m.evidence[0].to.as_str(), m.evidence[0].relationship),
        ("icd10|E25.0", Relationship::SourceIsNarrowerThanTarget)
    );
    assert_eq!(m.evidence[1].relationship, Relationship::Equivalent);
    assert!(m.evidence[1].source.contains("EquivalentMatch"), "{}", m.evidence[1].source);
    assert_eq!(m.review_state, ReviewState::Approved);

    // 8841698 ２型糖尿病・糖尿病性合併症なし → E11.9 → WHO ToBroaderInTheSame3Char → 5A11: the WHO hop is narrower.
    let m = &t("8841698").matches[0];
    assert_eq!(
        (m.target_code.as_deref(), m.evidence[1].relationship),
        (Some("5A11"), Relationship::SourceIsNarrowerThanTarget)
    );
    assert_eq!(m.review_state, ReviewState::Candidate);

    // 8849055 １型呼吸不全: Japanese J96.90 is more specific than WHO; falls back to J96.9 with a narrower hop.
    let m = &t("8849055").matches[0];
    assert_eq!(m.target_code.as_deref(), Some("CB41.2Z"));
    assert_eq!(m.evidence.len(), 3);
    assert_eq!(m.evidence[1].to, "icd10|J96.9");
    assert_eq!(m.relationship, Some(Relationship::SourceIsNarrowerThanTarget));
    assert!(m.score < 0.95, "a fallback is less certain");

    // 8850104 ＣＯＶＩＤ－１９ (U07.1): WHO maps it to a grouping without residual → explicit no-map.
    let x = t("8850104");
    assert!(x.matches.is_empty());
    assert_eq!(x.no_map.unwrap().no_map_reason, Some(NoMapReason::WhoMapsToGroupingWithoutResidual));
    // 0000999 (未コード化傷病名) carries no ICD-10.
    assert_eq!(t("0000999").no_map.unwrap().no_map_reason, Some(NoMapReason::NoIcd10OnSource));

    // Filters.
    let approved = TranslateFilter { review: Some(ReviewState::Approved), min_score: None };
    assert!(s.translate("jp-receipt-disease", "8841698", "icd11-mms", None, &approved).unwrap().matches.is_empty());
    let high = TranslateFilter { review: None, min_score: Some(0.9) };
    assert_eq!(s.translate("jp-receipt-disease", "8848176", "icd11-mms", None, &high).unwrap().matches.len(), 1);
    // No table to RxNorm.
    let e = s.translate("jp-receipt-disease", "8848176", "rxnorm", None, &all).unwrap_err();
    assert!(matches!(e, Error::MappingTableNotFound { .. }), "{e}");
}

#[tokio::test]
async fn default_release_translates_over_http_with_the_evidence_chain() {
    let app = TestApp::default_data();
    let (status, v) = app.get("/v1/translate?system=jp-receipt-disease&code=8848176&target=icd11-mms").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["release"], "2024-06");
    assert_eq!(v["table"], "jp-receipt-disease--icd11-mms");
    let m = &v["matches"][0];
    assert_eq!(m["target_code"], "5A71.01");
    assert_eq!(m["relationship"], "source-is-narrower-than-target");
    assert_eq!(m["method"], "derived-crosswalk");
    assert!(m["evidence_text"].as_str().unwrap().starts_with("jp-receipt-disease|8848176 → icd10|E25.0"));
    assert_eq!(m["evidence"].as_array().unwrap().len(), 2);
    let (status, v) = app.get("/v1/translate?system=jp-receipt-disease&code=8848176&target=loinc").await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("mapping_table_not_found")));
    let (status, v) = app.get("/v1/translate?system=jp-receipt-disease&code=8848176").await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
}
