//! `rsctl initiate`: check every would-be member, run `replSetInitiate` once on the first seed,
//! wait for a primary and for every member to settle, then print the status table.
//!
//! Order of business: (1) build the config asked for (from `--member`/`--arbiter`/`--priority`,
//! `--config FILE`, or the seed list); (2) check every member at once (resolvable, not mixing
//! localhost with other hosts, reachable, running with --replSet, not initialized, same set name)
//! and report every problem before changing anything; (3) if the first seed already has a config,
//! compare it with what was asked (exit 0 "already initiated" or exit 1 with the difference);
//! (4) `replSetInitiate` exactly once; (5) poll `replSetGetStatus` until settled.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use bson::{doc, Bson, Document};

use crate::core::address::ServerAddress;
use crate::core::description::Tags;
use crate::net::connection::{Connection, ConnectionOptions};

use super::exit::usage;
use super::output::{note, Spinner};
use super::Context;

/// Arguments of `rsctl initiate`.
#[derive(Debug, Clone, clap::Args)]
pub struct InitiateArgs {
    /// Replica set name (default: --replica-set, the URI's replicaSet, or "rs0").
    #[arg(long = "set", value_name = "NAME")]
    pub set: Option<String>,
    /// A member, optionally with tags: HOST:PORT[,tag=value...]. Repeat for each member.
    /// Without any, the seed list is used (a single seed: mongod's implicit config).
    #[arg(long = "member", value_name = "HOST:PORT[,TAG=VALUE...]")]
    pub members: Vec<String>,
    /// An arbiter (votes, holds no data). Repeatable.
    #[arg(long = "arbiter", value_name = "HOST:PORT")]
    pub arbiters: Vec<String>,
    /// A member's election priority: HOST:PORT=N. Repeatable.
    #[arg(long = "priority", value_name = "HOST:PORT=N")]
    pub priorities: Vec<String>,
    /// A replica set config document (JSON / Extended JSON) to use as is.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["members", "arbiters", "priorities"])]
    pub config: Option<PathBuf>,
    /// Return as soon as replSetInitiate succeeds, without waiting for a primary.
    #[arg(long)]
    pub no_wait: bool,
    /// How long to wait for a primary and every member to settle.
    #[arg(long, value_name = "DUR", default_value = "60s", value_parser = super::parse_duration)]
    pub wait_timeout: Duration,
}

/// One member as asked on the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberSpec {
    /// Where it listens.
    pub host: ServerAddress,
    /// Its tags.
    pub tags: Tags,
    /// An arbiter.
    pub arbiter: bool,
    /// Its election priority, when given.
    pub priority: Option<f64>,
}

/// Parses `HOST:PORT[,tag=value...]`.
pub fn parse_member(s: &str) -> anyhow::Result<MemberSpec> {
    let mut parts = s.split(',');
    let host_text = parts.next().unwrap_or("").trim();
    let host = ServerAddress::parse(host_text)
        .map_err(|e| usage(format!("invalid --member \"{s}\": {e}")))?;
    let mut tags = Tags::new();
    for item in parts {
        let Some((k, v)) = item.split_once('=') else {
            return Err(usage(format!(
                "invalid --member \"{s}\": tag \"{item}\" is not tag=value"
            )));
        };
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || v.is_empty() {
            return Err(usage(format!(
                "invalid --member \"{s}\": tag \"{item}\" has an empty key or value"
            )));
        }
        tags.insert(k.to_string(), v.to_string());
    }
    Ok(MemberSpec {
        host,
        tags,
        arbiter: false,
        priority: None,
    })
}

