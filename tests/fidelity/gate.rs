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

/// A running fidelity script: its stdin (to answer it), its stdout as lines (its requests and
/// results) and a task collecting its stderr. The process is killed if dropped.
#[allow(dead_code)] // tests/auth.rs includes this file but runs its scripts to completion
pub struct Script {
    pub child: tokio::process::Child,
    pub stdin: tokio::process::ChildStdin,
    pub stdout: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    pub stderr: tokio::task::JoinHandle<String>,
}

/// Starts `python3 SCRIPT ARGS...` with every stream piped.
#[allow(dead_code)]
pub fn spawn_script(script: &str, args: &[String]) -> Script {
    use std::process::Stdio;
    use tokio::io::{AsyncBufReadExt, AsyncReadExt};
    let mut child = tokio::process::Command::new("python3")
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 runs");
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = tokio::io::BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    let mut err = child.stderr.take().expect("piped stderr");
    let stderr = tokio::spawn(async move {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s).await;
        s
    });
    Script {
        child,
        stdin,
        stdout,
        stderr,
    }
}
