//! `rsctl lab up` as a child process, the way a user runs it in a second terminal, for CLI
//! end-to-end tests: ephemeral ports on 127.0.0.1, its own registry folder (`RSCTL_LAB_DIR`), and
//! it stops on its own: `down()` asks it to, and dropping it (a failed test) kills it.

#![allow(dead_code)]

use std::process::{Output, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The rsctl binary under test.
pub const RSCTL: &str = env!("CARGO_BIN_EXE_rsctl");

/// How long any one rsctl command may take before the test gives up on it.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `rsctl lab up --initiate`.
pub struct ChildLab {
    child: Child,
    dir: tempfile::TempDir,
    /// The replica set name.
    pub set: String,
    /// The members' `127.0.0.1:PORT`, in order.
    pub hosts: Vec<String>,
}

impl ChildLab {
    /// Starts `rsctl lab up --set SET --port 0 --initiate --election-timeout 1s
    /// --heartbeat-interval 200ms EXTRA...` and waits (at most 30 s) for its `ready` line.
    pub async fn up(set: &str, extra: &[&str]) -> ChildLab {
        let dir = tempfile::tempdir().expect("a temp dir");
        let mut child = Command::new(RSCTL)
            .args(["lab", "up", "--set", set, "--port", "0", "--initiate"])
            .args(["--election-timeout", "1s", "--heartbeat-interval", "200ms"])
            .args(extra)
            .env("RSCTL_LAB_DIR", dir.path())
            .env_remove("MONGODB_URI")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("rsctl lab up starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let hosts = tokio::time::timeout(Duration::from_secs(30), async {
            let mut hosts = Vec::new();
            while let Some(line) = lines.next_line().await.expect("lab stdout") {
                if line == "ready" {
                    return hosts;
                }
                if let Some(rest) = line.strip_prefix("member ") {
                    hosts.push(rest.split_whitespace().nth(1).unwrap().to_string());
                }
            }
            panic!("rsctl lab up ended before `ready`");
        })
        .await
        .expect("the lab is ready within 30 s");
        ChildLab {
            child,
            dir,
            set: set.to_string(),
            hosts,
        }
    }

    /// The seed list (`h1,h2,h3`).
    pub fn seeds(&self) -> String {
        self.hosts.join(",")
    }

    /// Runs `rsctl ARGS` against this lab's registry (no colour, no MONGODB_URI).
    pub async fn rsctl(&self, args: &[&str]) -> Output {
        let run = Command::new(RSCTL)
            .args(args)
            .env("RSCTL_LAB_DIR", self.dir.path())
            .env("NO_COLOR", "1")
            .env_remove("MONGODB_URI")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output();
        tokio::time::timeout(COMMAND_TIMEOUT, run)
            .await
            .unwrap_or_else(|_| panic!("rsctl {args:?} finished within {COMMAND_TIMEOUT:?}"))
            .expect("rsctl runs")
    }

    /// Runs `rsctl lab ARGS` (a control command) and checks that it succeeded.
    pub async fn control(&self, args: &[&str]) {
        let mut all = vec!["lab"];
        all.extend_from_slice(args);
        let o = self.rsctl(&all).await;
        assert!(
            o.status.success(),
            "rsctl {all:?}: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }

    /// `rsctl -u SEEDS status --json`, parsed.
    pub async fn status(&self) -> serde_json::Value {
        let seeds = self.seeds();
        let o = self.rsctl(&["-u", &seeds, "status", "--json"]).await;
        assert!(o.status.success(), "status: {o:?}");
        serde_json::from_slice(&o.stdout).expect("status --json is JSON")
    }

    /// Stops the lab with `rsctl lab down` and waits for the process to end.
    pub async fn down(mut self) {
        self.control(&["down", "--set", &self.set.clone()]).await;
        let _ = tokio::time::timeout(Duration::from_secs(15), self.child.wait()).await;
    }
}
