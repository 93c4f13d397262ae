//! `rsctl reconfig --config FILE`, and the engine every config change runs through (`member add`
//! / `remove` / `set` call [`change`] too):
//!
//! (1) read the current config from the primary; (2) compute the new one and print the diff,
//! member by member and field by field; (3) run every pre-flight check at once (new members
//! probed from here, a majority of the new voters reachable per the primary's status) and stop
//! with exit 1 before anything changes if any fails; (4) split into single-vote steps; (5) apply
//! each with `replSetReconfig` and, unless `--no-wait`, wait until it is committed (every voting
//! member reports the primary's config version and term) and added members are SECONDARY, with a
//! spinner showing each member's state. `--dry-run` stops after (4); `--force` is for recovery
//! without a primary (asks for confirmation unless `--yes`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use bson::{doc, Bson};
use serde_json::{json, Value};

use crate::client::Client;
use crate::core::address::ServerAddress;
use crate::core::description::ServerType;
use crate::core::reconfig::checks::{check, Checks, Environment, NewMemberProbe};
use crate::core::reconfig::diff::{diff, Diff, FieldChange};
use crate::core::reconfig::steps::{split, Step};
use crate::core::reconfig::{self, host_key, Change, Config, Member};

use super::exit::usage;
use super::output::{note, Format, Spinner, Stdout};
use super::{maint, session, Context};

/// Options every config change takes.
#[derive(Debug, Clone, clap::Args)]
pub struct ChangeOpts {
    /// Print the plan (diff, checks, steps) and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Return once each reconfig is accepted, without waiting for it to be committed.
    #[arg(long)]
    pub no_wait: bool,
    /// Recovery when no primary can be elected: replSetReconfig with force: true on the member
    /// rsctl reaches (a secondary if need be), in one step, skipping the safety rules. Can roll
    /// back majority-committed writes. Asks for confirmation unless --yes.
    #[arg(long)]
    pub force: bool,
    /// Do not ask for confirmation (with --force).
    #[arg(long)]
    pub yes: bool,
    /// How long to wait for each step to be committed (and added members to be SECONDARY).
    #[arg(long, value_name = "DUR", default_value = "120s", value_parser = super::parse_duration)]
    pub wait_timeout: Duration,
}

/// Arguments of `rsctl reconfig`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReconfigArgs {
    /// The whole new config, as JSON or Extended JSON (its version is ignored: rsctl sets it).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// What every config change takes.
    #[command(flatten)]
    pub opts: ChangeOpts,
}

/// Runs `rsctl reconfig --config FILE`.
pub async fn run(ctx: &Context, args: ReconfigArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.config).map_err(|e| {
        usage(format!(
            "cannot read --config {}: {e}",
            args.config.display()
        ))
    })?;
    let doc = super::args::ejson_document("--config", &text)?;
    let cfg = Config::parse(&doc)
        .map_err(|e| usage(format!("--config {}: {e}", args.config.display())))?;
    change(ctx, Change::Replace(cfg), &args.opts).await
}

/// Runs one config change end to end (see the module documentation).
pub async fn change(ctx: &Context, change: Change, opts: &ChangeOpts) -> anyhow::Result<()> {
    let client = session::connect(session::options(ctx)?).await?;
    let result = run_change(ctx, &client, change, opts).await;
    client.shutdown().await;
    result
}

/// A member probed as a new member would be.
async fn probe_new(client: &Client, host: &str) -> NewMemberProbe {
    let addr = match ServerAddress::parse(host) {
        Ok(a) => a,
        Err(e) => return NewMemberProbe::Unreachable(e.to_string()),
    };
    match client.probe(&addr).await {
        Err(e) => NewMemberProbe::Unreachable(super::render::redact_text(&e.to_string())),
        Ok((_, reply)) => match reply.get_str("setName") {
            Ok(set) => NewMemberProbe::Initiated {
                set: set.to_string(),
            },
            Err(_) if reply.get_bool("isreplicaset").unwrap_or(false) => NewMemberProbe::Ready,
            Err(_) => NewMemberProbe::NotReplicaSet,
        },
    }
}

