//! `rsctl member add | remove | set`: one member's change, turned into a
//! [`crate::core::reconfig::Change`] and run through the config-change engine of
//! [`super::reconfig`] (diff, checks, single-vote steps, commitment).

use std::time::Duration;

use crate::core::address::ServerAddress;
use crate::core::description::Tags;
use crate::core::reconfig::{AddMember, Change, SetMember};

use super::exit::usage;
use super::reconfig::ChangeOpts;
use super::Context;

/// Arguments of `rsctl member`.
#[derive(Debug, Clone, clap::Args)]
pub struct MemberArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: MemberCommand,
}

/// The `member` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum MemberCommand {
    /// Add a member (it must run mongod --replSet with no config yet).
    Add(AddArgs),
    /// Remove a member (not the primary: step it down first).
    Remove(RemoveArgs),
    /// Change a member's priority, votes, tags, hidden flag or delay.
    Set(SetArgs),
}

/// Arguments of `rsctl member add`.
#[derive(Debug, Clone, clap::Args)]
pub struct AddArgs {
    /// The new member, with optional tags: HOST:PORT[,tag=value...].
    #[arg(value_name = "HOST:PORT[,TAG=VALUE...]")]
    pub member: String,
    /// Election priority (default 1; 0 for a hidden, delayed or non-voting member or an arbiter).
    #[arg(long, value_name = "N")]
    pub priority: Option<f64>,
    /// Votes: 0 or 1 (default 1).
    #[arg(long, value_name = "0|1", value_parser = clap::value_parser!(i64).range(0..=1))]
    pub votes: Option<i64>,
    /// Hidden from clients (priority 0).
    #[arg(long)]
    pub hidden: bool,
    /// An arbiter: votes, holds no data.
    #[arg(long)]
    pub arbiter: bool,
    /// Apply the primary's writes this late (secondaryDelaySecs; priority 0, whole seconds).
    #[arg(long, value_name = "DUR", value_parser = super::parse_duration)]
    pub secondary_delay: Option<Duration>,
    /// What every config change takes.
    #[command(flatten)]
    pub opts: ChangeOpts,
}

/// Arguments of `rsctl member remove`.
#[derive(Debug, Clone, clap::Args)]
pub struct RemoveArgs {
    /// The member to remove.
    #[arg(value_name = "HOST:PORT")]
    pub host: String,
    /// What every config change takes.
    #[command(flatten)]
    pub opts: ChangeOpts,
}

/// Arguments of `rsctl member set`.
#[derive(Debug, Clone, clap::Args)]
pub struct SetArgs {
    /// The member to change.
    #[arg(value_name = "HOST:PORT")]
    pub host: String,
    /// Election priority (0 to 1000; 0: never primary).
    #[arg(long, value_name = "N")]
    pub priority: Option<f64>,
    /// Votes: 0 or 1 (0 needs priority 0, which rsctl sets unless --priority is given).
    #[arg(long, value_name = "0|1", value_parser = clap::value_parser!(i64).range(0..=1))]
    pub votes: Option<i64>,
    /// Set a tag: k=v. Repeatable.
    #[arg(long, value_name = "K=V")]
    pub tag: Vec<String>,
    /// Remove a tag. Repeatable.
    #[arg(long, value_name = "K")]
    pub untag: Vec<String>,
    /// Hide the member from clients (priority 0).
    #[arg(long, conflicts_with = "no_hidden")]
    pub hidden: bool,
    /// Show a hidden member to clients again (give --priority to make it electable).
    #[arg(long)]
    pub no_hidden: bool,
    /// Apply the primary's writes this late (secondaryDelaySecs; 0s: not delayed).
    #[arg(long, value_name = "DUR", value_parser = super::parse_duration)]
    pub secondary_delay: Option<Duration>,
    /// What every config change takes.
    #[command(flatten)]
    pub opts: ChangeOpts,
}

fn host(s: &str) -> anyhow::Result<String> {
    ServerAddress::parse(s.trim())
        .map(|a| a.to_string())
        .map_err(|e| usage(format!("invalid HOST:PORT \"{s}\": {e}")))
}

/// `HOST:PORT[,tag=value...]`.
pub fn parse_member(s: &str) -> anyhow::Result<(String, Tags)> {
    let mut parts = s.split(',');
    let h = host(parts.next().unwrap_or(""))?;
    let mut tags = Tags::new();
    for item in parts {
        let (k, v) = parse_tag(item).map_err(|e| usage(format!("invalid member \"{s}\": {e}")))?;
        tags.insert(k, v);
    }
    Ok((h, tags))
}

fn parse_tag(item: &str) -> Result<(String, String), String> {
    match item.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
            Ok((k.trim().to_string(), v.trim().to_string()))
        }
        _ => Err(format!("tag \"{item}\" is not tag=value")),
    }
}

