//! PEM private keys and certificates: which algorithm and, for RSA, how many bits, read from
//! the DER inside (PKCS#1, SEC1, PKCS#8) or the OpenSSH key format; the public key's
//! fingerprint as `ssh-keygen -l` prints it (`SHA256:…`), the key's `key_id`; and a
//! certificate's notAfter, its expiry. Only a few fields are read, with bounds checked at every
//! step: malformed input yields no facts, never a panic.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// One armoured block: its label, whether its headers say it is encrypted, and its bytes.
struct Block {
    label: String,
    encrypted: bool,
    der: Option<Vec<u8>>,
}

/// The armoured blocks of `pem` (escaped `\n` line breaks accepted), in order.
fn blocks(pem: &[u8]) -> Vec<Block> {
    let Ok(text) = std::str::from_utf8(pem) else {
        return Vec::new();
    };
    let text = text.replace("\\n", "\n").replace("\\r", "");
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = &after[..label_end];
        let body = &after[label_end + 5..];
        let Some(body_end) = body.find("-----END") else {
            break;
        };
        let armoured = &body[..body_end];
        let base64: String = armoured
            .lines()
            .filter(|line| !line.contains(':'))
            .flat_map(|line| line.chars())
            .filter(|c| !c.is_whitespace())
            .collect();
        out.push(Block {
            label: label.to_string(),
            encrypted: armoured.contains("ENCRYPTED") || label == "ENCRYPTED PRIVATE KEY",
            der: STANDARD.decode(base64).ok(),
        });
        rest = &body[body_end + 8..];
    }
    out
}

