//! `rsctl lab`: run a simulated replica set in the foreground (`up`) and control it from another
//! terminal (kill, start, pause, resume, partition, heal, latency, lag, clock, down, ls).
//!
//! `up` prints one line per member (`member I HOST:PORT`), one per mongos router with `--mongos N`
//! (`mongos I HOST:PORT`; routers take kill/start/pause/resume/latency like members), with
//! `--tls` `tls-ca-file PATH` and `tls-client-cert PATH` (plus `x509-user DN` with `--auth`),
//! and then a line that is exactly `ready`; elections go to
//! stderr as `<RFC 3339 UTC> elected HOST:PORT term N`. The other subcommands find the running
//! lab through the registry in [`crate::lab::control`].

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use tokio::sync::Notify;

use crate::cli::interrupt::Interrupt;
use crate::cli::parse_duration;
use crate::core::description::Tags;
use crate::lab::control::{self, ControlReply, ControlRequest, LabEntry};
use crate::lab::server::{Lab, LabConfig};

/// Arguments of `rsctl lab`.
#[derive(Debug, Args)]
pub struct LabArgs {
    #[command(subcommand)]
    pub command: LabCommand,
}

/// The `rsctl lab` subcommands.
#[derive(Debug, Subcommand)]
pub enum LabCommand {
    /// Start fresh, uninitialized members (like `mongod --replSet NAME`) and run until Ctrl-C or
    /// `rsctl lab down`.
    Up(UpArgs),
    /// Crash a member: its port closes and its connections drop.
    Kill(HostArgs),
    /// Restart a killed member on the same port; it rejoins as a secondary.
    Start(HostArgs),
    /// Hang a member: connections are accepted but nothing is answered.
    Pause(HostArgs),
    /// Undo `pause`.
    Resume(HostArgs),
    /// Cut a member off from the others (clients still reach it).
    Partition(HostArgs),
    /// Undo `partition`.
    Heal(HostArgs),
    /// Delay every reply of a member (0s to remove).
    Latency(DelayArgs),
    /// Make a member apply the primary's writes late (0s to remove).
    Lag(DelayArgs),
    /// Skew a member's wall clock: +2m runs it two minutes ahead, -30s behind, 0 sets it right.
    /// Its writes as primary (and the periodic no-op) carry the skewed date, so a lagging
    /// secondary's lastWriteDate falls that far behind the primary's at once.
    Clock(ClockArgs),
    /// Stop a running lab.
    Down(SetArg),
    /// List the running labs.
    Ls,
}

