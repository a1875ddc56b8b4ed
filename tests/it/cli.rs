//! The `henkan` binary: text and JSON output, and exit codes a script can rely on.

use std::process::{Command, Output};

use crate::common::{open, shared, tempdir};

fn henkan(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_henkan"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run henkan")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn import_publish_lookup_history_and_exit_codes() {
    let dir = tempdir();
    let d = dir.path();
    let b1 = shared("disease/b_20240101.txt");
    let b2 = shared("disease/b_20240601.txt");

    let out = henkan(d, &["import", b1.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("staged jp-receipt-disease 2024-01-01 (27384 concepts)"));
    assert!(henkan(d, &["publish", "--id", "2024-01"]).status.success());
    assert!(henkan(d, &["import", b2.to_str().unwrap()]).status.success());
    let out = henkan(d, &["--json", "publish", "--id", "2024-06", "--notes", "June"]);
    let release: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(release["parent"], "2024-01");
    assert_eq!(release["notes"], "June");

    let out = henkan(d, &["--json", "lookup", "jp-receipt-disease", "8848176"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["release"], "2024-06");
    assert_eq!(v["concept"]["display"], "１１β－水酸化酵素欠損症");
    assert_eq!(v["concept"]["properties"]["icd10_1"], "E250");

    let out = henkan(d, &["history", "jp-receipt-disease", "2028045"]);
    let t = text(&out.stdout);
    assert!(t.contains("2024-01    added") && t.contains("2024-06    removed"), "{t}");

    let out = henkan(d, &["diff", "2024-01", "2024-06"]);
    assert!(text(&out.stdout).contains("jp-receipt-disease 2024-01-01 → 2024-06-01: 82 added, 29 removed, 397 changed"));

    // Exit codes: 3 not found, 4 invalid input, 5 conflict, 2 usage.
    assert_eq!(henkan(d, &["lookup", "jp-receipt-disease", "0000001"]).status.code(), Some(3));
    assert_eq!(henkan(d, &["lookup", "no-such-system", "1"]).status.code(), Some(3));
    assert_eq!(henkan(d, &["lookup", "jp-receipt-disease", "8848176", "--release", "1999"]).status.code(), Some(3));
    let bad = dir.path().join("b_20990101.txt");
    std::fs::write(&bad, b"\"0\",\"B\",\"123\"\r\n").unwrap();
    let out = henkan(d, &["import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr)
            .contains("error: b_20990101.txt: record 1 (line 1): 3 fields where the published layout has 46"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(henkan(d, &["publish", "--id", "2024-06"]).status.code(), Some(5));
    assert_eq!(henkan(d, &["frobnicate"]).status.code(), Some(2));
}

#[test]
fn a_directory_held_by_another_process_is_a_clear_conflict() {
    let dir = tempdir();
    let _held = open(dir.path());
    let out = henkan(dir.path(), &["releases"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(text(&out.stderr).contains("is in use by another henkan process"), "{}", text(&out.stderr));
}