/// A description such as `rsa 2048 bits`, `ec p-256`, `ed25519`, `encrypted`.
pub fn describe(pem: &[u8]) -> Option<String> {
    let block = blocks(pem).into_iter().next()?;
    if block.encrypted {
        return Some("encrypted".into());
    }
    let der = block.der?;
    match block.label.as_str() {
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

/// Appends an SSH wire-format string (length, then bytes).
fn ssh_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(0).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// An SSH `mpint` from DER INTEGER contents: both are minimal big-endian two's complement,
/// so only a redundant leading zero (none in valid DER) would differ.
fn ssh_mpint(out: &mut Vec<u8>, der_integer: &[u8]) {
    let mut bytes = der_integer;
    while bytes.len() > 1 && bytes[0] == 0 && bytes[1] & 0x80 == 0 {
        bytes = &bytes[1..];
    }
    ssh_string(out, bytes);
}

/// The SSH public-key blob of an RSA key `(n, e)`.
fn rsa_blob(n: &[u8], e: &[u8]) -> Vec<u8> {
    let mut blob = Vec::new();
    ssh_string(&mut blob, b"ssh-rsa");
    ssh_mpint(&mut blob, e);
    ssh_mpint(&mut blob, n);
    blob
}

/// The SSH public-key blob of an ECDSA key on a curve SSH names, from its point.
fn ec_blob(curve_oid: &[u8], point: &[u8]) -> Option<Vec<u8>> {
    let name: &[u8] = match curve_name(curve_oid) {
        "p-256" => b"nistp256",
        "p-384" => b"nistp384",
        "p-521" => b"nistp521",
        _ => return None,
    };
    let mut blob = Vec::new();
    ssh_string(&mut blob, &[&b"ecdsa-sha2-"[..], name].concat());
    ssh_string(&mut blob, name);
    ssh_string(&mut blob, point);
    Some(blob)
}

/// The SSH public-key blob of an Ed25519 key.
fn ed25519_blob(public: &[u8]) -> Option<Vec<u8>> {
    (public.len() == 32).then(|| {
        let mut blob = Vec::new();
        ssh_string(&mut blob, b"ssh-ed25519");
        ssh_string(&mut blob, public);
        blob
    })
}

/// PKCS#1 RSAPrivateKey → the public blob from its modulus and public exponent.
fn rsa_private_blob(der: &[u8]) -> Option<Vec<u8>> {
    let (tag, body, _) = element(der)?;
    if tag != SEQUENCE {
        return None;
    }
    let (_, _, rest) = element(body)?;
    let (tag, n, rest) = element(rest)?;
    let (tag2, e, _) = element(rest)?;
    (tag == INTEGER && tag2 == INTEGER).then(|| rsa_blob(n, e))
}

/// DSA private key `SEQUENCE { version, p, q, g, y, x }` → the `ssh-dss` blob.
fn dsa_private_blob(der: &[u8]) -> Option<Vec<u8>> {
    let (_, body, _) = element(der)?;
    let (_, _, mut rest) = element(body)?;
    let mut blob = Vec::new();
    ssh_string(&mut blob, b"ssh-dss");
    for _ in 0..4 {
        let (tag, value, next) = element(rest)?;
        if tag != INTEGER {
            return None;
        }
        ssh_mpint(&mut blob, value);
        rest = next;
    }
    Some(blob)
}

/// The contents of a BIT STRING with no unused bits.
fn bit_string(contents: &[u8]) -> Option<&[u8]> {
    contents.strip_prefix(&[0])
}

/// SEC1 ECPrivateKey → the public blob from `[1] publicKey`, with the curve from `[0]` or
/// from `outer_curve` (PKCS#8 puts it in the algorithm identifier).
fn ec_private_blob(der: &[u8], outer_curve: Option<&[u8]>) -> Option<Vec<u8>> {
    let (_, body, _) = element(der)?;
    let (_, _, rest) = element(body)?;
    let (_, _, mut rest) = element(rest)?;
    let mut curve = outer_curve;
    let mut point = None;
    while !rest.is_empty() {
        let (tag, contents, next) = element(rest)?;
        match tag {
            0xa0 => curve = element(contents).map(|(_, oid, _)| oid),
            0xa1 => {
                let (tag, bits, _) = element(contents)?;
                if tag == 0x03 {
                    point = bit_string(bits);
                }
            }
            _ => {}
        }
        rest = next;
    }
    ec_blob(curve?, point?)
}

/// PKCS#8 (OneAsymmetricKey) → the public blob: RSA and EC from the inner key, Ed25519 only
/// when the optional `[1] publicKey` is there (deriving it would take curve arithmetic).
fn pkcs8_blob(der: &[u8]) -> Option<Vec<u8>> {
    let (_, body, _) = element(der)?;
    let (_, _, rest) = element(body)?;
    let (tag, algorithm, rest) = element(rest)?;
    if tag != SEQUENCE {
        return None;
    }
    let (_, oid, params) = element(algorithm)?;
    let (tag, key, mut rest) = element(rest)?;
    if tag != OCTET_STRING {
        return None;
    }
    match oid {
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01] => rsa_private_blob(key),
        [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01] => {
            let curve = element(params).map(|(_, c, _)| c);
            ec_private_blob(key, curve)
        }
        [0x2b, 0x65, 0x70] => {
            while !rest.is_empty() {
                let (tag, contents, next) = element(rest)?;
                if tag == 0x81 {
                    return ed25519_blob(bit_string(contents)?);
                }
                rest = next;
            }
            None
        }
        _ => None,
    }
}

/// OpenSSH keys carry the public blob in clear, encrypted or not.
fn openssh_blob(data: &[u8]) -> Option<Vec<u8>> {
    let mut rest = data.strip_prefix(b"openssh-key-v1\0")?;
    let string = |rest: &mut &[u8]| -> Option<Vec<u8>> {
        let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let value = rest.get(4..4usize.checked_add(len)?)?.to_vec();
        *rest = &rest[4 + len..];
        Some(value)
    };
    for _ in 0..3 {
        string(&mut rest)?;
    }
    rest = rest.get(4..)?;
    string(&mut rest)
}

/// SubjectPublicKeyInfo → the SSH public blob (RSA, EC on NIST curves, Ed25519).
fn spki_blob(der: &[u8]) -> Option<Vec<u8>> {
    let (tag, body, _) = element(der)?;
    if tag != SEQUENCE {
        return None;
    }
    let (_, algorithm, rest) = element(body)?;
    let (tag, bits, _) = element(rest)?;
    if tag != 0x03 {
        return None;
    }
    let key = bit_string(bits)?;
    let (_, oid, params) = element(algorithm)?;
    match oid {
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01] => {
            let (_, seq, _) = element(key)?;
            let (_, n, rest) = element(seq)?;
            let (_, e, _) = element(rest)?;
            Some(rsa_blob(n, e))
        }
        [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01] => ec_blob(element(params)?.1, key),
        [0x2b, 0x65, 0x70] => ed25519_blob(key),
        _ => None,
    }
}

