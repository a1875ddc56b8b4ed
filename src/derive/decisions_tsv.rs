//! The `decisions.tsv` codec: curators' decisions as a tab-separated file
//! (`mappings/<table>/decisions.tsv`), one decision per line under a header, so that decisions
//! travel between data directories and ship with the default data.

use crate::error::{Error, Result};
use crate::model::{Decision, DecisionAction, Relationship};

/// The header line.
pub(crate) const HEADER: &str =
    "table\tsource_code\taction\ttarget_code\trelationship\tauthor\tdecided_at\tsource_hash\tcomment\n";

/// The decisions as TSV, header first.
pub(crate) fn write<'d>(decisions: impl IntoIterator<Item = &'d Decision>) -> String {
    let clean = |s: &str| s.replace(['\t', '\n'], " ");
    let mut out = String::from(HEADER);
    for d in decisions {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            d.table,
            d.source_code,
            d.action,
            d.target_code,
            d.relationship.map_or("", Relationship::as_str),
            clean(&d.author),
            d.decided_at,
            d.source_hash,
            clean(d.comment.as_deref().unwrap_or(""))
        ));
    }
    out
}

/// Every decision of a TSV file (`file` names it in errors), or the first bad line's error: a
/// file is taken whole or not at all.
pub(crate) fn parse(text: &str, file: &str) -> Result<Vec<Decision>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let bad = |what: &str| Error::InvalidDecision(format!("{file}: line {}: {what}", i + 1));
        if f.len() < 8 {
            return Err(bad("expected 9 tab-separated fields (the header's); fix the line or remove it"));
        }
        let action: DecisionAction = f[2].parse().map_err(|e| bad(&format!("field 3 \"action\": {e}")))?;
        let relationship = match f[4] {
            "" => None,
            r => Some(r.parse().map_err(|e| bad(&format!("field 5 \"relationship\": {e}")))?),
        };
        out.push(Decision {
            seq: 0,
            table: f[0].into(),
            source_code: f[1].into(),
            action,
            target_code: f[3].into(),
            relationship,
            author: f[5].into(),
            comment: f.get(8).filter(|c| !c.is_empty()).map(|c| (*c).to_owned()),
            decided_at: f[6].into(),
            source_hash: f[7].into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The approval the curation tests make: receipt 8841698 → ICD-11 5A11 (type 2 diabetes).
    fn approval() -> Decision {
        Decision {
            seq: 0,
            table: "jp-receipt-disease--icd11-mms".into(),
            source_code: "8841698".into(),
            action: DecisionAction::Approve,
            target_code: "5A11".into(),
            relationship: Some(Relationship::SourceIsNarrowerThanTarget),
            author: "dana".into(),
            comment: Some("the WHO\tgrouping".into()),
            decided_at: "2026-12-03T06:00:00Z".into(),
            source_hash: "9f2c".into(),
        }
    }

    #[test]
    fn decisions_write_and_parse_back() {
        let d = approval();
        let text = write([&d]);
        assert!(text.starts_with(HEADER));
        let back = parse(&text, "decisions.tsv").unwrap();
        // A tab inside a comment would split the line: it is written as a space.
        assert_eq!(back, vec![Decision { comment: Some("the WHO grouping".into()), ..d }]);
    }

    #[test]
    fn a_bad_line_names_its_line_and_field_and_nothing_is_taken() {
        let text = write([&approval(), &approval()]);
        let mut lines: Vec<&str> = text.lines().collect();
        let bad = lines[2].replace("\tapprove\t", "\tapprov\t");
        lines[2] = &bad;
        let e = parse(&lines.join("\n"), "d.tsv").unwrap_err().to_string();
        assert!(e.contains("d.tsv: line 3: field 3 \"action\""), "{e}");
    }
}