/// Everything decided before anything changes.
struct Plan {
    current: Config,
    target: Config,
    diff: Diff,
    notes: Vec<String>,
    checks: Checks,
    steps: Vec<Step>,
}

async fn run_change(
    ctx: &Context,
    client: &Client,
    change: Change,
    opts: &ChangeOpts,
) -> anyhow::Result<()> {
    let topo = session::discover(
        client,
        session::settle_time(client),
        session::Patience::Command("reconfig"),
    )
    .await?;
    session::check_credential(client).await?;
    let at = if opts.force {
        match maint::primary_of(&topo) {
            Some(p) => p,
            None => topo
                .servers
                .values()
                .find(|s| s.server_type == ServerType::RSSecondary)
                .map(|s| s.address.clone())
                .ok_or_else(|| anyhow::anyhow!("reconfig --force: no member is reachable"))?,
        }
    } else {
        maint::require_primary(&topo, "reconfig")?
    };
    let current = maint::config(client, &at).await?;
    let status = maint::status(client, &at).await?;
    let applied = reconfig::apply(&current, &change).map_err(usage)?;
    let target = applied.config;
    let mut env = Environment {
        primary: maint::primary_of(&topo).map(|p| p.to_string()),
        reachable: status
            .iter()
            .filter(|s| s.healthy)
            .map(|s| s.name.clone())
            .collect(),
        new_members: BTreeMap::new(),
        force: opts.force,
    };
    for m in &target.members {
        if current.member_by_host(m.host()).is_none() {
            env.new_members
                .insert(host_key(m.host()), probe_new(client, m.host()).await);
        }
    }
    let mut checks = check(&current, &target, &env);
    let steps = if opts.force {
        let mut c = target.clone();
        c.set_version(current.version() + 1);
        vec![Step {
            config: c,
            changes: vec!["the whole new config at once (force)".into()],
        }]
    } else {
        match split(&current, &target) {
            Ok(s) => s,
            Err(e) => {
                if checks.problems.is_empty() {
                    checks.problems.push(e);
                }
                Vec::new()
            }
        }
    };
    let plan = Plan {
        diff: diff(&current, &target),
        current,
        target,
        notes: applied.notes,
        checks,
        steps,
    };
    let mut out = Stdout::new();
    if ctx.format == Format::Table {
        out.line(&plan_text(&plan, &ctx.style))?;
        out.flush()?;
    }
    let refused = !plan.checks.problems.is_empty();
    if plan.diff.is_empty() || refused || opts.dry_run {
        if ctx.format == Format::Json {
            out.line(&serde_json::to_string_pretty(&plan_json(
                &plan, opts, None,
            ))?)?;
            out.flush()?;
        }
        if refused {
            return Err(anyhow::anyhow!(
                "{} problem(s) found; nothing was changed",
                plan.checks.problems.len()
            ));
        }
        if ctx.format == Format::Table {
            let what = if plan.diff.is_empty() {
                "nothing to change"
            } else {
                "dry run: nothing was changed"
            };
            out.line(what)?;
            out.flush()?;
        }
        return Ok(());
    }
    if opts.force {
        confirm_force(opts.yes)?;
    }
    let result = apply_steps(ctx, client, &at, &plan, opts, &mut out).await;
    let (applied, last_version, committed, error) = match &result {
        Ok((v, c)) => (plan.steps.len(), Some(*v), *c, None),
        Err((n, v, e)) => (*n, *v, false, Some(format!("{e:#}"))),
    };
    if ctx.format == Format::Json {
        let r = json!({
            "applied_steps": applied,
            "config_version": last_version,
            "committed": committed,
            "error": error,
        });
        out.line(&serde_json::to_string_pretty(&plan_json(
            &plan,
            opts,
            Some(r),
        ))?)?;
        out.flush()?;
    }
    match result {
        Ok(_) => Ok(()),
        Err((n, _, e)) => Err(e.context(format!(
            "{n} of {} step(s) applied before the failure",
            plan.steps.len()
        ))),
    }
}

