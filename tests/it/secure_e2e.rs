//! Issue 7: every command end to end against `rsctl lab up --auth USER --tls --port 0`, the lab
//! run as a child process (a guard kills it when the test ends, however it ends): initiate a
//! fresh secured 3-member set with tags, initiate again, status (table and JSON), reads with
//! several modes and --explain, failover-watch --probe --json through a failover made with
//! `rsctl lab kill`; and the refusals: a wrong password (user, database and mechanism named), no
//! credentials, a CA that did not sign the members' certificates (each host and the reason
//! named), all exit 1.
//!
//! Every run is made with `-v`, and its stdout and stderr, like the lab's own output, are searched
//! for the password and the forms a leak could take (base64, hex, percent-encoded): one hit fails
//! the test.

use std::process::Output;
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

use crate::util::child_lab::ChildLab;
use crate::util::{stderr, stdout, Rsctl};

const USER: &str = "opsadmin";
/// Distinctive, so that a search for it (or an encoding of it) cannot hit anything else.
const PASSWORD: &str = "Quokka-Lantern-5150";
/// A wrong password; it must not be printed either.
const WRONG: &str = "Wombat-Kettle-8642";
/// How long one rsctl run may take before the test gives up on it (and kills it).
const RUN_LIMIT: Duration = Duration::from_secs(90);

/// Every form of a secret that must never appear in any output.
fn leak_forms(secret: &str) -> Vec<String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
    vec![
        secret.to_string(),
        b64.encode(secret),
        b64.encode(format!("{USER}:{secret}")),
        hex,
        percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
    ]
}

/// Fails on any form of either password in `text`.
fn assert_no_secret(what: &str, text: &str) {
    for secret in [PASSWORD, WRONG] {
        for form in leak_forms(secret) {
            assert!(
                !text.contains(&form),
                "{what} printed a secret ({form}):\n{text}"
            );
        }
    }
}

#[test]
fn the_leak_detector_catches_every_form() {
    for secret in [PASSWORD, WRONG] {
        for form in leak_forms(secret) {
            let text = format!("debug: sent {form} to the server");
            let caught = std::panic::catch_unwind(|| assert_no_secret("a leaky run", &text));
            assert!(caught.is_err(), "{form} was not caught");
        }
    }
    assert_no_secret(
        "a clean run",
        "authentication failed: user opsadmin on database admin",
    );
}

/// The output of one rsctl run.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    fn expect(&self, code: i32, what: &str) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "{what}: exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// A running `rsctl lab up --auth USER --tls`; killed (and its output checked) on drop.
struct SecuredLab {
    lab: ChildLab,
    set: String,
    hosts: Vec<String>,
    ca: String,
}

impl SecuredLab {
    /// Starts an uninitialized secured lab (`initiate: false`) or an initiated one. The password
    /// reaches the lab through RSCTL_LAB_PASSWORD or --auth-password-stdin, never argv.
    async fn start(set: &str, initiate: bool, password_on_stdin: bool) -> SecuredLab {
        let mut up = ChildLab::with(set)
            .verbose()
            .args(["--tls", "--auth", USER]);
        up = if initiate {
            up.args(["--tags", "dc=ny", "--tags", "dc=ny", "--tags", "dc=sf"])
        } else {
            up.uninitiated()
        };
        up = if password_on_stdin {
            up.args(["--auth-password-stdin"])
                .stdin(&format!("{PASSWORD}\n"))
        } else {
            up.env("RSCTL_LAB_PASSWORD", PASSWORD)
        };
        let lab = up.start().await;
        let ca = lab.value("tls-ca-file ").unwrap_or_default();
        let lab = SecuredLab {
            set: set.to_string(),
            hosts: lab.hosts.clone(),
            ca,
            lab,
        };
        assert_eq!(lab.hosts.len(), 3, "{:?}", lab.lines());
        assert!(
            std::path::Path::new(&lab.ca).starts_with(lab.lab.dir()),
            "the CA file is written under TMPDIR: {}",
            lab.ca
        );
        lab
    }

