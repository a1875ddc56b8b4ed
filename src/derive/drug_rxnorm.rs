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
//! combination product is only related-to.
//!
//! Clinical drug (SCD) level, where strength and dose form allow: for a single-ingredient tablet or
//! capsule whose 規格 states the amount per unit (`２０ｍｇ１錠`, after NFKC `20mg1錠`), the SCD named
//! `<ingredient or its salt> 20 MG <form>` is proposed first (form from 規格 and 品名: 錠 → Oral
//! Tablet, ＯＤ錠 → Disintegrating Oral Tablet, 徐放錠 → Extended Release Oral Tablet, 腸溶錠 →
//! Delayed Release Oral Tablet, カプセル → Oral Capsule, …); the product is narrower than the SCD
//! (it names a maker). Every row is a candidate for review.

use std::collections::{BTreeMap, HashMap};

use unicode_normalization::UnicodeNormalization;
use wana_kana::ConvertJapanese;

use std::path::PathBuf;

use super::{data_file, input, Derived, Generator, Source};
use crate::error::Result;
use crate::model::{slug, Concept, Hop, Made, Mapping, Method, NoMapReason, Relationship};

/// The table's name.
pub(crate) const TABLE: &str = "jp-yj--rxnorm";
/// The moiety list shipped with henkan.
pub(crate) const MOIETIES: &str = include_str!("../../mappings/jp-yj--rxnorm/moieties.tsv");
const AUTHOR: &str = "henkan derive drug-rxnorm";
const MIN_SIMILARITY: f64 = 0.75;

/// A moiety: its Japanese spelling and English name.
pub(crate) struct Moiety {
    ja: String,
    en: String,
}

/// Moieties, longest first.
pub(crate) fn moieties(text: &str) -> Vec<Moiety> {
    let mut m: Vec<Moiety> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some(Moiety { ja: f.next()?.to_owned(), en: f.next().unwrap_or_default().to_owned() })
        })
        .collect();
    m.sort_by_key(|s| std::cmp::Reverse(s.ja.chars().count()));
    m
}

/// `アトルバスタチンカルシウム水和物` → (`アトルバスタチン`, [`hydrate`, `calcium`]).
pub(crate) fn strip_moieties(name: &str, moieties: &[Moiety]) -> (String, Vec<String>) {
    let mut s: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    let mut removed = Vec::new();
    loop {
        let Some(m) = moieties.iter().find(|m| s.ends_with(m.ja.as_str()) && s.len() > m.ja.len()) else {
            return (s, removed);
        };
        s.truncate(s.len() - m.ja.len());
        removed.push(m.en.clone());
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

/// An RxNorm clinical drug (SCD) with its lower-case name.
pub(crate) struct ClinicalDrug {
    pub(crate) code: String,
    pub(crate) name: String,
    lower: String,
}

/// Single-ingredient RxNorm SCD concepts, indexed by the first word of their name.
pub(crate) fn clinical_drugs<'a>(
    concepts: impl IntoIterator<Item = &'a Concept>,
) -> HashMap<String, Vec<ClinicalDrug>> {
    let mut by_word: HashMap<String, Vec<ClinicalDrug>> = HashMap::new();
    for c in concepts {
        if !c.property("tty").is_some_and(|t| t.split(' ').any(|t| t == "SCD")) || c.display.contains(" / ") {
            continue;
        }
        let lower = c.display.to_lowercase();
        let first = lower.split(' ').next().unwrap_or_default().to_owned();
        by_word.entry(first).or_default().push(ClinicalDrug { code: c.code.clone(), name: c.display.clone(), lower });
    }
    by_word
}

/// `２．５ｍｇ１錠` with product name `…ＯＤ錠…` → (`2.5 mg`, `disintegrating oral tablet`).
pub(crate) fn strength_and_form(strength: &str, product: &str) -> Option<(String, &'static str)> {
    let s: String = strength.nfkc().collect::<String>().to_lowercase().replace(' ', "");
    let p: String = product.nfkc().collect();
    let (amount, per) = s
        .split_once("1錠")
        .map(|(a, _)| (a, "錠"))
        .or_else(|| s.split_once("1カプセル").map(|(a, _)| (a, "カプセル")))?;
    let (number, unit) = if let Some(n) = amount.strip_suffix("mg") {
        (n.to_owned(), "mg")
    } else if let Some(n) = amount.strip_suffix("μg").or_else(|| amount.strip_suffix("µg")) {
        (n.to_owned(), "mcg")
    } else if let Some(n) = amount.strip_suffix('g') {
        let v: f64 = n.parse().ok()?;
        (format!("{}", v * 1000.0), "mg")
    } else {
        return None;
    };
    if number.parse::<f64>().is_err() {
        return None;
    }
    let form = match per {
        "錠" if p.contains("OD錠") || p.contains("口腔内崩壊") => "disintegrating oral tablet",
        "錠" if p.contains("徐放") => "extended release oral tablet",
        "錠" if p.contains("腸溶") => "delayed release oral tablet",
        "錠" if p.contains("チュアブル") => "chewable tablet",
        "錠" => "oral tablet",
        _ if p.contains("徐放") => "extended release oral capsule",
        _ if p.contains("腸溶") => "delayed release oral capsule",
        _ => "oral capsule",
    };
    Some((format!("{number} {unit}"), form))
}

/// The SCD of an ingredient at a strength and form: `famotidine 20 MG Oral Tablet`, or with the
/// salt the SCD is named by (`metformin hydrochloride 500 MG Oral Tablet`).
fn find_scd<'a>(
    drugs: &'a HashMap<String, Vec<ClinicalDrug>>,
    ingredient: &str,
    strength: &str,
    form: &str,
) -> Option<&'a ClinicalDrug> {
    let ing = ingredient.to_lowercase();
    let first = ing.split(' ').next()?;
    let middle = format!(" {strength} ");
    let end = format!(" {form}");
    drugs.get(first)?.iter().find(|d| {
        d.lower.starts_with(&ing)
            && d.lower.ends_with(&end)
            && d.lower
                .find(&middle)
                .is_some_and(|at| at >= ing.len() && !d.lower[ing.len()..at].contains(char::is_numeric))
    })
}

