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
    head: Option<usize>,
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
            head: None,
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

    /// Closes rsctl's stdout after it printed `lines` lines, like `| head -n LINES`.
    pub fn head(mut self, lines: usize) -> Rsctl {
        self.head = Some(lines);
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
    pub fn run_blocking(self) -> Output {
        self.spawn().wait_blocking()
    }

    /// Starts it and returns at once, to follow its stdout line by line while it runs
    /// ([`Running::line_where`]) and act on what it printed; [`Running::finish`] collects the rest.
    pub fn spawn(mut self) -> Running {
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
        let (tx, lines) = tokio::sync::mpsc::unbounded_channel();
        let out = collect_lines(child.stdout.take().expect("stdout pipe"), tx, self.head);
        let err = collect(child.stderr.take().expect("stderr pipe"));
        Running {
            child,
            line: self.line,
            lines,
            out,
            err,
            deadline: Instant::now() + self.timeout,
            timeout: self.timeout,
        }
    }
}

/// A running rsctl (see [`Rsctl::spawn`]); killed if dropped.
pub struct Running {
    child: std::process::Child,
    line: String,
    lines: tokio::sync::mpsc::UnboundedReceiver<String>,
    out: Collected,
    err: Collected,
    deadline: Instant,
    timeout: Duration,
}

impl Running {
    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the next stdout line for which `pred` holds and returns it (lines before it are
    /// skipped, and still in the final output). Fails if stdout ends first or at the deadline.
    pub async fn line_where(&mut self, what: &str, mut pred: impl FnMut(&str) -> bool) -> String {
        let left = self.deadline.saturating_duration_since(Instant::now());
        let found = tokio::time::timeout(left, async {
            while let Some(line) = self.lines.recv().await {
                if pred(&line) {
                    return Some(line);
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(line)) => line,
            Ok(None) => self.fail(&format!("its stdout ended before {what}")),
            Err(_) => self.fail(&format!("no {what} within {:?}", self.timeout)),
        }
    }

    /// Sends SIGINT, as Ctrl-C in a terminal does.
    pub fn interrupt(&self) {
        // SAFETY: kill(2) on our own child's pid, which is not reaped yet (we hold the Child).
        let rc = unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
        assert_eq!(rc, 0, "kill -INT {}", self.child.id());
    }

    /// Waits for it to end (off the async worker threads) and returns everything it printed.
    pub async fn finish(self) -> Output {
        tokio::task::spawn_blocking(move || self.wait_blocking())
            .await
            .expect("the rsctl runner thread")
    }

    fn fail(&mut self, why: &str) -> ! {
        let _ = self.child.kill();
        let _ = self.child.wait();
        panic!(
            "rsctl {}: {why}; killed\n--- stdout so far\n{}\n--- stderr so far\n{}",
            self.line,
            String::from_utf8_lossy(&self.out.lock()),
            String::from_utf8_lossy(&self.err.lock()),
        );
    }

    fn wait_blocking(mut self) -> Output {
        let status: ExitStatus = loop {
            if let Some(st) = self.child.try_wait().expect("waiting for rsctl") {
                break st;
            }
            if Instant::now() > self.deadline {
                let timeout = self.timeout;
                self.fail(&format!("still ran after {timeout:?}"));
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let (out, err) = (
            std::mem::replace(&mut self.out, Collected::empty()),
            std::mem::replace(&mut self.err, Collected::empty()),
        );
        Output {
            status,
            stdout: finish(out),
            stderr: finish(err),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A pipe read to its end on a thread of its own, into a buffer the runner can show at any time.
struct Collected {
    buf: Arc<Mutex<Vec<u8>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Collected {
    fn empty() -> Collected {
        Collected {
            buf: Arc::default(),
            thread: None,
        }
    }

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
    Collected {
        buf,
        thread: Some(thread),
    }
}

/// [`collect`] for stdout, also handing each line to `tx`; with `head`, the pipe is closed (the
/// rest unread) after that many lines.
fn collect_lines(
    pipe: impl Read + Send + 'static,
    tx: tokio::sync::mpsc::UnboundedSender<String>,
    head: Option<usize>,
) -> Collected {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = buf.clone();
    let thread = std::thread::spawn(move || {
        let mut reader = std::io::BufReader::new(pipe);
        let mut line = Vec::new();
        let mut count = 0;
        while head.is_none_or(|h| count < h) {
            line.clear();
            match std::io::BufRead::read_until(&mut reader, b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    sink.lock().unwrap().extend_from_slice(&line);
                    let text = String::from_utf8_lossy(&line);
                    let _ = tx.send(text.trim_end_matches(['\n', '\r']).to_string());
                    count += 1;
                }
            }
        }
        // `reader` (the pipe) is dropped here: with `head`, rsctl's next write meets a closed pipe.
    });
    Collected {
        buf,
        thread: Some(thread),
    }
}

fn finish(c: Collected) -> Vec<u8> {
    // The child has exited; its pipes close unless it left a grandchild holding them, which the
    // tests never do.
    if let Some(thread) = c.thread {
        thread.join().expect("pipe reader");
    }
    std::mem::take(&mut *c.buf.lock().unwrap())
}

/// Polls `done` every 10 ms until it holds; fails after `limit` (a bound on a hang, not a
/// timing the test depends on: make it generous).
pub async fn eventually(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
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

/// How long [`wait_for`] waits for a topology before the test fails.
pub const TOPOLOGY_PATIENCE: Duration = Duration::from_secs(20);

/// Waits until the client's topology satisfies `pred` and returns that snapshot; fails the test
/// (naming `what` and showing the last topology) after [`TOPOLOGY_PATIENCE`], or at once if the
/// client's snapshot channel closes (it never satisfies `pred` then).
pub async fn wait_for(
    client: &rsctl::client::Client,
    what: &str,
    pred: impl Fn(&rsctl::core::description::TopologyDescription) -> bool,
) -> rsctl::core::description::TopologyDescription {
    let mut rx = client.watch();
    let fut = async {
        loop {
            let t = rx.borrow_and_update().clone();
            if pred(&t) {
                return t;
            }
            if rx.changed().await.is_err() {
                panic!("the client stopped while waiting for {what}");
            }
        }
    };
    match tokio::time::timeout(TOPOLOGY_PATIENCE, fut).await {
        Ok(t) => t,
        Err(_) => panic!(
            "timed out waiting for {what}; topology: {:#?}",
            client.topology()
        ),
    }
}

/// A lab configuration for tests: set `rs0`, `nodes` members on ephemeral ports, elections and
/// heartbeats fast (electionTimeoutMillis 1000, heartbeatIntervalMillis 200), the rng seeded with
/// `seed`.
pub fn fast_lab_config(nodes: usize, seed: u64) -> rsctl::lab::server::LabConfig {
    rsctl::lab::server::LabConfig {
        set_name: "rs0".into(),
        nodes,
        base_port: 0,
        election_timeout: Duration::from_secs(1),
        heartbeat_interval: Duration::from_millis(200),
        seed,
        ..rsctl::lab::server::LabConfig::default()
    }
}
