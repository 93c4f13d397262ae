//! The committed shell completions (completions/) and man pages (man/) must match what the current
//! clap definitions generate. When this fails, regenerate them with the command it prints.

use std::path::Path;

use rsctl::cli::docs::{completion, man_pages, REGENERATE, SHELLS};

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
