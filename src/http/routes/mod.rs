//! One module per resource; handlers are named `<verb>_<resource>`.

pub(crate) mod concepts;
pub(crate) mod curation;
pub(crate) mod diff;
pub(crate) mod health;
pub(crate) mod impact;
pub(crate) mod mappings;
pub(crate) mod releases;
pub(crate) mod search;
pub(crate) mod translate;
