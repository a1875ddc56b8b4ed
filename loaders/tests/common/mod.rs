//! Helpers shared by the loader tests: the staged official files and loading by format name.

#![allow(dead_code, unreachable_pub)]

use std::io::Read;
use std::path::PathBuf;

use henkan_loaders::{by_format, LoadError, Loaded, SourceFile};

/// A staged official file from `../shared/data`, decompressed if it ends in `.gz`.
pub fn shared(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data").join(path);
    let raw = std::fs::read(&p).unwrap_or_else(|e| panic!("{} is needed by this test: {e}", p.display()));
    if !path.ends_with(".gz") {
        return raw;
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(raw.as_slice()).read_to_end(&mut out).unwrap();
    out
}

/// Loads bytes with a named format, panicking with the loader's message on failure.
pub fn load(format: &str, name: &str, bytes: &[u8]) -> Loaded {
    by_format(format).unwrap().load(&SourceFile { name, bytes }).unwrap_or_else(|e| panic!("{e}"))
}

/// Loads bytes with a named format that must fail, returning the error.
pub fn load_err(format: &str, name: &str, bytes: &[u8]) -> LoadError {
    match by_format(format).unwrap().load(&SourceFile { name, bytes }) {
        Ok(_) => panic!("{name} loaded as {format}, but it is broken"),
        Err(e) => e,
    }
}
