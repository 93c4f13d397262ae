//! The `rsctl` binary: everything lives in [`rsctl::cli`]; this file only maps the outcome to an
//! exit code.

fn main() {
    std::process::exit(rsctl::cli::main());
}