/// RxNorm IN concepts with their keys.
pub(crate) fn ingredients<'a>(concepts: impl IntoIterator<Item = &'a Concept>) -> Vec<Ingredient> {
    concepts
        .into_iter()
        .filter(|c| c.property("tty").is_some_and(|t| t.split(' ').any(|t| t == "IN")))
        .map(|c| Ingredient { code: c.code.clone(), name: c.display.clone(), key: english_key(&c.display) })
        .collect()
}

/// Letter counts of a phonetic key (a–z, and one bin for anything else).
struct Letters([u16; 27]);

impl Letters {
    fn of(key: &str) -> Self {
        let mut counts = [0u16; 27];
        for ch in key.chars() {
            let bin = if ch.is_ascii_lowercase() { (ch as u8 - b'a') as usize } else { 26 };
            counts[bin] = counts[bin].saturating_add(1);
        }
        Self(counts)
    }

    /// A lower bound of the (Damerau-)Levenshtein distance between the two keys.
    fn lower_bound(&self, other: &Self) -> u32 {
        let (mut extra, mut missing) = (0u32, 0u32);
        for (a, b) in self.0.iter().zip(&other.0) {
            if a > b {
                extra += u32::from(a - b);
            } else {
                missing += u32::from(b - a);
            }
        }
        extra.max(missing)
    }
}

/// The five RxNorm ingredients whose phonetic keys are closest to an ingredient part's (at least
/// [`MIN_SIMILARITY`]), best first.
fn best_ingredients(part: &str, targets: &[Ingredient], letters: &[Letters]) -> Vec<(f64, usize)> {
    let Some(key) = kana_key(part) else { return Vec::new() };
    let len = key.chars().count() as f64;
    let own = Letters::of(&key);
    let mut scored: Vec<(f64, usize)> = targets
        .iter()
        .enumerate()
        // A similarity of MIN_SIMILARITY allows at most (1 - MIN_SIMILARITY) × the longer length
        // edits, and every edit changes the letter counts by at most one on each side: skip the
        // keys that differ more cheaply, before the edit distance.
        .filter(|(i, t)| {
            let l = t.key.chars().count() as f64;
            let allowed = (1.0 - MIN_SIMILARITY) * len.max(l);
            (len - l).abs() <= allowed && own.lower_bound(&letters[*i]) as f64 <= allowed
        })
        .map(|(i, t)| (strsim::normalized_damerau_levenshtein(&key, &t.key), i))
        .filter(|(s, _)| *s >= MIN_SIMILARITY)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| targets[a.1].code.cmp(&targets[b.1].code)));
    scored.truncate(5);
    scored
}

