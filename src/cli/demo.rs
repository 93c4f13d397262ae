//! `rsctl demo`: a narrated tour on an embedded 3-member lab: initiate, status, tagged reads,
//! a primary killed while failover-watch probes, the outage measured, everything stopped.
//!
//! Each step prints the equivalent command line (with the lab's real ports), then runs the very
//! code behind that command, so what the demo shows is what the commands do.

use std::time::Duration;

use bson::doc;
use clap::Parser;

use crate::lab::cluster::Fault;
use crate::lab::server::{Lab, LabConfig};

use super::output::{note, Stdout};
use super::{session, Cli, Command, Context};

/// Arguments of `rsctl demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// electionTimeoutMillis of the lab (short, so the failover is quick).
    #[arg(long, value_name = "DUR", default_value = "1s", value_parser = super::parse_duration)]
    pub election_timeout: Duration,
    /// How long failover-watch runs around the kill.
    #[arg(long, value_name = "DUR", default_value = "6s", value_parser = super::parse_duration)]
    pub watch: Duration,
}

fn say(out: &mut Stdout, ctx: &Context, text: &str) -> std::io::Result<()> {
    out.line_flush("")?;
    out.line_flush(&ctx.style.bold(&format!("== {text}")))
}

fn cmd_line(out: &mut Stdout, ctx: &Context, args: &[String]) -> std::io::Result<()> {
    let shown: Vec<String> = args
        .iter()
        .map(|a| {
            if a.is_empty() || a.contains([' ', '{', '}', '"', '$', ',']) && !a.starts_with("127.")
            {
                format!("'{a}'")
            } else {
                a.clone()
            }
        })
        .collect();
    out.line_flush(&ctx.style.dim(&format!("$ {}", shown.join(" "))))
}

