//! The one pymongo gate shared by every test that drives the lab with the official Python driver
//! (tests/fidelity.rs, tests/fidelity_mongos.rs, tests/fidelity_staleness.rs, tests/auth.rs),
//! included with `#[path]`.
//!
//! Without pymongo such a test fails and says how to install it, unless `RSCTL_SKIP_FIDELITY=1`,
//! in which case it prints that it skipped, and why, straight to stderr (past the harness's
//! capture, so a skip always shows).

/// Whether pymongo can be imported; `what` names the test in the skip line.
pub fn pymongo_available(what: &str) -> bool {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import pymongo; print(pymongo.version)"])
        .output();
    let why = match probe {
        Ok(out) if out.status.success() => return true,
        Ok(out) => format!(
            "`import pymongo` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => format!("python3 could not be run: {e}"),
    };
    if std::env::var("RSCTL_SKIP_FIDELITY").as_deref() == Ok("1") {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "{what}: SKIPPED because RSCTL_SKIP_FIDELITY=1 and {why}"
        );
        return false;
    }
    panic!(
        "{what} needs pymongo: {why}\ninstall it with: pip install -r tests/fidelity/requirements.txt\n\
         (or set RSCTL_SKIP_FIDELITY=1 to skip it)"
    );
}
