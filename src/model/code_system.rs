//! The code systems henkan knows: slug (used in paths), canonical URI, names.
//!
//! URIs follow JP Core where it assigns one (`../shared/data/crosswalk/jp-code-system-uris.tsv`);
//! where JP Core has none yet but an OID exists (receipt drug code), the OID URN is the canonical
//! form; where neither exists (the JLAC10 segment tables), henkan names them `urn:henkan:…` until
//! an official URI is assigned.

use serde::Serialize;

/// A code system: stable slug plus canonical URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CodeSystem {
    /// Short name used in paths and CLI arguments.
    pub slug: &'static str,
    /// Canonical URI (FHIR `system`).
    pub uri: &'static str,
    /// OID, where one is assigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oid: Option<&'static str>,
    /// Human name.
    pub name: &'static str,
    /// The attribution or licence notice that travels with its content, if any.
    #[serde(skip)]
    pub notice: Option<&'static str>,
}

/// The slug of every code system henkan knows, named once: code refers to these constants,
/// never to the literal.
pub mod slug {
    /// 傷病名コード (支払基金 傷病名マスター).
    pub const JP_RECEIPT_DISEASE: &str = "jp-receipt-disease";
    /// 修飾語コード (支払基金 修飾語マスター).
    pub const JP_RECEIPT_MODIFIER: &str = "jp-receipt-modifier";
    /// MEDIS 標準病名マスター 病名管理番号.
    pub const JP_MEDIS_DISEASE: &str = "jp-medis-disease";
    /// MEDIS 標準病名マスター 索引用語 (index words → ICD-10; not searched itself).
    pub const JP_MEDIS_INDEX: &str = "jp-medis-index";
    /// 医薬品コード (レセプト電算処理システム 医薬品マスター).
    pub const JP_RECEIPT_DRUG: &str = "jp-receipt-drug";
    /// 個別医薬品コード (YJ コード).
    pub const JP_YJ: &str = "jp-yj";
    /// 一般名処方マスタ 一般名コード.
    pub const JP_GENERIC_NAME: &str = "jp-generic-name";
    /// MEDIS 医薬品 HOT コード.
    pub const JP_HOT: &str = "jp-hot";
    /// JLAC10 17-digit lab codes.
    pub const JLAC10: &str = "jlac10";
    /// JLAC10 analyte segment table (JSLM).
    pub const JLAC10_ANALYTE: &str = "jlac10-analyte";
    /// JLAC10 identification segment table (JSLM).
    pub const JLAC10_IDENTIFICATION: &str = "jlac10-identification";
    /// JLAC10 material segment table (JSLM).
    pub const JLAC10_MATERIAL: &str = "jlac10-material";
    /// JLAC10 method segment table (JSLM).
    pub const JLAC10_METHOD: &str = "jlac10-method";
    /// JLAC10 common result segment table (JSLM).
    pub const JLAC10_RESULT: &str = "jlac10-result";
    /// JLAC10 specific result segment table (JSLM).
    pub const JLAC10_RESULT_SPECIFIC: &str = "jlac10-result-specific";
    /// ICD-11 MMS.
    pub const ICD11_MMS: &str = "icd11-mms";
    /// WHO ICD-10.
    pub const ICD10_WHO: &str = "icd10-who";
    /// LOINC.
    pub const LOINC: &str = "loinc";
    /// RxNorm.
    pub const RXNORM: &str = "rxnorm";
    /// Every JLAC10 segment table (JSLM), in segment order.
    pub const JLAC10_SEGMENTS: [&str; 6] =
        [JLAC10_ANALYTE, JLAC10_IDENTIFICATION, JLAC10_MATERIAL, JLAC10_METHOD, JLAC10_RESULT, JLAC10_RESULT_SPECIFIC];
    /// The systems whose concepts name a `parent` (a hierarchy: is-a, subsumption): ICD-11's
    /// tabulation loader sets it; no other loader does.
    pub const HIERARCHICAL: [&str; 1] = [ICD11_MMS];
}

