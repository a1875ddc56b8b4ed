//! The on-disk format version: written when a store is created, checked on every open.
//!
//! Bump [`FORMAT_VERSION`] in the same change that alters a key layout or a stored value's
//! shape incompatibly; an older henkan then refuses the directory instead of misreading it.

use serde::{Deserialize, Serialize};

/// Version of the store layout described in `store/mod.rs`.
pub(crate) const FORMAT_VERSION: u32 = 2;

/// Stored under `META["manifest"]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// Layout version (see [`FORMAT_VERSION`]).
    pub(crate) format_version: u32,
    /// henkan version that created the store.
    pub(crate) tool_version: String,
    /// When the store was created (RFC 3339).
    pub(crate) created_at: String,
}

impl Manifest {
    pub(crate) fn new(created_at: String) -> Self {
        Self { format_version: FORMAT_VERSION, tool_version: env!("CARGO_PKG_VERSION").to_owned(), created_at }
    }
}
