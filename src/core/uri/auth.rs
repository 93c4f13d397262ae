//! The credential a connection string asks for, per the auth specification's rules for
//! connection strings: when a credential exists, which mechanisms accept which parts, the
//! default authentication database and the default mechanism properties.

use bson::{Bson, Document};

use crate::core::error::{Error, Result};

use super::Credential;

/// Mechanism names of the auth spec, in their canonical spelling.
pub(super) const MECHANISMS: &[&str] = &[
    "SCRAM-SHA-1",
    "SCRAM-SHA-256",
    "PLAIN",
    "GSSAPI",
    "MONGODB-X509",
    "MONGODB-AWS",
    "MONGODB-OIDC",
];

/// The canonical spelling of a mechanism name (matched case-insensitively).
pub(super) fn canonical_mechanism(name: &str) -> Option<&'static str> {
    MECHANISMS
        .iter()
        .copied()
        .find(|m| m.eq_ignore_ascii_case(name))
}

const EXTERNAL: &str = "$external";

/// Builds the credential from the userinfo and the accepted options. `None` when neither a
/// userinfo nor authMechanism is present (a database or authSource alone asks for nothing).
pub(super) fn resolve(
    userinfo: Option<(String, Option<String>)>,
    options: &Document,
    database: Option<&str>,
) -> Result<Option<Credential>> {
    let mechanism = options.get_str("authMechanism").ok();
    if userinfo.is_none() && mechanism.is_none() {
        return Ok(None);
    }
    let (username, password) = match userinfo {
        Some((u, p)) => (Some(u), p),
        None => (None, None),
    };
    if username.as_deref() == Some("") {
        return Err(Error::invalid(
            "the connection string has a userinfo ('@') but an empty username",
        ));
    }
    let auth_source = options.get_str("authSource").ok();
    let props_given = options.get_document("authMechanismProperties").ok();
    let mut props = props_given.cloned().unwrap_or_default();
    let mech_name = mechanism.unwrap_or("the default mechanism");

    let require_username = || -> Result<()> {
        if username.is_none() {
            return Err(Error::invalid(format!(
                "authMechanism={mech_name} requires a username"
            )));
        }
        Ok(())
    };
    let forbid_password = || -> Result<()> {
        if password.is_some() {
            return Err(Error::invalid(format!(
                "authMechanism={mech_name} does not accept a password"
            )));
        }
        Ok(())
    };
    let forbid_properties = || -> Result<()> {
        if let Some(p) = props_given.filter(|p| !p.is_empty()) {
            let keys: Vec<&str> = p.keys().map(String::as_str).collect();
            return Err(Error::invalid(format!(
                "authMechanism={mech_name} does not accept authMechanismProperties ({})",
                keys.join(", ")
            )));
        }
        Ok(())
    };
    let allow_properties = |allowed: &[&str]| -> Result<()> {
        if let Some(k) = props.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(Error::invalid(format!(
                "unsupported authMechanismProperties key {k} for authMechanism={mech_name} (supported: {})",
                allowed.join(", ")
            )));
        }
        Ok(())
    };
    let external_source = || -> Result<String> {
        match auth_source {
            None | Some(EXTERNAL) => Ok(EXTERNAL.to_string()),
            Some(other) => Err(Error::invalid(format!(
                "authSource={other} is invalid for authMechanism={mech_name}: it must be $external"
            ))),
        }
    };
    let prop = |k: &str| props.get_str(k).ok().map(str::to_string);

    let source = match mechanism {
        None | Some("SCRAM-SHA-1") | Some("SCRAM-SHA-256") => {
            require_username()?;
            forbid_properties()?;
            auth_source.or(database).unwrap_or("admin").to_string()
        }
        Some("PLAIN") => {
            require_username()?;
            if password.is_none() {
                return Err(Error::invalid("authMechanism=PLAIN requires a password"));
            }
            forbid_properties()?;
            auth_source.or(database).unwrap_or(EXTERNAL).to_string()
        }
        Some("GSSAPI") => {
            require_username()?;
            allow_properties(&[
                "SERVICE_NAME",
                "CANONICALIZE_HOST_NAME",
                "SERVICE_REALM",
                "SERVICE_HOST",
            ])?;
            if let Some(c) = prop("CANONICALIZE_HOST_NAME") {
                if !["none", "forward", "forwardAndReverse", "true", "false"].contains(&c.as_str())
                {
                    return Err(Error::invalid(format!(
                        "invalid authMechanismProperties CANONICALIZE_HOST_NAME:{c}: expected none, forward or forwardAndReverse"
                    )));
                }
            }
            if !props.contains_key("SERVICE_NAME") {
                props.insert("SERVICE_NAME", "mongodb");
            }
            external_source()?
        }
        Some("MONGODB-X509") => {
            forbid_password()?;
            forbid_properties()?;
            external_source()?
        }
        Some("MONGODB-AWS") => {
            // DRIVERS-3131: AWS credentials come from the environment only; a URI must not carry
            // a username, a password or AWS_SESSION_TOKEN.
            if username.is_some() || password.is_some() {
                return Err(Error::invalid(
                    "authMechanism=MONGODB-AWS does not accept a username or password in the connection string (AWS credentials come from the environment)",
                ));
            }
            if props.contains_key("AWS_SESSION_TOKEN") {
                return Err(Error::invalid(
                    "authMechanism=MONGODB-AWS does not accept AWS_SESSION_TOKEN in the connection string (it comes from the environment)",
                ));
            }
            allow_properties(&[])?;
            external_source()?
        }
        Some("MONGODB-OIDC") => {
            forbid_password()?;
            allow_properties(&["ENVIRONMENT", "TOKEN_RESOURCE"])?;
            let env = prop("ENVIRONMENT").ok_or_else(|| {
                Error::invalid("authMechanism=MONGODB-OIDC requires authMechanismProperties ENVIRONMENT (test, azure, gcp or k8s) in a connection string")
            })?;
            let resource = props.contains_key("TOKEN_RESOURCE");
            match env.as_str() {
                "test" | "k8s" => {
                    if username.is_some() {
                        return Err(Error::invalid(format!(
                            "MONGODB-OIDC ENVIRONMENT:{env} does not accept a username"
                        )));
                    }
                    if resource {
                        return Err(Error::invalid(format!(
                            "MONGODB-OIDC ENVIRONMENT:{env} does not accept TOKEN_RESOURCE"
                        )));
                    }
                }
                "azure" | "gcp" => {
                    if !resource {
                        return Err(Error::invalid(format!(
                            "MONGODB-OIDC ENVIRONMENT:{env} requires TOKEN_RESOURCE"
                        )));
                    }
                    if env == "gcp" && username.is_some() {
                        return Err(Error::invalid(
                            "MONGODB-OIDC ENVIRONMENT:gcp does not accept a username",
                        ));
                    }
                }
                other => {
                    return Err(Error::invalid(format!(
                        "invalid MONGODB-OIDC ENVIRONMENT:{other}: expected test, azure, gcp or k8s"
                    )))
                }
            }
            external_source()?
        }
        Some(other) => return Err(Error::invalid(format!("unsupported authMechanism={other}"))),
    };

    // Mechanism properties are strings; keep only those.
    let mechanism_properties = props
        .into_iter()
        .filter(|(_, v)| matches!(v, Bson::String(_)))
        .collect();
    Ok(Some(Credential {
        username,
        password,
        source: Some(source),
        mechanism: mechanism.map(str::to_string),
        mechanism_properties,
    }))
}