/// A certificate's SubjectPublicKeyInfo and notAfter: `Certificate { tbsCertificate {
/// [0] version?, serialNumber, signature, issuer, validity { notBefore, notAfter }, subject,
/// subjectPublicKeyInfo, … } … }`.
fn certificate_fields(der: &[u8]) -> Option<(&[u8], Option<Timestamp>)> {
    let (_, certificate, _) = element(der)?;
    let (_, tbs, _) = element(certificate)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xa0) {
        rest = element(rest)?.2;
    }
    let (_, _, rest) = element(rest)?; // serialNumber
    let (_, _, rest) = element(rest)?; // signature
    let (_, _, rest) = element(rest)?; // issuer
    let (_, validity, rest) = element(rest)?;
    let (_, _, after) = element(validity)?;
    let (tag, not_after, _) = element(after)?;
    let (_, _, rest) = element(rest)?; // subject
    let spki_len = rest.len() - element(rest)?.2.len();
    Some((&rest[..spki_len], asn1_time(tag, not_after)))
}

/// UTCTime (`YYMMDDHHMMSSZ`, years 1950 to 2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`).
fn asn1_time(tag: u8, bytes: &[u8]) -> Option<Timestamp> {
    let text = std::str::from_utf8(bytes).ok()?.strip_suffix('Z')?;
    let full = match (tag, text.len()) {
        (0x17, 12) => {
            let yy: u32 = text[..2].parse().ok()?;
            format!("{}{text}", if yy < 50 { "20" } else { "19" })
        }
        (0x18, 14) => text.to_string(),
        _ => return None,
    };
    if !full.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &full[0..4],
        &full[4..6],
        &full[6..8],
        &full[8..10],
        &full[10..12],
        &full[12..14]
    );
    iso.parse().ok()
}

/// The fingerprint of a key's public half as `ssh-keygen -l` prints it (`SHA256:` and
/// unpadded base64 of the SHA-256 of the SSH public-key blob), for PEM private keys (PKCS#1
/// RSA, SEC1 EC, PKCS#8, DSA), OpenSSH keys (encrypted too) and certificates (their subject
/// key, so a certificate and its private key share one id).
pub fn public_key_id(pem: &[u8]) -> Option<String> {
    blocks(pem).into_iter().find_map(|block| {
        let der = block.der?;
        let blob = match block.label.as_str() {
            "OPENSSH PRIVATE KEY" => openssh_blob(&der),
            _ if block.encrypted => None,
            "RSA PRIVATE KEY" => rsa_private_blob(&der),
            "EC PRIVATE KEY" => ec_private_blob(&der, None),
            "DSA PRIVATE KEY" => dsa_private_blob(&der),
            "PRIVATE KEY" => pkcs8_blob(&der),
            "CERTIFICATE" => certificate_fields(&der).and_then(|(spki, _)| spki_blob(spki)),
            _ => None,
        }?;
        Some(format!(
            "SHA256:{}",
            STANDARD_NO_PAD.encode(Sha256::digest(&blob))
        ))
    })
}