fn confirm_force(yes: bool) -> anyhow::Result<()> {
    note(
        "rsctl: WARNING: --force installs the new config without the safety rules: no \
         majority, no commitment, no single-vote steps. Members left out may keep the old \
         config, and writes acknowledged with w:\"majority\" can be rolled back. Use it only \
         to recover a set that cannot elect a primary.",
    );
    use std::io::{BufRead, IsTerminal, Write};
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(usage(
            "--force asks for confirmation on a terminal; give --yes to confirm without one",
        ));
    }
    eprint!("Type \"force\" to install the new config: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    if line.trim() != "force" {
        return Err(anyhow::anyhow!("not confirmed; nothing was changed"));
    }
    Ok(())
}

type StepError = (usize, Option<i64>, anyhow::Error);

/// Sends each step and waits for it; Ok((last version, committed)) or the steps applied, the
/// last version installed and the error.
async fn apply_steps(
    ctx: &Context,
    client: &Client,
    at: &ServerAddress,
    plan: &Plan,
    opts: &ChangeOpts,
    out: &mut Stdout,
) -> Result<(i64, bool), StepError> {
    let total = plan.steps.len();
    let mut installed: Option<i64> = None;
    for (k, step) in plan.steps.iter().enumerate() {
        // mongod may have bumped the version itself (newlyAdded removal): go above it.
        let now_version = match maint::config(client, at).await {
            Ok(c) => c.version(),
            Err(e) => return Err((k, installed, e)),
        };
        let version = step.config.version().max(now_version + 1);
        let mut cmd = doc! { "replSetReconfig": step.config.for_reconfig(version) };
        if opts.force {
            cmd.insert("force", true);
        }
        if let Err(e) = client.run_command_on(at, "admin", cmd).await {
            return Err((k, installed, maint::explain("replSetReconfig", e)));
        }
        installed = Some(version);
        let mut line = format!(
            "step {}/{total}: config version {version} installed (not waiting)",
            k + 1
        );
        if !opts.no_wait && !opts.force {
            let prev = if k == 0 {
                &plan.current
            } else {
                &plan.steps[k - 1].config
            };
            match wait_committed(client, at, prev, &step.config, opts.wait_timeout).await {
                Ok(v) => {
                    installed = Some(v);
                    line = format!("step {}/{total}: config version {v} committed", k + 1);
                }
                Err(e) => return Err((k + 1, installed, e)),
            }
        }
        if ctx.format == Format::Table {
            let _ = out.line_flush(&line);
        }
    }
    Ok((installed.unwrap_or(0), !opts.no_wait && !opts.force))
}

