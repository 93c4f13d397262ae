//! How `rsctl lab kill|start|pause|...|down|ls` reach a lab running in another process.
//!
//! - A **registry**: one JSON file per running lab, `<dir>/<set>.json`, holding the pid, the
//!   control port and the members. `<dir>` is `$RSCTL_LAB_DIR`, else `$XDG_RUNTIME_DIR/rsctl-lab`,
//!   else `<temp dir>/rsctl-lab`. Files of labs that no longer answer are removed when seen.
//! - A **control protocol**: JSON lines over TCP on 127.0.0.1. One [`ControlRequest`] per line
//!   (`{"cmd":"kill","host":"127.0.0.1:27017"}`, `{"cmd":"latency","host":"...","ms":250}`,
//!   `{"cmd":"clock","host":"...","offset_ms":-120000}`, `{"cmd":"down"}`, `{"cmd":"status"}`), one [`ControlReply`] per line back.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use crate::core::error::{Error, Result};
use crate::lab::cluster::Fault;
use crate::lab::server::Lab;

/// What `rsctl lab <control command>` prints when nothing is running.
pub const NO_LAB: &str = "no running lab found (start one with: rsctl lab up)";

/// How long a control client waits for the lab to answer.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(10);

/// A registry entry: how to reach one running lab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabEntry {
    pub set_name: String,
    pub pid: u32,
    /// The control port on 127.0.0.1.
    pub control_port: u16,
    /// The members' `127.0.0.1:PORT`, in order.
    pub hosts: Vec<String>,
}

/// One control command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum ControlRequest {
    Kill {
        host: String,
    },
    Start {
        host: String,
    },
    Pause {
        host: String,
    },
    Resume {
        host: String,
    },
    Partition {
        host: String,
    },
    Heal {
        host: String,
    },
    Latency {
        host: String,
        ms: u64,
    },
    Lag {
        host: String,
        ms: u64,
    },
    /// Skew a member's wall clock by `offset_ms` (negative: behind).
    Clock {
        host: String,
        offset_ms: i64,
    },
    /// The lab's members, their state and the primary.
    Status,
    /// Stop the lab.
    Down,
}

impl ControlRequest {
    /// The member and fault this request injects, if it is a fault.
    pub fn fault(&self) -> Option<(&str, Fault)> {
        Some(match self {
            ControlRequest::Kill { host } => (host, Fault::Kill),
            ControlRequest::Start { host } => (host, Fault::Start),
            ControlRequest::Pause { host } => (host, Fault::Pause),
            ControlRequest::Resume { host } => (host, Fault::Resume),
            ControlRequest::Partition { host } => (host, Fault::Partition),
            ControlRequest::Heal { host } => (host, Fault::Heal),
            ControlRequest::Latency { host, ms } => (host, Fault::Latency(*ms)),
            ControlRequest::Lag { host, ms } => (host, Fault::Lag(*ms)),
            ControlRequest::Clock { host, offset_ms } => (host, Fault::Clock(*offset_ms)),
            ControlRequest::Status | ControlRequest::Down => return None,
        })
    }
}

/// One member as the control channel reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberState {
    pub host: String,
    pub up: bool,
    pub paused: bool,
    pub latency_ms: u64,
    /// Injected replication lag (`rsctl lab lag`).
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub lag_ms: u64,
    /// Wall-clock skew (`rsctl lab clock`; negative: behind).
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub clock_offset_ms: i64,
}

fn is_zero_u64(v: &u64) -> bool {
    *v == 0
}

fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}

/// The answer to a [`ControlRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlReply {
    pub ok: bool,
    /// Why the command failed (`ok: false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub set_name: String,
    #[serde(default)]
    pub primary: Option<String>,
    #[serde(default)]
    pub members: Vec<MemberState>,
    /// The mongos routers (`rsctl lab up --mongos N`), in the same shape as members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routers: Vec<MemberState>,
}

/// The folder holding the registry files.
pub fn registry_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("RSCTL_LAB_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("rsctl-lab");
    }
    std::env::temp_dir().join("rsctl-lab")
}

fn entry_path(dir: &Path, set_name: &str) -> PathBuf {
    // Set names are user input: keep the file name tame.
    let safe: String = set_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{safe}.json"))
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::internal(format!("{what} {}: {e}", path.display()))
}

/// A lab's registry file; removed when dropped.
#[derive(Debug)]
pub struct Registration {
    path: PathBuf,
    entry: LabEntry,
}

