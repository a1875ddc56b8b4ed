//! Re-ranking of candidates: how alike a designation is to the query, by string similarity of
//! the normalised text and of the romaji readings, with bonuses for exact, prefix and contained
//! matches. Edit distance and Jaro–Winkler come from rapidfuzz's bit-parallel comparators, set
//! up once per query; long queries use Sørensen–Dice of character bigrams (strsim's measure,
//! counted by characters rather than bytes, without a hash map per candidate). A measure that
//! cannot raise a candidate's similarity is skipped (upper bounds from the lengths first, then
//! rapidfuzz's score cut-offs), which changes no score.

use rapidfuzz::distance::{jaro_winkler, levenshtein};

/// One form of the query (normalised text or romaji) with its comparators.
struct Form<'a> {
    text: &'a str,
    chars: usize,
    lev: levenshtein::BatchComparator<char>,
    jw: jaro_winkler::BatchComparator<char>,
    /// Character bigrams: for long queries (empty otherwise).
    bigrams: Bigrams<'a>,
}

/// A text's character bigrams (spaces removed) with their counts, sorted, to compare other
/// texts with by Sørensen–Dice.
pub(super) struct Bigrams<'a> {
    text: &'a str,
    counted: Vec<((char, char), u16)>,
    /// How many bigrams the text has.
    count: usize,
}

/// The character bigrams of a text, spaces removed (as strsim's Sørensen–Dice takes them).
fn bigrams(text: &str) -> impl Iterator<Item = (char, char)> + '_ {
    let mut chars = text.chars().filter(|c| !c.is_whitespace());
    let mut prev = chars.next();
    chars.map(move |c| {
        let pair = (prev.expect("a previous character"), c);
        prev = Some(c);
        pair
    })
}

impl<'a> Bigrams<'a> {
    /// The bigrams of `text`.
    pub(super) fn new(text: &'a str) -> Self {
        let mut pairs: Vec<(char, char)> = bigrams(text).collect();
        let count = pairs.len();
        pairs.sort_unstable();
        let mut counted: Vec<((char, char), u16)> = Vec::new();
        for p in pairs {
            match counted.last_mut() {
                Some((last, n)) if *last == p => *n += 1,
                _ => counted.push((p, 1)),
            }
        }
        Bigrams { text, counted, count }
    }

    /// None, for a form that is never compared by bigrams.
    fn none(text: &'a str) -> Self {
        Bigrams { text, counted: Vec::new(), count: 0 }
    }

    /// Sørensen–Dice of character bigrams (spaces removed): twice the shared bigrams (counted
    /// with multiplicity) over the bigrams of both texts; 1 when equal without spaces.
    pub(super) fn dice(&self, b: &str) -> f64 {
        // How many of each bigram are matched already (on the stack for short texts).
        let (mut small, mut large) = ([0u16; 48], Vec::new());
        let used: &mut [u16] = if self.counted.len() <= small.len() {
            &mut small[..self.counted.len()]
        } else {
            large.resize(self.counted.len(), 0);
            &mut large
        };
        let (mut shared, mut total) = (0usize, 0usize);
        for pair in bigrams(b) {
            total += 1;
            if let Ok(i) = self.counted.binary_search_by(|(p, _)| p.cmp(&pair)) {
                if used[i] < self.counted[i].1 {
                    used[i] += 1;
                    shared += 1;
                }
            }
        }
        if total == 0 || self.count == 0 {
            // A text of one character (spaces aside) has no bigrams: alike only when equal.
            let bare = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            return if bare(self.text) == bare(b) { 1.0 } else { 0.0 };
        }
        (2 * shared) as f64 / (total + self.count) as f64
    }
}

impl<'a> Form<'a> {
    fn new(text: &'a str, long: bool) -> Self {
        Form {
            text,
            chars: text.chars().count(),
            lev: levenshtein::BatchComparator::new(text.chars()),
            jw: jaro_winkler::BatchComparator::new(text.chars()),
            bigrams: if long { Bigrams::new(text) } else { Bigrams::none(text) },
        }
    }

    fn dice(&self, b: &str) -> f64 {
        self.bigrams.dice(b)
    }
}

/// A query's forms, as the re-ranker compares them.
pub(super) struct QueryForms<'a> {
    norm: Form<'a>,
    romaji: Form<'a>,
    /// Longer queries are compared by character bigrams (Sørensen–Dice) instead of edit distance.
    long: bool,
}

/// Queries longer than this (in characters) are compared by bigrams, in linear time.
const LONG_QUERY: usize = 24;

impl<'a> QueryForms<'a> {
    pub(super) fn new(norm: &'a str, romaji: &'a str) -> Self {
        let long = norm.chars().count() > LONG_QUERY;
        QueryForms { norm: Form::new(norm, long), romaji: Form::new(romaji, long), long }
    }

    /// Characters of the normalised query.
    pub(super) fn norm_chars(&self) -> usize {
        self.norm.chars
    }

    /// How alike a designation (normalised text and romaji reading, with their lengths in
    /// characters) is to the query: 1.5 when either form is equal, at least 0.9 when the text
    /// starts with the query (more for shorter texts), at least 0.8 when it contains it, else the
    /// best of edit distance and Jaro–Winkler (× 0.9) over either form, 0–1.
    pub(super) fn similarity(&self, norm: &str, norm_chars: usize, romaji: &str, romaji_chars: usize) -> f64 {
        if norm == self.norm.text || (!self.romaji.text.is_empty() && romaji == self.romaji.text) {
            return 1.5;
        }
        let mut sim = if norm.starts_with(self.norm.text) {
            0.9 + 0.1 * self.norm.chars as f64 / norm_chars.max(1) as f64
        } else if norm.contains(self.norm.text) {
            0.8
        } else {
            0.0
        };
        sim = similar_above(&self.norm, norm, norm_chars, self.long, sim);
        if !self.romaji.text.is_empty() && !romaji.is_empty() {
            sim = similar_above(&self.romaji, romaji, romaji_chars, self.long, sim);
        }
        sim
    }
}

