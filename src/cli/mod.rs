//! The `rsctl` command line: arguments, one module per command, rendering, exit codes.

pub mod lab;

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    eprintln!("rsctl: not implemented yet");
    1
}
