//! RxNorm: the flat concept and relation tables, the ingredient-centred JSON, the official
//! RXNCONSO.RRF / RXNREL.RRF layouts and RXNCUI.RRF history.

mod common;

use common::{load, load_err, shared};
use henkan_loaders::{detect, DesignationUse, SourceFile, Status};

const CONCEPTS: &[u8] = include_bytes!("fixtures/rxnorm_prescribe_20251006_concepts_head.tsv");
const MEDXN: &[u8] = include_bytes!("fixtures/RxNorm_BNIN_concepts_head.tsv");
const CONSO: &[u8] = include_bytes!("fixtures/RXNCONSO.RRF");
const CUI: &[u8] = include_bytes!("fixtures/RXNCUI.RRF");
const REL: &[u8] = include_bytes!("fixtures/RXNREL.RRF");
const LETTER_J: &[u8] = include_bytes!("fixtures/J.json");

#[test]
fn prescribable_concept_table() {
    let f = SourceFile { name: "rxnorm_prescribe_20251006_concepts.tsv", bytes: CONCEPTS };
    assert_eq!(detect(&f).unwrap().format(), "rxnorm-concepts-tsv");
    let l = load("rxnorm-concepts-tsv", f.name, CONCEPTS);
    assert_eq!((l.system, l.version.as_deref()), ("rxnorm", Some("2025-10-06")));
    let m = l.concepts.iter().find(|c| c.code == "6809").unwrap();
    assert_eq!(
        (m.display.as_str(), m.property("tty"), m.property("unii")),
        ("metformin", Some("IN"), Some("9100L32L2N"))
    );
    assert_eq!(l.concepts[0].property("unii"), None);
}

#[test]
fn a_rxcui_listed_twice_is_merged_and_reported() {
    let l = load("rxnorm-concepts-tsv", "RxNorm_BNIN.alphanum.BnInPinMinSyn.concepts.tsv", MEDXN);
    assert_eq!(l.version, None);
    assert_eq!(l.concepts.len(), 2);
    let twice = l.concepts.iter().find(|c| c.code == "903955").unwrap();
    assert_eq!((twice.display.as_str(), twice.property("tty")), ("Ornacyn", Some("BN IN")));
    assert_eq!(l.notes.len(), 1);
    assert_eq!(l.concepts.iter().find(|c| c.code == "161").unwrap().display, "Acetaminophen");
}

#[test]
fn official_rxnconso_layout() {
    let f = SourceFile { name: "RXNCONSO.RRF", bytes: CONSO };
    assert_eq!(detect(&f).unwrap().format(), "rxnorm-rrf");
    let l = load("rxnorm-rrf", "RXNCONSO.RRF", CONSO);
    assert_eq!(l.concepts.len(), 1);
    let c = &l.concepts[0];
    assert_eq!(
        (c.code.as_str(), c.display.as_str(), c.property("tty"), c.status),
        ("38", "Parlodel", Some("BN"), Status::Active)
    );
    assert_eq!(l.notes, ["2 atoms of sources other than RXNORM are not RxNorm content and were left out"]);
    let broken = String::from_utf8(CONSO.to_vec()).unwrap().replace("|Parlodel||N|4096|", "|Parlodel||N|");
    let e = load_err("rxnorm-rrf", "RXNCONSO.RRF", broken.as_bytes());
    assert_eq!(e.to_string(), "RXNCONSO.RRF: record 3 (line 3): 17 fields where the published layout has 18: is this the right file or format?");
}

#[test]
fn retired_rxcuis_carry_their_successors() {
    let l = load("rxnorm-cui-history", "RXNCUI.RRF", CUI);
    let c = l.concepts.iter().find(|c| c.code == "91811").unwrap();
    assert_eq!(
        (c.status, c.property("successor"), c.property("retired_in")),
        (Status::Retired, Some("857082"), Some("RXNORM_09AA_090706F"))
    );
    let split = l.concepts.iter().find(|c| c.code == "197537").unwrap();
    assert_eq!(split.property("successor"), Some("997169 997170"));
    assert!(c.designation(DesignationUse::Synonym).is_none());
}

#[test]
fn full_staged_rxnorm_files_have_the_exact_counts() {
    let bytes = shared("rxnorm/rxnorm-ingredients-prescribe-20251006/rxnorm_prescribe_20251006_concepts.tsv.gz");
    let l = load("rxnorm-concepts-tsv", "rxnorm_prescribe_20251006_concepts.tsv", &bytes);
    assert_eq!(l.concepts.len(), 37_033);
    assert_eq!(l.concepts.iter().filter(|c| c.property("tty") == Some("IN")).count(), 2_462);
    let bytes = shared("rxnorm/RxNorm_BNIN.alphanum.BnInPinMinSyn.concepts.tsv.gz");
    let l = load("rxnorm-concepts-tsv", "RxNorm_BNIN.alphanum.BnInPinMinSyn.concepts.tsv", &bytes);
    assert_eq!(l.concepts.len(), 26_105);
    let bytes = shared("rxnorm/hl7-tx-subset/RXNCUI.RRF");
    let l = load("rxnorm-cui-history", "RXNCUI.RRF", &bytes);
    assert_eq!(l.concepts.len(), 5_982);
}