/// The larger of `floor` and the similarity of the query form `q` and `b` (`lb` characters):
/// Sørensen–Dice of bigrams when `long`, else normalised Levenshtein or Jaro–Winkler × 0.9,
/// whichever is higher. A measure is computed only when its upper bound exceeds what is known.
fn similar_above(q: &Form<'_>, b: &str, lb: usize, long: bool, floor: f64) -> f64 {
    if long {
        return floor.max(q.dice(b));
    }
    let la = q.chars;
    let (short, longest) = (la.min(lb) as f64, la.max(lb).max(1) as f64);
    let mut sim = floor;
    // The edit distance is at least the difference of the lengths.
    if 1.0 - (longest - short) / longest > sim {
        let args = levenshtein::Args::default().score_cutoff(sim);
        sim = sim.max(q.lev.normalized_similarity_with_args(b.chars(), &args).unwrap_or(0.0));
    }
    // Jaro counts at most `short` matches: at most (short/la + short/lb + 1) / 3; Winkler's
    // prefix bonus adds at most 0.4 of the rest.
    if short > 0.0 {
        let jaro = (short / la as f64 + short / lb as f64 + 1.0) / 3.0;
        if (jaro + 0.4 * (1.0 - jaro)) * 0.9 > sim {
            let args = jaro_winkler::Args::default().score_cutoff(sim / 0.9);
            sim = sim.max(q.jw.normalized_similarity_with_args(b.chars(), &args).unwrap_or(0.0) * 0.9);
        }
    }
    sim
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full measure, every part computed, as the skipping version must equal.
    fn reference(q: &QueryForms<'_>, norm: &str, romaji: &str) -> f64 {
        let full = |a: &str, b: &str| {
            if q.long {
                strsim::sorensen_dice(a, b)
            } else {
                levenshtein::normalized_similarity(a.chars(), b.chars())
                    .max(jaro_winkler::similarity(a.chars(), b.chars()) * 0.9)
            }
        };
        let (qn, qr) = (q.norm.text, q.romaji.text);
        let mut sim = full(qn, norm);
        if !qr.is_empty() && !romaji.is_empty() {
            sim = sim.max(full(qr, romaji));
        }
        if norm == qn || (!qr.is_empty() && romaji == qr) {
            1.5
        } else if norm.starts_with(qn) {
            sim.max(0.9 + 0.1 * q.norm.chars as f64 / norm.chars().count().max(1) as f64)
        } else if norm.contains(qn) {
            sim.max(0.8)
        } else {
            sim
        }
    }

    #[test]
    fn bigram_dice_is_strsims_on_latin_text() {
        // strsim counts a text's bigrams by its length in bytes, which is right for Latin text.
        let q = Form::new("hemoglobin a1c in blood by hplc", true);
        for b in [
            "hemoglobin a1c/hemoglobin.total in blood by hplc",
            "hemoglobin a1c",
            "hplc",
            "h",
            "",
            "hemoglobina1cinbloodbyhplc",
        ] {
            let want = strsim::sorensen_dice(q.text, b);
            assert!((q.dice(b) - want).abs() < 1e-12, "{b}: {} where strsim gives {want}", q.dice(b));
        }
        // Japanese text by characters: 糖尿病性腎症 and 糖尿病 share 糖尿 and 尿病 (2 × 2 / (5 + 2)).
        let q = Form::new("糖尿病性腎症", true);
        assert!((q.dice("糖尿病") - 4.0 / 7.0).abs() < 1e-12);
        // Texts without bigrams are alike only when equal.
        let q = Form::new("a", true);
        assert_eq!((q.dice("a"), q.dice("b"), q.dice("")), (1.0, 0.0, 0.0));
    }

    #[test]
    fn skipping_bounded_measures_changes_no_similarity() {
        // Normalised names and romaji readings of real designations (receipt disease master,
        // LOINC, RxNorm) against real queries of every kind.
        let names = [
            ("とうにょうびょう", "tounyoubyou"),
            ("2型とうにょうびょう", ""),
            ("糖尿病", ""),
            ("糖尿病性腎症", ""),
            ("hemoglobin a1c/hemoglobin.total in blood", ""),
            ("metformin", ""),
            ("metformin hydrochloride 500 mg oral tablet", ""),
            ("ひふえん", "hihuen"),
            ("皮膚炎", ""),
            ("", ""),
        ];
        let queries = [
            ("とうにょうびょう", "tounyoubyou"),
            ("とうにようびよう", "tounyoubyou"),
            ("tounyoubyou", "tounyoubyou"),
            ("糖尿", ""),
            ("糖尿病", ""),
            ("metformn", ""),
            ("hemoglobin a1c in blood by hplc and more words", ""),
            ("ひふ炎", ""),
        ];
        for (qn, qr) in queries {
            let q = QueryForms::new(qn, qr);
            for (n, r) in names {
                let got = q.similarity(n, n.chars().count(), r, r.chars().count());
                let want = reference(&q, n, r);
                assert!((got - want).abs() < 1e-12, "{qn} vs {n}: {got} where the full measure gives {want}");
            }
        }
    }
}
