//! RxNorm Current Prescribable Content as ingredient-centred JSON (format `rxnorm-prescribe-json`):
//! one file per initial letter (`0-9.json`, `B.json` … `Z.json`), each a JSON array of ingredient
//! records (`IN`, `PIN` or `MIN`) nesting their drugs:
//! `{Name, RXCUI, TTY, UNII?, SCDCs: [{…, SCDs: [{…, NDCs?, GPCKs?, BPCKs?, SBDs?: [{…, NDCs?, BNs?}]}]}]}`.
//!
//! Every node becomes a concept of `rxnorm` (display = Name, properties `tty`, `unii`, `ndc`), and
//! the nesting becomes RxNorm's relations, stored on the subject as set properties
//! ([`crate::record::SET_PROPERTIES`]): an SCDC `has_ingredient` its IN (`has_precise_ingredient`
//! its PIN), an SCD `consists_of` its SCDCs and is `contained_in` its packs, an SBD is
//! `tradename_of` its SCD and `has_ingredient` its BN. The nesting of SCDCs under a MIN is the
//! extractor's grouping, not an RxNorm relation: it is counted in the notes, not stored. A drug
//! nested under several ingredients (or listed in several letter files) is one concept whose
//! relations are the union.
//!
//! Aborts the file on: invalid JSON or an unknown key (serde's line and column), a RXCUI that is
//! not numeric, an empty name, a node of a term type that cannot stand where it is, or one RXCUI
//! with two term types or names. The version comes from the import (`--version`), as the letter
//! files carry none.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::error::{FieldRef, Position};
use crate::record::{ConceptRecord, SetMembers, Status};
use crate::{base_name, LoadError, LoadErrorKind, Loaded, Loader, Result, SourceFile};

/// One node of the nested JSON, at any level.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(non_snake_case, reason = "the published JSON keys")]
struct Node {
    Name: String,
    RXCUI: String,
    TTY: String,
    #[serde(default)]
    UNII: Option<String>,
    #[serde(default)]
    SCDCs: Vec<Node>,
    #[serde(default)]
    SCDs: Vec<Node>,
    #[serde(default)]
    SBDs: Vec<Node>,
    #[serde(default)]
    BNs: Vec<Node>,
    #[serde(default)]
    GPCKs: Vec<Node>,
    #[serde(default)]
    BPCKs: Vec<Node>,
    #[serde(default)]
    NDCs: Vec<String>,
}

/// Which term types may stand under which key.
fn allowed(key: &str) -> &'static [&'static str] {
    match key {
        "" => &["IN", "PIN", "MIN"],
        "SCDCs" => &["SCDC"],
        "SCDs" => &["SCD"],
        "SBDs" => &["SBD"],
        "BNs" => &["BN"],
        "GPCKs" => &["GPCK"],
        "BPCKs" => &["BPCK"],
        _ => &[],
    }
}

struct Builder<'a> {
    file: &'a str,
    concepts: Vec<ConceptRecord>,
    index: HashMap<String, usize>,
    sets: SetMembers,
    min_nesting: usize,
}

