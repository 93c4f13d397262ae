//! The subject distinguished name of an X.509 certificate, as RFC 2253 text (what mongod takes
//! as the `$external` user of MONGODB-X509): RDNs last to first, `+` between the attributes of a
//! multi-valued RDN, short names for the usual attribute types (CN, OU, O, L, ST, C, STREET, DC,
//! UID), the dotted OID and `#hex` of the DER value for others, and RFC 2253 escaping.
//!
//! A minimal DER reader: only the path from the certificate to its subject is walked.

/// One DER element: (tag, content, rest after it).
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;

/// The subject of a DER certificate as RFC 2253 text; `None` when the DER is not a certificate.
pub fn subject_dn(cert_der: &[u8]) -> Option<String> {
    let (tag, cert, _) = tlv(cert_der)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, tbs, _) = tlv(cert)?;
    if tag != SEQUENCE {
        return None;
    }
    let mut rest = tbs;
    // [0] version (optional), serialNumber, signature, issuer, validity, then subject.
    let (tag, _, after) = tlv(rest)?;
    if tag == 0xa0 {
        rest = after;
    }
    for _ in 0..4 {
        let (_, _, after) = tlv(rest)?;
        rest = after;
    }
    let (tag, subject, _) = tlv(rest)?;
    if tag != SEQUENCE {
        return None;
    }
    name_to_rfc2253(subject)
}

/// A DER `Name` (the SEQUENCE's content) as RFC 2253 text.
pub fn name_to_rfc2253(name: &[u8]) -> Option<String> {
    let mut rdns = Vec::new();
    let mut rest = name;
    while !rest.is_empty() {
        let (tag, set, after) = tlv(rest)?;
        if tag != SET {
            return None;
        }
        rest = after;
        let mut avas = Vec::new();
        let mut inner = set;
        while !inner.is_empty() {
            let (tag, ava, after) = tlv(inner)?;
            if tag != SEQUENCE {
                return None;
            }
            inner = after;
            let (tag, oid, value_and_rest) = tlv(ava)?;
            if tag != OID {
                return None;
            }
            let (vtag, value, _) = tlv(value_and_rest)?;
            let oid = oid_text(oid)?;
            let text = match (short_name(&oid), decode_string(vtag, value)) {
                (Some(short), Some(v)) => format!("{short}={}", escape(&v)),
                _ => {
                    // Unknown type or value: the dotted OID and the value's DER in hex.
                    let der_len = value_and_rest.len() - tlv(value_and_rest)?.2.len();
                    let hex: String = value_and_rest[..der_len]
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect();
                    format!("{oid}=#{hex}")
                }
            };
            avas.push(text);
        }
        rdns.push(avas.join("+"));
    }
    rdns.reverse();
    Some(rdns.join(","))
}

fn oid_text(bytes: &[u8]) -> Option<String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut v: u64 = 0;
    for (i, b) in bytes.iter().enumerate() {
        v = v.checked_mul(128)? | (b & 0x7f) as u64;
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (v / 40).min(2);
                arcs.push(first);
                arcs.push(v - first * 40);
            } else {
                arcs.push(v);
            }
            v = 0;
        } else if i == bytes.len() - 1 {
            return None;
        }
    }
    if arcs.is_empty() {
        return None;
    }
    Some(
        arcs.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => return None,
    })
}

/// The directory string types: UTF8String, PrintableString, IA5String, TeletexString (as
/// Latin-1), BMPString (UTF-16BE), UniversalString (UTF-32BE).
fn decode_string(tag: u8, value: &[u8]) -> Option<String> {
    match tag {
        0x0c | 0x13 | 0x16 => String::from_utf8(value.to_vec()).ok(),
        0x14 => Some(value.iter().map(|&b| b as char).collect()),
        0x1e => {
            if value.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = value
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        0x1c => {
            if value.len() % 4 != 0 {
                return None;
            }
            value
                .chunks(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect()
        }
        _ => None,
    }
}

/// RFC 2253 section 2.4: `,+"\<>;` escaped; `#` or a space first, and a space last, too.
fn escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let n = v.chars().count();
    for (i, c) in v.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == n - 1 && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, DnType, KeyPair};

    fn cert_with(dn: &[(DnType, &str)]) -> Vec<u8> {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        for (t, v) in dn {
            params.distinguished_name.push(t.clone(), *v);
        }
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn subject_is_rfc2253_last_rdn_first() {
        let der = cert_with(&[
            (DnType::CountryName, "US"),
            (DnType::StateOrProvinceName, "New York"),
            (DnType::LocalityName, "New York City"),
            (DnType::OrganizationName, "MongoDB"),
            (DnType::OrganizationalUnitName, "KernelUser"),
            (DnType::CommonName, "client"),
        ]);
        assert_eq!(
            subject_dn(&der).unwrap(),
            "CN=client,OU=KernelUser,O=MongoDB,L=New York City,ST=New York,C=US"
        );
    }

    #[test]
    fn special_characters_are_escaped() {
        let der = cert_with(&[
            (DnType::OrganizationName, "A, B + C"),
            (DnType::CommonName, " #x\"y\\z<>; "),
        ]);
        assert_eq!(
            subject_dn(&der).unwrap(),
            r#"CN=\ #x\"y\\z\<\>\;\ ,O=A\, B \+ C"#
        );
    }

    #[test]
    fn unknown_attribute_types_show_oid_and_hex() {
        let der = cert_with(&[
            (
                DnType::CustomDnType(vec![1, 2, 840, 113549, 1, 9, 1]),
                "a@b",
            ),
            (DnType::CommonName, "n"),
        ]);
        // 0x0c: UTF8String, 3 bytes "a@b".
        assert_eq!(
            subject_dn(&der).unwrap(),
            "CN=n,1.2.840.113549.1.9.1=#0c03614062"
        );
    }

    #[test]
    fn garbage_is_not_a_certificate() {
        assert_eq!(subject_dn(b""), None);
        assert_eq!(subject_dn(&[0x30, 0x05, 0x01]), None);
        assert_eq!(subject_dn(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), None);
        let der = cert_with(&[(DnType::CommonName, "x")]);
        for cut in [1, 10, 50, der.len() / 2] {
            assert_eq!(subject_dn(&der[..cut]), None, "cut at {cut}");
        }
        assert_eq!(oid_text(&[0x85]), None);
        assert_eq!(decode_string(0x1e, &[0]), None);
        assert_eq!(
            decode_string(0x1e, &[0, b'h', 0, b'i']).as_deref(),
            Some("hi")
        );
        assert_eq!(decode_string(0x14, &[0xe9]).as_deref(), Some("é"));
        assert_eq!(decode_string(0x1c, &[0, 0, 0, b'a']).as_deref(), Some("a"));
    }
}
