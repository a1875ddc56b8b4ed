//! Index words given to the concepts they name: an index table (MEDIS 索引用語 → ICD-10, code
//! system `jp-medis-index`) says under which ICD-10 category an everyday, variant or older
//! wording is filed (`はしか` → B05.9, `五十肩` → M75.0); the search index gives each word, as an
//! `index_term` designation, to one standard disease name of that category in each disease
//! system of the release, so the wording finds the standard name (はしか → 麻疹).
//!
//! Which name, among those of the category:
//! - none, when a name or reading of the category already is the word or contains it (the
//!   word finds them as it is);
//! - else the name or reading most like the word by character bigrams, when it is alike at
//!   all (Sørensen–Dice ≥ [`ALIKE`], 0.4: a variant spelling, a reading, a word-order variant);
//! - else (a word unlike every name: a lay name) the category's head name, the one contained
//!   in most other names of the category (白癬 in 足白癬, 体部白癬 …), shortest first.
//!
//! Ties go to the shorter name, then to the earlier concept. Retired names get words only
//! where the category has no active name.

use std::collections::HashMap;

use super::normalize::normalize;
use super::rank::Bigrams;
use crate::model::{slug, Concept, Designation, DesignationUse, Status};

/// The code system of index words (code = display = the word, property `icd10`).
pub(crate) const INDEX_SYSTEM: &str = slug::JP_MEDIS_INDEX;

/// The disease systems that receive index words, with the property holding each concept's
/// ICD-10 code.
const DISEASE_SYSTEMS: &[(&str, &str)] = &[(slug::JP_RECEIPT_DISEASE, "icd10_1"), (slug::JP_MEDIS_DISEASE, "icd10")];

/// How alike (bigram Dice) a word and a name must be for the word to count as a variant of
/// that name rather than a lay name of the category.
const ALIKE: f64 = 0.4;

/// One candidate name: the concept's position and its normalised display and reading.
struct Name {
    at: usize,
    display: String,
    reading: String,
    chars: usize,
}

