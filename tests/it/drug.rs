//! The receipt drug master and its monthly change files through import and publish: one new
//! version (and here one release) per change file, with every change in history and diff.

use henkan::model::{HistoryKind, Status};
use henkan::{Error, ImportError};

use crate::common::{import_publish, open, shared, tempdir};

const CHANGE_FILES: [&str; 20] = [
    "y_20240613.csv",
    "y_20240628.csv",
    "y_20240717.csv",
    "y_20240731.csv",
    "y_20240814.csv",
    "y_20240906.csv",
    "y_20240925.csv",
    "y_20241018.csv",
    "y_20241112.csv",
    "y_20241119.csv",
    "y_20241205.csv",
    "y_20250115.csv",
    "y_20250318.csv",
    "y_20250415.csv",
    "y_20250516.csv",
    "y_20250520.csv",
    "y_20250612.csv",
    "y_20250630.csv",
    "y_20250715.csv",
    "y_20250813.csv",
];

#[test]
fn a_change_file_needs_a_previous_version() {
    let dir = tempdir();
    let s = open(dir.path());
    let e = s.import(&[shared("drug/y_diffs/y_20240613.csv")], None, None, |_| {}).unwrap_err();
    assert!(matches!(e, Error::Import(ImportError::NoBase { .. })), "{e}");
    assert!(e.to_string().contains("import the full master first"));
}

#[test]
fn change_files_applied_in_date_order_give_one_version_each() {
    let dir = tempdir();
    let s = open(dir.path());
    import_publish(&s, &[shared("drug/y_ALL20240531.csv")], "2024-05-31");
    for file in CHANGE_FILES {
        let id = format!("{}-{}-{}", &file[2..6], &file[6..8], &file[8..10]);
        import_publish(&s, &[shared(&format!("drug/y_diffs/{file}"))], &id);
    }
    let releases = s.releases().unwrap();
    assert_eq!(releases.len(), 21);
    let versions: Vec<_> = releases.iter().map(|r| r.system("jp-receipt-drug").unwrap().version.clone()).collect();
    assert_eq!(versions[1], "2024-06-13");
    assert_eq!(versions[20], "2025-08-13");
    assert_eq!(releases[0].system("jp-receipt-drug").unwrap().concepts, 19_748);
    assert_eq!(releases[20].system("jp-receipt-drug").unwrap().concepts, 21_182);

    // y_20240613: 76 new codes (変更区分 3) and 4 changed rows.
    let d = s.diff("2024-05-31", "2024-06-13", None, None).unwrap();
    assert_eq!((d.systems[0].added.len(), d.systems[0].removed.len()), (76, 0));
    assert_eq!(d.systems[0].changed.len(), 4);
    // y_20240925 abolishes 657 codes: they stay, retired, and show as changed status.
    let d = s.diff("2024-09-06", "2024-09-25", None, None).unwrap();
    let retired: Vec<_> = d.systems[0]
        .changed
        .iter()
        .filter(|c| c.changes.iter().any(|f| f.field == "status" && f.to.as_deref() == Some("retired")))
        .collect();
    assert_eq!(retired.len(), 657);

    let h = s.history("jp-receipt-drug", "610412126").unwrap();
    let kinds: Vec<_> = h.events.iter().map(|e| (e.release.as_str(), e.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("2024-05-31", HistoryKind::Added),
            ("2024-06-28", HistoryKind::Changed),
            ("2024-09-25", HistoryKind::Retired)
        ]
    );
    assert_eq!(h.events[1].changes[0].field, "properties.transitional_until");
    let c = s.lookup("jp-receipt-drug", "610412126", None).unwrap().concept;
    assert_eq!((c.status, c.property("abolished_on")), (Status::Retired, Some("2024-09-30")));
    // A pinned old release still answers the code as it was.
    assert_eq!(s.lookup("jp-receipt-drug", "610412126", Some("2024-05-31")).unwrap().concept.status, Status::Active);
    let loxonin = s.lookup("jp-receipt-drug", "620098801", None).unwrap().concept;
    assert_eq!((loxonin.display.as_str(), loxonin.property("yj_code")), ("ロキソニン錠６０ｍｇ", Some("1149019F1560")));
}

#[test]
fn one_import_applies_the_change_files_in_date_order_one_version_each() {
    let dir = tempdir();
    let s = open(dir.path());
    // Given newest first: the import orders each system's change files by date.
    let mut files: Vec<_> = CHANGE_FILES.iter().rev().map(|f| shared(&format!("drug/y_diffs/{f}"))).collect();
    files.push(shared("drug/y_ALL20240531.csv"));
    let staged = s.import(&files, None, None, |_| {}).unwrap();
    let versions: Vec<_> = staged.iter().map(|v| v.version.as_str()).collect();
    assert_eq!(versions.len(), 21);
    assert_eq!((versions[0], versions[1], versions[20]), ("2024-05-31", "2024-06-13", "2025-08-13"));
    assert_eq!((staged[0].concepts, staged[1].concepts, staged[20].concepts), (19_748, 19_824, 21_182));
    assert_eq!(s.counts()["versions"], 21, "one stored version per file");
    assert_eq!(s.draft().unwrap(), [("jp-receipt-drug".to_owned(), "2025-08-13".to_owned())]);
    let one = import_publish_draft(&s, "all-at-once");

    // The same chain imported file by file gives exactly the same last version.
    let dir2 = tempdir();
    let s2 = open(dir2.path());
    s2.import(&[shared("drug/y_ALL20240531.csv")], None, None, |_| {}).unwrap();
    for f in CHANGE_FILES {
        s2.import(&[shared(&format!("drug/y_diffs/{f}"))], None, None, |_| {}).unwrap();
    }
    let two = import_publish_draft(&s2, "file-by-file");
    assert_eq!(one.system("jp-receipt-drug").unwrap().digest, two.system("jp-receipt-drug").unwrap().digest);
    let c = s.lookup("jp-receipt-drug", "610412126", None).unwrap().concept;
    assert_eq!((c.status, c.property("abolished_on")), (Status::Retired, Some("2024-09-30")));

    // Two change files of one date cannot both apply.
    let twice = [shared("drug/y_diffs/y_20240613.csv"), shared("drug/y_diffs/y_20240613.csv")];
    let e = s.import(&twice, None, None, |_| {}).unwrap_err();
    assert!(matches!(e, Error::Import(ImportError::SameSystemTwice { .. })), "{e}");
    assert!(e.to_string().contains("two change files of the same version"), "{e}");
}

fn import_publish_draft(s: &henkan::Service, id: &str) -> henkan::model::Release {
    s.publish(&henkan::PublishRequest { id: id.into(), publisher: "test".into(), notes: String::new() }).unwrap()
}
