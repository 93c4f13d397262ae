//! The committed shell completions (completions/) and man pages (man/) must match what the current
//! clap definitions generate. When this fails, regenerate them with the command it prints.

use std::path::Path;

use rsctl::cli::docs::{completion, man_pages, REGENERATE, SHELLS};

use crate::util::{assert_code, Rsctl};

fn check(path: &Path, expected: &[u8], drift: &mut Vec<String>) {
    match std::fs::read(path) {
        Ok(actual) if actual == expected => {}
        Ok(_) => drift.push(format!("{} differs", path.display())),
        Err(e) => drift.push(format!("{}: {e}", path.display())),
    }
}

#[test]
fn committed_completions_and_man_pages_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut drift = Vec::new();
    for (shell, file) in SHELLS {
        check(
            &root.join("completions").join(file),
            &completion(*shell),
            &mut drift,
        );
    }
    let pages = man_pages().expect("render man pages");
    for (name, page) in &pages {
        check(&root.join("man").join(name), page, &mut drift);
    }
    // No stale pages for subcommands that no longer exist.
    for entry in std::fs::read_dir(root.join("man")).expect("man/ exists") {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !pages.iter().any(|(n, _)| *n == name) {
            drift.push(format!("man/{name} is not generated any more"));
        }
    }
    assert!(
        drift.is_empty(),
        "completions/man pages drifted from the clap definitions:\n  {}\nregenerate with:\n  {REGENERATE}",
        drift.join("\n  ")
    );
}

/// `rsctl ARGS` (a `--help` page) as text.
fn help_page(args: &[&str]) -> String {
    let out = Rsctl::new(args).run_blocking();
    assert_code(&out, 0);
    String::from_utf8(out.stdout).unwrap()
}

/// The line index where `--flag` (or `-x, --flag`) is listed on a help page.
fn flag_line(page: &str, flag: &str) -> Option<usize> {
    page.lines().position(|l| {
        let l = l.trim_start();
        let l = l
            .strip_prefix('-')
            .filter(|r| r.chars().nth(1) == Some(','))
            .map(|r| r[2..].trim_start())
            .unwrap_or(l);
        l.strip_prefix(flag)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '.']))
    })
}

#[test]
fn help_pages_list_command_options_before_the_global_ones() {
    use clap::CommandFactory;
    let globals: Vec<String> = rsctl::cli::Cli::command()
        .get_arguments()
        .filter(|a| a.is_global_set())
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    assert!(globals.len() >= 10, "{globals:?}");
    assert!(globals.iter().any(|g| g == "--uri"), "{globals:?}");
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["read"],
            &[
                "--filter",
                "--projection",
                "--sort",
                "--limit",
                "--skip",
                "--pref",
                "--tags",
                "--max-staleness",
                "--explain",
            ],
        ),
        (
            &["failover-watch"],
            &[
                "--duration",
                "--probe",
                "--probe-interval",
                "--rtt-threshold",
            ],
        ),
        (
            &["initiate"],
            &["--set", "--member", "--arbiter", "--no-wait"],
        ),
        (
            &["lab", "up"],
            &["--set", "--nodes", "--port", "--initiate"],
        ),
    ];
    for (command, own) in cases {
        for help in ["--help", "-h"] {
            let args: Vec<&str> = command.iter().copied().chain([help]).collect();
            let page = help_page(&args);
            let heading = page
                .lines()
                .position(|l| l == format!("{}:", rsctl::cli::GLOBAL_OPTIONS))
                .unwrap_or_else(|| panic!("{args:?}: no Global options heading in\n{page}"));
            let options = page
                .lines()
                .position(|l| l == "Options:")
                .unwrap_or_else(|| panic!("{args:?}: no Options heading in\n{page}"));
            assert!(options < heading, "{args:?}:\n{page}");
            for flag in *own {
                let at = flag_line(&page, flag)
                    .unwrap_or_else(|| panic!("{args:?}: {flag} not listed in\n{page}"));
                assert!(
                    options < at && at < heading,
                    "{args:?}: {flag} is not among the command's own options:\n{page}"
                );
            }
            for flag in &globals {
                let at = flag_line(&page, flag)
                    .unwrap_or_else(|| panic!("{args:?}: {flag} not listed in\n{page}"));
                assert!(
                    at > heading,
                    "{args:?}: global {flag} is listed before the Global options heading:\n{page}"
                );
            }
        }
    }
}
