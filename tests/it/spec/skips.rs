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

/// The reason a case is skipped, if it is.
#[allow(dead_code)]
pub fn skip_reason(suite: &str, case: &str) -> Option<&'static str> {
    SKIPS
        .iter()
        .find(|(s, c, _)| *s == suite && case.contains(c))
        .map(|(_, _, r)| *r)
}
