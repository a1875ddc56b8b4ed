//! `henkan serve` on an empty directory publishes the bundled masters; a later start does not.

use henkan::BUNDLED_PUBLISHER;

use crate::common::{masters, open, tempdir, TestApp};

#[test]
fn empty_directory_gets_the_two_bundled_releases() {
    let app = TestApp::default_data();
    let releases = app.service().releases().unwrap();
    let ids: Vec<_> = releases.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["2024-01", "2024-06"]);
    assert_eq!(releases[1].parent.as_deref(), Some("2024-01"));
    assert_eq!(releases[0].publisher, BUNDLED_PUBLISHER);
    let disease = releases[1].system("jp-receipt-disease").unwrap();
    assert_eq!((disease.version.as_str(), disease.concepts), ("2024-06-01", 27_437));
    assert_eq!(disease.files[0].sha256, "4a9dfae95bd20846b126ea0183eef32ff596ce4cbec5d48dff81e381524a511e");
    assert_eq!(releases[1].system("jp-receipt-modifier").unwrap().concepts, 2_349);
    assert_eq!(releases[0].system("jp-receipt-disease").unwrap().concepts, 27_384);
}

#[test]
fn second_start_opens_existing_releases_without_reimporting() {
    let dir = tempdir();
    {
        let s = open(dir.path());
        assert_eq!(s.bootstrap(&masters(), |_| {}).unwrap().len(), 2);
    }
    let s = open(dir.path());
    let before = s.counts();
    let sha: Vec<_> = s.releases().unwrap().into_iter().map(|r| r.sha256).collect();
    assert!(s.bootstrap(&masters(), |_| {}).unwrap().is_empty());
    assert_eq!(s.counts(), before);
    assert_eq!(s.releases().unwrap().into_iter().map(|r| r.sha256).collect::<Vec<_>>(), sha);
}
