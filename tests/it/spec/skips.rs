//! Every spec case rsctl deliberately skips, with the reason. Nothing about SDAM or server
//! selection behaviour may be skipped: only options rsctl does not support.

/// `(suite, case-name substring, reason)`.
pub const SKIPS: &[(&str, &str, &str)] = &[
    (
        "auth",
        "should use username and password if specified (MONGODB-AWS)",
        "obsolete: DRIVERS-3131 removed AWS credentials from connection strings; rsctl follows the \
         newer cases of the same file (\"should throw an exception if username and password provided \
         (MONGODB-AWS)\")",
    ),
    (
        "auth",
        "should use username, password and session token if specified (MONGODB-AWS)",
        "obsolete: DRIVERS-3131 removed AWS credentials and AWS_SESSION_TOKEN from connection strings; \
         rsctl follows the newer cases of the same file (\"should throw an exception if AWS_SESSION_TOKEN \
         provided (MONGODB-AWS)\")",
    ),
];

/// Every suite the runners report (`Suite::new`), by name: a skip entry must name one of them
/// (and `Suite::finish` checks that it matches exactly one of that suite's cases).
pub const SUITES: &[&str] = &[
    "sdam/load-balanced",
    "sdam/monitoring",
    "sdam/rs",
    "sdam/sharded",
    "sdam/single",
    "sdam/errors",
    "max-staleness",
    "in_window",
    "rtt",
    "server_selection",
    "auth",
    "uri-options",
    "connection-string",
];

#[test]
fn every_skip_entry_names_a_suite_that_runs() {
    for (suite, pattern, reason) in SKIPS {
        assert!(
            SUITES.contains(suite),
            "skip entry ({suite:?}, {pattern:?}) names no suite the runners report; known: {SUITES:?}"
        );
        assert!(!reason.is_empty() && !pattern.is_empty());
    }
}

/// The reason a case is skipped, if it is.
pub fn skip_reason(suite: &str, case: &str) -> Option<&'static str> {
    SKIPS
        .iter()
        .find(|(s, c, _)| *s == suite && case.contains(c))
        .map(|(_, _, r)| *r)
}
