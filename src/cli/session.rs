//! Opening a [`Client`] for a command: connection string + global flags -> `ClientOptions`, and
//! waiting until the deployment is discovered well enough to report on it.

use std::time::Duration;

use crate::client::{Client, ClientOptions};
use crate::core::address::ServerAddress;
use crate::core::description::{ServerType, TopologyDescription};
use crate::core::read_pref::{ReadPreference, ReadPreferenceMode};
use crate::core::selection::Criteria;
use crate::core::uri::ConnectionString;

use super::Context;

/// Client options from the global flags (`--uri`, `-s`, `--direct`, timeouts).
pub fn options(ctx: &Context) -> anyhow::Result<ClientOptions> {
    let cs = super::args::connection_string(&ctx.global, &ctx.resolved)?;
    Ok(with_resolved(ctx, options_from(&cs)))
}

/// Client options from a connection string (the global overrides already applied).
pub fn options_from(cs: &ConnectionString) -> ClientOptions {
    let mut o = ClientOptions::from_connection_string(cs);
    if o.app_name.is_none() {
        o.app_name = Some("rsctl".into());
    }
    o
}

/// Client options for explicit seeds (the set just initiated, a shard behind a router): the
/// seeds and the set name replace the URI's hosts; the credential, TLS and the other options of
/// the URI and the global flags are kept. The password was read once for the whole process (see
/// [`super::args::connection_string`]): it is not asked for again.
pub fn options_for_seeds(
    ctx: &Context,
    seeds: &[ServerAddress],
    set: Option<&str>,
) -> anyhow::Result<ClientOptions> {
    let base = super::args::connection_string(&ctx.global, &ctx.resolved)?;
    let mut cs = with_seeds(&base, seeds, set);
    super::args::apply_overrides(&mut cs, &ctx.global);
    Ok(with_resolved(ctx, options_from(&cs)))
}

/// `options` with what the context resolved at start: the `--dns-server` host resolver.
fn with_resolved(ctx: &Context, mut options: ClientOptions) -> ClientOptions {
    options.host_resolver = ctx.resolved.host_resolver.clone();
    options
}

/// `base` with other seeds and set name: no direct connection or load balancing (several seeds),
/// everything else (credential, TLS, timeouts, appName) as in `base`.
pub fn with_seeds(
    base: &ConnectionString,
    seeds: &[ServerAddress],
    set: Option<&str>,
) -> ConnectionString {
    ConnectionString {
        hosts: seeds.to_vec(),
        srv: false,
        replica_set: set.map(str::to_string),
        direct_connection: None,
        load_balanced: None,
        ..base.clone()
    }
}

/// Client options for the seeds of a lab rsctl started itself (`demo`): plain TCP, no
/// credential, whatever `--uri` or `MONGODB_URI` says; the global overrides apply.
pub fn options_for_own_lab(
    ctx: &Context,
    seeds: &[ServerAddress],
    set: Option<&str>,
) -> ClientOptions {
    let mut cs = ConnectionString {
        hosts: seeds.to_vec(),
        replica_set: set.map(str::to_string),
        ..Default::default()
    };
    super::args::apply_overrides(&mut cs, &ctx.global);
    options_from(&cs)
}

/// Connects (returns at once; monitors run in the background).
pub async fn connect(options: ClientOptions) -> anyhow::Result<Client> {
    Ok(Client::connect(options).await?)
}

/// How a command waits for a deployment that cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Patience {
    /// A one-shot command (named, for its error messages): it gives up once every server has
    /// stayed unreachable for [`UNREACHABLE_GRACE`].
    Command(&'static str),
    /// A watch (failover-watch): servers that refuse now may start later, so it keeps waiting.
    Watch,
}

