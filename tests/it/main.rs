//! The single integration-test binary. Tests read the real masters in `masters/` and the staged
//! official files in `../shared/data`.

mod access;
mod bootstrap;
mod cli;
mod common;
mod curation;
mod drug;
mod fhir;
mod http;
mod import;
mod listing;
mod mapping;
mod openapi;
mod ops;
mod pipeline;
mod publish_crash;
mod search;
