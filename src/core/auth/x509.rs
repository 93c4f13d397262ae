//! MONGODB-X509, pure (auth specification): the client proves its identity with the TLS client
//! certificate, so the conversation is one `authenticate` command on `$external` (also sent
//! speculatively in the hello). The user name is optional: the server takes it from the
//! certificate's subject DN (RFC 2253 form).

use bson::{doc, Document};

use crate::core::error::{Error, Result};
use crate::core::uri::Credential;

/// The mechanism's name.
pub const MECHANISM: &str = "MONGODB-X509";
/// The database every X.509 user lives in.
pub const EXTERNAL: &str = "$external";

/// The `authenticate` command (run on `$external`); `user` only when the credential names one.
pub fn authenticate_command(credential: &Credential) -> Document {
    let mut cmd = doc! {"authenticate": 1, "mechanism": MECHANISM};
    if let Some(user) = &credential.username {
        cmd.insert("user", user.clone());
    }
    cmd
}

/// The hello's `speculativeAuthenticate`: the same command with `db: "$external"`.
pub fn speculative_command(credential: &Credential) -> Document {
    let mut cmd = authenticate_command(credential);
    cmd.insert("db", EXTERNAL);
    cmd
}

/// An authentication error for X.509, naming the user (or "the certificate's subject").
pub fn error(credential: &Credential, what: impl std::fmt::Display) -> Error {
    let who = credential
        .username
        .as_deref()
        .map(|u| format!("user {u}"))
        .unwrap_or_else(|| "the client certificate's subject".to_string());
    Error::Authentication {
        message: format!("{who} on database {EXTERNAL} with {MECHANISM}: {what}"),
    }
}

/// Checks what a client needs before it may try MONGODB-X509: TLS on, a client certificate to
/// present, and no password. `has_tls` / `has_certificate` describe the connection's TLS options.
pub fn check_requirements(
    credential: &Credential,
    has_tls: bool,
    has_certificate: bool,
) -> Result<()> {
    if credential.password.is_some() {
        return Err(Error::invalid(
            "authMechanism=MONGODB-X509 does not accept a password",
        ));
    }
    if !has_tls {
        return Err(Error::invalid(
            "authMechanism=MONGODB-X509 needs TLS: add tls=true and tlsCertificateKeyFile=PATH to the connection string",
        ));
    }
    if !has_certificate {
        return Err(Error::invalid(
            "authMechanism=MONGODB-X509 needs a client certificate: add tlsCertificateKeyFile=PATH (a PEM file with the certificate and its key) to the connection string",
        ));
    }
    Ok(())
}

/// True when `credential` asks for MONGODB-X509.
pub fn is_x509(credential: &Credential) -> bool {
    credential
        .mechanism
        .as_deref()
        .is_some_and(|m| m.eq_ignore_ascii_case(MECHANISM))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cred(user: Option<&str>) -> Credential {
        Credential {
            username: user.map(str::to_string),
            source: Some(EXTERNAL.into()),
            mechanism: Some(MECHANISM.into()),
            ..Credential::default()
        }
    }

    #[test]
    fn commands_carry_the_user_only_when_given() {
        assert_eq!(
            authenticate_command(&cred(None)),
            doc! {"authenticate": 1, "mechanism": "MONGODB-X509"}
        );
        assert_eq!(
            speculative_command(&cred(Some("CN=client,O=rsctl"))),
            doc! {"authenticate": 1, "mechanism": "MONGODB-X509", "user": "CN=client,O=rsctl", "db": "$external"}
        );
    }

    #[test]
    fn requirements_are_checked_in_order() {
        let c = cred(None);
        assert!(check_requirements(&c, true, true).is_ok());
        let e = check_requirements(&c, false, false).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { .. }), "{e:?}");
        assert!(e.to_string().contains("tls=true"), "{e}");
        let e = check_requirements(&c, true, false).unwrap_err();
        assert!(e.to_string().contains("tlsCertificateKeyFile"), "{e}");
        let with_pw = Credential {
            password: Some("pw".into()),
            ..c
        };
        let e = check_requirements(&with_pw, true, true).unwrap_err();
        assert!(!e.to_string().contains("pw\""), "{e}");
        assert!(is_x509(&cred(None)));
        assert!(!is_x509(&Credential::default()));
    }

    #[test]
    fn errors_name_the_subject_or_user() {
        assert!(error(&cred(None), "Authentication failed.")
            .to_string()
            .contains("client certificate's subject"));
        assert!(error(&cred(Some("CN=x")), "no")
            .to_string()
            .contains("user CN=x on database $external with MONGODB-X509"));
    }
}
