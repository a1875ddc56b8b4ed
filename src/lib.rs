//! henkan