/// Waits until some member answers (any type; exit 3 with the topology after the selection
/// timeout), then until every known member has been checked once, for at most `settle`.
/// A member whose TLS certificate cannot be verified is not "no suitable server yet" (exit 3, after
/// the whole selection timeout) but a configuration problem: when every member fails that way,
/// discovery stops at once with exit 1, naming each host and the reason. A one-shot command
/// also stops early (exit 3) when every seed refuses the connection or does not resolve.
pub async fn discover(
    client: &Client,
    settle: Duration,
    patience: Patience,
) -> anyhow::Result<TopologyDescription> {
    let any = Criteria::Read(ReadPreference::new(ReadPreferenceMode::Nearest));
    let first = tokio::select! {
        r = client.select(&any) => r.map_err(|e| in_words_of(patience, e)),
        e = out_of_reach(client, patience) => return Err(e),
    };
    if let Err(e) = first {
        // Nothing readable: an initiated set may still have arbiters or ghosts only; report it.
        let topo = client.topology();
        let usable = topo.servers.values().any(|s| {
            !matches!(
                s.server_type,
                ServerType::Unknown | ServerType::PossiblePrimary
            )
        });
        if !usable {
            return Err(e);
        }
    }
    Ok(settle_for(client, settle).await)
}

/// Waits until every known member has been checked once (see [`all_checked`]), for at most `max`;
/// returns the topology then.
pub async fn settle_for(client: &Client, max: Duration) -> TopologyDescription {
    let mut rx = client.watch();
    let deadline = tokio::time::Instant::now() + max;
    loop {
        let topo = rx.borrow_and_update().clone();
        if all_checked(&topo)
            && topo.topology_type != crate::core::description::TopologyType::Unknown
        {
            return topo;
        }
        match tokio::time::timeout_at(deadline, rx.changed()).await {
            Ok(Ok(())) => {}
            _ => return client.topology(),
        }
    }
}

/// How long commands wait for every member's first check before acting (bounded by the server
/// selection timeout).
pub fn settle_time(client: &Client) -> Duration {
    client
        .options()
        .server_selection_timeout
        .min(Duration::from_secs(2))
}

/// Every server of the topology has been checked at least once (or failed).
pub fn all_checked(topo: &TopologyDescription) -> bool {
    topo.servers.values().all(|s| {
        !matches!(
            s.server_type,
            ServerType::Unknown | ServerType::PossiblePrimary
        ) || s.error.is_some()
    })
}

/// The error to stop with when every known member's last check failed because its TLS
/// certificate could not be verified (`None` otherwise): each host with its reason, and what to
/// try.
pub fn certificate_failure(topo: &TopologyDescription) -> Option<anyhow::Error> {
    if topo.servers.is_empty() {
        return None;
    }
    let mut lines = Vec::new();
    for s in topo.servers.values() {
        let reason = s.error.as_ref().and_then(|e| match e {
            crate::core::error::Error::Network {
                kind: crate::core::error::NetworkErrorKind::Certificate,
                message,
                ..
            } => Some(message.clone()),
            _ => None,
        })?;
        lines.push(format!("  - {}: {reason}", s.address));
    }
    Some(anyhow::anyhow!(
        "TLS: the certificate of every member was refused:\n{}\n\
         give the CA that signed the members' certificates with tlsCAFile=PATH in the URI \
         (`rsctl lab up --tls` prints its tls-ca-file), or connect with the host name the \
         certificate was issued for",
        lines.join("\n")
    ))
}

/// How long every known server must stay unreachable (connection refused, or a host name that
/// does not resolve) before a one-shot command gives up rather than wait out the whole server
/// selection timeout. Long enough for a second check of each (minHeartbeatFrequencyMS is 500 ms),
/// so a mongod that is just restarting is not given up on at its first refusal.
pub const UNREACHABLE_GRACE: Duration = Duration::from_millis(1200);

