//! Exit codes, and the one place where an error becomes one.
//!
//! | code | meaning |
//! |------|---------|
//! | 0    | success (also: stdout was closed early, e.g. `rsctl read ... \| head`) |
//! | 1    | the operation failed (server or network error, or a check that did not pass) |
//! | 2    | invalid input or usage (bad URI, tags, EJSON, durations, clap errors) |
//! | 3    | no suitable server within the server selection timeout |
//! | 130  | interrupted (Ctrl-C) |
//!
//! Commands return `anyhow::Result`; [`classify`] walks the error chain and picks the code. Code
//! that wants a specific code wraps its error in [`Usage`], [`NoServer`] or [`Interrupted`].

use std::fmt;

/// Success.
pub const SUCCESS: i32 = 0;
/// The operation failed.
pub const FAILURE: i32 = 1;
/// Invalid input or usage.
pub const USAGE: i32 = 2;
/// No suitable server within the timeout.
pub const NO_SERVER: i32 = 3;
/// Interrupted by Ctrl-C (128 + SIGINT).
pub const INTERRUPTED: i32 = 130;

/// An invalid input or usage error raised by the CLI itself (exit 2).
#[derive(Debug)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Usage {}

/// No suitable server was found in time (exit 3); the message describes the topology.
#[derive(Debug)]
pub struct NoServer(pub String);

impl fmt::Display for NoServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for NoServer {}

/// The user pressed Ctrl-C (exit 130).
#[derive(Debug)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("interrupted")
    }
}
impl std::error::Error for Interrupted {}

/// Shorthand: an `anyhow::Error` that exits with code 2.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Usage(message.into()))
}

/// What to do with an error: the exit code, and whether to print it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// The process exit code.
    pub code: i32,
    /// False when the error must end the process quietly (a closed stdout).
    pub report: bool,
}

/// Whether the error chain holds an `io::Error` of kind `BrokenPipe` (stdout closed by `head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The single mapping from an error to an exit code.
pub fn classify(err: &anyhow::Error) -> Outcome {
    if is_broken_pipe(err) {
        return Outcome {
            code: SUCCESS,
            report: false,
        };
    }
    for cause in err.chain() {
        if cause.downcast_ref::<Interrupted>().is_some() {
            return Outcome {
                code: INTERRUPTED,
                report: true,
            };
        }
        if cause.downcast_ref::<Usage>().is_some() {
            return Outcome {
                code: USAGE,
                report: true,
            };
        }
        if cause.downcast_ref::<NoServer>().is_some() {
            return Outcome {
                code: NO_SERVER,
                report: true,
            };
        }
        if let Some(e) = cause.downcast_ref::<crate::core::error::Error>() {
            let code = match e {
                crate::core::error::Error::InvalidArgument { .. } => USAGE,
                crate::core::error::Error::ServerSelection { .. } => NO_SERVER,
                _ => FAILURE,
            };
            return Outcome { code, report: true };
        }
        if cause.downcast_ref::<clap::Error>().is_some() {
            return Outcome {
                code: USAGE,
                report: true,
            };
        }
    }
    Outcome {
        code: FAILURE,
        report: true,
    }
}

/// The exit code for a clap parse error: `--help`/`--version` are successes, the rest usage errors.
pub fn clap_code(err: &clap::Error) -> i32 {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => SUCCESS,
        _ => USAGE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::address::ServerAddress;
    use crate::core::error::{Error, NetworkErrorKind};

    #[test]
    fn library_errors_map_to_their_codes() {
        let sel = anyhow::Error::new(Error::ServerSelection {
            message: "no primary".into(),
        });
        assert_eq!(classify(&sel).code, NO_SERVER);
        let inv = anyhow::Error::new(Error::invalid("bad uri"));
        assert_eq!(classify(&inv).code, USAGE);
        let net = anyhow::Error::new(Error::network(
            &ServerAddress::new("h", 1),
            NetworkErrorKind::Closed,
            "closed",
        ));
        assert_eq!(classify(&net).code, FAILURE);
    }

    #[test]
    fn context_does_not_hide_the_cause() {
        let e = anyhow::Error::new(Error::ServerSelection {
            message: "x".into(),
        })
        .context("reading test.c");
        assert_eq!(classify(&e).code, NO_SERVER);
        let u = usage("bad --tags").context("while parsing");
        assert_eq!(classify(&u).code, USAGE);
        let i = anyhow::Error::new(Interrupted);
        assert_eq!(classify(&i).code, INTERRUPTED);
        assert_eq!(classify(&anyhow::anyhow!("boom")).code, FAILURE);
    }

    #[test]
    fn broken_pipe_is_quiet_success() {
        let e = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("writing");
        assert_eq!(
            classify(&e),
            Outcome {
                code: SUCCESS,
                report: false
            }
        );
    }
}