/// `rsctl lab up`.
#[derive(Debug, Args)]
pub struct UpArgs {
    /// The replica set name.
    #[arg(long, default_value = "rs0", value_name = "NAME")]
    pub set: String,
    /// How many members.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=50))]
    pub nodes: u16,
    /// First member's port (the others follow); 0 = ephemeral ports.
    #[arg(long, default_value_t = 27017)]
    pub port: u16,
    /// Tags of one member, in member order: --tags dc=ny,rack=1 --tags dc=sf.
    #[arg(long, value_name = "K=V,...", value_parser = parse_tags)]
    pub tags: Vec<Tags>,
    /// The last member is an arbiter (used with --initiate).
    #[arg(long)]
    pub arbiter: bool,
    /// Initiate the set with every member and its tags, and print `ready` once a primary is
    /// elected.
    #[arg(long)]
    pub initiate: bool,
    /// electionTimeoutMillis.
    #[arg(long, default_value = "10s", value_name = "DUR", value_parser = parse_duration)]
    pub election_timeout: Duration,
    /// heartbeatIntervalMillis; lowered (with a warning) to half the election timeout when
    /// larger, so that a late heartbeat does not make the primary flap.
    #[arg(long, default_value = "2s", value_name = "DUR", value_parser = parse_duration)]
    pub heartbeat_interval: Duration,
    /// How long initial sync takes: a member that receives a config (at --initiate, or when
    /// added) stays in STARTUP2 this long, copying the data, before it becomes SECONDARY and
    /// may stand for election.
    #[arg(long, default_value = "300ms", value_name = "DUR", value_parser = parse_duration)]
    pub initial_sync: Duration,
    /// How often an idle primary writes a no-op to the oplog (mongod's periodicNoopIntervalSecs;
    /// 0s: never; else at least 100ms). It keeps lastWriteDate moving, so drivers can tell how
    /// stale a secondary is.
    #[arg(long, default_value = "10s", value_name = "DUR", value_parser = parse_duration)]
    pub periodic_noop_interval: Duration,
    /// Delay every reply of a member from the start: --latency 127.0.0.1:27018=50ms.
    #[arg(long, value_name = "HOST:PORT=DUR", value_parser = parse_latency)]
    pub latency: Vec<(String, Duration)>,
    /// Seed of the lab's rng (election jitter, ids).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Also run N mongos routers in front of the set (a one-shard cluster), on the ports after
    /// the members' (ephemeral with --port 0). They take kill, start, pause, resume and latency.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=50))]
    pub mongos: u16,
    /// Require authentication (SCRAM-SHA-1/256) as this user of the admin database; repeatable.
    /// USER alone takes the password from --auth-password-stdin or $RSCTL_LAB_PASSWORD;
    /// USER:PASSWORD also works but shows the password to anyone who can run `ps`. The users exist
    /// from the start, so every connection must authenticate (no localhost exception), even to
    /// initiate.
    #[arg(long, value_name = "USER[:PASSWORD]", value_parser = parse_auth)]
    pub auth: Vec<AuthArg>,
    /// Read the password of every --auth USER given without one from the first line of
    /// standard input (else $RSCTL_LAB_PASSWORD is used).
    #[arg(long = "auth-password-stdin", requires = "auth")]
    pub auth_password_stdin: bool,
    /// Serve TLS only, with a fresh CA and a certificate for 127.0.0.1 and localhost; prints
    /// `tls-ca-file PATH` (use it as tlsCAFile) and `tls-client-cert PATH` (a client certificate
    /// and key signed by the CA, for tlsCertificateKeyFile and MONGODB-X509). Client
    /// certificates are verified when presented.
    #[arg(long)]
    pub tls: bool,
    /// With --tls: refuse connections without a client certificate (mongod's default).
    #[arg(long, requires = "tls")]
    pub tls_require_client_cert: bool,
    /// With --tls: serve this certificate chain and key (one PEM file, like mongod's
    /// tlsCertificateKeyFile) instead of a generated one. Needs --tls-ca-file.
    #[arg(long, value_name = "PEM", requires_all = ["tls", "tls_ca_file"])]
    pub tls_cert_file: Option<std::path::PathBuf>,
    /// With --tls-cert-file: the CA (PEM) that issued it, printed as `tls-ca-file` and trusted
    /// for client certificates (like mongod's tlsCAFile).
    #[arg(long, value_name = "PEM", requires = "tls_cert_file")]
    pub tls_ca_file: Option<std::path::PathBuf>,
}

/// Which running lab to control.
#[derive(Debug, Args)]
pub struct SetArg {
    /// The lab's replica set name (default: the only lab running).
    #[arg(long, value_name = "NAME")]
    pub set: Option<String>,
}

/// A member of a running lab.
#[derive(Debug, Args)]
pub struct HostArgs {
    /// The member (or mongos router), as HOST:PORT.
    pub host: String,
    #[command(flatten)]
    pub set: SetArg,
}

/// A member and a delay.
#[derive(Debug, Args)]
pub struct DelayArgs {
    /// The member (or mongos router, for latency), as HOST:PORT.
    pub host: String,
    /// The delay (e.g. 50ms, 2s).
    #[arg(value_parser = parse_duration)]
    pub delay: Duration,
    #[command(flatten)]
    pub set: SetArg,
}

/// The shortest `--periodic-noop-interval` (mongod's periodicNoopIntervalSecs is at least 1 s;
/// the lab allows faster for tests, but not an oplog entry per millisecond).
const MIN_PERIODIC_NOOP_INTERVAL: Duration = Duration::from_millis(100);

/// A member and a clock offset.
#[derive(Debug, Args)]
pub struct ClockArgs {
    /// The member, as HOST:PORT.
    pub host: String,
    /// How far its clock is off: +2m (ahead), -30s (behind), 0 (right).
    #[arg(value_name = "OFFSET", allow_hyphen_values = true, value_parser = parse_offset)]
    pub offset: i64,
    #[command(flatten)]
    pub set: SetArg,
}

