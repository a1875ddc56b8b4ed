//! The re-ranker's in-memory table of every indexed designation: one fixed-size record per
//! designation over two text arenas (the normalised text and romaji side by side, and the
//! designations as written), so that scoring a candidate reads one record and one run of bytes
//! rather than several separately allocated strings; a query's candidates are scattered over
//! the table, and on a server between requests every one of those reads is a cache miss.

use super::Field;

/// One designation's record.
#[derive(Clone, Copy)]
struct Record {
    concept: u32,
    /// Where its normalised text starts in `texts` (its romaji follows).
    text_at: usize,
    norm_len: u32,
    romaji_len: u32,
    term_at: usize,
    term_len: u32,
    norm_chars: u32,
    romaji_chars: u32,
    /// Field weight × system prior × the retired-concept factor (see `SearchIndex`).
    factor: f64,
    kind: u8,
}

/// One designation, as read from the table.
pub(super) struct Doc<'a> {
    pub(super) concept: u32,
    pub(super) kind: Field,
    /// The designation as written.
    pub(super) term: &'a str,
    /// Normalised text.
    pub(super) norm: &'a str,
    /// Romaji of a kana reading (empty otherwise).
    pub(super) romaji: &'a str,
    /// Lengths of `norm` and `romaji` in characters.
    pub(super) norm_chars: usize,
    pub(super) romaji_chars: usize,
    /// What the similarity is multiplied by.
    pub(super) factor: f64,
}

/// Every indexed designation, numbered as the index's `id` field numbers them.
#[derive(Default)]
pub(super) struct Designations {
    records: Vec<Record>,
    texts: String,
    terms: String,
}

impl Designations {
    /// Appends a designation.
    pub(super) fn push(&mut self, concept: u32, kind: Field, term: &str, norm: &str, romaji: &str, factor: f64) {
        let kind = kind.index();
        let text_at = self.texts.len();
        self.texts.push_str(norm);
        self.texts.push_str(romaji);
        let term_at = self.terms.len();
        self.terms.push_str(term);
        self.records.push(Record {
            concept,
            text_at,
            norm_len: norm.len() as u32,
            romaji_len: romaji.len() as u32,
            term_at,
            term_len: term.len() as u32,
            norm_chars: norm.chars().count() as u32,
            romaji_chars: romaji.chars().count() as u32,
            factor,
            kind,
        });
    }

    pub(super) fn len(&self) -> usize {
        self.records.len()
    }

    /// The designation numbered `id`.
    pub(super) fn get(&self, id: u32) -> Doc<'_> {
        let r = &self.records[id as usize];
        let (at, n, m) = (r.text_at, r.norm_len as usize, r.romaji_len as usize);
        Doc {
            concept: r.concept,
            kind: Field::from_index(r.kind),
            term: &self.terms[r.term_at..r.term_at + r.term_len as usize],
            norm: &self.texts[at..at + n],
            romaji: &self.texts[at + n..at + n + m],
            norm_chars: r.norm_chars as usize,
            romaji_chars: r.romaji_chars as usize,
            factor: r.factor,
        }
    }

    /// The concept a designation belongs to.
    pub(super) fn concept(&self, id: u32) -> u32 {
        self.records[id as usize].concept
    }

    /// Normalised text of a designation.
    pub(super) fn norm(&self, id: u32) -> &str {
        let r = &self.records[id as usize];
        &self.texts[r.text_at..r.text_at + r.norm_len as usize]
    }

    /// Romaji of a designation's kana reading (empty otherwise).
    pub(super) fn romaji(&self, id: u32) -> &str {
        let r = &self.records[id as usize];
        let at = r.text_at + r.norm_len as usize;
        &self.texts[at..at + r.romaji_len as usize]
    }

    /// Every designation in number order.
    pub(super) fn iter(&self) -> impl Iterator<Item = Doc<'_>> + '_ {
        (0..self.records.len() as u32).map(|i| self.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn designations_read_back_as_pushed() {
        let mut t = Designations::default();
        t.push(0, Field::Display, "糖尿病", "糖尿病", "", 1.0);
        t.push(0, Field::Kana, "トウニョウビョウ", "とうにょうびょう", "tounyoubyou", 0.9);
        t.push(1, Field::English, "Diabetes", "diabetes", "", 0.95);
        assert_eq!(t.len(), 3);
        let d = t.get(1);
        assert_eq!(
            (d.concept, d.kind, d.term, d.norm, d.romaji),
            (0, Field::Kana, "トウニョウビョウ", "とうにょうびょう", "tounyoubyou")
        );
        assert_eq!((d.norm_chars, d.romaji_chars, d.factor), (8, 11, 0.9));
        assert_eq!((t.norm(2), t.romaji(2), t.concept(2)), ("diabetes", "", 1));
        assert_eq!(t.iter().map(|d| d.term).collect::<Vec<_>>(), ["糖尿病", "トウニョウビョウ", "Diabetes"]);
    }
}
