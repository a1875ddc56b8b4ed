//! The records loaders produce: one neutral concept shape shared by every format.
//!
//! Each format module maps its published fields onto this shape and documents how. Properties
//! are named in snake_case English (`icd10_1`, `medis_key_number`…); each module's `LAYOUT`
//! table says which official field each one comes from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Properties whose value is a space-separated set of codes or values rather than one value:
/// term types, successors, NDCs and RxNorm relations (named by RxNorm's RELA, on the concept
/// that is the subject: an SCDC `has_ingredient` its IN). Records of one code from several files
/// merge these by union instead of keeping the first file's value.
pub const SET_PROPERTIES: &[&str] = &[
    "tty",
    "successor",
    "ndc",
    "has_ingredient",
    "has_precise_ingredient",
    "consists_of",
    "tradename_of",
    "contained_in",
];

/// One relation read from a relations file (e.g. RxNorm's `RXNREL.RRF`): `source` has `name`
/// `target`, applied at import as a set property of the source concept, which must be in a
/// concept file of the same version imported with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// The subject's code.
    pub source: String,
    /// The relation's name, used as the property name (RxNorm RELA, e.g. `has_ingredient`).
    pub name: String,
    /// The object's code.
    pub target: String,
    /// Line in the file.
    pub line: u64,
}

crate::vocabulary! {
    /// Whether a concept may be used for new data.
    pub enum Status {
        /// In use.
        Active = "active",
        /// Abolished (廃止) by its publisher; kept for old data, possibly with a successor.
        Retired = "retired",
    }
}

crate::vocabulary! {
    /// What a designation is.
    pub enum DesignationUse {
        /// Short or abbreviated name (省略名称).
        Short = "short",
        /// Reading in katakana (カナ名称).
        Kana = "kana",
        /// Short name for dental claims (歯科傷病名省略名称).
        DentalShort = "dental_short",
        /// Another name for the same concept.
        Synonym = "synonym",
        /// An English name.
        English = "english",
        /// A generic (一般名) name or prescription wording.
        Generic = "generic",
        /// The name of the concept this one is mapped to in another code system (added by henkan's
        /// search index, never stored).
        Mapped = "mapped",
        /// A word of an index table filed under this concept's category (MEDIS 索引用語: everyday,
        /// variant or older wording; added by henkan's search index, never stored).
        IndexTerm = "index_term",
    }
}

/// One more name of a concept.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Designation {
    /// What kind of name.
    #[serde(rename = "use")]
    pub use_: DesignationUse,
    /// BCP 47 language tag (`ja`, `ja-Kana`, `en`).
    pub language: String,
    /// The name, exactly as published.
    pub value: String,
}

/// One concept of a code system, as read from an official file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConceptRecord {
    /// The code, exactly as published.
    pub code: String,
    /// Active or retired.
    pub status: Status,
    /// The preferred name, exactly as published.
    pub display: String,
    /// Other names (short, kana, English…), in the format's field order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub designations: Vec<Designation>,
    /// Content properties (ICD-10, management numbers, dates, successor…).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
    /// Per-row bookkeeping of the file itself (変更区分 and the 変更情報 flags): kept for
    /// curators, but not content, so diffs and history ignore it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub bookkeeping: BTreeMap<String, String>,
}

impl ConceptRecord {
    /// A designation of a given use, if any.
    pub fn designation(&self, use_: DesignationUse) -> Option<&str> {
        self.designations.iter().find(|d| d.use_ == use_).map(|d| d.value.as_str())
    }
    /// Adds what another record of the same code has and this one lacks: designations with a
    /// new value, properties not set here. The display and status of `self` win. A property
    /// that is a set ([`SET_PROPERTIES`]) gets the other record's members added.
    pub fn fill_from(&mut self, other: ConceptRecord) {
        for d in other.designations {
            if d.value != self.display && !self.designations.iter().any(|x| x.value == d.value) {
                self.designations.push(d);
            }
        }
        for (k, v) in other.properties {
            if SET_PROPERTIES.contains(&k.as_str()) {
                let mut members = SetMembers::default();
                for member in v.split(' ') {
                    members.add(self, &k, member);
                }
            } else {
                self.properties.entry(k).or_insert(v);
            }
        }
    }

    /// Appends a member known not to be in the set yet (see [`SetMembers`]): set-valued
    /// properties are space-separated, in first-seen order.
    fn append_to_set(&mut self, name: &str, member: &str) {
        match self.properties.get_mut(name) {
            Some(v) => {
                v.push(' ');
                v.push_str(member);
            }
            None => {
                self.properties.insert(name.to_owned(), member.to_owned());
            }
        }
    }

    /// A property value, if set.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(name).map(String::as_str)
    }
}

/// Adds members to set-valued properties, each in constant time (a set of thousands of NDCs is
/// not read again for every member): remembers the members of each (record, property) it has
/// seen, starting from what the record already has.
/// Keyed by the record's code, so one `SetMembers` serves a whole list of records.
#[derive(Debug, Default)]
pub struct SetMembers {
    seen: std::collections::HashSet<(String, String, String)>,
    seeded: std::collections::HashSet<(String, String)>,
}

impl SetMembers {
    /// Adds `member` to the set `name` of `record`, unless it is already there.
    pub fn add(&mut self, record: &mut ConceptRecord, name: &str, member: &str) {
        if self.seeded.insert((record.code.clone(), name.to_owned())) {
            if let Some(v) = record.properties.get(name) {
                for m in v.split(' ') {
                    self.seen.insert((record.code.clone(), name.to_owned(), m.to_owned()));
                }
            }
        }
        if self.seen.insert((record.code.clone(), name.to_owned(), member.to_owned())) {
            record.append_to_set(name, member);
        }
    }
}
