//! Shared plumbing for the spec runners: locating files, counting and reporting.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::skips::{SKIPS, SUITES};

/// The root of the spec suites.
pub fn spec_dir() -> PathBuf {
    match std::env::var_os("RSCTL_SPEC_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/specs"),
    }
}

/// Every `*.json` file under `spec_dir()/sub`, sorted, recursively.
pub fn json_files(sub: &str) -> Vec<PathBuf> {
    let root = spec_dir().join(sub);
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
            panic!(
                "cannot read spec folder {}: {e} (set RSCTL_SPEC_DIR)",
                dir.display()
            )
        });
        for e in entries {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no spec files under {}", root.display());
    out
}

/// Reads and parses one JSON file.
pub fn load(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Counts for one suite.
#[derive(Default)]
pub struct Suite {
    pub name: String,
    pub passed: usize,
    pub failed: Vec<String>,
    pub skipped: Vec<String>,
    /// Every case name seen, run or skipped (to check the skip list against).
    pub cases: Vec<String>,
}

impl Suite {
    pub fn new(name: &str) -> Self {
        assert!(
            SUITES.contains(&name),
            "suite {name:?} is not listed in skips::SUITES"
        );
        Suite {
            name: name.to_string(),
            ..Default::default()
        }
    }

    /// Records one case's result; `Err` carries what differed.
    pub fn record(&mut self, case: &str, result: Result<(), String>) {
        self.cases.push(case.to_string());
        match result {
            Ok(()) => self.passed += 1,
            Err(why) => self.failed.push(format!("{case}: {why}")),
        }
    }

    /// Records a skipped case with its reason (reasons come from `skips.rs`).
    pub fn skip(&mut self, case: &str, reason: &str) {
        self.cases.push(case.to_string());
        self.skipped.push(format!("{case}: {reason}"));
    }

    /// Prints the summary line straight to stderr (past the test harness's capture, so every run
    /// shows the counts) and every failure and skip (captured: shown when the test fails), then
    /// fails the test on any failure, or on an entry of the skip list for this suite that does not
    /// match exactly one of its cases.
    pub fn finish(self) {
        for s in &self.skipped {
            println!("  skipped {s}");
        }
        for f in &self.failed {
            println!("  FAILED {f}");
        }
        let line = format!(
            "{}: {} passed, {} failed, {} skipped\n",
            self.name,
            self.passed,
            self.failed.len(),
            self.skipped.len()
        );
        let _ = std::io::stderr().write_all(line.as_bytes());
        for (suite, pattern, _) in SKIPS.iter().filter(|(s, _, _)| *s == self.name) {
            let hits: Vec<&String> = self.cases.iter().filter(|c| c.contains(pattern)).collect();
            assert_eq!(
                hits.len(),
                1,
                "the skip entry ({suite:?}, {pattern:?}) must match exactly one case, matched {hits:?}"
            );
        }
        assert!(
            self.failed.is_empty(),
            "{}: {} case(s) failed",
            self.name,
            self.failed.len()
        );
        assert!(self.passed > 0, "{}: no case ran", self.name);
    }
}