impl Registration {
    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // Only remove the file if it is still ours (a later lab may have replaced a stale one).
        let ours = std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice::<LabEntry>(&b).ok())
            .is_some_and(|e| e == self.entry);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Writes `entry` into the registry. Fails if a live lab with the same set name is registered.
pub async fn register(entry: LabEntry) -> Result<Registration> {
    let dir = registry_dir();
    std::fs::create_dir_all(&dir)
        .map_err(|e| io_error("cannot create the lab registry", &dir, e))?;
    let path = entry_path(&dir, &entry.set_name);
    if let Some(existing) = read_entry(&path) {
        if existing.pid != entry.pid && alive(&existing).await {
            return Err(Error::invalid(format!(
                "a lab named {} is already running (pid {}, members {}); stop it with: rsctl lab down --set {}",
                existing.set_name,
                existing.pid,
                existing.hosts.join(","),
                existing.set_name
            )));
        }
    }
    let tmp = path.with_extension(format!("json.{}", entry.pid));
    let bytes = serde_json::to_vec_pretty(&entry).map_err(|e| Error::internal(e.to_string()))?;
    std::fs::write(&tmp, bytes).map_err(|e| io_error("cannot write", &tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| io_error("cannot write", &path, e))?;
    Ok(Registration { path, entry })
}

fn read_entry(path: &Path) -> Option<LabEntry> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Whether the lab behind `entry` still answers on its control port.
async fn alive(entry: &LabEntry) -> bool {
    let proc_says_dead = cfg!(target_os = "linux")
        && Path::new("/proc/self").exists()
        && !Path::new(&format!("/proc/{}", entry.pid)).exists();
    if proc_says_dead {
        return false;
    }
    let connect = TcpStream::connect(("127.0.0.1", entry.control_port));
    matches!(
        tokio::time::timeout(Duration::from_secs(2), connect).await,
        Ok(Ok(_))
    )
}

/// Every registered lab that is still running, by set name. Stale files are removed.
pub async fn running_labs() -> Vec<LabEntry> {
    let dir = registry_dir();
    let Ok(read) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut labs = Vec::new();
    for item in read.flatten() {
        let path = item.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        match read_entry(&path) {
            Some(entry) if alive(&entry).await => labs.push(entry),
            _ => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    labs.sort_by(|a, b| a.set_name.cmp(&b.set_name));
    labs
}

/// The running lab named `set_name`, or the only running lab when no name is given.
pub async fn find(set_name: Option<&str>) -> Result<LabEntry> {
    let labs = running_labs().await;
    match set_name {
        Some(name) => labs
            .into_iter()
            .find(|l| l.set_name == name)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "no running lab named {name} found (start one with: rsctl lab up --set {name})"
                ))
            }),
        None => match labs.len() {
            0 => Err(Error::invalid(NO_LAB)),
            1 => Ok(labs.into_iter().next().expect("one lab")),
            _ => Err(Error::invalid(format!(
                "several labs are running ({}): pick one with --set NAME",
                labs.iter()
                    .map(|l| l.set_name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        },
    }
}

/// Sends one request to a running lab and returns its reply (an `ok: false` reply is an error).
pub async fn send(entry: &LabEntry, request: &ControlRequest) -> Result<ControlReply> {
    let lab = format!(
        "lab {} (control port {})",
        entry.set_name, entry.control_port
    );
    let io = async {
        let stream = TcpStream::connect(("127.0.0.1", entry.control_port))
            .await
            .map_err(|e| Error::internal(format!("cannot reach {lab}: {e}")))?;
        let (rd, mut wr) = stream.into_split();
        let mut line =
            serde_json::to_string(request).map_err(|e| Error::internal(e.to_string()))?;
        line.push('\n');
        wr.write_all(line.as_bytes())
            .await
            .map_err(|e| Error::internal(format!("cannot talk to {lab}: {e}")))?;
        let mut answer = String::new();
        BufReader::new(rd)
            .read_line(&mut answer)
            .await
            .map_err(|e| Error::internal(format!("no answer from {lab}: {e}")))?;
        serde_json::from_str::<ControlReply>(&answer)
            .map_err(|e| Error::internal(format!("unreadable answer from {lab}: {e}")))
    };
    let reply = tokio::time::timeout(CONTROL_TIMEOUT, io)
        .await
        .map_err(|_| {
            Error::internal(format!(
                "{lab} did not answer within {}s",
                CONTROL_TIMEOUT.as_secs()
            ))
        })??;
    if !reply.ok {
        return Err(Error::invalid(
            reply
                .error
                .unwrap_or_else(|| "the lab refused the command".into()),
        ));
    }
    Ok(reply)
}

/// The lab's state, as a `status` reply.
pub fn status(lab: &Lab) -> ControlReply {
    ControlReply {
        ok: true,
        error: None,
        set_name: lab.set_name().to_string(),
        primary: lab.primary(),
        members: lab
            .hosts()
            .into_iter()
            .map(|host| {
                let v = lab.member_view(&host);
                let (lag_ms, clock_offset_ms) = lab.member_faults(&host).unwrap_or((0, 0));
                MemberState {
                    up: v.is_some_and(|v| v.up),
                    paused: v.is_some_and(|v| v.paused),
                    latency_ms: v.map_or(0, |v| v.latency_ms),
                    lag_ms,
                    clock_offset_ms,
                    host,
                }
            })
            .collect(),
        routers: lab
            .routers()
            .into_iter()
            .map(|host| {
                let v = lab.router_view(&host);
                MemberState {
                    up: v.is_some_and(|v| v.up),
                    paused: v.is_some_and(|v| v.paused),
                    latency_ms: v.map_or(0, |v| v.latency_ms),
                    lag_ms: 0,
                    clock_offset_ms: 0,
                    host,
                }
            })
            .collect(),
    }
}

/// Answers control connections on `listener` until a `down` request comes (then notifies
/// `down` and returns). One connection at a time: control traffic is a person typing.
pub async fn serve(listener: TcpListener, lab: &Lab, down: &Notify) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let stop = tokio::time::timeout(CONTROL_TIMEOUT, serve_one(stream, lab)).await;
        if matches!(stop, Ok(true)) {
            down.notify_one();
            return;
        }
    }
}

/// Serves one control connection; true when it asked the lab to go down.
async fn serve_one(stream: TcpStream, lab: &Lab) -> bool {
    let (rd, mut wr) = stream.into_split();
    let mut lines = BufReader::new(rd).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.trim().is_empty() {
            continue;
        }
        let (reply, down) = match serde_json::from_str::<ControlRequest>(&line) {
            Err(e) => (
                refusal(lab, format!("bad control request {line:?}: {e}")),
                false,
            ),
            Ok(ControlRequest::Down) => (status(lab), true),
            Ok(ControlRequest::Status) => (status(lab), false),
            Ok(request) => {
                let (host, fault) = request.fault().expect("every other request is a fault");
                match lab.fault(host, fault).await {
                    Ok(()) => (status(lab), false),
                    Err(e) => (refusal(lab, e.to_string()), false),
                }
            }
        };
        let mut out = serde_json::to_string(&reply).unwrap_or_else(|_| "{}".into());
        out.push('\n');
        let _ = wr.write_all(out.as_bytes()).await;
        if down {
            let _ = wr.shutdown().await;
            return true;
        }
    }
    false
}

