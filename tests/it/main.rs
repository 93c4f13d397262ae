//! The one integration-test binary: a module per area (each was its own test binary before,
//! linking the crate again), and one set of helpers in `util` (the rsctl runner, the child-lab
//! fixture, the virtual-clock harness) and `gate` (the pymongo interpreter, shared with the
//! Python scripts beside it in tests/fidelity/). Run one area with `cargo test --test it AREA::`.

// The relaxed-JSON golden tests in read_raw nest `json!` deeply.
#![recursion_limit = "512"]

#[path = "../fidelity/gate.rs"]
mod gate;
mod util;

mod auth;
mod cli_docs;
mod cli_e2e;
mod cli_maint;
mod cli_mongos;
mod cli_staleness;
mod cli_status_hidden;
mod client_connection;
mod client_lab;
mod client_mongos;
mod client_monitor;
mod fidelity;
mod fidelity_maint;
mod fidelity_mongos;
mod fidelity_staleness;
mod fuzz_regressions;
mod json_docs;
mod lab_clock;
mod lab_cluster;
mod lab_server;
mod prop_sdam;
mod prop_uri;
mod read_raw;
mod secure_e2e;
mod spec;
mod srv;
mod x509;
