//! The `rsctl` command line: the clap definitions of every subcommand and global option, the tokio
//! runtime, logging for `-v`, Ctrl-C, and the one exit-code mapping ([`exit::classify`]).
//!
//! One module per command (`initiate`, `status`, `read`, `watch`, `stepdown`, `freeze`, `member`,
//! `reconfig`, `demo`, `lab`, `docs`), with what the maintenance commands share in `maint`; pure
//! renderers of core types live in `render`; terminal concerns (colour, spinners, a stdout that
//! survives `| head`) in `output`.

use std::time::Duration;

use clap::{Parser, Subcommand};

pub mod args;
pub mod demo;
pub mod docs;
pub mod exit;
#[cfg(test)]
mod fixtures;
pub mod freeze;
pub mod initiate;
pub mod interrupt;
pub mod lab;
pub mod maint;
pub mod member;
pub mod mongos;
pub mod output;
pub mod read;
pub mod reconfig;
pub mod render;
pub mod session;
pub mod set_report;
pub mod status;
pub mod stepdown;
pub mod track;
pub mod watch;

use output::{ColorChoice, Format, Style};

/// The help heading of the options every command accepts ([`GlobalArgs`]).
pub const GLOBAL_OPTIONS: &str = "Global options";

/// Operate MongoDB replica sets: initiate, status, reads with explicit read preferences, live
/// failover watching, and a wire-compatible lab to rehearse on.
#[derive(Debug, Parser)]
#[command(
    name = "rsctl",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = "Exit codes: 0 success, 1 operation failed, 2 invalid input or usage, \
                  3 no suitable server within the timeout, 130 interrupted.\n\
                  Try `rsctl demo` for a tour on an embedded lab (no MongoDB needed)."
)]
pub struct Cli {
    /// Options common to every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted by every command. Help pages list them after the command's own options,
/// under their own heading.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = GLOBAL_OPTIONS)]
pub struct GlobalArgs {
    /// Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare
    /// seed list (h1:27017,h2:27018).
    #[arg(
        short = 'u',
        long,
        env = "MONGODB_URI",
        hide_env_values = true,
        global = true,
        value_name = "URI"
    )]
    pub uri: Option<String>,

    /// The replica set name to require (overrides replicaSet in the URI).
    #[arg(short = 's', long = "replica-set", global = true, value_name = "NAME")]
    pub replica_set: Option<String>,

    /// Talk to the first seed only, whatever its type (directConnection=true).
    #[arg(long, global = true)]
    pub direct: bool,

    /// Output format.
    #[arg(short = 'o', long, value_enum, global = true, default_value_t = Format::Table)]
    pub output: Format,

    /// Short for --output json.
    #[arg(long, global = true)]
    pub json: bool,

    /// Server selection timeout (e.g. 500ms, 10s, 2m).
    #[arg(long, global = true, value_name = "DUR", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// Interval between the monitors' heartbeats (heartbeatFrequencyMS).
    #[arg(long, global = true, value_name = "DUR", value_parser = parse_duration)]
    pub heartbeat: Option<Duration>,

    /// Width of the latency window above the fastest eligible member (localThresholdMS).
    #[arg(long = "local-threshold", global = true, value_name = "DUR", value_parser = parse_duration)]
    pub local_threshold: Option<Duration>,

    /// When to colour the output (NO_COLOR is respected by auto).
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides).
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The
    /// password is prompted for on a terminal, or read with --password-stdin; with
    /// authMechanism=MONGODB-X509 none is asked for (USER must be the certificate's subject).
    #[arg(long, global = true, value_name = "USER")]
    pub username: Option<String>,

    /// Read the password for --username from the first line of standard input.
    #[arg(long = "password-stdin", global = true, requires = "username")]
    pub password_stdin: bool,

    /// Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver:
    /// for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members' host
    /// names (names it does not know fall back to the system resolver). For split-horizon DNS
    /// debugging: see what a given server tells clients.
    #[arg(
        long = "dns-server",
        env = "RSCTL_DNS_SERVER",
        global = true,
        value_name = "ADDR",
        value_parser = crate::net::dns::parse_dns_server
    )]
    pub dns_server: Option<std::net::SocketAddr>,
}