/// Derives the table; `files` optionally holds a moiety TSV replacing the shipped one.
pub(crate) fn run(source: &dyn Source, files: &[PathBuf], now: &str) -> Result<Derived> {
    let g = Generator::DrugRxnorm;
    let (moiety_text, inputs) = data_file(g, files, MOIETIES, "moieties-tsv")?;
    let (from, to) = (input(source, g.as_str(), slug::JP_YJ)?, input(source, g.as_str(), slug::RXNORM)?);
    let concepts = source.concepts(from.id)?;
    let rx = source.concepts(to.id)?;
    let rows = derive(&concepts, &ingredients(&rx), &clinical_drugs(&rx), &moieties(&moiety_text), now);
    let generator = format!("{g} (成分名 phonetic key ~ RxNorm IN, then SCD by 規格 and form; every row a candidate)");
    Ok(Derived::new(TABLE, (&from, &to), generator, inputs, now, rows))
}

/// What a generator run shares across YJ codes.
struct Context<'a> {
    targets: &'a [Ingredient],
    drugs: &'a HashMap<String, Vec<ClinicalDrug>>,
    moieties: &'a [Moiety],
    /// The best RxNorm ingredients of each distinct ingredient part.
    best: HashMap<String, Vec<(f64, usize)>>,
    made: Made<'a>,
}

/// A YJ code's 成分名 and its ingredient parts, each stripped of its moieties.
fn split<'c>(c: &'c Concept, moieties: &[Moiety]) -> (&'c str, Vec<(String, Vec<String>)>) {
    let field = c.property("ingredient").unwrap_or(&c.display);
    (field, field.split('・').map(|p| strip_moieties(p, moieties)).filter(|p| !p.0.is_empty()).collect())
}

/// Derives candidate rows for every YJ code (source concepts of `jp-yj`).
pub(crate) fn derive(
    sources: &[Concept],
    targets: &[Ingredient],
    drugs: &HashMap<String, Vec<ClinicalDrug>>,
    moieties: &[Moiety],
    now: &str,
) -> BTreeMap<String, Vec<Mapping>> {
    // The best RxNorm ingredients of every distinct ingredient part, compared on all cores.
    let mut distinct: Vec<String> =
        sources.iter().flat_map(|c| split(c, moieties).1.into_iter().map(|p| p.0)).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let letters: Vec<Letters> = targets.iter().map(|t| Letters::of(&t.key)).collect();
    let best = {
        use rayon::prelude::*;
        distinct
            .into_par_iter()
            .map(|part| {
                let best = best_ingredients(&part, targets, &letters);
                (part, best)
            })
            .collect()
    };
    let made = Made { method: Method::LexicalSuggestion, author: AUTHOR, at: now };
    let cx = Context { targets, drugs, moieties, best, made };
    sources.iter().map(|c| (c.code.clone(), rows_for(c, &cx))).collect()
}

/// The rows of one YJ code: its clinical drug first where one is found, then its ingredients,
/// else its no-map row.
fn rows_for(c: &Concept, cx: &Context<'_>) -> Vec<Mapping> {
    let from = format!("{}|{}", slug::JP_YJ, c.code);
    let (field, stripped) = split(c, cx.moieties);
    let parts: Vec<&str> = stripped.iter().map(|p| p.0.as_str()).collect();
    let salts: Vec<&str> = stripped.iter().flat_map(|p| p.1.iter().map(String::as_str)).collect();
    let mut rows = ingredient_rows(c, &from, field, &parts, cx);
    if parts.len() == 1 {
        if let Some(scd) = clinical_drug_row(c, &from, &rows, &salts, cx) {
            // The clinical drug is the finer answer: it takes the best ingredient's score, and the
            // ingredient rows of this product step back by 1 %.
            for r in &mut rows {
                r.score *= 0.99;
            }
            rows.insert(0, scd);
        }
    }
    if rows.is_empty() {
        let why = format!("no RxNorm ingredient key within {MIN_SIMILARITY} of {parts:?}");
        rows.push(Mapping::no_map(&c.code, &from, NoMapReason::NoCandidateAboveThreshold, vec![], &why, cx.made));
    }
    rows
}