/// The servers of `topo` with why each cannot be reached, when no server can be reached at all:
/// every one is Unknown and its last check was refused or could not resolve its name. `None`
/// when some server answered, timed out, or has not been checked yet (those keep the full wait).
pub fn unreachable_servers(topo: &TopologyDescription) -> Option<Vec<String>> {
    if topo.servers.is_empty() {
        return None;
    }
    topo.servers
        .values()
        .map(|s| {
            let e = s.error.as_ref().filter(|e| e.is_unreachable())?;
            if s.server_type != ServerType::Unknown {
                return None;
            }
            let crate::core::error::Error::Network { kind, message, .. } = e else {
                return None;
            };
            Some(match kind {
                crate::core::error::NetworkErrorKind::Refused => {
                    format!(
                        "  - {}: connection refused: is mongod running on {}?",
                        s.address, s.address
                    )
                }
                _ => format!(
                    "  - {}: {}",
                    s.address,
                    message.trim_start_matches("connect: ")
                ),
            })
        })
        .collect()
}

/// The error `what` (the command, in its own words) stops with when no server can be reached.
pub fn unreachable_failure(what: &str, lines: &[String]) -> anyhow::Error {
    anyhow::Error::new(super::exit::NoServer(format!(
        "{what}: no server could be reached:\n{}\n\
         check the host names and ports, and that mongod runs there",
        lines.join("\n")
    )))
}

/// A selection timeout in the words of the command that waited (`status` did not select "a
/// read with mode nearest", it looked for any member); other errors pass through.
pub fn in_words_of(patience: Patience, e: crate::core::error::Error) -> anyhow::Error {
    match (patience, &e) {
        (Patience::Command(what), crate::core::error::Error::ServerSelection { message }) => {
            let rest = message
                .find(" after ")
                .map(|i| &message[i..])
                .unwrap_or(message.as_str());
            anyhow::Error::new(super::exit::NoServer(format!(
                "{what}: no member of the deployment answered{rest}"
            )))
        }
        _ => e.into(),
    }
}

/// Resolves with an error once the deployment is out of reach for good, never otherwise: at
/// once when every known member refused the TLS handshake over its certificate (see
/// [`certificate_failure`]), or, for a one-shot command, when every known server has stayed
/// unreachable (see [`unreachable_servers`]) for [`UNREACHABLE_GRACE`].
pub async fn out_of_reach(client: &Client, patience: Patience) -> anyhow::Error {
    let mut rx = client.watch();
    let mut unreachable_since: Option<tokio::time::Instant> = None;
    loop {
        let lines = {
            let topo = rx.borrow_and_update();
            if let Some(e) = certificate_failure(&topo) {
                return e;
            }
            match patience {
                Patience::Command(_) => unreachable_servers(&topo),
                Patience::Watch => None,
            }
        };
        match (&lines, unreachable_since, patience) {
            (None, ..) => unreachable_since = None,
            (Some(lines), Some(since), Patience::Command(what))
                if since.elapsed() >= UNREACHABLE_GRACE =>
            {
                return unreachable_failure(what, lines);
            }
            (Some(_), Some(_), _) => {}
            (Some(_), None, _) => {
                unreachable_since = Some(tokio::time::Instant::now());
                // Check again soon, so that the verdict rests on more than one refusal each.
                client.request_checks();
            }
        }
        let changed = match unreachable_since {
            Some(since) => {
                match tokio::time::timeout_at(since + UNREACHABLE_GRACE, rx.changed()).await {
                    Ok(r) => r,
                    Err(_) => Ok(()), // the grace is over: look once more
                }
            }
            None => rx.changed().await,
        };
        if changed.is_err() {
            return std::future::pending().await;
        }
    }
}

/// The server refused a command for want of authentication (Unauthorized, code 13).
pub fn is_unauthorized(e: &crate::core::error::Error) -> bool {
    e.code() == Some(13)
}

/// What to add to an Unauthorized error: how to authenticate (when no credential was given).
pub fn unauthorized_hint(e: &crate::core::error::Error, have_credential: bool) -> &'static str {
    if is_unauthorized(e) && !have_credential {
        " (the deployment requires authentication: put the user in the URI, \
         mongodb://USER@HOST/..., or give --username USER; the password is prompted for or read \
         with --password-stdin)"
    } else {
        ""
    }
}