    fn lines(&self) -> Vec<String> {
        self.lab.output()
    }

    fn seeds(&self) -> String {
        self.hosts.join(",")
    }

    /// The URI without credentials: TLS with the lab's CA, the set named.
    fn uri(&self) -> String {
        format!(
            "mongodb://{}/?replicaSet={}&tls=true&tlsCAFile={}",
            self.seeds(),
            self.set,
            self.ca
        )
    }

    /// Runs rsctl with `-v` and `args`, `stdin` on its standard input; its output is checked for
    /// secrets before it is returned.
    async fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let (what, run) = self.command(args, stdin);
        checked(&what, run.run().await)
    }

    /// `rsctl -v ARGS` against this lab, `stdin` on its standard input, and a label for it.
    fn command(&self, args: &[&str], stdin: Option<&str>) -> (String, Rsctl) {
        let mut full = vec!["-v"];
        full.extend_from_slice(args);
        let mut run = self.lab.command(&full).timeout(RUN_LIMIT);
        if let Some(input) = stdin {
            run = run.stdin(input);
        }
        (format!("rsctl {full:?}"), run)
    }

    /// [`SecuredLab::command`] as USER, the password on stdin (`--username U --password-stdin`).
    fn command_as_user(&self, args: &[&str]) -> (String, Rsctl) {
        let uri = self.uri();
        let mut v = vec![
            "--uri",
            uri.as_str(),
            "--username",
            USER,
            "--password-stdin",
        ];
        v.extend_from_slice(args);
        self.command(&v, Some(&format!("{PASSWORD}\n")))
    }

    /// Runs rsctl as USER, the password on stdin (`--username U --password-stdin`).
    async fn run_as_user(&self, args: &[&str]) -> Run {
        let (what, run) = self.command_as_user(args);
        checked(&what, run.run().await)
    }
}

/// The output of the run `what`, once checked for secrets.
fn checked(what: &str, out: Output) -> Run {
    let run = Run {
        code: out.status.code(),
        stdout: stdout(&out),
        stderr: stderr(&out),
    };
    assert_no_secret(what, &run.all());
    run
}