/// Ingredient rows: the five best keys of a single-ingredient product (narrower than the
/// ingredient), the best one of each part of a combination (only related-to), best first.
fn ingredient_rows(c: &Concept, from: &str, field: &str, parts: &[&str], cx: &Context<'_>) -> Vec<Mapping> {
    let combination = parts.len() > 1;
    let relationship = if combination { Relationship::RelatedTo } else { Relationship::SourceIsNarrowerThanTarget };
    let mut rows: Vec<Mapping> = Vec::new();
    for part in parts {
        let best = &cx.best[*part];
        for &(score, i) in &best[..best.len().min(if combination { 1 } else { 5 })] {
            let t = &cx.targets[i];
            if rows.iter().any(|r| r.target_code.as_deref() == Some(t.code.as_str())) {
                continue;
            }
            let hop = Hop {
                from: from.to_owned(),
                to: format!("{}|{}", slug::RXNORM, t.code),
                relationship,
                source: format!(
                    "成分名 {field:?} → {part:?} → key {:?} ~ {:?} key {:?} ({score:.2})",
                    kana_key(part).unwrap_or_default(),
                    t.name,
                    t.key
                ),
            };
            rows.push(Mapping::through(&c.code, vec![hop], Some(t.name.clone()), cx.made).scored(score as f32));
        }
    }
    rows.sort_by(|a, b| b.score.total_cmp(&a.score));
    rows
}

/// The clinical drug (SCD) of a single-ingredient tablet or capsule with a stated strength, from
/// its best ingredient row.
fn clinical_drug_row(
    c: &Concept,
    from: &str,
    ingredients: &[Mapping],
    salts: &[&str],
    cx: &Context<'_>,
) -> Option<Mapping> {
    let best = ingredients.first()?;
    let ing = best.target_display.as_deref()?;
    let stated = c.property("strength").unwrap_or_default();
    let (strength, form) = strength_and_form(stated, &c.display)?;
    let d = find_scd(cx.drugs, ing, &strength, form)?;
    // The SCD may name a salt (`warfarin sodium 1 MG …`): if it is not the salt of the Japanese
    // ingredient (ワルファリンカリウム: potassium), the products only relate.
    let salt = d.lower[ing.len()..].split(&format!(" {strength} ")).next().unwrap_or_default().trim().to_owned();
    let same_salt = salt.is_empty() || salt.split(' ').all(|w| salts.contains(&w));
    let relationship = if same_salt { Relationship::SourceIsNarrowerThanTarget } else { Relationship::RelatedTo };
    let note = if same_salt { String::new() } else { format!("; salt differs: {salt} vs {salts:?}") };
    let hop = Hop {
        from: from.to_owned(),
        to: format!("{}|{}", slug::RXNORM, d.code),
        relationship,
        source: format!("ingredient {ing:?} + 規格 {stated:?} → {strength} {form} ~ SCD {:?}{note}", d.name),
    };
    Some(Mapping::through(&c.code, vec![hop], Some(d.name.clone()), cx.made).scored(best.score))
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
    fn strength_and_form_from_the_published_spec() {
        assert_eq!(strength_and_form("２０ｍｇ１錠", "ガスター錠２０ｍｇ"), Some(("20 mg".into(), "oral tablet")));
        assert_eq!(
            strength_and_form("２．５ｍｇ１錠", "アムロジピンＯＤ錠２．５ｍｇ「トーワ」"),
            Some(("2.5 mg".into(), "disintegrating oral tablet"))
        );
        assert_eq!(strength_and_form("０．５ｇ１錠", "x錠"), Some(("500 mg".into(), "oral tablet")));
        assert_eq!(
            strength_and_form("１５ｍｇ１カプセル", "タケプロンカプセル１５"),
            Some(("15 mg".into(), "oral capsule"))
        );
        assert_eq!(strength_and_form("１％１ｇ", "x散"), None);
    }

    #[test]
    fn moieties_are_stripped_longest_first() {
        let m = moieties(MOIETIES);
        let base = |s: &str| strip_moieties(s, &m).0;
        assert_eq!(
            strip_moieties("アトルバスタチンカルシウム水和物", &m),
            ("アトルバスタチン".into(), vec!["hydrate".into(), "calcium".into()])
        );
        assert_eq!(base("アムロジピンベシル酸塩"), "アムロジピン");
        assert_eq!(base("カンデサルタン　シレキセチル"), "カンデサルタン");
        assert_eq!(base("ナトリウム"), "ナトリウム", "a name that is only a moiety stays");
    }
}