/// Parses `HOST:PORT=N`.
pub fn parse_priority(s: &str) -> anyhow::Result<(ServerAddress, f64)> {
    let Some((h, n)) = s.rsplit_once('=') else {
        return Err(usage(format!(
            "invalid --priority \"{s}\": expected HOST:PORT=N"
        )));
    };
    let host = ServerAddress::parse(h.trim())
        .map_err(|e| usage(format!("invalid --priority \"{s}\": {e}")))?;
    let p: f64 = n.trim().parse().map_err(|_| {
        usage(format!(
            "invalid --priority \"{s}\": \"{n}\" is not a number"
        ))
    })?;
    if !(0.0..=1000.0).contains(&p) {
        return Err(usage(format!(
            "invalid --priority \"{s}\": a priority lies between 0 and 1000"
        )));
    }
    Ok((host, p))
}

/// What initiate was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// `replSetInitiate` with no config: mongod builds one with itself as the only member.
    Implicit { set: String, seed: ServerAddress },
    /// An explicit config document.
    Explicit {
        set: String,
        config: Document,
        members: Vec<ServerAddress>,
    },
}

impl Plan {
    /// The set name.
    pub fn set(&self) -> &str {
        match self {
            Plan::Implicit { set, .. } | Plan::Explicit { set, .. } => set,
        }
    }

    /// Every member to check.
    pub fn members(&self) -> Vec<ServerAddress> {
        match self {
            Plan::Implicit { seed, .. } => vec![seed.clone()],
            Plan::Explicit { members, .. } => members.clone(),
        }
    }

    /// The `replSetInitiate` command.
    pub fn command(&self) -> Document {
        match self {
            Plan::Implicit { .. } => doc! { "replSetInitiate": Bson::Null },
            Plan::Explicit { config, .. } => doc! { "replSetInitiate": config.clone() },
        }
    }
}

/// Builds the config document for explicit members.
pub fn build_config(set: &str, members: &[MemberSpec]) -> Document {
    let list: Vec<Bson> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut d = doc! { "_id": i as i32, "host": m.host.to_string() };
            if m.arbiter {
                d.insert("arbiterOnly", true);
            }
            if let Some(p) = m.priority {
                d.insert("priority", p);
            }
            if !m.tags.is_empty() {
                let mut t = Document::new();
                for (k, v) in &m.tags {
                    t.insert(k.clone(), v.clone());
                }
                d.insert("tags", t);
            }
            Bson::Document(d)
        })
        .collect();
    doc! { "_id": set, "members": list }
}