/// With a credential, opens one authenticated connection to a member (an authenticated `ping`)
/// so that a refused credential ends the command at once (exit 1) instead of surfacing later
/// as failing operations. Other errors are left to the command (members come and go).
pub async fn check_credential(client: &Client) -> anyhow::Result<()> {
    if client.options().credential.is_none() {
        return Ok(());
    }
    let any = Criteria::Read(ReadPreference::new(ReadPreferenceMode::Nearest));
    match client
        .run_command("admin", bson::doc! { "ping": 1 }, &any)
        .await
    {
        Err(e @ crate::core::error::Error::Authentication { .. }) => Err(e.into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn ctx(args: &[&str]) -> Context {
        let cli = crate::cli::Cli::try_parse_from(args).unwrap();
        Context {
            format: cli.global.format(),
            style: crate::cli::output::Style::detect(cli.global.color),
            global: cli.global,
            resolved: Default::default(),
            interrupt: crate::cli::interrupt::Interrupt::never(),
        }
    }

    #[test]
    fn seeds_keep_the_credential_and_tls_of_the_uri() {
        let c = ctx(&[
            "rsctl",
            "--uri",
            "mongodb://u:pw@r1:1/?tls=true&tlsCAFile=/x/ca.pem&authMechanism=SCRAM-SHA-1&directConnection=true&appName=mine",
            "--timeout",
            "7s",
            "status",
        ]);
        let seeds = [
            ServerAddress::parse("a:1").unwrap(),
            ServerAddress::parse("b:2").unwrap(),
        ];
        let o = options_for_seeds(&c, &seeds, Some("shard0")).unwrap();
        assert_eq!(o.hosts, seeds.to_vec());
        assert_eq!(o.replica_set.as_deref(), Some("shard0"));
        assert_eq!(o.direct_connection, None, "several seeds: not direct");
        let cred = o.credential.expect("the credential is kept");
        assert_eq!(cred.username.as_deref(), Some("u"));
        assert_eq!(cred.password.as_deref(), Some("pw"));
        assert_eq!(cred.mechanism.as_deref(), Some("SCRAM-SHA-1"));
        let tls = o.tls.expect("TLS is kept");
        assert_eq!(
            tls.ca_file.as_deref(),
            Some(std::path::Path::new("/x/ca.pem"))
        );
        assert_eq!(o.server_selection_timeout, Duration::from_secs(7));
        assert_eq!(o.app_name.as_deref(), Some("mine"));
        // rsctl's own lab (demo): nothing of the URI.
        let o = options_for_own_lab(&c, &seeds, Some("demo"));
        assert!(o.credential.is_none() && o.tls.is_none());
    }

    #[test]
    fn every_member_refusing_its_certificate_is_a_failure_naming_each() {
        use crate::core::description::ServerDescription;
        let a = ServerAddress::parse("a:1").unwrap();
        let b = ServerAddress::parse("b:2").unwrap();
        let refused = |addr: &ServerAddress, why: &str| {
            let mut d = ServerDescription::new_unknown(addr.clone());
            d.error = Some(crate::core::error::Error::network(
                addr,
                crate::core::error::NetworkErrorKind::Certificate,
                format!("TLS handshake failed: invalid peer certificate: {why}"),
            ));
            d
        };
        let mut topo = TopologyDescription::default();
        assert!(
            certificate_failure(&topo).is_none(),
            "no member: nothing to say"
        );
        topo.servers.insert(a.clone(), refused(&a, "UnknownIssuer"));
        topo.servers
            .insert(b.clone(), ServerDescription::new_unknown(b.clone()));
        assert!(certificate_failure(&topo).is_none(), "b not refused (yet)");
        topo.servers
            .insert(b.clone(), refused(&b, "NotValidForName"));
        let e = certificate_failure(&topo).expect("all refused").to_string();
        for needle in [
            "a:1",
            "UnknownIssuer",
            "b:2",
            "NotValidForName",
            "tlsCAFile",
        ] {
            assert!(e.contains(needle), "{needle}: {e}");
        }
        assert_eq!(
            crate::cli::exit::classify(&certificate_failure(&topo).unwrap()).code,
            crate::cli::exit::FAILURE
        );
    }
}
