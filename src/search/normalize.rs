//! Text normalisation shared by indexing and querying, and romaji forms of kana readings.
//!
//! `normalize`: NFKC (full/half width, half-width katakana), lower case, variant kanji folded
//! (`variants.tsv`), katakana → hiragana, small kana → large, long-vowel mark, spacing and
//! punctuation dropped. `romaji_key`: a canonical romaji spelling in which wapuro and Hepburn
//! forms meet (`tounyoubyou`, `tonyobyo`, `tōnyōbyō` → `tonyobyo`).

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;
use wana_kana::ConvertJapanese;

const VARIANTS: &str = include_str!("variants.tsv");

fn variants() -> &'static HashMap<char, String> {
    static TABLE: OnceLock<HashMap<char, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        VARIANTS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                let from = f.next()?.chars().next()?;
                Some((from, f.next()?.to_owned()))
            })
            .collect()
    })
}

fn small_to_large(c: char) -> char {
    match c {
        'ぁ' => 'あ',
        'ぃ' => 'い',
        'ぅ' => 'う',
        'ぇ' => 'え',
        'ぉ' => 'お',
        'っ' => 'つ',
        'ゃ' => 'や',
        'ゅ' => 'ゆ',
        'ょ' => 'よ',
        'ゎ' => 'わ',
        'ゕ' => 'か',
        'ゖ' => 'け',
        other => other,
    }
}

/// The searchable form of a text.
pub fn normalize(s: &str) -> String {
    let table = variants();
    let mut out = String::with_capacity(s.len());
    for c in s.nfkc() {
        let folded: String = match table.get(&c) {
            Some(v) => v.clone(),
            None => c.to_lowercase().collect(),
        };
        for c in folded.chars() {
            // Katakana → hiragana (same order in both blocks).
            let c =
                if ('\u{30A1}'..='\u{30F6}').contains(&c) { char::from_u32(c as u32 - 0x60).unwrap_or(c) } else { c };
            let c = small_to_large(c);
            if c == 'ー' || c == '〜' || !c.is_alphanumeric() {
                continue;
            }
            out.push(c);
        }
    }
    out
}

/// A text in NFKC (full-width letters and digits folded to ASCII), spaces kept: what English
/// words are split from.
pub fn width_folded(s: &str) -> String {
    s.nfkc().collect()
}

/// Whether a normalised text is only kana (hiragana after `normalize`).
pub fn is_kana(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| ('\u{3041}'..='\u{3096}').contains(&c))
}

/// The canonical romaji of a kana reading (katakana or hiragana), or of a romaji query.
/// The kana and non-kana runs of a normalised query, when it mixes kana with other characters
/// (`ひふ炎` → `[(true, "ひふ"), (false, "炎")]`): users often write part of a term in kana.
/// `None` for a query in one script.
pub fn mixed_runs(norm: &str) -> Option<Vec<(bool, String)>> {
    let mut runs: Vec<(bool, String)> = Vec::new();
    for c in norm.chars().filter(|c| !c.is_whitespace()) {
        let kana = is_kana(c.encode_utf8(&mut [0; 4]));
        match runs.last_mut() {
            Some((k, run)) if *k == kana => run.push(c),
            _ => runs.push((kana, c.to_string())),
        }
    }
    (runs.iter().any(|(k, _)| *k) && runs.iter().any(|(k, _)| !*k)).then_some(runs)
}

/// Whether Latin-letter input reads as romaji: it converts to kana with no letter left over
/// (`tounyoubyou`, `shouchoukan`; not `Kantrex`, `hemoglobin`).
pub fn looks_like_romaji(s: &str) -> bool {
    let lower = s.to_lowercase();
    if lower.is_empty() || !lower.chars().all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '-' || c == '\'') {
        return false;
    }
    let kana = lower.replace([' ', '-', '\''], "").to_hiragana();
    !kana.is_empty() && !kana.chars().any(|c| c.is_ascii_alphabetic())
}

/// The canonical romaji of a text (for kana readings and romaji queries).
pub fn romaji_key(s: &str) -> String {
    let ascii: String = if s.is_ascii() {
        s.to_lowercase()
    } else {
        let n: String = s.nfkc().collect();
        n.to_romaji().to_lowercase()
    };
    let letters: String = ascii.chars().filter(char::is_ascii_alphabetic).collect();
    let mut k = letters;
    for (from, to) in [
        ("tsu", "tu"),
        ("shi", "si"),
        ("chi", "ti"),
        ("sh", "sy"),
        ("ch", "ty"),
        ("fu", "hu"),
        ("ji", "zi"),
        ("j", "zy"),
        ("ou", "o"),
        ("oo", "o"),
        ("uu", "u"),
        ("aa", "a"),
        ("ii", "i"),
        ("ee", "e"),
        ("mb", "nb"),
        ("mp", "np"),
        ("mm", "nm"),
    ] {
        k = k.replace(from, to);
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_scripts_and_variants_meet() {
        // Real display names and the spellings users type for them.
        assert_eq!(normalize("１１β－水酸化酵素欠損症"), normalize("11β-水酸化酵素欠損症"));
        assert_eq!(normalize("ｾﾝﾃﾝｾｲ"), normalize("センテンセイ"));
        assert_eq!(normalize("センテンセイ"), "せんてんせい");
        assert_eq!(normalize("頸部リンパ節炎"), normalize("頚部リンパ節炎"));
        assert_eq!(normalize("ＣＯＶＩＤ－１９"), "covid19");
        assert_eq!(normalize("トウニョウビョウ"), "とうにようびよう");
        assert_eq!(normalize("孤発性 クロイツフェルト・ヤコブ病"), "孤発性くろいつふえるとやこぶ病");
    }

    #[test]
    fn wapuro_and_hepburn_romaji_meet() {
        let key = romaji_key("トウニョウビョウ");
        assert_eq!(romaji_key("tounyoubyou"), key);
        assert_eq!(romaji_key("tonyobyo"), key);
        assert_eq!(romaji_key("シンキンコウソク"), romaji_key("shinkinkousoku"));
        assert_eq!(romaji_key("ジンエン"), romaji_key("zinen"));
    }

    #[test]
    fn mixed_script_queries_split_into_runs() {
        let runs = |q: &str| mixed_runs(&normalize(q));
        assert_eq!(runs("ひふ炎"), Some(vec![(true, "ひふ".to_owned()), (false, "炎".to_owned())]));
        assert_eq!(runs("とうにょう病").map(|r| r.len()), Some(2));
        assert_eq!(runs("糖尿病"), None);
        assert_eq!(runs("とうにょうびょう"), None);
    }

    #[test]
    fn romaji_is_told_from_english() {
        assert!(looks_like_romaji("tounyoubyou"));
        assert!(looks_like_romaji("shouchoukannyoukeishuyou"));
        assert!(!looks_like_romaji("hemoglobin A1c"));
        assert!(!looks_like_romaji("Kantrex"));
        assert!(!looks_like_romaji("3D045"));
    }
}