/// The attribution or licence notice that must travel with content of a code system, by slug.
/// Every release holding such content carries the notice (see `Release::notices`).
pub fn notice(slug: &str) -> Option<&'static str> {
    CODE_SYSTEMS.iter().find(|cs| cs.slug == slug).and_then(|cs| cs.notice)
}

const LOINC_NOTICE: &str = "This material contains content from LOINC (http://loinc.org). LOINC is copyright © Regenstrief Institute, Inc. and the Logical Observation Identifiers Names and Codes (LOINC) Committee and is available at no cost under the license at http://loinc.org/license. LOINC® is a registered United States trademark of Regenstrief Institute, Inc.";
const NLM_NOTICE: &str = "This product uses publicly available data courtesy of the U.S. National Library of Medicine (NLM), National Institutes of Health, Department of Health and Human Services; NLM is not responsible for the product and does not endorse or recommend this or any other product.";
const WHO_NOTICE: &str = "ICD-11 © World Health Organization, licensed under CC BY-ND 3.0 IGO (https://icd.who.int/en/docs/ICD11-license.pdf).";
const JP_CLINS_NOTICE: &str = "JLAC10 codes of the 電子カルテ情報共有サービス core lab set: （一社）日本医療情報学会, CC BY-ND 4.0; JLAC10 © 日本臨床検査医学会 検査項目コード委員会.";
const JSLM_NOTICE: &str = "日本臨床検査医学会 検査項目コード委員会 臨床検査項目分類コード (JLAC10). 名称等が予告なく変更される場合があります。";
const SSK_NOTICE: &str = "出典：社会保険診療報酬支払基金「基本マスター」";
const MHLW_PRICE_LIST_NOTICE: &str = "出典：厚生労働省「薬価基準収載品目リスト」";
const MHLW_GENERIC_NOTICE: &str = "出典：厚生労働省「一般名処方マスタ」";
const MEDIS_DISEASE_NOTICE: &str =
    "ICD10対応標準病名マスター © 一般財団法人 医療情報システム開発センター (MEDIS-DC); use under MEDIS-DC terms.";
const MEDIS_HOT_NOTICE: &str =
    "医薬品HOTコードマスター © 一般財団法人 医療情報システム開発センター (MEDIS-DC); use under MEDIS-DC terms.";