fn refusal(lab: &Lab, error: String) -> ControlReply {
    ControlReply {
        ok: false,
        error: Some(error),
        ..status(lab)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_json_lines_with_a_cmd_tag() {
        let r = ControlRequest::Latency {
            host: "127.0.0.1:27017".into(),
            ms: 250,
        };
        let s = serde_json::to_string(&r).unwrap();
        assert_eq!(s, r#"{"cmd":"latency","host":"127.0.0.1:27017","ms":250}"#);
        assert_eq!(serde_json::from_str::<ControlRequest>(&s).unwrap(), r);
        assert_eq!(
            serde_json::from_str::<ControlRequest>(r#"{"cmd":"down"}"#).unwrap(),
            ControlRequest::Down
        );
        assert!(serde_json::from_str::<ControlRequest>(r#"{"cmd":"explode"}"#).is_err());
        assert_eq!(r.fault(), Some(("127.0.0.1:27017", Fault::Latency(250))));
        assert_eq!(ControlRequest::Status.fault(), None);
        let c: ControlRequest =
            serde_json::from_str(r#"{"cmd":"clock","host":"h:1","offset_ms":-120000}"#).unwrap();
        assert_eq!(c.fault(), Some(("h:1", Fault::Clock(-120_000))));
    }

    #[test]
    fn registry_file_names_are_tame() {
        let p = entry_path(Path::new("/x"), "../evil name");
        assert_eq!(p, PathBuf::from("/x/___evil_name.json"));
    }
}
