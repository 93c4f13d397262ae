//! Runs the MongoDB specification test suites found under `RSCTL_SPEC_DIR`
//! (default `../shared/specs`), one `#[test]` per suite family, and prints one line per suite to stderr
//! (past the harness's capture, so `cargo test` always shows it):
//! `SUITE: N passed, M failed, K skipped`. Every skip is listed in `skips.rs` with its reason.

mod harness;
mod sdam;
mod selection;
mod skips;
mod uri;
