//! The one pymongo gate shared by every test that drives the lab with the official Python driver
//! (tests/it/fidelity.rs, fidelity_mongos.rs, fidelity_staleness.rs, auth.rs,
//! x509.rs), a module of the test binary included with `#[path]` from tests/it/main.rs.
//!
//! The tests provision their own interpreter, so that a plain `cargo test` passes on a machine
//! that has nothing but the Rust toolchain and python3: a virtual environment under
//! `target/tmp/fidelity-venv`, built once from the pinned `tests/fidelity/requirements.txt`.
//! Several test processes may start at the same moment (two checkouts sharing a target, `cargo
//! test` run twice), so the environment is built under an exclusive file lock, and marked ready (with the requirements it was built from) only when pip
//! has finished; a later run with the same requirements reuses it, a changed pin rebuilds it.
//!
//! `RSCTL_PYTHON=/path/to/python` uses that interpreter instead (it must import pymongo). When the
//! environment cannot be built (no network to PyPI, no `venv` module), the test fails and says
//! why, unless `RSCTL_SKIP_FIDELITY=1`, in which case it prints that it skipped, and why, straight
//! to stderr (past the harness's capture, so a skip always shows).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const REQUIREMENTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fidelity/requirements.txt"
);

/// Where the environment lives: under cargo's per-target scratch directory (`target/tmp`).
fn venv_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("fidelity-venv")
}

/// The interpreter with pymongo, or why there is none. Computed once per test process.
fn provisioned() -> &'static Result<PathBuf, String> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PYTHON.get_or_init(|| match std::env::var_os("RSCTL_PYTHON") {
        Some(p) => {
            let p = PathBuf::from(p);
            check_imports(&p).map(|_| p)
        }
        None => provision(&venv_dir()),
    })
}

/// The interpreter to run pymongo scripts with; `what` names the test in the skip line. `None`
/// only when provisioning failed and `RSCTL_SKIP_FIDELITY=1` asked for a skip; without it, a
/// failure panics with the reason.
pub fn python(what: &str) -> Option<&'static Path> {
    let why = match provisioned() {
        Ok(p) => return Some(p.as_path()),
        Err(why) => why,
    };
    if std::env::var("RSCTL_SKIP_FIDELITY").as_deref() == Ok("1") {
        let _ = writeln!(
            std::io::stderr(),
            "{what}: SKIPPED because RSCTL_SKIP_FIDELITY=1 and {why}"
        );
        return None;
    }
    panic!("{what} needs pymongo: {why}\n(or set RSCTL_SKIP_FIDELITY=1 to skip it)");
}

/// Whether pymongo can be run; `what` names the test in the skip line (see [`python`]).
pub fn pymongo_available(what: &str) -> bool {
    python(what).is_some()
}

/// `python -c "import pymongo"` succeeds with `python`.
fn check_imports(python: &Path) -> Result<(), String> {
    let out = Command::new(python)
        .args(["-c", "import pymongo; print(pymongo.version)"])
        .output()
        .map_err(|e| format!("{} could not be run: {e}", python.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`import pymongo` failed with {}: {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Builds (or reuses) the environment at `dir` under an exclusive lock on `dir.lock`.
fn provision(dir: &Path) -> Result<PathBuf, String> {
    let requirements = std::fs::read_to_string(REQUIREMENTS)
        .map_err(|e| format!("cannot read {REQUIREMENTS}: {e}"))?;
    let parent = dir.parent().expect("the venv has a parent directory");
    std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {parent:?}: {e}"))?;
    let lock_path = dir.with_extension("lock");
    let _lock = FileLock::exclusive(&lock_path)?;
    let python = dir.join("bin").join("python");
    let marker = dir.join("rsctl-requirements.txt");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(requirements.as_str())
        && check_imports(&python).is_ok()
    {
        return Ok(python);
    }
    // A half-built or outdated environment: start again from nothing.
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot remove {dir:?}: {e}"))?;
    }
    let _ = writeln!(
        std::io::stderr(),
        "fidelity: creating a Python environment with pymongo in {} (once)",
        dir.display()
    );
    run(
        Command::new("python3").args(["-m", "venv"]).arg(dir),
        "python3 -m venv",
    )
    .map_err(|e| format!("{e}\n(Debian/Ubuntu: apt-get install python3-venv)"))?;
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-input",
                "-r",
            ])
            .arg(REQUIREMENTS),
        "pip install -r tests/fidelity/requirements.txt",
    )
    .map_err(|e| {
        let offline = [
            "NewConnectionError",
            "Temporary failure in name resolution",
            "Network is unreachable",
            "No matching distribution",
            "Could not find a version",
            "ConnectTimeout",
        ]
        .iter()
        .any(|s| e.contains(s));
        if offline {
            format!(
                "PyPI cannot be reached from this machine, so pymongo cannot be installed into \
                 {}: {e}\n(give an interpreter that has pymongo with RSCTL_PYTHON=/path/to/python)",
                dir.display()
            )
        } else {
            e
        }
    })?;
    check_imports(&python)?;
    std::fs::write(&marker, &requirements).map_err(|e| format!("cannot write {marker:?}: {e}"))?;
    Ok(python)
}

/// Runs `cmd` to completion; its stderr is the error when it fails.
fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what} could not be started: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr).trim(),
        String::from_utf8_lossy(&out.stdout).trim()
    ))
}

/// An exclusive `flock` on a file, released when dropped (or when the process dies).
struct FileLock(std::fs::File);

impl FileLock {
    fn exclusive(path: &Path) -> Result<FileLock, String> {
        use std::os::fd::AsRawFd;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| format!("cannot open lock file {path:?}: {e}"))?;
        loop {
            // SAFETY: flock on a descriptor this function owns; no memory is shared.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
            if rc == 0 {
                return Ok(FileLock(file));
            }
            let err = std::io::Error::last_os_error();
            if err.kind() != std::io::ErrorKind::Interrupted {
                return Err(format!("cannot lock {path:?}: {err}"));
            }
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: as above; closing the file would release the lock too.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
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

/// Starts `SCRIPT ARGS...` with the provisioned interpreter, every stream piped. Call it after
/// [`pymongo_available`] said yes.
#[allow(dead_code)]
pub fn spawn_script(script: &str, args: &[String]) -> Script {
    use std::process::Stdio;
    use tokio::io::{AsyncBufReadExt, AsyncReadExt};
    let python = python(script).expect("pymongo_available was checked first");
    let mut child = tokio::process::Command::new(python)
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the fidelity interpreter runs");
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
