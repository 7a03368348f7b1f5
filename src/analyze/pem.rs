//! PEM private keys: which algorithm and, for RSA, how many bits, read from the DER inside
//! (PKCS#1, SEC1, PKCS#8) or the OpenSSH key format. Only a few fields are read, with bounds
//! checked at every step: malformed input yields no facts, never a panic.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// A description such as `rsa 2048 bits`, `ec p-256`, `ed25519`, `encrypted`.
pub fn describe(pem: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(pem)
        .ok()?
        .replace("\\n", "\n")
        .replace("\\r", "");
    let label_start = text.find("-----BEGIN ")? + 11;
    let label_end = label_start + text[label_start..].find("-----")?;
    let label = &text[label_start..label_end];
    let body_start = label_end + 5;
    let body_end = body_start + text[body_start..].find("-----END")?;
    let body = &text[body_start..body_end];
    if body.contains("ENCRYPTED") || label == "ENCRYPTED PRIVATE KEY" {
        return Some("encrypted".into());
    }
    let base64: String = body
        .lines()
        .filter(|line| !line.contains(':'))
        .flat_map(|line| line.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = STANDARD.decode(base64).ok()?;
    match label {
        "RSA PRIVATE KEY" => rsa_bits(&der).map(|bits| format!("rsa {bits} bits")),
        "EC PRIVATE KEY" => sec1_curve(&der).map(|curve| format!("ec {curve}")),
        "PRIVATE KEY" => pkcs8(&der),
        "DSA PRIVATE KEY" => Some("dsa".into()),
        "OPENSSH PRIVATE KEY" => openssh(&der),
        _ => None,
    }
}

/// One DER element: (tag, contents, rest).
fn element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *der.first()?;
    let first = *der.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..count {
            len = (len << 8) | usize::from(*der.get(2 + i)?);
        }
        (len, 2 + count)
    };
    let contents = der.get(header..header.checked_add(len)?)?;
    Some((tag, contents, &der[header + len..]))
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;

/// PKCS#1 RSAPrivateKey: SEQUENCE { version, modulus, … } → bits of the modulus.
fn rsa_bits(der: &[u8]) -> Option<usize> {
    let (tag, body, _) = element(der)?;
    if tag != SEQUENCE {
        return None;
    }
    let (_, _, rest) = element(body)?;
    let (tag, modulus, _) = element(rest)?;
    if tag != INTEGER {
        return None;
    }
    let significant = modulus.iter().skip_while(|&&b| b == 0).count();
    let top = *modulus.iter().find(|&&b| b != 0)?;
    Some(significant * 8 - top.leading_zeros() as usize)
}

fn curve_name(oid: &[u8]) -> &'static str {
    match oid {
        [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07] => "p-256",
        [0x2b, 0x81, 0x04, 0x00, 0x22] => "p-384",
        [0x2b, 0x81, 0x04, 0x00, 0x23] => "p-521",
        [0x2b, 0x81, 0x04, 0x00, 0x0a] => "secp256k1",
        _ => "unknown curve",
    }
}

/// SEC1 ECPrivateKey: SEQUENCE { version, privateKey, [0] curve OID, … }.
fn sec1_curve(der: &[u8]) -> Option<&'static str> {
    let (_, body, _) = element(der)?;
    let (_, _, rest) = element(body)?;
    let (_, _, mut rest) = element(rest)?;
    while !rest.is_empty() {
        let (tag, contents, next) = element(rest)?;
        if tag == 0xa0 {
            let (tag, oid, _) = element(contents)?;
            return (tag == OID).then(|| curve_name(oid));
        }
        rest = next;
    }
    Some("unknown curve")
}

/// PKCS#8 PrivateKeyInfo: SEQUENCE { version, AlgorithmIdentifier, OCTET STRING key }.
fn pkcs8(der: &[u8]) -> Option<String> {
    let (_, body, _) = element(der)?;
    let (_, _, rest) = element(body)?;
    let (tag, algorithm, rest) = element(rest)?;
    if tag != SEQUENCE {
        return None;
    }
    let (_, oid, params) = element(algorithm)?;
    match oid {
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01] => {
            let (tag, key, _) = element(rest)?;
            if tag != OCTET_STRING {
                return None;
            }
            rsa_bits(key).map(|bits| format!("rsa {bits} bits"))
        }
        [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01] => {
            let curve = element(params).map_or("unknown curve", |(_, c, _)| curve_name(c));
            Some(format!("ec {curve}"))
        }
        [0x2b, 0x65, 0x70] => Some("ed25519".into()),
        [0x2b, 0x65, 0x71] => Some("ed448".into()),
        [0x2b, 0x65, 0x6e] => Some("x25519".into()),
        [0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01] => Some("dsa".into()),
        _ => Some("unknown algorithm".into()),
    }
}

