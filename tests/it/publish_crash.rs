//! A `henkan publish` process that dies at any point leaves the previous release served intact
//! and a store that opens cleanly; publishing again then succeeds.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use henkan::model::HistoryKind;

use crate::common::{open, shared, tempdir};

fn henkan(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_henkan"));
    c.arg("--data-dir").arg(dir).env("RUST_LOG", "error").stdout(Stdio::null()).stderr(Stdio::null());
    c
}

/// A store with release 2024-01 published and the 2024-06 master staged in the draft.
fn staged_store(dir: &Path) {
    for args in [
        vec!["import", shared("disease/b_20240101.txt").to_str().unwrap()],
        vec!["publish", "--id", "2024-01"],
        vec!["import", shared("disease/b_20240601.txt").to_str().unwrap()],
    ] {
        let st = henkan(dir).args(&args).status().unwrap();
        assert!(st.success(), "{args:?}");
    }
}

/// The store opens; 2024-01 is intact; if 2024-06 exists it is complete; history has no trace
/// of an unfinished publish. Returns whether 2024-06 was published.
fn check_consistent(dir: &Path) -> bool {
    let s = open(dir);
    let r1 = s.release(Some("2024-01")).expect("previous release still there");
    assert_eq!(r1.system("jp-receipt-disease").unwrap().concepts, 27_384);
    assert_eq!(
        s.lookup("jp-receipt-disease", "2028045", Some("2024-01")).unwrap().concept.display,
        "悪性線維性組織球腫"
    );
    let published = s.release(Some("2024-06")).is_ok();
    let h = s.history("jp-receipt-disease", "2028045").unwrap();
    if published {
        assert_eq!(s.release(None).unwrap().id, "2024-06");
        assert_eq!(h.events.len(), 2);
        assert_eq!(h.events[1].kind, HistoryKind::Removed);
    } else {
        assert_eq!(s.release(None).unwrap().id, "2024-01");
        assert_eq!(h.events.len(), 1, "history of an unfinished publish must not show");
        assert!(s.history("jp-receipt-disease", "8851497").is_err());
    }
    published
}

fn finish_publish(dir: &Path, already: bool) {
    if !already {
        let st = henkan(dir).args(["publish", "--id", "2024-06"]).status().unwrap();
        assert!(st.success());
    }
    assert!(check_consistent(dir));
    let s = open(dir);
    let d = s.diff("2024-01", "2024-06", None, None).unwrap();
    assert_eq!((d.systems[0].added.len(), d.systems[0].removed.len()), (82, 29));
    // Exactly one `added` event for a new code: nothing duplicated by the retry.
    assert_eq!(s.history("jp-receipt-disease", "8851497").unwrap().events.len(), 1);
}

#[test]
fn failpoints_at_every_stage_of_publish() {
    for stage in ["publish-after-history", "publish-before-commit", "publish-after-commit"] {
        let dir = tempdir();
        staged_store(dir.path());
        let st =
            henkan(dir.path()).args(["publish", "--id", "2024-06"]).env("HENKAN_FAILPOINT", stage).status().unwrap();
        assert!(!st.success(), "{stage}: the process should have aborted");
        let published = check_consistent(dir.path());
        if stage != "publish-after-commit" {
            assert!(!published, "{stage}");
        }
        finish_publish(dir.path(), published);
    }
}

#[test]
fn sigkill_at_arbitrary_moments_of_publish() {
    // Kill a real publish after increasing delays; whatever the moment, the store stays usable.
    let mut seen_done = false;
    for delay_ms in [5u64, 40, 120, 250, 500, 1000] {
        let dir = tempdir();
        staged_store(dir.path());
        let mut child = henkan(dir.path()).args(["publish", "--id", "2024-06"]).spawn().unwrap();
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(delay_ms) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = child.kill();
        let _ = child.wait();
        let published = check_consistent(dir.path());
        seen_done |= published;
        finish_publish(dir.path(), published);
    }
    assert!(seen_done || cfg!(debug_assertions), "the longest delay should let a release build finish");
}
