//! Every spec case rsctl deliberately skips, with the reason. Nothing about SDAM or server
//! selection behaviour may be skipped: only options rsctl does not support.

/// `(suite, case-name substring, reason)`.
pub const SKIPS: &[(&str, &str, &str)] = &[];

/// The reason a case is skipped, if it is.
#[allow(dead_code)]
pub fn skip_reason(suite: &str, case: &str) -> Option<&'static str> {
    SKIPS
        .iter()
        .find(|(s, c, _)| *s == suite && case.contains(c))
        .map(|(_, _, r)| *r)
}
