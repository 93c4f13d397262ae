//! `rsctl lab up` as a child process, the way a user runs it in a second terminal, for CLI
//! end-to-end tests: ephemeral ports on 127.0.0.1, its own registry and temp folder
//! (`RSCTL_LAB_DIR`, `TMPDIR`), every line it prints kept, and it stops on its own: `down()` asks
//! it to, and dropping it (a failed test) kills it.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use super::{assert_code, command, Rsctl};

/// How long `lab up` may take to print `ready`.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// A running `rsctl lab up`.
pub struct ChildLab {
    child: Child,
    readers: Vec<std::thread::JoinHandle<()>>,
    dir: PathBuf,
    /// The folder `dir` names when the lab made its own (removed when the lab is dropped).
    _own_dir: Option<tempfile::TempDir>,
    /// Every line the lab printed so far, stdout and stderr interleaved as they arrived.
    output: Arc<Mutex<Vec<String>>>,
    /// The replica set name.
    pub set: String,
    /// What it printed on stdout up to and including `ready`.
    pub lines: Vec<String>,
    /// The members' `127.0.0.1:PORT`, in order.
    pub hosts: Vec<String>,
    /// The mongos routers' `127.0.0.1:PORT` (with `--mongos N`), in order.
    pub routers: Vec<String>,
}

/// How to start a [`ChildLab`]; [`ChildLab::up`] is the common case.
pub struct LabUp {
    set: String,
    dir: Option<PathBuf>,
    verbose: bool,
    initiate: bool,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    stdin: Option<String>,
}

impl LabUp {
    /// Extra `lab up` arguments.
    pub fn args<S: AsRef<std::ffi::OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> LabUp {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Without `--initiate`: the members start fresh.
    pub fn uninitiated(mut self) -> LabUp {
        self.initiate = false;
        self
    }

    /// `rsctl -v lab up ...`.
    pub fn verbose(mut self) -> LabUp {
        self.verbose = true;
        self
    }

    /// One environment variable for the lab process.
    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> LabUp {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Its registry and TMPDIR in `dir`, which the test owns (and may look at after the lab has
    /// gone), instead of a temp folder of its own.
    pub fn dir(mut self, dir: &Path) -> LabUp {
        self.dir = Some(dir.to_path_buf());
        self
    }

    /// Written to the lab's stdin, which is then closed.
    pub fn stdin(mut self, input: &str) -> LabUp {
        self.stdin = Some(input.to_string());
        self
    }

    /// Starts `rsctl [-v] lab up --set SET --port 0 [--initiate] --election-timeout 1s
    /// --heartbeat-interval 200ms ARGS...` and waits (at most a minute) for its `ready` line.
    pub async fn start(self) -> ChildLab {
        tokio::task::spawn_blocking(move || self.start_blocking())
            .await
            .expect("the lab starter thread")
    }

    fn start_blocking(self) -> ChildLab {
        let (dir, own_dir) = match self.dir {
            Some(dir) => (dir, None),
            None => {
                let tmp = tempfile::tempdir().expect("a temp dir");
                (tmp.path().to_path_buf(), Some(tmp))
            }
        };
        let mut cmd: Command = command();
        if self.verbose {
            cmd.arg("-v");
        }
        cmd.args(["lab", "up", "--set", &self.set, "--port", "0"]);
        if self.initiate {
            cmd.arg("--initiate");
        }
        cmd.args(["--election-timeout", "1s", "--heartbeat-interval", "200ms"])
            .args(&self.args)
            .env("RSCTL_LAB_DIR", &dir)
            .env("TMPDIR", &dir)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if self.stdin.is_some() {
            cmd.stdin(Stdio::piped());
        }
        let mut child = cmd.spawn().expect("rsctl lab up starts");
        if let Some(input) = &self.stdin {
            let mut pipe = child.stdin.take().unwrap();
            pipe.write_all(input.as_bytes()).expect("lab stdin");
        }
        let output = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel::<String>();
        let readers = vec![
            keep_lines(child.stdout.take().unwrap(), output.clone(), Some(tx)),
            keep_lines(child.stderr.take().unwrap(), output.clone(), None),
        ];
        let mut lab = ChildLab {
            child,
            readers,
            dir,
            _own_dir: own_dir,
            output,
            set: self.set,
            lines: Vec::new(),
            hosts: Vec::new(),
            routers: Vec::new(),
        };
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).unwrap_or_else(|e| {
                panic!("rsctl lab up printed no `ready` ({e}): {:?}", lab.output())
            });
            lab.lines.push(line.clone());
            if line == "ready" {
                break;
            }
            let mut words = line.split_whitespace();
            match (words.next(), words.nth(1)) {
                (Some("member"), Some(host)) => lab.hosts.push(host.to_string()),
                (Some("mongos"), Some(host)) => lab.routers.push(host.to_string()),
                _ => {}
            }
        }
        lab
    }
}

/// Reads `pipe` line by line on a thread of its own into `log` (and `tx`, while it listens).
fn keep_lines(
    pipe: impl Read + Send + 'static,
    log: Arc<Mutex<Vec<String>>>,
    tx: Option<mpsc::Sender<String>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            log.lock().unwrap().push(line.clone());
            if let Some(tx) = &tx {
                let _ = tx.send(line);
            }
        }
    })
}

