//! Offline bulk translation: the file side of the one [`crate::translate::Engine`]. Input
//! (`input.rs`: file or stdin, gzip, CSV/TSV/NDJSON, UTF-8 or Shift_JIS), strict CSV records
//! (`delimited.rs`), the answer's columns (`output.rs`), the job with its all-or-nothing output
//! (`job.rs`) and its summary (`report.rs`).

pub(crate) mod delimited;
pub mod input;
pub mod job;
pub(crate) mod output;
pub mod report;

pub use input::{Encoding, Format};
pub use job::{OnError, Options, SystemFrom};
pub use report::Report;