/// Parses a command line the way the binary would and runs it with this process's style.
async fn run_as(ctx: &Context, out: &mut Stdout, args: Vec<String>) -> anyhow::Result<()> {
    cmd_line(out, ctx, &args)?;
    let cli = Cli::try_parse_from(&args)
        .map_err(|e| anyhow::anyhow!("demo built a bad command line: {e}"))?;
    let sub = Context {
        format: cli.global.format(),
        style: ctx.style,
        global: cli.global,
        resolved: Default::default(),
        interrupt: ctx.interrupt.clone(),
    };
    match cli.command {
        Command::Initiate(a) => super::initiate::run(&sub, a).await,
        Command::Status(a) => super::status::run(&sub, a).await,
        Command::Read(a) => super::read::run(&sub, a).await,
        Command::FailoverWatch(a) => super::watch::run(&sub, a).await,
        _ => anyhow::bail!("the demo only runs initiate, status, read and failover-watch"),
    }
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// Runs `rsctl demo`.
pub async fn run(ctx: &Context, args: DemoArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut out = Stdout::new();
    let lab = Lab::start(LabConfig {
        set_name: "demo".into(),
        nodes: 3,
        base_port: 0,
        election_timeout: args.election_timeout,
        heartbeat_interval: Duration::from_millis(200),
        seed: 7,
        ..LabConfig::default()
    })
    .await?;
    let result = tour(ctx, &args, &lab, &mut out).await;
    lab.shutdown().await;
    match result {
        Ok(()) => {
            say(
                &mut out,
                ctx,
                &format!(
                    "Done in {:.1} s: the lab is stopped.",
                    started.elapsed().as_secs_f64()
                ),
            )?;
            out.line_flush("Try it on your own lab:  rsctl lab up --port 27017 --initiate   (then rsctl -u localhost:27017 status)")?;
            Ok(())
        }
        Err(e) => Err(e.context("the demo failed")),
    }
}

async fn tour(ctx: &Context, args: &DemoArgs, lab: &Lab, out: &mut Stdout) -> anyhow::Result<()> {
    let hosts = lab.hosts();
    let seeds = lab.seed_list();
    say(
        out,
        ctx,
        &format!(
            "A lab of 3 simulated mongods is listening on {} (replica set \"demo\", not initiated yet; electionTimeout {}, heartbeat 200ms).",
            hosts.join(", "),
            humantime::format_duration(args.election_timeout)
        ),
    )?;

    say(
        out,
        ctx,
        "1. initiate: check the members, run replSetInitiate once, wait for a primary",
    )?;
    let mut init = s(&[
        "rsctl",
        "-u",
        &seeds,
        "--heartbeat",
        "500ms",
        "initiate",
        "--set",
        "demo",
    ]);
    for (h, dc) in hosts.iter().zip(["ny", "ny", "sf"]) {
        init.push("--member".into());
        init.push(format!("{h},dc={dc}"));
    }
    run_as(ctx, out, init).await?;

    say(
        out,
        ctx,
        "2. Write a few documents with w:majority (any driver would do this)",
    )?;
    let client = session::connect(session::options_for_own_lab(
        ctx,
        &hosts
            .iter()
            .map(|h| h.parse())
            .collect::<crate::Result<Vec<_>>>()?,
        Some("demo"),
    ))
    .await?;
    for (i, item) in ["apples", "pears", "plums", "figs", "kiwis"]
        .iter()
        .enumerate()
    {
        client
            .insert_one(
                "shop",
                "orders",
                doc! { "_id": i as i32 + 1, "item": *item, "qty": (i as i32 + 1) * 3 },
                doc! { "w": "majority" },
            )
            .await?;
    }
    client.shutdown().await;
    out.line_flush("inserted 5 orders into shop.orders (acknowledged by a majority)")?;

    say(
        out,
        ctx,
        "3. read with nearest, preferring dc=sf, falling back to any member; --explain says why",
    )?;
    run_as(
        ctx,
        out,
        s(&[
            "rsctl",
            "-u",
            &seeds,
            "--heartbeat",
            "500ms",
            "read",
            "shop.orders",
            "--pref",
            "nearest",
            "--tags",
            "dc=sf",
            "--tags",
            "",
            "--filter",
            r#"{"qty": {"$gte": 6}}"#,
            "--explain",
        ]),
    )
    .await?;

    say(
        out,
        ctx,
        "4. failover-watch with a write probe; the primary is killed after 1.5 s",
    )?;
    let watch = run_as(
        ctx,
        out,
        s(&[
            "rsctl",
            "-u",
            &seeds,
            "--heartbeat",
            "500ms",
            "failover-watch",
            "--probe",
            "--probe-interval",
            "100ms",
            "--duration",
            &humantime::format_duration(args.watch).to_string(),
        ]),
    );
    let killer = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let primary = lab.primary();
        if let Some(p) = &primary {
            note(
                &ctx.style
                    .bold(&format!(">>> killing the primary {p} (rsctl lab kill {p})")),
            );
            lab.fault(p, Fault::Kill).await?;
        }
        anyhow::Ok(primary)
    };
    let (watched, killed) = tokio::join!(watch, killer);
    watched?;
    let killed = killed?;

    if let Some(p) = killed {
        say(
            out,
            ctx,
            &format!("5. restart {p}: it rejoins as a secondary; status shows the new shape"),
        )?;
        lab.fault(&p, Fault::Start).await?;
        wait_rejoined(lab, &p).await;
        run_as(
            ctx,
            out,
            s(&["rsctl", "-u", &seeds, "--heartbeat", "500ms", "status"]),
        )
        .await?;
    }
    Ok(())
}

/// Waits (briefly) until the primary reports a restarted member as SECONDARY, so that the last
/// status shows the set settled.
async fn wait_rejoined(lab: &Lab, host: &str) {
    let opts = crate::net::connection::ConnectionOptions {
        connect_timeout: Duration::from_secs(1),
        ..Default::default()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    while tokio::time::Instant::now() < deadline {
        let primary = lab
            .primary()
            .and_then(|p| p.parse::<crate::core::address::ServerAddress>().ok());
        if let Some(p) = primary {
            if let Ok((mut conn, _)) =
                crate::net::connection::Connection::connect(&p, &opts, 0, true).await
            {
                if let Ok(st) = conn
                    .run_command("admin", doc! { "replSetGetStatus": 1 })
                    .await
                {
                    let settled = st.get_array("members").is_ok_and(|ms| {
                        ms.iter().filter_map(|m| m.as_document()).any(|m| {
                            m.get_str("name") == Ok(host)
                                && m.get_str("stateStr") == Ok("SECONDARY")
                        })
                    });
                    if settled {
                        return;
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