impl ChildLab {
    /// `rsctl lab up --set SET --port 0 --initiate --election-timeout 1s
    /// --heartbeat-interval 200ms EXTRA...`, ready.
    pub async fn up(set: &str, extra: &[&str]) -> ChildLab {
        ChildLab::with(set).args(extra).start().await
    }

    /// A lab to configure before [`LabUp::start`].
    pub fn with(set: &str) -> LabUp {
        LabUp {
            set: set.to_string(),
            dir: None,
            verbose: false,
            initiate: true,
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
        }
    }

    /// Its registry, which is also its TMPDIR (where it writes its CA and certificates).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Everything it printed so far (stdout and stderr).
    pub fn output(&self) -> Vec<String> {
        self.output.lock().unwrap().clone()
    }

    /// The rest of the first line before `ready` that starts with `prefix`.
    pub fn value(&self, prefix: &str) -> Option<String> {
        self.lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::to_string)
    }

    /// The seed list (`h1,h2,h3`).
    pub fn seeds(&self) -> String {
        self.hosts.join(",")
    }

    /// `rsctl ARGS` against this lab's registry (and TMPDIR), to configure further.
    pub fn command<S: AsRef<std::ffi::OsStr>>(&self, args: impl IntoIterator<Item = S>) -> Rsctl {
        Rsctl::new(args)
            .env("RSCTL_LAB_DIR", &self.dir)
            .env("TMPDIR", &self.dir)
    }

    /// Runs `rsctl ARGS` to completion against this lab's registry (see [`Rsctl`]).
    pub async fn rsctl(&self, args: &[&str]) -> Output {
        self.command(args).run().await
    }

    /// Runs `rsctl lab ARGS` (a control command) and checks that it succeeded.
    pub async fn control(&self, args: &[&str]) {
        let mut all = vec!["lab"];
        all.extend_from_slice(args);
        let o = self.rsctl(&all).await;
        assert_code(&o, 0);
    }

    /// `rsctl -u SEEDS status --json`, parsed.
    pub async fn status(&self) -> serde_json::Value {
        let seeds = self.seeds();
        let o = self.rsctl(&["-u", &seeds, "status", "--json"]).await;
        assert_code(&o, 0);
        super::json(&o)
    }

    /// Stops the lab with `rsctl lab down`, checks that the process ends within 30 s, and
    /// returns how it ended and everything it printed.
    pub async fn down(mut self) -> (ExitStatus, Vec<String>) {
        self.control(&["down", "--set", &self.set.clone()]).await;
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("waiting for the lab") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "rsctl lab up still runs 30 s after `lab down`: {:?}",
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        // Its pipes are closed: the readers finish.
        for reader in std::mem::take(&mut self.readers) {
            let _ = reader.join();
        }
        (status, self.output())
    }
}

impl ChildLab {
    /// Kills the lab at once and returns everything it printed.
    pub fn kill(&mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for reader in std::mem::take(&mut self.readers) {
            let _ = reader.join();
        }
        self.output()
    }
}

impl Drop for ChildLab {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