/// Gives every index word of `words` (concepts of [`INDEX_SYSTEM`]) to the disease concepts it
/// names in `concepts` (see the module doc). Returns how many designations were added.
pub(crate) fn attach(words: &[Concept], concepts: &mut [(&str, Concept)]) -> usize {
    // (system, ICD-10 code) → the names filed under it, active ones only when there are any.
    let mut by_code: HashMap<(&'static str, String), Vec<Name>> = HashMap::new();
    for (at, (system, c)) in concepts.iter().enumerate() {
        let Some((slug, prop)) = DISEASE_SYSTEMS.iter().find(|(s, _)| s == system) else { continue };
        let Some(code) = c.property(prop).filter(|v| !v.is_empty()) else { continue };
        let reading = c.designation(DesignationUse::Kana).map(normalize).unwrap_or_default();
        let display = normalize(&c.display);
        let chars = display.chars().count();
        by_code.entry((slug, code.to_owned())).or_default().push(Name { at, display, reading, chars });
    }
    for names in by_code.values_mut() {
        if names.iter().any(|n| concepts[n.at].1.status == Status::Active) {
            names.retain(|n| concepts[n.at].1.status == Status::Active);
        }
    }
    // The head name of each category, found once.
    let heads: HashMap<(&'static str, String), usize> =
        by_code.iter().map(|(key, names)| (key.clone(), head(names))).collect();
    // Each word's choices, worked out in parallel (the names are only read).
    use rayon::prelude::*;
    let chosen: Vec<Vec<usize>> = words.par_iter().map(|w| choose(w, &by_code, &heads)).collect();
    let mut count = 0;
    for (w, ats) in words.iter().zip(chosen) {
        for at in ats {
            let c = &mut concepts[at].1;
            if !c.designations.iter().any(|d| d.value == w.display) {
                c.designations.push(Designation {
                    use_: DesignationUse::IndexTerm,
                    language: "ja".into(),
                    value: w.display.clone(),
                });
                count += 1;
            }
        }
    }
    count
}

/// The concepts (positions) that one index word goes to.
fn choose(
    w: &Concept,
    by_code: &HashMap<(&'static str, String), Vec<Name>>,
    heads: &HashMap<(&'static str, String), usize>,
) -> Vec<usize> {
    let mut added = Vec::new();
    let word = normalize(&w.display);
    if word.is_empty() {
        return added;
    }
    let grams = Bigrams::new(&word);
    for code in w.property("icd10").unwrap_or_default().split(' ').filter(|c| !c.is_empty()) {
        for (slug, _) in DISEASE_SYSTEMS {
            let key = (*slug, code.to_owned());
            let Some(names) = by_code.get(&key) else { continue };
            if names.iter().any(|n| n.display.contains(&word) || n.reading.contains(&word)) {
                continue;
            }
            let alike =
                |n: &Name| grams.dice(&n.display).max(if n.reading.is_empty() { 0.0 } else { grams.dice(&n.reading) });
            let best =
                names.iter().enumerate().map(|(i, n)| (alike(n), i)).max_by(|a, b| {
                    a.0.total_cmp(&b.0).then(names[b.1].chars.cmp(&names[a.1].chars)).then(b.1.cmp(&a.1))
                });
            let chosen = match best {
                Some((score, i)) if score >= ALIKE => i,
                _ => heads[&key],
            };
            added.push(names[chosen].at);
        }
    }
    added
}

/// The head name of a category: contained in the most other names, then the shortest, then
/// the first.
fn head(names: &[Name]) -> usize {
    let contained_in =
        |i: usize| names.iter().enumerate().filter(|(j, n)| *j != i && n.display.contains(&names[i].display)).count();
    (0..names.len())
        .max_by(|&a, &b| {
            contained_in(a).cmp(&contained_in(b)).then(names[b].chars.cmp(&names[a].chars)).then(b.cmp(&a))
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A receipt disease as the master has it (name, reading, ICD-10), for the real category
    /// B35.9 (白癬 and its kinds) and B05.9 (麻疹) of b_20240601.txt.
    fn disease(code: &str, name: &str, kana: &str, icd10: &str) -> (&'static str, Concept) {
        let designations =
            vec![Designation { use_: DesignationUse::Kana, language: "ja-Kana".into(), value: kana.into() }];
        let properties = BTreeMap::from([("icd10_1".to_owned(), icd10.to_owned())]);
        let c = Concept {
            code: code.into(),
            status: Status::Active,
            display: name.into(),
            designations,
            properties,
            bookkeeping: BTreeMap::new(),
        };
        ("jp-receipt-disease", c)
    }

    fn word(w: &str, icd10: &str) -> Concept {
        Concept {
            code: w.into(),
            status: Status::Active,
            display: w.into(),
            designations: Vec::new(),
            properties: BTreeMap::from([("icd10".to_owned(), icd10.to_owned())]),
            bookkeeping: BTreeMap::new(),
        }
    }

    fn index_terms(c: &Concept) -> Vec<&str> {
        c.designations.iter().filter(|d| d.use_ == DesignationUse::IndexTerm).map(|d| d.value.as_str()).collect()
    }

    #[test]
    fn words_go_to_the_closest_name_or_else_the_head_name_of_their_category() {
        let mut concepts = vec![
            disease("8830427", "異型白癬", "イケイハクセン", "B359"),
            disease("1109007", "黄癬", "オウセン", "B359"),
            disease("1109015", "湿疹状白癬", "シッシンジョウハクセン", "B359"),
            disease("1109019", "水疱性白癬", "スイホウセイハクセン", "B359"),
            disease("8838926", "白癬", "ハクセン", "B359"),
            disease("8839411", "表在性白癬症", "ヒョウザイセイハクセンショウ", "B359"),
            disease("0559003", "非定型麻疹", "ヒテイケイマシン", "B059"),
            disease("0559004", "麻疹", "マシン", "B059"),
        ];
        // Index words of the MEDIS table (index_word2icd.json) for these categories.
        let words = [
            word("水虫", "B359 B353"), // lay names: to the head name 白癬 (in 4 others)
            word("しらくも", "B359"),
            word("はしか", "B059"),       // 麻疹 (in 非定型麻疹), not the longer name
            word("湿疹様白癬症", "B359"), // variants: to the name most alike
            word("小水疱性白癬", "B359"),
            word("白癬", "B359"),               // already a name: nothing added
            word("白癬(症)", "B359"),           // contained in 表在性白癬症: found as it is
            word("キノウセイフニンショウ", ""), // indexed under no code
        ];
        let added = attach(&words, &mut concepts);
        let by_code = |code: &str| &concepts.iter().find(|(_, c)| c.code == code).unwrap().1;
        assert_eq!(index_terms(by_code("8838926")), ["水虫", "しらくも"]);
        assert_eq!(index_terms(by_code("0559004")), ["はしか"]);
        assert_eq!(index_terms(by_code("1109015")), ["湿疹様白癬症"]);
        assert_eq!(index_terms(by_code("1109019")), ["小水疱性白癬"]);
        assert_eq!(added, 5);
        let given = ["8838926", "0559004", "1109015", "1109019"];
        assert!(concepts
            .iter()
            .filter(|(_, c)| !given.contains(&c.code.as_str()))
            .all(|(_, c)| index_terms(c).is_empty()));
    }
}