/// Waits until every voting member of `cfg` reports the primary's config (version and term) and
/// every member added since `prev` is SECONDARY (ARBITER for an arbiter). Returns the version.
async fn wait_committed(
    client: &Client,
    at: &ServerAddress,
    prev: &Config,
    cfg: &Config,
    timeout: Duration,
) -> anyhow::Result<i64> {
    let spinner = Spinner::start("waiting for the config to be committed");
    let deadline = tokio::time::Instant::now() + timeout;
    let added: Vec<&Member> = cfg
        .members
        .iter()
        .filter(|m| prev.member_by_id(m.id()).is_none())
        .collect();
    // Each added member's state as last shown: a change is printed as a line of its own.
    let mut shown: Vec<Option<String>> = vec![None; added.len()];
    let last_missing = loop {
        let status = maint::status(client, at).await?;
        let me = status.iter().find(|s| s.is_self);
        let (version, term) = (
            me.and_then(|s| s.config_version),
            me.and_then(|s| s.config_term),
        );
        let mut missing = Vec::new();
        let mut states = Vec::new();
        for m in &cfg.members {
            let s = status
                .iter()
                .find(|s| host_key(&s.name) == host_key(m.host()));
            let state = s.map(|s| s.state.as_str()).unwrap_or("?");
            states.push(format!("{} {state}", m.host()));
            let added_at = added.iter().position(|a| a.id() == m.id());
            let is_added = added_at.is_some();
            if let Some(k) = added_at {
                if s.is_some() && shown[k].as_deref() != Some(state) {
                    spinner.line(&format!("  {}: {state}", m.host()));
                    shown[k] = Some(state.to_string());
                }
            }
            if m.is_voter() {
                let reports = s.is_some_and(|s| {
                    s.config_version == version && (s.config_term == term || s.is_self)
                });
                if !reports {
                    missing.push(format!(
                        "{} (config version {})",
                        m.host(),
                        s.and_then(|s| s.config_version)
                            .map_or("unknown".into(), |v| v.to_string())
                    ));
                }
            }
            if is_added {
                let want = if m.arbiter() { "ARBITER" } else { "SECONDARY" };
                if state != want {
                    missing.push(format!("{} ({state}, waiting for {want})", m.host()));
                }
            }
        }
        spinner.set_message(format!(
            "config version {}: {}",
            version.map_or("?".into(), |v| v.to_string()),
            states.join(", ")
        ));
        if missing.is_empty() {
            spinner.finish();
            return Ok(version.unwrap_or(0));
        }
        if tokio::time::Instant::now() >= deadline {
            break missing;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    spinner.finish();
    Err(anyhow::anyhow!(
        "the config was installed but not committed within --wait-timeout {}: waiting for {}",
        humantime::format_duration(timeout),
        last_missing.join(", ")
    ))
}

// ---------------------------------------------------------------------------------------------
// rendering

fn value_text(v: &Option<Bson>) -> String {
    match v {
        None => "(absent)".into(),
        Some(b) => {
            let line = super::args::relaxed_line(doc! { "v": b.clone() });
            line.strip_prefix("{\"v\":")
                .and_then(|l| l.strip_suffix('}'))
                .unwrap_or(&line)
                .to_string()
        }
    }
}

fn field_value_text(field: &str, v: &Option<Bson>) -> String {
    match v {
        Some(Bson::Document(d)) if field == "tags" => {
            let tags: crate::core::description::Tags = d
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect();
            super::render::tags_text(&tags)
        }
        other => value_text(other),
    }
}

fn fields_text(fields: &[FieldChange]) -> String {
    fields
        .iter()
        .map(|f| {
            format!(
                "{} {} → {}",
                f.field,
                field_value_text(&f.field, &f.from),
                field_value_text(&f.field, &f.to)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn member_text(m: &Member) -> String {
    let mut s = format!(
        "{} (_id {}): votes {}, priority {}",
        m.host(),
        m.id(),
        m.votes(),
        m.priority()
    );
    if m.arbiter() {
        s.push_str(", arbiter");
    }
    if m.hidden() {
        s.push_str(", hidden");
    }
    if m.secondary_delay_secs() > 0.0 {
        s.push_str(&format!(
            ", secondaryDelaySecs {}",
            m.secondary_delay_secs()
        ));
    }
    let tags = m.tags();
    if !tags.is_empty() {
        s.push_str(&format!(", tags {}", super::render::tags_text(&tags)));
    }
    s
}

/// The diff, as the table form prints it (one line per member or setting).
pub fn diff_lines(d: &Diff) -> Vec<String> {
    let mut out = Vec::new();
    for m in &d.removed {
        out.push(format!("- removed {}", member_text(m)));
    }
    for m in &d.added {
        out.push(format!("+ added   {}", member_text(m)));
    }
    for c in &d.changed {
        out.push(format!(
            "~ changed {} (_id {}): {}",
            c.host,
            c.id,
            fields_text(&c.fields)
        ));
    }
    for f in &d.settings {
        out.push(format!("~ {}", fields_text(std::slice::from_ref(f))));
    }
    out
}

fn plan_text(plan: &Plan, style: &super::output::Style) -> String {
    let mut s = format!(
        "config of {}: version {}{}",
        plan.current.set_name(),
        plan.current.version(),
        match plan.steps.len() {
            0 => String::new(),
            n => format!(
                " → {} ({n} step{})",
                plan.steps.last().map(|s| s.config.version()).unwrap_or(0),
                if n == 1 { "" } else { "s" }
            ),
        }
    );
    for l in diff_lines(&plan.diff) {
        s.push_str(&format!("\n  {l}"));
    }
    for n in &plan.notes {
        s.push_str(&format!("\n  note: {n}"));
    }
    if plan.checks.problems.is_empty() {
        s.push_str(&format!("\n{}", style.green("checks: ok")));
    } else {
        s.push_str(&format!(
            "\n{}",
            style.red(&format!(
                "checks: {} problem(s)",
                plan.checks.problems.len()
            ))
        ));
        for p in &plan.checks.problems {
            s.push_str(&format!("\n  ✗ {p}"));
        }
    }
    for w in &plan.checks.warnings {
        s.push_str(&format!("\n  {}", style.yellow(&format!("! {w}"))));
    }
    if !plan.steps.is_empty() && plan.checks.problems.is_empty() {
        s.push_str("\nsteps:");
        for (k, st) in plan.steps.iter().enumerate() {
            s.push_str(&format!(
                "\n  {}. config version {}: {}",
                k + 1,
                st.config.version(),
                st.changes.join("; ")
            ));
        }
    }
    s
}

fn bson_json(v: &Option<Bson>) -> Value {
    v.clone()
        .map(Bson::into_relaxed_extjson)
        .unwrap_or(Value::Null)
}

fn member_json(m: &Member) -> Value {
    Bson::Document(m.doc().clone()).into_relaxed_extjson()
}

fn fields_json(fields: &[FieldChange]) -> Value {
    Value::Array(
        fields
            .iter()
            .map(|f| json!({"field": f.field, "from": bson_json(&f.from), "to": bson_json(&f.to)}))
            .collect(),
    )
}

fn plan_json(plan: &Plan, opts: &ChangeOpts, result: Option<Value>) -> Value {
    json!({
        "set": plan.current.set_name(),
        "from_version": plan.current.version(),
        "dry_run": opts.dry_run,
        "force": opts.force,
        "diff": {
            "added": plan.diff.added.iter().map(member_json).collect::<Vec<_>>(),
            "removed": plan.diff.removed.iter().map(member_json).collect::<Vec<_>>(),
            "changed": plan.diff.changed.iter().map(|c| json!({
                "_id": c.id, "host": c.host, "fields": fields_json(&c.fields),
            })).collect::<Vec<_>>(),
            "settings": fields_json(&plan.diff.settings),
        },
        "notes": plan.notes,
        "problems": plan.checks.problems,
        "warnings": plan.checks.warnings,
        "steps": plan.steps.iter().map(|s| json!({
            "version": s.config.version(),
            "changes": s.changes,
            "config": Bson::Document(s.config.for_reconfig(s.config.version())).into_relaxed_extjson(),
        })).collect::<Vec<_>>(),
        "target": Bson::Document(plan.target.for_reconfig(plan.target.version())).into_relaxed_extjson(),
        "result": result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lines_name_members_and_fields() {
        let old = Config::parse(&doc! {"_id": "rs0", "version": 1, "members": [
            {"_id": 0, "host": "a:1"}, {"_id": 1, "host": "b:1"}, {"_id": 2, "host": "c:1", "tags": {"dc": "ny"}},
        ], "settings": {"chainingAllowed": true}})
        .unwrap();
        let new = Config::parse(&doc! {"_id": "rs0", "version": 1, "members": [
            {"_id": 0, "host": "a:1", "priority": 2}, {"_id": 2, "host": "c:1", "tags": {"dc": "sf"}},
            {"_id": 3, "host": "d:1", "votes": 0, "priority": 0, "hidden": true},
        ], "settings": {"chainingAllowed": false}})
        .unwrap();
        let lines = diff_lines(&diff(&old, &new));
        assert_eq!(lines[0], "- removed b:1 (_id 1): votes 1, priority 1");
        assert_eq!(
            lines[1],
            "+ added   d:1 (_id 3): votes 0, priority 0, hidden"
        );
        assert_eq!(lines[2], "~ changed a:1 (_id 0): priority 1 → 2");
        assert_eq!(lines[3], "~ changed c:1 (_id 2): tags {dc: ny} → {dc: sf}");
        assert_eq!(lines[4], "~ settings.chainingAllowed true → false");
    }
}