/// Every code system henkan knows.
pub const CODE_SYSTEMS: &[CodeSystem] = &[
    CodeSystem {
        slug: slug::JP_RECEIPT_DISEASE,
        uri: "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/masterB-disease",
        oid: None,
        name: "傷病名コード（支払基金 傷病名マスター）",
        notice: Some(SSK_NOTICE),
    },
    CodeSystem {
        slug: slug::JP_RECEIPT_MODIFIER,
        uri: "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/masterZ-disease-modifier",
        oid: None,
        name: "修飾語コード（支払基金 修飾語マスター）",
        notice: Some(SSK_NOTICE),
    },
    CodeSystem {
        slug: slug::JP_MEDIS_DISEASE,
        uri: "http://medis.or.jp/CodeSystem/master-disease-keyNumber",
        oid: Some("1.2.392.200119.4.101.2"),
        name: "MEDIS 標準病名マスター 病名管理番号",
        notice: Some(MEDIS_DISEASE_NOTICE),
    },
    CodeSystem {
        slug: slug::JP_MEDIS_INDEX,
        uri: "urn:henkan:medis:index-term",
        oid: None,
        name: "MEDIS 標準病名マスター 索引用語 (index words → ICD-10)",
        notice: Some(MEDIS_DISEASE_NOTICE),
    },
    CodeSystem {
        slug: slug::JP_RECEIPT_DRUG,
        uri: "urn:oid:1.2.392.100495.20.2.71",
        oid: Some("1.2.392.100495.20.2.71"),
        name: "医薬品コード（レセプト電算処理システム 医薬品マスター）",
        notice: Some(SSK_NOTICE),
    },
    CodeSystem {
        slug: slug::JP_YJ,
        uri: "http://capstandard.jp/iyaku.info/CodeSystem/YJ-code",
        oid: Some("1.2.392.100495.20.2.73"),
        name: "個別医薬品コード（YJコード）",
        notice: Some(MHLW_PRICE_LIST_NOTICE),
    },
    CodeSystem {
        slug: slug::JP_GENERIC_NAME,
        uri: "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/MedicationGeneralOrderCode",
        oid: Some("1.2.392.100495.20.2.81"),
        name: "一般名処方マスタ 一般名コード",
        notice: Some(MHLW_GENERIC_NOTICE),
    },
    CodeSystem {
        slug: slug::JP_HOT,
        uri: "http://medis.or.jp/CodeSystem/master-HOT9",
        oid: Some("1.2.392.200119.4.403.1"),
        name: "MEDIS 医薬品HOTコード",
        notice: Some(MEDIS_HOT_NOTICE),
    },
    CodeSystem {
        slug: slug::JLAC10,
        uri: "http://medis.or.jp/CodeSystem/master-JLAC10-17digits",
        oid: Some("1.2.392.200119.4.504"),
        name: "JLAC10 臨床検査項目コード（17桁）",
        notice: Some(JP_CLINS_NOTICE),
    },
    CodeSystem {
        slug: slug::JLAC10_ANALYTE,
        uri: "urn:henkan:jlac10:analyte",
        oid: None,
        name: "JLAC10 分析物コード (JSLM)",
        notice: Some(JSLM_NOTICE),
    },
    CodeSystem {
        slug: slug::JLAC10_IDENTIFICATION,
        uri: "urn:henkan:jlac10:identification",
        oid: None,
        name: "JLAC10 識別コード (JSLM)",
        notice: Some(JSLM_NOTICE),
    },
    CodeSystem {
        slug: slug::JLAC10_MATERIAL,
        uri: "urn:henkan:jlac10:material",
        oid: None,
        name: "JLAC10 材料コード (JSLM)",
        notice: Some(JSLM_NOTICE),
    },
    CodeSystem {
        slug: slug::JLAC10_METHOD,
        uri: "urn:henkan:jlac10:method",
        oid: None,
        name: "JLAC10 測定法コード (JSLM)",
        notice: Some(JSLM_NOTICE),
    },
    CodeSystem {
        slug: slug::JLAC10_RESULT,
        uri: "urn:henkan:jlac10:result",
        oid: None,
        name: "JLAC10 結果識別コード 共通 (JSLM)",
        notice: Some(JSLM_NOTICE),
    },
    CodeSystem {
        slug: slug::JLAC10_RESULT_SPECIFIC,
        uri: "urn:henkan:jlac10:result-specific",
        oid: None,
        name: "JLAC10 結果識別コード 固有 (JSLM)",
        notice: Some(JSLM_NOTICE),
    },
    CodeSystem {
        slug: slug::ICD11_MMS,
        uri: "http://id.who.int/icd/release/11/mms",
        oid: None,
        name: "ICD-11 MMS",
        notice: Some(WHO_NOTICE),
    },
    CodeSystem {
        slug: slug::ICD10_WHO,
        uri: "http://hl7.org/fhir/sid/icd-10",
        oid: Some("2.16.840.1.113883.6.3"),
        name: "ICD-10 (WHO)",
        notice: Some(WHO_NOTICE),
    },
    CodeSystem {
        slug: slug::LOINC,
        uri: "http://loinc.org",
        oid: Some("2.16.840.1.113883.6.1"),
        name: "LOINC",
        notice: Some(LOINC_NOTICE),
    },
    CodeSystem {
        slug: slug::RXNORM,
        uri: "http://www.nlm.nih.gov/research/umls/rxnorm",
        oid: Some("2.16.840.1.113883.6.88"),
        name: "RxNorm",
        notice: Some(NLM_NOTICE),
    },
];

/// The form a code of a system must have to be a code of it at all (`invalid-code` otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeShape {
    /// Exactly this many ASCII digits.
    Digits(usize),
    /// Exactly this many ASCII letters and digits.
    Alnum(usize),
    /// A LOINC code: 1–7 digits, a hyphen, one check digit.
    Loinc,
    /// Any non-empty code without spaces.
    Any,
}

