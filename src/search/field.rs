//! What a matching designation counts for: which name of its concept it is ([`Field`]), the
//! weight of that field, the prior of its code system, and the factor for a retired concept.

use crate::model::{slug, DesignationUse};

crate::vocabulary! {
    /// Which name of a concept an indexed designation is: its code, its display, or one of its
    /// designations (by use).
    pub(crate) enum Field {
        /// The preferred name.
        Display = "display",
        /// The code itself.
        Code = "code",
        /// A short name.
        Short = "short",
        /// An English name.
        English = "english",
        /// A generic (一般名) name.
        Generic = "generic",
        /// A synonym.
        Synonym = "synonym",
        /// A dental short name.
        DentalShort = "dental_short",
        /// A kana reading.
        Kana = "kana",
        /// The name of the concept it is mapped to.
        Mapped = "mapped",
        /// An index word filed under it.
        IndexTerm = "index_term",
    }
}

impl From<DesignationUse> for Field {
    fn from(u: DesignationUse) -> Field {
        match u {
            DesignationUse::Short => Field::Short,
            DesignationUse::Kana => Field::Kana,
            DesignationUse::DentalShort => Field::DentalShort,
            DesignationUse::Synonym => Field::Synonym,
            DesignationUse::English => Field::English,
            DesignationUse::Generic => Field::Generic,
            DesignationUse::Mapped => Field::Mapped,
            DesignationUse::IndexTerm => Field::IndexTerm,
        }
    }
}

impl Field {
    /// How a designation of this field is weighted when it matches: code > display >
    /// short/English/generic > synonym > kana > index term > mapped.
    pub(crate) fn weight(self) -> f64 {
        match self {
            Field::Code => 1.2,
            Field::Display => 1.0,
            Field::Short | Field::English | Field::Generic => 0.95,
            Field::Synonym | Field::DentalShort => 0.92,
            Field::Kana => 0.9,
            Field::IndexTerm => 0.87,
            Field::Mapped => 0.8,
        }
    }

    /// Its number in the re-ranker's records.
    pub(crate) fn index(self) -> u8 {
        Field::ALL.iter().position(|f| *f == self).expect("every field is in ALL") as u8
    }

    /// The field numbered `i` by [`Field::index`].
    pub(crate) fn from_index(i: u8) -> Field {
        Field::ALL[i as usize]
    }
}

/// How much a system's hit counts when the text matches equally well: systems that republish
/// another's names rank below the one that owns them (MEDIS 標準病名 repeats receipt disease
/// names, HOT repeats receipt drug names, WHO's ICD-10 titles reappear in ICD-11).
pub(crate) fn system_prior(system: &str) -> f64 {
    match system {
        slug::JP_MEDIS_DISEASE | slug::JP_HOT | slug::ICD10_WHO => 0.97,
        // JLAC10's segment tables (but the analyte's) name parts of a lab code, many under a
        // name of its own elsewhere (result-specific codes repeat analyte names).
        slug::JLAC10_IDENTIFICATION
        | slug::JLAC10_MATERIAL
        | slug::JLAC10_METHOD
        | slug::JLAC10_RESULT
        | slug::JLAC10_RESULT_SPECIFIC => 0.97,
        // The MHLW drug lists repeat the receipt drug master's product names.
        slug::JP_YJ | slug::JP_GENERIC_NAME => 0.985,
        _ => 1.0,
    }
}

/// What a designation's similarity to the query is multiplied by: its field weight, its
/// system's prior, and 0.8 when its concept is retired.
pub(crate) fn factor(field: Field, system: &str, active: bool) -> f64 {
    field.weight() * system_prior(system) * if active { 1.0 } else { 0.8 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_keeps_its_number_and_designation_uses_their_name() {
        for f in Field::ALL {
            assert_eq!(Field::from_index(f.index()), *f);
        }
        for u in DesignationUse::ALL {
            assert_eq!(Field::from(*u).as_str(), u.as_str(), "a designation's field is named as its use");
        }
    }
}
