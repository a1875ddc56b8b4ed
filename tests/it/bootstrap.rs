//! `henkan serve` on an empty directory publishes the bundled masters; a later start does not.

use henkan::model::HistoryKind;
use henkan::BUNDLED_PUBLISHER;

use crate::common::{masters, open, tempdir, TestApp, DEFAULT_RELEASES};

#[test]
fn empty_directory_gets_the_bundled_releases() {
    let app = TestApp::default_data();
    let releases = app.service().releases().unwrap();
    let ids: Vec<_> = releases.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, DEFAULT_RELEASES);
    assert_eq!(releases[1].parent.as_deref(), Some("2024-01"));
    assert_eq!(releases[0].publisher, BUNDLED_PUBLISHER);
    // The first disease master comes with ICD-11 and its table, so that its codes translate.
    assert!(releases[0].mapping("jp-receipt-disease", "icd11-mms").is_some());
    let disease = releases[1].system("jp-receipt-disease").unwrap();
    assert_eq!((disease.version.as_str(), disease.concepts), ("2024-06-01", 27_437));
    assert_eq!(disease.files[0].sha256, "4a9dfae95bd20846b126ea0183eef32ff596ce4cbec5d48dff81e381524a511e");
    assert_eq!(releases[1].system("jp-receipt-modifier").unwrap().concepts, 2_349);
    let tables: Vec<_> = releases[1].mappings.iter().map(|m| (m.table.as_str(), m.mapped, m.no_map)).collect();
    assert_eq!(
        tables,
        [
            ("icd10-who--icd11-mms", 12_304, 179),
            ("jlac10--loinc", 868, 0),
            ("jp-receipt-disease--icd11-mms", 27_135, 302),
            ("jp-receipt-drug--rxnorm", 11_003, 8_745),
            ("jp-yj--rxnorm", 7_275, 5_142)
        ]
    );
    // 2024-06 covers diseases, drugs and lab on the Japanese side and ICD-11, LOINC, RxNorm.
    let systems: Vec<_> = releases[1].systems.iter().map(|s| (s.system.as_str(), s.concepts)).collect();
    assert_eq!(
        systems,
        [
            ("icd10-who", 12_483),
            ("icd11-mms", 17_061),
            ("jlac10", 868),
            ("jlac10-analyte", 2_855),
            ("jlac10-identification", 1_563),
            ("jlac10-material", 194),
            ("jlac10-method", 360),
            ("jlac10-result", 99),
            ("jlac10-result-specific", 4_565),
            ("jp-generic-name", 1_368),
            ("jp-receipt-disease", 27_437),
            ("jp-receipt-drug", 19_748),
            ("jp-receipt-modifier", 2_349),
            ("jp-yj", 12_417),
            ("loinc", 2_667),
            ("rxnorm", 63_987),
        ]
    );
    assert_eq!(releases[0].system("jp-receipt-disease").unwrap().concepts, 27_384);
    // Then one release per drug change file, each on the one before: 2024-06-13 … 2025-08-13;
    // the 2025-06-01 modifier master arrives in 2025-06-12; the drug → RxNorm table is derived
    // again at the end; everything else is carried forward.
    let drug_versions: Vec<_> =
        releases[2..].iter().map(|r| r.system("jp-receipt-drug").unwrap().version.clone()).collect();
    assert_eq!(drug_versions, DEFAULT_RELEASES[2..]);
    for w in releases[1..].windows(2) {
        assert_eq!(w[1].parent.as_deref(), Some(w[0].id.as_str()));
    }
    let last = releases.last().unwrap();
    let drug = last.system("jp-receipt-drug").unwrap();
    assert_eq!((drug.version.as_str(), drug.concepts), ("2025-08-13", 21_182));
    assert_eq!(
        drug.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ["y_20250813.csv"],
        "the file as published (shipped gzipped)"
    );
    let modifier = |r: &henkan::model::Release| r.system("jp-receipt-modifier").unwrap().concepts;
    assert_eq!((modifier(&releases[17]), modifier(&releases[18]), modifier(last)), (2_349, 2_375, 2_375));
    assert_eq!(last.system("jp-receipt-disease").unwrap().version_id, disease.version_id, "carried forward");
    assert_eq!(last.systems.len(), 16);
    assert_ne!(
        last.mapping("jp-yj", "rxnorm").unwrap().version_id,
        releases[1].mapping("jp-yj", "rxnorm").unwrap().version_id
    );
    // Every change has its release: 610412126 got its transition date in 2024-06-28 and was
    // abolished (2024-09-30) in 2024-09-25.
    let h = app.service().history("jp-receipt-drug", "610412126").unwrap();
    let kinds: Vec<_> = h.events.iter().map(|e| (e.release.as_str(), e.kind)).collect();
    assert_eq!(
        kinds,
        [("2024-06", HistoryKind::Added), ("2024-06-28", HistoryKind::Changed), ("2024-09-25", HistoryKind::Retired)]
    );
}

#[test]
fn second_start_opens_existing_releases_without_reimporting() {
    let dir = tempdir();
    {
        let s = open(dir.path());
        assert_eq!(s.bootstrap(&masters(), |_| {}).unwrap().len(), DEFAULT_RELEASES.len());
        // Only the latest release's search index is built at first start (the others' when first
        // searched).
        let indexes: Vec<_> = std::fs::read_dir(dir.path().join("search"))
            .unwrap()
            .flatten()
            .filter(|e| e.path().join("manifest.json").is_file())
            .map(|e| std::fs::read_to_string(e.path().join("manifest.json")).unwrap())
            .collect();
        assert_eq!(indexes.len(), 1, "{indexes:?}");
        assert!(indexes[0].contains("\"release_id\": \"2025-08-13\""), "{}", indexes[0]);
    }
    let s = open(dir.path());
    let before = s.counts();
    let sha: Vec<_> = s.releases().unwrap().into_iter().map(|r| r.sha256).collect();
    assert!(s.bootstrap(&masters(), |_| {}).unwrap().is_empty());
    assert_eq!(s.counts(), before);
    assert_eq!(s.releases().unwrap().into_iter().map(|r| r.sha256).collect::<Vec<_>>(), sha);
}