impl CodeShape {
    /// The shape of the codes of `slug`.
    pub fn of(slug: &str) -> CodeShape {
        match slug {
            slug::JP_RECEIPT_DISEASE => CodeShape::Digits(7),
            slug::JP_RECEIPT_MODIFIER => CodeShape::Digits(4),
            slug::JP_MEDIS_DISEASE => CodeShape::Digits(8),
            slug::JP_RECEIPT_DRUG | slug::JP_HOT => CodeShape::Digits(9),
            slug::JP_YJ => CodeShape::Alnum(12),
            slug::JLAC10 => CodeShape::Alnum(17),
            slug::LOINC => CodeShape::Loinc,
            slug::RXNORM => CodeShape::Digits(0),
            _ => CodeShape::Any,
        }
    }

    /// Whether `code` has this shape (`Digits(0)`: one or more digits).
    pub fn admits(self, code: &str) -> bool {
        let b = code.as_bytes();
        match self {
            CodeShape::Digits(0) => !b.is_empty() && b.iter().all(u8::is_ascii_digit),
            CodeShape::Digits(n) => b.len() == n && b.iter().all(u8::is_ascii_digit),
            CodeShape::Alnum(n) => b.len() == n && b.iter().all(u8::is_ascii_alphanumeric),
            CodeShape::Loinc => code.split_once('-').is_some_and(|(num, check)| {
                (1..=7).contains(&num.len())
                    && num.bytes().all(|c| c.is_ascii_digit())
                    && check.len() == 1
                    && check.bytes().all(|c| c.is_ascii_digit())
            }),
            CodeShape::Any => !b.is_empty() && !b.iter().any(|c| c.is_ascii_whitespace()),
        }
    }

    /// The shape as a regular expression over the whole code (for engines that join exports).
    pub fn pattern(self) -> String {
        match self {
            CodeShape::Digits(0) => "^[0-9]+$".into(),
            CodeShape::Digits(n) => format!("^[0-9]{{{n}}}$"),
            CodeShape::Alnum(n) => format!("^[0-9A-Za-z]{{{n}}}$"),
            CodeShape::Loinc => "^[0-9]{1,7}-[0-9]$".into(),
            CodeShape::Any => "^[^[:space:]]+$".into(),
        }
    }
}

/// Finds a code system by slug, canonical URI or `urn:oid:` form (case-sensitive, exact).
pub fn resolve_system(s: &str) -> Option<&'static CodeSystem> {
    let s = s.trim();
    CODE_SYSTEMS.iter().find(|cs| {
        cs.slug == s || cs.uri == s || cs.oid.is_some_and(|oid| s == oid || s.strip_prefix("urn:oid:") == Some(oid))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_uri_and_oid_resolve_to_the_same_system() {
        let by_slug = resolve_system("jp-receipt-disease").unwrap();
        let by_uri = resolve_system("http://jpfhir.jp/fhir/core/mhlw/CodeSystem/masterB-disease").unwrap();
        assert_eq!(by_slug, by_uri);
        assert_eq!(resolve_system("urn:oid:2.16.840.1.113883.6.1").unwrap().slug, "loinc");
        assert!(resolve_system("jp-receipt").is_none());
    }

    #[test]
    fn code_shapes_admit_real_codes_and_refuse_malformed_ones() {
        assert!(CodeShape::of(slug::JP_RECEIPT_DISEASE).admits("8848176"));
        assert!(!CodeShape::of(slug::JP_RECEIPT_DISEASE).admits("884817"));
        assert!(!CodeShape::of(slug::JP_RECEIPT_DRUG).admits("62009880A"));
        assert!(CodeShape::of(slug::JP_YJ).admits("1149019F1560"));
        assert!(CodeShape::of(slug::LOINC).admits("2160-0"));
        assert!(!CodeShape::of(slug::LOINC).admits("2160"));
        assert!(CodeShape::of(slug::JLAC10).admits("3C015000002327201"));
        assert!(!CodeShape::of(slug::ICD11_MMS).admits(""));
    }

    #[test]
    fn slugs_and_uris_are_unique() {
        for (i, a) in CODE_SYSTEMS.iter().enumerate() {
            for b in &CODE_SYSTEMS[i + 1..] {
                assert_ne!(a.slug, b.slug);
                assert_ne!(a.uri, b.uri);
            }
        }
    }
}