impl Drop for SecuredLab {
    fn drop(&mut self) {
        let output = self.lab.kill();
        if !std::thread::panicking() {
            assert_no_secret("rsctl lab up", &output.join("\n"));
        }
    }
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secured_set_initiated_inspected_read_and_failed_over() {
    // The lab takes the password from RSCTL_LAB_PASSWORD; its members are fresh.
    let lab = SecuredLab::start("secure1", false, false).await;
    let members: Vec<String> = lab
        .hosts
        .iter()
        .zip(["dc=ny", "dc=ny", "dc=sf"])
        .map(|(h, t)| format!("{h},{t}"))
        .collect();
    let mut initiate = vec!["initiate", "--set", "secure1", "--wait-timeout", "60s"];
    for m in &members {
        initiate.extend_from_slice(&["--member", m]);
    }
    let uri_first = format!("mongodb://{}/?tls=true&tlsCAFile={}", lab.hosts[0], lab.ca);

    // Without credentials the lab (its user exists from the start, like a mongod that has
    // users) refuses replSetInitiate; nothing changes.
    let mut bare = vec!["--uri", uri_first.as_str()];
    bare.extend_from_slice(&initiate);
    let r = lab.run(&bare, None).await;
    r.expect(1, "initiate without credentials");
    assert!(r.stderr.contains("requires authentication"), "{}", r.stderr);
    assert!(r.stderr.contains("--username"), "a hint: {}", r.stderr);

    // Initiate as the user: authenticated over TLS, waits for the primary, prints the status.
    let mut with_user = vec![
        "--uri",
        uri_first.as_str(),
        "--username",
        USER,
        "--password-stdin",
    ];
    with_user.extend_from_slice(&initiate);
    let r = lab.run(&with_user, Some(&format!("{PASSWORD}\n"))).await;
    r.expect(0, "initiate");
    assert!(
        r.stderr
            .contains("initiated replica set \"secure1\" with 3 member(s)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("is ready"), "{}", r.stderr);
    // The status printed after initiate came from the members (authenticated), not from
    // rsctl's monitors alone: every member's tags and state are there.
    assert!(r.stdout.contains("set: secure1"), "{}", r.stdout);
    assert!(r.stdout.contains("PRIMARY"), "{}", r.stdout);
    assert_eq!(r.stdout.matches("SECONDARY").count(), 2, "{}", r.stdout);
    assert!(r.stdout.contains("dc=sf"), "{}", r.stdout);

    // Again: exit 0, already initiated, nothing changed.
    let r = lab.run(&with_user, Some(&format!("{PASSWORD}\n"))).await;
    r.expect(0, "initiate again");
    assert!(r.stderr.contains("already initiated"), "{}", r.stderr);

    // status, table and JSON, through the whole seed list.
    let r = lab.run_as_user(&["status"]).await;
    r.expect(0, "status");
    assert!(r.stdout.contains("set: secure1"), "{}", r.stdout);
    assert!(r.stdout.contains("ReplicaSetWithPrimary"), "{}", r.stdout);
    for h in &lab.hosts {
        assert!(r.stdout.contains(h.as_str()), "{h}: {}", r.stdout);
    }
    let r = lab.run_as_user(&["status", "--json"]).await;
    r.expect(0, "status --json");
    let st: Value = serde_json::from_str(&r.stdout).expect("status JSON");
    assert_eq!(st["set"], "secure1");
    assert_eq!(st["topology_type"], "ReplicaSetWithPrimary");
    assert!(st["source"].is_string(), "replSetGetStatus answered: {st}");
    assert_eq!(st["config_version"], 1);
    let rows = st["members"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{st}");
    let states: Vec<&str> = rows.iter().map(|m| m["state"].as_str().unwrap()).collect();
    assert_eq!(
        states.iter().filter(|s| **s == "PRIMARY").count(),
        1,
        "{st}"
    );
    assert_eq!(
        states.iter().filter(|s| **s == "SECONDARY").count(),
        2,
        "{st}"
    );
    assert_eq!(
        rows.iter().filter(|m| m["tags"]["dc"] == "sf").count(),
        1,
        "{st}"
    );
    let primary = st["primary"].as_str().unwrap().to_string();

    // Reads: primary; secondary with the sf tag (served by the one sf member), explained;
    // nearest with --explain --json.
    let r = lab.run_as_user(&["read", "test.c"]).await;
    r.expect(0, "read primary");
    assert!(
        r.stderr.contains(&format!("served by {primary} (PRIMARY")),
        "{}",
        r.stderr
    );
    let sf = rows.iter().find(|m| m["tags"]["dc"] == "sf").unwrap()["host"]
        .as_str()
        .unwrap()
        .to_string();
    let r = lab
        .run_as_user(&[
            "read",
            "test.c",
            "--pref",
            "secondary",
            "--tags",
            "dc=sf",
            "--explain",
        ])
        .await;
    r.expect(0, "read secondary dc=sf --explain");
    assert!(r.stderr.contains("mode secondary"), "{}", r.stderr);
    let picked = r
        .stderr
        .lines()
        .find(|l| l.contains("picked"))
        .unwrap_or_else(|| panic!("no picked line: {}", r.stderr));
    assert!(picked.contains(&sf), "{picked}");
    let r = lab
        .run_as_user(&["read", "test.c", "--pref", "nearest", "--explain", "--json"])
        .await;
    r.expect(0, "read nearest --explain --json");
    let explain: Value = r
        .stderr
        .lines()
        .find_map(|l| serde_json::from_str::<Value>(l).ok())
        .unwrap_or_else(|| panic!("no explain JSON: {}", r.stderr));
    assert_eq!(explain["mode"], "nearest", "{explain}");
    assert!(explain["served_by"].is_string(), "{explain}");

    // failover-watch --probe --json while the primary is killed with `rsctl lab kill`: once the
    // watch printed its first line, and Ctrl-C ends it once the election and the outage are in.
    let (what, watch) = lab.command_as_user(&[
        "--heartbeat",
        "500ms",
        "--json",
        "failover-watch",
        "--probe",
        "--probe-interval",
        "100ms",
        "--probe-timeout",
        "300ms",
    ]);
    let mut watch = watch.spawn();
    watch.line_where("the first JSON line", |_| true).await;
    let k = lab
        .run(&["lab", "kill", &primary, "--set", "secure1"], None)
        .await;
    k.expect(0, "lab kill");
    let (mut elected, mut outage) = (false, false);
    watch
        .line_where("an election and the end of the outage", |l| {
            let v: Value = serde_json::from_str(l).unwrap();
            elected |= v["type"] == "primary_elected";
            outage |= v["type"] == "outage";
            elected && outage
        })
        .await;
    watch.interrupt();
    let w = checked(&what, watch.finish().await);
    w.expect(0, "failover-watch");
    let events = json_lines(&w.stdout);
    for e in &events {
        crate::json_docs::check_watch_line(e).unwrap_or_else(|why| panic!("{why}"));
    }
    let of = |t: &str| events.iter().filter(|e| e["type"] == t).collect::<Vec<_>>();
    assert_eq!(events[0]["type"], "topology", "{}", w.stdout);
    assert_eq!(events[0]["primary"], primary.as_str(), "{}", w.stdout);
    assert!(
        of("primary_lost")
            .iter()
            .any(|e| e["host"] == primary.as_str()),
        "{}",
        w.stdout
    );
    let elected = of("primary_elected");
    let new = elected
        .last()
        .unwrap_or_else(|| panic!("no election: {}", w.stdout));
    assert_ne!(new["host"], primary.as_str(), "{new}");
    let outage = of("outage")
        .first()
        .copied()
        .unwrap_or_else(|| panic!("no outage: {}\n{}", w.stdout, w.stderr))
        .clone();
    assert!(outage["duration_ms"].as_i64().unwrap() > 0, "{outage}");
    let summary = events.last().unwrap();
    assert_eq!(summary["type"], "summary", "{summary}");
    assert!(summary["probes_ok"].as_u64().unwrap() > 0, "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_name_the_culprit_and_never_a_secret() {
    // The lab reads its password from stdin and initiates itself.
    let lab = SecuredLab::start("secure2", true, true).await;
    let uri = lab.uri();
    let with_user = |extra: &[&'static str]| {
        let mut v: Vec<String> = vec!["--uri".into(), uri.clone()];
        v.extend(["--username", USER, "--password-stdin", "--timeout", "10s"].map(String::from));
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };

    // The right password works (and the lab got it from stdin).
    let args = with_user(&["status", "--json"]);
    let r = lab.run(&strs(&args), Some(&format!("{PASSWORD}\n"))).await;
    r.expect(0, "status");

    // A wrong password: exit 1 from every command, naming user, database and mechanism.
    for cmd in [
        vec!["status"],
        vec!["status", "--json"],
        vec!["read", "test.c"],
        vec!["failover-watch", "--duration", "20s"],
        vec!["failover-watch", "--probe", "--duration", "20s"],
        vec!["initiate"],
    ] {
        let args = with_user(&cmd);
        let r = lab.run(&strs(&args), Some(&format!("{WRONG}\n"))).await;
        r.expect(1, &format!("{cmd:?} with a wrong password"));
        for needle in [USER, "admin", "SCRAM-SHA-256", "authentication failed"] {
            assert!(
                r.stderr.contains(needle),
                "{cmd:?}: {needle} missing: {}",
                r.stderr
            );
        }
    }
    // SCRAM-SHA-1 chosen in the URI is the mechanism named.
    let sha1 = format!("{uri}&authMechanism=SCRAM-SHA-1");
    let r = lab
        .run(
            &[
                "--uri",
                &sha1,
                "--username",
                USER,
                "--password-stdin",
                "status",
            ],
            Some(&format!("{WRONG}\n")),
        )
        .await;
    r.expect(1, "status, SCRAM-SHA-1, wrong password");
    assert!(r.stderr.contains("SCRAM-SHA-1"), "{}", r.stderr);

    // No credentials: status does not print a table of unreachable members with exit 0.
    let r = lab.run(&["--uri", &uri, "status"], None).await;
    r.expect(1, "status without credentials");
    assert!(r.stderr.contains("requires authentication"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let r = lab
        .run(
            &[
                "--uri",
                &uri,
                "failover-watch",
                "--probe",
                "--duration",
                "20s",
            ],
            None,
        )
        .await;
    r.expect(1, "failover-watch --probe without credentials");
    assert!(r.stderr.contains("requires authentication"), "{}", r.stderr);
    let r = lab.run(&["--uri", &uri, "read", "test.c"], None).await;
    r.expect(1, "read without credentials");
    assert!(r.stderr.contains("requires authentication"), "{}", r.stderr);
    assert!(r.stderr.contains("--username"), "a hint: {}", r.stderr);

    // A CA that did not sign the members' certificates: exit 1 at once, each host and the
    // reason named (not exit 3 after the selection timeout).
    let other = rsctl::lab::tls::LabTls::generate().unwrap();
    let other_ca = other.write_ca(lab.lab.dir(), "other").unwrap();
    let wrong_ca = format!(
        "mongodb://{}/?replicaSet=secure2&tls=true&tlsCAFile={}",
        lab.seeds(),
        other_ca.display()
    );
    for cmd in [
        vec!["status"],
        vec!["read", "test.c"],
        vec!["failover-watch", "--duration", "20s"],
    ] {
        let mut args = vec!["--uri", &wrong_ca, "--username", USER, "--password-stdin"];
        args.extend_from_slice(&["--timeout", "30s"]);
        args.extend_from_slice(&cmd);
        let started = std::time::Instant::now();
        let r = lab.run(&args, Some(&format!("{PASSWORD}\n"))).await;
        r.expect(1, &format!("{cmd:?} with the wrong CA"));
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{cmd:?} waited for the selection timeout"
        );
        for h in &lab.hosts {
            assert!(r.stderr.contains(h.as_str()), "{cmd:?}: {h}: {}", r.stderr);
        }
        // The other CA has the lab CA's name but not its key: rustls says BadSignature.
        assert!(
            r.stderr.contains("invalid peer certificate: BadSignature"),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("tlsCAFile"), "{}", r.stderr);
    }
    // Without tlsCAFile only the webpki roots are trusted: an unknown issuer.
    let no_ca = format!("mongodb://{}/?replicaSet=secure2&tls=true", lab.seeds());
    let r = lab
        .run(
            &[
                "--uri",
                &no_ca,
                "--username",
                USER,
                "--password-stdin",
                "status",
            ],
            Some(&format!("{PASSWORD}\n")),
        )
        .await;
    r.expect(1, "status without tlsCAFile");
    assert!(
        r.stderr.contains("invalid peer certificate: UnknownIssuer"),
        "{}",
        r.stderr
    );
    // initiate names the host and the reason too.
    let first = format!(
        "mongodb://{}/?tls=true&tlsCAFile={}",
        lab.hosts[0],
        other_ca.display()
    );
    let r = lab
        .run(
            &[
                "--uri",
                &first,
                "--username",
                USER,
                "--password-stdin",
                "initiate",
            ],
            Some(&format!("{PASSWORD}\n")),
        )
        .await;
    r.expect(1, "initiate with the wrong CA");
    assert!(r.stderr.contains(lab.hosts[0].as_str()), "{}", r.stderr);
    assert!(
        r.stderr.contains("invalid peer certificate: BadSignature"),
        "{}",
        r.stderr
    );
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}