/// Works out the plan from the arguments, the seed list and the set name.
pub fn plan(
    args: &InitiateArgs,
    seeds: &[ServerAddress],
    set_hint: Option<&str>,
) -> anyhow::Result<Plan> {
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path)
            .map_err(|e| usage(format!("cannot read --config {}: {e}", path.display())))?;
        let config = super::args::ejson_document("--config", &text)?;
        let set = config
            .get_str("_id")
            .map_err(|_| {
                usage(format!(
                    "--config {}: the config has no string _id (the set name)",
                    path.display()
                ))
            })?
            .to_string();
        if let Some(s) = args.set.as_deref() {
            if s != set {
                return Err(usage(format!(
                    "--set {s} disagrees with the config's _id \"{set}\""
                )));
            }
        }
        let mut members = Vec::new();
        for m in config
            .get_array("members")
            .map_err(|_| usage("--config: the config has no members array"))?
        {
            let host = m
                .as_document()
                .and_then(|d| d.get_str("host").ok())
                .ok_or_else(|| usage("--config: every member needs a host"))?;
            members.push(ServerAddress::parse(host).map_err(|e| usage(format!("--config: {e}")))?);
        }
        return Ok(Plan::Explicit {
            set,
            config,
            members,
        });
    }

    let named = args.set.clone().or_else(|| set_hint.map(str::to_string));
    let set = named.clone().unwrap_or_else(|| "rs0".to_string());
    let mut specs: Vec<MemberSpec> = args
        .members
        .iter()
        .map(|m| parse_member(m))
        .collect::<anyhow::Result<_>>()?;
    let arbiters: Vec<ServerAddress> = args
        .arbiters
        .iter()
        .map(|a| {
            ServerAddress::parse(a).map_err(|e| usage(format!("invalid --arbiter \"{a}\": {e}")))
        })
        .collect::<anyhow::Result<_>>()?;
    if specs.is_empty() && arbiters.is_empty() && args.priorities.is_empty() && seeds.len() == 1 {
        // mongod builds the config itself, named after its --replSet; an empty name here means
        // "whatever the member was started with" (filled in once the member has been asked).
        return Ok(Plan::Implicit {
            set: named.unwrap_or_default(),
            seed: seeds[0].clone(),
        });
    }
    if specs.is_empty() {
        specs = seeds
            .iter()
            .filter(|s| !arbiters.contains(s))
            .map(|s| MemberSpec {
                host: s.clone(),
                tags: Tags::new(),
                arbiter: false,
                priority: None,
            })
            .collect();
    }
    for a in arbiters {
        if specs.iter().any(|m| m.host == a) {
            return Err(usage(format!(
                "{a} is given both as a member and as an arbiter"
            )));
        }
        specs.push(MemberSpec {
            host: a,
            tags: Tags::new(),
            arbiter: true,
            priority: None,
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    for m in &specs {
        if !seen.insert(m.host.clone()) {
            return Err(usage(format!("member {} is given twice", m.host)));
        }
    }
    for p in &args.priorities {
        let (host, prio) = parse_priority(p)?;
        let Some(m) = specs.iter_mut().find(|m| m.host == host) else {
            return Err(usage(format!("--priority {p}: {host} is not a member")));
        };
        if m.arbiter && prio != 0.0 {
            return Err(usage(format!(
                "--priority {p}: an arbiter's priority is always 0"
            )));
        }
        m.priority = Some(prio);
    }
    let members = specs.iter().map(|m| m.host.clone()).collect();
    Ok(Plan::Explicit {
        config: build_config(&set, &specs),
        set,
        members,
    })
}

/// Problems that must be fixed before initiating, found without contacting anyone.
pub fn static_problems(members: &[ServerAddress]) -> Vec<String> {
    let local: Vec<String> = members
        .iter()
        .filter(|m| m.is_loopback())
        .map(|m| m.to_string())
        .collect();
    let other: Vec<String> = members
        .iter()
        .filter(|m| !m.is_loopback())
        .map(|m| m.to_string())
        .collect();
    if !local.is_empty() && !other.is_empty() {
        vec![format!(
            "the members mix localhost ({}) with other hosts ({}): mongod refuses such a config; use names every member can reach",
            local.join(", "),
            other.join(", ")
        )]
    } else {
        Vec::new()
    }
}

/// What one member's check found.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberState {
    /// Running with --replSet, no config yet (`replication set name` when it says so).
    Uninitialized { set_name: Option<String> },
    /// Already a member of a set.
    Initialized { set_name: String },
    /// Not running with --replSet (a standalone or a mongos).
    NotReplicaSet { kind: String },
}

/// Classifies a member from its hello reply (and, when it answered, getCmdLineOpts).
pub fn classify_hello(hello: &Document, cmd_line: Option<&Document>) -> MemberState {
    if let Ok(name) = hello.get_str("setName") {
        return MemberState::Initialized {
            set_name: name.to_string(),
        };
    }
    let configured_set = cmd_line.and_then(|c| {
        let repl = c
            .get_document("parsed")
            .ok()?
            .get_document("replication")
            .ok()?;
        repl.get_str("replSetName")
            .or_else(|_| repl.get_str("replSet"))
            .ok()
            .map(|s| s.split('/').next().unwrap_or(s).to_string())
    });
    if hello.get_bool("isreplicaset").unwrap_or(false) || configured_set.is_some() {
        return MemberState::Uninitialized {
            set_name: configured_set,
        };
    }
    let kind = if hello.get_str("msg") == Ok("isdbgrid") {
        "a mongos"
    } else {
        "a standalone mongod (not started with --replSet)"
    };
    MemberState::NotReplicaSet { kind: kind.into() }
}

/// The problem a member's state poses for initiating `set` (None: fine).
pub fn member_problem(host: &ServerAddress, state: &MemberState, set: &str) -> Option<String> {
    match state {
        MemberState::Uninitialized { set_name: Some(s) } if !set.is_empty() && s != set => {
            Some(format!("{host}: started with --replSet {s}, not {set}"))
        }
        MemberState::Uninitialized { .. } => None,
        MemberState::Initialized { set_name } => Some(format!(
            "{host}: already a member of replica set \"{set_name}\""
        )),
        MemberState::NotReplicaSet { kind } => Some(format!("{host}: {kind}")),
    }
}

/// Differences between the config asked for and the one in place (empty: they match).
/// Only what was asked is compared: unspecified priorities and tags are not.
pub fn config_diff(plan: &Plan, existing: &Document) -> Vec<String> {
    let mut diffs = Vec::new();
    let existing_set = existing.get_str("_id").unwrap_or("");
    if !plan.set().is_empty() && existing_set != plan.set() {
        diffs.push(format!(
            "set name: asked {}, in place {existing_set}",
            plan.set()
        ));
    }
    let Plan::Explicit { config, .. } = plan else {
        return diffs;
    };
    let by_host = |c: &Document| -> BTreeMap<String, Document> {
        c.get_array("members")
            .map(|a| {
                a.iter()
                    .filter_map(Bson::as_document)
                    .filter_map(|m| {
                        let h = m.get_str("host").ok()?;
                        let key = ServerAddress::parse(h)
                            .map(|a| a.to_string())
                            .unwrap_or_else(|_| h.to_string());
                        Some((key, m.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let asked = by_host(config);
    let have = by_host(existing);
    for h in asked.keys().filter(|h| !have.contains_key(*h)) {
        diffs.push(format!("member {h}: asked, not in the config in place"));
    }
    for h in have.keys().filter(|h| !asked.contains_key(*h)) {
        diffs.push(format!("member {h}: in the config in place, not asked"));
    }
    for (h, a) in &asked {
        let Some(e) = have.get(h) else { continue };
        let arb = |d: &Document| d.get_bool("arbiterOnly").unwrap_or(false);
        if arb(a) != arb(e) {
            diffs.push(format!(
                "member {h}: arbiterOnly asked {}, in place {}",
                arb(a),
                arb(e)
            ));
        }
        if let Some(p) = a.get("priority").and_then(Bson::as_f64) {
            let ep = match e.get("priority") {
                Some(Bson::Double(v)) => *v,
                Some(Bson::Int32(v)) => *v as f64,
                Some(Bson::Int64(v)) => *v as f64,
                _ => 1.0,
            };
            if ep != p {
                diffs.push(format!("member {h}: priority asked {p}, in place {ep}"));
            }
        }
        if let Ok(t) = a.get_document("tags") {
            let et = e.get_document("tags").cloned().unwrap_or_default();
            if *t != et {
                diffs.push(format!(
                    "member {h}: tags asked {}, in place {}",
                    Bson::Document(t.clone()).into_relaxed_extjson(),
                    Bson::Document(et).into_relaxed_extjson()
                ));
            }
        }
    }
    diffs
}

/// Whether the set has settled: a primary exists and every member is PRIMARY, SECONDARY or
/// ARBITER. Also returns a one-line summary of the states (`a:1 PRIMARY, b:2 STARTUP2`).
pub fn settled(status: &Document) -> (bool, String) {
    let members: Vec<&Document> = status
        .get_array("members")
        .map(|a| a.iter().filter_map(Bson::as_document).collect())
        .unwrap_or_default();
    let mut primary = false;
    let mut all_ok = !members.is_empty();
    let mut parts = Vec::new();
    for m in &members {
        let state = m.get_str("stateStr").unwrap_or("?");
        primary |= state == "PRIMARY";
        all_ok &= matches!(state, "PRIMARY" | "SECONDARY" | "ARBITER");
        parts.push(format!("{} {state}", m.get_str("name").unwrap_or("?")));
    }
    (primary && all_ok, parts.join(", "))
}

/// The options of initiate's direct connections: the credential and TLS settings of the URI (or
/// `--username`), so that members started with auth and TLS are checked and initiated as the
/// user. (A real mongod with `--auth` and no user yet lets localhost connections initiate
/// without credentials; the lab creates its users at start, so, like a mongod that has users,
/// it asks every connection to authenticate first.)
fn conn_options(ctx: &Context, cs: &crate::core::uri::ConnectionString) -> ConnectionOptions {
    ConnectionOptions {
        connect_timeout: ctx
            .global
            .timeout
            .or(cs.connect_timeout.filter(|t| !t.is_zero()))
            .unwrap_or(Duration::from_secs(5)),
        socket_timeout: Some(Duration::from_secs(30)),
        app_name: Some("rsctl initiate".into()),
        load_balanced: false,
        credential: cs.credential.clone(),
        tls: crate::net::tls::TlsOptions::from_connection_string(cs),
        host_resolver: ctx.resolved.host_resolver.clone(),
        caches: Default::default(),
    }
}

/// Why a member check failed; `unreachable` when the member could not be reached at all
/// (connection refused, or a host name that does not resolve).
#[derive(Debug, Clone)]
struct CheckFailure {
    message: String,
    unreachable: bool,
}

impl CheckFailure {
    fn new(message: String) -> Self {
        CheckFailure {
            message,
            unreachable: false,
        }
    }
}

/// Checks one member: resolvable, reachable, and its replica-set state.
async fn check_member(
    host: ServerAddress,
    options: ConnectionOptions,
) -> Result<MemberState, CheckFailure> {
    if let ServerAddress::Tcp { host: h, port } = &host {
        let failure = match tokio::net::lookup_host((h.as_str(), *port)).await {
            Ok(mut addrs) => match addrs.next() {
                None => format!("{host}: the name resolves to no address"),
                Some(_) => String::new(),
            },
            Err(e) => format!("{host}: cannot resolve the host name: {e}"),
        };
        if !failure.is_empty() {
            return Err(CheckFailure {
                message: failure,
                unreachable: true,
            });
        }
    }
    let (mut conn, hs) = Connection::connect(&host, &options, 0, true)
        .await
        .map_err(|e| match e {
            // Reached, but refused the credential: say so, not "unreachable".
            crate::core::error::Error::Authentication { .. } => {
                CheckFailure::new(format!("{host}: {e}"))
            }
            e if e.is_unreachable() => CheckFailure {
                message: format!("{host}: connection refused: is mongod running on {host}?"),
                unreachable: true,
            },
            e => CheckFailure::new(format!("{host}: unreachable: {e}")),
        })?;
    let cmd_line = conn
        .run_command("admin", doc! { "getCmdLineOpts": 1 })
        .await
        .ok();
    Ok(classify_hello(&hs.reply, cmd_line.as_ref()))
}

/// Runs `rsctl initiate`.
pub async fn run(ctx: &Context, args: InitiateArgs) -> anyhow::Result<()> {
    // Seeds: the URI, or else the members given.
    let cs = if ctx.global.uri.is_none() && !args.members.is_empty() {
        let mut g = ctx.global.clone();
        g.uri = Some(parse_member(&args.members[0])?.host.to_string());
        super::args::connection_string(&g, &ctx.resolved)?
    } else {
        super::args::connection_string(&ctx.global, &ctx.resolved)?
    };
    let plan = plan(&args, &cs.hosts, cs.replica_set.as_deref())?;
    let seed = match &plan {
        Plan::Explicit { members, .. } if ctx.global.uri.is_none() => members[0].clone(),
        _ => cs.hosts[0].clone(),
    };
    let options = conn_options(ctx, &cs);

    // 1. Check every member before changing anything.
    let members = plan.members();
    let mut problems = static_problems(&members);
    let checks = members.iter().map(|m| {
        let (m, o) = (m.clone(), options.clone());
        tokio::spawn(async move { (m.clone(), check_member(m, o).await) })
    });
    let mut states = BTreeMap::new();
    for c in checks {
        let (m, r) = c.await.context("member check task")?;
        states.insert(m, r);
    }
    // Not one member can be reached: nothing to initiate here (exit 3, like a selection timeout).
    if !states.is_empty()
        && states
            .values()
            .all(|r| r.as_ref().is_err_and(|e| e.unreachable))
    {
        let lines: Vec<String> = states
            .values()
            .filter_map(|r| r.as_ref().err())
            .map(|e| format!("  - {}", e.message))
            .collect();
        return Err(super::session::unreachable_failure("initiate", &lines));
    }

    // 2. Already initiated? (the first seed has a config)
    let seed_state = match states.get(&seed) {
        Some(s) => s.clone(),
        None => check_member(seed.clone(), options.clone()).await,
    };
    if let Ok(MemberState::Initialized { .. }) = seed_state {
        return already_initiated(ctx, &plan, &seed, &options).await;
    }

    let mut plan = plan;
    if let (
        Plan::Implicit { set, .. },
        Ok(MemberState::Uninitialized {
            set_name: Some(name),
        }),
    ) = (&mut plan, &seed_state)
    {
        if set.is_empty() {
            *set = name.clone();
        }
    }
    for (m, r) in &states {
        match r {
            Err(e) => problems.push(e.message.clone()),
            Ok(state) => problems.extend(member_problem(m, state, plan.set())),
        }
    }
    if !problems.is_empty() {
        let list = problems
            .iter()
            .map(|p| format!("  - {p}"))
            .collect::<Vec<_>>()
            .join("\n");
        anyhow::bail!(
            "cannot initiate replica set \"{}\": {} problem(s), nothing was changed:\n{list}",
            plan.set(),
            problems.len()
        );
    }

    // 3. replSetInitiate, once.
    let (mut conn, _) = Connection::connect(&seed, &options, 0, true)
        .await
        .with_context(|| format!("connecting to {seed}"))?;
    match conn.run_command("admin", plan.command()).await {
        Ok(_) => {}
        Err(e) if e.code() == Some(23) => {
            // AlreadyInitialized: someone else got there first. Compare, do not retry.
            return already_initiated(ctx, &plan, &seed, &options).await;
        }
        Err(e) => {
            let hint = super::session::unauthorized_hint(&e, options.credential.is_some());
            return Err(anyhow::anyhow!("replSetInitiate on {seed}: {e}{hint}"));
        }
    }
    note(&format!(
        "initiated replica set \"{}\" with {} member(s) on {seed}",
        plan.set(),
        members.len()
    ));
    if args.no_wait {
        return Ok(());
    }

    // 4. Wait for a primary and every member to settle.
    let spinner = Spinner::start("waiting for a primary");
    let deadline = tokio::time::Instant::now() + args.wait_timeout;
    let mut last;
    loop {
        match conn
            .run_command("admin", doc! { "replSetGetStatus": 1 })
            .await
        {
            Ok(st) => {
                let (done, summary) = settled(&st);
                spinner.set_message(format!("waiting for the set to settle: {summary}"));
                last = summary;
                if done {
                    break;
                }
            }
            Err(e) if e.is_network() => {
                // The seed may drop connections while it changes state: reconnect.
                if let Ok((c, _)) = Connection::connect(&seed, &options, 0, true).await {
                    conn = c;
                }
                last = e.to_string();
            }
            Err(e) => last = e.to_string(),
        }
        if tokio::time::Instant::now() >= deadline {
            spinner.finish();
            anyhow::bail!(
                "replica set \"{}\" was initiated but did not settle within {}: {last}",
                plan.set(),
                humantime::format_duration(args.wait_timeout)
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    spinner.finish();
    note(&format!("replica set \"{}\" is ready: {last}", plan.set()));
    let set = Some(plan.set()).filter(|s| !s.is_empty());
    super::status::show(ctx, &seeds_for_status(&plan, &seed), set).await
}

fn seeds_for_status(plan: &Plan, seed: &ServerAddress) -> Vec<ServerAddress> {
    let mut seeds = vec![seed.clone()];
    for m in plan.members() {
        if !seeds.contains(&m) {
            seeds.push(m);
        }
    }
    seeds
}

async fn already_initiated(
    ctx: &Context,
    plan: &Plan,
    seed: &ServerAddress,
    options: &ConnectionOptions,
) -> anyhow::Result<()> {
    let (mut conn, _) = Connection::connect(seed, options, 0, true)
        .await
        .with_context(|| format!("connecting to {seed}"))?;
    let reply = conn
        .run_command("admin", doc! { "replSetGetConfig": 1 })
        .await
        .with_context(|| format!("replSetGetConfig on {seed}"))?;
    let existing = reply.get_document("config").cloned().unwrap_or(reply);
    let diffs = config_diff(plan, &existing);
    let version = existing
        .get("version")
        .map(|v| v.to_string())
        .unwrap_or_else(|| "?".into());
    if diffs.is_empty() {
        note(&format!(
            "already initiated: replica set \"{}\" (config version {version}) matches; nothing changed",
            existing.get_str("_id").unwrap_or("?")
        ));
        let set = existing.get_str("_id").ok();
        return super::status::show(ctx, &seeds_for_status(plan, seed), set).await;
    }
    let list = diffs
        .iter()
        .map(|d| format!("  - {d}"))
        .collect::<Vec<_>>()
        .join("\n");
    anyhow::bail!(
        "{seed} is already initiated (set \"{}\", config version {version}) with a different config; nothing changed:\n{list}",
        existing.get_str("_id").unwrap_or("?")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::exit::{classify, USAGE};
    use clap::Parser;

    fn args(extra: &[&str]) -> InitiateArgs {
        let mut v = vec!["rsctl", "initiate"];
        v.extend_from_slice(extra);
        match crate::cli::Cli::try_parse_from(v).unwrap().command {
            crate::cli::Command::Initiate(a) => a,
            _ => unreachable!(),
        }
    }

    fn a(s: &str) -> ServerAddress {
        ServerAddress::parse(s).unwrap()
    }

    #[test]
    fn explicit_plan_with_tags_priorities_and_arbiter() {
        let p = plan(
            &args(&[
                "--set",
                "rs1",
                "--member",
                "h1:1,dc=ny",
                "--member",
                "h2:2,dc=sf,rack=2",
                "--arbiter",
                "h3:3",
                "--priority",
                "h1:1=5",
            ]),
            &[a("h1:1")],
            None,
        )
        .unwrap();
        let Plan::Explicit {
            set,
            config,
            members,
        } = &p
        else {
            panic!("{p:?}")
        };
        assert_eq!(set, "rs1");
        assert_eq!(members, &vec![a("h1:1"), a("h2:2"), a("h3:3")]);
        let m = config.get_array("members").unwrap();
        let m0 = m[0].as_document().unwrap();
        assert_eq!(m0.get_f64("priority").unwrap(), 5.0);
        assert_eq!(
            m0.get_document("tags").unwrap().get_str("dc").unwrap(),
            "ny"
        );
        assert!(m[2].as_document().unwrap().get_bool("arbiterOnly").unwrap());
        assert_eq!(
            p.command()
                .get_document("replSetInitiate")
                .unwrap()
                .get_str("_id")
                .unwrap(),
            "rs1"
        );
    }

    #[test]
    fn implicit_plan_for_a_single_seed() {
        let p = plan(&args(&[]), &[a("h1:1")], Some("rsx")).unwrap();
        assert_eq!(
            p,
            Plan::Implicit {
                set: "rsx".into(),
                seed: a("h1:1")
            }
        );
        assert_eq!(p.command().get("replSetInitiate"), Some(&Bson::Null));
        // No name given: the member's own --replSet name is used (no mismatch to report).
        let p = plan(&args(&[]), &[a("h1:1")], None).unwrap();
        assert_eq!(p.set(), "");
        let st = MemberState::Uninitialized {
            set_name: Some("mine".into()),
        };
        assert_eq!(member_problem(&a("h1:1"), &st, p.set()), None);
        // Several seeds: they become the members.
        let p = plan(&args(&[]), &[a("h1:1"), a("h2:2")], None).unwrap();
        assert_eq!(p.members(), vec![a("h1:1"), a("h2:2")]);
        assert_eq!(p.set(), "rs0");
    }

    #[test]
    fn bad_input_is_usage() {
        for bad in [
            vec!["--member", "h1:0"],
            vec!["--member", "h1:1,dc"],
            vec!["--member", "h1:1", "--priority", "h1:1=x"],
            vec!["--member", "h1:1", "--priority", "h9:1=1"],
            vec!["--member", "h1:1", "--member", "h1:1"],
        ] {
            let e = plan(&args(&bad), &[a("h1:1")], None).unwrap_err();
            assert_eq!(classify(&e).code, USAGE, "{bad:?}: {e}");
        }
    }

    #[test]
    fn checks() {
        assert_eq!(
            static_problems(&[a("localhost:1"), a("127.0.0.1:2")]),
            Vec::<String>::new()
        );
        assert_eq!(
            static_problems(&[a("localhost:1"), a("db.example.com:2")]).len(),
            1
        );
        let fresh = doc! { "ismaster": false, "isreplicaset": true, "ok": 1 };
        assert_eq!(
            classify_hello(&fresh, None),
            MemberState::Uninitialized { set_name: None }
        );
        let opts = doc! { "parsed": { "replication": { "replSetName": "other" } } };
        let st = classify_hello(&doc! { "ismaster": false }, Some(&opts));
        assert!(member_problem(&a("h:1"), &st, "rs0")
            .unwrap()
            .contains("other"));
        let init = doc! { "setName": "rs0", "isWritablePrimary": true };
        assert!(
            member_problem(&a("h:1"), &classify_hello(&init, None), "rs0")
                .unwrap()
                .contains("already")
        );
        let standalone = doc! { "isWritablePrimary": true };
        assert!(
            member_problem(&a("h:1"), &classify_hello(&standalone, None), "rs0")
                .unwrap()
                .contains("--replSet")
        );
    }

    #[test]
    fn diff_and_settled() {
        let p = plan(
            &args(&["--member", "h1:1,dc=ny", "--member", "h2:2"]),
            &[a("h1:1")],
            None,
        )
        .unwrap();
        let same = doc! { "_id": "rs0", "version": 1, "members": [
        { "_id": 0, "host": "h1:1", "priority": 1.0, "tags": { "dc": "ny" } },
        { "_id": 1, "host": "h2:2", "priority": 1.0 } ] };
        assert!(config_diff(&p, &same).is_empty());
        let other = doc! { "_id": "rs0", "version": 1, "members": [
        { "_id": 0, "host": "h1:1", "tags": { "dc": "sf" } },
        { "_id": 1, "host": "h3:3" } ] };
        let d = config_diff(&p, &other);
        assert_eq!(d.len(), 3, "{d:?}");
        let st = doc! { "members": [ { "name": "h1:1", "stateStr": "PRIMARY" }, { "name": "h2:2", "stateStr": "STARTUP2" } ] };
        assert_eq!(
            settled(&st),
            (false, "h1:1 PRIMARY, h2:2 STARTUP2".to_string())
        );
        let st = doc! { "members": [ { "name": "h1:1", "stateStr": "PRIMARY" }, { "name": "h2:2", "stateStr": "SECONDARY" } ] };
        assert!(settled(&st).0);
    }
}
