//! Pure renderers: core types in, strings out (tables, JSON values, event lines). No I/O, so
//! every format is unit-tested here.

/// Hides the password of every `scheme://user:password@` in free text (error messages may quote a
/// URI). Everything else is left as is.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        // The userinfo ends at the last '@' before the next '/', '?' or whitespace.
        let end = tail
            .find(|c: char| c == '/' || c == '?' || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..colon]);
                        out.push_str(":***");
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact_text("bad uri mongodb://bob:s3cr@t@h1:1,h2/?x=1 here"),
            "bad uri mongodb://bob:***@h1:1,h2/?x=1 here"
        );
        assert_eq!(redact_text("mongodb://h1/x"), "mongodb://h1/x");
        assert_eq!(redact_text("mongodb://bob@h1"), "mongodb://bob@h1");
        assert_eq!(redact_text("no uri"), "no uri");
    }
}