/// Parses a signed duration (`+2m`, `-30s`, `2m`, `0`) into milliseconds.
pub fn parse_offset(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'-') => (-1, &t[1..]),
        Some(b'+') => (1, &t[1..]),
        _ => (1, t),
    };
    let d = if rest.trim() == "0" {
        Duration::ZERO
    } else {
        parse_duration(rest).map_err(|_| {
            format!("invalid clock offset \"{s}\": expected e.g. +2m, -30s, 500ms or 0")
        })?
    };
    i64::try_from(d.as_millis())
        .ok()
        .filter(|ms| *ms <= 100 * 365 * 24 * 3_600_000)
        .map(|ms| sign * ms)
        .ok_or_else(|| format!("clock offset \"{s}\" is out of range (at most 100 years)"))
}

/// `+2m`, `-30s`: a clock offset as `rsctl lab clock` takes it.
fn show_offset(ms: i64) -> String {
    let sign = if ms < 0 { '-' } else { '+' };
    let d = humantime::format_duration(Duration::from_millis(ms.unsigned_abs()));
    format!("{sign}{}", d.to_string().replace(' ', ""))
}

/// Parses `dc=ny,rack=1`.
pub fn parse_tags(s: &str) -> Result<Tags, String> {
    let mut tags = Tags::new();
    for pair in s.split(',').filter(|p| !p.trim().is_empty()) {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| format!("invalid tag \"{pair}\" in \"{s}\": expected KEY=VALUE"))?;
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() {
            return Err(format!(
                "invalid tag \"{pair}\" in \"{s}\": the key is empty"
            ));
        }
        tags.insert(k.to_string(), v.to_string());
    }
    Ok(tags)
}

/// The environment variable `lab up --auth USER` takes the password from.
pub const PASSWORD_ENV: &str = "RSCTL_LAB_PASSWORD";

/// One `--auth` argument: a user, with the password when given as USER:PASSWORD. `Debug` hides
/// the password.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthArg {
    /// The user name (in the admin database).
    pub user: String,
    /// The password, when it was given on the command line.
    pub password: Option<String>,
}

impl std::fmt::Debug for AuthArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = if self.password.is_some() { ":****" } else { "" };
        write!(f, "AuthArg({}{shown})", self.user)
    }
}

/// Parses `USER` or `USER:PASSWORD` (the password may contain ':'). Errors never echo the text
/// (it may hold a password).
pub fn parse_auth(s: &str) -> Result<AuthArg, String> {
    let (user, password) = match s.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (s, None),
    };
    if user.is_empty() || password == Some("") {
        return Err(
            "expected USER (password from --auth-password-stdin or $RSCTL_LAB_PASSWORD) or \
             USER:PASSWORD, with a non-empty user and password"
                .to_string(),
        );
    }
    Ok(AuthArg {
        user: user.to_string(),
        password: password.map(str::to_string),
    })
}

/// The users of `--auth`: passwords given as USER:PASSWORD, else the one read by `read_stdin`
/// (with --auth-password-stdin) or found in `env` ($RSCTL_LAB_PASSWORD). Read at most once.
/// Errors (exit 2) name the user and where the password may come from, never a password.
pub fn resolve_users(
    args: &[AuthArg],
    from_stdin: bool,
    env: Option<String>,
    read_stdin: impl FnOnce() -> std::io::Result<String>,
) -> anyhow::Result<Vec<crate::lab::auth::UserSpec>> {
    let needing: Vec<&str> = args
        .iter()
        .filter(|a| a.password.is_none())
        .map(|a| a.user.as_str())
        .collect();
    let shared = if needing.is_empty() {
        if from_stdin {
            return Err(crate::cli::exit::usage(
                "--auth-password-stdin: every --auth already has USER:PASSWORD; give --auth USER",
            ));
        }
        None
    } else if from_stdin {
        let line = read_stdin().context("--auth-password-stdin: reading standard input")?;
        Some(line.trim_end_matches(['\r', '\n']).to_string())
    } else {
        env
    };
    let shared = match shared {
        Some(p) if !p.is_empty() => Some(p),
        Some(_) => {
            return Err(crate::cli::exit::usage(format!(
                "--auth {}: the password is empty",
                needing.join(", ")
            )))
        }
        None if needing.is_empty() => None,
        None => {
            return Err(crate::cli::exit::usage(format!(
                "--auth {}: no password: give --auth-password-stdin (first line of stdin) or set \
                 {PASSWORD_ENV} (USER:PASSWORD works too, but shows the password in ps)",
                needing.join(", ")
            )))
        }
    };
    Ok(args
        .iter()
        .map(|a| crate::lab::auth::UserSpec {
            user: a.user.clone(),
            password: a
                .password
                .clone()
                .or_else(|| shared.clone())
                .unwrap_or_default(),
        })
        .collect())
}