impl GlobalArgs {
    /// The output format (`--json` wins over `--output`).
    pub fn format(&self) -> Format {
        if self.json {
            Format::Json
        } else {
            self.output
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Turn fresh mongods into a replica set and wait for a primary.
    Initiate(initiate::InitiateArgs),
    /// Discover the set from any live seed and show every member.
    Status(status::StatusArgs),
    /// Read documents with an explicit read preference; say who served them and why.
    Read(read::ReadArgs),
    /// Stream topology changes and elections live; measure write outages with --probe.
    #[command(name = "failover-watch")]
    FailoverWatch(watch::WatchArgs),
    /// Step the primary down (or up another member with --to), checked first, and measure the
    /// election.
    Stepdown(stepdown::StepdownArgs),
    /// Keep a member from standing for election for a while (replSetFreeze; --for 0s unfreezes).
    Freeze(freeze::FreezeArgs),
    /// Add, remove or change one member (previewed, checked, applied in safe steps).
    Member(member::MemberArgs),
    /// Install a whole new config from a file (previewed, checked, applied in safe steps).
    Reconfig(reconfig::ReconfigArgs),
    /// Run a simulated replica set (wire-compatible, with fault injection).
    Lab(lab::LabArgs),
    /// A guided tour on an embedded 3-member lab: initiate, status, reads, a failover.
    Demo(demo::DemoArgs),
    /// Print a shell completion script.
    Completions(docs::CompletionsArgs),
    /// Write man pages (rsctl.1 and one per subcommand) into a directory.
    Man(docs::ManArgs),
}

/// Parses `500ms`, `10s`, `2m`, `1h 30m` (humantime). A bare number is refused: the unit matters.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty duration: expected e.g. 500ms, 10s, 2m".to_string());
    }
    humantime::parse_duration(t)
        .map_err(|e| format!("invalid duration \"{s}\" ({e}): expected e.g. 500ms, 10s, 2m"))
}

/// What every command receives besides its own arguments.
#[derive(Debug, Clone)]
pub struct Context {
    /// The global options as given.
    pub global: GlobalArgs,
    /// What they name, resolved once at start (a mongodb+srv URI's records, the DNS server).
    pub resolved: args::Resolved,
    /// Resolved output format.
    pub format: Format,
    /// Colour for stdout.
    pub style: Style,
    /// Ctrl-C, listened for from the start so that none is lost between two phases.
    pub interrupt: interrupt::Interrupt,
}

fn init_tracing(verbose: u8, color: ColorChoice) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "rsctl=info,warn",
        2 => "rsctl=debug,info",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(Style::detect_stderr(color).color)
        .with_target(verbose >= 2)
        .try_init();
}

/// Runs the CLI with the process arguments and returns the exit code.
pub fn main() -> i32 {
    main_from(std::env::args_os())
}

/// Runs the CLI with the given arguments (the first is the program name) and returns the exit code.
pub fn main_from<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = exit::clap_code(&e);
            let _ = e.print();
            return code;
        }
    };
    init_tracing(cli.global.verbose, cli.global.color);
    // failover-watch is a long-lived monitor that is idle almost all the time: on one thread, a
    // pushed hello goes from the socket through the monitor, the topology worker and the watch
    // loop to stdout without waking another thread at each hand-over (faster detection, less
    // CPU). Commands that do work (reads, the lab) keep two worker threads.
    let mut builder = match &cli.command {
        Command::FailoverWatch(_) => tokio::runtime::Builder::new_current_thread(),
        _ => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(2);
            b
        }
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            output::note(&format!(
                "rsctl: error: cannot start the async runtime: {e}"
            ));
            return exit::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => exit::SUCCESS,
        Err(e) => {
            let outcome = exit::classify(&e);
            if outcome.report {
                output::note(&format!(
                    "rsctl: error: {}",
                    render::redact_text(&format!("{e:#}"))
                ));
            }
            outcome.code
        }
    }
}

