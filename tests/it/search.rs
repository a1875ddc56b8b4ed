//! Search over the default release: real concepts, every script users type.

use axum::http::StatusCode;

use crate::common::TestApp;

async fn first(app: &TestApp, q: &str) -> (String, String) {
    let (status, v) = app.get(&format!("/v1/search?q={}", urlencode(q))).await;
    assert_eq!(status, StatusCode::OK, "{q}: {v}");
    let r = &v["results"][0];
    (r["system"].as_str().unwrap_or_default().to_owned(), r["code"].as_str().unwrap_or_default().to_owned())
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn the_same_concept_from_kanji_kana_romaji_width_and_typos() {
    let app = TestApp::default_data();
    let diabetes = ("jp-receipt-disease".to_owned(), "2500013".to_owned()); // 糖尿病
    for q in ["糖尿病", "とうにょうびょう", "トウニョウビョウ", "ﾄｳﾆｮｳﾋﾞｮｳ", "tounyoubyou", "tonyobyo"]
    {
        assert_eq!(first(app, q).await, diabetes, "{q}");
    }
    // A one-character typo still finds 先天性無痛無汗症 (8847711).
    assert_eq!(first(app, "先天性無痛無汗証").await.1, "8847711");
    // English, with a typo, reaches ICD-11.
    assert_eq!(
        first(app, "Othet specified venous complications in pregnancy").await,
        ("icd11-mms".into(), "JA61.Y".into())
    );
    // A code finds its concept.
    assert_eq!(first(app, "3D045").await, ("jlac10-analyte".into(), "3D045".into()));
    let (status, v) = app.get("/v1/search?q=%E3%83%93%E3%82%B9%E3%83%9E%E3%82%B9&system=jlac10-analyte").await;
    assert_eq!(status, StatusCode::OK);
    assert!(v["results"].as_array().unwrap().iter().all(|r| r["system"] == "jlac10-analyte"));
    assert_eq!(v["release"], "2024-06");
    let (_, v) = app.get("/v1/suggest?q=%E7%B3%96").await; // 糖
    assert!(!v["results"].as_array().unwrap().is_empty());
}
