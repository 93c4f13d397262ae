//! What the integration tests share: the one way to run the rsctl binary ([`Rsctl`], with a
//! clean environment and a deadline, and exit-code asserts that show what the command printed),
//! the child-lab fixture ([`child_lab`]), the virtual-clock harness for the pure lab state machine
//! ([`clock`]), a scripted fake server ([`fake`]) and a DNS server for SRV tests ([`dns`]).

#![allow(dead_code)]

pub mod child_lab;
pub mod clock;
pub mod dns;
pub mod fake;

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The rsctl binary under test.
pub const RSCTL: &str = env!("CARGO_BIN_EXE_rsctl");

/// How long one rsctl command may run before the test kills it and fails.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(90);

/// Variables of the caller's environment that would change what rsctl does: each run removes
/// them (and sets `NO_COLOR=1`), so a developer's shell cannot make a test pass or fail.
const CLEARED: &[&str] = &[
    "MONGODB_URI",
    "RUST_LOG",
    "RSCTL_DNS_SERVER",
    "RSCTL_LAB_PASSWORD",
];

/// `rsctl` with the test environment: the variables in [`CLEARED`] removed, `NO_COLOR=1`, stdin
/// from /dev/null. For children a test drives itself (a `lab up`, a `failover-watch` it reads
/// line by line); [`Rsctl`] runs a command to completion.
pub fn command() -> Command {
    let mut c = Command::new(RSCTL);
    for k in CLEARED {
        c.env_remove(k);
    }
    c.env("NO_COLOR", "1").stdin(Stdio::null());
    c
}

/// [`command`] for tokio; the child is killed if the handle is dropped (a failed test).
pub fn tokio_command() -> tokio::process::Command {
    let mut c = tokio::process::Command::from(command());
    c.kill_on_drop(true);
    c
}

/// One rsctl run to completion: `Rsctl::new(&["status"]).env("K", "v").stdin("...").run().await`.
pub struct Rsctl {
    cmd: Command,
    line: String,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
}

impl Rsctl {
    /// `rsctl ARGS` in the test environment (see [`command`]).
    pub fn new<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Rsctl {
        let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let line = args
            .iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ");
        let mut cmd = command();
        cmd.args(&args);
        Rsctl {
            cmd,
            line,
            stdin: None,
            timeout: COMMAND_TIMEOUT,
        }
    }

    /// Sets one environment variable for this run.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Rsctl {
        self.cmd.env(key, value);
        self
    }

    /// Removes one environment variable for this run.
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Rsctl {
        self.cmd.env_remove(key);
        self
    }

    /// Feeds `input` on stdin, then closes it.
    pub fn stdin(mut self, input: impl AsRef<[u8]>) -> Rsctl {
        self.stdin = Some(input.as_ref().to_vec());
        self
    }

    /// Changes the deadline ([`COMMAND_TIMEOUT`] by default).
    pub fn timeout(mut self, limit: Duration) -> Rsctl {
        self.timeout = limit;
        self
    }

    /// Runs it off the async worker threads (a lab in this process keeps serving meanwhile).
    pub async fn run(self) -> Output {
        tokio::task::spawn_blocking(move || self.run_blocking())
            .await
            .expect("the rsctl runner thread")
    }

    /// Runs it on this thread. A command still running at the deadline is killed and the test
    /// fails, showing what it printed so far.
    pub fn run_blocking(mut self) -> Output {
        self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        if self.stdin.is_some() {
            self.cmd.stdin(Stdio::piped());
        }
        let mut child = self
            .cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start rsctl {}: {e}", self.line));
        if let Some(input) = self.stdin.take() {
            let mut pipe = child.stdin.take().expect("stdin pipe");
            std::thread::spawn(move || {
                // rsctl may exit without reading it all: a broken pipe here is not the test's
                // concern.
                let _ = pipe.write_all(&input);
            });
        }
        let out = collect(child.stdout.take().expect("stdout pipe"));
        let err = collect(child.stderr.take().expect("stderr pipe"));
        let deadline = Instant::now() + self.timeout;
        let status: ExitStatus = loop {
            if let Some(st) = child.try_wait().expect("waiting for rsctl") {
                break st;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "rsctl {} still ran after {:?}; killed\n--- stdout so far\n{}\n--- stderr so far\n{}",
                    self.line,
                    self.timeout,
                    String::from_utf8_lossy(&out.lock()),
                    String::from_utf8_lossy(&err.lock()),
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let stdout = finish(out);
        let stderr = finish(err);
        Output {
            status,
            stdout,
            stderr,
        }
    }
}

/// A pipe read to its end on a thread of its own, into a buffer the runner can show at any time.
struct Collected {
    buf: Arc<Mutex<Vec<u8>>>,
    thread: std::thread::JoinHandle<()>,
}

impl Collected {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.buf.lock().unwrap()
    }
}

fn collect(mut pipe: impl Read + Send + 'static) -> Collected {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = buf.clone();
    let thread = std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        loop {
            match pipe.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => sink.lock().unwrap().extend_from_slice(&chunk[..n]),
            }
        }
    });
    Collected { buf, thread }
}

fn finish(c: Collected) -> Vec<u8> {
    // The child has exited; its pipes close unless it left a grandchild holding them, which the
    // tests never do.
    c.thread.join().expect("pipe reader");
    std::mem::take(&mut *c.buf.lock().unwrap())
}

/// Runs `rsctl ARGS` to completion in the test environment.
pub async fn rsctl(args: &[&str]) -> Output {
    Rsctl::new(args).run().await
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Stdout then stderr, as one text (for checks that do not care which stream said it).
pub fn all_output(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// The exit code; -1 when a signal ended the process.
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Fails unless rsctl exited with `want`, showing both streams.
#[track_caller]
pub fn assert_code(o: &Output, want: i32) {
    assert_eq!(
        o.status.code(),
        Some(want),
        "exit code\n--- stdout\n{}\n--- stderr\n{}",
        stdout(o),
        stderr(o)
    );
}

/// Stdout parsed as one JSON value; fails showing both streams when it is not.
#[track_caller]
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(stdout(o).trim()).unwrap_or_else(|e| {
        panic!(
            "stdout is one JSON value ({e})\n--- stdout\n{}\n--- stderr\n{}",
            stdout(o),
            stderr(o)
        )
    })
}