/// Dispatches to the command. Commands that own Ctrl-C (`failover-watch` ends on it with a
/// summary; `lab` and `demo` shut their servers down) are not wrapped; every other command is
/// abandoned on Ctrl-C with exit code 130.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let format = cli.global.format();
    let global = cli.global;
    // Before anything else: from here on a Ctrl-C is kept until someone asks. Commands that run
    // servers also stop cleanly on SIGTERM.
    let interrupt = match cli.command {
        Command::Lab(_) | Command::Demo(_) => interrupt::Interrupt::install_with_terminate(),
        _ => interrupt::Interrupt::install(),
    };
    let mut resolved = args::Resolved::default();
    if matches!(
        cli.command,
        Command::Initiate(_)
            | Command::Status(_)
            | Command::Read(_)
            | Command::FailoverWatch(_)
            | Command::Stepdown(_)
            | Command::Freeze(_)
            | Command::Member(_)
            | Command::Reconfig(_)
    ) {
        resolved = interruptible_value(&interrupt, args::resolve(&global)).await?;
    }
    let ctx = Context {
        style: Style::detect(global.color),
        format,
        global,
        resolved,
        interrupt,
    };
    let i = &ctx.interrupt;
    match cli.command {
        Command::Lab(args) => lab::run(args, i).await,
        Command::FailoverWatch(args) => watch::run(&ctx, args).await,
        Command::Demo(args) => interruptible(i, demo::run(&ctx, args)).await,
        Command::Completions(args) => docs::completions(args),
        Command::Man(args) => docs::man(args),
        Command::Initiate(args) => interruptible(i, initiate::run(&ctx, args)).await,
        Command::Status(args) => interruptible(i, status::run(&ctx, args)).await,
        Command::Read(args) => interruptible(i, read::run(&ctx, args)).await,
        Command::Stepdown(args) => interruptible(i, stepdown::run(&ctx, args)).await,
        Command::Freeze(args) => interruptible(i, freeze::run(&ctx, args)).await,
        Command::Member(args) => interruptible(i, member::run(&ctx, args)).await,
        Command::Reconfig(args) => interruptible(i, reconfig::run(&ctx, args)).await,
    }
}

async fn interruptible(
    interrupt: &interrupt::Interrupt,
    fut: impl std::future::Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<()> {
    interruptible_value(interrupt, fut).await
}

/// `fut`, or exit 130 on Ctrl-C (the mongodb+srv lookups may wait for DNS timeouts).
async fn interruptible_value<T>(
    interrupt: &interrupt::Interrupt,
    fut: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    tokio::select! {
        r = fut => r,
        _ = interrupt.wait() => Err(anyhow::Error::new(exit::Interrupted)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        let e = parse_duration("10").unwrap_err();
        assert!(e.contains("\"10\""), "{e}");
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn json_flag_wins() {
        let cli = Cli::try_parse_from(["rsctl", "status", "--json"]).unwrap();
        assert_eq!(cli.global.format(), Format::Json);
        let cli = Cli::try_parse_from(["rsctl", "-o", "json", "status"]).unwrap();
        assert_eq!(cli.global.format(), Format::Json);
        let cli = Cli::try_parse_from(["rsctl", "status"]).unwrap();
        assert_eq!(cli.global.format(), Format::Table);
    }

    #[test]
    fn usage_errors_exit_2() {
        assert_eq!(
            main_from(["rsctl", "status", "--timeout", "soon"]),
            exit::USAGE
        );
        assert_eq!(main_from(["rsctl", "nope"]), exit::USAGE);
        assert_eq!(main_from(["rsctl", "--help"]), exit::SUCCESS);
    }
}