/// Parses `HOST:PORT=DUR`.
fn parse_latency(s: &str) -> Result<(String, Duration), String> {
    let (host, d) = s.rsplit_once('=').ok_or_else(|| {
        format!("invalid latency \"{s}\": expected HOST:PORT=DUR, e.g. 127.0.0.1:27018=50ms")
    })?;
    Ok((host.trim().to_string(), parse_duration(d)?))
}

fn show_tags(t: &Tags) -> String {
    t.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Writes a line on stdout; a closed stdout (`| head`) is not an error for a server.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Runs `rsctl lab ...`: `up` serves until Ctrl-C or SIGTERM (`interrupt`); the other
/// subcommands are abandoned on Ctrl-C with exit 130.
pub async fn run(args: LabArgs, interrupt: &Interrupt) -> anyhow::Result<()> {
    if let LabCommand::Up(up) = args.command {
        return run_up(up, interrupt).await;
    }
    tokio::select! {
        r = run_control(args.command) => r,
        _ = interrupt.wait() => Err(anyhow::Error::new(super::exit::Interrupted)),
    }
}

/// Every `rsctl lab` subcommand but `up`: one request to a running lab (or `ls`).
async fn run_control(command: LabCommand) -> anyhow::Result<()> {
    let (set, request) = match command {
        LabCommand::Up(_) => anyhow::bail!("lab up is not a control request"),
        LabCommand::Ls => return run_ls().await,
        LabCommand::Kill(a) => (a.set.set, ControlRequest::Kill { host: a.host }),
        LabCommand::Start(a) => (a.set.set, ControlRequest::Start { host: a.host }),
        LabCommand::Pause(a) => (a.set.set, ControlRequest::Pause { host: a.host }),
        LabCommand::Resume(a) => (a.set.set, ControlRequest::Resume { host: a.host }),
        LabCommand::Partition(a) => (a.set.set, ControlRequest::Partition { host: a.host }),
        LabCommand::Heal(a) => (a.set.set, ControlRequest::Heal { host: a.host }),
        LabCommand::Latency(a) => (
            a.set.set,
            ControlRequest::Latency {
                host: a.host,
                ms: a.delay.as_millis() as u64,
            },
        ),
        LabCommand::Lag(a) => (
            a.set.set,
            ControlRequest::Lag {
                host: a.host,
                ms: a.delay.as_millis() as u64,
            },
        ),
        LabCommand::Clock(a) => (
            a.set.set,
            ControlRequest::Clock {
                host: a.host,
                offset_ms: a.offset,
            },
        ),
        LabCommand::Down(a) => (a.set, ControlRequest::Down),
    };
    // Nothing running is a failure (exit 1), not a usage error.
    let entry = control::find(set.as_deref())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some((host, _)) = request.fault() {
        // Routers are not in the registry entry: the lab's status lists them.
        let is_router = !entry.hosts.iter().any(|h| h == host)
            && control::send(&entry, &ControlRequest::Status)
                .await
                .is_ok_and(|s| s.routers.iter().any(|r| r.host == host));
        if !is_router && !entry.hosts.iter().any(|h| h == host) {
            return Err(crate::core::error::Error::invalid(format!(
                "{host} is not a member of lab {} (members: {})",
                entry.set_name,
                entry.hosts.join(",")
            ))
            .into());
        }
    }
    let reply = control::send(&entry, &request).await?;
    match &request {
        ControlRequest::Down => {
            say(&format!("lab {} is going down", entry.set_name));
            wait_gone(&entry).await;
        }
        other => {
            let (host, _) = other.fault().expect("a fault");
            let verb = serde_json::to_value(other)
                .ok()
                .and_then(|v| v.get("cmd").and_then(|c| c.as_str().map(str::to_string)))
                .unwrap_or_default();
            say(&format!("{verb} {host}: done{}", primary_note(&reply)));
        }
    }
    Ok(())
}

fn primary_note(reply: &ControlReply) -> String {
    match &reply.primary {
        Some(p) => format!(" (primary: {p})"),
        None => " (no primary right now)".into(),
    }
}

/// Waits (a little) until the lab process has let go of its registry entry.
async fn wait_gone(entry: &LabEntry) {
    for _ in 0..50 {
        if !control::running_labs()
            .await
            .iter()
            .any(|l| l.set_name == entry.set_name && l.pid == entry.pid)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn run_ls() -> anyhow::Result<()> {
    let labs = control::running_labs().await;
    if labs.is_empty() {
        crate::cli::output::note(control::NO_LAB);
        return Ok(());
    }
    for entry in labs {
        match control::send(&entry, &ControlRequest::Status).await {
            Ok(s) => {
                let members: Vec<String> = s
                    .members
                    .iter()
                    .map(|m| {
                        let mut state = Vec::new();
                        if !m.up {
                            state.push("down".to_string());
                        }
                        if m.paused {
                            state.push("paused".to_string());
                        }
                        if m.latency_ms > 0 {
                            state.push(format!("+{}ms", m.latency_ms));
                        }
                        if m.lag_ms > 0 {
                            state.push(format!(
                                "lag {}",
                                humantime::format_duration(Duration::from_millis(m.lag_ms))
                            ));
                        }
                        if m.clock_offset_ms != 0 {
                            state.push(format!("clock {}", show_offset(m.clock_offset_ms)));
                        }
                        if state.is_empty() {
                            m.host.clone()
                        } else {
                            format!("{}({})", m.host, state.join(","))
                        }
                    })
                    .collect();
                let routers: Vec<String> = s
                    .routers
                    .iter()
                    .map(|r| {
                        if r.up {
                            r.host.clone()
                        } else {
                            format!("{}(down)", r.host)
                        }
                    })
                    .collect();
                let routers = if routers.is_empty() {
                    String::new()
                } else {
                    format!(" mongos {}", routers.join(","))
                };
                say(&format!(
                    "{} pid {} primary {} members {}{routers}",
                    entry.set_name,
                    entry.pid,
                    s.primary.as_deref().unwrap_or("-"),
                    members.join(",")
                ));
            }
            Err(e) => say(&format!(
                "{} pid {} (not answering: {e})",
                entry.set_name, entry.pid
            )),
        }
    }
    Ok(())
}

async fn run_up(up: UpArgs, interrupt: &Interrupt) -> anyhow::Result<()> {
    let nodes = up.nodes as usize;
    if up.tags.len() > nodes {
        return Err(crate::core::error::Error::invalid(format!(
            "{} --tags given for {nodes} members (one per member, in order)",
            up.tags.len()
        ))
        .into());
    }
    if up.arbiter && nodes < 2 {
        return Err(
            crate::core::error::Error::invalid("--arbiter needs at least 2 members").into(),
        );
    }
    if !up.periodic_noop_interval.is_zero()
        && up.periodic_noop_interval < MIN_PERIODIC_NOOP_INTERVAL
    {
        return Err(crate::core::error::Error::invalid(format!(
            "--periodic-noop-interval {} is too short: at least {} (or 0s for no periodic no-op)",
            humantime::format_duration(up.periodic_noop_interval),
            humantime::format_duration(MIN_PERIODIC_NOOP_INTERVAL)
        ))
        .into());
    }
    if let Ok(existing) = control::find(Some(&up.set)).await {
        return Err(crate::core::error::Error::invalid(format!(
            "a lab named {} is already running (pid {}, members {}); stop it with: rsctl lab down --set {}",
            existing.set_name,
            existing.pid,
            existing.hosts.join(","),
            existing.set_name
        ))
        .into());
    }
    let (heartbeat_interval, warning) =
        crate::lab::server::sane_heartbeat(up.election_timeout, up.heartbeat_interval);
    if let Some(w) = warning {
        crate::cli::output::note(&format!("warning: {w} (--heartbeat-interval)"));
    }
    let config = LabConfig {
        set_name: up.set.clone(),
        nodes,
        base_port: up.port,
        election_timeout: up.election_timeout,
        heartbeat_interval,
        seed: up.seed,
        initial_sync: up.initial_sync,
    };
    let auth = if up.auth.is_empty() {
        None
    } else {
        let users = resolve_users(
            &up.auth,
            up.auth_password_stdin,
            std::env::var(PASSWORD_ENV).ok(),
            || {
                let mut line = String::new();
                std::io::BufRead::read_line(&mut std::io::stdin().lock(), &mut line)?;
                Ok(line)
            },
        )?;
        Some(crate::lab::auth::AuthStore::from_specs(
            &users,
            rand::random,
        )?)
    };
    let tls = if up.tls {
        let tls = crate::lab::tls::LabTls::with_options(&crate::lab::tls::LabTlsOptions {
            require_client_cert: up.tls_require_client_cert,
            cert_key_file: up.tls_cert_file.clone(),
            ca_file: up.tls_ca_file.clone(),
        })?;
        let name = format!("rsctl-lab-{}", up.set);
        let ca = match &up.tls_ca_file {
            Some(given) => given.clone(),
            None => tls.write_ca(&std::env::temp_dir(), &name)?,
        };
        let client = tls.write_client(&std::env::temp_dir(), &name)?;
        let files = TlsFiles {
            ca,
            client,
            x509_user: (!up.auth.is_empty()).then(|| tls.client_subject().to_string()),
        };
        Some((tls, files))
    } else {
        None
    };
    let tls_files = tls.as_ref().map(|(_, f)| f.clone());
    let lab = Lab::start_secured(config, auth, tls.map(|(t, _)| t)).await;
    let lab = Arc::new(lab.context("starting the lab")?);
    lab.set_periodic_noop_interval(Some(up.periodic_noop_interval));
    // Elections go to stderr from the first one on.
    let mut notices = lab.subscribe();
    let printer = tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match notices.recv().await {
                Ok(n) => crate::cli::output::note(&n.to_string()),
                Err(RecvError::Lagged(k)) => {
                    crate::cli::output::note(&format!("({k} lab events not shown)"))
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
    let outcome = serve_up(&lab, &up, tls_files.as_ref(), interrupt).await;
    printer.abort();
    match Arc::try_unwrap(lab) {
        Ok(lab) => lab.shutdown().await,
        Err(lab) => drop(lab),
    }
    outcome
}

/// The files `lab up --tls` tells clients about.
#[derive(Debug, Clone)]
struct TlsFiles {
    /// tlsCAFile.
    ca: std::path::PathBuf,
    /// tlsCertificateKeyFile: the lab's client certificate and key.
    client: std::path::PathBuf,
    /// With --auth: the `$external` user of the client certificate (MONGODB-X509).
    x509_user: Option<String>,
}

async fn serve_up(
    lab: &Lab,
    up: &UpArgs,
    tls: Option<&TlsFiles>,
    interrupt: &Interrupt,
) -> anyhow::Result<()> {
    if up.mongos > 0 {
        let base = if up.port == 0 {
            0
        } else {
            up.port.saturating_add(up.nodes)
        };
        lab.start_routers(up.mongos as usize, base)
            .await
            .context("starting the mongos routers")?;
    }
    for (host, delay) in &up.latency {
        lab.fault(
            host,
            crate::lab::cluster::Fault::Latency(delay.as_millis() as u64),
        )
        .await
        .with_context(|| format!("--latency {host}"))?;
    }
    let control_listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .context("binding the lab's control port on 127.0.0.1")?;
    let control_port = control_listener.local_addr()?.port();
    let hosts = lab.hosts();
    for (i, host) in hosts.iter().enumerate() {
        let mut line = format!("member {i} {host}");
        if let Some(t) = up.tags.get(i).filter(|t| !t.is_empty()) {
            line.push_str(&format!(" tags {}", show_tags(t)));
        }
        if up.arbiter && i == hosts.len() - 1 {
            line.push_str(" arbiter");
        }
        say(&line);
    }
    for (i, host) in lab.routers().iter().enumerate() {
        say(&format!("mongos {i} {host}"));
    }
    if let Some(files) = tls {
        // Connect with: mongodb://HOST/?tls=true&tlsCAFile=PATH
        say(&format!("tls-ca-file {}", files.ca.display()));
        // ...&tlsCertificateKeyFile=PATH(&authMechanism=MONGODB-X509)
        say(&format!("tls-client-cert {}", files.client.display()));
        if let Some(user) = &files.x509_user {
            say(&format!("x509-user {user}"));
        }
    }
    let _registration = control::register(LabEntry {
        set_name: up.set.clone(),
        pid: std::process::id(),
        control_port,
        hosts: hosts.clone(),
    })
    .await?;
    let down = Notify::new();
    let control = control::serve(control_listener, lab, &down);
    tokio::pin!(control);
    let initiate = async {
        if up.initiate {
            lab.initiate(&up.tags, up.arbiter)
                .await
                .context("initiating the lab")?;
        }
        say("ready");
        anyhow::Ok(())
    };
    // The control channel already answers while the set is being initiated.
    tokio::select! {
        r = initiate => r?,
        _ = &mut control => return Ok(()),
        _ = interrupt.wait() => return Ok(()),
    }
    tokio::select! {
        _ = &mut control => {}
        _ = down.notified() => {}
        _ = interrupt.wait() => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_latency_parse() {
        let t = parse_tags("dc=ny, rack=1").unwrap();
        assert_eq!(show_tags(&t), "dc=ny,rack=1");
        assert!(parse_tags("dc").unwrap_err().contains("KEY=VALUE"));
        assert!(parse_tags("=x").is_err());
        assert_eq!(
            parse_latency("127.0.0.1:27018=50ms").unwrap(),
            ("127.0.0.1:27018".to_string(), Duration::from_millis(50))
        );
        assert!(parse_latency("127.0.0.1:27018").is_err());
        assert!(parse_latency("h:1=fast").is_err());
        assert_eq!(parse_offset("+2m"), Ok(120_000));
        assert_eq!(parse_offset("-30s"), Ok(-30_000));
        assert_eq!(parse_offset("500ms"), Ok(500));
        assert_eq!(parse_offset("0"), Ok(0));
        for s in ["+2m", "-30s", "+1h5m", "-500ms"] {
            assert_eq!(show_offset(parse_offset(s).unwrap()), s);
        }
        assert!(parse_offset("-").unwrap_err().contains("+2m"));
        assert!(parse_offset("soon").is_err());
        assert!(parse_offset("+1000years")
            .unwrap_err()
            .contains("out of range"));
    }

    #[test]
    fn auth_arguments_and_where_passwords_come_from() {
        use crate::cli::exit::{classify, USAGE};
        let a = parse_auth("alice").unwrap();
        assert_eq!(a.password, None);
        let b = parse_auth("bob:pa:ss").unwrap();
        assert_eq!(b.password.as_deref(), Some("pa:ss"));
        assert_eq!(format!("{b:?}"), "AuthArg(bob:****)");
        for bad in ["", ":hunter2", "bob:"] {
            let e = parse_auth(bad).unwrap_err();
            assert!(!e.contains("hunter2"), "{e}");
        }
        let never = || -> std::io::Result<String> { panic!("stdin must not be read") };
        // USER:PASSWORD only: nothing else is read.
        let u = resolve_users(
            std::slice::from_ref(&b),
            false,
            Some("env-pw".into()),
            never,
        )
        .unwrap();
        assert_eq!(
            (u[0].user.as_str(), u[0].password.as_str()),
            ("bob", "pa:ss")
        );
        // USER: the environment, or stdin (which wins, trailing newline dropped).
        let both = [a.clone(), b.clone()];
        let u = resolve_users(&both, false, Some("env-pw".into()), never).unwrap();
        assert_eq!(u[0].password, "env-pw");
        assert_eq!(u[1].password, "pa:ss");
        let u = resolve_users(&both, true, Some("env-pw".into()), || {
            Ok("stdin-pw\r\n".into())
        })
        .unwrap();
        assert_eq!(u[0].password, "stdin-pw");
        // Nowhere to get it from, an empty one, or stdin asked for with nothing to read it for.
        for (args, stdin, env) in [
            (vec![a.clone()], false, None),
            (vec![a.clone()], false, Some(String::new())),
            (vec![b.clone()], true, None),
        ] {
            let e = resolve_users(&args, stdin, env, || Ok("\n".into())).unwrap_err();
            assert_eq!(classify(&e).code, USAGE, "{e}");
            assert!(!e.to_string().contains("pa:ss"), "{e}");
        }
        let e = resolve_users(&[a], true, None, || Ok("\n".into())).unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
    }
}
