//! Drug (YJ code, 薬価基準) → RxNorm ingredient, through a katakana → Latin phonetic key.
//!
//! Japanese ingredient names (成分名) transliterate the INN: ファモチジン ~ famotidine,
//! アムロジピン ~ amlodipine. For each YJ code: its 成分名 is split into ingredients (・), each is
//! stripped of salt/hydrate/ester moieties (`mappings/jp-yj--rxnorm/moieties.tsv`) and turned into
//! romaji (wana_kana); both the romaji and every RxNorm ingredient (TTY IN) name are reduced to the
//! same phonetic key (ph→f, th→t, c→k/s, l→r, v→b, z→s, j→d; chi→ti, tsu→tu, shi→si; vowels that
//! Japanese inserts between consonants dropped; doubled letters and final vowels dropped), and
//! compared with normalised Damerau-Levenshtein (strsim). The five best keys above 0.75 become
//! candidates. A single-ingredient product is narrower than its ingredient; an ingredient of a
//! combination product is only related-to. Every row is a candidate for review.

use std::collections::{BTreeMap, HashMap};

use wana_kana::ConvertJapanese;

use crate::model::{Concept, Hop, Mapping, Method, NoMapReason, Relationship, ReviewState};

/// The table's name.
pub(crate) const TABLE: &str = "jp-yj--rxnorm";
/// The moiety list shipped with henkan.
pub(crate) const MOIETIES: &str = include_str!("../../mappings/jp-yj--rxnorm/moieties.tsv");
const AUTHOR: &str = "henkan derive drug-rxnorm";
const MIN_SIMILARITY: f64 = 0.75;

/// Moieties, longest first.
pub(crate) fn moieties(text: &str) -> Vec<String> {
    let mut m: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next().map(str::to_owned))
        .collect();
    m.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    m
}

/// `アトルバスタチンカルシウム水和物` → `アトルバスタチン`.
pub(crate) fn strip_moieties(name: &str, moieties: &[String]) -> String {
    let mut s: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    loop {
        let Some(m) = moieties.iter().find(|m| s.ends_with(m.as_str()) && s.len() > m.len()) else { return s };
        s.truncate(s.len() - m.len());
    }
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

/// Shared tail of both keys: letter mappings, epenthetic vowels, doubles, final vowel.
fn finish_key(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| match c {
            'l' => 'r',
            'v' => 'b',
            'z' => 's',
            'j' => 'd',
            'y' => 'i',
            'w' => 'u',
            other => other,
        })
        .collect();
    let chars: Vec<char> = mapped.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = out.last().copied();
        let next = chars.get(i + 1).copied();
        // A u (or o after t/d) between two consonants is the vowel Japanese inserts.
        let between = prev.is_some_and(|p| !is_vowel(p)) && next.is_some_and(|n| !is_vowel(n));
        if between && (c == 'u' || (c == 'o' && matches!(prev, Some('t' | 'd')))) {
            continue;
        }
        if prev == Some(c) {
            continue;
        }
        out.push(c);
    }
    while out.len() > 3 && out.last().is_some_and(|&c| is_vowel(c)) {
        out.pop();
    }
    out.into_iter().collect()
}

/// Phonetic key of an English (INN) name: `Famotidine` → `famotidin`.
pub(crate) fn english_key(name: &str) -> String {
    let s: String = name.to_lowercase().chars().filter(char::is_ascii_alphabetic).collect();
    let mut t = s
        .replace("ph", "f")
        .replace("th", "t")
        .replace("ch", "k")
        .replace("ck", "k")
        .replace("qu", "kw")
        .replace('x', "ks");
    // c before e, i, y sounds s; otherwise k.
    let chars: Vec<char> = t.chars().collect();
    t = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if c == 'c' {
                if matches!(chars.get(i + 1), Some('e' | 'i' | 'y')) {
                    's'
                } else {
                    'k'
                }
            } else {
                c
            }
        })
        .collect();
    finish_key(&t)
}

/// Phonetic key of a katakana name: `ファモチジン` → `famotidin`; `None` if it is not all kana.
pub(crate) fn kana_key(kana: &str) -> Option<String> {
    // Loanword digraphs that wana_kana spells by the large kana (ファ → "fua", ティ → "tei").
    const DIGRAPHS: [(&str, &str); 16] = [
        ("ファ", "fa"),
        ("フィ", "fi"),
        ("フェ", "fe"),
        ("フォ", "fo"),
        ("ティ", "ti"),
        ("ディ", "di"),
        ("デュ", "du"),
        ("テュ", "tu"),
        ("ヴァ", "ba"),
        ("ヴィ", "bi"),
        ("ヴェ", "be"),
        ("ヴォ", "bo"),
        ("ヴ", "bu"),
        ("ウィ", "wi"),
        ("ウェ", "we"),
        ("ウォ", "wo"),
    ];
    let mut k = kana.to_owned();
    for (from, to) in DIGRAPHS {
        k = k.replace(from, to);
    }
    let romaji = k.to_romaji().to_lowercase();
    if !romaji.chars().all(|c| c.is_ascii_alphabetic() || c == '-' || c == '\'') {
        return None;
    }
    let s: String = romaji.chars().filter(char::is_ascii_alphabetic).collect();
    let s = s
        .replace("chi", "ti")
        .replace("tsu", "tu")
        .replace("shi", "si")
        .replace("ji", "di")
        .replace("ou", "o")
        .replace("uu", "u");
    Some(finish_key(&s))
}