/// OpenSSH keys: `openssh-key-v1\0`, cipher name, kdf name, kdf options, key count, then the
/// public key, whose first string is its type.
fn openssh(data: &[u8]) -> Option<String> {
    let mut rest = data.strip_prefix(b"openssh-key-v1\0")?;
    let string = |rest: &mut &[u8]| -> Option<Vec<u8>> {
        let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let value = rest.get(4..4usize.checked_add(len)?)?.to_vec();
        *rest = &rest[4 + len..];
        Some(value)
    };
    let cipher = string(&mut rest)?;
    if cipher != b"none" {
        return Some("encrypted".into());
    }
    let _kdf = string(&mut rest)?;
    let _options = string(&mut rest)?;
    rest = rest.get(4..)?;
    let public = string(&mut rest)?;
    let mut public: &[u8] = &public;
    let kind = string(&mut public)?;
    let kind = String::from_utf8_lossy(&kind).into_owned();
    Some(kind.strip_prefix("ssh-").unwrap_or(&kind).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem(label: &str, der: &[u8]) -> String {
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            STANDARD.encode(der)
        )
    }

    fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        if contents.len() < 0x80 {
            out.push(contents.len() as u8);
        } else {
            out.push(0x82);
            out.extend_from_slice(&(contents.len() as u16).to_be_bytes());
        }
        out.extend_from_slice(contents);
        out
    }

    fn rsa_der(modulus_bytes: usize) -> Vec<u8> {
        let mut modulus = vec![0u8];
        modulus.push(0xc3);
        modulus.extend(std::iter::repeat_n(0x5a, modulus_bytes - 1));
        let body = [
            tlv(INTEGER, &[0]),
            tlv(INTEGER, &modulus),
            tlv(INTEGER, &[1, 0, 1]),
        ]
        .concat();
        tlv(SEQUENCE, &body)
    }

    #[test]
    fn reads_rsa_bits_from_pkcs1_and_pkcs8() {
        assert_eq!(
            describe(pem("RSA PRIVATE KEY", &rsa_der(256)).as_bytes()),
            Some("rsa 2048 bits".into())
        );
        let algorithm = tlv(
            SEQUENCE,
            &[
                tlv(OID, &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]),
                vec![0x05, 0x00],
            ]
            .concat(),
        );
        let info = tlv(
            SEQUENCE,
            &[
                tlv(INTEGER, &[0]),
                algorithm,
                tlv(OCTET_STRING, &rsa_der(384)),
            ]
            .concat(),
        );
        assert_eq!(
            describe(pem("PRIVATE KEY", &info).as_bytes()),
            Some("rsa 3072 bits".into())
        );
        let escaped = pem("RSA PRIVATE KEY", &rsa_der(512)).replace('\n', "\\n");
        assert_eq!(describe(escaped.as_bytes()), Some("rsa 4096 bits".into()));
    }

    #[test]
    fn reads_curves_and_key_types() {
        let ec = tlv(
            SEQUENCE,
            &[
                tlv(INTEGER, &[1]),
                tlv(OCTET_STRING, &[9; 32]),
                tlv(
                    0xa0,
                    &tlv(OID, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
                ),
            ]
            .concat(),
        );
        assert_eq!(
            describe(pem("EC PRIVATE KEY", &ec).as_bytes()),
            Some("ec p-256".into())
        );
        let ed = tlv(
            SEQUENCE,
            &[
                tlv(INTEGER, &[0]),
                tlv(SEQUENCE, &tlv(OID, &[0x2b, 0x65, 0x70])),
                tlv(OCTET_STRING, &[4; 34]),
            ]
            .concat(),
        );
        assert_eq!(
            describe(pem("PRIVATE KEY", &ed).as_bytes()),
            Some("ed25519".into())
        );
        let mut ssh = b"openssh-key-v1\0".to_vec();
        for s in [&b"none"[..], b"none", b""] {
            ssh.extend_from_slice(&(s.len() as u32).to_be_bytes());
            ssh.extend_from_slice(s);
        }
        ssh.extend_from_slice(&1u32.to_be_bytes());
        let mut public = Vec::new();
        public.extend_from_slice(&11u32.to_be_bytes());
        public.extend_from_slice(b"ssh-ed25519");
        ssh.extend_from_slice(&(public.len() as u32).to_be_bytes());
        ssh.extend_from_slice(&public);
        assert_eq!(
            describe(pem("OPENSSH PRIVATE KEY", &ssh).as_bytes()),
            Some("ed25519".into())
        );
        assert_eq!(
            describe(
                b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----"
            ),
            Some("encrypted".into())
        );
    }

    #[test]
    fn malformed_keys_yield_nothing() {
        for bad in [
            &b"-----BEGIN RSA PRIVATE KEY-----\nnot base64 at all\n-----END RSA PRIVATE KEY-----"[..],
            b"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
            b"-----BEGIN PRIVATE KEY-----\nMA==\n-----END PRIVATE KEY-----",
            b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n-----END OPENSSH PRIVATE KEY-----",
            b"no pem here",
        ] {
            assert_eq!(describe(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }
}
