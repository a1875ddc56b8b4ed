//! RxNorm: the flat concept tables, the official RXNCONSO.RRF layout and RXNCUI.RRF history.

mod common;

use common::{load, shared};
use henkan_loaders::{by_format, detect, DesignationUse, SourceFile, Status};

const CONCEPTS: &[u8] = include_bytes!("fixtures/rxnorm_prescribe_20251006_concepts_head.tsv");
const MEDXN: &[u8] = include_bytes!("fixtures/RxNorm_BNIN_concepts_head.tsv");
const CONSO: &[u8] = include_bytes!("fixtures/RXNCONSO.RRF");
const CUI: &[u8] = include_bytes!("fixtures/RXNCUI.RRF");

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
    let e = by_format("rxnorm-rrf")
        .unwrap()
        .load(&SourceFile { name: "RXNCONSO.RRF", bytes: broken.as_bytes() })
        .unwrap_err();
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