/// An RxNorm ingredient.
pub(crate) struct Ingredient {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) key: String,
}

/// RxNorm IN concepts with their keys.
pub(crate) fn ingredients<'a>(concepts: impl IntoIterator<Item = &'a Concept>) -> Vec<Ingredient> {
    concepts
        .into_iter()
        .filter(|c| c.property("tty").is_some_and(|t| t.split(' ').any(|t| t == "IN")))
        .map(|c| Ingredient { code: c.code.clone(), name: c.display.clone(), key: english_key(&c.display) })
        .collect()
}

/// Derives candidate rows for every YJ code (source concepts of `jp-yj`).
pub(crate) fn derive(
    sources: &[Concept],
    targets: &[Ingredient],
    moieties: &[String],
    now: &str,
) -> BTreeMap<String, Vec<Mapping>> {
    let mut cache: HashMap<String, Vec<(f64, usize)>> = HashMap::new();
    let mut out = BTreeMap::new();
    for c in sources {
        let from = format!("jp-yj|{}", c.code);
        let ingredient_field = c.property("ingredient").unwrap_or(&c.display).to_owned();
        let parts: Vec<String> =
            ingredient_field.split('・').map(|p| strip_moieties(p, moieties)).filter(|p| !p.is_empty()).collect();
        let combination = parts.len() > 1;
        let mut rows: Vec<Mapping> = Vec::new();
        for part in &parts {
            let best = cache.entry(part.clone()).or_insert_with(|| {
                let Some(key) = kana_key(part) else { return Vec::new() };
                let len = key.chars().count() as f64;
                let mut scored: Vec<(f64, usize)> = targets
                    .iter()
                    .enumerate()
                    // A similarity of MIN_SIMILARITY needs lengths within that ratio: skip the rest cheaply.
                    .filter(|(_, t)| {
                        let l = t.key.chars().count() as f64;
                        (len - l).abs() <= (1.0 - MIN_SIMILARITY) * len.max(l)
                    })
                    .map(|(i, t)| (strsim::normalized_damerau_levenshtein(&key, &t.key), i))
                    .filter(|(s, _)| *s >= MIN_SIMILARITY)
                    .collect();
                scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| targets[a.1].code.cmp(&targets[b.1].code)));
                scored.truncate(if combination { 1 } else { 5 });
                scored
            });
            for &(score, i) in best.iter() {
                let t = &targets[i];
                if rows.iter().any(|r| r.target_code.as_deref() == Some(t.code.as_str())) {
                    continue;
                }
                let relationship =
                    if combination { Relationship::RelatedTo } else { Relationship::SourceIsNarrowerThanTarget };
                let hop = Hop {
                    from: from.clone(),
                    to: format!("rxnorm|{}", t.code),
                    relationship,
                    source: format!(
                        "成分名 {:?} → {:?} → key {:?} ~ {:?} key {:?} ({score:.2})",
                        ingredient_field,
                        part,
                        kana_key(part).unwrap_or_default(),
                        t.name,
                        t.key
                    ),
                };
                rows.push(Mapping {
                    source_code: c.code.clone(),
                    target_code: Some(t.code.clone()),
                    target_display: Some(t.name.clone()),
                    no_map_reason: None,
                    relationship: Some(relationship),
                    method: Method::LexicalSuggestion,
                    evidence_text: format!("{from} → rxnorm|{} ({})", t.code, hop.source),
                    evidence: vec![hop],
                    score: score as f32,
                    author: AUTHOR.into(),
                    review_state: ReviewState::Candidate,
                    reviewer: None,
                    comment: None,
                    created_at: now.into(),
                });
            }
        }
        if rows.is_empty() {
            rows.push(Mapping {
                source_code: c.code.clone(),
                target_code: None,
                target_display: None,
                no_map_reason: Some(NoMapReason::NoCandidateAboveThreshold),
                relationship: None,
                method: Method::LexicalSuggestion,
                evidence: Vec::new(),
                evidence_text: format!("{from}: no RxNorm ingredient key within {MIN_SIMILARITY} of {parts:?}"),
                score: 0.0,
                author: AUTHOR.into(),
                review_state: ReviewState::Candidate,
                reviewer: None,
                comment: None,
                created_at: now.into(),
            });
        } else {
            rows.sort_by(|a, b| b.score.total_cmp(&a.score));
        }
        out.insert(c.code.clone(), rows);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn katakana_and_english_names_meet_in_one_key() {
        for (kana, english) in
            [("ファモチジン", "famotidine"), ("アムロジピン", "amlodipine"), ("アトルバスタチン", "atorvastatin")]
        {
            assert_eq!(kana_key(kana).unwrap(), english_key(english), "{kana} ~ {english}");
        }
        assert_eq!(kana_key("塩酸"), None);
    }

    #[test]
    fn moieties_are_stripped_longest_first() {
        let m = moieties(MOIETIES);
        assert_eq!(strip_moieties("アトルバスタチンカルシウム水和物", &m), "アトルバスタチン");
        assert_eq!(strip_moieties("アムロジピンベシル酸塩", &m), "アムロジピン");
        assert_eq!(strip_moieties("カンデサルタン　シレキセチル", &m), "カンデサルタン");
        assert_eq!(strip_moieties("ナトリウム", &m), "ナトリウム", "a name that is only a moiety stays");
    }
}
