//! Dates as the Japanese masters write them: `YYYYMMDD`, with `99999999` (and empty) meaning none.

/// `"20240601"` → `Ok(Some("2024-06-01"))`; `"99999999"`/`""`/`"0"`/`"00000000"` → `Ok(None)`;
/// anything that is not a real calendar date → `Err(())`.
pub(crate) fn parse_yyyymmdd(s: &str) -> Result<Option<String>, ()> {
    if s.is_empty() || s == "99999999" || s == "00000000" || s == "0" {
        return Ok(None);
    }
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    let y: u32 = s[0..4].parse().map_err(|_| ())?;
    let m: u32 = s[4..6].parse().map_err(|_| ())?;
    let d: u32 = s[6..8].parse().map_err(|_| ())?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(()),
    };
    if y < 1900 || d == 0 || d > days {
        return Err(());
    }
    Ok(Some(format!("{y:04}-{m:02}-{d:02}")))
}

#[cfg(test)]
mod tests {
    use super::parse_yyyymmdd;

    #[test]
    fn real_dates_and_the_open_end_marker() {
        assert_eq!(parse_yyyymmdd("20150101"), Ok(Some("2015-01-01".into())));
        assert_eq!(parse_yyyymmdd("20240229"), Ok(Some("2024-02-29".into())));
        assert_eq!(parse_yyyymmdd("99999999"), Ok(None));
        assert_eq!(parse_yyyymmdd(""), Ok(None));
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for bad in ["20230229", "20241301", "20240431", "2024061", "2024-6-1", "1899123x"] {
            assert_eq!(parse_yyyymmdd(bad), Err(()), "{bad}");
        }
    }
}
