//! Line numbers from byte offsets (csv reports record starts just after a CR of CRLF).

/// Turns byte offsets of record starts (which csv reports just after the previous `\r`) into
/// 1-based line numbers, counting newlines incrementally.
pub(crate) struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, offset: 0, line: 1 }
    }

    pub(crate) fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.offset {
            self.line += self.bytes[self.offset..start].iter().filter(|&&b| b == b'\n').count() as u64;
            self.offset = start;
        }
        self.line
    }
}
