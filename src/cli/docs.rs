//! `rsctl completions SHELL` and `rsctl man DIR`: shell completions and man pages generated from
//! the same clap definitions as the parser, so they cannot drift (tests/it/cli_docs.rs checks the
//! committed copies in `completions/` and `man/`).

use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// Arguments of `rsctl completions`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to generate for (bash, zsh, fish, powershell, elvish).
    #[arg(value_enum, required_unless_present = "dir")]
    pub shell: Option<Shell>,
    /// Write the script of every shell (or only SHELL's) into this directory instead of stdout.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Arguments of `rsctl man`.
#[derive(Debug, Clone, clap::Args)]
pub struct ManArgs {
    /// Directory to write rsctl.1 and rsctl-SUBCOMMAND.1 into (created if missing).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// The shells `completions/` holds a script for, with the file name of each.
pub const SHELLS: &[(Shell, &str)] = &[
    (Shell::Bash, "rsctl.bash"),
    (Shell::Zsh, "_rsctl"),
    (Shell::Fish, "rsctl.fish"),
    (Shell::PowerShell, "_rsctl.ps1"),
    (Shell::Elvish, "rsctl.elv"),
];

/// The command to regenerate the committed completions and man pages.
pub const REGENERATE: &str =
    "cargo run -q -- man man && cargo run -q -- completions --dir completions";

/// The completion script for one shell.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "rsctl", &mut out);
    out
}

/// Escapes free text for roff: backslashes, and a leading `.` or `'` that would read as a request.
fn roff_text(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines() {
        let esc = line.replace('\\', "\\e").replace('-', "\\-");
        if esc.starts_with('.') || esc.starts_with('\'') {
            out.push_str("\\&");
        }
        out.push_str(&esc);
        out.push('\n');
    }
    out
}

const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "Success. Also when stdout is closed early (for example by `| head`)."),
    (
        "1",
        "The operation failed: a server or network error, or a check that did not pass \
         (for example initiate against a set configured differently).",
    ),
    (
        "2",
        "Invalid input or usage: a malformed URI, tag set, Extended JSON document or duration, an \
         invalid read preference combination, or a command-line error.",
    ),
    (
        "3",
        "No suitable server within the server selection timeout (--timeout); the message lists the \
         topology rsctl saw.",
    ),
    ("130", "Interrupted (Ctrl-C)."),
];

fn extra_sections(top: bool) -> String {
    let mut s = String::new();
    if top {
        s.push_str(".SH ENVIRONMENT\n.TP\n\\fBMONGODB_URI\\fR\n");
        s.push_str(&roff_text(
            "Connection string or seed list used when --uri is not given. Passwords are never printed.",
        ));
        s.push_str(".TP\n\\fBNO_COLOR\\fR\n");
        s.push_str(&roff_text(
            "When set and not empty, --color auto does not colour.",
        ));
        s.push_str(".TP\n\\fBRUST_LOG\\fR\n");
        s.push_str(&roff_text("Overrides the log filter chosen by -v."));
    }
    s.push_str(".SH \"EXIT STATUS\"\n");
    for (code, text) in EXIT_STATUS {
        s.push_str(&format!(".TP\n\\fB{code}\\fR\n"));
        s.push_str(&roff_text(text));
    }
    s
}

fn render_page(cmd: &clap::Command, top: bool) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut out)?;
    }
    out.extend_from_slice(extra_sections(top).as_bytes());
    if top {
        man.render_version_section(&mut out)?;
    }
    Ok(out)
}

/// Every man page as (file name, contents): `rsctl.1`, then `rsctl-SUBCOMMAND.1` for each
/// subcommand.
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = vec![("rsctl.1".to_string(), render_page(&cmd, true)?)];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("rsctl-{}.1", sub.get_name());
        pages.push((name, render_page(sub, false)?));
    }
    Ok(pages)
}

/// Runs `rsctl completions SHELL`.
pub fn completions(args: CompletionsArgs) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use std::io::Write;
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for (shell, file) in SHELLS {
            if args.shell.is_some_and(|s| s != *shell) {
                continue;
            }
            let path = dir.join(file);
            std::fs::write(&path, completion(*shell))
                .with_context(|| format!("writing {}", path.display()))?;
            super::output::note(&format!("wrote {}", path.display()));
        }
        return Ok(());
    }
    let Some(shell) = args.shell else {
        return Err(super::exit::usage(
            "completions: name a SHELL or give --dir",
        ));
    };
    let script = completion(shell);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(())
}

/// Runs `rsctl man DIR`.
pub fn man(args: ManArgs) -> anyhow::Result<()> {
    use anyhow::Context as _;
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    for (name, page) in man_pages()? {
        let path = args.dir.join(&name);
        std::fs::write(&path, page).with_context(|| format!("writing {}", path.display()))?;
        super::output::note(&format!("wrote {}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_page_per_subcommand_and_exit_codes_documented() {
        let pages = man_pages().unwrap();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        for n in [
            "rsctl.1",
            "rsctl-initiate.1",
            "rsctl-status.1",
            "rsctl-read.1",
            "rsctl-failover-watch.1",
        ] {
            assert!(names.contains(&n), "{names:?}");
        }
        let top = String::from_utf8(pages[0].1.clone()).unwrap();
        assert!(top.contains("EXIT STATUS"));
        assert!(top.contains("130"));
    }

    #[test]
    fn roff_escapes_requests() {
        assert_eq!(roff_text(".x\n'y\na\\b"), "\\&.x\n\\&'y\na\\eb\n");
    }

    #[test]
    fn completions_mention_subcommands() {
        let bash = String::from_utf8(completion(Shell::Bash)).unwrap();
        assert!(bash.contains("failover-watch"));
    }
}