/// The notAfter of the first certificate in `pem`.
pub fn certificate_expiry(pem: &[u8]) -> Option<Timestamp> {
    blocks(pem)
        .into_iter()
        .filter(|b| b.label == "CERTIFICATE")
        .find_map(|b| certificate_fields(&b.der?).and_then(|(_, t)| t))
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

    #[test]
    fn one_rsa_key_has_one_id_as_pkcs1_pkcs8_and_certificate() {
        let pkcs1 = rsa_der(256);
        let algorithm = tlv(
            SEQUENCE,
            &[
                tlv(OID, &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]),
                vec![0x05, 0x00],
            ]
            .concat(),
        );
        let pkcs8 = tlv(
            SEQUENCE,
            &[
                tlv(INTEGER, &[0]),
                algorithm.clone(),
                tlv(OCTET_STRING, &pkcs1),
            ]
            .concat(),
        );
        // The public key: the modulus and exponent the private key holds.
        let (_, body, _) = element(&pkcs1).unwrap();
        let (_, _, rest) = element(body).unwrap();
        let (_, n, rest) = element(rest).unwrap();
        let (_, e, _) = element(rest).unwrap();
        let public = tlv(SEQUENCE, &[tlv(INTEGER, n), tlv(INTEGER, e)].concat());
        let spki = tlv(
            SEQUENCE,
            &[
                algorithm.clone(),
                tlv(0x03, &[&[0u8][..], &public].concat()),
            ]
            .concat(),
        );
        let name = tlv(SEQUENCE, &[]);
        let validity = tlv(
            SEQUENCE,
            &[tlv(0x17, b"240101000000Z"), tlv(0x18, b"20270315120000Z")].concat(),
        );
        let tbs = tlv(
            SEQUENCE,
            &[
                tlv(0xa0, &tlv(INTEGER, &[2])),
                tlv(INTEGER, &[7]),
                algorithm.clone(),
                name.clone(),
                validity,
                name,
                spki,
            ]
            .concat(),
        );
        let certificate = tlv(SEQUENCE, &[tbs, algorithm, tlv(0x03, &[0, 1, 2])].concat());
        let id = public_key_id(pem("RSA PRIVATE KEY", &pkcs1).as_bytes()).unwrap();
        assert!(id.starts_with("SHA256:") && id.len() == 7 + 43, "{id}");
        assert_eq!(
            public_key_id(pem("PRIVATE KEY", &pkcs8).as_bytes()),
            Some(id.clone())
        );
        let cert_pem = pem("CERTIFICATE", &certificate);
        assert_eq!(public_key_id(cert_pem.as_bytes()), Some(id));
        assert_eq!(
            certificate_expiry(cert_pem.as_bytes()),
            Some("2027-03-15T12:00:00Z".parse().unwrap())
        );
        let other = public_key_id(pem("RSA PRIVATE KEY", &rsa_der(384)).as_bytes());
        assert_ne!(
            other,
            public_key_id(pem("RSA PRIVATE KEY", &pkcs1).as_bytes())
        );
    }

    #[test]
    fn asn1_times_read_both_forms_and_reject_junk() {
        assert_eq!(
            asn1_time(0x17, b"491231235959Z"),
            Some("2049-12-31T23:59:59Z".parse().unwrap())
        );
        assert_eq!(
            asn1_time(0x17, b"500101000000Z"),
            Some("1950-01-01T00:00:00Z".parse().unwrap())
        );
        assert_eq!(asn1_time(0x18, b"2030013112000Z"), None);
        assert_eq!(asn1_time(0x17, b"49123123595aZ"), None);
        assert_eq!(asn1_time(0x17, b"991332000000Z"), None);
    }

    #[test]
    fn ids_of_malformed_or_unknown_blocks_are_none() {
        for bad in [
            &b"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"[..],
            b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----",
            b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n-----END OPENSSH PRIVATE KEY-----",
            b"-----BEGIN PRIVATE KEY-----\nMA==\n-----END PRIVATE KEY-----",
            b"-----BEGIN FOO-----\nMA==\n-----END FOO-----",
            b"-----BEGIN RSA PRIVATE KEY-----",
        ] {
            assert_eq!(public_key_id(bad), None, "{}", String::from_utf8_lossy(bad));
            assert_eq!(certificate_expiry(bad), None);
        }
    }
}