#[test]
fn prescribable_json_nesting_becomes_concepts_and_relations() {
    let f = SourceFile { name: "J.json", bytes: LETTER_J };
    assert_eq!(detect(&f).unwrap().format(), "rxnorm-prescribe-json");
    let l = load("rxnorm-prescribe-json", "J.json", LETTER_J);
    // Counted independently (python over the same file): 5 ingredient records, 20 distinct RXCUIs.
    assert_eq!(l.concepts.len(), 20);
    let get = |code: &str| l.concepts.iter().find(|c| c.code == code).unwrap();
    let scdc = get("1300780");
    assert_eq!(scdc.property("tty"), Some("SCDC"));
    // The SCDC sits under both the IN 845525 and the PIN 1300779.
    assert_eq!(scdc.property("has_ingredient"), Some("845525"));
    assert_eq!(scdc.property("has_precise_ingredient"), Some("1300779"));
    assert_eq!(get("1300781").property("consists_of"), Some("1300780"));
    let sbd = get("1300783");
    assert_eq!(
        (sbd.property("tradename_of"), sbd.property("has_ingredient"), sbd.property("ndc")),
        (Some("1300781"), Some("845529"), Some("42515000201 62195005101"))
    );
    assert_eq!(get("1300779").property("unii"), Some("DZ854I04ZE"));
    assert_eq!(get("845529").display, "Ixiaro");
}

#[test]
fn prescribable_json_errors_say_where() {
    let text = String::from_utf8(LETTER_J.to_vec()).unwrap();
    let bad_tty = text.replacen("\"TTY\": \"SCD\"", "\"TTY\": \"SBD\"", 1);
    let e = load_err("rxnorm-prescribe-json", "J.json", bad_tty.as_bytes());
    assert_eq!(
        e.to_string(),
        "J.json: record 1 (field \"[0].SCDCs[0].SCDs[0].TTY\"): invalid value \"SBD\": expected SCD under SCDs"
    );
    let unknown = text.replacen("\"UNII\"", "\"UNIQ\"", 1);
    let e = load_err("rxnorm-prescribe-json", "J.json", unknown.as_bytes());
    assert!(e.to_string().contains("unknown field `UNIQ`"), "{e}");
}

#[test]
fn official_rxnrel_layout_reads_second_to_first() {
    let f = SourceFile { name: "RXNREL.RRF", bytes: REL };
    assert_eq!(detect(&f).unwrap().format(), "rxnorm-rel-rrf");
    let l = load("rxnorm-rel-rrf", "RXNREL.RRF", REL);
    let got: Vec<(&str, &str, &str)> =
        l.relations.iter().map(|r| (r.source.as_str(), r.name.as_str(), r.target.as_str())).collect();
    assert_eq!(
        got,
        [
            ("860974", "has_ingredient", "6809"),
            ("6809", "ingredient_of", "860974"),
            ("860975", "consists_of", "860974"),
            ("860974", "constitutes", "860975"),
        ]
    );
    assert_eq!(l.relations[0].line, 1);
    assert_eq!(l.notes.len(), 1, "the row without a RELA is counted");
    let broken = String::from_utf8(REL.to_vec()).unwrap().replacen("6809||CUI", "6809x||CUI", 1);
    let e = load_err("rxnorm-rel-rrf", "RXNREL.RRF", broken.as_bytes());
    assert_eq!(
        e.to_string(),
        "RXNREL.RRF: record 1 (line 1, field 1 \"RXCUI1\"): invalid value \"6809x\": expected a numeric RXCUI"
    );
}

#[test]
fn full_staged_prescribable_json_and_relations() {
    let dir = "rxnorm/rxnorm-ingredients-prescribe-20251006";
    let letters: Vec<String> = std::iter::once("0-9".to_owned()).chain(('B'..='Z').map(|c| c.to_string())).collect();
    let mut all: std::collections::HashMap<String, henkan_loaders::ConceptRecord> = Default::default();
    let mut top = 0;
    for letter in &letters {
        let name = format!("{letter}.json");
        let l = load("rxnorm-prescribe-json", &name, &shared(&format!("{dir}/{name}.gz")));
        top += l.concepts.iter().filter(|c| matches!(c.property("tty"), Some("IN" | "PIN" | "MIN"))).count();
        for c in l.concepts {
            match all.get_mut(&c.code) {
                Some(prev) => prev.fill_from(c),
                None => {
                    all.insert(c.code.clone(), c);
                }
            }
        }
    }
    // Counted with python over the same 25 files: 37,033 RXCUIs (the same set as the flat table),
    // 4,008 ingredient records.
    assert_eq!(all.len(), 37_033);
    assert_eq!(top, 4_008);
    // A two-ingredient SCD nested under each ingredient (X.json and T.json) consists of both SCDCs.
    let both = &all["2694989"];
    assert_eq!(both.property("consists_of").map(|v| v.split(' ').count()), Some(2));
    let l = load(
        "rxnorm-relations-tsv",
        "rxnorm_prescribe_20251006_relations.tsv",
        &shared(&format!("{dir}/rxnorm_prescribe_20251006_relations.tsv.gz")),
    );
    // 47,498 rows, 3,738 of them the extractor's MIN grouping.
    assert_eq!(l.relations.len(), 47_498 - 3_738);
    assert_eq!(l.version.as_deref(), Some("2025-10-06"));
    // Every relation of the flat table is one the JSON gives, on the same subject.
    for r in &l.relations {
        let set = all[&r.source].property(&r.name).unwrap_or_else(|| panic!("{} has no {}", r.source, r.name));
        assert!(set.split(' ').any(|m| m == r.target), "{} {} {}", r.source, r.name, r.target);
    }
}