impl Builder<'_> {
    fn pos(&self, record: u64, path: &str) -> Position {
        Position {
            file: self.file.to_owned(),
            line: 0,
            record,
            field: Some(FieldRef { index: 0, name: path.to_owned() }),
        }
    }

    /// Adds (or meets again) one node and its children; returns its RXCUI.
    fn node(&mut self, n: &Node, key: &str, record: u64, path: &str) -> Result<String> {
        self.check(n, key, record, path)?;
        let i = self.concept_of(n, record, path)?;
        for ndc in &n.NDCs {
            if ndc.len() != 11 || !ndc.bytes().all(|b| b.is_ascii_digit()) {
                return Err(LoadError::at(invalid(ndc, "an 11-digit NDC"), self.pos(record, &format!("{path}.NDCs"))));
            }
            self.sets.add(&mut self.concepts[i], "ndc", ndc);
        }
        for (k, children) in [
            ("SCDCs", &n.SCDCs),
            ("SCDs", &n.SCDs),
            ("SBDs", &n.SBDs),
            ("BNs", &n.BNs),
            ("GPCKs", &n.GPCKs),
            ("BPCKs", &n.BPCKs),
        ] {
            for (j, child) in children.iter().enumerate() {
                let child_path = format!("{path}.{k}[{j}]");
                let c = self.node(child, k, record, &child_path)?;
                self.relate(n, i, k, &c, record, &child_path)?;
            }
        }
        Ok(n.RXCUI.clone())
    }

    /// The node's RXCUI, term type (for where it sits) and name.
    fn check(&self, n: &Node, key: &str, record: u64, path: &str) -> Result<()> {
        if n.RXCUI.is_empty() || n.RXCUI.len() > 10 || !n.RXCUI.bytes().all(|b| b.is_ascii_digit()) {
            return Err(LoadError::at(
                invalid(&n.RXCUI, "a numeric RXCUI"),
                self.pos(record, &format!("{path}.RXCUI")),
            ));
        }
        if !allowed(key).contains(&n.TTY.as_str()) {
            let expected = match key {
                "" => "IN, PIN or MIN at the top level",
                "SCDCs" => "SCDC under SCDCs",
                "SCDs" => "SCD under SCDs",
                "SBDs" => "SBD under SBDs",
                "BNs" => "BN under BNs",
                "GPCKs" => "GPCK under GPCKs",
                _ => "BPCK under BPCKs",
            };
            return Err(LoadError::at(invalid(&n.TTY, expected), self.pos(record, &format!("{path}.TTY"))));
        }
        if n.Name.trim().is_empty() {
            let pos = self.pos(record, &format!("{path}.Name"));
            return Err(LoadError::at(LoadErrorKind::Empty { what: "name" }, pos));
        }
        Ok(())
    }

    /// The index of the node's concept: added on first sight, else checked to be the same term.
    fn concept_of(&mut self, n: &Node, record: u64, path: &str) -> Result<usize> {
        if let Some(&i) = self.index.get(&n.RXCUI) {
            let c = &self.concepts[i];
            if c.display != n.Name || c.property("tty") != Some(n.TTY.as_str()) {
                let tty = c.property("tty").unwrap_or("");
                let value = format!("{} {} (first seen as {tty} {})", n.TTY, n.Name, c.display);
                let pos = self.pos(record, &format!("{path}.RXCUI"));
                return Err(LoadError::at(invalid(&value, "one term type and name per RXCUI"), pos));
            }
            return Ok(i);
        }
        let mut properties = BTreeMap::from([("tty".to_owned(), n.TTY.clone())]);
        if let Some(u) = n.UNII.as_ref().filter(|u| !u.is_empty()) {
            properties.insert("unii".into(), u.clone());
        }
        self.index.insert(n.RXCUI.clone(), self.concepts.len());
        self.concepts.push(ConceptRecord {
            code: n.RXCUI.clone(),
            status: Status::Active,
            display: n.Name.clone(),
            designations: Vec::new(),
            properties,
            bookkeeping: BTreeMap::new(),
        });
        Ok(self.concepts.len() - 1)
    }

    /// Records the relation between node `n` (concept `i`) and its child `child` under `key`:
    /// on the child pointing at the node, or on the node pointing at the child.
    fn relate(&mut self, n: &Node, i: usize, key: &str, child: &str, record: u64, path: &str) -> Result<()> {
        let ci = self.index[child];
        let me = &n.RXCUI;
        match (n.TTY.as_str(), key) {
            ("IN", "SCDCs") => self.sets.add(&mut self.concepts[ci], "has_ingredient", me),
            ("PIN", "SCDCs") => self.sets.add(&mut self.concepts[ci], "has_precise_ingredient", me),
            ("MIN", "SCDCs") => self.min_nesting += 1,
            ("SCDC", "SCDs") => self.sets.add(&mut self.concepts[ci], "consists_of", me),
            ("SCD", "SBDs") => self.sets.add(&mut self.concepts[ci], "tradename_of", me),
            ("SCD", "GPCKs" | "BPCKs") => self.sets.add(&mut self.concepts[i], "contained_in", child),
            ("SBD", "BNs") => self.sets.add(&mut self.concepts[i], "has_ingredient", child),
            _ => {
                let value = format!("{key} under {}", n.TTY);
                let pos = self.pos(record, path);
                return Err(LoadError::at(invalid(&value, "the nesting of the prescribable-content JSON"), pos));
            }
        }
        Ok(())
    }
}

fn invalid(value: &str, expected: &'static str) -> LoadErrorKind {
    LoadErrorKind::Invalid { value: value.to_owned(), expected }
}

/// The ingredient-centred JSON of RxNorm Current Prescribable Content (format `rxnorm-prescribe-json`).
pub struct RxNormPrescribeJson;

impl Loader for RxNormPrescribeJson {
    fn format(&self) -> &'static str {
        "rxnorm-prescribe-json"
    }

    fn description(&self) -> &'static str {
        "RxNorm Current Prescribable Content, ingredient-centred JSON (one file per initial letter: 0-9.json, B.json …)"
    }

    fn detect(&self, file: &SourceFile<'_>) -> bool {
        let base = base_name(file.name);
        let letter = base
            .strip_suffix(".json")
            .is_some_and(|l| l == "0-9" || (l.len() == 1 && l.as_bytes()[0].is_ascii_uppercase()));
        let start = file.bytes.iter().copied().skip_while(u8::is_ascii_whitespace).take(10).collect::<Vec<_>>();
        letter && start.starts_with(b"[{\"Name\"")
    }

    fn load(&self, file: &SourceFile<'_>) -> Result<Loaded> {
        let nodes: Vec<Node> = serde_json::from_slice(file.bytes).map_err(|e| {
            let position = Position {
                file: file.name.to_owned(),
                line: e.line() as u64,
                record: 0,
                field: Some(FieldRef { index: e.column(), name: format!("column {}", e.column()) }),
            };
            LoadError::at(LoadErrorKind::Json { message: e.to_string() }, position)
        })?;
        if nodes.is_empty() {
            return Err(LoadError::file(LoadErrorKind::NoRecords, file.name));
        }
        let mut b = Builder {
            file: file.name,
            concepts: Vec::new(),
            index: HashMap::new(),
            sets: SetMembers::default(),
            min_nesting: 0,
        };
        for (i, n) in nodes.iter().enumerate() {
            b.node(n, "", i as u64 + 1, &format!("[{i}]"))?;
        }
        let mut loaded = Loaded::full("rxnorm", None, b.concepts);
        if b.min_nesting > 0 {
            loaded.notes.push(format!(
                "{} SCDCs nested under a multiple ingredient (MIN): the extractor's grouping, not an RxNorm relation, so not stored",
                b.min_nesting
            ));
        }
        Ok(loaded)
    }
}
