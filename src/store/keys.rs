//! Compound keys: fixed-width big-endian integers and NUL-separated strings, so that a prefix
//! scan is a range query and integer keys sort numerically.

/// `version_id (8, BE) | code` — key of a concept in `CONCEPTS`.
pub(crate) fn concept(version_id: u64, code: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(8 + code.len());
    k.extend_from_slice(&version_id.to_be_bytes());
    k.extend_from_slice(code.as_bytes());
    k
}

/// The code part of a `CONCEPTS` key.
pub(crate) fn concept_code(key: &[u8]) -> &[u8] {
    &key[8..]
}

/// `system | 0x00 | code | 0x00` — prefix of every history entry of one code.
pub(crate) fn history_prefix(system: &str, code: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(system.len() + code.len() + 2);
    k.extend_from_slice(system.as_bytes());
    k.push(0);
    k.extend_from_slice(code.as_bytes());
    k.push(0);
    k
}

/// `system | 0x00 | code | 0x00 | release_seq (8, BE)` — key of one history entry.
pub(crate) fn history(system: &str, code: &str, seq: u64) -> Vec<u8> {
    let mut k = history_prefix(system, code);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The release sequence number at the end of a history key.
pub(crate) fn history_seq(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(u64::from_be_bytes(tail))
}

/// A big-endian u64 key.
pub(crate) fn id(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

/// Decodes a big-endian u64 key or value.
pub(crate) fn decode_id(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keys_of_a_code_sort_by_release_and_round_trip() {
        let a = history("jp-receipt-disease", "8848176", 2);
        let b = history("jp-receipt-disease", "8848176", 300);
        assert!(a < b);
        assert!(a.starts_with(&history_prefix("jp-receipt-disease", "8848176")));
        // A longer code with the same prefix never falls inside the shorter code's range.
        assert!(
            !history("jp-receipt-disease", "88481760", 1).starts_with(&history_prefix("jp-receipt-disease", "8848176"))
        );
        assert_eq!(history_seq(&b), Some(300));
    }

    #[test]
    fn concept_keys_group_by_version() {
        let k = concept(7, "0000999");
        assert_eq!(&k[..8], &7u64.to_be_bytes());
        assert_eq!(concept_code(&k), b"0000999");
        assert!(concept(7, "9999999") < concept(8, "0000000"));
    }
}