fn priority(p: Option<f64>) -> anyhow::Result<Option<f64>> {
    match p {
        Some(p) if !(0.0..=1000.0).contains(&p) || p.is_nan() => Err(usage(format!(
            "--priority {p}: a priority lies between 0 and 1000"
        ))),
        p => Ok(p),
    }
}

fn delay(d: Option<Duration>) -> anyhow::Result<Option<i64>> {
    match d {
        Some(d) if d.subsec_nanos() != 0 => Err(usage(format!(
            "--secondary-delay {}: secondaryDelaySecs is a whole number of seconds",
            humantime::format_duration(d)
        ))),
        d => Ok(d.map(|d| d.as_secs() as i64)),
    }
}

/// Builds the change `member ...` asks for (usage errors before connecting).
pub fn to_change(cmd: &MemberCommand) -> anyhow::Result<(Change, &ChangeOpts)> {
    Ok(match cmd {
        MemberCommand::Add(a) => {
            let (host, tags) = parse_member(&a.member)?;
            let change = Change::Add(AddMember {
                host,
                tags,
                priority: priority(a.priority)?,
                votes: a.votes,
                hidden: a.hidden,
                arbiter: a.arbiter,
                secondary_delay_secs: delay(a.secondary_delay)?,
            });
            (change, &a.opts)
        }
        MemberCommand::Remove(r) => (
            Change::Remove {
                host: host(&r.host)?,
            },
            &r.opts,
        ),
        MemberCommand::Set(s) => {
            let mut tag = Vec::new();
            for t in &s.tag {
                tag.push(parse_tag(t).map_err(|e| usage(format!("invalid --tag: {e}")))?);
            }
            let hidden = match (s.hidden, s.no_hidden) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            };
            let change = Change::Set(SetMember {
                host: host(&s.host)?,
                priority: priority(s.priority)?,
                votes: s.votes,
                tag,
                untag: s.untag.clone(),
                hidden,
                secondary_delay_secs: delay(s.secondary_delay)?,
            });
            let nothing = matches!(&change, Change::Set(c) if c.priority.is_none() && c.votes.is_none()
                && c.tag.is_empty() && c.untag.is_empty() && c.hidden.is_none() && c.secondary_delay_secs.is_none());
            if nothing {
                return Err(usage(
                    "member set: nothing to change (give --priority, --votes, --tag, --untag, \
                     --hidden/--no-hidden or --secondary-delay)",
                ));
            }
            (change, &s.opts)
        }
    })
}

/// Runs `rsctl member ...`.
pub async fn run(ctx: &Context, args: MemberArgs) -> anyhow::Result<()> {
    let (change, opts) = to_change(&args.command)?;
    super::reconfig::change(ctx, change, opts).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(args: &[&str]) -> anyhow::Result<Change> {
        let cli = crate::cli::Cli::try_parse_from(args)?;
        let crate::cli::Command::Member(m) = cli.command else {
            panic!("member")
        };
        to_change(&m.command).map(|(c, _)| c)
    }

    #[test]
    fn member_add_parses_tags_and_flags() {
        let c = parse(&[
            "rsctl",
            "member",
            "add",
            "H:27019,dc=sf,rack=2",
            "--hidden",
            "--secondary-delay",
            "1h",
            "--votes",
            "0",
        ])
        .unwrap();
        let Change::Add(a) = c else { panic!() };
        assert_eq!(a.host, "h:27019");
        assert_eq!(a.tags.len(), 2);
        assert_eq!(a.secondary_delay_secs, Some(3600));
        assert_eq!(a.votes, Some(0));
        assert!(a.hidden);
        assert!(parse(&["rsctl", "member", "add", "h:1", "--votes", "2"]).is_err());
        let e = parse(&["rsctl", "member", "add", "h:1,dc"]).unwrap_err();
        assert_eq!(crate::cli::exit::classify(&e).code, 2);
        let e = parse(&["rsctl", "member", "add", "h:1", "--priority", "1001"]).unwrap_err();
        assert!(e.to_string().contains("between 0 and 1000"));
    }

    #[test]
    fn member_set_needs_something_and_hidden_flags_conflict() {
        let c = parse(&[
            "rsctl",
            "member",
            "set",
            "h:1",
            "--tag",
            "dc=ny",
            "--tag",
            "rack=1",
            "--untag",
            "x",
            "--no-hidden",
        ])
        .unwrap();
        let Change::Set(s) = c else { panic!() };
        assert_eq!(s.tag.len(), 2);
        assert_eq!(s.hidden, Some(false));
        assert!(parse(&["rsctl", "member", "set", "h:1"])
            .unwrap_err()
            .to_string()
            .contains("nothing to change"));
        assert!(parse(&["rsctl", "member", "set", "h:1", "--hidden", "--no-hidden"]).is_err());
        assert!(parse(&[
            "rsctl",
            "member",
            "set",
            "h:1",
            "--secondary-delay",
            "1500ms"
        ])
        .is_err());
    }
}
